"""The emulated framework REST API (ovs_emulator.webapi), served in-process over HTTPS."""
import base64
import http.client
import json
import os
import ssl
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from ovs_emulator import asdapi, paths  # noqa: E402
from ovs_emulator.store import MemoryStore  # noqa: E402
from ovs_emulator.webapi import auth, make_server  # noqa: E402
from ovs_emulator.webapi.model import sha256  # noqa: E402

CLUSTER_ID = "Cl9sTeRiD0123456"
VERSION = "application/json; version=10"
ROUTERS = [("ctl02", "172.30.250.12", "MACHINE000000002"),
           ("ctl01", "172.30.250.11", "MACHINE000000001"),
           ("cmp01", "172.30.250.21", "MACHINE000000021")]
ERROR_KEYS = {"error", "error_description"}


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("OVS_EMULATOR_ROOT", str(tmp_path))
    os.makedirs(os.path.dirname(paths.OVS_ID))
    Path(paths.OVS_ID).write_text("MACHINE000000001\n")
    os.makedirs(paths.real("/etc/apt/sources.list.d"))
    Path(paths.real("/etc/apt/sources.list.d/ovsaptrepo.list")).write_text(
        "deb http://172.30.250.10/debian fargo main\n")
    return tmp_path


def seed(store):
    """What a first master setup leaves in the model (docs/design.md)."""
    store.set("/ovs/framework/cluster_id", CLUSTER_ID)
    store.set("/ovs/framework/webapps", {"html_endpoint": "/", "oauth2": {"mode": "local"}})
    store.set("/ovsdb/group/g-admin", {"guid": "g-admin", "name": "administrators",
                                       "role_codes": ["ro", "rw", "manage"]})
    store.set("/ovsdb/group/g-view", {"guid": "g-view", "name": "viewers", "role_codes": ["ro"]})
    store.set("/ovsdb/user/u-admin", {"guid": "u-admin", "username": "admin",
                                      "password": sha256("admin"), "is_active": True,
                                      "group_guid": "g-admin"})
    store.set("/ovsdb/user/u-view", {"guid": "u-view", "username": "viewer",
                                     "password": sha256("viewer"), "is_active": True,
                                     "group_guid": "g-view"})
    store.set("/ovsdb/user/u-off", {"guid": "u-off", "username": "off",
                                    "password": sha256("off"), "is_active": False,
                                    "group_guid": "g-admin"})
    for user in ("admin", "view", "off"):
        store.set(f"/ovsdb/client/c-{user}", {"guid": f"c-{user}", "name": "ovs-internal",
                                              "ovs_type": "INTERNAL", "grant_type": "PASSWORD",
                                              "client_secret": "s" * 128,
                                              "user_guid": f"u-{user}"})
    for index, (name, ip, machine_id) in enumerate(ROUTERS):
        guid = f"sr-{index}"
        store.set(f"/ovsdb/storagerouter/{guid}", {
            "guid": guid, "name": name, "ip": ip, "machine_id": machine_id,
            "node_type": "EXTRA" if name.startswith("cmp") else "MASTER",
            "rdma_capable": False, "status": "OK",
            "partition_config": {r: [] for r in ("BACKEND", "DB", "DTL", "SCRUB", "WRITE")},
            "disks_guids": [f"disk-{index}"], "storagedrivers_guids": [], "vpools_guids": [],
            "ipmi_password": "secret"})
    return store


@pytest.fixture
def store():
    return seed(MemoryStore())


class Api:
    def __init__(self, server, store):
        self.server = server
        self.store = store
        self.port = server.server_address[1]
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE
        self._token = None

    def raw(self, method, path, body=None, headers=None):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context,
                                                 timeout=10)
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        data = answer.read()
        connection.close()
        return answer.status, dict(answer.getheaders()), json.loads(data) if data else None

    def call(self, method, path, data=None, token=True, accept=VERSION, headers=None):
        headers = dict(headers or {})
        if accept is not None:
            headers["Accept"] = accept
        if token is True:
            token = self.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = None
        if data is not None:
            body = json.dumps(data)
            headers["Content-Type"] = "application/json"
        status, _, payload = self.raw(method, path, body, headers)
        return status, payload

    def token_call(self, form, headers=None, reset=True):
        if reset:  # tests make more than 5 token calls: start every one with a clean limit
            self.store.delete(auth.RATELIMIT_ROOT, recursive=True)
        headers = dict(headers or {})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, _, payload = self.raw("POST", "/api/oauth2/token/", urlencode(form), headers)
        return status, payload

    def token(self, username="admin", password="admin"):
        if username == "admin" and self._token:
            return self._token
        status, payload = self.token_call({"grant_type": "password", "username": username,
                                           "password": password})
        assert status == 200, payload
        if username == "admin":
            self._token = payload["access_token"]
        return payload["access_token"]

    def wait_task(self, task_id, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, task = self.call("GET", f"/api/tasks/{task_id}/")
            assert status == 200
            if task["ready"]:
                return task
            time.sleep(0.05)
        raise AssertionError(f"task {task_id} not ready")


def _serve(store, certificate):
    server = make_server(store, "127.0.0.1", 0, *certificate)
    server.start()
    return server


@pytest.fixture
def api(store, root, certificate):
    server = _serve(store, certificate)
    yield Api(server, store)
    server.shutdown()
    server.server_close()


def assert_error(status, payload, expected_status, error, description=None):
    assert status == expected_status, payload
    assert set(payload) == ERROR_KEYS, payload
    assert payload["error"] == error
    if description is not None:
        assert payload["error_description"] == description


# --- GET /api/ ---------------------------------------------------------------------------

def test_metadata_without_authentication(api):
    status, data = api.call("GET", "/api/", token=None, accept=None)
    assert status == 200
    assert data["release"] == {"name": "Fargo"}
    assert data["authenticated"] is False
    assert data["authentication_state"] == "unauthenticated"
    assert data["identification"] == {"cluster_id": CLUSTER_ID}
    assert data["storagerouter_ips"] == ["172.30.250.21", "172.30.250.11", "172.30.250.12"]
    assert data["versions"] == [6, 7, 8, 9, 10]
    assert data["plugins"] == {"alba": ["backend", "gui"]}
    assert data["authentication_metadata"] == {"ip": "172.30.250.11", "mode": "local"}


def test_metadata_release_name_file_wins(api):
    Path(paths.CONFIG_DIR).mkdir(parents=True)
    Path(paths.CONFIG_DIR, "release_name").write_text("Unstable\n")
    assert api.call("GET", "/api/", token=None)[1]["release"]["name"] == "Unstable"


def test_metadata_with_token(api):
    status, data = api.call("GET", "/api/")
    assert status == 200
    assert data["authenticated"] is True
    assert data["username"] == "admin" and data["userguid"] == "u-admin"
    assert sorted(data["roles"]) == ["manage", "read", "write"]
    assert api.call("GET", "/api/", token="nope")[1]["authentication_state"] == "invalid_token"


# --- OAuth 2 tokens --------------------------------------------------------------------------

def test_password_grant(api, store):
    status, data = api.token_call({"grant_type": "password", "username": "admin",
                                   "password": "admin"})
    assert status == 200
    assert set(data) == {"access_token", "token_type", "expires_in"}
    assert data["token_type"] == "bearer" and data["expires_in"] == 43200
    assert len(data["access_token"]) == 64
    tokens = [store.get(f"/ovsdb/bearertoken/{g}") for g in store.list("/ovsdb/bearertoken")]
    assert [t["client_guid"] for t in tokens] == ["c-admin"]
    assert abs(tokens[0]["expiration"] - (time.time() + 43200)) < 10


@pytest.mark.parametrize("form,error,description", [
    ({}, "invalid_request", "No grant type specified"),
    ({"grant_type": "password", "username": "admin"}, "invalid_request", "Invalid request"),
    ({"grant_type": "password", "username": "admin", "password": "bad"},
     "invalid_client", "Invalid client"),
    ({"grant_type": "password", "username": "nobody", "password": "admin"},
     "invalid_client", "Invalid client"),
    ({"grant_type": "password", "username": "off", "password": "off"},
     "inactive_user", "User is inactive"),
    ({"grant_type": "authorization_code"}, "unsupported_grant_type", "Unsupported grant type"),
    ({"grant_type": "client_credentials"}, "missing_header", "Authorization header missing"),
])
def test_token_errors(api, form, error, description):
    status, data = api.token_call(form)
    assert_error(status, data, 400, error, description)


def _basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_client_credentials_errors(api):
    status, data = api.token_call({"grant_type": "client_credentials"}, _basic("nope", "x"))
    assert_error(status, data, 400, "invalid_client", "Client could not be found")
    status, data = api.token_call({"grant_type": "client_credentials"},
                                  _basic("c-admin", "s" * 128))
    assert_error(status, data, 400, "invalid_grant", "The given grant type is not supported")


def test_api_client_flow(api, store):
    status, client = api.call("POST", "/api/clients/",
                              {"name": "ansible", "ovs_type": "USER", "user_guid": "u-admin"})
    assert status == 201
    assert client["client_id"] == client["guid"]
    assert client["grant_type"] == "CLIENT_CREDENTIALS" and client["ovs_type"] == "USER"
    assert len(client["client_secret"]) == 64
    assert store.get(f"/ovsdb/client/{client['guid']}")["user_guid"] == "u-admin"
    status, data = api.token_call({"grant_type": "client_credentials"},
                                  _basic(client["client_id"], client["client_secret"]))
    assert status == 200 and data["expires_in"] == 3600
    status, routers = api.call("GET", "/api/storagerouters/", token=data["access_token"])
    assert status == 200 and len(routers["data"]) == 3
    status, data = api.token_call({"grant_type": "client_credentials"},
                                  _basic(client["client_id"], "wrong"))
    assert_error(status, data, 400, "invalid_client", "Invalid client")
    # a client without roles: its tokens have none (OAuth2Toolbox.generate_tokens)
    store.set(f"/ovsdb/client/{client['guid']}|roles", [])
    status, data = api.token_call({"grant_type": "client_credentials"},
                                  _basic(client["client_id"], client["client_secret"]))
    assert status == 200
    status, routers = api.call("GET", "/api/storagerouters/", token=data["access_token"])
    assert_error(status, routers, 403, "invalid_roles", "This call requires roles: read, manage")


def test_create_client_errors(api):
    status, data = api.call("POST", "/api/clients/", {"name": "x", "user_guid": "u-admin"})
    assert_error(status, data, 406, "invalid_data", "Invalid data passed: ovs_type is missing")
    status, data = api.call("POST", "/api/clients/", {"name": "x", "ovs_type": "USER"})
    assert_error(status, data, 406, "invalid_data", "Invalid data passed: user_guid is missing")
    status, data = api.call("POST", "/api/clients/",
                            {"name": "x", "ovs_type": "USER", "user_guid": "nope"})
    assert_error(status, data, 404, "object_not_found")


def test_create_client_form_encoded(api):
    status, _, client = api.raw("POST", "/api/clients/",
                                urlencode({"ovs_type": "USER", "user_guid": "u-admin"}),
                                {"Accept": VERSION, "Authorization": f"Bearer {api.token()}",
                                 "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 201 and client["user_guid"] == "u-admin"


def test_token_rate_limit(api):
    form = {"grant_type": "password", "username": "admin", "password": "admin"}
    api.store.delete(auth.RATELIMIT_ROOT, recursive=True)
    for _ in range(5):
        assert api.token_call(form, reset=False)[0] == 200
    status, data = api.token_call(form, reset=False)
    assert_error(status, data, 429, "rate_limit_reached", "Rate limit reached (6 in last 60s)")
    status, data = api.token_call(form, reset=False)
    assert_error(status, data, 429, "rate_limit_timeout")
    assert data["error_description"].startswith("Rate limit timeout (")
    # failed calls count as well
    api.store.delete(auth.RATELIMIT_ROOT, recursive=True)
    for _ in range(5):
        assert api.token_call({}, reset=False)[0] == 400
    assert api.token_call(form, reset=False)[0] == 429


def test_token_rate_limit_holds_across_masters(api, store, certificate):
    other = _serve(store, certificate)
    try:
        second = Api(other, store)
        form = {"grant_type": "password", "username": "admin", "password": "admin"}
        store.delete(auth.RATELIMIT_ROOT, recursive=True)
        for index in range(5):
            assert (api if index % 2 else second).token_call(form, reset=False)[0] == 200
        assert second.token_call(form, reset=False)[0] == 429
        assert api.token_call(form, reset=False)[0] == 429
    finally:
        other.shutdown()
        other.server_close()


def test_rate_limit_window_and_timeout():
    store = MemoryStore()
    for second in range(5):
        auth.rate_limit(store, "token", "10.0.0.1", 5, 60, 60, now=1000 + second)
    auth.rate_limit(store, "token", "10.0.0.2", 5, 60, 60, now=1005)  # per IP
    with pytest.raises(auth.errors.ApiError) as caught:
        auth.rate_limit(store, "token", "10.0.0.1", 5, 60, 60, now=1005)
    assert caught.value.status == 429 and caught.value.error == "rate_limit_reached"
    with pytest.raises(auth.errors.ApiError) as caught:
        auth.rate_limit(store, "token", "10.0.0.1", 5, 60, 60, now=1064)
    assert caught.value.error == "rate_limit_timeout"
    assert caught.value.description == "Rate limit timeout (1.0s remaining)"
    auth.rate_limit(store, "token", "10.0.0.1", 5, 60, 60, now=1066)  # timeout over


# --- version header, authentication, roles ----------------------------------------------------

def test_version_header_missing(api):
    text = ("The version required by the client should be added to the Accept header. "
            "E.g.: 'Accept: application/json; version=1'")
    for accept in (None, "application/json", "application/json;version=10"):
        status, data = api.call("GET", "/api/storagerouters/", accept=accept)
        assert_error(status, data, 406, "missing_header", text)
    # checked before authentication and before the route
    assert api.call("GET", "/api/storagerouters/", accept=None, token=None)[0] == 406
    assert api.call("GET", "/api/nothing/", accept=None, token=None)[0] == 406


@pytest.mark.parametrize("version", ["11", "5", "1"])
def test_version_out_of_range(api, version):
    status, data = api.call("GET", "/api/storagerouters/",
                            accept=f"application/json; version={version}")
    assert_error(status, data, 426, "invalid_version",
                 f"API version requirements: 6 <= <version> <= 10. Got {version}")


@pytest.mark.parametrize("accept", ["application/json; version=6", "application/json; version=*",
                                    "application/json; version=9; charset=utf-8"])
def test_version_accepted(api, accept):
    assert api.call("GET", "/api/storagerouters/", accept=accept)[0] == 200


def test_no_credentials(api):
    status, data = api.call("GET", "/api/storagerouters/", token=None)
    assert_error(status, data, 403, "missing_credentials",
                 "Authentication credentials were not provided.")


def test_invalid_and_expired_tokens(api, store):
    status, data = api.call("GET", "/api/storagerouters/", token="not-a-token")
    assert_error(status, data, 401, "invalid_token", "Invalid token passed")
    status, data = api.call("GET", "/api/storagerouters/",
                            headers={"Authorization": "Basic abc"}, token=None)
    assert_error(status, data, 401, "invalid_authorization_type")
    token = api.token()
    guid = store.list("/ovsdb/bearertoken")[0]
    store.set(f"/ovsdb/bearertoken/{guid}|expiration", int(time.time()) - 1)
    status, data = api.call("GET", "/api/storagerouters/", token=token)
    assert_error(status, data, 401, "token_expired", "The token passed is expired")
    status, data = api.call("GET", "/api/storagerouters/", token=token)
    assert_error(status, data, 401, "invalid_token")  # an expired token is removed


def test_missing_roles(api):
    token = api.token("viewer", "viewer")
    status, data = api.call("GET", "/api/storagerouters/", token=token)
    assert_error(status, data, 403, "invalid_roles", "This call requires roles: read, manage")
    status, data = api.call("GET", "/api/users/", token=token)
    assert status == 200 and data["data"] == ["u-view"]  # only itself without manage


def test_trailing_slash_redirect_and_unknown_paths(api):
    status, headers, body = api.raw("GET", "/api/storagerouters?contents=name",
                                    headers={"Host": "ctl01"})
    assert status == 301 and body is None
    assert headers["Location"] == "https://ctl01/api/storagerouters/?contents=name"
    status, data = api.call("GET", "/api/nothing/")
    assert_error(status, data, 404, "not_found")
    status, data = api.call("DELETE", "/api/storagerouters/")
    assert_error(status, data, 405, "method_not_allowed")


# --- storage routers: list envelope, contents, query -----------------------------------------

def test_storagerouters_list_guids_sorted_by_name(api):
    status, data = api.call("GET", "/api/storagerouters/")
    assert status == 200
    assert data["data"] == ["sr-2", "sr-1", "sr-0"]  # cmp01, ctl01, ctl02
    assert data["_paging"] == {"total_items": 3, "current_page": 1, "max_page": 1,
                               "page_size": 3, "start_number": 1, "end_number": 3}
    assert data["_contents"] is None
    assert data["_sorting"] == ["name"]


def test_storagerouters_contents(api):
    status, data = api.call("GET", "/api/storagerouters/?contents=_dynamics,_relations")
    assert status == 200
    assert [sr["name"] for sr in data["data"]] == ["cmp01", "ctl01", "ctl02"]
    router = data["data"][1]
    assert router["ip"] == "172.30.250.11" and router["machine_id"] == "MACHINE000000001"
    assert router["node_type"] == "MASTER" and router["status"] == "OK"
    assert router["disks_guids"] == ["disk-1"]
    assert set(router["partition_config"]) == {"BACKEND", "DB", "DTL", "SCRUB", "WRITE"}
    assert data["_contents"] == ["_dynamics", "_relations"]
    assert not any("password" in key for sr in data["data"] for key in sr)
    # properties always; relations and dynamics only when asked for
    status, data = api.call("GET", "/api/storagerouters/?contents=name")
    router = data["data"][0]
    assert "ip" in router and "disks_guids" not in router and "status" not in router
    status, data = api.call("GET", "/api/storagerouters/?contents=_relations,-disks_guids")
    assert "disks_guids" not in data["data"][0] and "storagedrivers_guids" in data["data"][0]
    # a relation named as the real serializer names it: ``disks`` for ``disks_guids``
    status, data = api.call("GET", "/api/storagerouters/?contents=name,disks")
    assert data["data"][1]["disks_guids"] == ["disk-1"] and "storagedrivers_guids" not in data["data"][1]
    status, data = api.call("GET", "/api/storagerouters/?contents=_relations,-disks")
    assert "disks_guids" not in data["data"][1] and "storagedrivers_guids" in data["data"][1]


def test_storagerouters_paging_and_sorting(api):
    status, data = api.call("GET", "/api/storagerouters/?page=2&page_size=2&sort=-name")
    assert status == 200
    assert data["data"] == ["sr-2"]
    assert data["_paging"] == {"total_items": 3, "current_page": 2, "max_page": 2,
                               "page_size": 2, "start_number": 3, "end_number": 3}
    assert data["_sorting"] == ["-name"]


def test_storagerouters_query(api):
    query = json.dumps({"type": "AND", "items": [["node_type", "EQUALS", "MASTER"]]})
    status, data = api.call("GET", f"/api/storagerouters/?contents=name&query={quote(query)}")
    assert status == 200
    assert [sr["name"] for sr in data["data"]] == ["ctl01", "ctl02"]
    query = json.dumps({"type": "OR", "items": [["name", "EQUALS", "cmp01"],
                                                {"type": "AND",
                                                 "items": [["ip", "EQUALS", "172.30.250.12"]]}]})
    status, data = api.call("GET", f"/api/storagerouters/?query={quote(query)}")
    assert data["data"] == ["sr-2", "sr-0"] and data["_paging"]["total_items"] == 2
    status, data = api.call("GET", "/api/storagerouters/?query=" + quote("{not json"))
    assert_error(status, data, 500, "internal_server")


def test_storagerouter_single(api):
    status, router = api.call("GET", "/api/storagerouters/sr-1/")
    assert status == 200
    assert router["guid"] == "sr-1" and router["name"] == "ctl01"
    assert router["disks_guids"] == ["disk-1"] and router["status"] == "OK"
    assert "ipmi_password" not in router
    status, data = api.call("GET", "/api/storagerouters/unknown/")
    assert_error(status, data, 404, "object_not_found", "The requested object could not be found")


def test_users_never_show_passwords(api):
    status, data = api.call("GET", "/api/users/?contents=_dynamics,_relations")
    assert status == 200
    assert sorted(u["username"] for u in data["data"]) == ["admin", "off", "viewer"]
    assert not any("password" in key for user in data["data"] for key in user)
    status, user = api.call("GET", "/api/users/u-admin/")
    assert status == 200 and user["username"] == "admin" and "password" not in user


def test_backendtypes(api):
    for _ in range(2):
        status, data = api.call("GET", "/api/backendtypes/?contents=_dynamics")
        assert status == 200
        assert [(b["code"], b["name"], b["has_plugin"]) for b in data["data"]] == [
            ("alba", "ALBA", True)]
    status, single = api.call("GET", f"/api/backendtypes/{data['data'][0]['guid']}/")
    assert status == 200 and single["code"] == "alba"


def test_unknown_task_is_pending(api):
    status, task = api.call("GET", "/api/tasks/0b1c0e9e-0000-4000-8000-000000000000/")
    assert status == 200
    assert task == {"id": "0b1c0e9e-0000-4000-8000-000000000000", "status": "PENDING",
                    "successful": False, "failed": False, "ready": False, "result": None}


def test_internal_error_shape(api, monkeypatch):
    from ovs_emulator.webapi import views

    def broken(ctx):
        raise KeyError("boom")
    monkeypatch.setattr(api.server.app, "routes", [
        (m, r, broken if v is views.storagerouters_list else v, roles)
        for m, r, v, roles in api.server.app.routes])
    status, data = api.call("GET", "/api/storagerouters/")
    assert_error(status, data, 500, "internal_server", "'boom'")


# --- ALBA nodes: discover and register ----------------------------------------------------------

NODE_ID = "AsDnOdE000000001"
ASD_PASSWORD = "a" * 32


@pytest.fixture
def asd_manager(store, root, certificate):
    """An ASD manager (asdapi) with two disks, its node in the configuration store."""
    os.makedirs(os.path.dirname(paths.HARDWARE_JSON))
    Path(paths.HARDWARE_JSON).write_text(json.dumps({"disks": [
        {"name": "sdb", "size": 10 ** 11, "is_ssd": False, "serial": "S1"},
        {"name": "sdc", "size": 10 ** 11, "is_ssd": False, "serial": "S2"}]}))
    server = asdapi.make_server(store, "127.0.0.1", 0, *certificate, node_id=NODE_ID)
    server.start()
    port = server.server_address[1]
    store.set(f"/ovs/alba/asdnodes/{NODE_ID}/config/main",
              {"ip": "127.0.0.1", "port": port, "node_id": NODE_ID, "version": 0,
               "username": "root", "password": ASD_PASSWORD})
    store.set(f"/ovs/alba/asdnodes/{NODE_ID}/config/network", {"ips": ["127.0.0.1"],
                                                              "port": port})
    yield server
    server.shutdown()
    server.server_close()


def test_discover_and_register(api, asd_manager):
    status, data = api.call("GET", "/api/alba/nodes/")
    assert status == 200 and data["data"] == []
    status, data = api.call("GET", "/api/alba/nodes/?discover=true&contents=node_id,_dynamics")
    assert status == 200
    [node] = data["data"]
    assert node["node_id"] == NODE_ID and node["ip"] == "127.0.0.1"
    assert node["port"] == asd_manager.server_address[1] and node["type"] == "ASD"
    assert not any("password" in key for key in node)
    assert len(node["stack"]) == 2
    for slot_id, slot in node["stack"].items():
        assert slot["status"] == "empty" and slot["available"] is True
        assert slot["osds"] == {} and "state" not in slot
        assert slot["aliases"][0].endswith(slot_id)
    assert node["ips"] == ["127.0.0.1"] and node["supported_osd_types"] == ["ASD"]

    status, task_id = api.call("POST", "/api/alba/nodes/", {"node_id": NODE_ID,
                                                            "node_type": "ASD", "name": "str01"})
    assert status == 200 and isinstance(task_id, str)
    task = api.wait_task(task_id)
    assert task["status"] == "SUCCESS" and task["successful"] is True and task["result"] is None

    status, data = api.call("GET", "/api/alba/nodes/?contents=node_id,name,stack")
    [node] = data["data"]
    assert node["node_id"] == NODE_ID and node["name"] == "str01"
    assert len(node["stack"]) == 2 and "password" not in node
    stored = api.store.get(f"/ovsdb/albanode/{node['guid']}")
    assert stored["password"] == ASD_PASSWORD and stored["username"] == "root"
    status, single = api.call("GET", f"/api/alba/nodes/{node['guid']}/")
    assert status == 200 and single["node_id"] == NODE_ID and "password" not in single
    assert single["local_summary"] == {"devices": {"red": [], "green": [], "orange": [],
                                                   "gray": []}}
    # registered nodes are no longer discovered
    status, data = api.call("GET", "/api/alba/nodes/?discover=true")
    assert status == 200 and data["data"] == []


def test_discover_unreachable_node_has_empty_stack(api, asd_manager):
    api.store.set(f"/ovs/alba/asdnodes/{NODE_ID}/config/main|port", 1)
    status, data = api.call("GET", "/api/alba/nodes/?discover=true&contents=stack")
    assert status == 200 and data["data"][0]["stack"] == {}


def test_register_failures(api, asd_manager):
    status, task_id = api.call("POST", "/api/alba/nodes/", {"node_id": "unknown",
                                                            "node_type": "ASD"})
    task = api.wait_task(task_id)
    assert task["status"] == "FAILURE" and task["failed"] is True and task["ready"] is True
    assert task["result"] == "No node with node_id unknown was found"
    asd_manager.app.authorized = lambda header: False  # its password is not the stored one
    status, task_id = api.call("POST", "/api/alba/nodes/", {"node_id": NODE_ID,
                                                            "node_type": "ASD"})
    task = api.wait_task(task_id)
    assert task["status"] == "FAILURE" and task["result"] == "Invalid credentials"
    assert api.store.list("/ovsdb/albanode") == []


def test_register_validation(api):
    status, data = api.call("POST", "/api/alba/nodes/", {"node_type": "ASD"})
    assert_error(status, data, 406, "invalid_data",
                 "Field node_id is mandatory for node_type != GENERIC")
    status, data = api.call("POST", "/api/alba/nodes/", {"node_id": "x", "node_type": "ASD",
                                                         "name": "a b"})
    assert_error(status, data, 406, "invalid_data")
    status, data = api.call("GET", "/api/alba/nodes/?ip=1.2.3.4&node_id=x")
    assert_error(status, data, 406, "invalid_data",
                 "Discover is mutually exclusive with IP and nodeID")
    token = api.token("viewer", "viewer")
    status, data = api.call("POST", "/api/alba/nodes/", {"node_id": "x"}, token=token)
    assert_error(status, data, 403, "invalid_roles")


def test_discover_single_node_by_ip(api, asd_manager):
    status, data = api.call("GET", f"/api/alba/nodes/?discover=true&ip=127.0.0.1"
                                   f"&node_id={NODE_ID}&contents=node_id")
    assert status == 200 and data["data"][0]["node_id"] == NODE_ID
    main = api.store.get(f"/ovs/alba/asdnodes/{NODE_ID}/config/main")
    api.store.set("/ovs/alba/asdnodes/OtherNode0000001/config/main", main)
    status, data = api.call("GET", "/api/alba/nodes/?discover=true&ip=127.0.0.1"
                                   "&node_id=OtherNode0000001")
    assert_error(status, data, 406, "invalid_data",
                 f"Unexpected node identifier. {NODE_ID} vs OtherNode0000001")


# --- robustness and the command line ----------------------------------------------------------

class BrokenStore(MemoryStore):
    def _raw_get(self, key):
        from ovs_emulator.store import StoreUnavailable
        raise StoreUnavailable("no quorum")


def test_metadata_without_store(root, certificate):
    server = _serve(BrokenStore(), certificate)
    try:
        status, data = Api(server, None).call("GET", "/api/", token=None)
        assert status == 200 and data["authentication_state"] == "unexpected_exception"
        status, data = Api(server, None).call("GET", "/api/storagerouters/", token="x")
        assert_error(status, data, 500, "internal_server")
    finally:
        server.shutdown()
        server.server_close()


def test_main_without_configuration_store(root, capsys):
    from ovs_emulator.webapi.__main__ import main
    assert main(["--port", "0"]) == 1
    assert "cannot start" in capsys.readouterr().err
