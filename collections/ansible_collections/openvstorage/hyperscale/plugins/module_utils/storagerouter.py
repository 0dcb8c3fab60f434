# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage routers: found through ``GET /api/storagerouters/`` (by host name or IP) and rendered.

Used by every module that names a storage router (ovs_disk, ovs_domain, ovs_vpool, ovs_vdisk,
ovs_node_removal, ovs_update) and by ovs_cluster_info; ``partition_metadata`` reads the framework's own view of
its partitions (ovs_disk, ovs_vpool).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import guid_names, pick, run_action
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError

# ``contents`` of the storage router reads: name and ip are properties (always returned);
# partition_config, regular_domains and recovery_domains are dynamics, computed only when named.
ROUTER_CONTENTS = 'name,ip'
# what the view shows of a storage router (ovs_cluster_info ``storagerouters``)
STORAGEROUTER_FIELDS = ('guid', 'name', 'ip', 'machine_id', 'node_type', 'status', 'rdma_capable')
# the view's domain fields -> the dynamics they come from
DOMAIN_FIELDS = (('domains', 'regular_domains'), ('recovery_domains', 'recovery_domains'))


def list_storagerouters(client, contents=ROUTER_CONTENTS):
    """``GET /api/storagerouters/`` with ``contents`` (what the caller reads besides name and ip)."""
    return client.list('storagerouters', contents=contents)


def storagerouter_names(routers):
    """``{guid: name}`` of the storage routers."""
    return guid_names(routers)


def find_storagerouter(routers, key):
    """The storage router whose name or IP is ``key`` (None when there is none)."""
    for router in routers:
        if router.get('name') == key or router.get('ip') == key:
            return router
    return None


def describe_routers(routers):
    return ', '.join('{0} ({1})'.format(r.get('name'), r.get('ip')) for r in routers) or 'none'


def resolve_storagerouter(routers, key, option='storagerouter'):
    router = find_storagerouter(routers, key)
    if router is None:
        raise StorageError('{0}: no storage router named or with IP {1!r}; storage routers: {2}'.format(
            option, key, describe_routers(routers)))
    return router


def resolve_storagerouters(routers, keys, option='storagerouters'):
    """Storage routers of ``keys`` (names or IPs) in order, without duplicates."""
    found = []
    missing = []
    for key in keys or []:
        router = find_storagerouter(routers, key)
        if router is None:
            missing.append(key)
        elif router['guid'] not in [r['guid'] for r in found]:
            found.append(router)
    if missing:
        raise StorageError('{0}: no storage router named or with IP {1}; storage routers: {2}'.format(
            option, ', '.join(repr(m) for m in missing), describe_routers(routers)))
    return found


def partition_metadata(client, router, timeout=1800):
    """The ``partitions`` of ``POST /api/storagerouters/<guid>/get_metadata/`` (a task that changes nothing):
    ``{role: [{ssd, guid, size, in_use, usable, available, mountpoint, storagerouter_guid}]}``, computed by the
    framework's StorageRouterController.get_partition_info (ovs/lib/storagerouter.py). configure_disk refuses to
    remove a role that it reports ``in_use`` on the partition; add_vpool sizes the write buffer and the local
    caches from the ``available`` space of the ``usable`` WRITE partitions."""
    metadata = run_action(client, 'storagerouters/{0}/get_metadata'.format(router['guid']), {}, timeout=timeout)
    return (metadata or {}).get('partitions') or {}


def storagerouter_view(router, domain_names=None):
    """A storage router as results show it; with ``domain_names`` ({guid: name}) also its domains by name
    (read with ``regular_domains,recovery_domains``)."""
    view = pick(router, STORAGEROUTER_FIELDS)
    if domain_names is not None:
        for field, key in DOMAIN_FIELDS:
            view[field] = sorted(domain_names.get(g, g) for g in router.get(key) or [])
    return view


def sort_storagerouters(views):
    return sorted(views, key=lambda r: (r.get('name') or '', r.get('ip') or ''))
