"""The ABM and NSM Arakoon clusters of the ALBA backends (framework-alba-plugin
ovs/lib/albaarakoon.py, ovs/lib/alba.py ``add_cluster``, ``scheduled_alba_arakoon_checkup``).

Clusters are deployed on the masters with a DB partition when a backend is made; they are NOT
extended when a node is promoted: ``checkup`` (the real hourly ``alba arakoon checkup``; in the
emulator run by ``ovs-scheduled-tasks`` every ``scheduled.CHECKUP_INTERVAL`` seconds, or on
demand with ``python3 -m ovs_emulator.alba.scheduled --once``) extends every ABM and NSM cluster
onto the masters with a DB partition that it does not have yet.  ``shrink_node`` takes a node out
of every cluster (demote, node removal)."""
from ovs_emulator import arakoon_services

from .common import abm_name, backend_of, nsm_names


def clusters(backend):
    """[(cluster name, type, NSM number or None)] of a backend."""
    found = [(abm_name(backend), "ABM", None)]
    found += [(name, "NSM", number) for number, name in enumerate(nsm_names(backend))]
    return found


def deploy(model, backend):
    for name, cluster_type, _ in clusters(backend):
        arakoon_services.deploy(model.store, name, cluster_type)


def remove(model, backend):
    for name, _, _ in clusters(backend):
        if model.store.exists(f"/ovs/arakoon/{name}/config"):
            arakoon_services.remove(model.store, name)


def memberships(model, machine_id):
    """[(backend name, cluster name, type, NSM number, [node names])] of the ALBA clusters
    with a node on ``machine_id``."""
    found = []
    for alba_backend in model.all("albabackend"):
        backend = backend_of(model, alba_backend)
        if not backend:
            continue
        for name, cluster_type, number in clusters(backend):
            names = [node.name for node in arakoon_services.cluster_nodes(model.store, name)]
            if machine_id in names:
                found.append((backend["name"], name, cluster_type, number, names))
    return found


def shrink_node(model, machine_id):
    """Every ABM/NSM cluster with a node on ``machine_id`` without it; returns their names."""
    shrunk = []
    for _, name, _, _, names in memberships(model, machine_id):
        if len(names) > 1:
            arakoon_services.shrink(model.store, name, machine_id)
            shrunk.append(name)
    return shrunk


def checkup(model):
    """Extend the ABM and NSM clusters of every running backend onto the masters with a DB
    partition; returns ``{cluster: [machine ids added]}``."""
    added = {}
    routers = arakoon_services.db_routers(model.store)
    for alba_backend in model.all("albabackend"):
        backend = backend_of(model, alba_backend)
        if not alba_backend.get("alba_id") or backend.get("status") != "RUNNING":
            continue
        for name, _, _ in clusters(backend):
            if not model.store.exists(f"/ovs/arakoon/{name}/config"):
                continue
            present = {node.name for node in arakoon_services.cluster_nodes(model.store, name)}
            for router, partition in routers:
                if router["machine_id"] not in present:
                    arakoon_services.extend(model.store, name, router, partition)
                    added.setdefault(name, []).append(router["machine_id"])
    return added
