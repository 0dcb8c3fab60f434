"""Cluster updates (framework ovs/lib/update.py UpdateController, ovs/lib/generic.py
refresh_package_information; framework-alba-plugin ovs/lib/albaupdate.py).

- ``refresh_package_information(model)``: every storage router (through its ovs-workers) and
  every ASD node (``GET /update/package_information`` of its manager) reads its installed and
  candidate versions; kept as ``package_information`` {component: {package: {installed,
  candidate}}} and ``update_reachable`` on the storagerouter / albanode objects.
- ``merge_package_information(model)`` {ip: that}; ``get_update_information(model)`` {component:
  {downtime, prerequisites}} with the real rules; ``get_update_metadata(model, ip)``.
- ``start_background(components)``: what ``ovs update c1,c2`` does (a transient systemd unit,
  so that the run survives the restarts it makes); ``execute_update(components)``: the run,
  logged in /var/log/ovs/update.log.
"""
import fcntl
import os
import shutil
import subprocess
import sys
import time

from ovs_emulator import (actions, alba, arakoon_services, packages, paths, release, store, system,
                          units)
from ovs_emulator.model import Model

COMPONENTS = ("framework", "storagedriver", "alba")
REFRESH_TIMEOUT = 30.0  # seconds a storage router gets to answer (apt-get update included)
CLUSTER_TIMEOUT = 60.0  # seconds an Arakoon cluster gets to come back after a node restart
LOCK_WAIT = 2.0
INSTALL_TIMEOUT = 300.0  # seconds an ASD manager gets to install a package
DESCRIPTION = {"stop": "stopping", "start": "starting", "restart": "restarting"}
MIGRATIONS_KEY = "/ovs/framework/migrations"
# services stopped before the packages are installed, by importance (ServiceFactory)
STOP_START = {"framework": ["ovs-watcher-framework", "memcached"]}
# services restarted after the install on each storage router (non-Arakoon part); the
# emulator's framework services do not hang under ovs-watcher-framework, so they are listed
FRAMEWORK_RESTART = ["ovs-webapp-api", "ovs-scheduled-tasks", "ovs-volumerouter-consumer",
                     "ovs-support-agent"]


class UpdateLog:
    """/var/log/ovs/update.log, the real logger's line shape."""

    def __init__(self, source="lib_update"):
        self.source = source

    def write(self, level, message):
        os.makedirs(os.path.dirname(paths.UPDATE_LOG), exist_ok=True)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S") + f" {int(time.time() * 1e6) % 1000000:06d}"
        with open(paths.UPDATE_LOG, "a", encoding="utf-8") as handle:
            handle.write(f"{stamp} +0000 - {system.hostname()} - {os.getpid()} - update/{self.source} "
                         f"- {level} - {message}\n")

    def info(self, message):
        self.write("INFO", message)

    def warning(self, message):
        self.write("WARNING", message)

    def error(self, message):
        self.write("ERROR", message)


LOG = UpdateLog()


# --- node actions (ovs-workers of each storage router) ----------------------------------

@actions.action("update_package_information")
def update_package_information(config_store, machine_id):
    return packages.package_information()


@actions.action("update_metadata")
def update_metadata(config_store, machine_id):
    """The node's part of get_update_metadata: /etc/update_ongoing, and whether a run can be
    started in the background (the emulator uses systemd-run, the real one ``at``)."""
    return {"update_ongoing": os.path.exists(paths.UPDATE_ONGOING),
            "at_ok": bool(shutil.which("systemd-run") or shutil.which("at"))}


@actions.action("update_files")
def update_files(config_store, machine_id, present, names):
    """/etc/ready_for_upgrade and /etc/update_ongoing made (``present``) or removed."""
    for name in names:
        path = {"ready_for_upgrade": paths.READY_FOR_UPGRADE, "update_ongoing": paths.UPDATE_ONGOING}[name]
        if present:
            system.write_text(path, "")
        elif os.path.exists(path):
            os.remove(path)


@actions.action("change_services")
def change_services(config_store, machine_id, services, action):
    """``systemctl <action>`` of the ``services`` this node has; the names changed."""
    changed = []
    for name in services:
        if system.is_enabled(name):  # a service the node runs (Debian's disabled memcached is not)
            result = system.systemctl(action, name)
            if result.returncode != 0 and action == "stop":
                raise RuntimeError(f"Something went wrong stopping service {name}")
            changed.append(name)
    return changed


@actions.action("install_packages")
def install_packages(config_store, machine_id, names):
    return packages.install(names)


@actions.action("run_migrations")
def run_migrations(config_store, machine_id):
    """The migration code of the INSTALLED release, in a fresh process (as the real
    ``remote(ip, [Migrator])`` imports the new code)."""
    return fresh_process(["migrate"])


@actions.action("restart_arakoon_node")
def restart_arakoon_node(config_store, machine_id, cluster):
    service = arakoon_services.service_name(cluster)
    system.systemctl("restart", service)
    return system.is_active(service)


@actions.action("restart_workers")
def restart_workers(config_store, machine_id):
    """ovs-workers restarted a second after this job has answered (a restart at once kills the
    worker before its answer is written, and the caller would wait for its timeout)."""
    if not system.run_later(1, "systemctl", "restart", "ovs-workers"):
        system.systemctl("--no-block", "restart", "ovs-workers")


def fresh_process(args):
    """``python3 -m ovs_emulator.update <args>`` (tests replace it)."""
    result = subprocess.run([sys.executable, "-m", "ovs_emulator.update", *args],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError((result.stderr or result.stdout).strip())
    return result.stdout.strip()


def migrate(config_store):
    """The framework migrations of this release: from release 2 on, /ovs/framework/migrations says
    the last release whose migrations ran."""
    if release.RELEASE >= 2:
        current = config_store.get(MIGRATIONS_KEY) or {}
        if current.get("release", 0) < release.RELEASE:
            config_store.set(MIGRATIONS_KEY, {"release": release.RELEASE})
    return release.RELEASE


# --- package information ----------------------------------------------------------------

def routers(model):
    return sorted(model.all("storagerouter"), key=lambda r: tuple(int(p) for p in r["ip"].split(".")))


def refresh_package_information(model):
    """GenericController.refresh_package_information (+ the ALBA plugin's ASD node part)."""
    for router in routers(model):
        try:
            info = actions.call(model.store, router["machine_id"], "update_package_information",
                                timeout=REFRESH_TIMEOUT)
            router.update(package_information=info, update_reachable=True)
        except actions.NodeUnreachable:
            router.update(package_information={}, update_reachable=False)
        model.save("storagerouter", router)
    for node in model.find("albanode", type="ASD"):
        try:
            info = alba.client_for(node, timeout=REFRESH_TIMEOUT).call("GET", "update/package_information")
            node.update(package_information={c: p for c, p in info.items() if c in COMPONENTS and p},
                        update_reachable=True)
        except (alba.ManagerUnreachable, alba.InvalidCredentials, RuntimeError):
            node.update(package_information={}, update_reachable=False)
        model.save("albanode", node)
    return None


def merge_package_information(model):
    """{ip: {component: {package: {installed, candidate}}}} of storage routers and ASD nodes."""
    merged = {}
    for node in routers(model) + model.find("albanode", type="ASD"):
        info = node.get("package_information") or {}
        if info:
            merged.setdefault(node["ip"], {}).update(info)
    return merged


def _cluster_size(config_store, cluster):
    return len(arakoon_services.cluster_nodes(config_store, cluster))


def _storagedrivers_of(model, router):
    return model.find("storagedriver", storagerouter_guid=router["guid"])


def _add(entry, item):
    if item not in entry:
        entry.append(item)


def _framework_downtime(model, info, router, entry):
    if {"openvstorage", "openvstorage-backend"} & set(info.get("framework", {})):
        _add(entry["downtime"], ["gui", None])
        _add(entry["downtime"], ["api", None])
    if router["node_type"] == "MASTER" and 0 < _cluster_size(model.store, "ovsdb") < 3:
        _add(entry["downtime"], ["ovsdb", None])


def _storagedriver_downtime(model, info, router, entry):
    if "volumedriver-no-dedup-server" not in info.get("storagedriver", {}):
        return
    for driver in _storagedrivers_of(model, router):
        vpool = model.get("vpool", driver["vpool_guid"]) or {}
        if model.find("vdisk", storagedriver_guid=driver["guid"]):
            _add(entry["downtime"], ["voldrv", vpool.get("name")])


def _alba_downtime(model, info, router, entry):
    if "alba" not in info.get("alba", {}):
        return
    for driver in _storagedrivers_of(model, router):
        if driver.get("alba_proxies_guids"):
            _add(entry["downtime"], ["proxy", (model.get("vpool", driver["vpool_guid"]) or {}).get("name")])
    for cluster in arakoon_services.clusters_on(model.store, router["machine_id"]):
        if _cluster_size(model.store, cluster) < 3:
            backend = cluster.rsplit("-", 1)[0]
            _add(entry["downtime"], ["backend", backend])


DOWNTIME = {"framework": _framework_downtime, "storagedriver": _storagedriver_downtime,
            "alba": _alba_downtime}


def get_update_information(model):
    """UpdateController.merge_downtime_information: {component: {downtime, prerequisites}} of
    the components with an update somewhere."""
    nodes = routers(model) + model.find("albanode", type="ASD")
    present = {c for node in nodes for c, pkgs in (node.get("package_information") or {}).items() if pkgs}
    merged = {c: {"downtime": [], "prerequisites": []} for c in COMPONENTS if c in present}
    for router in routers(model):
        info = router.get("package_information") or {}
        for component, entry in merged.items():
            if info.get(component) or component == "framework":
                DOWNTIME[component](model, info, router, entry)
    if "framework" in merged:
        for router in routers(model):
            if router.get("update_reachable") is False:
                _add(merged["framework"]["prerequisites"], ["node_down", router["name"]])
    if "alba" in merged:
        for node in model.find("albanode", type="ASD"):
            if node.get("update_reachable") is False:
                _add(merged["alba"]["prerequisites"], ["alba_node_unresponsive", node["ip"]])
    return merged


def get_update_metadata(model, ip):
    """UpdateController.get_update_metadata of the storage router ``ip``."""
    router = model.find_one("storagerouter", ip=ip)
    try:
        answer = actions.call(model.store, router["machine_id"], "update_metadata", timeout=REFRESH_TIMEOUT)
    except actions.NodeUnreachable:
        return {"at_ok": True, "reachable": False, "update_ongoing": False}
    return {"at_ok": answer["at_ok"], "reachable": True, "update_ongoing": answer["update_ongoing"]}


def update_components(model, components):
    """UpdateController.update_components: ``ovs update c1,c2`` on this node."""
    components = [str(component).strip() for component in components]
    start_background(components)
    return None


def start_background(components):
    """What ``ovs update`` starts: the run in a transient unit (systemd-run), outside the
    cgroup of the caller (ovs-webapp-api is restarted by the run); a detached process without."""
    command = [sys.executable, "-m", "ovs_emulator.update", "execute", ",".join(components)]
    env = {"PYTHONPATH": os.environ.get("PYTHONPATH", units.LIB_DIRS["openvstorage"])}
    if shutil.which("systemd-run") and subprocess.run(
            ["systemd-run", "--quiet", "--collect", f"--unit=ovs-update-{int(time.time())}",
             f"--setenv=PYTHONPATH={env['PYTHONPATH']}", *command],
            capture_output=True, check=False).returncode == 0:
        return
    subprocess.Popen(command, env=dict(os.environ, **env), start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)



# --- the run of ``ovs update`` (UpdateController.execute_update) ---------------------------

def _lock():
    """The file mutex ``system_update`` (waits LOCK_WAIT seconds); None when taken."""
    os.makedirs(os.path.dirname(paths.UPDATE_LOCK), exist_ok=True)
    handle = open(paths.UPDATE_LOCK, "a")
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except OSError:
            if time.monotonic() > deadline:
                handle.close()
                return None
            time.sleep(0.1)


def unmet_prerequisites(model, components):
    """The first requested component with prerequisites not met, or None."""
    for component, info in get_update_information(model).items():
        if component in components and info["prerequisites"]:
            return component
    return None


def execute_update(components, model=None):
    """The run (the real one is started by ``at``); True when it finished without errors."""
    model = model or Model(store.open_store())
    LOG.info("+++ Starting update +++")
    # this node shows the run at once (the real one makes the lock files a bit later)
    ongoing = not os.path.exists(paths.UPDATE_ONGOING)
    system.write_text(paths.UPDATE_ONGOING, "")
    refresh_package_information(model)  # the real run uses what the hourly refresh stored
    component = unmet_prerequisites(model, components)
    lock = None if component is not None else _lock()
    if lock is None:
        if ongoing:
            os.remove(paths.UPDATE_ONGOING)
        if component is not None:
            LOG.error(f"Not all prerequisites have been met to update component {component}")
        else:
            LOG.error("Another update is currently in progress!")
            LOG.info("+++ Finished updating +++")
        return False
    run = UpdateRun(model, components)
    failed = False
    try:
        run.execute()
    except Exception as exc:  # the real run logs the exception and starts the services again
        failed = True
        LOG.error(f"Error during update: {exc}")
        if not run.abort:
            run.start_services()
    finally:
        run.cleanup()
        lock.close()
    if failed:
        LOG.error("Failed to update. Please check all the logs for more information")
    else:
        LOG.info("+++ Finished updating +++")
    return not failed


class UpdateRun:
    def __init__(self, model, components):
        self.model, self.components = model, list(components)
        self.routers = routers(model)
        self.abort = False
        self.stop_start = []
        updated = {c for r in self.routers for c, p in (r.get("package_information") or {}).items() if p}
        for component, services in STOP_START.items():
            if component in self.components and component in updated:
                self.stop_start += [s for s in services if s not in self.stop_start]

    def call(self, router, job, **kwargs):
        return actions.call(self.model.store, router["machine_id"], job, **kwargs)

    def on_all(self, job, **kwargs):
        for router in self.routers:
            self.call(router, job, **kwargs)

    def change_services(self, services, action):
        """UpdateController.change_services_state: service by service, node by node."""
        for service in services:
            for router in self.routers:
                try:
                    self.call(router, "change_services", services=[service], action=action)
                except RuntimeError as exc:
                    LOG.warning(f"{router['ip']}: Something went wrong {DESCRIPTION[action]} service "
                                f"{service}: {exc}")
                    if action == "stop":
                        return False
        return True

    def start_services(self):
        self.change_services(list(reversed(self.stop_start)), "start")

    def execute(self):
        LOG.info("Generating SSH client connections for each StorageRouter")
        for router in self.routers:
            LOG.info(f"{router['ip']}: Creating lock files")
            self.call(router, "update_files", present=True, names=["ready_for_upgrade", "update_ongoing"])
        if not self.change_services(self.stop_start, "stop"):
            raise RuntimeError("Stopping all services on every node failed, cannot continue")
        self.abort = self.install_routers() | self.install_asd_nodes()
        if self.abort:
            raise RuntimeError("Installing the packages failed on 1 or more nodes")
        self.on_all("update_files", present=False, names=["ready_for_upgrade"])
        if "framework" in self.components:
            self.migrate()
        if "memcached" in self.stop_start:
            self.stop_start.remove("memcached")
            self.change_services(["memcached"], "start")
        for router in self.routers:
            LOG.info(f"{router['ip']}: Executing post-update actions")
            self.post_update(router)
        self.start_services()
        if "framework" in self.components:
            for router in self.routers:
                try:  # the worker may be gone before its answer is written
                    self.call(router, "restart_workers", timeout=REFRESH_TIMEOUT)
                except actions.NodeUnreachable:
                    pass

    def install_routers(self):
        LOG.info("Updating packages")
        abort = False
        for router in self.routers:
            info = router.get("package_information") or {}
            for component in self.components:
                names = sorted(info.get(component, {}))
                if not names:
                    continue
                try:
                    self.call(router, "install_packages", names=names)
                except RuntimeError as exc:
                    LOG.error(f"StorageRouter {router['ip']}: Updating packages failed: {exc}")
                    abort = True
        LOG.info("Updated packages")
        return abort

    def install_asd_nodes(self):
        """The ALBA plugin's package_install_plugin hook: through each ASD manager's API."""
        if "alba" not in self.components:
            return False
        abort = False
        for node in self.model.find("albanode", type="ASD"):
            names = packages.ordered((node.get("package_information") or {}).get("alba", {}))
            if not names:
                continue
            LOG.info(f"ALBA Node {node['ip']}: Updating packages {', '.join(names)}")
            client = alba.client_for(node, timeout=INSTALL_TIMEOUT)
            try:
                for name in names:
                    client.call("POST", f"update/install/{name}")
                client.call("POST", "update/execute_migration_code")
                slots = client.call("GET", "slots").get("data", {})
                names = [f"alba-asd-{asd_id}" for slot in slots.values() for asd_id in slot.get("osds", {})]
                names += client.call("GET", "maintenance").get("services", [])
                client.call("POST", "update/restart_services", {"service_names": names})
            except (alba.ManagerUnreachable, alba.InvalidCredentials, RuntimeError) as exc:
                LOG.error(f"ALBA Node {node['ip']}: Updating packages failed: {exc}")
                abort = True
        return abort

    def migrate(self):
        for router in self.routers:
            LOG.info(f"{router['ip']}: Starting extensions code migration")
            key = f"/ovs/framework/hosts/{router['machine_id']}/versions"
            old = self.model.store.get(key) or {}
            self.call(router, "run_migrations")
            new = self.model.store.get(key) or {}
            if old != new:
                LOG.info(f"{router['ip']}: Finished extensions code migration. Old versions: {old} --> "
                         f"New versions: {new}")

    def restarts(self, router):
        """(services, Arakoon clusters) to restart on ``router`` for the updated components."""
        info = router.get("package_information") or {}
        updated = [c for c in self.components if info.get(c)]
        services, clusters = [], []
        drivers = _storagedrivers_of(self.model, router)
        vpools = [(self.model.get("vpool", d["vpool_guid"]) or {}).get("name") for d in drivers]
        if "framework" in updated:
            services += FRAMEWORK_RESTART
            clusters.append("ovsdb")
        if "storagedriver" in updated:
            services += [f"{prefix}_{name}" for name in vpools for prefix in ("ovs-volumedriver", "ovs-dtl")]
            clusters.append("voldrv")
        if "alba" in updated:
            services += [f"ovs-albaproxy_{name}_{n}" for d, name in zip(drivers, vpools)
                         for n in range(len(d.get("alba_proxies_guids", [])))]
            clusters += arakoon_services.clusters_on(self.model.store, router["machine_id"])
        mine = [c for c in clusters if any(n.name == router["machine_id"] for n in
                                           arakoon_services.cluster_nodes(self.model.store, c))]
        return services, mine

    def post_update(self, router):
        """UpdateController._post_update_core and the ALBA plugin's: services restarted, then
        this node's Arakoon nodes one at a time, each waiting for its cluster."""
        services, clusters = self.restarts(router)
        self.call(router, "change_services", services=services, action="restart")
        for cluster in clusters:
            LOG.warning(f"{router['ip']}: Restarting arakoon node {cluster}")
            self.call(router, "restart_arakoon_node", cluster=cluster)
            if not wait_for_cluster(self.model.store, cluster):
                raise RuntimeError(f"Arakoon cluster {cluster} did not come back after the restart "
                                   f"of its node on {router['ip']}")

    def cleanup(self):
        LOG.info("Refreshing update information")
        try:
            refresh_package_information(self.model)
        except Exception:  # the real run retries, then logs it
            LOG.error("Failed to refresh the update information")
        for router in self.routers:
            try:
                self.call(router, "update_files", present=False, names=["ready_for_upgrade", "update_ongoing"],
                          timeout=REFRESH_TIMEOUT)
            except RuntimeError:
                LOG.warning(f"{router['ip']}: Failed to remove lock files")


def wait_for_cluster(config_store, cluster, timeout=None):
    """Every node of ``cluster`` answers on its client port (ArakoonInstaller.restart_node
    waits for the cluster); False after ``timeout``."""
    deadline = time.monotonic() + (CLUSTER_TIMEOUT if timeout is None else timeout)
    while True:
        nodes = arakoon_services.cluster_nodes(config_store, cluster)
        if all(system.port_open(node.ip, node.client_port) for node in nodes):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


# --- python3 -m ovs_emulator.update execute <c1,c2> | migrate ----------------------------

def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["execute"] and len(argv) == 2:
        execute_update([c for c in argv[1].split(",") if c])
        return 0
    if argv == ["migrate"]:
        print(migrate(store.open_store()))
        return 0
    print("Usage: python3 -m ovs_emulator.update execute <c1,c2> | migrate", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
