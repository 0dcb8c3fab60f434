# -*- coding: utf-8 -*-
"""ovs_cluster_info: the gather choices domains, backends, vpools and vdisks (0.2.0)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_cluster_info
from ansible_collections.openvstorage.hyperscale.tests.unit.fake_storage_api import StorageApiServer
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module

GIB = 1024 ** 3


@pytest.fixture
def server(tmp_path):
    srv = StorageApiServer(str(tmp_path)).start()
    ovs = srv.ovs
    r1, r2 = ovs.add_controllers(2)
    srv.d1 = ovs.add_domain('rack1')
    ovs.sr_domains.append(dict(guid='j1', storagerouter_guid=r1, domain_guid=srv.d1, backup=False))
    ovs.sr_domains.append(dict(guid='j2', storagerouter_guid=r2, domain_guid=srv.d1, backup=True))
    srv.be = ovs.add_albabackend('be1')
    params = dict(vpool_name='pool1', storage_ip='172.30.250.11',
                  backend_info=dict(alba_backend_guid=srv.be, preset='default'),
                  connection_info=dict(host='172.30.250.11', port=443, client_id='x', client_secret='y', local=True),
                  config_params=dict(sco_size=4, cluster_size=4, dtl_mode='a_sync', dtl_transport='tcp',
                                     write_buffer=128),
                  caching_info={}, mds_config_params=dict(mds_safety=3, mds_tlogs=100, mds_maxload=75))
    ovs.add_vpool(ovs.router(r1), params)
    srv.vpool = list(ovs.vpools)[0]
    parent = ovs.create_vdisk(dict(name='base', size=GIB, vpool_guid=srv.vpool, storagerouter_guid=r1))
    ovs.vdisks[parent]['snapshots'].append(dict(guid='s1', label='gold'))
    ovs.create_vdisk(dict(name='clone1', size=GIB, vpool_guid=srv.vpool, storagerouter_guid=r1), parent=parent)
    yield srv
    srv.stop()


def test_default_is_unchanged(server, tmp_path):
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(server, tmp_path), FakeHost())
    assert status == 'exit'
    assert 'storagerouters' in result and 'alba_nodes' in result
    for key in ('domains', 'backends', 'vpools', 'vdisks'):
        assert key not in result
    assert not any('/domains/' in r[1] or '/vpools/' in r[1] for r in server.ovs.requests)


def test_storage_objects(server, tmp_path):
    status, result, dummy = run_module(ovs_cluster_info.main,
                                       api_args(server, tmp_path, gather=['domains', 'backends', 'vpools', 'vdisks']),
                                       FakeHost(), check_mode=True)
    assert status == 'exit', result
    assert result['changed'] is False
    assert 'storagerouters' not in result
    assert result['domains'] == [dict(guid=server.d1, name='rack1', storagerouters=['ctl01'],
                                      recovery_storagerouters=['ctl02'])]
    backend = result['backends'][0]
    assert backend['name'] == 'be1' and backend['guid'] == server.be and backend['scaling'] == 'LOCAL'
    assert backend['presets'] == [dict(name='default', compression='snappy', fragment_size=1048576, is_available=True,
                                       is_default=True, in_use=False, policies=[[5, 4, 8, 3], [2, 2, 3, 4]])]
    assert backend['osds'] == [] and backend['usages'] == dict(free=100, size=200, used=100)
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
    server.ovs.plugins = {}
    status, result, dummy = run_module(ovs_cluster_info.main,
                                       api_args(server, tmp_path, gather=['backends', 'vpools']), FakeHost())
    assert status == 'exit' and result['backends'] == []
    assert result['vpools'][0]['backend'] is None
    assert not any('/alba/' in r[1] for r in server.ovs.requests)


def test_policy_parser():
    assert ovs_cluster_info.parse_policy('(5, 4, 8, 3)') == [5, 4, 8, 3]
    assert ovs_cluster_info.parse_policy([1, 2, 3, 4]) == [1, 2, 3, 4]
    assert ovs_cluster_info.parse_policy('garbage(') == 'garbage('
