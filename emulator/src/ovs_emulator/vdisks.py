"""vDisks (framework: ovs/lib/vdisk.py VDiskController; webapps/api/backend/views/vdisks.py).

Model: ``vdisk`` {name, description, size, devicename (``/<name>.raw``), volume_id, vpool_guid,
storagedriver_guid, storagedriver_id, storagerouter_guid, parent_vdisk_guid, parentsnapshot,
snapshots [{guid, label, timestamp, is_consistent, is_automatic, is_sticky, in_backend, stored}],
pagecache_ratio, cache_quota}; the vPool's ``vdisks_guids`` lists them.

The volume is the sparse file ``/mnt/<vpool><devicename>`` on the serving storage router, made,
grown and removed by that node's ovs-workers (as the volumedriver would); it needs the node's
``ovs-volumedriver_<vpool>`` to run.
"""
import os
import re
import time
import uuid

from ovs_emulator import actions, paths, system

VDISK_NAME_REGEX = r"^[0-9a-zA-Z][\-_a-zA-Z0-9]+[a-zA-Z0-9]$"
MAX_SIZE = 64 * 1024 ** 4


def clean_devicename(name):
    """VDiskController.clean_devicename."""
    name = name.strip("/").replace(" ", "_")
    while "//" in name:
        name = name.replace("//", "/")
    name = re.sub(r"[^/\w\-.]+", "", name)
    filename = name.split("/")[-1]
    if len(filename) > 4 and filename[-4:] == ".raw":
        return f"/{name}"
    return f"/{name}.raw"


def _by_devicename(model, vpool_guid, devicename):
    return model.find_one("vdisk", vpool_guid=vpool_guid, devicename=devicename)


def _machine_id(model, storagedriver):
    return model.get("storagerouter", storagedriver["storagerouter_guid"])["machine_id"]


def _link_vpool(model, vpool_guid, vdisk_guid, add=True):
    vpool = model.get("vpool", vpool_guid)
    if vpool is None:
        return
    guids = [g for g in vpool.get("vdisks_guids", []) if g != vdisk_guid]
    vpool["vdisks_guids"] = guids + ([vdisk_guid] if add else [])
    model.save("vpool", vpool)


def _new_vdisk(model, name, size, devicename, vpool, storagedriver, **fields):
    machine_id = _machine_id(model, storagedriver)
    actions.call(model.store, machine_id, "create_vdisk_file", vpool=vpool["name"],
                 devicename=devicename, size=size)
    vdisk = model.save("vdisk", dict({
        "name": name, "description": name, "size": size, "devicename": devicename,
        "volume_id": str(uuid.uuid4()), "vpool_guid": vpool["guid"],
        "storagedriver_guid": storagedriver["guid"],
        "storagedriver_id": storagedriver["storagedriver_id"],
        "storagerouter_guid": storagedriver["storagerouter_guid"], "parent_vdisk_guid": None,
        "parentsnapshot": None, "snapshots": [], "pagecache_ratio": 1.0, "cache_quota": None,
        "has_manual_dtl": False, "is_vtemplate": False}, **fields))
    _link_vpool(model, vpool["guid"], vdisk["guid"])
    return vdisk


def create_new(model, volume_name, volume_size, storagedriver_guid):
    """VDiskController.create_new (task ovs.vdisk.create_new): the new vDisk's guid."""
    storagedriver = model.get("storagedriver", storagedriver_guid)
    vpool = model.get("vpool", storagedriver["vpool_guid"])
    if not isinstance(volume_name, str) or not re.match(VDISK_NAME_REGEX, volume_name):
        raise ValueError(f"Invalid vDisk name specified: {volume_name} (it should match "
                         f"{VDISK_NAME_REGEX})")
    devicename = clean_devicename(volume_name)
    if _by_devicename(model, vpool["guid"], devicename) is not None:
        raise RuntimeError(f"A vDisk with this name already exists on vPool {vpool['name']}")
    volume_size = int(volume_size)
    if volume_size > MAX_SIZE:
        raise ValueError("Maximum volume size of 64TiB exceeded")
    return _new_vdisk(model, volume_name, volume_size, devicename, vpool, storagedriver)["guid"]


def create_snapshot(model, vdisk_guid, metadata):
    """VDiskController.create_snapshot: the new snapshot's id."""
    if not isinstance(metadata, dict):
        raise ValueError(f"Expected metadata as dict, got {type(metadata)} instead")
    vdisk = model.get("vdisk", vdisk_guid)
    snapshot_id = str(uuid.uuid4())
    vdisk.setdefault("snapshots", []).append({
        "guid": snapshot_id, "label": metadata.get("label"),
        "timestamp": str(metadata.get("timestamp") or int(time.time())),
        "is_consistent": bool(metadata.get("is_consistent")),
        "is_automatic": bool(metadata.get("is_automatic")),
        "is_sticky": bool(metadata.get("is_sticky")), "in_backend": True, "stored": 0})
    model.save("vdisk", vdisk)
    return snapshot_id


def delete_snapshot(model, vdisk_guid, snapshot_id):
    """VDiskController.delete_snapshot."""
    vdisk = model.get("vdisk", vdisk_guid)
    if snapshot_id not in [s["guid"] for s in vdisk.get("snapshots", [])]:
        raise RuntimeError(f"Snapshot {snapshot_id} does not belong to vDisk {vdisk['name']}")
    clones = len(model.find("vdisk", parentsnapshot=snapshot_id))
    if clones > 0:
        raise RuntimeError(f"Snapshot {snapshot_id} has {clones} volume{'' if clones == 1 else 's'} "
                           "cloned from it, cannot remove")
    vdisk["snapshots"] = [s for s in vdisk["snapshots"] if s["guid"] != snapshot_id]
    model.save("vdisk", vdisk)
    return None


def clone(model, vdisk_guid, name, snapshot_id=None, storagerouter_guid=None):
    """VDiskController.clone: {vdisk_guid, name, backingdevice}."""
    vdisk = model.get("vdisk", vdisk_guid)
    vpool = model.get("vpool", vdisk["vpool_guid"])
    devicename = clean_devicename(name)
    if _by_devicename(model, vpool["guid"], devicename) is not None:
        raise RuntimeError(f"A vDisk with this name already exists on vPool {vpool['name']}")
    if storagerouter_guid is not None:
        drivers = [sd for sd in model.find("storagedriver", vpool_guid=vpool["guid"])
                   if sd.get("storagerouter_guid") == storagerouter_guid]
        if not drivers:
            raise RuntimeError(f"Could not use the given StorageRouter: {storagerouter_guid}")
        storagedriver = drivers[0]
    else:
        storagedriver = model.find_one("storagedriver", storagedriver_id=vdisk.get("storagedriver_id"))
        if storagedriver is None:
            raise RuntimeError(f"Could not find StorageDriver with ID {vdisk.get('storagedriver_id')}")
    if snapshot_id is None:
        snapshot_id = create_snapshot(model, vdisk_guid, {"label": "", "is_consistent": False,
                                                          "timestamp": str(int(time.time())),
                                                          "is_automatic": True})
    elif snapshot_id not in [s["guid"] for s in vdisk.get("snapshots", [])]:
        raise RuntimeError(f"Snapshot {snapshot_id} does not belong to vDisk {vdisk['name']}")
    new = _new_vdisk(model, name, vdisk["size"], devicename, vpool, storagedriver,
                     parent_vdisk_guid=vdisk["guid"], parentsnapshot=snapshot_id)
    return {"vdisk_guid": new["guid"], "name": new["name"], "backingdevice": devicename}


def extend(model, vdisk_guid, volume_size):
    """VDiskController.extend."""
    vdisk = model.get("vdisk", vdisk_guid)
    volume_size = int(volume_size)
    if volume_size > MAX_SIZE:
        raise ValueError("Maximum volume size of 64TiB exceeded")
    if volume_size < vdisk["size"]:
        raise ValueError("Shrinking is not possible")
    storagedriver = model.get("storagedriver", vdisk["storagedriver_guid"])
    vpool = model.get("vpool", vdisk["vpool_guid"])
    try:
        actions.call(model.store, _machine_id(model, storagedriver), "extend_vdisk_file",
                     vpool=vpool["name"], devicename=vdisk["devicename"], size=volume_size)
    except actions.NodeUnreachable:
        raise
    except RuntimeError:
        raise RuntimeError(f"Volume {vdisk['name']} is not running, cannot extend") from None
    vdisk = model.get("vdisk", vdisk_guid)
    vdisk["size"] = volume_size
    model.save("vdisk", vdisk)
    return None


def delete(model, vdisk_guid):
    """VDiskController.delete."""
    vdisk = model.get("vdisk", vdisk_guid)
    if model.find("vdisk", parent_vdisk_guid=vdisk_guid):
        raise RuntimeError(f"vDisk {vdisk['name']} has clones, cannot delete")
    storagedriver = model.get("storagedriver", vdisk["storagedriver_guid"])
    vpool = model.get("vpool", vdisk["vpool_guid"])
    actions.call(model.store, _machine_id(model, storagedriver), "delete_vdisk_file",
                 vpool=vpool["name"], devicename=vdisk["devicename"])
    model.delete("vdisk", vdisk_guid)
    _link_vpool(model, vpool["guid"], vdisk_guid, add=False)
    return None


def move(model, vdisk_guid, target_storagerouter_guid, force=False):
    """VDiskController.move (task ovs.vdisk.move): the volume is served from the target storage
    router's storage driver of the same vPool. The volume lives on the backend: its file leaves the
    source node and appears on the target node (each through its ovs-workers; back on the source when
    the target fails); with ``force`` an unreachable source node is skipped (the real migrate with
    force_restart)."""
    vdisk = model.get("vdisk", vdisk_guid)
    if model.get("storagerouter", target_storagerouter_guid) is None:
        raise RuntimeError(f"No valid StorageRouter has been found with provided guid {target_storagerouter_guid}")
    target = next((sd for sd in model.find("storagedriver", storagerouter_guid=target_storagerouter_guid)
                   if sd.get("vpool_guid") == vdisk["vpool_guid"]), None)
    if target is None:
        raise RuntimeError(f"Failed to find the matching StorageDriver for vdisk {vdisk['name']}")
    if target["guid"] == vdisk["storagedriver_guid"]:
        return None
    source = model.get("storagedriver", vdisk["storagedriver_guid"])
    vpool = model.get("vpool", vdisk["vpool_guid"])
    file = dict(vpool=vpool["name"], devicename=vdisk["devicename"])
    try:
        if source is not None:
            actions.call(model.store, _machine_id(model, source), "delete_vdisk_file", **file)
    except actions.NodeUnreachable:
        if not force:
            raise RuntimeError(f"Failed to move vDisk {vdisk['name']}") from None
    except RuntimeError:
        raise RuntimeError(f"Failed to move vDisk {vdisk['name']}") from None
    try:
        actions.call(model.store, _machine_id(model, target), "create_vdisk_file", size=vdisk["size"], **file)
    except RuntimeError:  # back where it was: the source still serves it
        if source is not None:
            actions.call(model.store, _machine_id(model, source), "create_vdisk_file", size=vdisk["size"], **file)
        raise RuntimeError(f"Failed to move vDisk {vdisk['name']}") from None
    vdisk = model.get("vdisk", vdisk_guid)
    vdisk.update(storagedriver_guid=target["guid"], storagedriver_id=target["storagedriver_id"],
                 storagerouter_guid=target["storagerouter_guid"])
    model.save("vdisk", vdisk)
    return None


def dtl_status(model, vdisk):
    vpool = model.get("vpool", vdisk.get("vpool_guid")) or {}
    if not (vpool.get("configuration") or {}).get("dtl_enabled"):
        return "disabled"
    if len(vpool.get("storagedrivers_guids", [])) < 2:
        return "ok_standalone"
    return "ok_sync"


# --- node-local (ovs-workers of the serving storage router) ---------------------------------

def _path(vpool, devicename):
    return paths.real(f"/mnt/{vpool}{devicename}")


def _require_volumedriver(vpool):
    if not system.is_active(f"ovs-volumedriver_{vpool}"):
        raise RuntimeError(f"The volumedriver of vPool {vpool} (ovs-volumedriver_{vpool}) is not "
                           "running on this StorageRouter")


@actions.action("create_vdisk_file")
def create_vdisk_file(config_store, machine_id, vpool, devicename, size):
    _require_volumedriver(vpool)
    path = _path(vpool, devicename)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)
    return None


@actions.action("extend_vdisk_file")
def extend_vdisk_file(config_store, machine_id, vpool, devicename, size):
    _require_volumedriver(vpool)
    with open(_path(vpool, devicename), "r+b") as handle:
        handle.truncate(size)
    return None


@actions.action("delete_vdisk_file")
def delete_vdisk_file(config_store, machine_id, vpool, devicename):
    _require_volumedriver(vpool)
    path = _path(vpool, devicename)
    if os.path.exists(path):
        os.remove(path)
    return None
