"""Disks and partitions of a storage router (framework: ovs/lib/disk.py DiskController,
ovs/lib/storagerouter.py StorageRouterController.configure_disk).

Model objects (docs/design.md):
- ``disk`` {guid, name, aliases, size, is_ssd, state OK|FAILURE|MISSING, serial, model,
  storagerouter_guid, partitions_guids}
- ``diskpartition`` {guid, name, offset, size, mountpoint, roles, state, filesystem, aliases,
  disk_guid, storagedrivers_guids}; its dynamics ``folder`` and ``usage`` (``partition_usage``)
- the storage router's ``disks_guids`` and ``partition_config`` {role: [partition guids]}.

``partition_info`` is StorageRouterController.get_partition_info, what ``get_metadata``, the
role check of ``configure_disk`` and add_vpool's checks of the WRITE partitions read.

The node-local half (reading the hardware and the partition table, creating partitions and
mount points) runs on the storage router itself: node actions (``ovs_emulator.actions``) that its
ovs-workers run.
"""
import os

from ovs_emulator import actions, hardware, model, paths, services

ROLES = ["BACKEND", "DB", "DTL", "SCRUB", "WRITE"]
FILESYSTEM = "ext4"
VIRTUAL_STORAGE_LOCATION = "/mnt/storage"
GiB = 1024 ** 3


def storagerouter_of(config_store, machine_id):
    found = model.find(config_store, "storagerouter", machine_id=machine_id)
    if not found:
        raise RuntimeError(f"No StorageRouter with machine id {machine_id}")
    return found[0]


def partition_config(config_store, router):
    """{role: [partition guids]} of the storage router's partitions."""
    config = {role: [] for role in ROLES}
    for disk_guid in router.get("disks_guids", []):
        disk = model.get(config_store, "disk", disk_guid) or {}
        for partition_guid in disk.get("partitions_guids", []):
            partition = model.get(config_store, "diskpartition", partition_guid) or {}
            for role in partition.get("roles", []):
                config.setdefault(role, []).append(partition_guid)
    return config


def refresh_partition_config(config_store, router_guid):
    router = model.get(config_store, "storagerouter", router_guid)
    router["partition_config"] = partition_config(config_store, router)
    model.save(config_store, "storagerouter", router)
    return router


# --- node-local (run by the node's ovs-workers, or by ovs setup on the node) --------------

@actions.action("sync_disks")
def sync_disks(config_store, machine_id):
    """DiskController.sync_with_reality: the model follows this node's disks and partitions."""
    router = storagerouter_of(config_store, machine_id)
    table = hardware.partition_table()
    known = {disk["name"]: disk for disk in model.find(config_store, "disk",
                                                        storagerouter_guid=router["guid"])}
    seen = set()
    for found in hardware.disks():
        disk = known.get(found["name"]) or {"storagerouter_guid": router["guid"],
                                            "partitions_guids": []}
        disk.update(name=found["name"], aliases=found["aliases"], size=found["size"],
                    is_ssd=found["is_ssd"], serial=found["serial"], model="QEMU HARDDISK",
                    state="OK")
        disk = model.save(config_store, "disk", disk) if "guid" in disk else \
            model.create(config_store, "disk", **disk)
        seen.add(disk["guid"])
        _sync_partitions(config_store, disk, hardware.partitions(found, table))
    for disk in known.values():
        if disk["guid"] not in seen:
            disk["state"] = "MISSING"
            model.save(config_store, "disk", disk)
            for partition_guid in disk.get("partitions_guids", []):
                partition = model.get(config_store, "diskpartition", partition_guid)
                if partition:
                    partition["state"] = "MISSING"
                    model.save(config_store, "diskpartition", partition)
    router = model.get(config_store, "storagerouter", router["guid"])
    router["disks_guids"] = sorted(seen | {disk["guid"] for disk in known.values()})
    router["partition_config"] = partition_config(config_store, router)
    model.save(config_store, "storagerouter", router)
    return None


def _sync_partitions(config_store, disk, found_partitions):
    known = {}
    for guid in disk.get("partitions_guids", []):
        partition = model.get(config_store, "diskpartition", guid)
        if partition:
            known[partition["offset"]] = partition
    guids = []
    for found in found_partitions:
        partition = known.pop(found["offset"], None) or {"roles": [], "disk_guid": disk["guid"],
                                                         "storagedrivers_guids": []}
        partition.update(name=found["name"], offset=found["offset"], size=found["size"],
                         filesystem=found.get("filesystem"), mountpoint=found.get("mountpoint"),
                         aliases=found["aliases"], state="OK")
        if "guid" in partition:
            model.save(config_store, "diskpartition", partition)
        else:
            partition = model.create(config_store, "diskpartition", **partition)
        guids.append(partition["guid"])
    for partition in known.values():  # gone from the disk
        if partition.get("roles"):
            partition["state"] = "MISSING"
            model.save(config_store, "diskpartition", partition)
            guids.append(partition["guid"])
        else:
            model.delete(config_store, "diskpartition", partition["guid"])
    disk["partitions_guids"] = guids
    model.save(config_store, "disk", disk)


@actions.action("create_partition")
def create_partition(config_store, machine_id, disk_name, offset, size):
    """DiskTools.create_partition (parted mkpart) on this node, then a sync."""
    disk = next((d for d in hardware.disks() if d["name"] == disk_name), None)
    if disk is None:
        raise RuntimeError(f"Disk {disk_name} not found on this node")
    if offset < 0 or size <= 0 or offset + size > disk["size"]:
        raise RuntimeError(f"Partition with offset {offset} and size {size} does not fit on "
                           f"disk {disk_name} of {disk['size']} bytes")
    table = hardware.partition_table()
    parts = table.setdefault(disk_name, [])
    for part in parts:
        if offset < part["offset"] + part["size"] and offset + size > part["offset"]:
            raise RuntimeError(f"Partition with offset {offset} and size {size} overlaps an "
                               f"existing partition on disk {disk_name}")
    number = max([p.get("number", 0) for p in parts] + [0]) + 1
    parts.append({"number": number, "offset": offset, "size": size, "filesystem": None,
                  "mountpoint": None})
    hardware.save_partition_table(table)
    sync_disks(config_store, machine_id)


def _local_partition(table, disk_name, offset):
    for part in table.get(disk_name, []):
        if part["offset"] == offset:
            return part
    raise RuntimeError(f"Partition with offset {offset} not found on disk {disk_name}")


@actions.action("make_fs")
def make_fs(config_store, machine_id, disk_name, offset):
    """DiskTools.make_fs (mkfs.ext4) on this node, then a sync."""
    table = hardware.partition_table()
    _local_partition(table, disk_name, offset)["filesystem"] = FILESYSTEM
    hardware.save_partition_table(table)
    sync_disks(config_store, machine_id)


@actions.action("mount")
def mount(config_store, machine_id, disk_name, offset, is_ssd):
    """The first free ``/mnt/ssd<n>`` / ``/mnt/hdd<n>`` (as the framework names them), created
    and recorded as the partition's mount point; returns it."""
    table = hardware.partition_table()
    part = _local_partition(table, disk_name, offset)
    used = {p.get("mountpoint") for parts in table.values() for p in parts}
    counter = 1
    while True:
        mountpoint = "/mnt/{0}{1}".format("ssd" if is_ssd else "hdd", counter)
        if mountpoint not in used and not os.path.exists(paths.real(mountpoint)):
            break
        counter += 1
    os.makedirs(paths.real(mountpoint), exist_ok=True)
    part["mountpoint"] = mountpoint
    hardware.save_partition_table(table)
    sync_disks(config_store, machine_id)
    return mountpoint


# --- the master's half (the tasks) -------------------------------------------------------

def rescan(config_store, router_guid):
    """The ``ovs.disk.sync_with_reality`` task."""
    router = model.get(config_store, "storagerouter", router_guid)
    actions.call(config_store, router["machine_id"], "sync_disks")


def folder(partition):
    """DiskPartition.folder: the mount point, ``/mnt/storage`` for ``/``."""
    mountpoint = partition.get("mountpoint")
    return VIRTUAL_STORAGE_LOCATION if mountpoint == "/" else mountpoint


def _junctions(config_store, partition):
    """The storagedriver partitions (StorageDriverPartition junctions) on ``partition``."""
    found = (model.get(config_store, "storagedriverpartition", guid)
             for guid in partition.get("storagedrivers_guids", []))
    return [junction for junction in found if junction]


def partition_usage(config_store, partition):
    """DiskPartition.usage: one {type, role, size, relation, folder} per storagedriver partition
    (``folder``: ``<vpool>_<role>[_<sub role>]_<number>``, the last part of its path)."""
    return [{"type": "storagedriver", "role": junction.get("role"), "size": junction.get("size"),
             "relation": junction.get("storagedriver_guid"),
             "folder": junction["path"].rsplit("/", 1)[-1] if junction.get("path") else None}
            for junction in _junctions(config_store, partition)]


def partition_info(config_store, router):
    """StorageRouterController.get_partition_info: {role: [{ssd, guid, size, in_use, usable,
    available, mountpoint, storagerouter_guid}]} of the storage router's partitions.

    ``in_use``: a storagedriver partition of that role, or for DB an internal Arakoon service
    (not arakoon-ovsdb) or an MDS service on the storage router (``services.db_in_use``).
    ``available``: the size minus what storagedriver partitions claim (the real one asks df).
    ``usable`` (WRITE): false below 1 GiB or below 5% of the largest WRITE partition available."""
    info = {role: [] for role in ROLES}
    db_services = services.db_in_use(config_store, router["guid"])
    for disk_guid in router.get("disks_guids", []):
        disk = model.get(config_store, "disk", disk_guid) or {}
        for partition_guid in disk.get("partitions_guids", []):
            partition = model.get(config_store, "diskpartition", partition_guid)
            if not partition:
                continue
            junctions = _junctions(config_store, partition)
            size = partition.get("size") or 0
            available = size - sum(junction.get("size") or 0 for junction in junctions)
            for role in partition.get("roles", []):
                in_use = any(j.get("role") == role for j in junctions) or (role == "DB" and db_services)
                info.setdefault(role, []).append({
                    "ssd": bool(disk.get("is_ssd")), "guid": partition["guid"], "size": size,
                    "in_use": in_use, "usable": True, "available": max(available, 0),
                    "mountpoint": folder(partition), "storagerouter_guid": router["guid"]})
    largest = max([entry["available"] for entry in info["WRITE"]] + [0])
    for entry in info["WRITE"]:
        if entry["available"] < largest * 5 / 100 or entry["available"] < GiB:
            entry["usable"] = False
    return info


def scrub_present(config_store):
    """StorageRouterController.check_scrub_partition_present."""
    return any("SCRUB" in partition.get("roles", [])
               for partition in model.objects(config_store, "diskpartition") if partition)


def get_metadata(config_store, router_guid):
    """The ``ovs.storagerouter.get_metadata`` task: {partitions, ipaddresses, scrub_available}
    (``ipaddresses``: the storage router's IP; the real one lists the node's addresses)."""
    router = model.get(config_store, "storagerouter", router_guid)
    return {"partitions": partition_info(config_store, router), "ipaddresses": [router["ip"]],
            "scrub_available": scrub_present(config_store)}


def roles_in_use(config_store, router, partition, roles):
    """Those of ``roles`` that ``partition_info`` reports in use on ``partition``."""
    info = partition_info(config_store, router)
    return sorted(role for role in roles
                  if any(entry["in_use"] and entry["guid"] == partition["guid"]
                         for entry in info.get(role, [])))


def configure_disk(config_store, router_guid, disk_guid, partition_guid, offset, size, roles):
    """StorageRouterController.configure_disk (texts of the real framework)."""
    router = model.get(config_store, "storagerouter", router_guid)
    for role in roles:
        if role not in ROLES or role == "BACKEND":
            raise RuntimeError(f"Invalid role specified: {role}")
    disk = model.get(config_store, "disk", disk_guid)
    if disk is None:
        raise RuntimeError(f"Disk with guid {disk_guid} could not be found")
    if disk.get("storagerouter_guid") != router_guid:
        raise RuntimeError("The given Disk is not on the given StorageRouter")
    partitions = [model.get(config_store, "diskpartition", g) or {}
                  for g in disk.get("partitions_guids", [])]
    if any("BACKEND" in p.get("roles", []) for p in partitions):
        raise RuntimeError("The given Disk is in use by a Backend")
    if {"DB", "DTL"} & set(roles):
        # DB and DTL: one partition per storage router (the real check compares disks only)
        for role in ("DB", "DTL"):
            if role not in roles:
                continue
            for holder_guid in partition_config(config_store, router).get(role, []):
                if holder_guid == partition_guid:
                    continue
                holder = model.get(config_store, "diskpartition", holder_guid) or {}
                holder_disk = model.get(config_store, "disk", holder.get("disk_guid")) or {}
                raise RuntimeError(f"Disk {disk['name']} cannot have the {role} role due to "
                                   f"presence on disk {holder_disk.get('name')}")
    machine_id = router["machine_id"]
    if partition_guid is None:
        actions.call(config_store, machine_id, "create_partition", disk_name=disk["name"],
                     offset=offset, size=size)
        disk = model.get(config_store, "disk", disk_guid)
        partition = None
        for guid in disk.get("partitions_guids", []):
            part = model.get(config_store, "diskpartition", guid)
            if part and offset < part["offset"] + part["size"] and offset + size > part["offset"]:
                partition = part
                break
        if partition is None:
            raise RuntimeError(f"No new partition detected on disk {disk['name']} after having "
                               "created 1")
    else:
        partition = model.get(config_store, "diskpartition", partition_guid)
        if partition is None or partition.get("disk_guid") != disk_guid:
            raise RuntimeError("The given DiskPartition is not on the given Disk")
        if partition.get("filesystem") in ("swap", "linux_raid_member", "LVM2_member"):
            raise RuntimeError("It is not allowed to assign roles on partitions of type: "
                               "['swap', 'linux_raid_member', 'LVM2_member']")
        removed = set(partition.get("roles", [])) - set(roles)
        used = roles_in_use(config_store, router, partition, removed)
        if used:
            raise RuntimeError(f"Roles in use cannot be removed. Used roles: {', '.join(used)}")
    if partition.get("filesystem") is None or partition_guid is None:
        actions.call(config_store, machine_id, "make_fs", disk_name=disk["name"],
                     offset=partition["offset"])
        partition = model.get(config_store, "diskpartition", partition["guid"])
    if partition.get("mountpoint") is None:
        actions.call(config_store, machine_id, "mount", disk_name=disk["name"],
                     offset=partition["offset"], is_ssd=disk["is_ssd"])
        partition = model.get(config_store, "diskpartition", partition["guid"])
    partition["roles"] = list(roles)
    model.save(config_store, "diskpartition", partition)
    refresh_partition_config(config_store, router_guid)
