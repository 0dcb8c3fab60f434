"""The ALBA plugin's domain (framework-alba-plugin ovs/lib/alba*.py and its DAL dynamics): ASD
nodes, ALBA backends and their ABM/NSM clusters, maintenance agents, presets, OSDs and disk
safety.  Functions take the framework model (``ovs_emulator.model.Model`` or the API's
subclass) as first argument; failures raise the framework's texts (RuntimeError/ValueError).

Modules: ``common`` (alba CLI, names), ``asdclient`` (the ASD manager client), ``maintenance``,
``ovsclient`` (the client of a cluster's API, for backends of another cluster), ``nodes``,
``presets``, ``arakoon`` (ABM/NSM clusters, checkup), ``backends``, ``osds``,
``safety``, ``hooks`` (the plugin's hooks for promote/demote/node removal), ``scheduled``
(the periodic ALBA tasks)."""
from .asdclient import InvalidCredentials, ManagerUnreachable, client_for
from .backends import (add_cluster, albabackend_dynamics, backend_dynamics, create_alba_backend,
                       get_arakoon_config, presets_of, remove_cluster)
from .common import BACKEND_CONFIG_ROOT, OBJECT_NOT_FOUND, abm_name, alba_cli, backend_of, nsm_names
from .maintenance import checkup_maintenance_agents
from .nodes import (discover_nodes, dynamics, fill_slots, register, remove_slot, stack,
                    volatile_node)
from .osds import (add_osds, link_alba_backends, remove_node, remove_units, reset_osd,
                   unlink_alba_backends)
from .safety import calculate_safety
from .presets import add_preset, delete_preset, update_preset

__all__ = ["InvalidCredentials", "ManagerUnreachable", "client_for", "add_cluster",
           "albabackend_dynamics", "backend_dynamics", "create_alba_backend", "presets_of", "remove_cluster",
           "get_arakoon_config", "OBJECT_NOT_FOUND", "BACKEND_CONFIG_ROOT", "abm_name", "alba_cli", "backend_of", "nsm_names",
           "checkup_maintenance_agents", "discover_nodes", "dynamics", "fill_slots", "register",
           "remove_slot", "stack", "volatile_node", "add_osds", "link_alba_backends",
           "remove_node", "remove_units", "reset_osd", "calculate_safety", "unlink_alba_backends", "add_preset", "delete_preset",
           "update_preset"]
