"""``ovs setup``: unattended framework node setup (first master, joining master, extra)."""
import json
import os
import subprocess
import time

from ovs_emulator import arakoon, disks, model, nodetype, paths, remote, store, system, ui, units
from ovs_emulator.validate import REGEX_IP, preconfig_section, verify_required_params

FRAMEWORK_VERSION = 9  # the model/config version the real framework 2.7 writes
EXPECTED_KEYS = ["cluster_ip", "enable_heartbeats", "external_config", "logging_target",
                 "master_ip", "master_password", "node_type", "rdma", "rollback"]
NOT_A_DICT = ('The OpenvStorage pre-configuration file must contain a "setup" key with a '
              'dictionary as value')
REQUIRED_PARAMS = {"cluster_ip": (str, REGEX_IP, False),
                   "enable_heartbeats": (bool, None, False),
                   "external_config": (str, None, False),
                   "logging_target": (dict, None, False),
                   "master_ip": (str, REGEX_IP),
                   "master_password": (str, None),
                   "node_type": (str, ["master", "extra"], False),
                   "rdma": (bool, None, False),
                   "rollback": (bool, None, False)}
ALREADY_CONFIGURED = ("This node has already been configured for Open vStorage. "
                      "Re-running the setup is not supported.")
# files a joining node copies from the master (real paths on the master)
MASTER_FILES = ["/opt/OpenvStorage/config/arakoon_cacc.ini",
                "/opt/OpenvStorage/config/framework.json"]


def read_preconfig(node_type=None):
    """The validated ``setup`` section of preconfig.json, with defaults filled in."""
    config = preconfig_section(paths.PRECONFIG, "setup", NOT_A_DICT, ValueError)
    errors = [f"Key {key} is not supported by OpenvStorage to be used in the pre-configuration JSON"
              for key in config if key not in EXPECTED_KEYS]
    if errors:
        raise ValueError("\nErrors found while verifying pre-configuration:\n - {0}\n\n"
                         "Allowed keys:\n - {1}".format("\n - ".join(errors), "\n - ".join(EXPECTED_KEYS)))
    verify_required_params(REQUIRED_PARAMS, config)
    return {"master_ip": config["master_ip"],
            "master_password": config["master_password"],
            "cluster_ip": config.get("cluster_ip") or config["master_ip"],
            "node_type": config.get("node_type") or node_type,
            "enable_heartbeats": config.get("enable_heartbeats", True),
            "external_config": config.get("external_config"),
            "logging_target": config.get("logging_target"),
            "rdma": config.get("rdma", False)}


class NodeSetup:
    """One run of ``ovs setup`` on this node."""

    def __init__(self, config):
        self.config = config
        self.ip = config["cluster_ip"]
        self.master_ip = config["master_ip"]
        self.node_type = config["node_type"]
        self.first_node = self.ip == self.master_ip
        self.cluster_name = "preconfig-{0}".format(self.master_ip.replace(".", "-"))
        self.hostname = system.hostname()
        self.machine_id = None
        self.store = None
        self.master_files = {}

    # --- the flow ---------------------------------------------------------------------
    def run(self):
        ui.title("Setting up connections")
        self.machine_id = system.node_id(paths.OVS_ID)
        self.check_not_configured()
        ui.title("Collecting cluster information")
        self.collect_cluster_information()
        ui.title("Preparing node")
        ui.say("Generating SSL certificate")
        system.make_certificate(paths.SSL_CERT, paths.SSL_KEY, self.ip, self.hostname)
        if self.first_node:
            self.setup_first_node()
            is_master = True
        else:
            self.setup_extra_node()
            ui.say("Analyzing cluster layout")
            masters = arakoon.cluster_nodes(self.store, "ovsdb")
            is_master = (len(masters) < 3 or self.node_type == "master") and self.node_type != "extra"
            if is_master:
                self.promote_node()
        if self.config["enable_heartbeats"]:
            ui.say("")
            ui.box("Open vStorage securely sends a minimal set of error, usage and health",
                   "information. This information is used to keep the quality and performance",
                   "of the code at the highest possible levels.",
                   "Please refer to the documentation for more information.")
        ui.say("")
        ui.box("Setup complete.",
               f"Point your browser to https://{self.ip if is_master else self.master_ip} to use Open vStorage")

    def check_not_configured(self):
        if not os.path.exists(paths.CACC_INI):
            return
        self.store = store.open_store()
        host = f"/ovs/framework/hosts/{self.machine_id}"
        node_type = self.store.get(f"{host}/type")
        if self.store.get(f"{host}/setupcompleted") is True and (
                node_type == "EXTRA" or self.store.get(f"{host}/promotecompleted") is True):
            raise RuntimeError(ALREADY_CONFIGURED)

    def collect_cluster_information(self):
        """Validate the IPs against this node and the cluster's storage routers."""
        local_ips = system.local_ips()
        if self.first_node:
            if self.node_type == "extra":
                raise ValueError('A 1st node can never be installed as an "extra" node')
            nodes = {self.hostname: {"ip": self.master_ip, "type": "master"}}
        else:
            self.master_files = remote.fetch_files(self.master_ip, self.config["master_password"],
                                                   MASTER_FILES)
            _, cacc_nodes = store.parse_cacc(self.master_files[MASTER_FILES[0]])
            self.store = store.EtcdStore(nodes=cacc_nodes)
            nodes = {sr["name"]: {"ip": sr["ip"], "type": sr["node_type"].lower()}
                     for sr in model.objects(self.store, "storagerouter")}
            master_ips = [info["ip"] for info in nodes.values() if info["type"] == "master"]
            if self.master_ip not in master_ips:
                if master_ips:
                    raise ValueError("Incorrect master IP provided, please choose from: "
                                     + ", ".join(master_ips))
                raise ValueError(f"Could not load master information at {self.master_ip}. "
                                 "Is that node running correctly?")
        if self.ip not in local_ips:
            raise ValueError("{0} IP provided {1} is not in the list of local IPs: {2}".format(
                "Master" if self.first_node else "Cluster", self.ip, ", ".join(local_ips)))
        if not self.first_node and self.ip in [info["ip"] for info in nodes.values()]:
            raise ValueError(f"Node with public IP {self.ip} is already part of cluster "
                             f"{self.cluster_name}")

    def setup_first_node(self):
        ui.title("Setting up first node")
        cluster_id = system.random_id()
        ui.say("Setting up configuration management")
        system.write_text(paths.FRAMEWORK_JSON, json.dumps(
            {"configuration_store": "arakoon", "cluster_id": cluster_id}, indent=4))
        ui.say("Setting up configuration Arakoon")
        arakoon.write_etcd_environment(self.machine_id, self.ip,
                                       {self.machine_id: arakoon.peer_url(self.ip)}, "new", cluster_id)
        self.start("ovs-arakoon-config")
        self_node = arakoon.node(self.machine_id, self.ip)
        self.store = store.EtcdStore(nodes=[self_node])
        arakoon.wait_until_ready(self.store)
        store.write_cacc([self_node])
        arakoon.set_cluster_nodes(self.store, "config", [self_node])
        self.initialize_configuration(cluster_id)
        self.initialize_host()
        for cluster in ("ovsdb", "voldrv"):
            ui.say(f"Setting up Arakoon cluster {cluster}")
            arakoon.add_node(self.store, cluster, self.machine_id, self.ip)
        ui.say("Build configuration files")
        self.store.set("/ovs/framework/messagequeue", {
            "endpoints": [f"{self.ip}:5672"], "metadata": {"internal": True}, "protocol": "amqp",
            "user": "ovs", "password": "0penv5tor4ge", "queues": {"storagedriver": "volumerouter"}})
        self.store.set("/ovs/framework/memcache", {"endpoints": [f"{self.ip}:11211"],
                                                  "metadata": {"internal": True}})
        ui.say("Start model migration")
        model.create_admin(self.store)
        ui.title("Finalizing setup")
        self.finalize("MASTER")
        ui.say("Starting services on 1st node")
        for service in units.services_for("MASTER", self.config["enable_heartbeats"]):
            self.start(service)
        host = f"/ovs/framework/hosts/{self.machine_id}"
        self.store.set(f"{host}/setupcompleted", True)
        self.store.set(f"{host}/promotecompleted", True)
        self.store.set(f"{host}/type", "MASTER")
        self.store.set("/ovs/framework/install_time", time.time())
        ui.say("First node complete")

    def setup_extra_node(self):
        ui.title("Adding extra node")
        # the client file in the store is the current one (the master's copy may lag behind)
        cacc_text = self.store.get_raw(store.CACC_KEY) or self.master_files[MASTER_FILES[0]]
        system.write_text(paths.FRAMEWORK_JSON, self.master_files[MASTER_FILES[1]])
        system.write_text(paths.CACC_INI, cacc_text)
        self.store = store.open_store()
        self.initialize_host()
        self.finalize("EXTRA")
        ui.say("Starting services")
        heartbeats = self.store.get("/ovs/framework/support|enabled", True)
        for service in units.services_for("EXTRA", heartbeats):
            self.start(service)
        for service in units.DEBIAN_SERVICES:
            system.disable_stop(service)
        host = f"/ovs/framework/hosts/{self.machine_id}"
        self.store.set(f"{host}/setupcompleted", True)
        self.store.set(f"{host}/type", "EXTRA")
        ui.say("Extra node complete")

    def promote_node(self):
        self.store = nodetype.promote_node(self.store, self.machine_id, self.ip)

    # --- steps ------------------------------------------------------------------------
    def initialize_configuration(self, cluster_id):
        """The cluster-wide /ovs/framework keys of a new cluster."""
        heartbeats = self.config["enable_heartbeats"]
        backend = "openvstorage-backend" in system.installed_packages()
        values = {
            "cluster_id": cluster_id,
            "cluster_name": self.cluster_name,
            "external_config": self.config["external_config"],
            "rdma": self.config["rdma"],
            "edition": "community",
            "arakoon_clusters": {"ovsdb": "ovsdb", "voldrv": "voldrv"},
            "paths": {"cfgdir": "/opt/OpenvStorage/config", "basedir": "/opt/OpenvStorage",
                      "ovsdb": arakoon.DB_DIR},
            "support": {"enabled": heartbeats, "enablesupport": heartbeats, "interval": 60},
            "webapps": {"html_endpoint": "/", "oauth2": {"mode": "local"}},
            "plugins/installed": {"backends": ["alba"] if backend else [],
                                  "generic": ["alba"] if backend else []},
            "logging": self.config["logging_target"] or {"type": "console"},
        }
        for key, value in values.items():
            self.store.set(f"/ovs/framework/{key}", value)

    def initialize_host(self):
        host = f"/ovs/framework/hosts/{self.machine_id}"
        values = {"ip": self.ip, "type": "UNCONFIGURED", "setupcompleted": False,
                  "promotecompleted": False, "versions": {"ovs": FRAMEWORK_VERSION},
                  "ports": {"storagedriver": [[26200, 26299]], "mds": [[26300, 26399]],
                            "arakoon": [[26400, 26499]]},
                  "storagedriver": {"rsp": "/var/rsp", "vmware_mode": "ganesha"}}
        for key, value in values.items():
            self.store.set(f"{host}/{key}", value)

    def finalize(self, node_type):
        ui.say("Configuring/updating model")
        model.storagerouter(self.store, self.hostname, self.ip, self.machine_id, node_type,
                            self.config["rdma"])
        ui.say("Collecting disk information")
        disks.sync_disks(self.store, self.machine_id)

    def start(self, service):
        nodetype.start_service(self.ip, service)


def run_asd_manager_setup():
    if os.path.exists(paths.ASD_MANAGER_BIN):
        ui.say("\nA local ASD Manager was detected for which the setup will now be launched.\n")
        subprocess.run([paths.ASD_MANAGER_BIN, "setup"], check=False)


def main(node_type=None):
    """``ovs setup [master|extra]``; returns the exit code."""
    ui.box("Open vStorage Setup")
    try:
        NodeSetup(read_preconfig(node_type)).run()
    except Exception as exc:  # every failure ends in the error box
        ui.say("\n")
        ui.box("An unexpected error occurred:", str(exc).lstrip("\n"))
        return 1
    run_asd_manager_setup()
    return 0
