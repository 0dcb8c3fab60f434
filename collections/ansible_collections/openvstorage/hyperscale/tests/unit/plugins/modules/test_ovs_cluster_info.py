# -*- coding: utf-8 -*-
"""ovs_cluster_info against the fake HTTPS API."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_cluster_info

from ansible_collections.openvstorage.hyperscale.tests.unit.fake_ovs_api import FakeApiServer
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module


@pytest.fixture
def server(tmp_path):
    srv = FakeApiServer(str(tmp_path)).start()
    srv.ovs.add_storagerouter('ctl02', '172.30.250.12', 'MaChInE0000000ct2')
    srv.ovs.add_storagerouter('ctl01', '172.30.250.11', 'MaChInE0000000ct1')
    srv.ovs.add_storagerouter('cmp01', '172.30.250.21', 'MaChInE0000000cp1', node_type='EXTRA')
    srv.ovs.albanodes.append(dict(guid='g-1', node_id='aB3dE5fG7hJ9kL1m', ip='172.30.250.31', port=8500,
                                  type='ASD', name=None))
    srv.ovs.discoverable.append(dict(guid='v-2', node_id='zZ3dE5fG7hJ9kL1m', ip='172.30.250.32', port=8500,
                                     type='ASD'))
    yield srv
    srv.stop()


def test_info(server, tmp_path):
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(server, tmp_path), FakeHost(),
                                       check_mode=True)
    assert status == 'exit', result
    assert result['changed'] is False
    assert result['cluster_id'] == 'Cl0st3rId0123456'
    assert result['release'] == 'fargo'
    assert [r['name'] for r in result['storagerouters']] == ['cmp01', 'ctl01', 'ctl02']
    assert result['storagerouters'][1] == dict(guid=result['storagerouters'][1]['guid'], name='ctl01',
                                               ip='172.30.250.11', machine_id='MaChInE0000000ct1',
                                               node_type='MASTER', status='OK', rdma_capable=False)
    assert result['alba_nodes'] == [dict(guid='g-1', node_id='aB3dE5fG7hJ9kL1m', ip='172.30.250.31', port=8500,
                                         type='ASD', name=None)]
    assert result['alba_nodes_discovered'] == [dict(node_id='zZ3dE5fG7hJ9kL1m', ip='172.30.250.32', port=8500,
                                                    type='ASD')]
    for token in server.ovs.tokens:
        assert token not in json.dumps(result)
    # a second run in the same play reuses the cached token
    run_module(ovs_cluster_info.main, api_args(server, tmp_path), FakeHost())
    assert len(server.ovs.token_calls) == 1


def test_without_alba_plugin(server, tmp_path):
    server.ovs.plugins = {}
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(server, tmp_path), FakeHost())
    assert status == 'exit'
    assert result['alba_nodes'] == [] and result['alba_nodes_discovered'] == []
    assert not any('/alba/' in r[1] for r in server.ovs.requests)


def test_credentials_required_and_exclusive(server, tmp_path):
    args = api_args(server, tmp_path)
    del args['api_username'], args['api_password']
    status, result, dummy = run_module(ovs_cluster_info.main, args, FakeHost())
    assert status == 'fail' and 'api_username' in result['msg'] and 'api_client_id' in result['msg']
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(server, tmp_path, api_client_id='x',
                                                                       api_client_secret='y'), FakeHost())
    assert status == 'fail' and 'mutually exclusive' in result['msg']
    assert server.ovs.requests == []


def test_api_error_fields(server, tmp_path):
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(server, tmp_path, api_password='bad'),
                                       FakeHost())
    assert status == 'fail'
    assert result['status'] == 400 and result['error'] == 'invalid_client'
    assert result['error_description'] == 'Invalid username or password'


def test_unreachable(tmp_path):
    status, result, dummy = run_module(ovs_cluster_info.main,
                                       dict(api_host='127.0.0.1', api_port=1, api_username='admin', api_password='a',
                                            api_token_cache=str(tmp_path / 't.json'), api_timeout=3), FakeHost())
    assert status == 'fail'
    assert result['msg'].startswith('Cannot reach the Open vStorage API at https://127.0.0.1:1/api/ '
                                    '(host 127.0.0.1, port 1)')
