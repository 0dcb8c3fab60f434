"""The catalogue of services the emulated packages ship, and which node kind runs what."""
from dataclasses import dataclass

DAEMON = "ovs_emulator.daemon"
LIB_DIRS = {"openvstorage": "/opt/OpenvStorage/lib", "openvstorage-sdm": "/opt/asd-manager/lib"}


@dataclass(frozen=True)
class Unit:
    name: str
    package: str
    description: str
    module: str = DAEMON  # python module run by the unit
    ports: tuple = ()  # TCP ports the service listens on
    flags: tuple = ()  # extra arguments for ovs_emulator.daemon
    exec_start: str = ""  # overrides the python module
    environment_file: str = ""

    @property
    def command(self):
        """The unit's ExecStart."""
        if self.exec_start:
            return self.exec_start
        if self.module != DAEMON:
            return f"/usr/bin/python3 -m {self.module}"
        args = [f"--name {self.name}", *(f"--listen {port}" for port in self.ports), *self.flags]
        return f"/usr/bin/python3 -m {DAEMON} " + " ".join(args)


def unit_text(unit, lib):
    """The systemd unit file of ``unit`` (library ``lib`` on PYTHONPATH)."""
    lines = ["[Unit]", f"Description={unit.description}", "Wants=network-online.target",
             "After=network-online.target", "", "[Service]", "Type=simple", "User=root",
             f"Environment=PYTHONPATH={lib}", "WorkingDirectory=/"]
    if unit.environment_file:
        lines.append(f"EnvironmentFile={unit.environment_file}")
    lines += [f"ExecStart={unit.command}", "Restart=on-failure", "RestartSec=5",
              "LimitNOFILE=65536", "", "[Install]", "WantedBy=multi-user.target", ""]
    return "\n".join(lines)


ARAKOON_PORTS = {"config": (26400, 26401), "ovsdb": (26402, 26403), "voldrv": (26404, 26405)}
ARAKOON_PORT_RANGE = (26400, 26499)  # /ovs/framework/hosts/<id>/ports|arakoon

UNITS = {unit.name: unit for unit in [
    Unit("ovs-arakoon-config", "openvstorage", "Arakoon cluster config (etcd)",
         ports=ARAKOON_PORTS["config"], exec_start="/usr/bin/etcd",
         environment_file="/etc/default/ovs-arakoon-config"),
    Unit("ovs-arakoon-ovsdb", "openvstorage", "Arakoon cluster ovsdb", ports=ARAKOON_PORTS["ovsdb"]),
    Unit("ovs-arakoon-voldrv", "openvstorage", "Arakoon cluster voldrv", ports=ARAKOON_PORTS["voldrv"]),
    Unit("ovs-webapp-api", "openvstorage", "Open vStorage API", module="ovs_emulator.webapi",
         ports=(443,)),
    Unit("ovs-scheduled-tasks", "openvstorage", "Open vStorage scheduled tasks",
         module="ovs_emulator.alba.scheduled"),
    Unit("ovs-volumerouter-consumer", "openvstorage", "Open vStorage volumerouter consumer"),
    Unit("ovs-workers", "openvstorage", "Open vStorage workers", module="ovs_emulator.workers"),
    Unit("ovs-watcher-framework", "openvstorage", "Open vStorage framework watcher",
         flags=("--sync-cacc",)),
    Unit("ovs-support-agent", "openvstorage", "Open vStorage support agent"),
    Unit("asd-manager", "openvstorage-sdm", "ASD manager", module="ovs_emulator.asdapi"),
    Unit("asd-watcher", "openvstorage-sdm", "ASD watcher", flags=("--sync-cacc",)),
]}

# Debian's own services the framework manages on masters, with their ports
EXTERNAL_PORTS = {"memcached": (11211,), "rabbitmq-server": (5672,)}
DEBIAN_SERVICES = list(EXTERNAL_PORTS)

MASTER_SERVICES = ["memcached", "rabbitmq-server", "ovs-arakoon-config", "ovs-arakoon-ovsdb",
                   "ovs-arakoon-voldrv", "ovs-scheduled-tasks", "ovs-webapp-api",
                   "ovs-volumerouter-consumer"]
FRAMEWORK_SERVICES = ["ovs-workers", "ovs-watcher-framework", "ovs-support-agent"]
SDM_SERVICES = ["asd-manager", "asd-watcher"]


def ports_of(name):
    return UNITS[name].ports if name in UNITS else EXTERNAL_PORTS.get(name, ())


def services_for(node_type, heartbeats=True):
    """Services a framework node of ``node_type`` (MASTER|EXTRA) runs."""
    services = list(MASTER_SERVICES) if node_type == "MASTER" else []
    return services + [s for s in FRAMEWORK_SERVICES if heartbeats or s != "ovs-support-agent"]

# packages a framework node (controller or compute node) carries, and whether they must be there
FRAMEWORK_PACKAGES = {"openvstorage": True, "openvstorage-hc": True, "openvstorage-backend": False,
                      "alba": False, "volumedriver-no-dedup-server": False}


# --- vPool services (written and started on the storage router by its ovs-workers) ----------
# StorageDriverInstaller: ovs-volumedriver_<vpool>, ovs-dtl_<vpool>, ovs-albaproxy_<vpool>_<n>;
# ports from /ovs/framework/hosts/<machine_id>/ports|storagedriver (default [[26200, 26299]])

def volumedriver_unit(vpool, ports):
    """The volumedriver of ``vpool``: management, xmlrpc and edge ports."""
    return Unit(f"ovs-volumedriver_{vpool}", "openvstorage", f"Open vStorage volumedriver ({vpool})",
                ports=(ports["management"], ports["xmlrpc"], ports["edge"]))


def dtl_unit(vpool, port):
    return Unit(f"ovs-dtl_{vpool}", "openvstorage", f"Open vStorage distributed transaction log ({vpool})",
                ports=(port,))


def albaproxy_unit(vpool, number, port):
    return Unit(f"ovs-albaproxy_{vpool}_{number}", "openvstorage", f"ALBA proxy ({vpool})",
                ports=(port,))


# --- ALBA ASDs (made by the ASD manager, one unit per ASD) -----------------------------
ALBA_LIB = "/usr/lib/alba/lib"


def asd_unit(asd_id, config_url):
    """The ``alba-asd-<asd_id>`` unit the ASD manager writes (its template
    config/systemd/alba-asd.service): ``alba asd-start --config <url> --log-sink <sink>``."""
    return Unit(f"alba-asd-{asd_id}", "alba", f"ALBA ASD {asd_id}",
                exec_start=f"/usr/bin/alba asd-start --config {config_url} --log-sink console:")
