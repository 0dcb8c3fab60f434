# -*- coding: utf-8 -*-
"""ovs_vpool against the emulated framework API (tests/unit/emulator_api.py, the storage cluster of
build_storage): ctl01 (sdb DB+WRITE, sdd DTL+SCRUB+WRITE) and ctl02 (DB+DTL+WRITE) with their ovs-workers,
LOCAL backends be1 and acc1 whose presets are available (ASDs of str01 claimed)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsTaskError
from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_vpool
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import expect_fail, run_api_module

GIB = 1024 ** 3
SECRET = 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3t00'


@pytest.fixture
def server(storage):
    storage.r = dict((name, storage.router(name)['guid']) for name in ('ctl01', 'ctl02', 'ctl03'))
    storage.be = storage.alba_backend('be1')
    return storage


def run(server, tmp_path, **options):
    return run_api_module(ovs_vpool.main, server, tmp_path, **options)


def posts(server):
    """(path, data) of the writes the module sent."""
    return [(path, data) for dummy, path, data in server.writes()]


def vpools(server):
    return server.objects('vpool')


def add_vdisk(server, vpool_guid, name, router):
    """A vDisk made through the API (POST /api/vdisks/), served by storage router ``router``."""
    server.prepare(lambda api: api.wait_for_task(api.post('vdisks/', dict(
        name=name, size=GIB, vpool_guid=vpool_guid, storagerouter_guid=server.r[router])), interval=0.02))


# options that pass every check
VALID = dict(name='pool1', backend='be1', storagerouters=['ctl01'], writecache_size=50)


def create(server, tmp_path, **extra):
    options = dict(name='pool1', backend='be1', storagerouters=['ctl01', 'ctl02'], writecache_size=50,
                   dtl_mode='a_sync', sco_size=8)
    options.update(extra)
    return run(server, tmp_path, **options)


def test_create_on_first_then_extend_then_idempotent(server, tmp_path):
    client_id, secret = server.add_client()
    status, result, dummy = create(server, tmp_path, storage_ip={'ctl02': '10.0.0.12'}, proxies=4,
                                   fragment_cache=dict(on_write=False, quota=GIB), backend_client_id=client_id,
                                   backend_client_secret=secret)
    assert status == 'exit', result
    assert result['changed'] is True and result['not_removed'] == []
    vpool = result['vpool']
    assert vpool['name'] == 'pool1' and vpool['status'] == 'RUNNING' and vpool['storagerouters'] == ['ctl01', 'ctl02']
    assert vpool['configuration']['sco_size'] == 8 and vpool['configuration']['dtl_mode'] == 'a_sync'
    sent = posts(server)
    assert [p for p, d in sent] == ['/api/storagerouters/{0}/add_vpool/'.format(server.r['ctl01']),
                                     '/api/storagerouters/{0}/add_vpool/'.format(server.r['ctl02'])]
    first = sent[0][1]['call_parameters']
    assert first == dict(
        vpool_name='pool1', storagerouter_ip='172.30.250.11', storage_ip='172.30.250.11',
        backend_info=dict(alba_backend_guid=server.be, preset='default'),
        connection_info=dict(host='127.0.0.1', port=server.port, client_id=client_id, client_secret=secret,
                             local=True),
        config_params=dict(sco_size=8, cluster_size=4, dtl_mode='a_sync', dtl_transport='tcp', write_buffer=128),
        caching_info=dict(fragment_cache_on_read=True, fragment_cache_on_write=False, block_cache_on_read=False,
                          block_cache_on_write=False, cache_quota_fc=GIB),
        writecache_size=50, parallelism=dict(proxies=4),
        mds_config_params=dict(mds_safety=3, mds_tlogs=100, mds_maxload=75))
    assert sent[1][1]['call_parameters']['storage_ip'] == '10.0.0.12'
    assert secret not in str(result)
    status, result, dummy = create(server, tmp_path)
    assert status == 'exit' and result['changed'] is False and len(posts(server)) == 2
    assert result['vpool'] == vpool


def test_local_backend_connection_left_to_the_api(server, tmp_path):
    status, result, dummy = create(server, tmp_path, storagerouters=['ctl01'])
    assert status == 'exit', result
    connection = posts(server)[0][1]['call_parameters']['connection_info']
    assert connection == dict(host='', port=443, client_id='', client_secret='', local=True)
    client_id, secret = server.add_client()
    status, result, dummy = create(server, tmp_path, storagerouters=['ctl01', 'ctl02'], backend_client_id=client_id,
                                   backend_client_secret=secret, backend_host='127.0.0.1', backend_port=server.port)
    assert status == 'exit', result
    assert posts(server)[1][1]['call_parameters']['connection_info'] == dict(
        host='127.0.0.1', port=server.port, client_id=client_id, client_secret=secret, local=True)
    status, result, dummy = create(server, tmp_path, storagerouters=['ctl01'], backend_client_id='cl-id')
    assert status == 'fail' and 'parameters are required together: backend_client_id, backend_client_secret' in \
        result['msg']


def test_check_mode_and_diff(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='pool1', backend='be1',
                                storagerouters=['ctl01'], writecache_size=50)
    assert status == 'exit' and result['changed'] is True
    assert posts(server) == []
    assert result['vpool']['guid'] is None and result['vpool']['storagerouters'] == ['ctl01']
    after = result['diff']['after']
    assert result['diff']['before'] == {}
    assert after['name'] == 'pool1' and after['backend'] == 'be1' and after['preset'] == 'default'
    assert after['sco_size'] == 4 and after['mds_config'] == dict(mds_safety=3, mds_tlogs=100, mds_maxload=75)
    create(server, tmp_path, storagerouters=['ctl01'])
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='pool1',
                                storagerouters=['ctl01', 'ctl02'], writecache_size=50)
    assert status == 'exit' and result['changed'] is True
    assert result['diff'] == {'before': {'storagerouters': ['ctl01'], 'name': 'pool1'},
                              'after': {'storagerouters': ['ctl01', 'ctl02'], 'name': 'pool1'}}
    assert len(posts(server)) == 1


def test_not_listed_kept_or_shrunk(server, tmp_path):
    create(server, tmp_path)
    status, result, warnings = run(server, tmp_path, name='pool1', storagerouters=['ctl01'])
    assert status == 'exit' and result['changed'] is False and result['not_removed'] == ['ctl02']
    assert warnings and 'ctl02' in warnings[0]
    status, result, dummy = run(server, tmp_path, name='pool1', storagerouters=['ctl01'], shrink=True)
    assert status == 'exit' and result['changed'] is True and result['vpool']['storagerouters'] == ['ctl01']
    assert posts(server)[-1] == ('/api/vpools/{0}/shrink_vpool/'.format(result['vpool']['guid']),
                                    dict(storagerouter_guid=server.r['ctl02']))


def test_shrink_refused_with_vdisks_there(server, tmp_path):
    status, result, dummy = create(server, tmp_path)
    add_vdisk(server, result['vpool']['guid'], 'vd1', 'ctl02')
    count = len(posts(server))
    status, result, dummy = run(server, tmp_path, name='pool1', storagerouters=['ctl01'], shrink=True)
    assert status == 'fail' and result['msg'] == ('cannot remove vPool pool1 from storage router ctl02: vDisks vd1 are '
                                                  'served there; move or remove them first')
    status, result, dummy = run(server, tmp_path, name='pool1', state='absent')
    assert status == 'fail' and result['msg'] == 'vPool pool1 still has 1 vDisk(s): vd1; remove them first'
    assert len(posts(server)) == count


def test_absent(server, tmp_path):
    create(server, tmp_path)
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='pool1', state='absent')
    assert status == 'exit' and result['changed'] is True and len(posts(server)) == 2
    assert result['diff'] == {'before': {'name': 'pool1', 'storagerouters': ['ctl01', 'ctl02']}, 'after': {}}
    status, result, dummy = run(server, tmp_path, name='pool1', state='absent')
    assert status == 'exit' and result['changed'] is True and result['vpool'] == {}
    assert [p.endswith('/shrink_vpool/') for p, d in posts(server)[2:]] == [True, True]
    assert vpools(server) == []
    status, result, dummy = run(server, tmp_path, name='pool1', state='absent')
    assert status == 'exit' and result['changed'] is False


@pytest.mark.parametrize('option, value', [
    ('sco_size', 4), ('cluster_size', 8), ('dtl_mode', 'sync'), ('dtl_transport', 'rdma'), ('write_buffer', 512),
    ('mds_safety', 2), ('preset', 'other'),
])
def test_fixed_settings_are_refused(server, tmp_path, option, value):
    create(server, tmp_path)
    status, result, dummy = run(server, tmp_path, name='pool1', **{option: value})
    assert status == 'fail', result
    assert 'vPool pool1 exists and {0} is'.format(option) in result['msg']
    assert 'Open vStorage cannot change this on an existing vPool' in result['msg']
    assert len(posts(server)) == 2


def test_other_backend_refused(server, tmp_path):
    create(server, tmp_path)
    server.add_alba_backend('be2', running=False)
    status, result, dummy = run(server, tmp_path, name='pool1', backend='be2')
    assert status == 'fail' and "backend is 'be1', wanted 'be2'" in result['msg']


@pytest.mark.parametrize('options, text', [
    (dict(name='Pool_1'), "name: 'Pool_1' is not a valid vPool name"),
    (dict(name='ab'), "name: 'ab' is not a valid vPool name"),
    (dict(write_buffer=100), 'write_buffer: 100 is out of range; allowed: from 128 to 10240 MiB'),
    (dict(write_buffer=20000), 'write_buffer: 20000 is out of range; allowed: from 128 to 10240 MiB'),
    (dict(sco_size=128, write_buffer=128), 'write_buffer: 128 MiB is too small for sco_size 128'),
    (dict(proxies=0), 'proxies: 0 is out of range; allowed: from 1 to 16'),
    (dict(proxies=17), 'proxies: 17 is out of range; allowed: from 1 to 16'),
    (dict(mds_safety=6), 'mds_safety: 6 is out of range; allowed: from 1 to 5'),
    (dict(mds_tlogs=0), 'mds_tlogs: 0 is out of range; allowed: at least 1'),
    (dict(mds_maxload=5), 'mds_maxload: 5 is out of range; allowed: at least 10'),
    (dict(writecache_size=0), 'writecache_size: 0 is out of range; allowed: from 1 to 10240 GiB'),
    (dict(preset='x'), "preset: 'x' is not a valid preset name"),
    (dict(storage_ip={'ctl01': 'nope'}), "storage_ip: 'nope' (for ctl01) is not an IPv4 address"),
    (dict(backend_host='api.example'), "backend_host: 'api.example' is not an IPv4 address"),
    (dict(fragment_cache=dict(quota=0)), 'fragment_cache.quota: 0 must be a positive number of bytes'),
    (dict(sco_size=5), 'value of sco_size must be one of: 4, 8, 16, 32, 64, 128, got: 5'),
    (dict(cluster_size=128), 'value of cluster_size must be one of: 4, 8, 16, 32, 64, got: 128'),
    (dict(dtl_mode='async'), 'value of dtl_mode must be one of: no_sync, a_sync, sync, got: async'),
    (dict(dtl_transport='udp'), 'value of dtl_transport must be one of: tcp, rdma, got: udp'),
])
def test_validation_before_any_call(server, tmp_path, options, text):
    expect_fail(run, server, tmp_path, text, **dict(VALID, **options))
    assert server.requests == []


@pytest.mark.parametrize('options, text', [
    (dict(backend='nope'), "backend: no ALBA backend named 'nope'; ALBA backends: acc1, acc2, be1"),
    (dict(preset='gold'), "preset: backend be1 has no preset 'gold'; presets: default"),
    (dict(backend=None), 'backend is required to create vPool pool1'),
    (dict(storagerouters=None), 'storagerouters is required to create vPool pool1'),
    (dict(writecache_size=None), 'writecache_size is required to create vPool pool1 (storage routers ctl01)'),
    (dict(storagerouters=['ctl03']), 'storagerouters: storage router ctl03 has no partition with the role(s) DB, '
                                     'WRITE, DTL; assign them first (ovs_disk)'),
    (dict(storage_ip={'ctl02': '10.0.0.2'}), "storage_ip: 'ctl02' is not one of storagerouters (ctl01)"),
    (dict(backend_host='10.0.0.1'), 'backend_host and backend_port need backend_client_id and backend_client_secret'),
])
def test_refusals_after_reading(server, tmp_path, options, text):
    expect_fail(run, server, tmp_path, text, **dict(VALID, **options))
    assert posts(server) == []


def test_preset_not_available_and_no_scrub(server, tmp_path):
    # 8 fragments on one node of 3 ASDs: not available
    server.add_preset(server.be, 'wide', [[5, 4, 8, 3]])
    status, result, dummy = create(server, tmp_path, preset='wide')
    assert status == 'fail' and 'preset: preset wide of backend be1 is not available' in result['msg']
    for part in server.objects('diskpartition'):
        if 'SCRUB' in part['roles']:
            part['roles'].remove('SCRUB')
            server.model_save('diskpartition', part)
    status, result, dummy = create(server, tmp_path)
    assert status == 'fail' and 'no storage router of the cluster has a partition with the SCRUB role' in result['msg']
    assert posts(server) == []


def test_task_failure(server, tmp_path):
    # ctl02 of the community edition: the framework refuses its block cache (the module does not read features)
    router = server.router('ctl02')
    router['features'] = {'alba': {'edition': 'community', 'features': ['cache-quota']}}
    server.model_save('storagerouter', router)
    status, result, dummy = create(server, tmp_path, storagerouters=['ctl02'], block_cache=dict(on_read=True),
                                   writecache_size=40)
    assert status == 'fail' and result['task_status'] == 'FAILURE', result
    assert 'Block cache is not a supported feature' in result['msg']
    assert vpools(server) == []


def test_write_buffer_larger_than_the_write_partitions(server, tmp_path):
    # ctl01's WRITE partitions: 10 GiB on sdb, 100 GiB on sdd
    for check_mode in (True, False):
        status, result, dummy = create(server, tmp_path, check_mode=check_mode, storagerouters=['ctl01'],
                                       writecache_size=500)
        assert status == 'fail', result
        assert result['msg'] == ('writecache_size: 500 GiB is more than storage router ctl01 has available on its '
                                 'usable WRITE partitions (110.00 GiB; the framework: Too much space requested for '
                                 'WRITE cache); allowed: at most 110 GiB there')
    assert posts(server) == [] and vpools(server) == []
    assert server.metadata_reads() == ['/api/storagerouters/{0}/get_metadata/'.format(server.r['ctl01'])] * 2
    # the framework's own answer to it
    with pytest.raises(OvsTaskError, match=r'Too much space requested for WRITE cache\. Available: 110\.00 GiB, '
                                           r'Requested: 500\.00 GiB'):
        server.add_vpool('pool9', 'ctl01', writecache_size=500)


LOCAL_CACHE_TEXT = (
    'writecache_size: 10 GiB with proxies 2 leaves 0.50 GiB to each of the 2 local caches (fragment cache of each '
    'proxy) on storage router ctl02: the framework gives the local caches 10% of the write buffer share of the '
    'largest WRITE partition (/mnt/ssd1: 100.00 of 100.00 GiB available) and needs at least 1 GiB per proxy and '
    'local cache (Not enough space available on largest local WRITE partition); allowed: writecache_size 20 GiB or '
    'more, proxies 1 or less, fragment_cache.backend (the cache on an ALBA backend)')


def test_local_cache_per_proxy(server, tmp_path):
    """10 GiB of write buffer with the fragment caches of 2 proxies local: the framework's add_vpool fails; the module
    refuses first, when the vPool is created and when it is extended, in check mode too."""
    for check_mode in (True, False):
        status, result, dummy = create(server, tmp_path, check_mode=check_mode, storagerouters=['ctl02'],
                                       writecache_size=10)
        assert status == 'fail' and result['msg'] == LOCAL_CACHE_TEXT, result
    assert posts(server) == [] and vpools(server) == []
    assert server.metadata_reads() == ['/api/storagerouters/{0}/get_metadata/'.format(server.r['ctl02'])] * 2
    # on ctl01 10 GiB is too little even for one proxy: its largest WRITE partition has 100 of 110 GiB
    status, result, dummy = create(server, tmp_path, name='pool2', storagerouters=['ctl01'], writecache_size=10)
    assert status == 'fail' and result['msg'].endswith(
        'allowed: writecache_size 22 GiB or more, fragment_cache.backend (the cache on an ALBA backend)'), result
    # extended from ctl01 (made with 50 GiB): ctl02, the storage router added, is checked
    status, result, dummy = create(server, tmp_path, storagerouters=['ctl01'])
    assert status == 'exit', result
    status, result, dummy = create(server, tmp_path, writecache_size=10)
    assert status == 'fail' and result['msg'] == LOCAL_CACHE_TEXT, result
    assert len(posts(server)) == 1
    # what the module allows, the framework does: 20 GiB, one proxy, or the cache on a backend
    for extra in (dict(writecache_size=20), dict(proxies=1), dict(fragment_cache=dict(backend='acc1'))):
        status, result, dummy = create(server, tmp_path, name='pool-{0}'.format(len(posts(server))),
                                       storagerouters=['ctl02'], **dict(dict(writecache_size=10), **extra))
        assert status == 'exit' and result['changed'] is True, result
    # the framework's own answer to 10 GiB and 2 local fragment caches
    with pytest.raises(OvsTaskError, match=r'Not enough space available \(1\.0GiB\) on largest local WRITE partition '
                                           r'to deploy 2 proxies'):
        server.add_vpool('pool9', 'ctl02', writecache_size=10)


def test_local_fragment_and_block_caches(server, tmp_path):
    # ctl01: 100 GiB of sdd in 110 GiB of WRITE partitions; 4 local caches (2 proxies, fragment and block cache)
    status, result, dummy = create(server, tmp_path, storagerouters=['ctl01'], writecache_size=30,
                                   block_cache=dict(on_read=True))
    assert status == 'fail'
    assert result['msg'].startswith(
        'writecache_size: 30 GiB with proxies 2 leaves 0.68 GiB to each of the 4 local caches (fragment cache and '
        'block cache of each proxy) on storage router ctl01: the framework gives the local caches 10% of the write '
        'buffer share of the largest WRITE partition (/mnt/ssd2: 100.00 of 110.00 GiB available)'), result
    assert result['msg'].endswith('allowed: writecache_size 44 GiB or more, proxies 1 or less, fragment_cache.backend '
                                  'or block_cache.backend (the cache on an ALBA backend)'), result
    assert posts(server) == []
    status, result, dummy = create(server, tmp_path, storagerouters=['ctl01'], writecache_size=44,
                                   block_cache=dict(on_read=True))
    assert status == 'exit', result


# ------------------------------------------------------------ planning, without the API

READY = dict(DB=['p'], WRITE=['p'], DTL=['p'], SCRUB=['p'])


def options(**overrides):
    params = dict((key, spec.get('default')) for key, spec in ovs_vpool.argument_spec().items())
    params.update(api_host='10.0.0.1', api_port=443, **VALID)
    params.update(overrides)
    return params


def routers(*names, **config):
    return [dict(guid='g-' + n, name=n, ip='10.0.0.{0}'.format(i + 1), partition_config=config.get('config', READY))
            for i, n in enumerate(names)]


def test_plan_new_vpool():
    ctl01, ctl02 = routers('ctl01', 'ctl02')
    plan = ovs_vpool.plan_vpool(options(), None, [ctl01], [], [ctl01, ctl02], 'default')
    assert plan['changed'] is True
    assert plan['to_add'] == [ctl01] and plan['to_remove'] == [] and plan['kept'] == []
    assert plan['connections'] == [dict(host='', port=443, client_id='', client_secret='', local=True)]
    assert plan['after_guids'] == ['g-ctl01']
    after = plan['diff']['after']
    assert plan['diff']['before'] == {}
    assert (after['name'], after['backend'], after['preset'], after['storagerouters']) == (
        'pool1', 'be1', 'default', ['ctl01'])
    assert after['dtl_enabled'] is (after['dtl_mode'] != 'no_sync')
    assert 'caching_info' in after and 'mds_config' in after


def test_plan_existing_vpool_extend_keep_and_shrink():
    ctl01, ctl02, ctl03 = routers('ctl01', 'ctl02', 'ctl03')
    vpool = dict(guid='vp', name='pool1', status='RUNNING')
    current = ['g-ctl01', 'g-ctl03']
    plan = ovs_vpool.plan_vpool(options(storagerouters=['ctl01', 'ctl02']), vpool, [ctl01, ctl02], current,
                                [ctl01, ctl02, ctl03], 'default')
    assert plan['to_add'] == [ctl02] and plan['to_remove'] == [] and plan['kept'] == ['ctl03']
    assert plan['after_guids'] == ['g-ctl01', 'g-ctl03', 'g-ctl02']
    assert plan['diff'] == dict(before=dict(name='pool1', storagerouters=['ctl01', 'ctl03']),
                                after=dict(name='pool1', storagerouters=['ctl01', 'ctl02', 'ctl03']))
    plan = ovs_vpool.plan_vpool(options(storagerouters=['ctl01'], shrink=True), vpool, [ctl01], current,
                                [ctl01, ctl02, ctl03], 'default')
    assert plan['changed'] is True and plan['to_add'] == [] and plan['to_remove'] == ['g-ctl03']
    assert plan['kept'] == [] and plan['after_guids'] == ['g-ctl01']
    plan = ovs_vpool.plan_vpool(options(storagerouters=['ctl01']), vpool, [ctl01], ['g-ctl01'], [ctl01], 'default')
    assert plan['changed'] is False and plan['diff'] == dict(before=dict(name='pool1'), after=dict(name='pool1'))


@pytest.mark.parametrize('params, vpool, config, text', [
    (dict(writecache_size=None), None, READY, 'writecache_size is required to create vPool pool1 (storage routers ctl01)'),
    ({}, dict(name='pool1', status='FAILURE'), READY, 'vPool pool1 is FAILURE; it can be extended only when RUNNING'),
    ({}, None, dict(DB=['p'], SCRUB=['p']), 'storage router ctl01 has no partition with the role(s) WRITE, DTL'),
    ({}, None, dict(DB=['p'], WRITE=['p'], DTL=['p']), 'no storage router of the cluster has a partition with the SCRUB'),
    (dict(backend_port=8443), None, READY, 'backend_host and backend_port need backend_client_id'),
])
def test_plan_refusals(params, vpool, config, text):
    ctl01 = routers('ctl01', config=config)[0]
    with pytest.raises(ovs_vpool.StorageError) as err:
        ovs_vpool.plan_vpool(options(**params), vpool, [ctl01], [], [ctl01], 'default')
    assert text in str(err.value)


def test_connection_with_a_client():
    router = routers('ctl01')[0]
    params = options(backend_client_id='id', backend_client_secret=SECRET)
    assert ovs_vpool.connection(params, router) == dict(host='10.0.0.1', port=443, client_id='id',
                                                        client_secret=SECRET, local=True)
    params.update(api_host='ovs.example', backend_port=8443)
    assert ovs_vpool.connection(params, router)['host'] == '10.0.0.1'
    assert ovs_vpool.connection(params, router)['port'] == 8443


# ------------------------------------------------------------ caches on an ALBA backend (accelerated ALBA)

@pytest.fixture
def accel(server):
    server.acc = server.alba_backend('acc1')
    return server


def test_fragment_cache_on_a_backend_created_extended_and_idempotent(accel, tmp_path):
    server = accel
    status, result, dummy = create(server, tmp_path, fragment_cache=dict(backend='acc1'),
                                   block_cache=dict(backend='acc1', preset='fast', on_read=True))
    assert status == 'exit', result
    assert result['changed'] is True
    for path, body in posts(server):
        params = body['call_parameters']
        assert params['backend_info_fc'] == dict(alba_backend_guid=server.acc, preset='default')
        assert params['backend_info_bc'] == dict(alba_backend_guid=server.acc, preset='fast')
        assert params['connection_info_fc'] == params['connection_info_bc'] == params['connection_info'] == dict(
            host='', port=443, client_id='', client_secret='', local=True)
        assert params['caching_info'] == dict(fragment_cache_on_read=True, fragment_cache_on_write=True,
                                              block_cache_on_read=True, block_cache_on_write=False)
    caches = dict(fragment_cache=dict(backend='acc1', preset='default'), block_cache=dict(backend='acc1', preset='fast'))
    assert result['vpool']['cache_backends'] == dict(ctl01=caches, ctl02=caches)
    # what the framework stored, per storage router
    vpool = server.find('vpool', guid=result['vpool']['guid'])[0]
    stored = vpool['metadata']['caching_info'][server.r['ctl02']]['fragment_cache']
    assert stored['is_backend'] is True and stored['backend_info']['name'] == 'acc1'
    count = len(posts(server))
    status, result, dummy = create(server, tmp_path, fragment_cache=dict(backend='acc1'),
                                   block_cache=dict(backend='acc1', preset='fast', on_read=True))
    assert status == 'exit' and result['changed'] is False and len(posts(server)) == count
    assert result['vpool']['cache_backends'] == dict(ctl01=caches, ctl02=caches)
    # the preset left out is not compared
    status, result, dummy = run(server, tmp_path, name='pool1', fragment_cache=dict(backend='acc1'),
                                block_cache=dict(backend='acc1', on_read=True))
    assert status == 'exit' and result['changed'] is False, result


def test_cache_backend_extend_check_mode_and_diff(accel, tmp_path):
    server = accel
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='pool1', backend='be1',
                                storagerouters=['ctl01'], writecache_size=50, fragment_cache=dict(backend='acc1'))
    assert status == 'exit' and result['changed'] is True and posts(server) == []
    planned = dict(fragment_cache=dict(backend='acc1', preset='default'))
    assert result['diff']['after']['cache_backends'] == dict(ctl01=planned)
    assert result['vpool']['cache_backends'] == dict(ctl01=planned)
    create(server, tmp_path, storagerouters=['ctl01'], fragment_cache=dict(backend='acc1'))
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='pool1',
                                storagerouters=['ctl01', 'ctl02'], writecache_size=50,
                                fragment_cache=dict(backend='acc1'))
    assert status == 'exit' and result['changed'] is True and len(posts(server)) == 1
    assert result['diff'] == {
        'before': {'name': 'pool1', 'storagerouters': ['ctl01'], 'cache_backends': dict(ctl01=planned)},
        'after': {'name': 'pool1', 'storagerouters': ['ctl01', 'ctl02'],
                  'cache_backends': dict(ctl01=planned, ctl02=planned)}}
    assert result['vpool']['cache_backends'] == dict(ctl01=planned, ctl02=planned)
    # extended without the cache backend: a local cache there, and a warning
    status, result, warnings = run(server, tmp_path, name='pool1', storagerouters=['ctl01', 'ctl02'],
                                   writecache_size=50)
    assert status == 'exit' and result['changed'] is True
    assert 'backend_info_fc' not in posts(server)[-1][1]['call_parameters']
    assert result['vpool']['cache_backends'] == dict(ctl01=planned)
    assert warnings == ['vPool pool1 keeps its fragment cache on backend acc1 on other storage routers; ctl02 added '
                        'with a local fragment cache (fragment_cache.backend not given)']


@pytest.mark.parametrize('first, then, text', [
    (dict(), dict(backend='acc1'), "fragment_cache.backend is none (a local cache) on ctl01, wanted 'acc1'"),
    (dict(backend='acc1'), dict(backend='acc2'), "fragment_cache.backend is 'acc1' on ctl01, wanted 'acc2'"),
    (dict(backend='acc1'), dict(backend='acc1', preset='fast'),
     "fragment_cache.preset is 'default' on ctl01, wanted 'fast'"),
])
def test_other_cache_backend_on_a_running_storage_router_refused(accel, tmp_path, first, then, text):
    server = accel
    create(server, tmp_path, storagerouters=['ctl01'], fragment_cache=first)
    count = len(posts(server))
    for check_mode in (True, False):
        status, result, dummy = run(server, tmp_path, check_mode=check_mode, name='pool1',
                                    storagerouters=['ctl01', 'ctl02'], writecache_size=50, fragment_cache=then)
        assert status == 'fail', result
        assert result['msg'] == (
            'vPool pool1 exists and {0}: Open vStorage cannot change the cache of a storage router that runs the '
            'vPool (no API call does it); remove the vPool from that storage router (storagerouters without it and '
            'shrink: true) and add it again, or set the options to the current values'.format(text))
    assert len(posts(server)) == count


def test_cache_backend_refused_when_it_is_the_vpool_backend_of_an_existing_vpool(accel, tmp_path):
    create(accel, tmp_path, storagerouters=['ctl01'])
    status, result, dummy = run(accel, tmp_path, name='pool1', fragment_cache=dict(backend='be1'))
    assert status == 'fail' and result['msg'] == (
        "fragment_cache.backend: 'be1' is the vPool's own backend; allowed: another ALBA backend of this cluster "
        "(Backend and fragment cache backend cannot be the same)")


@pytest.mark.parametrize('options, text', [
    (dict(fragment_cache=dict(backend='be1')),
     "fragment_cache.backend: 'be1' is the vPool's own backend; allowed: another ALBA backend of this cluster "
     "(Backend and fragment cache backend cannot be the same)"),
    (dict(block_cache=dict(backend='be1', on_read=True)),
     "block_cache.backend: 'be1' is the vPool's own backend; allowed: another ALBA backend of this cluster "
     "(Backend and block cache backend cannot be the same)"),
    (dict(block_cache=dict(backend='acc1')),
     "block_cache.backend: 'acc1' is set but the block cache is off (block_cache.on_read and block_cache.on_write "
     "are false); allowed: on_read and/or on_write true with a cache backend"),
    (dict(fragment_cache=dict(preset='fast')),
     "fragment_cache.preset: 'fast' needs fragment_cache.backend (it names a preset of the cache backend; a local "
     "cache has no preset)"),
    (dict(fragment_cache=dict(backend='acc1', preset='x')), "fragment_cache.preset: 'x' is not a valid preset name"),
])
def test_cache_backend_validation_before_any_call(accel, tmp_path, options, text):
    expect_fail(run, accel, tmp_path, text, **dict(VALID, **options))
    assert accel.requests == []


@pytest.mark.parametrize('options, text', [
    (dict(fragment_cache=dict(backend='nope')), "fragment_cache.backend: no ALBA backend named 'nope'; ALBA backends: "
                                                "acc1, acc2, be1"),
    (dict(block_cache=dict(backend='acc1', preset='gold', on_write=True)),
     "block_cache.preset: backend acc1 has no preset 'gold'; presets: default, fast"),
])
def test_cache_backend_refusals_after_reading(accel, tmp_path, options, text):
    expect_fail(run, accel, tmp_path, text, **dict(VALID, **options))
    assert posts(accel) == []


def test_cache_preset_not_available(accel, tmp_path):
    accel.add_preset(accel.acc, 'wide', [[5, 4, 8, 3]])
    expect_fail(run, accel, tmp_path, 'fragment_cache.preset: preset wide of backend acc1 is not available',
                **dict(VALID, fragment_cache=dict(backend='acc1', preset='wide')))
    assert posts(accel) == []


def test_cache_view_and_differences():
    by_guid = dict((r['guid'], r) for r in routers('ctl01', 'ctl02'))
    metadata = dict(caching_info={
        'g-ctl01': dict(fragment_cache=dict(read=True, write=True, quota=None, is_backend=True,
                                            backend_info=dict(name='acc1', preset='default', alba_backend_guid='a')),
                        block_cache=dict(read=False, write=False, quota=None, is_backend=False)),
        'g-ctl02': dict(fragment_cache=dict(is_backend=False), block_cache=dict(is_backend=False))})
    view = ovs_vpool.cache_view(metadata, by_guid)
    assert view == dict(ctl01=dict(fragment_cache=dict(backend='acc1', preset='default')))
    caches = dict(fragment_cache=dict(guid='a', name='acc1', preset='default'))
    assert ovs_vpool.cache_differences(options(fragment_cache=dict(backend='acc1')), caches, view, ['ctl01']) == []
    assert ovs_vpool.cache_differences(options(fragment_cache=dict(backend='acc1')), caches, view, ['ctl02']) == [
        "fragment_cache.backend is none (a local cache) on ctl02, wanted 'acc1'"]
    assert ovs_vpool.cache_differences(options(), {}, view, ['ctl01', 'ctl02']) == []


def test_plan_with_cache_backends():
    ctl01, ctl02 = routers('ctl01', 'ctl02')
    caches = dict(block_cache=dict(guid='a', name='acc1', preset='fast'))
    plan = ovs_vpool.plan_vpool(options(), None, [ctl01, ctl02], [], [ctl01, ctl02], 'default', caches, {})
    planned = dict(block_cache=dict(backend='acc1', preset='fast'))
    assert plan['cache_backends'] == dict(ctl01=planned, ctl02=planned)
    assert plan['diff']['after']['cache_backends'] == plan['cache_backends']
    plan = ovs_vpool.plan_vpool(options(), None, [ctl01], [], [ctl01], 'default')
    assert plan['cache_backends'] == {} and 'cache_backends' not in plan['diff']['after']
