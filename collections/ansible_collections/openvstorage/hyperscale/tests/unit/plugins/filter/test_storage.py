# -*- coding: utf-8 -*-
"""The storage layout check that preflight runs on the control machine before anything changes: the rules
between options and objects (each option on its own: test_specs.py)."""

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
    assert storage.asd_slots(layout['ovs_backends'], 'str01', GROUPS, HOSTVARS) == [
        {'backend': 'hdd', 'disks': ['sdb'], 'slots': [{'disk': 'sdb', 'asds': 1}]},
        {'backend': 'hdd', 'disks': ['sdc', 'sdd'], 'slots': [{'disk': 'sdc', 'asds': 3}, {'disk': 'sdd', 'asds': 3}]}]
    assert storage.asd_slots(layout['ovs_backends'], 'str02', GROUPS, HOSTVARS) == [
        {'backend': 'hdd', 'disks': ['sdc', 'sdd'], 'slots': [{'disk': 'sdc', 'asds': 3}, {'disk': 'sdd', 'asds': 3}]}]


# ---- Accelerated ALBA: cache backends of the vPools, excellerated_backend of the storage nodes ----------------

ACCELERATED = {'name': 'ssd', 'accelerated': True, 'asds': [{'disks': ['sdb']}],
               'presets': [{'name': 'fast', 'policies': [[1, 0, 1, 1]]}]}


def accelerated(flags=None, **vpool):
    """LAYOUT with the accelerated backend ``ssd`` (its cache options in ``vpool``) and HOSTVARS with ``flags``
    (default: str03 flagged)."""
    layout = copy.deepcopy(LAYOUT)
    layout['ovs_backends'].insert(1, copy.deepcopy(ACCELERATED))
    layout['ovs_backends'][0]['presets'][0]['policies'] = [[1, 1, 1, 1]]  # two storage nodes are left to hdd
    layout['ovs_vpools'][0].update(vpool)
    hostvars = copy.deepcopy(HOSTVARS)
    for host, value in (flags if flags is not None else {'str03': True}).items():
        hostvars[host]['excellerated_backend'] = value
    return layout, hostvars


def test_an_accelerated_layout_is_valid_and_the_flag_maps_the_storage_nodes():
    layout, hostvars = accelerated(fragment_cache={'backend': 'ssd', 'preset': 'fast'},
                                   block_cache={'backend': 'ssd', 'on_read': True})
    hostvars['str01']['excellerated_backend'] = 'false'  # an INI inventory gives strings
    hostvars['ctl01']['excellerated_backend'] = False  # the original hyperconverged inventories set it everywhere
    assert check(layout, hostvars) == {'errors': [], 'warnings': []}
    backends = layout['ovs_backends']
    assert storage.asd_slots(backends, 'str03', GROUPS, hostvars) == [
        {'backend': 'ssd', 'disks': ['sdb'], 'slots': [{'disk': 'sdb', 'asds': 1}]}]
    for host in ('str01', 'str02'):
        assert [s['backend'] for s in storage.asd_slots(backends, host, GROUPS, hostvars)] == ['hdd']
    # listed hosts win over the flag
    backends[0]['asds'][0]['hosts'] = ['str01', 'str03']
    backends[0]['asds'][0]['disks'] = ['sdc']
    assert [s['backend'] for s in storage.asd_slots(backends, 'str03', GROUPS, hostvars)] == ['hdd', 'ssd']


def test_without_flags_every_local_backend_takes_every_storage_node():
    assert storage.default_asd_hosts({'name': 'hdd'}, GROUPS['storagenodes'], HOSTVARS) == GROUPS['storagenodes']
    assert storage.default_asd_hosts(ACCELERATED, GROUPS['storagenodes'], HOSTVARS) == []
    hostvars = dict(HOSTVARS, str02={'excellerated_backend': 'yes'})
    assert storage.default_asd_hosts(ACCELERATED, GROUPS['storagenodes'], hostvars) == ['str02']
    assert storage.default_asd_hosts({'name': 'hdd'}, GROUPS['storagenodes'], hostvars) == ['str01', 'str03']


@pytest.mark.parametrize('flags, vpool, message', [
    ({'str03': 'maybe'}, {}, "excellerated_backend of str03 is 'maybe': a boolean (true or false)"),
    ({'str03': True, 'cmp01': True}, {},
     'excellerated_backend of cmp01 is true: cmp01 is not in storagenodes: only storage nodes give their disks to '
     'the accelerated backend (storage nodes: str01, str02, str03)'),
    ({}, {}, "ovs_backends[1].asds[0].hosts is None: backend ssd is accelerated but no storage node has "
             "excellerated_backend=true: set it on the (SSD) storage nodes of this backend, or list them in hosts"),
    ({'str01': True, 'str02': True, 'str03': True}, {},
     'ovs_backends[0].asds[0].hosts is None: every storage node has excellerated_backend=true and gives its disks '
     'to the accelerated backend; list the storage nodes of backend hdd in hosts'),
    ({'str03': True}, {'fragment_cache': {'backend': 'hdd'}},
     "ovs_vpools[0].fragment_cache.backend is 'hdd': the vPool's own backend; allowed: another backend of "
     "ovs_backends (Backend and fragment cache backend cannot be the same): ssd, world"),
    ({'str03': True}, {'block_cache': {'backend': 'nvme', 'on_write': True}},
     "ovs_vpools[0].block_cache.backend is 'nvme': a backend of ovs_backends: hdd, ssd, world"),
    ({'str03': True}, {'fragment_cache': {'backend': 'ssd', 'preset': 'gold'}},
     "ovs_vpools[0].fragment_cache.preset is 'gold': a preset of backend ssd: default, fast"),
    ({'str03': True}, {'block_cache': {'preset': 'fast', 'on_read': True}},
     "ovs_vpools[0].block_cache.preset is 'fast': a preset of the cache backend: set block_cache.backend too (a "
     "local cache has no preset)"),
    ({'str03': True}, {'block_cache': {'backend': 'ssd'}},
     "ovs_vpools[0].block_cache.backend is 'ssd': the block cache is off (block_cache.on_read and "
     "block_cache.on_write are false); allowed: on_read and/or on_write true with a cache backend"),
])
def test_accelerated_layout_errors(flags, vpool, message):
    layout, hostvars = accelerated(flags, **vpool)
    errors = check(layout, hostvars)['errors']
    assert message in errors, errors


def test_flagged_storage_nodes_need_an_accelerated_backend():
    layout, hostvars = accelerated()
    layout['ovs_backends'][1]['accelerated'] = False
    layout['ovs_backends'][1]['asds'][0]['hosts'] = ['str03']
    assert check(layout, hostvars)['errors'] == [
        'excellerated_backend is true on str03 but no LOCAL backend of ovs_backends has accelerated: true: mark the '
        'backend of these storage nodes accelerated (ovs_backends[].accelerated), or set excellerated_backend false']
    # without LOCAL backends the flag only warns (the original inventory sets it; no backend is declared yet)
    assert check({}, hostvars) == {'errors': [], 'warnings': [
        'excellerated_backend is true on str03 but ovs_backends declares no LOCAL backend: the flag gives these '
        'storage nodes to the backend with accelerated: true']}


def test_a_disk_gives_asds_to_one_backend_and_a_global_backend_is_not_accelerated():
    layout, hostvars = accelerated()
    layout['ovs_backends'][1]['asds'][0]['hosts'] = ['str03', 'str01']
    errors = check(layout, hostvars)['errors']
    assert ('ovs_backends[1].asds[0].disks is ["sdb"]: disk sdb of str01 already gives ASDs to backend hdd '
            '(ovs_backends[0].asds[0]); a disk gives ASDs to one backend') in errors, errors
    layout, hostvars = accelerated()
    layout['ovs_backends'][2]['accelerated'] = True
    assert check(layout, hostvars)['errors'] == [
        'ovs_backends[2].accelerated is true: only a LOCAL backend takes the disks of the storage nodes with '
        'excellerated_backend=true']


def test_a_cache_on_a_backend_needs_no_local_cache_space():
    layout, hostvars = accelerated(writecache_size=5, fragment_cache={'backend': 'ssd'})
    assert check(layout, hostvars)['errors'] == []
    layout, hostvars = accelerated(writecache_size=30, block_cache={'on_read': True})
    assert check(layout, hostvars)['errors'] == [
        'ovs_vpools[0].writecache_size is 30: at least 40 with 2 proxies: 10% of the write buffer is the local '
        'fragment cache and block cache, at least 1 GiB per proxy and cache (or turn the fragment cache and block '
        'cache off, or put it on a backend)']


# ---- GeoScale: a GLOBAL backend that links a LOCAL backend of another cluster --------------------------------
FAR_SECRET = 'FarSecret0123456789'
FAR = {'name': 'far-hdd', 'preset': 'default',
       'cluster': {'api_host': '10.20.0.11', 'client_id': 'c-far', 'client_secret': FAR_SECRET}}


def test_a_remote_link_needs_no_backend_of_this_inventory_and_counts_for_the_global_presets():
    links = [{'name': 'hdd', 'preset': 'hs-2-1'}, FAR]
    policies = ('ovs_backends', 1, 'presets', 0, 'policies')
    # [1, 1, 2, 1]: 2 fragments, at most 1 per linked backend: 2 linked backends, the remote one included
    layout = changed(policies, [[1, 1, 2, 1]], changed(('ovs_backends', 1, 'linked_backends'), links))
    assert check(layout) == {'errors': [], 'warnings': []}
    layout = changed(policies, [[1, 1, 2, 1]], changed(('ovs_backends', 1, 'linked_backends'), links[:1]))
    assert check(layout)['errors'] == [
        'ovs_backends[1].presets[0].policies is [[1, 1, 2, 1]]: no policy can be honoured: the layout gives 1 linked '
        'backend(s) with claimed ASDs and each policy [k, m, c, x] needs ceil((k + m) / x) of them']


def test_a_local_link_still_names_a_backend_of_ovs_backends():
    errors = check(changed(('ovs_backends', 1, 'linked_backends'), [{'name': 'far-hdd', 'preset': 'default'}]))['errors']
    assert errors[0] == ("ovs_backends[1].linked_backends[0].name is 'far-hdd': a LOCAL backend of ovs_backends: hdd "
                         "(a backend of another cluster: set cluster)")


def test_a_remote_link_on_a_local_backend_is_refused_without_showing_the_secret():
    errors = check(changed(('ovs_backends', 0, 'linked_backends'), [FAR]))['errors']
    assert errors == [
        'ovs_backends[0].linked_backends is [{"cluster": {"api_host": "10.20.0.11", "client_id": "c-far", '
        '"client_secret": "********"}, "name": "far-hdd", "preset": "default"}]: only a GLOBAL backend links backends']
    assert FAR_SECRET not in ' '.join(errors)


def test_the_same_remote_backend_twice_is_refused():
    errors = check(changed(('ovs_backends', 1, 'linked_backends'), [FAR, FAR]))['errors']
    assert errors == ["ovs_backends[1].linked_backends[1].name is 'far-hdd': a backend of the cluster at 10.20.0.11 "
                      "once per GLOBAL backend"]
    # the same name on this cluster and on another: two backends
    local = {'name': 'hdd', 'preset': 'default'}
    assert check(changed(('ovs_backends', 1, 'linked_backends'), [local, dict(FAR, name='hdd')]))['errors'] == []


# ---- GeoScale: a cache backend of another cluster ----------------------------------------------------------------

FAR_CLUSTER = {'api_host': '10.20.0.11', 'client_id': 'c-far', 'client_secret': FAR_SECRET}


def test_a_cache_backend_of_another_cluster_need_not_be_in_ovs_backends():
    # named like the vPool's own backend (hdd) and like no backend of ovs_backends: both are of the other cluster
    layout, hostvars = accelerated(fragment_cache={'backend': 'hdd', 'cluster': dict(FAR_CLUSTER)},
                                   block_cache={'backend': 'far-ssd', 'preset': 'gold', 'on_read': True,
                                                'cluster': dict(FAR_CLUSTER)})
    assert check(layout, hostvars) == {'errors': [], 'warnings': []}


@pytest.mark.parametrize('api_host', ['ctl01', '172.30.250.11'])
def test_a_cache_cluster_that_is_this_cluster_is_checked_as_local(api_host):
    layout, hostvars = accelerated(fragment_cache={'backend': 'hdd', 'cluster': dict(FAR_CLUSTER, api_host=api_host)})
    hostvars['ctl01']['ansible_host'] = '172.30.250.11'
    errors = check(layout, hostvars)['errors']
    assert ("ovs_vpools[0].fragment_cache.backend is 'hdd': the vPool's own backend; allowed: another backend of "
            "ovs_backends (Backend and fragment cache backend cannot be the same): ssd, world") in errors, errors
