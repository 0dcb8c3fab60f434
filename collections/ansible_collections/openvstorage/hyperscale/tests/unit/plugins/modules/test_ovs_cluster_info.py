# -*- coding: utf-8 -*-
"""ovs_cluster_info against the emulated framework API (tests/unit/emulator_api.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import ovs_api
from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_cluster_info

from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_api import CLUSTER_ID
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module


def test_info(emulator, tmp_path):
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(emulator, tmp_path), FakeHost(),
                                       check_mode=True)
    assert status == 'exit', result
    assert result['changed'] is False
    assert result['cluster_id'] == CLUSTER_ID
    assert result['release'] == 'Fargo'
    assert [r['name'] for r in result['storagerouters']] == ['cmp01', 'ctl01', 'ctl02', 'ctl03']
    assert result['storagerouters'][1] == dict(guid=emulator.router('ctl01')['guid'], name='ctl01',
                                               ip='172.30.250.11', machine_id='MaChInE0000000ct1',
                                               node_type='MASTER', status='OK', rdma_capable=False)
    registered = emulator.find('albanode', node_id='aB3dE5fG7hJ9kL1m')[0]
    assert result['alba_nodes'] == [dict(guid=registered['guid'], node_id='aB3dE5fG7hJ9kL1m', ip='172.30.250.31',
                                         port=8500, type='ASD', name='str01')]
    assert result['alba_nodes_discovered'] == [dict(node_id='zZ3dE5fG7hJ9kL1m', ip='172.30.250.32', port=8500,
                                                    type='ASD')]
    for token in emulator.tokens():
        assert token not in json.dumps(result)
    # a second run in the same play reuses the cached token
    run_module(ovs_cluster_info.main, api_args(emulator, tmp_path), FakeHost())
    assert len(emulator.token_calls()) == 1


def test_without_alba_plugin(emulator, tmp_path):
    emulator.store.set('/ovs/framework/plugins/installed', {'backends': [], 'generic': []})
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(emulator, tmp_path), FakeHost())
    assert status == 'exit'
    assert result['alba_nodes'] == [] and result['alba_nodes_discovered'] == []
    assert not any('/alba/' in r[1] for r in emulator.requests)


def test_credentials_required_and_exclusive(emulator, tmp_path):
    args = api_args(emulator, tmp_path)
    del args['api_username'], args['api_password']
    status, result, dummy = run_module(ovs_cluster_info.main, args, FakeHost())
    assert status == 'fail' and 'api_username' in result['msg'] and 'api_client_id' in result['msg']
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(emulator, tmp_path, api_client_id='x',
                                                                       api_client_secret='y'), FakeHost())
    assert status == 'fail' and 'mutually exclusive' in result['msg']
    assert emulator.requests == []


def test_api_error_fields(emulator, tmp_path):
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(emulator, tmp_path, api_password='bad'),
                                       FakeHost())
    assert status == 'fail'
    assert result['status'] == 400 and result['error'] == 'invalid_client'
    assert result['error_description'] == 'Invalid client'  # the framework's oauth2 token view


def test_unreachable(tmp_path, monkeypatch):
    monkeypatch.setattr(ovs_api, 'READ_RETRY_DELAY', 0.01)  # the reads are retried (test_ovs_api_retries.py): not 14 s here
    status, result, dummy = run_module(ovs_cluster_info.main,
                                       dict(api_host='127.0.0.1', api_port=1, api_username='admin', api_password='a',
                                            api_token_cache=str(tmp_path / 't.json'), api_timeout=3), FakeHost())
    assert status == 'fail'
    assert result['msg'].startswith('Cannot reach the Open vStorage API at https://127.0.0.1:1/api/ '
                                    '(host 127.0.0.1, port 1)')
