"""The configuration store (the Arakoon cluster ``config``, carried by etcd).

``Store`` is the interface, ``EtcdStore`` the real one (etcd v3 JSON gateway) and
``MemoryStore`` the one for tests.  Values are JSON, stored with indent 4 as the real
``ovs config get`` shows them.  ``key|a.b`` addresses a field inside a JSON value.
"""
import base64
import configparser
import io
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from ovs_emulator import paths, system

CLUSTER_ID = "config"
CLIENT_PORT = 26400
MESSAGING_PORT = 26401
CACC_KEY = "/ovs/arakoon/config/config"
# etcd answers while the previously added member has not started yet
MEMBER_NOT_READY = ("not enough started members", "unhealthy cluster")


class StoreError(Exception):
    """A configuration store problem (missing client file, bad answer, ...)."""


class StoreUnavailable(StoreError):
    """No endpoint of the store answered (no quorum, or all unreachable)."""


def _norm(key):
    return "/" + key.strip("/")


def _split_field(key):
    key, _, field = key.partition("|")
    return _norm(key), [part for part in field.split(".") if part]


class Store:
    """Interface; subclasses implement the ``_raw_*`` primitives."""

    def get_raw(self, key):
        return self._raw_get(_norm(key))

    def set_raw(self, key, text):
        self._raw_put(_norm(key), text)

    def get(self, key, default=None):
        key, fields = _split_field(key)
        text = self._raw_get(key)
        if text is None:
            return default
        value = json.loads(text)
        for field in fields:
            if not isinstance(value, dict) or field not in value:
                return default
            value = value[field]
        return value

    def set(self, key, value):
        key, fields = _split_field(key)
        if fields:
            whole = self.get(key, {})
            inner = whole
            for field in fields[:-1]:
                inner = inner.setdefault(field, {})
            inner[fields[-1]] = value
            value = whole
        self._raw_put(key, json.dumps(value, indent=4))

    def set_if_absent(self, key, value):
        """Store ``value`` only if ``key`` does not exist; True when stored."""
        return self._raw_put_if_absent(_norm(key), json.dumps(value, indent=4))

    def exists(self, key):
        return self._raw_get(_norm(key)) is not None

    def delete(self, key, recursive=False):
        key = _norm(key)
        self._raw_delete(key)
        if recursive:
            self._raw_delete_prefix(key.rstrip("/") + "/")

    def list_recursive(self, prefix="/"):
        """Full keys (with leading slash) of all values below ``prefix``, sorted."""
        prefix = _norm(prefix).rstrip("/") + "/"
        return sorted(self._raw_keys(prefix))

    def list(self, prefix="/"):
        """Names of the direct children of ``prefix`` (values and directories), sorted."""
        base = _norm(prefix).rstrip("/") + "/"
        return sorted({key[len(base):].split("/")[0] for key in self.list_recursive(base)})

    def children(self, prefix):
        """{name: value} of the values directly below ``prefix``, in one read of the store (a
        directory among them is left out; a value that is no JSON is its text)."""
        base = _norm(prefix).rstrip("/") + "/"
        result = {}
        for key, text in self._raw_items(base):
            name = key[len(base):]
            if "/" in name:
                continue
            try:
                result[name] = json.loads(text)
            except ValueError:
                result[name] = text
        return result

    def _raw_get(self, key):
        raise NotImplementedError

    def _raw_put(self, key, text):
        raise NotImplementedError

    def _raw_put_if_absent(self, key, text):
        raise NotImplementedError

    def _raw_delete(self, key):
        raise NotImplementedError

    def _raw_delete_prefix(self, prefix):
        raise NotImplementedError

    def _raw_keys(self, prefix):
        raise NotImplementedError

    def _raw_items(self, prefix):
        raise NotImplementedError


class MemoryStore(Store):
    """In-memory store for tests."""

    def __init__(self, data=None):
        self.data = dict(data or {})

    def _raw_get(self, key):
        return self.data.get(key)

    def _raw_put(self, key, text):
        self.data[key] = text

    def _raw_put_if_absent(self, key, text):
        if key in self.data:
            return False
        self.data[key] = text
        return True

    def _raw_delete(self, key):
        self.data.pop(key, None)

    def _raw_delete_prefix(self, prefix):
        for key in [k for k in self.data if k.startswith(prefix)]:
            del self.data[key]

    def _raw_keys(self, prefix):
        return [k for k in self.data if k.startswith(prefix)]

    def _raw_items(self, prefix):
        return [(k, v) for k, v in self.data.items() if k.startswith(prefix)]


# --- Arakoon client file (arakoon_cacc.ini) -------------------------------------------

@dataclass
class ArakoonNode:
    name: str
    ip: str
    client_port: int = CLIENT_PORT
    messaging_port: int = MESSAGING_PORT


def cacc_text(nodes, cluster_id=CLUSTER_ID, home=None):
    """The ini text of an Arakoon cluster in the real Arakoon format (data under ``home``)."""
    home = home or f"/opt/OpenvStorage/db/arakoon/{cluster_id}"
    lines = ["[global]", f"cluster_id = {cluster_id}",
             "cluster = " + ",".join(node.name for node in nodes),
             "plugins = ", "tlog_max_entries = 5000", ""]
    for node in nodes:
        lines += [f"[{node.name}]", f"name = {node.name}", f"ip = {node.ip}",
                  f"client_port = {node.client_port}", f"messaging_port = {node.messaging_port}",
                  "tlog_compression = snappy", f"home = {home}/db", f"tlog_dir = {home}/tlogs",
                  "fsync = true", "log_level = info", "log_sinks = console:",
                  "crash_log_sinks = console:", ""]
    return "\n".join(lines)


def parse_cacc(text):
    """(cluster_id, [ArakoonNode]) from an ini text."""
    parser = configparser.ConfigParser()
    parser.read_file(io.StringIO(text))
    names = [n.strip() for n in parser.get("global", "cluster").split(",") if n.strip()]
    nodes = [ArakoonNode(name, parser.get(name, "ip"), parser.getint(name, "client_port"),
                         parser.getint(name, "messaging_port")) for name in names]
    return parser.get("global", "cluster_id"), nodes


def read_cacc(path=None):
    path = path or paths.CACC_INI
    try:
        with open(path, encoding="utf-8") as handle:
            return parse_cacc(handle.read())
    except FileNotFoundError:
        raise StoreError(f"Configuration store client file {path} not found") from None
    except (configparser.Error, ValueError) as exc:
        raise StoreError(f"Invalid configuration store client file {path}: {exc}") from None


def write_cacc(nodes, path=None, cluster_id=CLUSTER_ID):
    system.write_text(path or paths.CACC_INI, cacc_text(nodes, cluster_id))


# --- etcd ----------------------------------------------------------------------------

def _b64(text):
    return base64.b64encode(text.encode()).decode()


def _unb64(text):
    return base64.b64decode(text).decode()


def _prefix_end(prefix):
    raw = prefix.encode()
    return base64.b64encode(raw[:-1] + bytes([raw[-1] + 1])).decode()


# The JSON gateway of etcd's v3 API: /v3 since etcd 3.4 (Debian 12), /v3beta in etcd 3.3 (Debian 11).
GATEWAYS = ("/v3", "/v3beta")


class EtcdStore(Store):
    """The replicated store: etcd through its v3 JSON gateway, endpoints from the cacc ini."""

    gateway = GATEWAYS[0]  # the one that answered last (one etcd version per node)

    def __init__(self, cacc_ini_path=None, timeout=10.0, nodes=None):
        """Endpoints from the cacc ini at ``cacc_ini_path`` (default: this node's), or ``nodes``."""
        self.cluster_id = CLUSTER_ID
        if nodes is None:
            self.cluster_id, nodes = read_cacc(cacc_ini_path)
        self.endpoints = [f"http://{node.ip}:{node.client_port}" for node in nodes]
        self.timeout = timeout

    def call(self, path, body):
        """POST ``body`` to ``<gateway><path>`` of the first endpoint that answers; StoreUnavailable if none does."""
        data = json.dumps(body).encode()
        problems = []
        for endpoint in self.endpoints:
            try:
                return self._post(endpoint, path, data)
            except urllib.error.HTTPError as exc:
                problems.append(f"{endpoint}: {_etcd_error(exc)}")
            except (urllib.error.URLError, OSError) as exc:
                problems.append(f"{endpoint}: {getattr(exc, 'reason', exc)}")
        raise StoreUnavailable(
            f"The configuration store (Arakoon cluster {self.cluster_id}) is unavailable: "
            f"no quorum or no node reachable ({'; '.join(problems)})")

    def _post(self, endpoint, path, data):
        """The answer of one endpoint, through the gateway that served last (the other one on a 404)."""
        gateways = [EtcdStore.gateway] + [g for g in GATEWAYS if g != EtcdStore.gateway]
        for gateway in gateways:
            request = urllib.request.Request(endpoint + gateway + path, data=data,
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    EtcdStore.gateway = gateway
                    return json.loads(answer.read() or b"{}")
            except urllib.error.HTTPError as exc:
                if exc.code != 404 or gateway == gateways[-1]:
                    raise
        raise AssertionError("unreachable")

    def _raw_get(self, key):
        kvs = self.call("/kv/range", {"key": _b64(key)}).get("kvs", [])
        return _unb64(kvs[0].get("value", "")) if kvs else None

    def _raw_put(self, key, text):
        self.call("/kv/put", {"key": _b64(key), "value": _b64(text)})

    def _raw_put_if_absent(self, key, text):
        answer = self.call("/kv/txn", {
            "compare": [{"key": _b64(key), "target": "CREATE", "result": "EQUAL",
                         "create_revision": "0"}],
            "success": [{"request_put": {"key": _b64(key), "value": _b64(text)}}]})
        return bool(answer.get("succeeded"))

    def _raw_delete(self, key):
        self.call("/kv/deleterange", {"key": _b64(key)})

    def _raw_delete_prefix(self, prefix):
        self.call("/kv/deleterange", {"key": _b64(prefix), "range_end": _prefix_end(prefix)})

    def _raw_keys(self, prefix):
        answer = self.call("/kv/range", {"key": _b64(prefix), "range_end": _prefix_end(prefix),
                                            "keys_only": True})
        return [_unb64(kv["key"]) for kv in answer.get("kvs", [])]

    def _raw_items(self, prefix):
        answer = self.call("/kv/range", {"key": _b64(prefix), "range_end": _prefix_end(prefix)})
        return [(_unb64(kv["key"]), _unb64(kv.get("value", ""))) for kv in answer.get("kvs", [])]

    def member_list(self):
        """[{"ID", "name", "peerURLs", "clientURLs"}] of the etcd cluster."""
        return self.call("/cluster/member/list", {}).get("members", [])

    def member_add(self, peer_url, wait=60.0):
        """Add an (unstarted) member; returns the members after the change.

        etcd refuses a new member until the last one added has started; wait for that.
        """
        deadline = time.monotonic() + wait
        while True:
            try:
                return self.call("/cluster/member/add", {"peerURLs": [peer_url]}).get("members", [])
            except StoreUnavailable as exc:
                # the change may be applied while its answer times out: the new member then
                # counts for the quorum already, and the member list (served locally) shows it
                members = self._members_if_added(peer_url)
                if members:
                    return members
                if not any(text in str(exc) for text in MEMBER_NOT_READY) or time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def member_remove(self, member_id):
        """Remove the member ``member_id`` (an "ID" of ``member_list``); the members after it."""
        return self.call("/cluster/member/remove", {"ID": member_id}).get("members", [])

    def _members_if_added(self, peer_url):
        try:
            members = self.member_list()
        except StoreUnavailable:
            return []
        return members if any(peer_url in member.get("peerURLs", []) for member in members) else []


def _etcd_error(exc):
    try:
        body = json.loads(exc.read() or b"{}")
        return body.get("error") or body.get("message") or f"HTTP {exc.code}"
    except ValueError:
        return f"HTTP {exc.code}"


def open_store():
    """The store configured on this node (from /opt/OpenvStorage/config/arakoon_cacc.ini)."""
    return EtcdStore(paths.CACC_INI)
