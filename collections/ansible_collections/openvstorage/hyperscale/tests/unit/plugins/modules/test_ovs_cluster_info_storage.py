# -*- coding: utf-8 -*-
"""ovs_cluster_info: the gather choices domains, backends, vpools and vdisks (0.2.0), against the emulated
framework API (tests/unit/emulator_api.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_cluster_info
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module

GIB = 1024 ** 3


@pytest.fixture
def server(storage):
    """The storage cluster (emulator_api.build_storage): domain rack1 (ctl01, recovery ctl02), vPool pool1 on
    ctl01 with vDisk base (snapshot gold) and its clone clone1, all made through the API."""
    storage.d1 = storage.add_domain('rack1', routers=['ctl01'], recovery=['ctl02'])
    storage.be = storage.alba_backend('be1')
    storage.vpool = storage.add_vpool('pool1')
    router = storage.router('ctl01')['guid']

    def calls(api):
        def task(path, data):
            return api.wait_for_task(api.post(path, data), interval=0.02)
        base = task('vdisks/', dict(name='base', size=GIB, vpool_guid=storage.vpool, storagerouter_guid=router))
        snapshot = task('vdisks/{0}/create_snapshot/'.format(base), dict(name='gold'))
        task('vdisks/{0}/clone/'.format(base), dict(name='clone1', storagerouter_guid=router, snapshot_id=snapshot))
    storage.prepare(calls)
    return storage


def test_default_is_unchanged(server, tmp_path):
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(server, tmp_path), FakeHost())
    assert status == 'exit'
    assert 'storagerouters' in result and 'alba_nodes' in result
    for key in ('domains', 'backends', 'vpools', 'vdisks'):
        assert key not in result
    assert not any('/domains/' in r[1] or '/vpools/' in r[1] for r in server.requests)


def test_storage_objects(server, tmp_path):
    status, result, dummy = run_module(ovs_cluster_info.main,
                                       api_args(server, tmp_path, gather=['domains', 'backends', 'vpools', 'vdisks']),
                                       FakeHost(), check_mode=True)
    assert status == 'exit', result
    assert result['changed'] is False
    assert 'storagerouters' not in result
    assert result['domains'] == [dict(guid=server.d1, name='rack1', storagerouters=['ctl01'],
                                      recovery_storagerouters=['ctl02'])]
    assert [b['name'] for b in result['backends']] == ['acc1', 'acc2', 'be1']
    backend = result['backends'][2]
    assert backend['name'] == 'be1' and backend['guid'] == server.be and backend['scaling'] == 'LOCAL'
    assert backend['presets'] == [dict(name='default', compression='snappy', fragment_size=1048576, is_available=True,
                                       is_default=True, in_use=True, policies=[[5, 4, 8, 3], [2, 2, 3, 4]])]
    # the 3 ASDs it claimed (on sdc, 200 GiB), nothing stored yet
    assert sorted(backend['osds']) == sorted(o['guid'] for o in server.find('albaosd', alba_backend_guid=server.be))
    assert len(backend['osds']) == 3
    usages = backend['usages']
    assert usages['used'] == 0 and usages['free'] == usages['size'] and 199 * GIB < usages['size'] <= 200 * GIB
    vpool = result['vpools'][0]
    assert vpool['name'] == 'pool1' and vpool['backend'] == 'be1' and vpool['preset'] == 'default'
    assert vpool['storagerouters'] == ['ctl01'] and vpool['configuration']['dtl_mode'] == 'a_sync'
    driver = vpool['storagedrivers'][0]
    assert driver['storagerouter'] == 'ctl01' and driver['storagedriver_id'] == 'pool1MaChInE0000000ct1'
    assert driver['mountpoint'] == '/mnt/pool1' and driver['ports']['edge'] == 26203
    assert [(v['vpool'], v['name'], v['parent_vdisk'], v['snapshots']) for v in result['vdisks']] == [
        ('pool1', 'base', None, ['gold']), ('pool1', 'clone1', 'base', [])]
    assert result['vdisks'][0]['devicename'] == '/base.raw' and result['vdisks'][0]['storagerouter'] == 'ctl01'
    assert result['vdisks'][0]['size'] == GIB


def test_backends_without_alba_plugin(server, tmp_path):
    server.store.set('/ovs/framework/plugins/installed', {'backends': [], 'generic': []})  # no ALBA plugin
    status, result, dummy = run_module(ovs_cluster_info.main,
                                       api_args(server, tmp_path, gather=['backends', 'vpools']), FakeHost())
    assert status == 'exit' and result['backends'] == []
    assert result['vpools'][0]['backend'] is None
    assert not any('/alba/' in r[1] for r in server.requests)


def test_policy_parser():
    assert ovs_cluster_info.parse_policy('(5, 4, 8, 3)') == [5, 4, 8, 3]
    assert ovs_cluster_info.parse_policy([1, 2, 3, 4]) == [1, 2, 3, 4]
    assert ovs_cluster_info.parse_policy('garbage(') == 'garbage('
