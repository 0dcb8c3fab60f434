"""The framework's Arakoon clusters: ``config`` (etcd, the configuration store) and the
model/volume driver clusters ``ovsdb`` and ``voldrv`` (emulated listeners)."""
import time

from ovs_emulator import paths, store, system
from ovs_emulator.store import ArakoonNode
from ovs_emulator.units import ARAKOON_PORTS

CLUSTER_TYPES = {"config": "CFG", "ovsdb": "FWK", "voldrv": "SD"}
DB_DIR = "/opt/OpenvStorage/db"


def node(name, ip, cluster="config"):
    client_port, messaging_port = ARAKOON_PORTS[cluster]
    return ArakoonNode(name, ip, client_port, messaging_port)


def peer_url(ip):
    return f"http://{ip}:{ARAKOON_PORTS['config'][1]}"


def etcd_environment(name, ip, initial_cluster, state, token):
    """The EnvironmentFile of ``ovs-arakoon-config`` (etcd reads its ETCD_* variables).

    ``initial_cluster``: {member name: peer url}; ``state``: new|existing.
    """
    client_port, _ = ARAKOON_PORTS["config"]
    members = ",".join(f"{member}={url}" for member, url in initial_cluster.items())
    return "\n".join([
        "# ovs-arakoon-config: etcd carrying the Arakoon cluster 'config' (written by ovs setup)",
        f"ETCD_NAME={name}",
        f"ETCD_DATA_DIR={DB_DIR}/arakoon/config",
        f"ETCD_LISTEN_CLIENT_URLS=http://{ip}:{client_port}",
        f"ETCD_ADVERTISE_CLIENT_URLS=http://{ip}:{client_port}",
        f"ETCD_LISTEN_PEER_URLS={peer_url(ip)}",
        f"ETCD_INITIAL_ADVERTISE_PEER_URLS={peer_url(ip)}",
        f"ETCD_INITIAL_CLUSTER={members}",
        f"ETCD_INITIAL_CLUSTER_STATE={state}",
        f"ETCD_INITIAL_CLUSTER_TOKEN={token}",
        "ETCD_ENABLE_V2=false",
        ""])


def write_etcd_environment(*args, **kwargs):
    system.write_text(paths.ETCD_ENV, etcd_environment(*args, **kwargs))


def wait_until_ready(config_store, timeout=60.0):
    """Wait until the store answers (etcd elected a leader); StoreUnavailable on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            config_store.get_raw("/ovs/framework/cluster_id")
            return
        except store.StoreUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def cluster_nodes(config_store, cluster):
    text = config_store.get_raw(f"/ovs/arakoon/{cluster}/config")
    return store.parse_cacc(text)[1] if text else []


def set_cluster_nodes(config_store, cluster, nodes):
    """Store the ini text (and the metadata) of ``cluster``; the config cluster's text is
    also the client file every node refreshes its arakoon_cacc.ini from."""
    config_store.set_raw(f"/ovs/arakoon/{cluster}/config", store.cacc_text(nodes, cluster))
    config_store.set(f"/ovs/arakoon/{cluster}/metadata",
                     {"internal": True, "type": CLUSTER_TYPES[cluster], "in_use": True})


def add_node(config_store, cluster, machine_id, ip):
    nodes = [n for n in cluster_nodes(config_store, cluster) if n.name != machine_id]
    set_cluster_nodes(config_store, cluster, nodes + [node(machine_id, ip, cluster)])


def remove_node(config_store, cluster, machine_id):
    """Drop ``machine_id`` from the ini of ``cluster`` (nothing when it is not a member)."""
    nodes = cluster_nodes(config_store, cluster)
    if any(n.name == machine_id for n in nodes):
        set_cluster_nodes(config_store, cluster, [n for n in nodes if n.name != machine_id])


def join_peers(members, machine_id, ip):
    """ETCD_INITIAL_CLUSTER of a member joining with ``ip``: {name: peer url} of ``members``
    (an unstarted member has no name yet: that is the joining one)."""
    initial = {member.get("name") or machine_id: member["peerURLs"][0] for member in members
               if member.get("peerURLs")}
    initial[machine_id] = peer_url(ip)
    return initial


def leave_config_cluster(config_store, machine_id, ip):
    """Remove this node from the ``config`` cluster through the OTHER nodes (so the quorum is
    counted without it): its etcd member, then its section of the ini.  Returns a store on
    the remaining nodes."""
    remaining = [n for n in cluster_nodes(config_store, "config") if n.name != machine_id]
    if not remaining:
        raise RuntimeError("There should be at least one other master node")
    others = store.EtcdStore(nodes=remaining)
    for member in others.member_list():
        if peer_url(ip) in member.get("peerURLs", []):
            others.member_remove(member["ID"])
    set_cluster_nodes(others, "config", remaining)
    return others
