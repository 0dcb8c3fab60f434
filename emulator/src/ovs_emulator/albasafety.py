"""Where an ALBA backend's data lives, and how safe it is (alba: ocaml/src/disk_safety.ml,
maintenance.ml; the emulated part of an ABM, next to ``albamgr``).

The emulator writes no objects, so each namespace of an ABM is modelled as one object placed on
the ABM's OSDs when it is first looked at (``place``): with the first policy ``[k, m, c, x]`` of
its preset that the OSDs claimed by this ALBA (not decommissioned) can satisfy, the object gets
``min(k + m, sum over nodes of min(x, OSDs on the node))`` fragments (at least ``c``), at most
``x`` per node, spread over the nodes in turn.  The placement is kept in the namespace record
(``placement: {policy, fragments: [long ids]}``).

Safety of a namespace (``get-disk-safety``): ``remaining_safety`` = fragments on OSDs that are
not dead - k; dead = the ``--long-id``s, the OSDs of the ``--node-id``s, OSDs no longer in the ABM
(purged), decommissioned ones with ``--include-decommissioning-as-dead``, not answering ones
(TCP connect to an ASD's ip:port fails, or to every ABM node of a linked backend: ``Alba2``)
with ``--include-errored-as-dead``.  Bucket
``[k, m, fragments - k, x]``; a namespace without placement has safety ``null``.

Repair (the maintenance agents): fragments on purged or decommissioned OSDs move to OSDs of the
namespace's policy that do not hold one yet (x per node kept), one namespace per ``pace``
seconds per backend (ABM key ``repair_pace``, default ``REPAIR_PACE``), whatever the number of
agents.  Without room the fragments stay where they are (the safety stays reduced).
"""
from ovs_emulator import system

REPAIR_PACE = 10.0
OBJECTS = 1  # objects per namespace
PROBE_TIMEOUT = 0.5


def osd_nodes(records, alba_id):
    """{node_id: [long_id]} of the OSDs claimed by ``alba_id`` and not decommissioned."""
    nodes = {}
    for record in records:
        info = record["info"]
        if record.get("owner") == alba_id and not info.get("decommissioned"):
            nodes.setdefault(info.get("node_id"), []).append(info["long_id"])
    return {node: sorted(ids) for node, ids in sorted(nodes.items(), key=lambda i: str(i[0]))}


def spread(nodes, policy, taken=()):
    """Long ids for up to k+m-len(taken) more fragments, at most x per node (``taken`` counted),
    round robin over the nodes."""
    k, m, _, x = policy
    per_node = {}
    for node, ids in nodes.items():
        per_node[node] = sum(1 for long_id in taken if long_id in ids)
    queues = {node: [i for i in ids if i not in taken] for node, ids in nodes.items()}
    chosen = []
    wanted = k + m - len(taken)
    while len(chosen) < wanted:
        progress = False
        for node, queue in queues.items():
            if len(chosen) < wanted and queue and per_node[node] < x:
                chosen.append(queue.pop(0))
                per_node[node] += 1
                progress = True
        if not progress:
            break
    return chosen


def place(policies, nodes):
    """(policy, fragments) of a new object, or None when no policy can be written."""
    for policy in policies:
        fragments = spread(nodes, policy)
        if fragments and len(fragments) >= policy[2]:
            return {"policy": list(policy), "fragments": fragments}
    return None


def _endpoints(info):
    """[(ip, port)] an OSD is reached on: an ASD's ip:port, the ABM nodes of an Alba2 OSD (a
    linked backend, maybe of another cluster)."""
    if info.get("kind") == "AsdV1" and info.get("port"):
        return [(ip, int(info["port"])) for ip in info.get("ips") or []]
    if info.get("kind") == "Alba2":
        return [(ip, int(node["port"])) for _, node in (info.get("albamgr_cfg") or {}).get("node_cfgs", [])
                for ip in node.get("ips", [])]
    return []


def errored(records):
    """Long ids of the ASDs and linked backends (Alba2) that do not answer: no TCP connection to
    the ASD's ip:port, to any ABM node of the linked backend."""
    found = set()
    for record in records:
        endpoints = _endpoints(record["info"])
        if endpoints and not any(system.port_open(ip, port, timeout=PROBE_TIMEOUT)
                                 for ip, port in endpoints):
            found.add(record["info"]["long_id"])
    return found


def namespace_safety(name, placement, dead):
    """One ``get-disk-safety`` entry."""
    if not placement:
        return {"namespace": name, "safety": None, "safety_count": None, "bucket_safety": []}
    k, m, _, x = placement["policy"]
    fragments = placement["fragments"]
    lost = sum(1 for long_id in fragments if long_id in dead)
    remaining = len(fragments) - k - lost
    return {"namespace": name, "safety": remaining, "safety_count": OBJECTS,
            "bucket_safety": [{"bucket": [k, m, len(fragments) - k, x], "count": OBJECTS,
                               "applicable_dead_osds": lost, "remaining_safety": remaining}]}


def repair(placement, nodes, broken):
    """The placement with its fragments on ``broken`` OSDs moved where the policy allows; None
    when nothing could move."""
    keep = [long_id for long_id in placement["fragments"] if long_id not in broken]
    if len(keep) == len(placement["fragments"]):
        return None
    moved = spread(nodes, placement["policy"], keep)[:len(placement["fragments"]) - len(keep)]
    if not moved:
        return None
    stuck = [long_id for long_id in placement["fragments"] if long_id in broken]
    stuck = stuck[len(moved):]
    return dict(placement, fragments=keep + moved + stuck)
