# -*- coding: utf-8 -*-
"""The storage layout check that preflight runs on the control machine before anything changes: the rules
between options and objects (each option on its own: test_layout_specs.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.filter import storage

GROUPS = {'controllers': ['ctl01', 'ctl02', 'ctl03'], 'computenodes': ['cmp01', 'cmp02'],
          'storagenodes': ['str01', 'str02', 'str03']}
ROLES = [{'disk': 'sdb', 'roles': ['DB', 'DTL', 'WRITE']}, {'disk': 'sdc', 'roles': ['SCRUB']}]
HOSTVARS = dict((h, {'ovs_disk_roles': ROLES} if h.startswith('cmp') else {})
                for hosts in GROUPS.values() for h in hosts)
HOSTVARS['ctl01'] = {'ovs_disk_roles': [{'disk': 'sdb', 'roles': ['DB']}]}
LAYOUT = {
    'ovs_domains': [{'name': 'room1', 'storagerouters': ['cmp01', 'cmp02']}],
    'ovs_backends': [
        {'name': 'hdd', 'asds': [{'disks': ['sdb', 'sdc'], 'asds_per_disk': 2}],
         'presets': [{'name': 'hs-2-1', 'policies': [[2, 1, 2, 1], [4, 2, 5, 2]], 'fragment_size': '4MiB'}]},
        {'name': 'world', 'scaling': 'GLOBAL', 'linked_backends': [{'name': 'hdd', 'preset': 'hs-2-1'}],
         'presets': [{'name': 'g-1', 'policies': [[1, 0, 1, 1]]}]},
    ],
    'ovs_vpools': [{'name': 'vpool01', 'backend': 'hdd', 'preset': 'hs-2-1', 'storagerouters': ['cmp01', 'cmp02'],
                    'sco_size': 128, 'write_buffer': 256, 'writecache_size': 20}],
    'ovs_vdisks': [{'name': 'disk01', 'vpool': 'vpool01', 'storagerouter': 'cmp02', 'size': '10GiB'}],
}


def check(layout=None, hostvars=None, groups=None):
    return storage.storage_layout_check(LAYOUT if layout is None else layout, groups or GROUPS,
                                        HOSTVARS if hostvars is None else hostvars)


def changed(path, value, data=None):
    """A deep copy of ``data`` (default LAYOUT) with the value at ``path`` (keys and indexes) set."""
    layout = copy.deepcopy(LAYOUT if data is None else data)
    target = layout
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return layout


def test_a_valid_layout_has_no_errors_and_warns_about_a_policy_three_nodes_cannot_honour():
    result = check()
    assert result['errors'] == []
    # [4, 2, 5, 2]: 6 fragments, at most 2 per node: 3 nodes, honoured; nothing to warn
    assert result['warnings'] == []
    result = check(changed(('ovs_backends', 0, 'presets', 0, 'policies'), [[2, 1, 2, 1], [8, 3, 9, 2]]))
    assert result['errors'] == []
    assert result['warnings'] == [
        'ovs_backends[0].presets[0].policies[1] [8, 3, 9, 2]: k + m = 11 fragments with at most x = 2 per '
        'storage node needs 6 storage nodes with claimed ASDs; the layout gives 3']


def test_no_layout_at_all_is_valid():
    assert check({}) == {'errors': [], 'warnings': []}


@pytest.mark.parametrize('path, value, message', [
    (('ovs_backends', 0, 'presets', 0, 'policies'), [[4, 2, 5, 1]],
     "ovs_backends[0].presets[0].policies is [[4, 2, 5, 1]]: no policy can be honoured: the layout gives 3 "
     "storage node(s) with claimed ASDs and each policy [k, m, c, x] needs ceil((k + m) / x) of them"),
    (('ovs_backends', 0, 'asds', 0, 'hosts'), ['ctl01'],
     "ovs_backends[0].asds[0].hosts is [\"ctl01\"]: ctl01 not in storagenodes (allowed: str01, str02, str03)"),
    (('ovs_backends', 1, 'linked_backends', 0, 'preset'), 'nope',
     "ovs_backends[1].linked_backends[0].preset is 'nope': a preset of hdd: default, hs-2-1"),
    (('ovs_vpools', 0, 'write_buffer'), 200,
     "ovs_vpools[0].write_buffer is 200: at least 256 when sco_size is 128"),
    (('ovs_vpools', 0, 'writecache_size'), None,
     "ovs_vpools[0].writecache_size is None: the global write buffer of each storage router in GiB"),
    (('ovs_vpools', 0, 'writecache_size'), 19,
     "ovs_vpools[0].writecache_size is 19: at least 20 with 2 proxies: 10% of the write buffer is the local fragment"),
    (('ovs_vdisks', 0, 'size'), None, "ovs_vdisks[0].size is None: the size of a new vDisk"),
    (('ovs_vdisks', 0, 'vpool'), 'other', "ovs_vdisks[0].vpool is 'other': a vPool of ovs_vpools: vpool01"),
    (('ovs_domains', 0, 'storagerouters'), ['str01'],
     "ovs_domains[0].storagerouters is [\"str01\"]: str01 not in controllers or computenodes"),
])
def test_each_bad_value_is_named_with_what_is_allowed(path, value, message):
    errors = check(changed(path, value))['errors']
    assert any(e.startswith(message) for e in errors), errors


def test_disk_roles_of_storage_nodes_and_dtl_twice():
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars['str01']['ovs_disk_roles'] = ROLES
    hostvars['cmp01']['ovs_disk_roles'] = [{'disk': 'sdb', 'roles': ['DB', 'DTL', 'WRITE', 'BACKEND']},
                                           {'disk': 'sdc', 'roles': ['DTL', 'SCRUB']}]
    errors = check(hostvars=hostvars)['errors']
    assert any(e.startswith('ovs_disk_roles of str01 is ') and 'storage nodes have no storage router' in e for e in errors)
    assert any('role DTL may be on one partition per storage router only, here on sdb, sdc' in e for e in errors)


def test_a_backend_needs_a_controller_with_db():
    hostvars = dict(HOSTVARS, ctl01={})
    assert check(hostvars=hostvars)['errors'] == [
        'ovs_disk_roles gives no controller the DB role: the ABM and NSM Arakoon clusters of an ALBA backend live '
        'on the masters with a DB partition (for example ovs_disk_roles: [{disk: sdb, roles: [DB]}] in '
        'group_vars/controllers.yml)']


def test_a_vpool_needs_scrub_somewhere():
    hostvars = copy.deepcopy(HOSTVARS)
    for host in ('cmp01', 'cmp02'):
        hostvars[host]['ovs_disk_roles'] = ROLES[:1]
    assert check(hostvars=hostvars)['errors'] == [
        "ovs_disk_roles gives no storage router the SCRUB role: a vPool needs a partition with the SCRUB role somewhere in the cluster"]


@pytest.mark.parametrize('text, size', [(1024, 1024), ('10GiB', 10 * 1024 ** 3), ('500 MiB', 500 * 1024 ** 2),
                                        ('2T', 2 * 1024 ** 4), ('4GB', 4 * 10 ** 9), ('1.5K', 1536)])
def test_size_bytes(text, size):
    assert storage.size_bytes(text) == size


@pytest.mark.parametrize('text', ['ten', '10 parsecs', True, None, '-1G'])
def test_size_bytes_refuses_what_is_no_size(text):
    assert storage.size_bytes(text) is None


def test_asd_slots_gives_each_storage_node_its_disks_per_backend():
    layout = changed(('ovs_backends', 0, 'asds'), [{'disks': ['sdb'], 'hosts': ['str01']},
                                                   {'disks': ['sdc', 'sdd'], 'asds_per_disk': 3}])
    assert storage.asd_slots(layout['ovs_backends'], 'str01', GROUPS) == [
        {'backend': 'hdd', 'disks': ['sdb'], 'slots': [{'disk': 'sdb', 'asds': 1}]},
        {'backend': 'hdd', 'disks': ['sdc', 'sdd'], 'slots': [{'disk': 'sdc', 'asds': 3}, {'disk': 'sdd', 'asds': 3}]}]
    assert storage.asd_slots(layout['ovs_backends'], 'str02', GROUPS) == [
        {'backend': 'hdd', 'disks': ['sdc', 'sdd'], 'slots': [{'disk': 'sdc', 'asds': 3}, {'disk': 'sdd', 'asds': 3}]}]
