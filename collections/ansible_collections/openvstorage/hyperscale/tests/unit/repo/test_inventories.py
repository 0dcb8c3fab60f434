# -*- coding: utf-8 -*-
"""The shipped inventories (example and demo) pass the storage layout check of the preflight."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.filter import storage

from ansible_collections.openvstorage.hyperscale.tests.unit.paths import REPO


def inventory(path):
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-inventory'), '-i', path, '--list'],
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    data = json.loads(out)
    groups = dict((g, data.get(g, {}).get('hosts', [])) for g in ('controllers', 'computenodes', 'storagenodes'))
    return groups, data['_meta']['hostvars']


@pytest.mark.parametrize('name, path', [
    ('example', os.path.join(REPO, 'inventories', 'example')),
    ('demo', os.path.join(REPO, 'inventories', 'demo')),
    ('geo', os.path.join(REPO, 'inventories', 'geo')),
])
def test_inventory_layout_is_valid(name, path):
    groups, hostvars = inventory(path)
    assert groups['controllers'] and groups['storagenodes']
    result = storage.storage_layout_check(hostvars[groups['controllers'][0]], groups, hostvars)
    assert result == {'errors': [], 'warnings': []}, name
    layout = hostvars[groups['controllers'][0]]
    # the second demo cluster (GeoScale) has a backend for the other cluster and no vPool
    assert layout['ovs_backends'] and (layout.get('ovs_vpools') or name == 'geo')
