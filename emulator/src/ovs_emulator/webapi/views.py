"""The API calls.  Each view is ``fn(ctx, **url_parameters)`` returning a body (200) or
``(status, body)``; it raises ``errors.ApiError`` for error answers.

``ctx`` (see server.Context) carries the request, the model, the task runner, and the
authenticated client / user / roles / API version.
"""
import glob
import json
import logging
import os
import re
import uuid

from .. import paths
from . import alba, auth, errors
from .listing import Serializer, list_response
from .model import new_guid

LOG = logging.getLogger("ovs_emulator.webapi")
VERSIONS = [6, 7, 8, 9, 10]
PRESET_NAME = re.compile(r"^[0-9a-zA-Z][a-zA-Z0-9-_]{1,18}[a-zA-Z0-9]$")


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

def storagerouters_list(ctx):
    return _list(ctx, "storagerouter", ctx.model.all("storagerouter"), default_sort="name")


def storagerouters_get(ctx, guid):
    return _object(ctx, "storagerouter", _load(ctx, "storagerouter", guid))


def backendtypes_list(ctx):
    return _list(ctx, "backendtype", ensure_backend_types(ctx.model),
                 dynamics=_backendtype_dynamics(ctx.model))


def backendtypes_get(ctx, guid):
    ensure_backend_types(ctx.model)
    return _object(ctx, "backendtype", _load(ctx, "backendtype", guid),
                   _backendtype_dynamics(ctx.model))


def tasks_get(ctx, task_id):
    return ctx.tasks.status(task_id)


# --- ALBA nodes ----------------------------------------------------------------------------

def albanodes_list(ctx):
    discover = _bool(ctx.request.param("discover", False))
    ip = ctx.request.param("ip")
    node_id = ctx.request.param("node_id")
    if discover is not True and (ip is not None or node_id is not None):
        raise errors.invalid_data("Discover is mutually exclusive with IP and nodeID")
    if (ip is None) != (node_id is None):
        raise errors.invalid_data("Both IP and nodeID need to be specified")
    dynamics = alba.dynamics(ctx.model)
    if discover is not True:
        return _list(ctx, "albanode", ctx.model.all("albanode"), dynamics=dynamics)
    if ip is not None:
        node = alba.volatile_node(ctx.model, node_id, ip)
        try:
            data = alba.client_for(node).get_metadata()
        except alba.InvalidCredentials:
            raise errors.invalid_data("Invalid credentials") from None
        except alba.ManagerUnreachable as exc:
            raise errors.internal(str(exc)) from None
        if data.get("node_id") != node_id:
            raise errors.invalid_data(
                f"Unexpected node identifier. {data.get('node_id')} vs {node_id}")
        nodes = [node]
    else:
        nodes = alba.discover_nodes(ctx.model)
    return _list(ctx, "albanode", nodes, dynamics=dynamics)


def albanodes_get(ctx, guid):
    return _object(ctx, "albanode", _load(ctx, "albanode", guid), alba.dynamics(ctx.model))


def albanodes_create(ctx):
    node_id = ctx.request.param("node_id")
    node_type = ctx.request.param("node_type")
    name = ctx.request.param("name")
    if ctx.version >= 9 and name is not None and not PRESET_NAME.match(str(name)):
        raise errors.invalid_data("Invalid name specified. Minimum 3, maximum 20 alpha-numeric "
                                  "characters, dashes and underscores")
    if node_id is None and node_type != "GENERIC":
        raise errors.invalid_data("Field node_id is mandatory for node_type != GENERIC")
    if node_type not in ("ASD", None):
        raise errors.invalid_data(f"Node type {node_type} is not supported by this emulator")
    return ctx.tasks.launch("albanode.register", alba.register, ctx.model, node_id,
                            node_type or "ASD", name)


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
    ("GET", "/api/backendtypes/", backendtypes_list, ["read"]),
    ("GET", "/api/backendtypes/<guid>/", backendtypes_get, ["read"]),
    ("GET", "/api/tasks/<task_id>/", tasks_get, ["read"]),
    ("GET", "/api/alba/nodes/", albanodes_list, ["read"]),
    ("POST", "/api/alba/nodes/", albanodes_create, ["read", "write", "manage"]),
    ("GET", "/api/alba/nodes/<guid>/", albanodes_get, ["read"]),
]
