"""The API calls.  Each view is ``fn(ctx, **url_parameters)`` returning a body (200) or
``(status, body)``; it raises ``errors.ApiError`` for error answers.

``ctx`` (see server.Context) carries the request, the model, the task runner, and the
authenticated client / user / roles / API version.
"""
import glob
import json
import logging
import os
import uuid

from .. import disks, paths
from .. import alba
from . import auth, errors
from .listing import Serializer, list_response
from .model import new_guid

LOG = logging.getLogger("ovs_emulator.webapi")
VERSIONS = [6, 7, 8, 9, 10]


# --- helpers ---------------------------------------------------------------------------

def _load(ctx, object_type, guid):
    obj = ctx.model.get(object_type, guid)
    if obj is None:
        raise errors.not_found()
    return obj


def _contents(ctx):
    value = ctx.request.query.get("contents")
    return None if value is None else value.split(",")


def _query(ctx):
    value = ctx.request.param("query")
    if value is None or isinstance(value, dict):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise errors.internal(f"Query is not valid: '{exc}'") from None


def _list(ctx, object_type, objects, default_sort=None, dynamics=None):
    serializer = Serializer(object_type, dynamics)
    return list_response(objects, ctx.request.query, serializer, default_sort=default_sort,
                         query=_query(ctx))


def _object(ctx, object_type, obj, dynamics=None, status=200):
    body = Serializer(object_type, dynamics).serialize(obj, _contents(ctx))
    return (status, body) if status != 200 else body


def _bool(value):
    if value in ("true", "True", True):
        return True
    if value in ("false", "False", False):
        return False
    return value


def release_name():
    """/opt/OpenvStorage/config/release_name, else the release of the OVS apt source."""
    try:
        with open(os.path.join(paths.CONFIG_DIR, "release_name"), encoding="utf-8") as handle:
            name = handle.read().strip()
            if name:
                return name
    except OSError:
        pass
    candidates = []
    for path in sorted(glob.glob(paths.real("/etc/apt/sources.list.d/*.list"))):
        try:
            with open(path, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        preferred = "ovs" in os.path.basename(path) or "openvstorage" in os.path.basename(path)
        for line in lines:
            fields = line.split()
            if len(fields) >= 3 and fields[0] == "deb":
                fields = [f for f in fields if not f.startswith("[")]
                if len(fields) >= 3:
                    candidates.append((not (preferred or "openvstorage" in line), fields[2]))
    if candidates:
        return sorted(candidates, key=lambda c: c[0])[0][1].replace("-", " ").title()
    return ""


def _plugins_installed(store):
    installed = store.get("/ovs/framework/plugins/installed")
    if not isinstance(installed, dict):
        installed = {"backends": ["alba"], "generic": []}
    return installed


def ensure_backend_types(model):
    """The ALBA plugin's DAL migration: a backend type ALBA / alba exists."""
    types = model.all("backendtype")
    if not any(t.get("code") == "alba" for t in types):
        cluster_id = model.store.get("/ovs/framework/cluster_id") or ""
        guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"ovs://{cluster_id}/backendtype/alba"))
        obj = {"guid": guid, "name": "ALBA", "code": "alba"}
        model.store.set_if_absent(model.key("backendtype", guid), obj)
        types = model.all("backendtype")
    return types


def _backendtype_dynamics(model):
    backends = _plugins_installed(model.store).get("backends") or []
    return {"has_plugin": lambda obj: obj.get("code") in backends}


def _storagerouters(model):
    return sorted(model.all("storagerouter"), key=lambda sr: str(sr.get("name", "")))


# --- metadata and OAuth 2 ----------------------------------------------------------------

def metadata(ctx):
    """``GET /api/`` (no authentication; 60 calls a minute per client IP)."""
    auth.rate_limit(ctx.store, "metadata", ctx.request.client_ip, 60, 60, 60)
    data = {"release": {"name": ""}, "authenticated": False,
            "authentication_state": None, "authentication_metadata": {}, "username": None,
            "userguid": None, "roles": [], "identification": {}, "storagerouter_ips": [],
            "versions": list(VERSIONS), "plugins": {}}
    try:
        _fill_metadata(ctx, data)
    except Exception:  # the real view never fails: it reports the state
        LOG.exception("Unexpected exception while gathering the metadata")
        data["authentication_state"] = "unexpected_exception"
    return data


def _fill_metadata(ctx, data):
    model = ctx.model
    routers = _storagerouters(model)
    data["storagerouter_ips"] = [sr.get("ip") for sr in routers]
    data["release"]["name"] = release_name()
    plugins = {}
    has_plugin = _backendtype_dynamics(model)["has_plugin"]
    for backend_type in ensure_backend_types(model):
        if has_plugin(backend_type):
            plugins.setdefault(backend_type["code"], []).extend(["backend", "gui"])
    for name in _plugins_installed(model.store).get("generic") or []:
        if "gui" not in plugins.setdefault(name, []):
            plugins[name].append("gui")
    data["plugins"] = plugins
    data["identification"] = {"cluster_id": model.store.get("/ovs/framework/cluster_id")}
    metadata_auth = {}
    machine_id = ctx.machine_id()
    mine = next((sr for sr in routers if sr.get("machine_id") == machine_id), None)
    if mine is not None:
        metadata_auth["ip"] = mine.get("ip")
    oauth2 = model.store.get("/ovs/framework/webapps|oauth2") or {}
    for key in ("mode", "authorize_uri", "client_id", "scope"):
        if key in oauth2:
            metadata_auth[key] = oauth2[key]
    data["authentication_metadata"] = metadata_auth
    header = ctx.request.headers.get("Authorization")
    if not header:
        data["authentication_state"] = "unauthenticated"
        return
    try:
        client, token, user = auth.authenticate(model, header)
    except errors.ApiError as exc:
        data["authentication_state"] = exc.error
        return
    data.update(authenticated=True, authentication_state="authenticated",
                username=user.get("username"), userguid=user["guid"],
                roles=auth.token_roles(model, token, client))


def token(ctx):
    """``POST /api/oauth2/token/``: 5 calls a minute per client IP, then 429 for 60 s."""
    auth.rate_limit(ctx.store, "token", ctx.request.client_ip, 5, 60, 60)
    return auth.token_view(ctx.model, ctx.request.form(),
                           ctx.request.headers.get("Authorization"))


# --- users and clients -------------------------------------------------------------------

def users_list(ctx):
    if "manage" in ctx.roles:
        users = ctx.model.all("user")
    else:
        users = [ctx.user]
    return _list(ctx, "user", users)


def users_get(ctx, guid):
    user = _load(ctx, "user", guid)
    if user["guid"] != ctx.user["guid"] and "manage" not in ctx.roles:
        raise errors.forbidden("no_ownership", "Fetching user information not allowed")
    return _object(ctx, "user", user)


def _client_dynamics():
    return {"client_id": lambda client: client["guid"]}


def clients_list(ctx):
    if "manage" in ctx.roles:
        clients = ctx.model.all("client")
    else:
        ovs_type = ctx.request.param("ovs_type")
        clients = [c for c in ctx.model.find("client", user_guid=ctx.user["guid"])
                   if (c.get("ovs_type") == ovs_type if ovs_type not in (None, "INTERNAL")
                       else c.get("ovs_type") != "INTERNAL")]
    userguid = ctx.request.param("userguid")
    if userguid is not None:
        clients = [c for c in clients if c.get("user_guid") == userguid]
    return _list(ctx, "client", clients, dynamics=_client_dynamics())


def clients_get(ctx, guid):
    client = _load(ctx, "client", guid)
    if client.get("user_guid") != ctx.user["guid"] and "manage" not in ctx.roles:
        raise errors.forbidden("no_ownership", "Fetching client information not allowed")
    return _object(ctx, "client", client, _client_dynamics())


def clients_create(ctx):
    data = ctx.request.data()
    for name in ("ovs_type", "user_guid"):
        if data.get(name) in (None, ""):
            raise errors.missing(name)
    if data["ovs_type"] not in ("USER", "INTERNAL"):
        raise errors.invalid_data("Invalid data passed: ovs_type should be one of USER, INTERNAL")
    user = ctx.model.get("user", data["user_guid"])
    if user is None:
        raise errors.not_found()
    if user["guid"] != ctx.user["guid"] and "manage" not in ctx.roles:
        raise errors.invalid_data("A client must have a user")
    client = {"guid": new_guid(), "name": data.get("name"),
              "ovs_type": data["ovs_type"], "grant_type": "CLIENT_CREDENTIALS",
              "client_secret": auth.create_hash(64), "user_guid": user["guid"],
              "roles": ctx.model.user_roles(user)}
    ctx.model.save("client", client)
    return _object(ctx, "client", client, _client_dynamics(), status=201)


# --- storage routers, backend types, tasks -------------------------------------------------

def _storagerouter_dynamics(model):
    def _domains(backup):
        def compute(router):
            return [j.get("domain_guid") for j in model.find("storagerouterdomain",
                                                                storagerouter_guid=router["guid"])
                    if bool(j.get("backup")) is backup]
        return compute
    return {"partition_config": lambda router: disks.partition_config(model.store, router),
            "regular_domains": _domains(False), "recovery_domains": _domains(True)}


def storagerouters_list(ctx):
    return _list(ctx, "storagerouter", ctx.model.all("storagerouter"), default_sort="name",
                 dynamics=_storagerouter_dynamics(ctx.model))


def storagerouters_get(ctx, guid):
    return _object(ctx, "storagerouter", _load(ctx, "storagerouter", guid),
                   _storagerouter_dynamics(ctx.model))


def _required(ctx, *names):
    """The values of required view parameters (406 ``<name> is missing`` otherwise)."""
    values = []
    for name in names:
        value = ctx.request.param(name)
        if value is None:
            raise errors.missing(name)
        values.append(value)
    return values


def storagerouters_rescan_disks(ctx, guid):
    router = _load(ctx, "storagerouter", guid)
    return ctx.tasks.launch("ovs.disk.sync_with_reality", disks.rescan, ctx.store, router["guid"])


def storagerouters_get_metadata(ctx, guid):
    """``POST /api/storagerouters/<g>/get_metadata/`` -> task: {partitions, ipaddresses,
    scrub_available} (StorageRouterController.get_metadata)."""
    router = _load(ctx, "storagerouter", guid)
    return ctx.tasks.launch("ovs.storagerouter.get_metadata", disks.get_metadata, ctx.store,
                            router["guid"])


def storagerouters_configure_disk(ctx, guid):
    router = _load(ctx, "storagerouter", guid)
    disk_guid, offset, size, roles = _required(ctx, "disk_guid", "offset", "size", "roles")
    partition_guid = ctx.request.param("partition_guid")
    try:
        offset, size = int(offset), int(size)
    except (TypeError, ValueError):
        raise errors.invalid_data("Invalid data passed: offset and size must be integers") from None
    if not isinstance(roles, list):
        roles = [roles]
    return ctx.tasks.launch("ovs.storagerouter.configure_disk", disks.configure_disk, ctx.store,
                            router["guid"], disk_guid, partition_guid, offset, size, roles)


def storagerouters_set_domains(ctx, guid):
    """Regular and recovery domains of a storage router (StorageRouterDomain junctions)."""
    router = _load(ctx, "storagerouter", guid)
    domain_guids, recovery_guids = _required(ctx, "domain_guids", "recovery_domain_guids")
    domain_guids, recovery_guids = list(domain_guids), list(recovery_guids)
    for domain_guid in domain_guids + recovery_guids:
        _load(ctx, "domain", domain_guid)
    junctions = ctx.model.find("storagerouterdomain", storagerouter_guid=router["guid"])
    for junction in junctions:
        wanted = recovery_guids if junction.get("backup") else domain_guids
        if junction.get("domain_guid") in wanted:
            wanted.remove(junction["domain_guid"])
        else:
            ctx.model.delete("storagerouterdomain", junction["guid"])
    for domain_guid in domain_guids + recovery_guids:
        ctx.model.save("storagerouterdomain", {"guid": new_guid(), "domain_guid": domain_guid,
                                               "storagerouter_guid": router["guid"],
                                               "backup": domain_guid in recovery_guids})
    router = ctx.model.get("storagerouter", router["guid"])
    router["domains_guids"] = [j["guid"] for j in ctx.model.find(
        "storagerouterdomain", storagerouter_guid=router["guid"])]
    ctx.model.save("storagerouter", router)
    return None


# --- disks, partitions, domains ------------------------------------------------------------

def disks_list(ctx):
    router_guid = ctx.request.param("storagerouterguid")
    if router_guid is not None:
        _load(ctx, "storagerouter", router_guid)
        return _list(ctx, "disk", ctx.model.find("disk", storagerouter_guid=router_guid))
    return _list(ctx, "disk", ctx.model.all("disk"))


def disks_get(ctx, guid):
    return _object(ctx, "disk", _load(ctx, "disk", guid))


def _partition_dynamics(ctx):
    return {"folder": disks.folder, "usage": lambda partition: disks.partition_usage(ctx.store, partition)}


def diskpartitions_list(ctx):
    disk_guid = ctx.request.param("diskguid")
    if disk_guid is not None:
        _load(ctx, "disk", disk_guid)
        partitions = ctx.model.find("diskpartition", disk_guid=disk_guid)
    else:
        partitions = ctx.model.all("diskpartition")
    return _list(ctx, "diskpartition", partitions, dynamics=_partition_dynamics(ctx))


def diskpartitions_get(ctx, guid):
    return _object(ctx, "diskpartition", _load(ctx, "diskpartition", guid), _partition_dynamics(ctx))


def _domain_dynamics(model):
    def layout(domain):
        junctions = model.find("storagerouterdomain", domain_guid=domain["guid"])
        return {"regular": [j["storagerouter_guid"] for j in junctions if not j.get("backup")],
                "recovery": [j["storagerouter_guid"] for j in junctions if j.get("backup")]}

    def relation(kind):
        return lambda domain: [j["guid"] for j in model.find(kind, domain_guid=domain["guid"])]
    return {"storage_router_layout": layout, "storagerouters_guids": relation("storagerouterdomain"),
            "backends_guids": relation("backenddomain")}


def domains_list(ctx):
    return _list(ctx, "domain", ctx.model.all("domain"), dynamics=_domain_dynamics(ctx.model))


def domains_get(ctx, guid):
    return _object(ctx, "domain", _load(ctx, "domain", guid), _domain_dynamics(ctx.model))


def domains_create(ctx):
    (name,) = _required(ctx, "name")
    if ctx.model.find("domain", name=name):
        raise errors.duplicate("A Domain with the given name already exists")
    domain = ctx.model.save("domain", {"guid": new_guid(), "name": name})
    return _object(ctx, "domain", domain, _domain_dynamics(ctx.model), status=201)


def domains_delete(ctx, guid):
    """DomainViewSet.destroy: refused while a storage router or a backend has the domain."""
    domain = _load(ctx, "domain", guid)
    if ctx.model.find("storagerouterdomain", domain_guid=guid) or ctx.model.find("backenddomain", domain_guid=guid):
        raise errors.not_acceptable("in_use", "The given Domain is still in use")
    ctx.model.delete("domain", domain["guid"])
    return None


def backendtypes_list(ctx):
    return _list(ctx, "backendtype", ensure_backend_types(ctx.model),
                 dynamics=_backendtype_dynamics(ctx.model))


def backendtypes_get(ctx, guid):
    ensure_backend_types(ctx.model)
    return _object(ctx, "backendtype", _load(ctx, "backendtype", guid),
                   _backendtype_dynamics(ctx.model))


def tasks_get(ctx, task_id):
    return ctx.tasks.status(task_id)


# --- backends and ALBA backends -------------------------------------------------------------

def backends_list(ctx):
    return _list(ctx, "backend", ctx.model.all("backend"), dynamics=alba.backend_dynamics(ctx.model))


def backends_get(ctx, guid):
    return _object(ctx, "backend", _load(ctx, "backend", guid), alba.backend_dynamics(ctx.model))


def backends_create(ctx):
    name, backend_type_guid = _required(ctx, "name", "backend_type_guid")
    ensure_backend_types(ctx.model)
    _load(ctx, "backendtype", backend_type_guid)
    if ctx.model.find("backend", name=name):
        raise errors.duplicate("Backend with this name already exists")
    backend = ctx.model.save("backend", {"guid": new_guid(), "name": name, "status": "INSTALLING",
                                         "backend_type_guid": backend_type_guid})
    return _object(ctx, "backend", backend, alba.backend_dynamics(ctx.model), status=201)


# --- the routing table ---------------------------------------------------------------------
# (method, path pattern, view, roles); roles None = public (no version header, no token)

ROUTES = [
    ("GET", "/api/", metadata, None),
    ("POST", "/api/oauth2/token/", token, None),
    ("GET", "/api/users/", users_list, ["read"]),
    ("GET", "/api/users/<guid>/", users_get, ["read"]),
    ("GET", "/api/clients/", clients_list, ["read"]),
    ("POST", "/api/clients/", clients_create, ["read", "write"]),
    ("GET", "/api/clients/<guid>/", clients_get, ["read"]),
    ("GET", "/api/storagerouters/", storagerouters_list, ["read", "manage"]),
    ("GET", "/api/storagerouters/<guid>/", storagerouters_get, ["read", "manage"]),
    ("POST", "/api/storagerouters/<guid>/rescan_disks/", storagerouters_rescan_disks,
     ["read", "write", "manage"]),
    ("POST", "/api/storagerouters/<guid>/get_metadata/", storagerouters_get_metadata, ["read"]),
    ("POST", "/api/storagerouters/<guid>/configure_disk/", storagerouters_configure_disk,
     ["read", "write", "manage"]),
    ("POST", "/api/storagerouters/<guid>/set_domains/", storagerouters_set_domains,
     ["read", "write", "manage"]),
    ("GET", "/api/disks/", disks_list, ["read"]),
    ("GET", "/api/disks/<guid>/", disks_get, ["read"]),
    ("GET", "/api/diskpartitions/", diskpartitions_list, ["read"]),
    ("GET", "/api/diskpartitions/<guid>/", diskpartitions_get, ["read"]),
    ("GET", "/api/domains/", domains_list, ["read"]),
    ("POST", "/api/domains/", domains_create, ["read", "write", "manage"]),
    ("GET", "/api/domains/<guid>/", domains_get, ["read"]),
    ("DELETE", "/api/domains/<guid>/", domains_delete, ["read", "write", "manage"]),
    ("GET", "/api/backendtypes/", backendtypes_list, ["read"]),
    ("GET", "/api/backendtypes/<guid>/", backendtypes_get, ["read"]),
    ("GET", "/api/tasks/<task_id>/", tasks_get, ["read"]),
    ("GET", "/api/backends/", backends_list, ["read"]),
    ("POST", "/api/backends/", backends_create, ["read", "write", "manage"]),
    ("GET", "/api/backends/<guid>/", backends_get, ["read"]),
]
