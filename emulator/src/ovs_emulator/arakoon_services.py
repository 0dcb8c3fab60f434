"""Internal Arakoon clusters of ALBA backends (``<backend>-abm``, ``<backend>-nsm_0``) on the
masters (framework-alba-plugin: ovs/lib/albaarakoon.py, helpers/alba_arakoon_installer.py).

Each cluster runs on the masters that have a DB partition, as ``ovs-arakoon-<cluster>``: a
unit file written by the node's own ovs-workers (``start_arakoon``), a real process listening
on the client and messaging ports, data under ``<DB partition mount point>/arakoon/<cluster>``.
Ports: the lowest free pair from 26400 on (``/ovs/framework/hosts/<id>/ports|arakoon``),
free on every node of the cluster.  The ini text is ``/ovs/arakoon/<cluster>/config``, the
metadata ``/ovs/arakoon/<cluster>/metadata`` ``{"internal": true, "type": "ABM"|"NSM",
"in_use": true}``.
"""
import os

from ovs_emulator import actions, model, paths, store, system, units
from ovs_emulator.store import ArakoonNode

LIB = units.LIB_DIRS["openvstorage"]
STOP_TIMEOUT = 15.0  # seconds a shrink waits for the left node's ovs-workers


def cluster_names(config_store):
    return config_store.list("/ovs/arakoon")


def cluster_nodes(config_store, cluster):
    text = config_store.get_raw(f"/ovs/arakoon/{cluster}/config")
    return store.parse_cacc(text)[1] if text else []


def clusters_on(config_store, machine_id, types=("ABM", "NSM")):
    """Internal clusters of ``types`` with a node on the storage router ``machine_id``."""
    found = []
    for cluster in cluster_names(config_store):
        metadata = config_store.get(f"/ovs/arakoon/{cluster}/metadata") or {}
        if metadata.get("type") in types and any(
                n.name == machine_id for n in cluster_nodes(config_store, cluster)):
            found.append(cluster)
    return found


def free_ports(config_store, ips):
    """The lowest (client, messaging) pair in the Arakoon range free on all ``ips``."""
    used = used_ports(config_store, ips)
    for ports in units.ARAKOON_PORTS.values():
        used |= set(ports)
    low, high = units.ARAKOON_PORT_RANGE
    port = low
    while port + 1 <= high:
        if port not in used and port + 1 not in used:
            return port, port + 1
        port += 1
    raise RuntimeError("No free ports in the Arakoon port range")


def used_ports(config_store, ips):
    """The ports the internal Arakoon clusters use on ``ips``."""
    used = set()
    for cluster in cluster_names(config_store):
        for node in cluster_nodes(config_store, cluster):
            if node.ip in ips:
                used |= {node.client_port, node.messaging_port}
    return used


def db_routers(config_store):
    """[(master storage router, DB partition)] sorted by ip."""
    result = []
    for router in model.find(config_store, "storagerouter", node_type="MASTER"):
        guids = (router.get("partition_config") or {}).get("DB") or []
        partition = model.get(config_store, "diskpartition", guids[0]) if guids else None
        if partition:
            result.append((router, partition))
    return sorted(result, key=lambda item: [int(x) for x in item[0]["ip"].split(".")])


def home_of(partition, cluster):
    mountpoint = partition.get("mountpoint") or "/"
    folder = "/mnt/storage" if mountpoint == "/" else mountpoint
    return f"{folder}/arakoon/{cluster}"


def deploy(config_store, cluster, cluster_type):
    """Create ``cluster`` on the masters with a DB partition and start it there."""
    routers = db_routers(config_store)
    if not routers:
        raise RuntimeError(f"No StorageRouters available to deploy {cluster_type} Arakoon "
                           "cluster on")
    client_port, messaging_port = free_ports(config_store, [r["ip"] for r, _ in routers])
    nodes = [ArakoonNode(r["machine_id"], r["ip"], client_port, messaging_port) for r, _ in routers]
    home = home_of(routers[0][1], cluster)
    config_store.set_raw(f"/ovs/arakoon/{cluster}/config", store.cacc_text(nodes, cluster, home))
    config_store.set(f"/ovs/arakoon/{cluster}/metadata",
                     {"internal": True, "type": cluster_type, "in_use": True})
    for router, partition in routers:
        actions.call(config_store, router["machine_id"], "start_arakoon", cluster=cluster,
                     client_port=client_port, messaging_port=messaging_port,
                     home=home_of(partition, cluster))
    return nodes


def extend(config_store, cluster, router, partition):
    """``cluster`` extended with a node on ``router`` (its DB ``partition``): the ini gets the
    node (the cluster's ports when they are free there), the node's ovs-workers start it."""
    text = config_store.get_raw(f"/ovs/arakoon/{cluster}/config")
    cluster_id, nodes = store.parse_cacc(text)
    if any(node.name == router["machine_id"] for node in nodes):
        return nodes
    wanted = (nodes[0].client_port, nodes[0].messaging_port) if nodes else None
    used = used_ports(config_store, [router["ip"]])
    ports = wanted if wanted and not used & set(wanted) else free_ports(config_store, [router["ip"]])
    nodes.append(ArakoonNode(router["machine_id"], router["ip"], *ports))
    config_store.set_raw(f"/ovs/arakoon/{cluster}/config",
                         store.cacc_text(nodes, cluster_id, ini_home(text)))
    actions.call(config_store, router["machine_id"], "start_arakoon", cluster=cluster,
                 client_port=ports[0], messaging_port=ports[1], home=home_of(partition, cluster))
    return nodes


def shrink(config_store, cluster, machine_id, timeout=STOP_TIMEOUT):
    """The node ``machine_id`` out of ``cluster``: the ini without its section, its service
    stopped and removed by its ovs-workers (an unreachable node keeps it)."""
    text = config_store.get_raw(f"/ovs/arakoon/{cluster}/config")
    cluster_id, nodes = store.parse_cacc(text)
    remaining = [node for node in nodes if node.name != machine_id]
    if len(remaining) == len(nodes):
        return nodes
    config_store.set_raw(f"/ovs/arakoon/{cluster}/config",
                         store.cacc_text(remaining, cluster_id, ini_home(text)))
    try:
        actions.call(config_store, machine_id, "stop_arakoon", timeout=timeout, cluster=cluster)
    except actions.NodeUnreachable:
        pass
    return remaining


def ini_home(text):
    """The data folder of an Arakoon ini (``home = <folder>/db`` of its first node)."""
    for line in text.splitlines():
        if line.startswith("home = ") and line.endswith("/db"):
            return line[len("home = "):-len("/db")]
    return None


def remove(config_store, cluster):
    """Stop ``cluster`` on its nodes and drop its configuration."""
    for node in cluster_nodes(config_store, cluster):
        actions.call(config_store, node.name, "stop_arakoon", cluster=cluster)
    config_store.delete(f"/ovs/arakoon/{cluster}", recursive=True)


def service_name(cluster):
    return f"ovs-arakoon-{cluster}"


def unit_for(cluster, client_port, messaging_port):
    return units.Unit(service_name(cluster), "openvstorage", f"Arakoon cluster {cluster}",
                      ports=(client_port, messaging_port))


@actions.action("start_arakoon")
def start_arakoon(config_store, machine_id, cluster, client_port, messaging_port, home):
    """On this node: the unit ``ovs-arakoon-<cluster>`` written, enabled and started."""
    for sub in ("db", "tlogs"):
        os.makedirs(paths.real(f"{home}/{sub}"), exist_ok=True)
    unit = unit_for(cluster, client_port, messaging_port)
    system.write_text(os.path.join(paths.SYSTEMD_DIR, f"{unit.name}.service"),
                      units.unit_text(unit, LIB))
    system.systemctl("daemon-reload")
    system.enable_start(unit.name)


@actions.action("stop_arakoon")
def stop_arakoon(config_store, machine_id, cluster):
    name = service_name(cluster)
    system.disable_stop(name)
    path = os.path.join(paths.SYSTEMD_DIR, f"{name}.service")
    if os.path.exists(path):
        os.remove(path)
    system.systemctl("daemon-reload")
