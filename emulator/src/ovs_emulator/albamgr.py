"""The ALBA manager (ABM) of one ALBA backend: its data lives in the configuration store under
``/albamgr/<ABM cluster id>/`` (the emulated content of the Arakoon cluster ``<backend>-abm``,
not shown by ``ovs config list /``).  Reached through the ABM config URL the framework hands to
``alba --config``: ``arakoon://config/ovs/arakoon/<backend>-abm/config?ini=<cacc ini path>``.

Layout: ``alba_id`` (uuid, made on first use), ``default_preset`` (name),
``presets/<name>`` ``{"preset": {...}, "version": n}``, ``osds/<long id>`` (the OSDs added to
this ABM: ``{"id": <osd id once claimed by this ALBA>|null, "info": {kind, ips, port, ...}}``),
``next_osd_id``, ``namespaces/<name>`` ``{"id", "name", "nsm_host_id", "state", "preset_name"}``
(a preset is in use while a namespace uses it) and ``next_namespace_id``.  Which ALBA claimed
an OSD is a property of the OSD itself (the real one keeps it in the ASD's own key-value
store), so it lives outside every ABM: ``/albamgr/osd-claims/<long id>`` = the claiming ALBA's id.

Behaviour from alba (ocaml/src/albamgr_plugin.ml, model/preset.ml, alba_json.ml).
"""
import json
import uuid
from urllib.parse import parse_qs, quote, unquote, urlsplit

from ovs_emulator import albasafety, paths, store

ROOT = "/albamgr"
CLAIMS = f"{ROOT}/osd-claims"
ASD_CONFIG_ROOT = "/ovs/alba/asds"
OSD_FIELDS = ["id", "alba_id", "kind", "ips", "port", "use_tls", "use_rdma", "albamgr_cfg", "prefix",
              "preset", "endpoints", "decommissioned", "node_id", "long_id", "total", "used",
              "seen", "read", "write", "errors", "checksum_errors", "claimed_since"]
ERROR_CODES = {"Namespace_already_exists": 5, "Namespace_does_not_exist": 6,
               "Osd_already_exists": 7, "Osd_already_decommissioned": 8, "Osd_unknown": 10,
               "Osd_already_claimed": 11, "Preset_does_not_exist": 13,
               "Preset_already_exists": 14, "Preset_cant_delete_in_use": 16,
               "Invalid_preset": 17}
OBJECT_CHECKSUM = {"allowed": [["none"], ["sha-1"], ["crc-32c"]], "default": ["crc-32c"],
                   "verify_upload": True}
DEFAULT_PRESET = {"policies": [[5, 4, 8, 3], [2, 2, 3, 4]], "fragment_size": 1048576,
                  "osds": ["all"], "compression": "snappy", "fragment_checksum": ["crc-32c"],
                  "object_checksum": OBJECT_CHECKSUM, "fragment_encryption": ["none"]}
COMPRESSIONS = ("none", "snappy", "bz2")
FRAGMENT_MULTIPLE = 16
KEY_LENGTH = 32  # AES-256
REMOTE_TIMEOUT = 5.0  # seconds to reach the configuration store of another cluster


class AlbaFailure(Exception):
    """A failure of the ALBA layer: (message, exception_type, exception_code)."""

    def __init__(self, message, exception_type="unknown", exception_code=0):
        super().__init__(message)
        self.exception_type = exception_type
        self.exception_code = exception_code


def albamgr_exn(name):
    full = f"Albamgr_protocol.Protocol.Error.{name}"
    return AlbaFailure(f"Albamgr exception({full},{full})", "albamgr_exn", ERROR_CODES[name])


def configuration_path(key, ini="/opt/OpenvStorage/config/arakoon_cacc.ini"):
    """Configuration.get_configuration_path: the URL of a key of the configuration store."""
    return f"arakoon://config/{key.strip('/')}?ini={quote(ini, safe='')}"


def config_url(cluster):
    """The URL of an Arakoon cluster's config (what ``alba --config`` takes)."""
    return configuration_path(f"/ovs/arakoon/{cluster}/config")


def store_of(url):
    """The configuration store a config URL names (``?ini=<client config>``; none: this node's)
    and the key path it points at."""
    parts = urlsplit(url or "")
    ini = parse_qs(parts.query).get("ini", [None])[0]
    return store.EtcdStore(paths.real(unquote(ini)) if ini else None), parts.path


def linked_manager(config_store, text):
    """The ABM an Arakoon client ini names (what an Alba2 OSD talks to): in this cluster's
    configuration store, else in the one of the ABM's own nodes (a backend of another cluster:
    its configuration store at ``<node ip>:26400``, served by every master).  StoreError when
    that cannot be reached.  As the Arakoon client, it goes by the nodes the ini lists: an ABM
    of another cluster named like one of this cluster (two clusters each with a backend
    ``be1``: both ABMs are ``be1-abm``) is that other cluster's."""
    cluster_id, nodes = store.parse_cacc(text)
    manager = AlbaManager(config_store, cluster_id)
    if manager.alba_id() and _local_nodes(config_store, cluster_id, nodes):
        return manager
    remote = store.EtcdStore(nodes=[store.ArakoonNode(node.name, node.ip, store.CLIENT_PORT)
                                    for node in nodes], timeout=REMOTE_TIMEOUT)
    return AlbaManager(remote, cluster_id)


def _local_nodes(config_store, cluster_id, nodes):
    """Whether ``nodes`` (of an Arakoon client ini) are nodes of this cluster's Arakoon cluster
    ``cluster_id`` (an address in common; without a config of it here, an ABM kept here is)."""
    text = config_store.get_raw(f"/ovs/arakoon/{cluster_id}/config")
    if not text:
        return True
    here = {node.ip for node in store.parse_cacc(text)[1]}
    return any(node.ip in here for node in nodes)


def arakoon_config(url, config_store):
    """The Arakoon config (ini text) an ``arakoon://`` config URL points at in the configuration
    store; AlbaFailure when it cannot be read or is empty."""
    try:
        text = config_store.get_raw(urlsplit(url).path)
    except store.StoreError as exc:
        raise AlbaFailure(f'Failure("{exc}")') from None
    if not text:
        raise AlbaFailure(f'Failure("Could not retrieve the Arakoon config at {url}")')
    return text


class AlbaManager:
    """The ABM of one cluster (``cluster`` = its Arakoon cluster id, e.g. ``mybackend-abm``)."""

    def __init__(self, config_store, cluster):
        self.store = config_store
        self.cluster = cluster
        self.root = f"{ROOT}/{cluster}"

    @classmethod
    def from_url(cls, url, config_store=None):
        """The ABM a config URL points at; AlbaFailure when it cannot be reached."""
        parts = urlsplit(url or "")
        if parts.scheme != "arakoon":
            raise AlbaFailure(f'Failure("Unsupported config url: {url}")')
        if config_store is None:
            try:
                config_store, _ = store_of(url)
            except store.StoreError as exc:
                raise AlbaFailure(f'Failure("{exc}")') from None
        cluster_id, _ = store.parse_cacc(arakoon_config(url, config_store))
        manager = cls(config_store, cluster_id)
        manager.initialize()
        return manager

    # --- state ------------------------------------------------------------------------
    def initialize(self):
        """A new albamgr: its alba id and the ``default`` preset."""
        if self.store.exists(f"{self.root}/alba_id"):
            return
        if self.store.set_if_absent(f"{self.root}/presets/default",
                                    {"preset": DEFAULT_PRESET, "version": 0}):
            self.store.set(f"{self.root}/default_preset", "default")
        self.store.set_if_absent(f"{self.root}/alba_id", str(uuid.uuid4()))

    def alba_id(self):
        return self.store.get(f"{self.root}/alba_id")

    def preset_names(self):
        return self.store.list(f"{self.root}/presets")

    def _preset(self, name):
        value = self.store.get(f"{self.root}/presets/{name}")
        if value is None:
            raise albamgr_exn("Preset_does_not_exist")
        return value

    def in_use(self, name):
        for namespace in self.store.list(f"{self.root}/namespaces"):
            if (self.store.get(f"{self.root}/namespaces/{namespace}") or {}).get("preset_name") == name:
                return True
        return False

    def list_presets(self):
        """``list-presets --to-json`` entries (alba_json.ml Preset.to_yojson, keys in its order)."""
        default = self.store.get(f"{self.root}/default_preset")
        return [preset_json(name, value["preset"], value["version"], name == default,
                            self.in_use(name))
                for name in self.preset_names()
                for value in [self.store.get(f"{self.root}/presets/{name}")] if value]

    def create_preset(self, name, preset):
        if not preset_valid(preset):
            raise albamgr_exn("Invalid_preset")
        if not self.store.set_if_absent(f"{self.root}/presets/{name}",
                                        {"preset": preset, "version": 0}):
            raise albamgr_exn("Preset_already_exists")

    def update_preset(self, name, update):
        value = self._preset(name)
        for key in ("policies", "fragment_size"):
            if key in update:
                value["preset"][key] = update[key]
        value["version"] += 1
        self.store.set(f"{self.root}/presets/{name}", value)

    def delete_preset(self, name):
        if self.in_use(name):
            raise albamgr_exn("Preset_cant_delete_in_use")
        self._preset(name)
        self.store.delete(f"{self.root}/presets/{name}")
        if self.store.get(f"{self.root}/default_preset") == name:
            self.store.delete(f"{self.root}/default_preset")

    # --- namespaces (albamgr_plugin.ml create_namespace / delete_namespace) ----------------
    def create_namespace(self, name, preset_name, nsm_host_id):
        """A new namespace (``Namespace_already_exists`` when taken) on an existing preset."""
        if self.store.exists(f"{self.root}/namespaces/{name}"):
            raise albamgr_exn("Namespace_already_exists")
        self._preset(preset_name)
        namespace_id = self.store.get(f"{self.root}/next_namespace_id") or 0
        self.store.set(f"{self.root}/next_namespace_id", namespace_id + 1)
        record = {"id": namespace_id, "name": name, "nsm_host_id": nsm_host_id, "state": "active",
                  "preset_name": preset_name}
        self.store.set(f"{self.root}/namespaces/{name}", record)
        return record

    def namespace(self, name):
        """The namespace ``name`` (None when there is none)."""
        return self.store.get(f"{self.root}/namespaces/{name}")

    def delete_namespace(self, name):
        if not self.store.exists(f"{self.root}/namespaces/{name}"):
            raise albamgr_exn("Namespace_does_not_exist")
        self.store.delete(f"{self.root}/namespaces/{name}")

    def list_namespaces(self):
        """``list-namespaces --to-json`` (alba_json.ml Namespace.t: id, name, nsm_host_id, state,
        preset_name), sorted by name as the ABM lists them."""
        keys = ("id", "name", "nsm_host_id", "state", "preset_name")
        return [{key: record.get(key) for key in keys}
                for record in (self.namespace(name) for name in sorted(self.store.list(f"{self.root}/namespaces")))
                if isinstance(record, dict)]

    def set_default_preset(self, name):
        self._preset(name)
        self.store.set(f"{self.root}/default_preset", name)

    def destroy(self):
        alba_id = self.alba_id()
        for long_id in self.store.list(f"{self.root}/osds"):
            if alba_id and self.store.get(f"{CLAIMS}/{long_id}") == alba_id:
                self.store.delete(f"{CLAIMS}/{long_id}")
        self.store.delete(self.root, recursive=True)

    # --- OSDs (albamgr_plugin.ml add_osd/claim/decommission/purge; alba_json.ml Osd) -----
    def _osd(self, long_id):
        value = self.store.get(f"{self.root}/osds/{long_id}")
        if not isinstance(value, dict):
            raise albamgr_exn("Osd_unknown")
        return value

    def add_osd(self, info):
        """Registers an OSD (``info``: kind, ips, port, ..., long_id); 7 when already there."""
        long_id = info["long_id"]
        record = {"id": None, "info": dict(info, decommissioned=False, seen=[_now()], read=[],
                                            write=[], errors=[], checksum_errors=0,
                                            claimed_since=None)}
        if not self.store.set_if_absent(f"{self.root}/osds/{long_id}", record):
            raise albamgr_exn("Osd_already_exists")
        return long_id

    def claim_osd(self, long_id):
        record = self._osd(long_id)
        alba_id = self.alba_id()
        if not self.store.set_if_absent(f"{CLAIMS}/{long_id}", alba_id):
            raise albamgr_exn("Osd_already_claimed")
        osd_id = self.store.get(f"{self.root}/next_osd_id") or 0
        self.store.set(f"{self.root}/next_osd_id", osd_id + 1)
        record["id"] = osd_id
        record["info"]["claimed_since"] = _now()
        self.store.set(f"{self.root}/osds/{long_id}", record)
        return osd_id

    def decommission_osd(self, long_id):
        record = self._osd(long_id)
        if record["info"].get("decommissioned"):
            raise albamgr_exn("Osd_already_decommissioned")
        record["info"]["decommissioned"] = True
        self.store.set(f"{self.root}/osds/{long_id}", record)

    def purge_osd(self, long_id):
        self._osd(long_id)
        if self.store.get(f"{CLAIMS}/{long_id}") == self.alba_id():
            self.store.delete(f"{CLAIMS}/{long_id}")
        self.store.delete(f"{self.root}/osds/{long_id}")

    def update_osd(self, long_id, ips=None, port=None):
        record = self._osd(long_id)
        if ips is not None:
            record["info"]["ips"] = list(ips)
        if port is not None:
            record["info"]["port"] = int(port)
        self.store.set(f"{self.root}/osds/{long_id}", record)

    def _records(self):
        osds = self.store.children(f"{self.root}/osds")
        return [osds[long_id] for long_id in sorted(osds) if isinstance(osds[long_id], dict)]

    def _claim(self, record):
        """(id, alba_id) as alba_json.ml Osd.make: this ALBA, another one, or available."""
        owner = self.store.get(f"{CLAIMS}/{record['info']['long_id']}")
        if owner is None:
            return None, None
        if owner == self.alba_id():
            return record.get("id"), owner
        return None, owner

    def list_osds(self):
        """``list-osds``: the OSDs claimed by this ALBA, by osd id."""
        result = []
        for record in self._records():
            osd_id, owner = self._claim(record)
            if osd_id is not None:
                result.append(osd_json(record["info"], osd_id, owner))
        return sorted(result, key=lambda osd: osd["id"])

    def list_all_osds(self):
        return [osd_json(record["info"], *self._claim(record)) for record in self._records()]

    def list_available_osds(self):
        return [osd_json(record["info"], None, None) for record in self._records()
                if self._claim(record) == (None, None)]

    # --- namespaces: placement, disk safety, repair (ovs_emulator.albasafety) -------------
    def _owned_records(self):
        claims = self.store.children(CLAIMS)
        return [dict(record, owner=claims.get(record["info"]["long_id"])) for record in self._records()]

    def _placements(self, records, only=None):
        """{namespace: placement or None}, placing namespaces looked at for the first time."""
        nodes = albasafety.osd_nodes(records, self.alba_id())
        result = {}
        namespaces = self.store.children(f"{self.root}/namespaces")
        for name in sorted(namespaces):
            record = namespaces[name]
            if (only is not None and name != only) or not isinstance(record, dict):
                continue
            key = f"{self.root}/namespaces/{name}"
            if "placement" not in record:
                preset = self.store.get(f"{self.root}/presets/{record.get('preset_name')}") or {}
                policies = (preset.get("preset") or {}).get("policies") or []
                record["placement"] = albasafety.place(policies, nodes)
                self.store.set(key, record)
            result[name] = record["placement"]
        return result

    def disk_safety(self, long_ids=(), node_ids=(), decommissioning=False, errored=False,
                    namespace=None):
        """``get-disk-safety``: one entry per namespace (see albasafety)."""
        records = self._owned_records()
        known = {record["info"]["long_id"]: record["info"] for record in records}
        for long_id in long_ids:
            if long_id not in known:
                raise AlbaFailure(f'Failure("unknown osd {long_id}")')
        if namespace is not None and not self.store.exists(f"{self.root}/namespaces/{namespace}"):
            raise AlbaFailure(f'Failure("Namespace {namespace} does not exist")')
        dead = set(long_ids)
        dead |= {lid for lid, info in known.items() if info.get("node_id") in set(node_ids)}
        if decommissioning:
            dead |= {lid for lid, info in known.items() if info.get("decommissioned")}
        if errored:
            dead |= albasafety.errored(records)
        placements = self._placements(records, namespace)
        result = []
        for name, placement in placements.items():
            gone = {lid for lid in (placement or {}).get("fragments", []) if lid not in known}
            result.append(albasafety.namespace_safety(name, placement, dead | gone))
        return result

    def repair_pace(self):
        """Seconds between two repairs of this backend (ABM key ``repair_pace``)."""
        pace = self.store.get(f"{self.root}/repair_pace")
        return albasafety.REPAIR_PACE if pace is None else float(pace)

    def repair(self, now):
        """One maintenance round: at most one namespace repaired per ``repair_pace`` seconds;
        returns its name (None when nothing was done)."""
        pace = self.repair_pace()
        last = self.store.get(f"{self.root}/last_repair") or 0
        if now - last < pace:
            return None
        records = self._owned_records()
        nodes = albasafety.osd_nodes(records, self.alba_id())
        healthy = {lid for ids in nodes.values() for lid in ids}
        for name, placement in sorted(self._placements(records).items()):
            if not placement:
                continue
            broken = {lid for lid in placement["fragments"] if lid not in healthy}
            repaired = albasafety.repair(placement, nodes, broken) if broken else None
            if repaired is not None:
                key = f"{self.root}/namespaces/{name}"
                record = self.store.get(key)
                record["placement"] = repaired
                self.store.set(key, record)
                self.store.set(f"{self.root}/last_repair", now)
                return name
        return None


def _now():
    import time
    return time.time()


def osd_json(info, osd_id, alba_id):
    """One entry of list-osds / list-all-osds / list-available-osds (alba_json.ml Osd.t)."""
    asd_like = info.get("kind") in ("AsdV1", "Kinetic3")
    alba_like = info.get("kind") in ("Alba", "Alba2")
    values = {"id": osd_id, "alba_id": alba_id, "kind": info.get("kind"),
              "ips": info.get("ips") if asd_like else None,
              "port": info.get("port") if asd_like else None,
              "use_tls": info.get("use_tls", False) if asd_like else None,
              "use_rdma": info.get("use_rdma", False) if asd_like else None,
              "albamgr_cfg": info.get("albamgr_cfg") if alba_like else None,
              "prefix": info.get("prefix") if alba_like or info.get("kind") == "AlbaProxy" else None,
              "preset": info.get("preset") if alba_like or info.get("kind") == "AlbaProxy" else None,
              "endpoints": info.get("endpoints") if info.get("kind") == "AlbaProxy" else None}
    values.update({key: info.get(key) for key in OSD_FIELDS if key not in values})
    values["decommissioned"] = bool(info.get("decommissioned"))
    for key in ("total", "used", "checksum_errors"):
        values[key] = int(values[key] or 0)
    for key in ("seen", "read", "write", "errors"):
        values[key] = list(values[key] or [])
    return {key: values[key] for key in OSD_FIELDS}


def find_asd(config_store, hosts, port):
    """The config of the ASD listening on one of ``hosts`` at ``port`` (what ``add-osd`` reaches
    over the network: its long id is the ASD's ``asd_id``), or None."""
    for asd_id in config_store.list(ASD_CONFIG_ROOT):
        config = config_store.get(f"{ASD_CONFIG_ROOT}/{asd_id}/config")
        if not isinstance(config, dict) or int(config.get("port", -1)) != int(port):
            continue
        ips = config.get("ips") or []
        if not ips:
            main = config_store.get(f"/ovs/alba/asdnodes/{config.get('node_id')}/config/main") or {}
            ips = [main.get("ip"), "127.0.0.1"]
        if set(hosts) & set(ips):
            return config
    return None


def arakoon_cfg_json(text):
    """Alba_arakoon.Config.t of an Arakoon client ini (the albamgr_cfg of an Alba2 OSD)."""
    cluster_id, nodes = store.parse_cacc(text)
    return {"cluster_id": cluster_id,
            "node_cfgs": [[node.name, {"ips": [node.ip], "port": node.client_port}] for node in nodes],
            "ssl_cfg": None, "tcp_keepalive": {"enable_tcp_keepalive": True,
                                               "tcp_keepalive_time": 20,
                                               "tcp_keepalive_intvl": 20,
                                               "tcp_keepalive_probes": 3}}


def preset_valid(preset):
    """model/preset.ml is_valid."""
    checksum = preset.get("object_checksum") or {}
    encryption = preset.get("fragment_encryption") or ["none"]
    key_ok = encryption[0] == "none" or len(encryption) > 1 and len(encryption[1]) == KEY_LENGTH * 2
    policies = preset.get("policies") or []
    policies_ok = bool(policies) and all(
        len(p) == 4 and p[0] > 0 and p[0] <= p[2] <= p[0] + p[1] for p in policies)
    return (checksum.get("default") in checksum.get("allowed", [])
            and key_ok and policies_ok
            and preset.get("fragment_size", 0) >= FRAGMENT_MULTIPLE)


def preset_json(name, preset, version, is_default, in_use):
    """One list-presets entry; alba_json.ml puts ``in_use``/``is_default`` first when they
    have their default value (true / false) and in place otherwise."""
    extras = {}
    if in_use:
        extras["in_use"] = True
    if not is_default:
        extras["is_default"] = False
    result = dict(extras)
    result["name"] = name
    result["policies"] = [list(p) for p in preset["policies"]]
    if is_default:
        result["is_default"] = True
    for key in ("fragment_size", "osds", "compression", "fragment_checksum", "object_checksum",
                "fragment_encryption"):
        result[key] = preset[key]
    if not in_use:
        result["in_use"] = False
    result["version"] = version
    return result


def parse_preset_input(text, read_file):
    """A create-preset input (JSON with ``//`` comments); ``read_file(path)`` reads the key
    file of an encryption.  Returns the stored preset; AlbaFailure for what alba refuses."""
    data = _load_json(text)
    try:
        preset = {"policies": [list(p) for p in data["policies"]],
                  "fragment_size": data["fragment_size"], "osds": data["osds"],
                  "compression": data["compression"],
                  "fragment_checksum": data["fragment_checksum"],
                  "object_checksum": data["object_checksum"],
                  "fragment_encryption": data["fragment_encryption"]}
    except (KeyError, TypeError) as exc:
        raise AlbaFailure(f'Failure("Alba_json.Preset.t: missing field {exc}")') from None
    if preset["compression"] not in COMPRESSIONS:
        raise AlbaFailure(f'Failure("unknown compressor: \\"{preset["compression"]}\\"")')
    encryption = preset["fragment_encryption"]
    if encryption and encryption[0] != "none":
        key = read_file(encryption[1])
        preset["fragment_encryption"] = [encryption[0], key.encode("latin-1").hex()]
    return preset


def parse_update_input(text):
    data = _load_json(text)
    if not isinstance(data, dict) or set(data) - {"policies", "fragment_size"}:
        raise AlbaFailure('Failure("Preset.Update.t: parsing failure")')
    return data


def _load_json(text):
    lines = [line.split("//")[0] if "//" in line else line for line in text.splitlines()]
    try:
        return json.loads("\n".join(lines))
    except ValueError as exc:
        raise AlbaFailure(f'Yojson.Json_error("{exc}")') from None
