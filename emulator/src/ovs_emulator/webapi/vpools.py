"""API views of vPools, storagedrivers and vDisks (framework: webapps/api/backend/views/
storagerouters.py add_vpool, vpools.py, storagedrivers.py, vdisks.py).  The work runs in tasks
(``ovs_emulator.vpools``, ``ovs_emulator.vdisks``); served with the others (``server.ROUTES``)."""
import copy
import time

from .. import vdisks, vpools
from . import auth, errors
from .model import new_guid
from .views import _list, _load, _object, _required

WRITE = ["read", "write", "manage"]


# --- vPools --------------------------------------------------------------------------------

def _internal_client(ctx):
    """The requesting user's INTERNAL client_credentials client (made when missing)."""
    for client in ctx.model.find("client", user_guid=ctx.user["guid"]):
        if client.get("ovs_type") == "INTERNAL" and client.get("grant_type") == "CLIENT_CREDENTIALS":
            return client
    return ctx.model.save("client", {"guid": new_guid(), "name": "ovs-internal-vpool",
                                     "ovs_type": "INTERNAL", "grant_type": "CLIENT_CREDENTIALS",
                                     "client_secret": auth.create_hash(64),
                                     "user_guid": ctx.user["guid"],
                                     "roles": ctx.model.user_roles(ctx.user)})


def storagerouters_add_vpool(ctx, guid):
    """``POST /api/storagerouters/<g>/add_vpool/`` {call_parameters} -> task."""
    router = _load(ctx, "storagerouter", guid)
    (call_parameters,) = _required(ctx, "call_parameters")
    if not isinstance(call_parameters, dict):
        raise errors.invalid_data("Invalid call_parameters passed")
    parameters = copy.deepcopy(call_parameters)
    if "backend_connection_info" in parameters:
        raise errors.invalid_data('Invalid data passed: "backend_connection_info" is deprecated')
    if any(key not in parameters for key in ("backend_info", "connection_info", "config_params")):
        raise errors.invalid_data("Invalid call_parameters passed")
    if "backend_info_aa" in parameters:
        parameters["backend_info_fc"] = parameters.pop("backend_info_aa")
    if "connection_info_aa" in parameters:
        parameters["connection_info_fc"] = parameters.pop("connection_info_aa")
    local = ctx.model.find_one("storagerouter", machine_id=ctx.machine_id()) or router
    for key in ("connection_info", "connection_info_fc", "connection_info_bc"):
        info = parameters.get(key)
        if key != "connection_info" and info is None:
            continue
        if not isinstance(info, dict):
            raise errors.invalid_data("Invalid call_parameters passed")
        if info.get("host", "") in ("", None):
            client = _internal_client(ctx)
            info.update(client_id=client["guid"], client_secret=client["client_secret"],
                        host=local["ip"], port=443, local=True)
    parameters["storagerouter_ip"] = router["ip"]
    return ctx.tasks.launch("ovs.storagerouter.add_vpool", vpools.add_vpool, ctx.model, parameters)


def _vpool_dynamics(model):
    return {"vdisks_guids": lambda vp: [v["guid"] for v in model.find("vdisk", vpool_guid=vp["guid"])],
            "storagedrivers_guids": lambda vp: [sd["guid"] for sd in
                                                model.find("storagedriver", vpool_guid=vp["guid"])]}


def vpools_list(ctx):
    return _list(ctx, "vpool", ctx.model.all("vpool"), default_sort="name",
                 dynamics=_vpool_dynamics(ctx.model))


def vpools_get(ctx, guid):
    return _object(ctx, "vpool", _load(ctx, "vpool", guid), _vpool_dynamics(ctx.model))


def vpools_shrink(ctx, guid):
    """``POST /api/vpools/<g>/shrink_vpool/`` {storagerouter_guid} -> task."""
    vpool = _load(ctx, "vpool", guid)
    (router_guid,) = _required(ctx, "storagerouter_guid")
    router = _load(ctx, "storagerouter", router_guid)
    found = ctx.model.find_one("storagedriver", vpool_guid=vpool["guid"],
                               storagerouter_guid=router["guid"])
    if found is None:
        raise errors.impossible(f"Storage Router {router['name']} is not a member of vPool "
                                f"{vpool['name']}")
    return ctx.tasks.launch("ovs.storagerouter.remove_storagedriver", vpools.remove_storagedriver,
                            ctx.model, found["guid"])


# --- storagedrivers --------------------------------------------------------------------------

def _storagedriver_dynamics(model):
    return {"vdisks_guids": lambda sd: [v["guid"] for v in
                                        model.find("vdisk", storagedriver_guid=sd["guid"])]}


def storagedrivers_list(ctx):
    vpool_guid = ctx.request.param("vpool_guid")
    if vpool_guid is not None:
        found = ctx.model.find("storagedriver", vpool_guid=vpool_guid)
    else:
        found = ctx.model.all("storagedriver")
    return _list(ctx, "storagedriver", found, default_sort="name",
                 dynamics=_storagedriver_dynamics(ctx.model))


def storagedrivers_get(ctx, guid):
    return _object(ctx, "storagedriver", _load(ctx, "storagedriver", guid),
                   _storagedriver_dynamics(ctx.model))


# --- vDisks --------------------------------------------------------------------------------

def _vdisk_dynamics(model):
    return {"dtl_status": lambda vd: vdisks.dtl_status(model, vd),
            "child_vdisks_guids": lambda vd: [v["guid"] for v in
                                              model.find("vdisk", parent_vdisk_guid=vd["guid"])],
            "snapshot_ids": lambda vd: [s["guid"] for s in vd.get("snapshots", [])]}


def vdisks_list(ctx):
    vpool_guid = ctx.request.param("vpoolguid")
    router_guid = ctx.request.param("storagerouterguid")
    if vpool_guid is not None:
        _load(ctx, "vpool", vpool_guid)
        found = ctx.model.find("vdisk", vpool_guid=vpool_guid)
    elif router_guid is not None:
        _load(ctx, "storagerouter", router_guid)
        found = ctx.model.find("vdisk", storagerouter_guid=router_guid)
    else:
        found = ctx.model.all("vdisk")
    return _list(ctx, "vdisk", found, default_sort="name", dynamics=_vdisk_dynamics(ctx.model))


def vdisks_get(ctx, guid):
    return _object(ctx, "vdisk", _load(ctx, "vdisk", guid), _vdisk_dynamics(ctx.model))


def vdisks_create(ctx):
    """``POST /api/vdisks/`` {name, size, vpool_guid, storagerouter_guid} -> task (vDisk guid)."""
    name, size, vpool_guid, router_guid = _required(ctx, "name", "size", "vpool_guid",
                                                    "storagerouter_guid")
    router = _load(ctx, "storagerouter", router_guid)
    for storagedriver in ctx.model.find("storagedriver", storagerouter_guid=router["guid"]):
        if storagedriver.get("vpool_guid") == vpool_guid:
            try:
                size = int(size)
            except (TypeError, ValueError):
                raise errors.invalid_data("Invalid data passed: size must be an integer") from None
            return ctx.tasks.launch("ovs.vdisk.create_new", vdisks.create_new, ctx.model, name,
                                    size, storagedriver["guid"])
    raise errors.impossible(f"No storagedriver found for vPool: {vpool_guid} and StorageRouter: "
                            f"{router_guid}")


def vdisks_create_snapshot(ctx, guid):
    vdisk = _load(ctx, "vdisk", guid)
    (name,) = _required(ctx, "name")
    metadata = {"label": name, "timestamp": str(int(time.time())),
                "is_consistent": bool(ctx.request.param("consistent", False)),
                "is_sticky": bool(ctx.request.param("sticky", False)),
                "is_automatic": bool(ctx.request.param("automatic", False))}
    return ctx.tasks.launch("ovs.vdisk.create_snapshot", vdisks.create_snapshot, ctx.model,
                            vdisk["guid"], metadata)


def vdisks_remove_snapshot(ctx, guid):
    vdisk = _load(ctx, "vdisk", guid)
    (snapshot_id,) = _required(ctx, "snapshot_id")
    return ctx.tasks.launch("ovs.vdisk.delete_snapshot", vdisks.delete_snapshot, ctx.model,
                            vdisk["guid"], snapshot_id)


def vdisks_clone(ctx, guid):
    vdisk = _load(ctx, "vdisk", guid)
    name, router_guid = _required(ctx, "name", "storagerouter_guid")
    return ctx.tasks.launch("ovs.vdisk.clone", vdisks.clone, ctx.model, vdisk["guid"], name,
                            ctx.request.param("snapshot_id"), router_guid)


def vdisks_extend(ctx, guid):
    vdisk = _load(ctx, "vdisk", guid)
    (new_size,) = _required(ctx, "new_size")
    try:
        new_size = int(new_size)
    except (TypeError, ValueError):
        raise errors.invalid_data("Invalid data passed: new_size must be an integer") from None
    return ctx.tasks.launch("ovs.vdisk.extend", vdisks.extend, ctx.model, vdisk["guid"], new_size)


def vdisks_move(ctx, guid):
    """``POST /api/vdisks/<guid>/move/`` {target_storagerouter_guid, force} -> task ovs.vdisk.move."""
    vdisk = _load(ctx, "vdisk", guid)
    (target,) = _required(ctx, "target_storagerouter_guid")
    return ctx.tasks.launch("ovs.vdisk.move", vdisks.move, ctx.model, vdisk["guid"], target,
                            bool(ctx.request.param("force", False)))


def vdisks_delete(ctx, guid):
    vdisk = _load(ctx, "vdisk", guid)
    if ctx.model.find("vdisk", parent_vdisk_guid=vdisk["guid"]):
        raise errors.impossible("vDisk has clones")
    return ctx.tasks.launch("ovs.vdisk.delete", vdisks.delete, ctx.model, vdisk["guid"])


ROUTES = [
    ("POST", "/api/storagerouters/<guid>/add_vpool/", storagerouters_add_vpool, WRITE),
    ("GET", "/api/vpools/", vpools_list, ["read"]),
    ("GET", "/api/vpools/<guid>/", vpools_get, ["read"]),
    ("POST", "/api/vpools/<guid>/shrink_vpool/", vpools_shrink, WRITE),
    ("GET", "/api/storagedrivers/", storagedrivers_list, ["read"]),
    ("GET", "/api/storagedrivers/<guid>/", storagedrivers_get, ["read"]),
    ("GET", "/api/vdisks/", vdisks_list, ["read"]),
    ("POST", "/api/vdisks/", vdisks_create, ["read", "write"]),
    ("GET", "/api/vdisks/<guid>/", vdisks_get, ["read"]),
    ("POST", "/api/vdisks/<guid>/create_snapshot/", vdisks_create_snapshot, ["read", "write"]),
    ("POST", "/api/vdisks/<guid>/remove_snapshot/", vdisks_remove_snapshot, ["read", "write"]),
    ("POST", "/api/vdisks/<guid>/clone/", vdisks_clone, ["read", "write"]),
    ("POST", "/api/vdisks/<guid>/extend/", vdisks_extend, ["read", "write"]),
    ("POST", "/api/vdisks/<guid>/move/", vdisks_move, ["read", "write", "manage"]),
    ("POST", "/api/vdisks/<guid>/delete/", vdisks_delete, ["read", "write"]),
    ("DELETE", "/api/vdisks/<guid>/", vdisks_delete, ["read", "write"]),
]
