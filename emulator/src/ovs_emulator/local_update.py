"""``ovs local_update alba|volumedriver``: one component on this node only (framework
ovs/update/, ovs_extensions/update/base.py ComponentUpdater, alba_component_update.py).

Exit codes (``error_code`` of the real exceptions): 0 done or ``No update is required``;
1 any other failure; 3 ``An update is already in progress for component <c> with identifier
<id>``; 21 the vDisks cannot all be moved away; 22 a move failed during the migration; 61
``Couldn't find arakoon master node after 10 attempts``; 62 invalid alba version. Progress
goes to /var/log/ovs/update.log (the lines also on stdout).
"""
import os
import time

from ovs_emulator import actions, arakoon_services, packages, paths, served, store, system, vdisks
from ovs_emulator.model import Model
from ovs_emulator.update import UpdateLog, wait_for_cluster

BINARIES = {"alba": ["alba"], "volumedriver": ["volumedriver-no-dedup-server"]}
REGISTRATION = "/ovs/framework/update/local/{component}"
MASTER_ATTEMPTS = 10
ATTEMPT_SLEEP = 1.0


class UpdateError(EnvironmentError):
    error_code = 1


def _error(name, code):
    """An UpdateError subclass with the real exception's exit code."""
    return type(name, (UpdateError,), {"error_code": code})


UpdateInProgress = _error("UpdateInProgressException", 3)
FailedToMigrate = _error("FailedToMigrateException", 21)
FailureDuringMigrate = _error("FailureDuringMigrateException", 22)
NoMasterFound = _error("NoMasterFoundException", 61)
InvalidAlbaVersion = _error("InvalidAlbaVersionException", 62)


class Log(UpdateLog):
    def write(self, level, message):
        super().write(level, message)
        print(message, flush=True)


LOG = Log(source="update")


def update_required(names):
    """ComponentUpdater.is_update_required: a candidate newer than the installed version."""
    LOG.info(f"Retrieving installed versions for {', '.join(names)}")
    installed = packages.APT.installed(names)
    LOG.info(f"Retrieving candidate versions for {', '.join(names)}")
    candidates = packages.APT.candidates(names)
    if len(candidates) != len(names):
        raise UpdateError(f"Not all packages were accounted for. Required {', '.join(names)}. "
                          f"Found: {', '.join(candidates)}")
    for name, version in candidates.items():
        if name not in installed:
            LOG.info(f"{name} is not yet installed. Update required")
            return True
        if packages.version_key(installed[name]) < packages.version_key(version):
            LOG.info(f"{name} can be updated")
            return True
    return False


class Registration:
    """The update lock of a component in the cluster (held by this node's machine id)."""

    def __init__(self, config_store, component, identifier):
        self.store, self.identifier = config_store, identifier
        self.key = REGISTRATION.format(component=component)
        self.component = component

    def __enter__(self):
        if not self.store.set_if_absent(self.key, {"identifier": self.identifier}):
            holder = (self.store.get(self.key) or {}).get("identifier")
            if holder != self.identifier:
                raise UpdateInProgress(f"An update is already in progress for component {self.component} "
                                       f"with identifier {holder}")
        LOG.info("Got a hold of the lock")
        return self

    def __exit__(self, *exc):
        self.store.delete(self.key)
        return False


def do_update(component, config_store=None):
    """ComponentUpdater.do_update; the exit code."""
    machine_id = (system.read_text(paths.OVS_ID) or "").strip()
    config_store = config_store or store.open_store()
    LOG.info(f"Starting {component} update for {machine_id}")
    updater = UPDATERS[component](Model(config_store), machine_id)
    try:
        if not update_required(BINARIES[component]):
            LOG.info("No update is required")
            return 0
        with Registration(config_store, component, machine_id):
            updater.update_binaries()
            updater.restart_services()
    except Exception as exc:
        LOG.error(f"Exception during update of {component} for {machine_id}: {exc}")
        return getattr(exc, "error_code", 1)
    return 0


def _unit_names(prefix):
    directory = paths.SYSTEMD_DIR
    names = os.listdir(directory) if os.path.isdir(directory) else []
    return sorted(name[:-len(".service")] for name in names
                  if name.startswith(prefix) and name.endswith(".service"))


class ComponentUpdater:
    def __init__(self, model, machine_id):
        self.model, self.machine_id = model, machine_id
        self.router = model.find_one("storagerouter", machine_id=machine_id)

    def update_binaries(self):
        LOG.info("Starting to update all binaries")
        for name in BINARIES[self.component]:
            LOG.info(f"Updating package {name}")
            packages.install([name])

    def restart(self, names):
        for name in names:
            LOG.info(f"Restarting service {name}")
            if system.systemctl("restart", name).returncode != 0:
                LOG.warning(f"Failed to restart service {name}")


class AlbaUpdater(ComponentUpdater):
    """AlbaComponentUpdater: the alba binary, then this node's ABM/NSM Arakoon nodes (each once
    its cluster has a master), maintenance agents, ASDs and proxies."""
    component = "alba"

    def update_binaries(self):
        candidate = packages.APT.candidates(["alba"], refresh=False).get("alba")
        super().update_binaries()
        installed = packages.APT.installed(["alba"]).get("alba")
        if installed is None or installed != candidate:
            raise InvalidAlbaVersion("Invalid alba version has been found and used for updating "
                                     f"alternatives: {installed or 'None'}")

    def arakoon_master(self, cluster):
        """A node of ``cluster`` that answers (the real one asks the cluster for its master)."""
        for attempt in range(1, MASTER_ATTEMPTS + 1):
            for node in arakoon_services.cluster_nodes(self.model.store, cluster):
                if node.name != self.machine_id and system.port_open(node.ip, node.client_port):
                    return node
            if len(arakoon_services.cluster_nodes(self.model.store, cluster)) == 1:
                return None  # a single node cluster is its own master
            if attempt < MASTER_ATTEMPTS:
                time.sleep(ATTEMPT_SLEEP)
        raise NoMasterFound(f"Couldn't find arakoon master node after {MASTER_ATTEMPTS} attempts")

    def restart_services(self):
        LOG.info("Restarting all related services")
        for cluster in arakoon_services.clusters_on(self.model.store, self.machine_id):
            self.arakoon_master(cluster)
            self.restart([arakoon_services.service_name(cluster)])
            wait_for_cluster(self.model.store, cluster)
        self.restart(_unit_names("alba-maintenance_") + _unit_names("alba-asd-") + _unit_names("ovs-albaproxy_"))


class VolumeDriverUpdater(ComponentUpdater):
    """VolumeDriverUpdater: the vDisks moved to other storage routers of their vPool, the
    volume driver (and DTL) restarted, the vDisks moved back."""
    component = "volumedriver"

    def plan(self):
        """[(vdisk, target storagerouter guid)] for every vDisk served here."""
        plan, impossible = [], []
        for driver in self.model.find("storagedriver", storagerouter_guid=self.router["guid"]):
            others = [sd for sd in self.model.find("storagedriver", vpool_guid=driver["vpool_guid"])
                      if sd["guid"] != driver["guid"]]
            served_here = sorted(self.model.find("vdisk", storagedriver_guid=driver["guid"]), key=lambda v: v["name"])
            for index, vdisk in enumerate(served_here):
                if others:
                    plan.append((vdisk, others[index % len(others)]["storagerouter_guid"]))
                else:
                    impossible.append(vdisk["name"])
        if impossible:
            raise FailedToMigrate(f"Unable to migrate all volumes away from this machine: {', '.join(impossible)}")
        return plan

    def move(self, plan, back=False):
        failed = []
        for vdisk, target in plan:
            try:
                vdisks.move(self.model, vdisk["guid"], self.router["guid"] if back else target)
            except (RuntimeError, actions.NodeUnreachable) as exc:
                failed.append(f"{vdisk['name']}: {exc}")
        if failed:
            raise FailureDuringMigrate("Some volumes could not be moved: " + "; ".join(failed))

    def restart_services(self):
        LOG.info("Preparing to restart the related services")
        plan = self.plan()
        LOG.info(f"Marking Storagerouter {self.router['name']} as unavailable for HA")
        self.move(plan)
        LOG.info("Restarting all related services")
        vpools = [(self.model.get("vpool", d["vpool_guid"]) or {}).get("name")
                  for d in self.model.find("storagedriver", storagerouter_guid=self.router["guid"])]
        self.restart([f"{served.VOLUMEDRIVER_PREFIX}{name}" for name in vpools] +
                     [f"ovs-dtl_{name}" for name in vpools])
        LOG.info(f"Marking Storagerouter {self.router['name']} as available for HA")
        self.move(plan, back=True)


UPDATERS = {"alba": AlbaUpdater, "volumedriver": VolumeDriverUpdater}
