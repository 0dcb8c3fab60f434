"""``ovs setup promote|demote [--rollback-on-failure]`` and ``ovs setup demote <ip>``
(framework: ovs/lib/nodetype.py NodeTypeController).

Promote (on an extra): the node joins the ``config`` cluster (etcd member added, its own etcd
started with state ``existing``) and the ``ovsdb``/``voldrv`` inis, the master services are
started, its memcache/messagequeue endpoints are published, type ``MASTER``.  A joining master
of ``ovs setup`` runs the same ``promote_node``.

Demote (on a master, or ``demote <ip>`` on another master for a dead one): the node leaves the
``ovsdb`` and ``config`` clusters (the etcd member is removed through the OTHER masters, so
the quorum is counted without it), its endpoints are withdrawn, the master services are stopped
and disabled on the node (``leave_master_services``: locally, or through the node's
ovs-workers when another node runs the demote; nothing for a dead node) and the etcd data
wiped; type ``EXTRA``.  Plugin hooks (``hooks``): ``nodetype.validate_demote`` before any change,
``nodetype.demote`` and ``nodetype.promote`` after.
"""
import os
import re
import shutil

from ovs_emulator import (actions, arakoon, hooks, model, paths, remote, services, store, system, ui,
                          units)
from ovs_emulator.validate import REGEX_IP

NO_SETUP = "No local OVS setup found."
ALREADY_MASTER = "This node is already master."
SHOULD_BE_MASTER = "This node should be a master."
NOT_CONFIGURED = "This node is not correctly configured."
NO_MASTER = "No master node could be found"
ONLY_MASTER = "It is not possible to remove the only master"
SINGLE_NODE_ARAKOON = ("Demote is not supported when single node Arakoon cluster(s) are present "
                       "on the node to be demoted.")
NODE_ONLINE = ("If the node is online, please use 'ovs setup demote' executed on the node you "
               "wish to demote")
NO_RESPONSIVE_MASTER = "Failed to retrieve another responsive MASTER node"
# the framework's endpoints of the masters' Debian services
ENDPOINTS = {"memcache": 11211, "messagequeue": 5672}


def host_key(machine_id, key):
    return f"/ovs/framework/hosts/{machine_id}/{key}"


# --- node-local steps ---------------------------------------------------------------------

def configure_memcached(ip):
    """Let Debian's memcached listen on the cluster IP too (its config says 127.0.0.1)."""
    conf = paths.real("/etc/memcached.conf")
    text = system.read_text(conf)
    if text is not None and "\n-l 127.0.0.1\n" in text:
        system.write_text(conf, text.replace("\n-l 127.0.0.1\n", f"\n-l 127.0.0.1,{ip}\n"))


def start_service(ip, service):
    """Enable and start ``service`` on this node (memcached restarted on the cluster IP)."""
    if service == "memcached":
        configure_memcached(ip)
        system.enable_start(service, restart=True)
    elif system.is_active(service):
        ui.say(f"  [{ip}] {service} already running")
        return
    else:
        system.enable_start(service)
    ui.say(f"  [{ip}] {service} Started")


@actions.action("leave_master_services")
def leave_master_services(config_store, machine_id):
    """On the demoted node: the master services stopped and disabled (Debian's memcached and
    rabbitmq-server included), the config cluster's etcd data wiped, the client file without
    this node.  ``ovs-workers`` and the watchers stay (an extra runs them)."""
    for service in reversed(units.MASTER_SERVICES):
        system.disable_stop(service)
    shutil.rmtree(paths.ETCD_DATA, ignore_errors=True)
    text = config_store.get_raw(store.CACC_KEY)
    if text:
        system.write_text(paths.CACC_INI, text)


def local_node(config_store, machine_id):
    """``on_node`` for the node running the command: the action is called right here."""
    def run(current_store, action, **kwargs):
        return actions.ACTIONS[action](current_store, machine_id, **kwargs)
    return run


def remote_node(machine_id):
    """``on_node`` for another node: the action goes through that node's ovs-workers."""
    def run(current_store, action, **kwargs):
        return actions.call(current_store, machine_id, action, **kwargs)
    return run


# --- cluster-wide steps -------------------------------------------------------------------

def set_node_type(config_store, machine_id, node_type):
    for router in model.find(config_store, "storagerouter", machine_id=machine_id):
        router["node_type"] = node_type
        model.save(config_store, "storagerouter", router)


def internally_managed(config_store, key):
    """``Toolbox.is_service_internally_managed``: memcache/messagequeue run on the masters."""
    return (config_store.get(f"/ovs/framework/{key}|metadata") or {}).get("internal", True) is True


def update_endpoints(config_store, ip, add):
    """Add (or withdraw) ``<ip>:11211`` / ``<ip>:5672`` in the memcache/messagequeue endpoints."""
    for key, port in ENDPOINTS.items():
        if not internally_managed(config_store, key):
            continue
        endpoint = f"{ip}:{port}"
        endpoints = [e for e in config_store.get(f"/ovs/framework/{key}|endpoints", []) if e != endpoint]
        config_store.set(f"/ovs/framework/{key}|endpoints", endpoints + ([endpoint] if add else []))


def mark_storagedrivers_offline(config_store, router_guid):
    """``StorageDriverController.mark_offline``: the storage drivers of a dead storage router."""
    for driver in model.find(config_store, "storagedriver", storagerouter_guid=router_guid):
        driver["status"] = "OFFLINE"
        model.save(config_store, "storagedriver", driver)


def join_config_cluster(config_store, machine_id, ip):
    """The node's etcd member added and started; returns a store on the grown cluster."""
    nodes = arakoon.cluster_nodes(config_store, "config")
    if any(n.name == machine_id for n in nodes):
        return config_store
    # read all that is needed first: once the member is added, the store has no quorum
    # until the local etcd runs
    cluster_id = config_store.get("/ovs/framework/cluster_id")
    members = config_store.member_add(arakoon.peer_url(ip))
    arakoon.write_etcd_environment(machine_id, ip, arakoon.join_peers(members, machine_id, ip),
                                   "existing", cluster_id)
    start_service(ip, "ovs-arakoon-config")
    grown = store.EtcdStore(nodes=nodes + [arakoon.node(machine_id, ip)])
    arakoon.wait_until_ready(grown)
    arakoon.add_node(grown, "config", machine_id, ip)
    system.write_text(paths.CACC_INI, grown.get_raw(store.CACC_KEY))
    return grown


def promote_node(config_store, machine_id, ip):
    """``NodeTypeController.promote_node`` run on the node itself; returns the store."""
    ui.title("Promoting node")
    set_node_type(config_store, machine_id, "MASTER")
    ui.say("Joining Arakoon configuration cluster")
    config_store = join_config_cluster(config_store, machine_id, ip)
    ui.say("Joining Arakoon OVS DB cluster")
    for cluster in ("ovsdb", "voldrv"):
        arakoon.add_node(config_store, cluster, machine_id, ip)
    ui.say("Setting up Memcached")
    configure_memcached(ip)
    ui.say("Adding services")
    master_services = units.services_for("MASTER", config_store.get("/ovs/framework/support|enabled", True))
    ui.say("Update configurations")
    update_endpoints(config_store, ip, add=True)
    ui.say("Setting up RabbitMQ")
    ui.say("Update existing vPools")
    ui.say("Starting services")
    for service in master_services:
        start_service(ip, service)
    ui.say("Restarting services")
    hooks.run("nodetype.promote", config_store=config_store, machine_id=machine_id, ip=ip)
    config_store.set(host_key(machine_id, "type"), "MASTER")
    config_store.set(host_key(machine_id, "promotecompleted"), True)
    ui.say("Promote complete")
    return config_store


def demote_node(config_store, machine_id, ip, on_node=None):
    """``NodeTypeController.demote_node``; ``on_node(store, action)`` runs the node-local half
    (``local_node``/``remote_node``), None for a dead node.  Returns a store on the remaining
    config nodes."""
    ui.title("Demoting node")
    set_node_type(config_store, machine_id, "EXTRA")
    ovsdb = config_store.get("/ovs/framework/arakoon_clusters|ovsdb", "ovsdb")
    if _member(config_store, ovsdb, machine_id):
        ui.say(f"Leaving Arakoon {ovsdb} cluster")
        arakoon.remove_node(config_store, ovsdb, machine_id)
    if _member(config_store, "config", machine_id):
        ui.say("Leaving Arakoon config cluster")
        config_store = arakoon.leave_config_cluster(config_store, machine_id, ip)
    ui.say("Update configurations")
    update_endpoints(config_store, ip, add=False)
    if on_node is None:
        ui.say("Removing/unconfiguring offline RabbitMQ node")
    else:
        ui.say("Removing/unconfiguring RabbitMQ")
        ui.say("Stopping services")
        for service in ("memcached", "rabbitmq-server"):
            ui.say(f"Stopping service {service}")
        ui.say("Removing services")
        for service in ("scheduled-tasks", "webapp-api", "volumerouter-consumer"):
            ui.say(f"Removing service {service}")
        on_node(config_store, "leave_master_services")
    ui.say("Restarting services")
    # the framework's own demote hook: the volume driver cluster shrinks off the node
    arakoon.remove_node(config_store, "voldrv", machine_id)
    services.remove_voldrv(config_store, machine_id)
    hooks.run("nodetype.demote", config_store=config_store, machine_id=machine_id, ip=ip)
    config_store.set(host_key(machine_id, "type"), "EXTRA")
    ui.title("Demote complete")
    return config_store


def _member(config_store, cluster, machine_id):
    return any(n.name == machine_id for n in arakoon.cluster_nodes(config_store, cluster))


# --- ovs setup promote|demote ---------------------------------------------------------------

def _local_setup():
    """(store, machine_id) of this configured node; ``No local OVS setup found.`` otherwise."""
    machine_id = (system.read_text(paths.OVS_ID) or "").strip()
    if not machine_id or not os.path.exists(paths.CACC_INI):
        raise RuntimeError(NO_SETUP)
    config_store = store.open_store()
    if config_store.get(host_key(machine_id, "setupcompleted")) is not True:
        raise RuntimeError(NO_SETUP)
    return config_store, machine_id


def _target(config_store, machine_id, ip):
    """The storage router to act on: this node, or the one with ``ip`` (offline demote)."""
    routers = model.objects(config_store, "storagerouter")
    if ip is None:
        found = [r for r in routers if r["machine_id"] == machine_id]
        fallback = {"machine_id": machine_id, "ip": config_store.get(host_key(machine_id, "ip"))}
        return found[0] if found else fallback
    if not re.match(REGEX_IP, ip):
        raise RuntimeError(f"Incorrect IP provided ({ip})")
    found = [r for r in routers if r["ip"] == ip]
    if not found:
        raise RuntimeError(f"No Storage Router with IP {ip} found in the model")
    return found[0]


def _check_type(config_store, action, target):
    node_type = config_store.get(host_key(target["machine_id"], "type"))
    if action == "promote" and node_type == "MASTER":
        raise RuntimeError(ALREADY_MASTER)
    if action == "demote" and node_type == "EXTRA":
        raise RuntimeError(SHOULD_BE_MASTER)
    if node_type not in ("MASTER", "EXTRA"):
        raise RuntimeError(NOT_CONFIGURED)


def _check_offline_target(config_store, target):
    """``demote <ip>``: the named node must be unreachable and another master reachable."""
    online, master_ip = True, None
    for router in model.objects(config_store, "storagerouter"):
        connected = remote.connection_state(router["ip"]) == remote.CONNECTED
        if not connected and router["ip"] == target["ip"]:
            online = False
        if connected and router["node_type"] == "MASTER":
            master_ip = router["ip"]
    if online:
        raise RuntimeError(NODE_ONLINE)
    if master_ip is None:
        raise RuntimeError(NO_RESPONSIVE_MASTER)


def _check_demote(config_store, target):
    """No single-node internal Arakoon cluster on the node; the plugins agree."""
    for cluster in config_store.list("/ovs/arakoon"):
        nodes = arakoon.cluster_nodes(config_store, cluster)
        metadata = config_store.get(f"/ovs/arakoon/{cluster}/metadata") or {}
        if len(nodes) == 1 and nodes[0].ip == target["ip"] and metadata.get("internal") is True:
            raise RuntimeError(SINGLE_NODE_ARAKOON)
    hooks.run("nodetype.validate_demote", config_store=config_store,
              machine_id=target["machine_id"], ip=target["ip"])


def validate(action, ip=None):
    """The checks of ``promote_or_demote_node``, in its order; (store, target, on_node)."""
    config_store, machine_id = _local_setup()
    target = _target(config_store, machine_id, ip)
    _check_type(config_store, action, target)
    if ip is not None:
        _check_offline_target(config_store, target)
        on_node = None
    else:
        others = [r for r in model.find(config_store, "storagerouter", node_type="MASTER")
                  if r["ip"] != target["ip"]]
        if not others:
            raise RuntimeError(NO_MASTER if action == "promote" else ONLY_MASTER)
        on_node = local_node(config_store, machine_id)
    if action == "demote":
        _check_demote(config_store, target)
    return config_store, target, on_node


def change(action, config_store, target, on_node, rollback=False):
    """Promote or demote ``target``; with ``rollback`` a failure runs the reverse first."""
    machine_id, ip = target["machine_id"], target["ip"]
    if on_node is None:  # a dead node: its storage drivers are marked offline
        mark_storagedrivers_offline(config_store, target.get("guid"))
    try:
        if action == "promote":
            return promote_node(config_store, machine_id, ip)
        return demote_node(config_store, machine_id, ip, on_node)
    except Exception:
        if rollback and (action == "promote" or on_node is not None):
            current = store.open_store()
            if action == "promote":
                demote_node(current, machine_id, ip, on_node)
            else:
                promote_node(current, machine_id, ip)
        raise


def main(action, ip=None, rollback=False):
    """``ovs setup promote|demote [<ip>] [--rollback-on-failure]``; returns the exit code."""
    ui.box(f"Open vStorage Setup - {action.capitalize()}")
    try:
        ui.title("Collecting information")
        config_store, target, on_node = validate(action, ip)
        change(action, config_store, target, on_node, rollback)
    except Exception as exc:  # refusals and failures end in the error box
        ui.say("\n")
        ui.box("An unexpected error occurred:", str(exc))
        return 1
    ui.say("\n")
    ui.box(f"{action.capitalize()} complete.")
    return 0
