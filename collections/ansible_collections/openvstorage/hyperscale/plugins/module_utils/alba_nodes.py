# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ALBA nodes and their OSDs (ASDs): found through ``GET /api/alba/nodes/`` and rendered from the node's
``stack`` ({slot_id: slot with its ``osds``}); used by alba_node, ovs_asd_manager and ovs_cluster_info."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import pick

# node_id, ip, port, type and name are properties: with them alone no dynamic is computed (``stack``
# asks the node's ASD manager: read it for one node with read_node_stack).
ALBA_NODE_CONTENTS = 'node_id,ip,port,type,name'


def find_alba_node(client, node_id, discover=False, contents=ALBA_NODE_CONTENTS):
    """The ALBA node with ``node_id`` from ``GET /api/alba/nodes/`` (``?discover=true``: unregistered), or None."""
    for node in list_alba_nodes(client, contents, discover):
        if isinstance(node, dict) and node.get('node_id') == node_id:
            return node
    return None


def read_node_stack(client, node):
    """The ``stack`` of an ALBA node: the one ``node`` carries, else ``GET /api/alba/nodes/<guid>/?contents=stack``."""
    if node.get('guid') and 'stack' not in node:
        node = client.get('alba/nodes/{0}'.format(node['guid']), contents='stack')
    stack = node.get('stack')
    return stack if isinstance(stack, dict) else {}


def list_alba_nodes(client, contents=ALBA_NODE_CONTENTS, discover=False):
    """``GET /api/alba/nodes/`` (``?discover=true``: the ASD nodes not registered yet) with ``contents``."""
    params = {'discover': True} if discover else None
    return client.list('alba/nodes', contents=contents, params=params)


# what ovs_cluster_info shows of a registered node, a discovered one and a slot
ALBA_NODE_FIELDS = ('guid', 'node_id', 'ip', 'port', 'type', 'name')
DISCOVERED_FIELDS = ('node_id', 'ip', 'port', 'type')
SLOT_FIELDS = ('slot_id', 'device', 'size', 'mountpoint')


def sort_nodes(views):
    return sorted(views, key=lambda n: n.get('node_id') or '')


def asd_view(asd_id, asd, backend_names):
    """An ASD of a slot: its status and the ALBA backend that claims it (name and guid)."""
    claimed = asd.get('claimed_by')
    return dict(asd_id=asd_id, status=asd.get('status', asd.get('state')), claimed_by=backend_names.get(claimed, claimed),
                claimed_by_guid=claimed)


def disks_view(stack, backend_names):
    """The ``stack`` of an ALBA node ({slot_id: slot}) as a list of disks, each with its ASDs."""
    disks = []
    for slot_id in sorted(stack or {}):
        slot = stack[slot_id] or {}
        view = pick(slot, SLOT_FIELDS)
        view.update(slot_id=slot_id, status=slot.get('status', slot.get('state')),
                    asds=[asd_view(asd_id, asd or {}, backend_names)
                          for asd_id, asd in sorted((slot.get('osds') or {}).items())])
        disks.append(view)
    return disks


def alba_node_view(node, backend_names=None):
    """A registered ALBA node as ovs_cluster_info shows it; with ``backend_names`` ({alba_backend_guid: name}) also
    its ``disks`` from its ``stack``."""
    view = pick(node, ALBA_NODE_FIELDS)
    if backend_names is not None:
        view['disks'] = disks_view(node.get('stack'), backend_names)
    return view


def discovered_view(node):
    return pick(node, DISCOVERED_FIELDS)


def slot_summary(slot, backend_names):
    """A slot as alba_node shows it: device, number of ASDs and the backends that claim them (names)."""
    osds = slot.get('osds') or {}
    claimed = sorted(set(backend_names.get(o.get('claimed_by'), o.get('claimed_by'))
                         for o in osds.values() if o.get('claimed_by')))
    return dict(device=slot.get('device'), asds=len(osds), claimed_by=claimed)


def node_summary(node, stack, backend_names):
    """An ALBA node as alba_node returns it: guid, node_id, ip and its slots (:func:`slot_summary`)."""
    return dict(guid=node.get('guid'), node_id=node.get('node_id'), ip=node.get('ip'),
                slots=dict((sid, slot_summary(slot, backend_names)) for sid, slot in sorted(stack.items())))
