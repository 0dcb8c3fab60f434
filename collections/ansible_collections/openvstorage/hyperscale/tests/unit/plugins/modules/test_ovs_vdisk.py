# -*- coding: utf-8 -*-
"""ovs_vdisk (and the size parser of module_utils/storagerouter.py) against the emulated framework API
(tests/unit/emulator_api.py: the storage cluster of build_storage, vPool pool1 made through its API)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError, parse_size
from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_vdisk
from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_api import system
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import expect_fail, run_api_module

GIB = 1024 ** 3


@pytest.mark.parametrize('value, size', [
    (4096, 4096), ('4096', 4096), ('10GiB', 10 * GIB), ('500MiB', 500 * 1024 ** 2), ('1TB', 10 ** 12),
    ('1.5G', 3 * GIB // 2), ('2 tib', 2 * 1024 ** 4), ('7B', 7), ('1k', 1024), ('3KB', 3000),
])
def test_parse_size(value, size):
    assert parse_size(value) == size


@pytest.mark.parametrize('value, text', [
    ('10 GiBs', "size: '10 GiBs' is not a size"), ('abc', "size: 'abc' is not a size"), (0, 'must be more than 0'),
    ('0.5B', 'is not a whole number of bytes'), (True, 'is not a size'), ([], 'is not a size'),
])
def test_parse_size_errors(value, text):
    with pytest.raises(StorageError) as exc:
        parse_size(value)
    assert text in str(exc.value)


@pytest.fixture
def server(storage):
    """The storage cluster (emulator_api.build_storage) with vPool pool1 on ctl01."""
    storage.r1, storage.r2 = storage.router('ctl01')['guid'], storage.router('ctl02')['guid']
    storage.vpool = storage.add_vpool('pool1')
    return storage


def posts(server):
    """(path, data) of the writes the module sent."""
    return [(path, data) for dummy, path, data in server.writes()]


def run(server, tmp_path, **options):
    options.setdefault('vpool', 'pool1')
    return run_api_module(ovs_vdisk.main, server, tmp_path, **options)


# options that pass every check
VALID = dict(name='vd1', storagerouter='ctl01', size='1GiB')


def test_create_with_snapshots_then_idempotent(server, tmp_path):
    status, result, dummy = run(server, tmp_path, diff=True, name='vd1', storagerouter='ctl01', size='10GiB',
                                snapshots=['s1', 's2'])
    assert status == 'exit', result
    assert result['changed'] is True
    vdisk = result['vdisk']
    assert vdisk['name'] == 'vd1' and vdisk['size'] == 10 * GIB and vdisk['snapshots'] == ['s1', 's2']
    assert vdisk['devicename'] == '/vd1.raw' and vdisk['vpool'] == 'pool1' and vdisk['storagerouter'] == 'ctl01'
    assert result['diff'] == {'before': {}, 'after': {'name': 'vd1', 'size': 10 * GIB, 'snapshots': ['s1', 's2']}}
    assert posts(server)[0] == ('/api/vdisks/', dict(name='vd1', size=10 * GIB, vpool_guid=server.vpool,
                                                        storagerouter_guid=server.r1))
    assert [p.rsplit('/', 2)[-2] for p, d in posts(server)[1:]] == ['create_snapshot', 'create_snapshot']
    count = len(posts(server))
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl01', size=10 * GIB, snapshots=['s1'])
    assert status == 'exit' and result['changed'] is False and len(posts(server)) == count
    assert result['vdisk'] == vdisk


def test_check_mode_makes_no_post(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, name='vd1', storagerouter='ctl01', size='1GiB')
    assert status == 'exit' and result['changed'] is True and posts(server) == []
    assert result['vdisk']['guid'] is None and result['vdisk']['size'] == GIB


def test_grow_and_purge_snapshots(server, tmp_path):
    run(server, tmp_path, name='vd1', storagerouter='ctl01', size='1GiB', snapshots=['a', 'b'])
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='vd1', size='2GiB',
                                snapshots=['b', 'c'], purge_snapshots=True)
    assert status == 'exit' and result['changed'] is True
    assert result['diff'] == {'before': {'name': 'vd1', 'size': GIB, 'snapshots': ['a', 'b']},
                              'after': {'name': 'vd1', 'size': 2 * GIB, 'snapshots': ['b', 'c']}}
    count = len(posts(server))
    assert count == 3
    status, result, dummy = run(server, tmp_path, name='vd1', size='2GiB', snapshots=['b', 'c'], purge_snapshots=True)
    assert status == 'exit' and result['vdisk']['size'] == 2 * GIB and result['vdisk']['snapshots'] == ['b', 'c']
    actions = [p.rsplit('/', 2)[-2] for p, d in posts(server)[count:]]
    assert actions == ['extend', 'remove_snapshot', 'create_snapshot']


def test_cannot_shrink(server, tmp_path):
    run(server, tmp_path, name='vd1', storagerouter='ctl01', size='2GiB')
    status, result, dummy = run(server, tmp_path, name='vd1', size='1GiB')
    assert status == 'fail'
    assert result['msg'] == 'size: vDisk vd1 is {0} bytes; it cannot shrink to {1} bytes'.format(2 * GIB, GIB)
    assert len(posts(server)) == 1


def test_clone_and_absent_refused_while_clones(server, tmp_path):
    run(server, tmp_path, name='base', storagerouter='ctl01', size='1GiB', snapshots=['gold'])
    status, result, dummy = run(server, tmp_path, name='clone1', storagerouter='ctl01',
                                clone_from=dict(vdisk='base', snapshot='gold'))
    assert status == 'exit', result
    assert result['vdisk']['parent_vdisk'] == 'base' and result['vdisk']['size'] == GIB
    path, data = posts(server)[-1]
    assert path.endswith('/clone/') and data['name'] == 'clone1' and data['snapshot_id']
    status, result, dummy = run(server, tmp_path, name='clone1', clone_from=dict(vdisk='base'))
    assert status == 'exit' and result['changed'] is False
    status, result, dummy = run(server, tmp_path, name='base', state='absent')
    assert status == 'fail' and result['msg'] == 'vDisk base has clones: clone1; remove them first'
    status, result, dummy = run(server, tmp_path, check_mode=True, name='clone1', state='absent')
    assert status == 'exit' and result['changed'] is True
    status, result, dummy = run(server, tmp_path, name='clone1', state='absent')
    assert status == 'exit' and result['changed'] is True and posts(server)[-1][0].endswith('/delete/')
    status, result, dummy = run(server, tmp_path, name='clone1', state='absent')
    assert status == 'exit' and result['changed'] is False


@pytest.mark.parametrize('options, text', [
    (dict(name='a'), "name: 'a' is not a valid vDisk name"),
    (dict(name='bad name'), "name: 'bad name' is not a valid vDisk name"),
    (dict(size='lots'), "size: 'lots' is not a size"),
    (dict(size='65TiB'), "size: '65TiB' (71468255805440 bytes) exceeds the maximum volume size of 64TiB"),
    (dict(purge_snapshots=True), 'purge_snapshots needs snapshots'),
])
def test_validation_before_any_call(server, tmp_path, options, text):
    expect_fail(run, server, tmp_path, text, **dict(VALID, **options))
    assert server.requests == []


@pytest.mark.parametrize('options, text', [
    (dict(vpool='nope'), "vpool: no vPool named 'nope'; vPools: pool1"),
    (dict(storagerouter=None), 'storagerouter is required to create vDisk vd1'),
    (dict(storagerouter='ctl02'), 'storagerouter: vPool pool1 does not run on storage router ctl02; it runs on: ctl01'),
    (dict(size=None), 'size is required to create vDisk vd1'),
    (dict(clone_from=dict(vdisk='ghost')), "clone_from.vdisk: no vDisk 'ghost' on vPool pool1"),
])
def test_refusals(server, tmp_path, options, text):
    expect_fail(run, server, tmp_path, text, **dict(VALID, **options))
    assert posts(server) == []


def test_clone_snapshot_missing_and_not_a_clone(server, tmp_path):
    run(server, tmp_path, name='base', storagerouter='ctl01', size='1GiB')
    run(server, tmp_path, name='other', storagerouter='ctl01', size='1GiB')
    count = len(posts(server))
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl01',
                                clone_from=dict(vdisk='base', snapshot='gold'))
    assert status == 'fail' and result['msg'] == "clone_from.snapshot: vDisk base has no snapshot 'gold'; snapshots: none"
    status, result, dummy = run(server, tmp_path, name='other', clone_from=dict(vdisk='base'))
    assert status == 'fail' and result['msg'] == ('clone_from: vDisk other exists and is not a clone of base; '
                                                  'it cannot become one')
    assert len(posts(server)) == count


def test_task_failure(server, tmp_path):
    # the volumedriver of the vPool is down on ctl01 (the session's systemd of the node actions)
    system.systemctl.active.discard('ovs-volumedriver_pool1')
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl01', size='1GiB')
    assert status == 'fail' and result['task_status'] == 'FAILURE', result
    assert 'ovs-volumedriver_pool1' in result['msg'] and 'is not running' in result['msg']


def test_move_to_another_storage_router_of_the_vpool(server, tmp_path):
    assert run(server, tmp_path, name='vd1', storagerouter='ctl01', size='1GiB')[0] == 'exit'
    # not compared without move
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl02')
    assert status == 'exit' and result['changed'] is False
    # ctl02 does not run the vPool: refused before any change
    count = len(posts(server))
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl02', move=True)
    assert status == 'fail' and result['msg'].startswith('storagerouter: vPool pool1 does not run on storage router ctl02')
    assert len(posts(server)) == count
    server.add_vpool('pool1', router='ctl02')
    count = len(posts(server))
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='vd1', storagerouter='ctl02', move=True)
    assert status == 'exit' and result['changed'] is True and result['vdisk']['storagerouter'] == 'ctl02'
    assert result['diff']['before']['storagerouter'] == 'ctl01' and result['diff']['after']['storagerouter'] == 'ctl02'
    assert len(posts(server)) == count
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl02', move=True)
    assert status == 'exit' and result['changed'] is True and result['vdisk']['storagerouter'] == 'ctl02'
    assert posts(server)[-1][0].endswith('/move/') and posts(server)[-1][1] == dict(target_storagerouter_guid=server.r2)
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl02', move=True)
    assert status == 'exit' and result['changed'] is False


# ------------------------------------------------------------ planning, without the API

def options(**overrides):
    params = dict(name='disk1', vpool='pool1', storagerouter=None, move=False, size=None, snapshots=None,
                  purge_snapshots=False, clone_from=None, state='present', task_timeout=600)
    params.update(overrides)
    return params


NO_SOURCE = dict(parent=None, snapshot_id=None)
CTL01 = dict(guid='r1', name='ctl01')
CTL02 = dict(guid='r2', name='ctl02')
NAMES = dict(r1='ctl01', r2='ctl02')


def existing(size=GIB, snapshots=(), router='r1'):
    return dict(guid='v1', name='disk1', size=size, devicename='/disk1.raw', storagerouter_guid=router,
                parent_vdisk_guid=None, snapshots=[dict(guid='s-' + s, label=s) for s in snapshots])


def test_plan_new_vdisk():
    plan = ovs_vdisk.plan_vdisk(options(snapshots=['a', 'a', 'b']), None, GIB, NO_SOURCE, CTL01, None, NAMES)
    assert plan['changed'] is True
    assert (plan['base_size'], plan['new_size']) == (GIB, GIB)
    assert plan['to_create'] == ['a', 'b'] and plan['to_remove'] == []
    assert plan['diff'] == dict(before={}, after=dict(name='disk1', size=GIB, snapshots=['a', 'b']))
    assert plan['shown'] == dict(guid=None, name='disk1', devicename='/disk1.raw', storagerouter_guid='r1',
                                 parent_vdisk_guid=None, size=GIB, snapshots=[dict(label='a'), dict(label='b')])


def test_plan_existing_vdisk_unchanged():
    vdisk = existing(snapshots=['a'])
    plan = ovs_vdisk.plan_vdisk(options(snapshots=['a']), vdisk, None, NO_SOURCE, None, None, NAMES)
    assert plan['changed'] is False
    assert plan['to_create'] == [] and plan['to_remove'] == []
    assert plan['shown'] == dict(vdisk, snapshots=[dict(label='a')])


def test_plan_existing_vdisk_extend_purge_and_move():
    vdisk = existing(snapshots=['a', 'b'])
    plan = ovs_vdisk.plan_vdisk(options(snapshots=['b', 'c'], purge_snapshots=True), vdisk, 2 * GIB, NO_SOURCE,
                                None, CTL02, NAMES)
    assert plan['changed'] is True
    assert (plan['base_size'], plan['new_size']) == (GIB, 2 * GIB)
    assert plan['to_create'] == ['c'] and plan['to_remove'] == [dict(guid='s-a', label='a')]
    assert plan['diff'] == dict(
        before=dict(name='disk1', size=GIB, snapshots=['a', 'b'], storagerouter='ctl01'),
        after=dict(name='disk1', size=2 * GIB, snapshots=['b', 'c'], storagerouter='ctl02'))
    assert plan['shown']['storagerouter_guid'] == 'r2'


def test_planned_sizes_refusals():
    with pytest.raises(StorageError, match='size is required to create vDisk disk1'):
        ovs_vdisk.planned_sizes(options(), None, None, None)
    with pytest.raises(StorageError, match='a clone cannot be smaller than its parent'):
        ovs_vdisk.planned_sizes(options(), None, GIB, dict(name='base', size=2 * GIB))
    with pytest.raises(StorageError, match='vDisk disk1 is 1073741824 bytes; it cannot shrink to 1024 bytes'):
        ovs_vdisk.planned_sizes(options(), existing(), 1024, None)
    assert ovs_vdisk.planned_sizes(options(), None, None, dict(name='base', size=GIB)) == (GIB, GIB)


def test_clone_source():
    base = dict(guid='p1', name='base', size=GIB, snapshots=[dict(guid='s1', label='snap1')])
    vpool = dict(guid='vp', name='pool1')
    clone = dict(vdisk='base', snapshot='snap1')
    assert ovs_vdisk.clone_source(options(), vpool, [base], None) == NO_SOURCE
    assert ovs_vdisk.clone_source(options(clone_from=clone), vpool, [base], None) == dict(parent=base,
                                                                                         snapshot_id='s1')
    with pytest.raises(StorageError, match="no vDisk 'other' on vPool pool1"):
        ovs_vdisk.clone_source(options(clone_from=dict(vdisk='other')), vpool, [base], None)
    with pytest.raises(StorageError, match="vDisk base has no snapshot 'x'; snapshots: snap1"):
        ovs_vdisk.clone_source(options(clone_from=dict(vdisk='base', snapshot='x')), vpool, [base], None)
    with pytest.raises(StorageError, match='vDisk disk1 exists and is not a clone of base'):
        ovs_vdisk.clone_source(options(clone_from=clone), vpool, [base], existing())
