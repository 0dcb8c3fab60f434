# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vDisks: the framework's rules of their names and sizes, found through ``GET /api/vdisks/`` and rendered
(ovs_vdisk, ovs_vpool, ovs_cluster_info)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import guid_names

# framework vdisk.py: vDisk names and the largest volume
VDISK_NAME = re.compile(r'^[0-9a-zA-Z][\-_a-zA-Z0-9]+[a-zA-Z0-9]$')
VDISK_MAX_SIZE = 64 * 1024 ** 4

# contents of a vDisk read: name, size and devicename are properties; snapshots and storagerouter_guid
# dynamics; parent_vdisk, child_vdisks and vpool relations (parent_vdisk_guid, child_vdisks_guids, vpool_guid)
VDISK_CONTENTS = 'name,size,devicename,snapshots,storagerouter_guid,parent_vdisk,child_vdisks,vpool'
# what the view needs (no child_vdisks)
VDISK_VIEW_CONTENTS = 'name,size,devicename,snapshots,storagerouter_guid,parent_vdisk,vpool'
# where the vDisks of a vPool are served (what keeps a vPool from being removed)
VDISK_PLACE_CONTENTS = 'name,vpool,storagerouter_guid'


def list_vdisks(client, contents=VDISK_VIEW_CONTENTS, vpool=None):
    """``GET /api/vdisks/`` with ``contents``; with ``vpool`` those of that vPool only."""
    if vpool is None:
        return client.list('vdisks', contents=contents)
    return [v for v in client.list('vdisks', contents=contents, params={'vpoolguid': vpool['guid']})
            if v.get('vpool_guid') == vpool['guid']]


def vdisks_served_by(client, router, contents=VDISK_PLACE_CONTENTS):
    """The vDisks the storage router ``router`` serves (``?storagerouterguid=``; the filter is the server's, only what
    it says is served there is kept)."""
    vdisks = client.list('vdisks', contents=contents, params=dict(storagerouterguid=router['guid']))
    return [v for v in vdisks if v.get('storagerouter_guid') in (None, router['guid'])]


def read_vdisk(client, guid, contents=VDISK_CONTENTS):
    """``GET /api/vdisks/<guid>/`` with ``contents``."""
    return client.get('vdisks/{0}'.format(guid), contents=contents)


def snapshot_labels(vdisk):
    return [s.get('label') for s in vdisk.get('snapshots') or []]


def vdisk_view(vdisk, vpool_name, router_names, vdisk_names):
    """A vDisk as results show it: its vPool (``vpool_name``), storage router (``router_names``: {guid: name}) and
    parent (``vdisk_names``: {guid: name}) by name, its snapshots by label."""
    return dict(guid=vdisk.get('guid'), name=vdisk.get('name'), size=vdisk.get('size'),
                devicename=vdisk.get('devicename'), vpool=vpool_name,
                storagerouter=router_names.get(vdisk.get('storagerouter_guid')),
                snapshots=snapshot_labels(vdisk), parent_vdisk=vdisk_names.get(vdisk.get('parent_vdisk_guid')))


def vdisk_views(vdisks, vpool_names, router_names):
    """The views of ``vdisks`` (of any vPool; ``vpool_names``: {guid: name}), sorted by vPool and name."""
    names = guid_names(vdisks)
    return sorted((vdisk_view(v, vpool_names.get(v.get('vpool_guid')), router_names, names) for v in vdisks),
                  key=lambda v: (v.get('vpool') or '', v.get('name') or ''))
