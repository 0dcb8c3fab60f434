# -*- coding: utf-8 -*-
"""ovs_vdisk (and the size parser of module_utils/storagerouter.py) against the fake storage API."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.storagerouter import StorageError, parse_size
from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_vdisk
from ansible_collections.openvstorage.hyperscale.tests.unit.fake_storage_api import StorageApiServer
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
def server(tmp_path):
    srv = StorageApiServer(str(tmp_path)).start()
    ovs = srv.ovs
    srv.r1, srv.r2 = ovs.add_controllers(2)
    be = ovs.add_albabackend('be1')
    params = dict(vpool_name='pool1', storage_ip='172.30.250.11', backend_info=dict(alba_backend_guid=be, preset='default'),
                  connection_info={}, caching_info={},
                  config_params=dict(sco_size=4, cluster_size=4, dtl_mode='a_sync', dtl_transport='tcp',
                                     write_buffer=128),
                  mds_config_params=dict(mds_safety=3, mds_tlogs=100, mds_maxload=75))
    ovs.add_vpool(ovs.router(srv.r1), params)
    srv.vpool = list(ovs.vpools)[0]
    yield srv
    srv.stop()


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
    assert server.ovs.posts[0] == ('/api/vdisks/', dict(name='vd1', size=10 * GIB, vpool_guid=server.vpool,
                                                        storagerouter_guid=server.r1))
    assert [p.rsplit('/', 2)[-2] for p, d in server.ovs.posts[1:]] == ['create_snapshot', 'create_snapshot']
    count = len(server.ovs.posts)
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl01', size=10 * GIB, snapshots=['s1'])
    assert status == 'exit' and result['changed'] is False and len(server.ovs.posts) == count
    assert result['vdisk'] == vdisk


def test_check_mode_makes_no_post(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, name='vd1', storagerouter='ctl01', size='1GiB')
    assert status == 'exit' and result['changed'] is True and server.ovs.posts == []
    assert result['vdisk']['guid'] is None and result['vdisk']['size'] == GIB


def test_grow_and_purge_snapshots(server, tmp_path):
    run(server, tmp_path, name='vd1', storagerouter='ctl01', size='1GiB', snapshots=['a', 'b'])
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='vd1', size='2GiB',
                                snapshots=['b', 'c'], purge_snapshots=True)
    assert status == 'exit' and result['changed'] is True
    assert result['diff'] == {'before': {'name': 'vd1', 'size': GIB, 'snapshots': ['a', 'b']},
                              'after': {'name': 'vd1', 'size': 2 * GIB, 'snapshots': ['b', 'c']}}
    count = len(server.ovs.posts)
    assert count == 3
    status, result, dummy = run(server, tmp_path, name='vd1', size='2GiB', snapshots=['b', 'c'], purge_snapshots=True)
    assert status == 'exit' and result['vdisk']['size'] == 2 * GIB and result['vdisk']['snapshots'] == ['b', 'c']
    actions = [p.rsplit('/', 2)[-2] for p, d in server.ovs.posts[count:]]
    assert actions == ['extend', 'remove_snapshot', 'create_snapshot']


def test_cannot_shrink(server, tmp_path):
    run(server, tmp_path, name='vd1', storagerouter='ctl01', size='2GiB')
    status, result, dummy = run(server, tmp_path, name='vd1', size='1GiB')
    assert status == 'fail'
    assert result['msg'] == 'size: vDisk vd1 is {0} bytes; it cannot shrink to {1} bytes'.format(2 * GIB, GIB)
    assert len(server.ovs.posts) == 1


def test_clone_and_absent_refused_while_clones(server, tmp_path):
    run(server, tmp_path, name='base', storagerouter='ctl01', size='1GiB', snapshots=['gold'])
    status, result, dummy = run(server, tmp_path, name='clone1', storagerouter='ctl01',
                                clone_from=dict(vdisk='base', snapshot='gold'))
    assert status == 'exit', result
    assert result['vdisk']['parent_vdisk'] == 'base' and result['vdisk']['size'] == GIB
    path, data = server.ovs.posts[-1]
    assert path.endswith('/clone/') and data['name'] == 'clone1' and data['snapshot_id']
    status, result, dummy = run(server, tmp_path, name='clone1', clone_from=dict(vdisk='base'))
    assert status == 'exit' and result['changed'] is False
    status, result, dummy = run(server, tmp_path, name='base', state='absent')
    assert status == 'fail' and result['msg'] == 'vDisk base has clones: clone1; remove them first'
    status, result, dummy = run(server, tmp_path, check_mode=True, name='clone1', state='absent')
    assert status == 'exit' and result['changed'] is True
    status, result, dummy = run(server, tmp_path, name='clone1', state='absent')
    assert status == 'exit' and result['changed'] is True and server.ovs.posts[-1][0].endswith('/delete/')
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
    assert server.ovs.requests == []


@pytest.mark.parametrize('options, text', [
    (dict(vpool='nope'), "vpool: no vPool named 'nope'; vPools: pool1"),
    (dict(storagerouter=None), 'storagerouter is required to create vDisk vd1'),
    (dict(storagerouter='ctl02'), 'storagerouter: vPool pool1 does not run on storage router ctl02; it runs on: ctl01'),
    (dict(size=None), 'size is required to create vDisk vd1'),
    (dict(clone_from=dict(vdisk='ghost')), "clone_from.vdisk: no vDisk 'ghost' on vPool pool1"),
])
def test_refusals(server, tmp_path, options, text):
    expect_fail(run, server, tmp_path, text, **dict(VALID, **options))
    assert server.ovs.posts == []


def test_clone_snapshot_missing_and_not_a_clone(server, tmp_path):
    run(server, tmp_path, name='base', storagerouter='ctl01', size='1GiB')
    run(server, tmp_path, name='other', storagerouter='ctl01', size='1GiB')
    count = len(server.ovs.posts)
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl01',
                                clone_from=dict(vdisk='base', snapshot='gold'))
    assert status == 'fail' and result['msg'] == "clone_from.snapshot: vDisk base has no snapshot 'gold'; snapshots: none"
    status, result, dummy = run(server, tmp_path, name='other', clone_from=dict(vdisk='base'))
    assert status == 'fail' and result['msg'] == ('clone_from: vDisk other exists and is not a clone of base; '
                                                  'it cannot become one')
    assert len(server.ovs.posts) == count


def test_task_failure(server, tmp_path):
    server.ovs.fail_next_task = 'A vDisk with this name already exists on vPool pool1'
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl01', size='1GiB')
    assert status == 'fail' and 'already exists on vPool pool1' in result['msg']


def test_move_to_another_storage_router_of_the_vpool(server, tmp_path):
    assert run(server, tmp_path, name='vd1', storagerouter='ctl01', size='1GiB')[0] == 'exit'
    # not compared without move
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl02')
    assert status == 'exit' and result['changed'] is False
    # ctl02 does not run the vPool: refused before any change
    count = len(server.ovs.posts)
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl02', move=True)
    assert status == 'fail' and result['msg'].startswith('storagerouter: vPool pool1 does not run on storage router ctl02')
    assert len(server.ovs.posts) == count
    ovs = server.ovs
    ovs.add_vpool(ovs.router(server.r2), dict(vpool_name='pool1', storage_ip='172.30.250.12', caching_info={}))
    count = len(server.ovs.posts)
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='vd1', storagerouter='ctl02', move=True)
    assert status == 'exit' and result['changed'] is True and result['vdisk']['storagerouter'] == 'ctl02'
    assert result['diff']['before']['storagerouter'] == 'ctl01' and result['diff']['after']['storagerouter'] == 'ctl02'
    assert len(server.ovs.posts) == count
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl02', move=True)
    assert status == 'exit' and result['changed'] is True and result['vdisk']['storagerouter'] == 'ctl02'
    assert server.ovs.posts[-1][0].endswith('/move/') and server.ovs.posts[-1][1] == dict(target_storagerouter_guid=server.r2)
    status, result, dummy = run(server, tmp_path, name='vd1', storagerouter='ctl02', move=True)
    assert status == 'exit' and result['changed'] is False
