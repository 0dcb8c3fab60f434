"""``asd-manager setup`` (package openvstorage-sdm)."""
import glob
import json
import os
import shutil

from ovs_emulator import asdapi, paths, store, system, ui
from ovs_emulator.validate import REGEX_IP, preconfig_section, verify_required_params

EXPECTED_KEYS = ["api_ip", "api_port", "asd_ips", "asd_start_port", "configuration_store", "ipmi"]
NOT_A_DICT = ('The ASD manager pre-configuration file must contain a "asdmanager" key with a '
              'dictionary as value')
REQUIRED_PARAMS = {"api_ip": (str, REGEX_IP, True),
                   "asd_ips": (list, REGEX_IP, False),
                   "api_port": (int, {"min": 1025, "max": 65535}, False),
                   "asd_start_port": (int, {"min": 1025, "max": 65435}, False),
                   "configuration_store": (str, ["arakoon"], False),
                   "ipmi": (dict, {"ip": (str, REGEX_IP), "username": (str, None), "pwd": (str, None)}, False)}
CACC_LOCATION = "/opt/OpenvStorage/config/arakoon_cacc.ini"


class SetupFailed(Exception):
    """Ends the setup with the lines of the exception in a box, exit 1."""


def read_preconfig():
    config = preconfig_section(paths.SDM_PRECONFIG, "asdmanager", NOT_A_DICT, SetupFailed)
    errors = [f"Key {key} is not supported by the ASD manager" for key in config if key not in EXPECTED_KEYS]
    if errors:
        raise SetupFailed("Errors found while verifying pre-configuration:",
                          " - {0}".format("\n - ".join(errors)), "",
                          "Allowed keys:\n - {0}".format("\n - ".join(EXPECTED_KEYS)))
    try:
        verify_required_params(REQUIRED_PARAMS, config)
    except RuntimeError as exc:
        raise SetupFailed("The asd-manager pre-configuration file does not contain correct "
                          f"information\n{exc}") from None
    return {"api_ip": config["api_ip"], "api_port": config.get("api_port", 8500),
            "asd_ips": config.get("asd_ips", []), "asd_start_port": config.get("asd_start_port", 8600),
            "ipmi": config.get("ipmi")}


def validate_network(config):
    local_ips = system.local_ips()
    if config["api_ip"] not in local_ips:
        raise SetupFailed(f"Unknown API IP provided, please choose from: {', '.join(local_ips)}")
    if set(config["asd_ips"]).difference(local_ips):
        raise SetupFailed(f"Unknown ASD IP provided, please choose from: {', '.join(local_ips)}")
    start = config["asd_start_port"]
    if start <= config["api_port"] < start + 100:
        raise SetupFailed("API port cannot be in the range of the ASD port + 100")


def store_settings(config):
    """The node's keys under /ovs/alba/asdnodes/<node_id>/config; returns the node id."""
    try:
        config_store = store.open_store()
        node_id = system.node_id(paths.SDM_ID)
        base = f"/ovs/alba/asdnodes/{node_id}/config"
        config_store.set(f"{base}/main", {"ip": config["api_ip"], "port": config["api_port"],
                                          "node_id": node_id, "version": 0, "username": "root",
                                          "password": system.random_id(32)})
        config_store.set(f"{base}/network", {"ips": config["asd_ips"], "port": config["asd_start_port"]})
        if config["ipmi"]:
            config_store.set(f"{base}/ipmi", config["ipmi"])
    except store.StoreError:
        raise SetupFailed("Could not connect to Arakoon") from None
    return node_id


def setup():
    ui.box("ASD Manager setup")
    if system.is_enabled("asd-manager"):
        ui.say("")
        raise SetupFailed("The ASD Manager is already installed.")
    config = read_preconfig()
    validate_network(config)
    if not os.path.exists(paths.CACC_INI):
        raise SetupFailed(f"Please place a copy of the Arakoon's client configuration file at: {CACC_LOCATION}")
    system.write_text(paths.SDM_PRECONFIG, json.dumps({"asdmanager": {
        key: config[key] for key in ("api_ip", "asd_ips", "api_port", "asd_start_port")}}, indent=4))
    system.write_text(paths.SDM_FRAMEWORK_JSON, json.dumps({"configuration_store": "arakoon"}, indent=4))
    ui.say(" - Store settings in DB")
    store_settings(config)
    ui.say(" - Deploying and starting services")
    system.make_certificate(paths.SDM_SSL_CERT, paths.SDM_SSL_KEY, config["api_ip"], system.hostname())
    system.enable_start("asd-manager")
    ui.say(" - Starting watcher service")
    try:
        system.enable_start("asd-watcher")
    except RuntimeError as exc:
        raise SetupFailed("Starting watcher failed with error:", str(exc)) from None
    ui.box("ASD Manager setup completed")


def main():
    try:
        setup()
    except SetupFailed as exc:
        ui.box(*exc.args)
        return 1
    return 0


# --- asd-manager remove (alba-asdmanager source/asdmanager.py remove) --------------------

def _node_store():
    """(store, node_id) of this ASD node; SetupFailed when the store cannot be reached."""
    node_id = (system.read_text(paths.SDM_ID) or "").strip()
    try:
        config_store = store.open_store()
        config_store.exists(f"/ovs/alba/asdnodes/{node_id}/config/main")
    except store.StoreError:
        raise SetupFailed("Could not connect to Arakoon") from None
    return config_store, node_id


def _remove_maintenance(config_store):
    """The node's ``alba-maintenance*`` units and their configs."""
    for path in sorted(glob.glob(os.path.join(paths.SYSTEMD_DIR, "alba-maintenance*.service"))):
        name = os.path.basename(path)[:-len(".service")]
        asdapi.remove_unit(name, system.systemctl)
        for guid in config_store.list("/ovs/alba/backends"):
            config_store.delete(f"/ovs/alba/backends/{guid}/maintenance/{name}", recursive=True)


def remove(force_yes=False):
    """Removes the ASDs and disks, services and the node's configuration; does not purge the
    OSDs from their backends."""
    ui.box("ASD Manager removal")
    if not system.is_enabled("asd-manager"):
        raise SetupFailed("The ASD Manager has already been removed")
    config_store, node_id = _node_store()
    asds = asdapi.asds_of(config_store, node_id)
    if asds and not force_yes and not ui.ask_yesno("DATA LOSS possible if proceeding! Continue?"):
        return 1
    ui.say(" - Removing ASDs and disks")
    for config in asds.values():
        asdapi.remove_asd(config_store, config, system.systemctl)
    slots_file = paths.real(asdapi.SLOT_STATE)
    prepared = json.loads(system.read_text(slots_file) or "{}")
    for entry in prepared.values():
        shutil.rmtree(paths.real(entry.get("mountpoint") or "/nonexistent"), ignore_errors=True)
    if os.path.exists(slots_file):
        os.remove(slots_file)
    ui.say(" - Removing services")
    _remove_maintenance(config_store)
    for name in ("asd-watcher", "asd-manager"):
        system.disable_stop(name)
    ui.say(" - Removing configuration")
    config_store.delete(f"/ovs/alba/asdnodes/{node_id}", recursive=True)
    ui.box("ASD Manager removal completed")
    return 0


def remove_main(force_yes=False):
    try:
        return remove(force_yes)
    except SetupFailed as exc:
        ui.box(*exc.args)
        return 1
