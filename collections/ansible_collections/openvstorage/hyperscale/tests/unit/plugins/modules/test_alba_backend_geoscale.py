# -*- coding: utf-8 -*-
"""alba_backend GeoScale: a GLOBAL backend that links a LOCAL backend of another cluster, read through that
cluster's API (a second fake cluster on 127.0.0.2) with an API client of it; its secret in no output."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import socket

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import alba, alba_remote, ovs_api
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import AlbaError
from ansible_collections.openvstorage.hyperscale.plugins.modules import alba_backend

from ansible_collections.openvstorage.hyperscale.tests.unit.fake_alba_api import FakeAlbaApiServer
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module

REMOTE_ID = 'e5f6a7b8-0000-4000-8000-00000000c002'
REMOTE_SECRET = 'RemoteSecret0123456789RemoteSecr'
WRONG_SECRET = 'WrongSecret0123456789WrongSecret'


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch):
    monkeypatch.setattr(alba, 'POLL_INTERVAL', 0.01)
    monkeypatch.setattr(ovs_api, 'READ_RETRY_DELAY', 0.01)  # an unreachable API is read 4 times


def start(tmp_path, name, host):
    directory = tmp_path / name
    directory.mkdir()
    return FakeAlbaApiServer(str(directory), host=host).start()


@pytest.fixture
def server(tmp_path):
    srv = start(tmp_path, 'local', '127.0.0.1')
    yield srv
    srv.stop()


@pytest.fixture
def remote(tmp_path, server):
    """The other cluster: an API client of its own, a LOCAL backend remote-be whose default preset is available."""
    srv = start(tmp_path, 'remote', '127.0.0.2')
    srv.ovs.clients = {REMOTE_ID: REMOTE_SECRET}
    srv.guid = srv.ovs.make_backend('remote-be')
    srv.ovs.albabackends[srv.guid]['osds_per_node'] = {'AsDnOdE0000000r1': 4}
    server.ovs.add_remote(srv)
    yield srv
    srv.stop()


def cluster(remote, **extra):
    options = dict(api_host=remote.host, api_port=remote.port, client_id=REMOTE_ID, client_secret=REMOTE_SECRET,
                   ca_path=remote.cert_path)
    options.update(extra)
    return options


def run(server, tmp_path, links, check_mode=False, diff=True, **extra):
    options = dict(name='global', scaling='GLOBAL', linked_backends=links)
    options.update(extra)
    status, result, warnings = run_module(alba_backend.main, api_args(server, tmp_path, **options), FakeHost(),
                                          check_mode=check_mode, diff=diff)
    for secret in (REMOTE_SECRET, WRONG_SECRET):
        assert secret not in json.dumps(result) and secret not in json.dumps(warnings)
    return status, result, warnings


def link_posts(server):
    return [c for c in server.ovs.posts() if 'link_alba_backends' in c[1]]


def test_link_a_backend_of_another_cluster_then_idempotent_then_unlink(server, remote, tmp_path):
    server.ovs.albabackends[server.ovs.make_backend('remote-be')]['osds_per_node'] = {'AsDnOdE0000000l1': 4}
    links = [dict(name='remote-be', preset='default'), dict(name='remote-be', preset='default', cluster=cluster(remote))]
    status, result, dummy = run(server, tmp_path, links)
    assert status == 'exit', result
    assert result['changed'] is True
    label = 'remote-be@127.0.0.2'
    assert result['diff']['after']['linked_backends'] == ['remote-be', label]
    assert result['backend']['linked_backends'] == ['remote-be', label] and result['backend']['osds'] == 2
    # the metadata as the framework's GUI wizard sends it for a remote backend, plus the client keys that
    # OVSClient.get_instance reads; the remote guid and alba_id come from the remote API
    metadata = link_posts(server)[1][2]['metadata']
    assert metadata == dict(
        backend_connection_info=dict(host='127.0.0.2', port=remote.port, username=REMOTE_ID, password=REMOTE_SECRET,
                                     client_id=REMOTE_ID, client_secret=REMOTE_SECRET, local=False),
        backend_info=dict(linked_guid=remote.guid, linked_name='remote-be', linked_preset='default',
                          linked_alba_id=remote.ovs.albabackends[remote.guid]['alba_id']))
    # the remote cluster is only read, with a token of its own API client
    assert remote.ovs.posts() == [] and len(remote.ovs.token_calls) == 1
    glob = result['backend']['alba_backend_guid']
    assert remote.guid in server.ovs.albabackends[glob]['link_metadata']

    calls = len(server.ovs.posts())
    status, result, dummy = run(server, tmp_path, links)
    assert status == 'exit' and result['changed'] is False and len(server.ovs.posts()) == calls
    assert result['backend']['linked_backends'] == ['remote-be', label]

    # left out of the list: unlinked by its (remote) guid; check mode first
    status, result, dummy = run(server, tmp_path, links[:1], check_mode=True)
    assert status == 'exit' and result['changed'] is True
    assert result['diff'] == dict(before=dict(name='global', linked_backends=['remote-be', label]),
                                  after=dict(name='global', linked_backends=['remote-be']))
    assert len(server.ovs.posts()) == calls
    status, result, dummy = run(server, tmp_path, links[:1])
    assert status == 'exit' and result['changed'] is True and result['backend']['linked_backends'] == ['remote-be']
    assert server.ovs.posts()[calls:] == [
        ('POST', '/api/alba/backends/{0}/unlink_alba_backends/'.format(glob), dict(linked_guid=remote.guid))]


def test_check_mode_reads_the_remote_cluster_and_sends_nothing(server, remote, tmp_path):
    server.ovs.make_backend('global', scaling='GLOBAL')
    links = [dict(name='remote-be', preset='default', cluster=cluster(remote))]
    status, result, dummy = run(server, tmp_path, links, check_mode=True)
    assert status == 'exit' and result['changed'] is True, result
    assert result['diff'] == dict(before=dict(name='global', linked_backends=[]),
                                  after=dict(name='global', linked_backends=['remote-be@127.0.0.2']))
    assert server.ovs.posts() == [] and remote.ovs.posts() == []
    assert any(r[1].startswith('/api/backends/') for r in remote.ovs.requests)
    # a new GLOBAL backend in check mode: the remote link is validated too
    status, result, dummy = run(server, tmp_path, [dict(links[0], preset='nope')], check_mode=True, name='global2')
    assert status == 'fail' and result['msg'].startswith('linked_backends[0].preset: ALBA backend remote-be of the '
                                                         'remote cluster at 127.0.0.2:')
    assert server.ovs.posts() == []


def closed_port():
    sock = socket.socket()
    sock.bind(('127.0.0.3', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_refusals_before_any_change(server, remote, tmp_path):
    remote.ovs.make_backend('empty')  # no OSDs: its presets are not available
    where = 'the remote cluster at 127.0.0.2:{0}'.format(remote.port)
    port = closed_port()
    cases = [
        (dict(cluster=cluster(remote, api_host='127.0.0.3', api_port=port)),
         "linked_backends[0].cluster: the API of the remote cluster at 127.0.0.3:{0} is unreachable (api_host "
         "'127.0.0.3', api_port {0}): Cannot reach the Open vStorage API at https://127.0.0.3:{0}/api/ (host "
         "127.0.0.3, port {0}): ".format(port)),
        (dict(cluster=cluster(remote, client_secret=WRONG_SECRET)),
         "linked_backends[0].cluster.client_id: '{0}' - {1} refuses the client credentials (HTTP 400 "
         "invalid_client); allowed: the client id and secret of an API client of the remote cluster".format(
             REMOTE_ID, where)),
        (dict(name='nope'),
         "linked_backends[0].name: 'nope' - {0} has no ALBA backend nope; allowed: one of its backends: empty, "
         "remote-be".format(where)),
        (dict(preset='nope'),
         "linked_backends[0].preset: ALBA backend remote-be of {0} has no preset nope; it has: default".format(where)),
        (dict(name='empty'),
         "linked_backends[0].preset: preset default of ALBA backend empty of {0} is not available (too few OSDs are "
         "claimed for any of its policies); claim ASDs on that cluster first".format(where)),
    ]
    for change, message in cases:
        link = dict(dict(name='remote-be', preset='default', cluster=cluster(remote)), **change)
        for check_mode in (False, True):
            status, result, dummy = run(server, tmp_path, [link], check_mode=check_mode)
            assert status == 'fail' and result['msg'].startswith(message), (message, result)
    assert server.ovs.posts() == [] and server.ovs.backends == {} and remote.ovs.posts() == []


@pytest.mark.parametrize('change, message', [
    (dict(api_port=0), "linked_backends[0].cluster.api_port: 0 - allowed: an integer from 1 to 65535"),
    (dict(api_port=65536), "linked_backends[0].cluster.api_port: 65536 - allowed: an integer from 1 to 65535"),
    (dict(api_host='remote cluster'), "linked_backends[0].cluster.api_host: 'remote cluster' - allowed: an IPv4 "
                                      "address or a host name of a controller of the remote cluster"),
    (dict(api_host='10.0.0.256'), "linked_backends[0].cluster.api_host: '10.0.0.256' - allowed: an IPv4 address"),
])
def test_cluster_option_rules(server, tmp_path, change, message):
    options = dict(api_host='10.0.0.5', client_id=REMOTE_ID, client_secret=REMOTE_SECRET)
    options.update(change)
    link = dict(name='remote-be', preset='default', cluster=options)
    status, result, dummy = run(server, tmp_path, [link])
    assert status == 'fail' and message in result['msg'], result
    assert server.ovs.requests == []


def test_client_id_and_secret_are_required_and_a_remote_link_needs_a_global_backend(server, tmp_path):
    status, result, dummy = run(server, tmp_path, [dict(name='r', preset='default', cluster=dict(
        api_host='10.0.0.5', client_id=REMOTE_ID))])
    assert status == 'fail' and 'client_secret' in result['msg'] and 'linked_backends' in result['msg']
    status, result, dummy = run(server, tmp_path, [dict(name='r', preset='default', cluster=dict(
        api_host='10.0.0.5', client_id=REMOTE_ID, client_secret=REMOTE_SECRET))], scaling='LOCAL')
    assert status == 'fail'
    assert 'linked_backends: only a GLOBAL backend takes other backends as OSDs; scaling is LOCAL' in result['msg']
    # the same name on this cluster and on another is not listed twice; the same remote twice is
    status, result, dummy = run(server, tmp_path, [dict(name='r', preset='default', cluster=dict(
        api_host='10.0.0.5', client_id=REMOTE_ID, client_secret=REMOTE_SECRET))] * 2)
    assert status == 'fail' and 'linked_backends: r@10.0.0.5 is listed more than once' in result['msg']
    assert server.ovs.requests == []


def test_secret_is_no_log():
    spec = alba_backend.argument_spec()['linked_backends']['options']['cluster']['options']
    assert spec['client_secret']['no_log'] is True and spec['client_secret']['required'] is True


def test_a_host_name_is_resolved_for_the_link_metadata(server, tmp_path):
    """The framework stores an IPv4 address (regex_ip of verify_required_params); the link is recognised by it."""
    other = start(tmp_path, 'other', '127.0.0.1')  # 'localhost' in its certificate
    try:
        other.ovs.clients = {REMOTE_ID: REMOTE_SECRET}
        guid = other.ovs.make_backend('far-be')
        other.ovs.albabackends[guid]['osds_per_node'] = {'AsDnOdE0000000r1': 4}
        server.ovs.add_remote(other)
        links = [dict(name='far-be', preset='default', cluster=cluster(other, api_host='localhost'))]
        status, result, dummy = run(server, tmp_path, links)
        assert status == 'exit' and result['changed'] is True, result
        assert result['diff']['after']['linked_backends'] == ['far-be@localhost']
        assert link_posts(server)[0][2]['metadata']['backend_connection_info']['host'] == '127.0.0.1'
        status, result, dummy = run(server, tmp_path, links)
        assert status == 'exit' and result['changed'] is False
        assert result['backend']['linked_backends'] == ['far-be@127.0.0.1']
    finally:
        other.stop()


def test_a_host_name_that_does_not_resolve_is_refused():
    def resolve(host):
        raise socket.gaierror(-2, 'Name or service not known')
    with pytest.raises(AlbaError) as info:
        alba_remote.link_address('linked_backends[0].cluster', dict(api_host='nowhere.example'), resolve=resolve)
    assert str(info.value) == ("linked_backends[0].cluster.api_host: 'nowhere.example' does not resolve to an IPv4 "
                               "address here ([Errno -2] Name or service not known); allowed: an IPv4 address or a "
                               "host name of a controller of the remote cluster (the framework stores an IPv4 "
                               "address in the link)")


def linked_once(server, remote, tmp_path, **extra):
    """global links remote-be of the remote cluster (as entry 1, after a backend of this cluster)."""
    server.ovs.albabackends[server.ovs.make_backend('local-be')]['osds_per_node'] = {'AsDnOdE0000000l1': 4}
    links = [dict(name='local-be', preset='default'), dict(name='remote-be', preset='default', cluster=cluster(remote))]
    status, result, dummy = run(server, tmp_path, links, **extra)
    assert status == 'exit' and result['changed'] is True, result
    return links


@pytest.mark.parametrize('check_mode', [False, True])
def test_rerun_with_the_remote_cluster_down_keeps_the_link_and_warns(server, remote, tmp_path, check_mode):
    var = 'ovs_backends[3].linked_backends'
    links = linked_once(server, remote, tmp_path, linked_backends_var=var)
    calls = len(server.ovs.posts())
    remote.stop()
    status, result, warnings = run(server, tmp_path, links, check_mode=check_mode, linked_backends_var=var)
    assert status == 'exit' and result['changed'] is False, result
    assert result['backend']['linked_backends'] == ['local-be', 'remote-be@127.0.0.2']
    assert 'diff' not in result or result['diff']['before'] == result['diff']['after']
    assert warnings == [
        "ovs_backends[3].linked_backends[1]: the link of ALBA backend remote-be of the remote cluster at 127.0.0.2:{0} "
        "into global is kept as it is: its API cannot be reached (remote_stack error 'unknown', live_status unknown), "
        "so the state of remote-be there, its preset default and the client credentials of the link could not be "
        "checked; rerun when that cluster answers".format(remote.port)]
    assert len(server.ovs.posts()) == calls
    # a NEW link to that cluster fails before any change, naming the entry, its value and what is allowed
    new = dict(name='other-be', preset='default', cluster=cluster(remote))
    status, result, dummy = run(server, tmp_path, links + [new], check_mode=check_mode, linked_backends_var=var)
    assert status == 'fail' and result['msg'].startswith(
        "ovs_backends[3].linked_backends[2].cluster: the API of the remote cluster at 127.0.0.2:{0} is unreachable "
        "(api_host '127.0.0.2', api_port {0}): ".format(remote.port)), result
    assert 'allowed: the address and HTTPS port of a controller of the remote cluster' in result['msg']
    assert len(server.ovs.posts()) == calls


@pytest.mark.parametrize('change, error, reason', [
    (lambda remote: remote.ovs.clients.clear(), 'not_allowed', 'its API refuses the API client of the link'),
    (lambda remote: remote.ovs.albabackends.pop(remote.guid), 'backend_deleted',
     'its API no longer knows the linked backend'),
])
def test_rerun_with_a_link_the_remote_cluster_refuses(server, remote, tmp_path, change, error, reason):
    links = linked_once(server, remote, tmp_path)
    calls = len(server.ovs.posts())
    change(remote)
    status, result, warnings = run(server, tmp_path, links)
    assert status == 'exit' and result['changed'] is False, result
    assert len(warnings) == 1 and warnings[0].startswith(
        "linked_backends[1]: the link of ALBA backend remote-be of the remote cluster at 127.0.0.2:{0} into global is "
        "kept as it is: {1} (remote_stack error '{2}'".format(remote.port, reason, error)), warnings
    assert len(server.ovs.posts()) == calls


def test_new_links_refused_with_the_variable_path(server, remote, tmp_path):
    var = 'ovs_backends[0].linked_backends'
    linked_once(server, remote, tmp_path)
    calls = len(server.ovs.posts())
    base = [dict(name='local-be', preset='default'), dict(name='remote-be', preset='default', cluster=cluster(remote))]
    where = 'the remote cluster at 127.0.0.2:{0}'.format(remote.port)
    cases = [
        (dict(name='other-be', cluster=cluster(remote, client_secret=WRONG_SECRET)),
         "ovs_backends[0].linked_backends[2].cluster.client_id: '{0}' - {1} refuses the client credentials (HTTP 400 "
         "invalid_client); allowed: the client id and secret of an API client of the remote cluster".format(
             REMOTE_ID, where)),
        (dict(name='gone-be'),
         "ovs_backends[0].linked_backends[2].name: 'gone-be' - {0} has no ALBA backend gone-be; allowed: one of its "
         "backends: remote-be".format(where)),
    ]
    for change, message in cases:
        new = dict(dict(name='remote-be', preset='default', cluster=cluster(remote)), **change)
        status, result, dummy = run(server, tmp_path, base + [new], linked_backends_var=var)
        assert status == 'fail' and result['msg'].startswith(message), (message, result)
    assert len(server.ovs.posts()) == calls
