"""``ovs remove node <ip> [--force-yes]`` (framework: ovs/lib/noderemoval.py
NodeRemovalController.remove_node), run on a master.

Validations (each refusal in a box, exit 1), the reachability of every storage router (the real
SSH connection: ``remote.connection_state``; unreachable = offline), the questions (``(y/[n]): ``
on stdin, all skipped by ``--force-yes``), then the removal in the real order: the storage
drivers of an offline node marked offline, its vPools shrunk off it (``vpools.remove_storagedriver``),
a master demoted (``nodetype.demote_node``), its framework services stopped and disabled, plugin
hooks, the node out of the model and out of ``/ovs/framework/hosts``, its client files deleted,
its ASD manager removed (``asd-manager remove --force-yes``), ``ovs-workers`` stopped last.
Packages and data directories stay on the node, as with the real command.

Node-local work goes through the node's ovs-workers (the real command uses SSH); the actions
are registered here (``@actions.action(name)``).  For an offline node nothing runs on it: its queue
is answered by an ``OfflineStandIn`` (the real ``offline_storage_router_guids``: the node-local
half of shrinking a vPool is skipped for it).
"""
import os
import re
import subprocess
import threading

from ovs_emulator import (actions, hooks, model, nodetype, paths, remote, services, store, system, ui,
                          units, vpools)
from ovs_emulator.validate import REGEX_IP

WORKERS_STOP_DELAY = 2.0  # ovs-workers stops itself once it reported its last job
WARNING = ("WARNING: Some of these steps may take a very long time, please check the logs for "
           "more information\n\n")
OFFLINE_NOTE = ("Certain nodes appear to be offline. These will not fully removed and will cause "
                "issues if they are not really offline.")


class Aborted(Exception):
    """A question answered no: exit 1 after the title already printed."""


# --- node-local actions (ovs-workers of the removed node) -----------------------------------

@actions.action("has_asd_manager")
def has_asd_manager(config_store, machine_id):
    return os.path.exists(paths.ASD_MANAGER_BIN)


@actions.action("remove_framework_services")
def remove_framework_services(config_store, machine_id):
    """The framework services stopped and disabled; ``ovs-workers`` only disabled (it runs the
    last jobs of the removal, then ``stop_workers``).  Returns the names handled."""
    handled = []
    for service in units.FRAMEWORK_SERVICES + units.MASTER_SERVICES:
        if not (system.is_enabled(service) or system.is_active(service)):
            continue
        if service == "ovs-workers":
            system.systemctl("disable", service)
        else:
            system.disable_stop(service)
        handled.append(service)
    return handled


@actions.action("delete_client_files")
def delete_client_files(config_store, machine_id):
    for path in (paths.CACC_INI, paths.FRAMEWORK_JSON):
        if os.path.exists(path):
            os.remove(path)


@actions.action("remove_asd_manager")
def remove_asd_manager(config_store, machine_id):
    """``asd-manager remove --force-yes`` when the node has one: {code, output}, else None."""
    if not os.path.exists(paths.ASD_MANAGER_BIN):
        return None
    result = subprocess.run([paths.ASD_MANAGER_BIN, "remove", "--force-yes"], capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, check=False)
    return {"code": result.returncode, "output": result.stdout + result.stderr}


@actions.action("stop_workers")
def stop_workers(config_store, machine_id):
    """Stop this node's ovs-workers once this job is reported."""
    if WORKERS_STOP_DELAY <= 0:
        system.disable_stop("ovs-workers")
        return
    timer = threading.Timer(WORKERS_STOP_DELAY, system.disable_stop, ["ovs-workers"])
    timer.daemon = True
    timer.start()


class OfflineStandIn:
    """Answers the ovs-workers queue of an offline node while the vPools shrink off it: its
    node-local half is skipped (it cannot run), the cluster-wide half goes on."""

    def __init__(self, config_store, machine_id, active):
        self.store, self.queue, self.active = config_store, f"{actions.ROOT}/{machine_id}", active
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self):
        while not self.stopped.is_set():
            for name in self.store.list(self.queue):
                job = self.store.get(f"{self.queue}/{name}")
                if isinstance(job, dict) and job.get("status") == "QUEUED":
                    job.update(status="SUCCESS", result=None)
                    self.store.set(f"{self.queue}/{name}", job)
            self.stopped.wait(actions.POLL / 5)

    def __enter__(self):
        if self.active:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        if self.active:
            self.thread.join()


# --- validations ----------------------------------------------------------------------------

def _check_model(routers, ip, local_machine_id):
    """The checks on the model; the storage router to remove."""
    if not re.match(REGEX_IP, ip):
        raise RuntimeError(f"Invalid IP {ip} specified")
    all_ips = sorted({router["ip"] for router in routers})
    master_ips = {router["ip"] for router in routers if router["node_type"] == "MASTER"}
    target = next((router for router in routers if router["ip"] == ip), None)
    if target is None:
        raise RuntimeError("Unknown IP specified\nKnown in model:\n - {0}\nSpecified for removal:\n"
                           " - {1}".format("\n - ".join(all_ips), ip))
    if len(all_ips) == 1:
        raise RuntimeError("Removing the only node is not possible")
    if ip in master_ips and len(master_ips) == 1:
        raise RuntimeError("Removing the only master node is not possible")
    if target["machine_id"] == local_machine_id:
        raise RuntimeError("The node to be removed cannot be identical to the node on which the "
                           "removal is initiated")
    return target


def _connect(routers, target):
    """One line per storage router; ({ip: reason} of the offline ones, a reachable master)."""
    ui.say("Creating SSH connections to remaining master nodes")
    offline, master_ip = {}, None
    for router in routers:
        state = remote.connection_state(router["ip"])
        ui.say("  * Node with IP {0:<15}- {1}".format(router["ip"], state))
        if state != remote.CONNECTED:
            offline[router["ip"]] = state
        elif router["guid"] != target["guid"] and router["node_type"] == "MASTER":
            master_ip = router["ip"]
    if master_ip is None:
        raise RuntimeError("Could not connect to any master node in the cluster")
    return offline, master_ip


def _check_services(config_store, target):
    if model.find(config_store, "vdisk", storagerouter_guid=target["guid"]):
        raise RuntimeError(f"Still vDisks attached to Storage Router {target['name']}")
    for key, service in (("memcache", "memcached"), ("messagequeue", "messagequeue")):
        endpoints = config_store.get(f"/ovs/framework/{key}|endpoints", [])
        remaining = [e for e in endpoints if e.rpartition(":")[0] != target["ip"]]
        if not remaining and nodetype.internally_managed(config_store, key):
            raise RuntimeError("Removal of provided nodes will result in a complete removal of the "
                               f"{service} service")


def validate(config_store, ip, local_machine_id):
    """Every check of ``remove_node`` in its order; (target, {offline ip: reason})."""
    routers = sorted(model.objects(config_store, "storagerouter"), key=lambda r: r["name"])
    target = _check_model(routers, ip, local_machine_id)
    offline, _ = _connect(routers, target)
    _check_services(config_store, target)
    hooks.run("noderemoval.validate", config_store=config_store, machine_id=target["machine_id"],
              ip=target["ip"])
    return target, offline


# --- questions ------------------------------------------------------------------------------

def confirm(config_store, target, offline, force_yes):
    """The questions (none with ``--force-yes``); whether the ASD manager goes too."""
    if force_yes:
        return True
    if offline:
        ui.say(OFFLINE_NOTE)
        ui.say("Offline nodes: " + "".join("\n  * {0:<15}- {1}.".format(ip, reason)
                                           for ip, reason in offline.items()))
        if not ui.ask_yesno("Continue the removal with these being presumably offline?"):
            ui.title("Please validate the state of the nodes before removing.")
            raise Aborted()
    if not ui.ask_yesno(f"Are you sure you want to remove node {target['name']}?"):
        ui.title("Abort removal")
        raise Aborted()
    online = target["ip"] not in offline
    remove_asd = True
    if online and actions.call(config_store, target["machine_id"], "has_asd_manager"):
        remove_asd = ui.ask_yesno("Do you also want to remove the ASD manager and related ASDs?")
    if remove_asd or not online:
        for answer in hooks.run("noderemoval.validate_asd_removal", config_store=config_store,
                                machine_id=target["machine_id"], ip=target["ip"]):
            if answer and answer.get("confirm") and not ui.ask_yesno(answer["question"]):
                return False
    return remove_asd


# --- removal --------------------------------------------------------------------------------

def _shrink_vpools(config_store, dal, target, online):
    ui.say("  Removing vPools from node")
    with OfflineStandIn(config_store, target["machine_id"], active=not online):
        for driver in model.find(config_store, "storagedriver", storagerouter_guid=target["guid"]):
            vpool = model.get(config_store, "vpool", driver.get("vpool_guid")) or {}
            ui.say(f"    Removing vPool {vpool.get('name')} from node")
            vpools.remove_storagedriver(dal(config_store), driver["guid"])


def _remove_from_model(config_store, target, on_node):
    """Disks, partitions, domain junctions, services, /ovs/framework/hosts/<id>, the client files
    on an online node, the storage router."""
    ui.say("Removing node from model")
    for disk in model.find(config_store, "disk", storagerouter_guid=target["guid"]):
        for partition_guid in disk.get("partitions_guids", []):
            model.delete(config_store, "diskpartition", partition_guid)
        model.delete(config_store, "disk", disk["guid"])
    for junction in model.find(config_store, "storagerouterdomain", storagerouter_guid=target["guid"]):
        model.delete(config_store, "storagerouterdomain", junction["guid"])
    for service in services.on_router(config_store, target["guid"]):
        model.delete(config_store, "service", service["guid"])
    config_store.delete(f"/ovs/framework/hosts/{target['machine_id']}", recursive=True)
    if on_node is not None:
        on_node(config_store, "delete_client_files")
    model.delete(config_store, "storagerouter", target["guid"])


def remove(config_store, dal, target, offline, remove_asd):
    """The removal proper, in the real order."""
    machine_id, ip = target["machine_id"], target["ip"]
    online = ip not in offline
    on_node = nodetype.remote_node(machine_id) if online else None
    ui.say(f"Starting removal of node {target['name']} - {ip}")
    if not online:
        ui.say(f"  Marking all Storage Drivers served by Storage Router {ip} as offline")
        nodetype.mark_storagedrivers_offline(config_store, target["guid"])
    _shrink_vpools(config_store, dal, target, online)
    if target["node_type"] == "MASTER":
        config_store = nodetype.demote_node(config_store, machine_id, ip, on_node)
    ui.say("Stopping and removing services")
    if online:
        ui.say("Removing services")
        for service in on_node(config_store, "remove_framework_services"):
            ui.say("Removing service {0}".format(service[len("ovs-"):] if service.startswith("ovs-") else service))
    hooks.run("noderemoval.remove", config_store=config_store, machine_id=machine_id, ip=ip)
    _remove_from_model(config_store, target, on_node)
    ui.say("Successfully removed node\n")
    if remove_asd and online:
        ui.say("\nRemoving ASD Manager")
        on_node(config_store, "remove_asd_manager")
    if online:
        on_node(config_store, "stop_workers")


def main(ip, force_yes=False, dal=None):
    """``ovs remove node <ip> [--force-yes]``; ``dal(store)`` is the model object the vPool
    shrink takes.  Returns the exit code."""
    ui.box("Remove node")
    ui.say(WARNING)
    local_machine_id = (system.read_text(paths.OVS_ID) or "").strip()
    try:
        config_store = store.open_store()
        target, offline = validate(config_store, ip.strip(), local_machine_id)
        remove_asd = confirm(config_store, target, offline, force_yes)
    except Aborted:
        return 1
    except Exception as exc:  # a refusal: its text alone in the box
        ui.box(str(exc))
        return 1
    try:
        remove(config_store, dal, target, offline, remove_asd)
    except Exception as exc:
        ui.say("\n")
        ui.box("An unexpected error occurred:", str(exc))
        return 1
    ui.title("Remove nodes finished")
    return 0
