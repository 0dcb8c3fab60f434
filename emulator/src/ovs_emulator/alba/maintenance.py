"""Maintenance agents of the ALBA backends (framework-alba-plugin ovs/lib/alba.py
``checkup_maintenance_agents``): ``alba-maintenance_<backend>-<16>`` units on the ASD nodes,
made and removed through the ASD managers.  The agent itself (``alba maintenance``) repairs
the namespaces of its backend (``albamgr.AlbaManager.repair``)."""
from ovs_emulator import system

from . import asdclient
from .common import BACKEND_CONFIG_ROOT, abm_name, backend_of, maintenance_re

DEFAULT_AGENTS = 3


def _ip_key(node):
    return [int(x) for x in str(node.get("ip", "0")).split(".") if x.isdigit()]


def checkup_maintenance_agents(model):
    """AlbaController.checkup_maintenance_agents (without layouts): every backend with an ABM
    gets ``nr_of_agents`` (default 3) maintenance agents, at most one per ASD node, through
    the ASD managers' ``POST /maintenance/<name>/add``.  Unreachable nodes are skipped."""
    if not any(ab.get("alba_id") for ab in model.all("albabackend")):
        return
    nodes = sorted(asdclient.reachable_nodes(model), key=lambda item: _ip_key(item[0]))
    for alba_backend in model.all("albabackend"):
        backend = backend_of(model, alba_backend)
        if not alba_backend.get("alba_id") or not backend:
            continue
        key = f"{BACKEND_CONFIG_ROOT}/{alba_backend['guid']}/maintenance/nr_of_agents"
        requested = model.store.get(key)
        if requested is None:
            requested = DEFAULT_AGENTS
            model.store.set(key, requested)
        _add_agents(alba_backend, backend, nodes, requested)


def _add_agents(alba_backend, backend, nodes, requested):
    pattern = maintenance_re(backend["name"])
    having = [node for node, services in nodes if any(pattern.match(s) for s in services)]
    for node, services in sorted(nodes, key=lambda item: len(item[1])):
        if len(having) >= requested:
            break
        if node in having:
            continue
        name = f"alba-maintenance_{backend['name']}-{system.random_id(16)}"
        read_preferences = [node["node_id"]] if alba_backend.get("scaling") == "LOCAL" else []
        try:
            asdclient.client_for(node).call("POST", f"maintenance/{name}/add", {
                "abm_name": abm_name(backend), "read_preferences": read_preferences,
                "alba_backend_guid": alba_backend["guid"]})
        except (asdclient.ManagerUnreachable, asdclient.InvalidCredentials, RuntimeError):
            continue
        services.append(name)
        having.append(node)


def has_maintenance(model, backend):
    """Whether a reachable ASD node runs an agent of ``backend``."""
    pattern = maintenance_re(backend.get("name", ""))
    return any(pattern.match(name) for _, services in asdclient.reachable_nodes(model)
               for name in services)


def remove_agents(model, alba_backend_guid, backend_name, nodes=None):
    """The agents of a backend removed from ``nodes`` (default: every reachable ASD node)."""
    pattern = maintenance_re(backend_name)
    reachable = asdclient.reachable_nodes(model)
    if nodes is not None:
        wanted = {node["guid"] for node in nodes}
        reachable = [(node, services) for node, services in reachable if node["guid"] in wanted]
    for node, services in reachable:
        for name in services:
            if not pattern.match(name):
                continue
            try:
                asdclient.client_for(node).call("POST", f"maintenance/{name}/remove",
                                                {"alba_backend_guid": alba_backend_guid})
            except (asdclient.ManagerUnreachable, asdclient.InvalidCredentials, RuntimeError):
                pass
