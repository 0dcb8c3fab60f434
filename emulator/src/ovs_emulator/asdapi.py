"""Emulated ASD manager HTTP API (the ``asd-manager`` service; alba-asdmanager source/app/api.py).

HTTPS on ``ip:port`` of ``/ovs/alba/asdnodes/<node_id>/config/main`` (node_id from
/etc/openvstorage_sdm_id), self-signed certificate, HTTP Basic with the user and password of
that same key.  Every answer is a JSON object carrying ``_success``, ``_error``,
``_version`` (3) and ``_duration``; bad credentials give 401 ``Invalid credentials``.

Run as ``python3 -m ovs_emulator.asdapi [--bind IP] [--port N] [--cert FILE] [--key FILE]``.
Adding an endpoint: write a method ``AsdApp.<view>(self, **url_parameters)`` returning a dict
(or ``(dict, status)``, or raising ``AsdError``) and add it to ``AsdApp.ROUTES``.
"""
import base64
import binascii
import hmac
import inspect
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs, unquote, urlsplit

from ovs_emulator import albamgr, hardware, packages, paths, system, units
from ovs_emulator.store import open_store
from ovs_emulator.tlsserver import JsonHandler, TlsHttpServer, service_arguments

LOG = logging.getLogger("ovs_emulator.asdapi")
API_VERSION = 3
NODE_ROOT = "/ovs/alba/asdnodes"
ASD_ROOT = "/ovs/alba/asds"
ASD_MOUNT_ROOT = "/mnt/alba-asd"
SLOT_STATE = "/opt/asd-manager/db/slots.json"  # {slot_id: {"mountpoint"}}: the disks made ASD disks
_LOCK = threading.Lock()


class AsdError(Exception):
    """An error answer: ``{"_success": false, "_error": message}`` with ``status``."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def read_node_id():
    try:
        with open(paths.SDM_ID, encoding="utf-8") as handle:
            return handle.read().strip() or None
    except OSError:
        return None


# --- the node's disks (ovs_emulator.hardware) ------------------------------------------

def slot_of(disk, node_id):
    """A slot (alba-asdmanager Disk.export plus ``slot_id``) of an unused disk."""
    aliases = disk.get("aliases") or [f"/dev/{disk['name']}"]
    return {"slot_id": aliases[0].split("/")[-1], "device": disk.get("device") or f"/dev/{disk['name']}",
            "aliases": aliases, "size": disk.get("size"), "node_id": node_id,
            "state": "empty", "state_detail": "", "available": True, "mountpoint": None,
            "usage": {}, "partition_amount": 0, "partition_aliases": [], "osds": {}}


def asd_service(asd_id):
    return f"alba-asd-{asd_id}"


def remove_unit(name, systemctl):
    """A unit of this node stopped, disabled and its file removed (``systemctl(*args)``)."""
    path = os.path.join(paths.SYSTEMD_DIR, f"{name}.service")
    if os.path.exists(path):
        systemctl("disable", "--now", name)
        os.remove(path)
        systemctl("daemon-reload")


def remove_asd(config_store, config, systemctl):
    """An ASD gone: its service, its data (home) and its config key."""
    remove_unit(asd_service(config["asd_id"]), systemctl)
    shutil.rmtree(paths.real(config["home"]), ignore_errors=True)
    config_store.delete(f"{ASD_ROOT}/{config['asd_id']}", recursive=True)


def asds_of(config_store, node_id):
    """{asd_id: config} of the ASDs of ``node_id`` (``/ovs/alba/asds/<asd_id>/config``)."""
    result = {}
    for asd_id in config_store.list(ASD_ROOT):
        config = config_store.get(f"{ASD_ROOT}/{asd_id}/config")
        if isinstance(config, dict) and config.get("node_id") == node_id:
            result[asd_id] = config
    return result


def on_mountpoint(asds, mountpoint):
    return {asd_id: config for asd_id, config in asds.items()
            if mountpoint and str(config.get("home", "")).startswith(mountpoint + "/")}


def request_data(headers, body):
    """The request's JSON body, or its form fields (provide_request_data)."""
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip()
    text = (body or b"").decode("utf-8", "replace")
    if content_type == "application/json":
        try:
            data = json.loads(text or "{}")
        except ValueError:
            raise AsdError(400, "Invalid JSON body") from None
        return data if isinstance(data, dict) else {}
    return {key: values[0] for key, values in parse_qs(text).items()}


# --- the application -------------------------------------------------------------------

class AsdApp:
    """Routing, authentication and the answer envelope; independent of HTTP transport."""

    def __init__(self, store, node_id=None, systemctl="systemctl"):
        self.store = store
        self._node_id = node_id
        self.systemctl = systemctl
        self.routes = [(method, re.compile("^" + re.sub(r"<(\w+)>", r"(?P<\1>[^/]+)", path) + "$"),
                        getattr(self, view), authenticate)
                       for method, path, view, authenticate in self.ROUTES]

    ROUTES = [
        # (method, path, view method name, needs authentication)
        ("GET", "/", "index", True),
        ("GET", "/net", "net", False),
        ("GET", "/slots", "get_slots", True),
        ("POST", "/slots/<slot_id>/asds", "asd_add", True),
        ("DELETE", "/slots/<slot_id>/asds/<asd_id>", "asd_delete", True),
        ("POST", "/slots/<slot_id>/asds/<asd_id>/restart", "asd_restart", True),
        ("POST", "/slots/<slot_id>/restart", "slot_restart", True),
        ("DELETE", "/slots/<slot_id>", "clear_slot", True),
        ("GET", "/service_status/<name>", "service_status", True),
        ("GET", "/maintenance", "list_maintenance", True),
        ("POST", "/maintenance/<name>/add", "add_maintenance", True),
        ("POST", "/maintenance/<name>/remove", "remove_maintenance", True),
        ("GET", "/update/package_information", "update_package_information", True),
        ("POST", "/update/install/<package_name>", "update_install", True),
        ("GET", "/update/installed_version_package/<package_name>", "update_installed_version", True),
        ("POST", "/update/execute_migration_code", "update_migration_code", True),
        ("POST", "/update/restart_services", "update_restart_services", True),
    ]

    @property
    def node_id(self):
        return self._node_id or read_node_id()

    def main_config(self):
        return self.store.get(f"{NODE_ROOT}/{self.node_id}/config/main") or {}

    def authorized(self, header):
        if not header or not header.startswith("Basic "):
            return False
        try:
            username, password = base64.b64decode(header[6:].strip()).decode().split(":", 1)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return False
        main = self.main_config()
        expected_user, expected_password = main.get("username"), main.get("password")
        if expected_user is None or expected_password is None:
            return False
        return (hmac.compare_digest(username, str(expected_user))
                and hmac.compare_digest(password, str(expected_password)))

    def handle(self, method, target, headers, body=b""):
        """(status, body) of one request."""
        start = time.time()
        path = unquote(urlsplit(target).path)
        status = 200
        matches = [(m, regex.match(path), view, auth) for m, regex, view, auth in self.routes]
        matches = [(m, match, view, auth) for m, match, view, auth in matches if match]
        chosen = next((entry for entry in matches if entry[0] == method), None)
        if chosen is None:
            if matches:
                status, data = 405, {"_success": False, "_error": "Method Not Allowed"}
            else:
                status, data = 404, {"_success": False, "_error": "Not Found"}
        elif chosen[3] and not self.authorized(headers.get("Authorization")):
            status, data = 401, {"_success": False, "_error": "Invalid credentials"}
        else:
            try:
                kwargs = chosen[1].groupdict()
                if "request_data" in inspect.signature(chosen[2]).parameters:
                    kwargs["request_data"] = request_data(headers, body)
                result = chosen[2](**kwargs)
                if isinstance(result, tuple):
                    result, status = result
                data = dict(result or {})
                data.update(_success=True, _error="")
            except AsdError as exc:
                status, data = exc.status, {"_success": False, "_error": exc.message}
            except Exception as exc:  # the real API: 500 with the exception text
                LOG.exception("%s %s failed", method, path)
                status, data = 500, {"_success": False, "_error": str(exc)}
        data["_version"] = API_VERSION
        data["_duration"] = time.time() - start
        return status, data

    # --- generic ------------------------------------------------------------------------

    def index(self):
        node_id = self.node_id
        return {"node_id": node_id, "data": node_id}

    def net(self):
        ips = (self.store.get(f"{NODE_ROOT}/{self.node_id}/config/network") or {}).get("ips")
        if not ips:
            ips = [self.main_config().get("ip")] if self.main_config().get("ip") else []
        return {"ips": ips, "data": ips}

    # --- slots --------------------------------------------------------------------------

    def slots(self):
        node_id = self.node_id
        prepared = self._slot_state()
        asds = self._asds()
        states = self.service_states([asd_service(asd_id) for asd_id in sorted(asds)])
        stack = {}
        for disk in hardware.disks():
            slot = slot_of(disk, node_id)
            mountpoint = (prepared.get(slot["slot_id"]) or {}).get("mountpoint")
            if self._has_data(disk):
                # a disk holding data (not ours): never an ASD disk
                slot.update(available=False, state="error", state_detail="has_data",
                            partition_amount=1,
                            partition_aliases=[f"{alias}-part1" for alias in slot["aliases"]])
            elif mountpoint:
                mine = on_mountpoint(asds, mountpoint)
                slot.update(available=False, mountpoint=mountpoint,
                            state="ok" if mine else "empty", partition_amount=1,
                            partition_aliases=[f"{alias}-part1" for alias in slot["aliases"]],
                            usage={"size": disk["size"],
                                   "used": sum(c.get("used", 0) for c in mine.values()),
                                   "available": disk["size"]})
                slot["osds"] = {asd_id: self._asd_export(config, states) for asd_id, config in mine.items()}
            stack[slot["slot_id"]] = slot
        stack.update(self._missing_slots(prepared, asds, stack, states))
        return stack

    def _missing_slots(self, prepared, asds, present, states):
        """Slots whose disk is gone (swapped: hardware.json no longer lists it) but that still
        carry ASDs: state ``error``, detail ``missing``.  Without ASDs they are not shown."""
        missing = {}
        for slot_id, entry in prepared.items():
            mine = on_mountpoint(asds, entry.get("mountpoint"))
            if slot_id in present or not mine:
                continue
            missing[slot_id] = {
                "slot_id": slot_id, "device": entry.get("device"), "aliases": [], "size": None,
                "node_id": self.node_id, "state": "error", "state_detail": "missing",
                "available": False, "mountpoint": entry["mountpoint"], "usage": {},
                "partition_amount": 0, "partition_aliases": [],
                "osds": {asd_id: self._asd_export(config, states) for asd_id, config in mine.items()}}
        return missing

    # --- ASDs (alba-asdmanager source/controllers/asd.py, disk.py) -----------------------

    @staticmethod
    def _slot_state():
        text = system.read_text(paths.real(SLOT_STATE))
        return json.loads(text) if text else {}

    @staticmethod
    def _save_slot_state(state):
        system.write_text(paths.real(SLOT_STATE), json.dumps(state, indent=4, sort_keys=True))

    @staticmethod
    def _has_data(disk):
        """A disk with data of its own: the hardware says so, or it carries partitions the
        storage router made (its partition table)."""
        return bool(disk.get("has_data") or hardware.partition_table().get(disk["name"]))

    def _asds(self):
        """{asd_id: config} of this node's ASDs."""
        return asds_of(self.store, self.node_id)

    @staticmethod
    def _asd_export(config, states):
        """ASD.export: the config plus the ASD's state (from its service; ``states``: service_states)."""
        data = dict(config, folder=config["asd_id"])
        state = states.get(asd_service(config["asd_id"]), "unknown")
        if state == "activating":
            data.update(state="warning", state_detail="service_activating")
        elif state == "active":
            data.update(state="ok", state_detail=None)
        else:
            data.update(state="error", state_detail="service_failure")
        return data

    def _disk(self, slot_id):
        """DiskList.get_by_alias over the usable disks: 404 otherwise."""
        for disk in hardware.disks():
            if any(alias.endswith(slot_id) for alias in disk["aliases"]) and not self._has_data(disk):
                return disk
        raise AsdError(404, f"Disk with alias {slot_id} not available")

    def asd_add(self, slot_id):
        """POST /slots/<slot_id>/asds: prepare the disk if needed, then one ASD on it."""
        with _LOCK:
            disk = self._disk(slot_id)
            state = self._slot_state()
            mountpoint = (state.get(slot_id) or {}).get("mountpoint")
            if not mountpoint:  # DiskController.prepare_disk: partition, mkfs.xfs, mount
                mountpoint = f"{ASD_MOUNT_ROOT}/{system.random_id(16)}"
                os.makedirs(paths.real(mountpoint), exist_ok=True)
                state[slot_id] = {"mountpoint": mountpoint, "device": disk["device"]}
                self._save_slot_state(state)
            self.create_asd(disk, mountpoint)
        return {}

    def create_asd(self, disk, mountpoint):
        """ASDController.create_asd."""
        asds = self._asds()
        on_disk = on_mountpoint(asds, mountpoint)
        asd_size = disk["size"] // (len(on_disk) + 1)
        for asd_id, config in on_disk.items():
            config.update(capacity=asd_size, rocksdb_block_cache_size=asd_size // 1024 // 4)
            self.store.set(f"{ASD_ROOT}/{asd_id}/config", config)
        used_ports = []
        for config in asds.values():
            used_ports.append(config.get("port"))
            if "rora_port" in config:
                used_ports.append(config["rora_port"])
        network = self.store.get(f"{NODE_ROOT}/{self.node_id}/config/network") or {}
        base_port = int(network.get("port") or 8600)
        asd_port, rora_port = base_port, base_port + 1
        while asd_port in used_ports:
            asd_port += 1
        used_ports.append(asd_port)
        while rora_port in used_ports:
            rora_port += 1
        asd_id = system.random_id(32)
        config = {"home": f"{mountpoint}/{asd_id}", "node_id": self.node_id, "asd_id": asd_id,
                  "capacity": asd_size, "log_level": "info", "port": asd_port, "transport": "tcp",
                  "rocksdb_block_cache_size": asd_size // 1024 // 4}
        if self.store.get("/ovs/framework/rdma"):
            config.update(rora_port=rora_port, rora_transport="rdma")
        if network.get("ips"):
            config["ips"] = list(network["ips"])
        extra = self.store.get(f"{NODE_ROOT}/{self.node_id}/config/extra")
        if isinstance(extra, dict):
            config.update(extra)
        config_key = f"{ASD_ROOT}/{asd_id}/config"
        self.store.set(config_key, config)
        os.makedirs(paths.real(config["home"]), exist_ok=True)
        name = asd_service(asd_id)
        path = os.path.join(paths.SYSTEMD_DIR, f"{name}.service")
        # systemd reads ``%`` as a specifier: ``%%`` hands the process the URL's own ``%2F``
        config_url = albamgr.configuration_path(config_key).replace("%", "%%")
        system.write_text(path, units.unit_text(units.asd_unit(asd_id, config_url), units.ALBA_LIB))
        self._systemctl("daemon-reload")
        self._systemctl("enable", name)
        code, output = self._systemctl("start", name)
        if code != 0:
            raise AsdError(500, f"Starting {name} failed: {output}")
        return asd_id

    def _find_asd(self, slot_id, asd_id):
        mountpoint = (self._slot_state().get(slot_id) or {}).get("mountpoint")
        config = self._asds().get(asd_id)
        if not mountpoint or config is None or not str(config.get("home", "")).startswith(mountpoint + "/"):
            raise AsdError(404, f"Could not find ASD {asd_id} on Slot {slot_id}")
        return config

    def remove_asd(self, config):
        """ASDController.remove_asd: stop and remove the service, its data and its config."""
        remove_asd(self.store, config, self._systemctl)

    def asd_delete(self, slot_id, asd_id):
        with _LOCK:
            self.remove_asd(self._find_asd(slot_id, asd_id))
        return {}

    def asd_restart(self, slot_id, asd_id):
        self._find_asd(slot_id, asd_id)
        self._systemctl("restart", asd_service(asd_id))
        return {}

    def slot_restart(self, slot_id):
        self._disk(slot_id)
        mountpoint = (self._slot_state().get(slot_id) or {}).get("mountpoint")
        for asd_id in on_mountpoint(self._asds(), mountpoint):
            self._systemctl("restart", asd_service(asd_id))
        return {}

    def clear_slot(self, slot_id):
        """DELETE /slots/<slot_id>: remove its ASDs, unmount and wipe the disk."""
        with _LOCK:
            state = self._slot_state()
            try:
                self._disk(slot_id)
            except AsdError:
                if slot_id not in state:
                    return {}  # the real API only logs a warning
                # a swapped disk: its ASDs and mount point are cleaned up
            mountpoint = (state.get(slot_id) or {}).get("mountpoint")
            if not mountpoint:
                raise AsdError(406, "Disk not yet configured")
            for config in on_mountpoint(self._asds(), mountpoint).values():
                self.remove_asd(config)
            shutil.rmtree(paths.real(mountpoint), ignore_errors=True)
            state.pop(slot_id, None)
            self._save_slot_state(state)
        return {}

    def get_slots(self):
        return {"data": self.slots()}

    # --- services -----------------------------------------------------------------------

    def _systemctl(self, *args):
        try:
            result = subprocess.run([self.systemctl, *args], capture_output=True, text=True,
                                    timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AsdError(500, f"systemctl failed: {exc}") from None
        return result.returncode, result.stdout.strip()

    def has_service(self, name):
        _, output = self._systemctl("show", "--property=LoadState", name)
        return output.strip() not in ("", "LoadState=not-found")

    def service_state(self, name):
        return self.service_states([name])[name]

    def service_states(self, names):
        """{name: state} of units, from one ``systemctl is-active <name>...`` (a line per unit, in
        order; a missing line: ``unknown``)."""
        if not names:
            return {}
        _, output = self._systemctl("is-active", *names)
        lines = [line.strip() for line in output.splitlines()]
        return {name: lines[index] if index < len(lines) else "unknown"
                for index, name in enumerate(names)}

    def service_status(self, name):
        if not self.has_service(name):
            return {"status": None, "data": None}
        state = self.service_state(name)
        status = [state == "active", state]
        return {"status": status, "data": status}

    # --- updates (SDMUpdateController) ---------------------------------------------------

    @staticmethod
    def update_package_information():
        """{"alba": {package: {installed, candidate}}} of alba and openvstorage-sdm."""
        return {"alba": packages.package_information().get("alba", {})}

    @staticmethod
    def update_install(package_name):
        if package_name not in packages.COMPONENTS["alba"]:
            raise AsdError(404, f"Package {package_name} is not managed by the ASD manager")
        packages.install([package_name])
        return {}

    @staticmethod
    def update_installed_version(package_name):
        version = packages.APT.installed([package_name]).get(package_name)
        return {"version": version, "data": version}

    @staticmethod
    def update_migration_code():
        return {}

    def update_restart_services(self, request_data):
        names = request_data.get("service_names") or []
        if isinstance(names, str):
            names = json.loads(names or "[]")
        restarted = [name for name in names if self.has_service(name)]
        for name in restarted:
            self._systemctl("restart", name)
        return {"restarted": restarted}

    def list_maintenance(self):
        _, output = self._systemctl("list-units", "--all", "--plain", "--no-legend",
                                    "--type=service", "alba-maintenance_*")
        services = []
        for line in output.splitlines():
            unit = line.split()[0] if line.split() else ""
            if unit.startswith("alba-maintenance_"):
                services.append(unit[:-len(".service")] if unit.endswith(".service") else unit)
        return {"services": services, "data": services}


    @staticmethod
    def _maintenance_unit(name, config_key):
        url = albamgr.configuration_path(config_key).replace("%", "%%")  # systemd specifiers
        return units.Unit(name, "openvstorage-sdm", "ALBA Maintenance", exec_start=(
            f"/usr/bin/alba maintenance --config={url}"))

    def add_maintenance(self, name, request_data):
        """MaintenanceController.add_maintenance_service: config + unit, started."""
        if not name.startswith("alba-maintenance_"):
            raise AsdError(500, f"Invalid maintenance service name {name}")
        for key in ("abm_name", "alba_backend_guid"):
            if key not in request_data:
                raise AsdError(500, f"'{key}'")
        config_key = f"/ovs/alba/backends/{request_data['alba_backend_guid']}/maintenance/{name}/config"
        path = os.path.join(paths.SYSTEMD_DIR, f"{name}.service")
        if not os.path.exists(path):
            self.store.set(config_key, {
                "log_level": "info",
                "albamgr_cfg_url": albamgr.config_url(request_data["abm_name"]),
                "read_preference": request_data.get("read_preferences") or [],
                "multicast_discover_osds": False})
            system.write_text(path, units.unit_text(self._maintenance_unit(name, config_key),
                                                    units.LIB_DIRS["openvstorage-sdm"]))
            self._systemctl("daemon-reload")
            self._systemctl("enable", name)
        code, output = self._systemctl("start", name)
        if code != 0:
            raise AsdError(500, f"Starting {name} failed: {output}")
        return {}

    def remove_maintenance(self, name, request_data):
        remove_unit(name, self._systemctl)
        guid = request_data.get("alba_backend_guid")
        if guid:
            self.store.delete(f"/ovs/alba/backends/{guid}/maintenance/{name}", recursive=True)
        return {}


# --- HTTP transport ---------------------------------------------------------------------

class Handler(JsonHandler):
    server_version = "Werkzeug/0.14.1"
    sys_version = "Python/3"
    log = LOG

    def _serve(self):
        status, body = self.server.app.handle(self.command, self.path, self.headers, self.body())
        self.answer(status, json.dumps(body).encode(), [("Content-Type", "application/json")])


class AsdApiServer(TlsHttpServer):
    thread_name = "asdapi"

    def __init__(self, app, bind, port, certfile=None, keyfile=None):
        super().__init__(app, bind, port, Handler, certfile, keyfile)


def make_server(store, bind, port, certfile=None, keyfile=None, node_id=None,
                systemctl="systemctl"):
    return AsdApiServer(AsdApp(store, node_id, systemctl), bind, port, certfile, keyfile)


def ensure_certificate(cert, key, ip):
    """A self-signed certificate if the setup left none (openssl is a dependency)."""
    if os.path.exists(cert) and os.path.exists(key):
        return
    os.makedirs(os.path.dirname(cert), exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                    "-days", "3650", "-keyout", key, "-out", cert, "-subj", "/CN=asd-manager",
                    "-addext", f"subjectAltName=IP:{ip},IP:127.0.0.1"],
                   capture_output=True, check=True)
    os.chmod(key, 0o600)


def main(argv=None):
    args = service_arguments(argv, "asd-manager-api", "ASD manager HTTP API",
                             ((None, "address (default: ip of config main)"),
                              (None, "port (default: port of config main)")),
                             paths.SDM_SSL_CERT, paths.SDM_SSL_KEY)
    try:
        store = open_store()
        node_id = read_node_id()
        if node_id is None:
            raise RuntimeError(f"{paths.SDM_ID} not found: run asd-manager setup first")
        main_config = store.get(f"{NODE_ROOT}/{node_id}/config/main") or {}
        bind = args.bind or main_config.get("ip") or "0.0.0.0"
        port = args.port or main_config.get("port") or 8500
        cert, key = args.cert, args.key
        ensure_certificate(cert, key, bind if bind != "0.0.0.0" else "127.0.0.1")
        server = make_server(store, bind, int(port), cert, key, node_id=node_id)
    except Exception as exc:
        print(f"asd-manager: cannot start: {exc}", file=sys.stderr)
        return 1
    LOG.info("Listening on https://%s:%s", bind, port)
    return server.run()


if __name__ == "__main__":
    sys.exit(main())
