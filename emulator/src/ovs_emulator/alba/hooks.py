"""The ALBA plugin's hooks of the framework's node operations (framework-alba-plugin
ovs/lib/alba.py ``_on_demote``/``_on_remove`` and their validations), registered with
``ovs_emulator.hooks``: a master that leaves (demote, node removal) leaves the ABM and NSM
clusters of every backend; refused when it is the only node of one of them.  Joining masters
are NOT added here: ``arakoon.checkup`` does that later (``scheduled``)."""
from ovs_emulator.hooks import HookRefusal, hook
from ovs_emulator.model import Model

from . import arakoon


def _only_node(model, machine_id):
    """[(backend name, type, NSM number)] of the clusters where ``machine_id`` is the only node."""
    return [(backend, cluster_type, number)
            for backend, _, cluster_type, number, names in arakoon.memberships(model, machine_id)
            if names == [machine_id]]


@hook("nodetype.validate_demote")
def validate_demote(config_store, machine_id, ip=None, **_):
    for _, cluster_type, _ in _only_node(Model(config_store), machine_id):
        raise HookRefusal(f"No other available nodes found in the {cluster_type} cluster")


@hook("noderemoval.validate")
def validate_removal(config_store, machine_id, ip=None, **_):
    for backend, cluster_type, number in _only_node(Model(config_store), machine_id):
        if cluster_type == "ABM":
            raise HookRefusal(f"Node to remove is only node left in the ABM cluster for ALBA "
                              f"Backend {backend}")
        raise HookRefusal(f"Node to remove is only node left in NSM cluster {number} for ALBA "
                          f"Backend {backend}")


@hook("nodetype.demote")
@hook("noderemoval.remove")
def leave_clusters(config_store, machine_id, ip=None, **_):
    """Every ABM/NSM cluster shrunk off the node; returns the clusters it left."""
    return arakoon.shrink_node(Model(config_store), machine_id)
