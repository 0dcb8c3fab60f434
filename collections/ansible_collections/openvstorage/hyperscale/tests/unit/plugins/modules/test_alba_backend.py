# -*- coding: utf-8 -*-
"""alba_backend against the emulated framework API (tests/unit/emulator_api.py): backends made through its API,
their ABM and NSM deployed by the ovs-workers of ctl01 (``server.worker()``).

The links between backends (a GLOBAL backend with LOCAL ones as OSDs) run against the storage cluster (fixture
``storage``): the presets of its LOCAL backends be1, acc1 and acc2 are available (3 ASDs of str01 claimed each)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import alba
from ansible_collections.openvstorage.hyperscale.plugins.modules import alba_backend

from ansible_collections.openvstorage.hyperscale.tests.unit import emulator_api
from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_alba import link, wait_for_agents
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module

CLIENT_ID = 'c1d2e3f4-0000-4000-8000-000000000001'
CLIENT_SECRET = 'Secret0123456789Secret0123456789'


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch):
    monkeypatch.setattr(alba, 'POLL_INTERVAL', 0.01)


@pytest.fixture
def server(emulator):
    return emulator


@pytest.fixture
def unserved(monkeypatch):
    """ctl01's ovs-workers do not answer: a new backend stays INSTALLING until add_cluster gives up (5 s)."""
    monkeypatch.setattr(emulator_api.actions, 'TIMEOUT', 5.0)


def posts(server):
    """(method, path, data) of the writes sent."""
    return server.writes()


def args(server, tmp_path, **extra):
    options = dict(name='local-be1')
    options.update(extra)
    return dict((k, v) for k, v in api_args(server, tmp_path, **options).items() if v is not None)


def run(server, tmp_path, check_mode=False, diff=False, **extra):
    return run_module(alba_backend.main, args(server, tmp_path, **extra), FakeHost(), check_mode=check_mode,
                      diff=diff)


def test_create_local_then_idempotent(server, tmp_path):
    with server.worker():
        status, result, dummy = run(server, tmp_path, diff=True)
    assert status == 'exit', result
    assert result['changed'] is True
    backend = result['backend']
    assert backend['name'] == 'local-be1' and backend['scaling'] == 'LOCAL' and backend['status'] == 'RUNNING'
    assert backend['presets'] == ['default'] and backend['linked_backends'] == [] and backend['osds'] == 0
    assert server.find('backend', guid=backend['guid'], status='RUNNING')
    assert server.find('albabackend', guid=backend['alba_backend_guid'], backend_guid=backend['guid'])
    assert result['diff'] == dict(before={}, after=dict(name='local-be1', scaling='LOCAL'))
    assert posts(server) == [
        ('POST', '/api/backends/', dict(name='local-be1', backend_type_guid=server.alba_type())),
        ('POST', '/api/alba/backends/', dict(backend_guid=backend['guid'], scaling='LOCAL'))]
    status, result, dummy = run(server, tmp_path, diff=True)
    assert status == 'exit' and result['changed'] is False
    assert result['diff'] == dict(before={}, after={})
    assert result['backend'] == backend
    assert len(posts(server)) == 2


def test_check_mode_makes_no_post(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True)
    assert status == 'exit' and result['changed'] is True
    assert result['backend']['name'] == 'local-be1' and result['backend']['scaling'] == 'LOCAL'
    assert result['diff'] == dict(before={}, after=dict(name='local-be1', scaling='LOCAL'))
    assert posts(server) == []


def test_no_diff_without_diff_mode(server, tmp_path):
    with server.worker():
        status, result, dummy = run(server, tmp_path)
    assert status == 'exit' and 'diff' not in result


def test_wait_failure_and_timeout(server, tmp_path, monkeypatch, unserved):
    # the ABM's Arakoon service does not start on ctl01: add_cluster fails
    monkeypatch.setattr(emulator_api.system.systemctl, 'fail', set(['ovs-arakoon-local-be1-abm']))
    with server.worker():
        status, result, dummy = run(server, tmp_path)
    assert status == 'fail'
    assert result['msg'].startswith('ALBA backend local-be1 ended in status FAILURE')
    # a second run does not pretend all is well
    status, result, dummy = run(server, tmp_path)
    assert status == 'fail' and 'is in status FAILURE' in result['msg']
    status, result, dummy = run(server, tmp_path, name='slow', task_timeout=0)
    assert status == 'fail'
    assert result['msg'].startswith('ALBA backend slow is not RUNNING after 0 s (status INSTALLING)')
    # the deprecated name of task_timeout still bounds the wait
    status, result, dummy = run(server, tmp_path, name='slow', wait_timeout=0)
    assert status == 'fail'
    assert result['msg'].startswith('ALBA backend slow is not RUNNING after 0 s (status INSTALLING); raise task_timeout')


def test_no_wait(server, tmp_path, unserved):
    status, result, dummy = run(server, tmp_path, wait=False)
    assert status == 'exit' and result['changed'] is True
    assert result['backend']['status'] == 'INSTALLING'


def test_scaling_cannot_change(server, tmp_path):
    server.add_alba_backend('local-be1')
    status, result, dummy = run(server, tmp_path, scaling='GLOBAL')
    assert status == 'fail'
    assert result['msg'].startswith('ALBA backend local-be1: scaling cannot be changed in place '
                                    '(current LOCAL, wanted GLOBAL)')
    assert posts(server) == []


def test_linked_backends_need_global(server, tmp_path):
    status, result, dummy = run(server, tmp_path, linked_backends=[dict(name='x', preset='default')])
    assert status == 'fail'
    assert 'linked_backends: only a GLOBAL backend takes other backends as OSDs; scaling is LOCAL' in result['msg']
    assert server.requests == []


def create_global(server, tmp_path):
    """The GLOBAL backend ``global`` made by the module, once its maintenance agent runs (the framework deploys it
    after RUNNING; linking before that fails: see emulator_alba.wait_for_agents)."""
    status, result, dummy = run(server, tmp_path, diff=True, name='global', scaling='GLOBAL')
    assert status == 'exit' and result['changed'] is True, result
    assert result['diff'] == dict(before={}, after=dict(name='global', scaling='GLOBAL'))
    wait_for_agents(server, 'global')
    return result['backend']['alba_backend_guid']


def test_global_with_links(storage, tmp_path):
    server = storage
    glob = create_global(server, tmp_path)
    calls = len(posts(server))
    l1 = server.alba_backend('be1')
    links = [dict(name='be1', preset='default')]
    status, result, dummy = run(server, tmp_path, diff=True, name='global', scaling='GLOBAL', linked_backends=links)
    assert status == 'exit', result
    assert result['changed'] is True
    assert result['backend']['linked_backends'] == ['be1'] and result['backend']['osds'] == 1
    assert result['diff'] == dict(before=dict(name='global', linked_backends=[]),
                                  after=dict(name='global', linked_backends=['be1']))
    [link] = posts(server)[calls:]
    # password grant: an empty host, the framework uses its internal client
    assert link == ('POST', '/api/alba/backends/{0}/link_alba_backends/'.format(glob), dict(metadata=dict(
        backend_connection_info=dict(host='', port=server.port, username='', password='', client_id='',
                                     client_secret='', local=True),
        backend_info=dict(linked_guid=l1, linked_name='be1', linked_preset='default',
                          linked_alba_id=server.find('albabackend', guid=l1)[0]['alba_id']))))
    calls = len(posts(server))
    status, result, dummy = run(server, tmp_path, name='global', scaling='GLOBAL', linked_backends=links)
    assert status == 'exit' and result['changed'] is False and len(posts(server)) == calls

    # another set of links: check mode first
    links = [dict(name='acc1', preset='default')]
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='global', scaling='GLOBAL',
                                linked_backends=links)
    assert status == 'exit' and result['changed'] is True
    assert result['diff'] == dict(before=dict(name='global', linked_backends=['be1']),
                                  after=dict(name='global', linked_backends=['acc1']))
    assert result['backend']['linked_backends'] == ['acc1']
    assert len(posts(server)) == calls
    status, result, dummy = run(server, tmp_path, name='global', scaling='GLOBAL', linked_backends=links)
    assert status == 'exit' and result['changed'] is True and result['backend']['linked_backends'] == ['acc1']
    new = posts(server)[calls:]
    assert [c[1] for c in new] == ['/api/alba/backends/{0}/unlink_alba_backends/'.format(glob),
                                   '/api/alba/backends/{0}/link_alba_backends/'.format(glob)]
    assert new[0][2] == dict(linked_guid=l1)
    # unlink all
    status, result, dummy = run(server, tmp_path, name='global', scaling='GLOBAL', linked_backends=[])
    assert status == 'exit' and result['changed'] is True and result['backend']['linked_backends'] == []
    assert server.find('albaosd', alba_backend_guid=glob) == []


def link_with_client(server, tmp_path, client_id, client_secret):
    return run(server, tmp_path, name='global', scaling='GLOBAL', linked_backends=[dict(name='be1', preset='default')],
               api_username=None, api_password=None, api_client_id=client_id, api_client_secret=client_secret)


def test_link_with_client_credentials_names_the_api_host(storage, tmp_path):
    server = storage
    glob = create_global(server, tmp_path)
    client_id, client_secret = server.add_client()
    l1 = server.alba_backend('be1')
    status, result, dummy = link_with_client(server, tmp_path, client_id, client_secret)
    assert status == 'exit' and result['changed'] is True, result
    link = [c for c in posts(server) if c[1].endswith('/link_alba_backends/')]
    assert link[0][2] == dict(metadata=dict(
        backend_connection_info=dict(host='127.0.0.1', port=server.port, username=client_id, password=client_secret,
                                     client_id=client_id, client_secret=client_secret, local=True),
        backend_info=dict(linked_guid=l1, linked_name='be1', linked_preset='default',
                          linked_alba_id=server.find('albabackend', guid=l1)[0]['alba_id'])))
    assert client_secret not in json.dumps(result)
    # the framework counts a link whose host is no storage router IP as one of another cluster (remote_stack
    # local_ip false): the in-process API listens on 127.0.0.1
    assert result['backend']['linked_backends'] == ['be1@127.0.0.1']
    [osd] = server.find('albaosd', alba_backend_guid=glob)
    assert osd['metadata']['backend_connection_info']['host'] == '127.0.0.1'


def test_link_with_client_credentials_is_idempotent(storage, tmp_path):
    server = storage
    create_global(server, tmp_path)
    client_id, client_secret = server.add_client()
    link_with_client(server, tmp_path, client_id, client_secret)
    calls = len(posts(server))
    status, result, dummy = link_with_client(server, tmp_path, client_id, client_secret)
    assert status == 'exit' and result['changed'] is False and len(posts(server)) == calls


def test_link_refusals_before_any_change(server, tmp_path):
    server.add_alba_backend('empty')  # no OSDs: its presets are not available
    status, result, dummy = run(server, tmp_path, name='global', scaling='GLOBAL',
                                linked_backends=[dict(name='empty', preset='default')])
    assert status == 'fail'
    assert result['msg'].startswith('linked_backends: preset default of ALBA backend empty is not available')
    status, result, dummy = run(server, tmp_path, name='global', scaling='GLOBAL',
                                linked_backends=[dict(name='empty', preset='nope')])
    assert status == 'fail' and result['msg'] == 'linked_backends: ALBA backend empty has no preset nope; it has: default'
    status, result, dummy = run(server, tmp_path, name='global', scaling='GLOBAL',
                                linked_backends=[dict(name='missing', preset='default')])
    assert status == 'fail' and result['msg'] == 'linked_backends: ALBA backend missing does not exist'
    assert posts(server) == []
    # check mode: an earlier task may create it
    status, result, warnings = run(server, tmp_path, check_mode=True, name='global', scaling='GLOBAL',
                                   linked_backends=[dict(name='missing', preset='default')])
    assert status == 'exit' and result['changed'] is True and 'missing' in warnings[0]


def test_absent(server, tmp_path):
    status, result, dummy = run(server, tmp_path, state='absent')
    assert status == 'exit' and result['changed'] is False and result['backend'] == {}
    guid = server.add_alba_backend('local-be1')
    status, result, dummy = run(server, tmp_path, state='absent', check_mode=True, diff=True)
    assert status == 'exit' and result['changed'] is True
    assert result['diff'] == dict(before=dict(name='local-be1', scaling='LOCAL'), after={})
    assert posts(server) == []
    with server.worker():
        status, result, dummy = run(server, tmp_path, state='absent')
    assert status == 'exit' and result['changed'] is True
    assert posts(server) == [('DELETE', '/api/alba/backends/{0}/'.format(guid), {})]
    assert server.objects('albabackend') == [] and server.objects('backend') == []


def test_absent_refusals(storage, tmp_path):
    server = storage
    server.add_vpool('vpool1', backend='be1')
    server.add_alba_backend('global', scaling='GLOBAL')
    link(server, 'global', 'be1')
    status, result, dummy = run(server, tmp_path, state='absent', name='be1')
    assert status == 'fail'
    assert result['msg'] == ('Cannot remove ALBA backend be1: vPools use it: vpool1; it still has 3 claimed '
                             'OSD(s) (remove them from the backend first); it is linked into the GLOBAL backend(s) '
                             'global')
    status, result, dummy = run(server, tmp_path, state='absent', name='global')
    assert status == 'fail'
    assert result['msg'] == ('Cannot remove ALBA backend global: backends are linked into it: be1 '
                             '(unlink them with linked_backends: [])')
    assert posts(server) == []


def test_link_preset_cannot_change(storage, tmp_path):
    server = storage
    create_global(server, tmp_path)
    status, result, dummy = run(server, tmp_path, name='global', scaling='GLOBAL',
                                linked_backends=[dict(name='be1', preset='default')])
    assert status == 'exit' and result['changed'] is True, result
    calls = len(posts(server))
    server.add_preset(server.alba_backend('be1'), 'other', [[1, 1, 1, 1]])
    status, result, dummy = run(server, tmp_path, name='global', scaling='GLOBAL',
                                linked_backends=[dict(name='be1', preset='other'), dict(name='acc1', preset='default')])
    assert status == 'fail'
    assert result['msg'].startswith('linked_backends[0].preset: the preset of the link of be1 into global cannot be '
                                    'changed in place (current default, wanted other)')
    assert len(posts(server)) == calls


def test_linked_backend_listing_excludes_itself(server, tmp_path):
    glob = server.add_alba_backend('global', scaling='GLOBAL')
    status, result, dummy = run(server, tmp_path, name='global', scaling='GLOBAL')
    assert status == 'exit' and result['changed'] is False
    assert result['backend']['linked_backends'] == [] and result['backend']['alba_backend_guid'] == glob


@pytest.mark.parametrize('host, linked_host', [('172.30.250.11', '172.30.250.11'), ('api.example', ''),
                                               ('999.1.1.1', ''), ('010.0.0.1', '')])
def test_link_metadata_names_api_host_only_when_it_is_an_ipv4_address(host, linked_host):
    # the IPv4 rule of module_utils/ipv4.py: a name or a wrong address leaves the host to the framework
    params = dict(api_host=host, api_port=443, api_client_id=CLIENT_ID, api_client_secret=CLIENT_SECRET)
    info = alba_backend.connection_info(params)
    assert info['host'] == linked_host
    assert info['client_id'] == (CLIENT_ID if linked_host else '')
