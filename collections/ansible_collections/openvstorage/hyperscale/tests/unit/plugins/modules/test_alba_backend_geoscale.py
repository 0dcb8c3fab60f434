# -*- coding: utf-8 -*-
"""alba_backend GeoScale against two emulated clusters (tests/unit/emulator_geo.py): a GLOBAL backend of this
cluster (the storage cluster of emulator_api.build_storage: LOCAL backends be1, acc1, acc2) that links a LOCAL
backend of another cluster (its API on 127.0.0.2, the same backends with guids and ALBA ids of its own), read
through that cluster's API with an API client of it; its secret in no output."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import socket

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import alba, alba_remote, ovs_api
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import AlbaError
from ansible_collections.openvstorage.hyperscale.plugins.modules import alba_backend

from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_geo import RemoteCluster
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module

WRONG_SECRET = 'WrongSecret0123456789WrongSecret'


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch):
    monkeypatch.setattr(alba, 'POLL_INTERVAL', 0.01)
    monkeypatch.setattr(ovs_api, 'READ_RETRY_DELAY', 0.01)  # an unreachable API is read 4 times


def run(server, tmp_path, links, check_mode=False, diff=True, secrets=(), **extra):
    """alba_backend on ``server`` for the GLOBAL backend ``global``; no secret of ``secrets`` in its output."""
    options = dict(name='global', scaling='GLOBAL', linked_backends=links)
    options.update(extra)
    status, result, warnings = run_module(alba_backend.main, api_args(server, tmp_path, **options), FakeHost(),
                                          check_mode=check_mode, diff=diff)
    for secret in tuple(secrets) + (WRONG_SECRET,):
        assert secret not in json.dumps(result) and secret not in json.dumps(warnings)
    return status, result, warnings


def run_linking(storage, remote, tmp_path, links, **extra):
    """``run`` with links to ``remote``, whose token rate limit starts over (RemoteCluster.new_minute)."""
    remote.new_minute()
    return run(storage, tmp_path, links, secrets=[remote.client_secret], **extra)


def link_posts(server):
    return [c for c in server.writes() if 'link_alba_backends' in c[1]]


def linked_guids(server, glob):
    """The backends the ALBA_BACKEND OSDs of ``glob`` link (what the framework stored)."""
    osds = [osd for osd in server.find('albaosd', alba_backend_guid=glob) if osd.get('osd_type') == 'ALBA_BACKEND']
    return sorted(osd['metadata']['backend_info']['linked_guid'] for osd in osds)


def test_link_a_backend_of_another_cluster_then_idempotent_then_unlink(storage, remote, tmp_path):
    """acc2 of this cluster and acc2 of the other one: two backends, told apart by their cluster."""
    links = [dict(name='acc2', preset='default'), dict(name='acc2', preset='default', cluster=remote.cluster())]
    status, result, dummy = run_linking(storage, remote, tmp_path, links)
    assert status == 'exit', result
    assert result['changed'] is True
    label = 'acc2@127.0.0.2'
    assert result['diff']['after']['linked_backends'] == ['acc2', label]
    assert result['backend']['linked_backends'] == ['acc2', label] and result['backend']['osds'] == 2
    # the metadata as the framework's GUI wizard sends it for a remote backend, plus the client keys that
    # OVSClient.get_instance reads; the remote guid and alba_id come from the remote API
    remote_guid = remote.alba_backend('acc2')
    metadata = link_posts(storage)[1][2]['metadata']
    assert metadata == dict(
        backend_connection_info=dict(host='127.0.0.2', port=remote.port, username=remote.client_id,
                                     password=remote.client_secret, client_id=remote.client_id,
                                     client_secret=remote.client_secret, local=False),
        backend_info=dict(linked_guid=remote_guid, linked_name='acc2', linked_preset='default',
                          linked_alba_id=remote.alba_id('acc2')))
    # the remote cluster is only read: by the module and by the framework (link_alba_backends and the
    # remote_stack of the GLOBAL backend, OVSClient), each with a token of the API client
    assert remote.writes() == [] and len(remote.token_calls()) == 2
    glob = result['backend']['alba_backend_guid']
    assert linked_guids(storage, glob) == sorted([storage.alba_backend('acc2'), remote_guid])

    calls = len(storage.writes())
    status, result, dummy = run_linking(storage, remote, tmp_path, links)
    assert status == 'exit' and result['changed'] is False and len(storage.writes()) == calls
    assert result['backend']['linked_backends'] == ['acc2', label]

    # left out of the list: unlinked by its (remote) guid; check mode first
    status, result, dummy = run_linking(storage, remote, tmp_path, links[:1], check_mode=True)
    assert status == 'exit' and result['changed'] is True
    assert result['diff'] == dict(before=dict(name='global', linked_backends=['acc2', label]),
                                  after=dict(name='global', linked_backends=['acc2']))
    assert len(storage.writes()) == calls
    status, result, dummy = run_linking(storage, remote, tmp_path, links[:1])
    assert status == 'exit' and result['changed'] is True and result['backend']['linked_backends'] == ['acc2']
    assert storage.writes()[calls:] == [
        ('POST', '/api/alba/backends/{0}/unlink_alba_backends/'.format(glob), dict(linked_guid=remote_guid))]
    assert linked_guids(storage, glob) == [storage.alba_backend('acc2')]


def test_check_mode_reads_the_remote_cluster_and_sends_nothing(storage, remote, tmp_path):
    storage.add_alba_backend('global', scaling='GLOBAL')
    links = [dict(name='acc2', preset='default', cluster=remote.cluster())]
    status, result, dummy = run_linking(storage, remote, tmp_path, links, check_mode=True)
    assert status == 'exit' and result['changed'] is True, result
    assert result['diff'] == dict(before=dict(name='global', linked_backends=[]),
                                  after=dict(name='global', linked_backends=['acc2@127.0.0.2']))
    assert storage.writes() == [] and remote.writes() == []
    assert any(r[1].startswith('/api/backends/') for r in remote.requests)
    # a new GLOBAL backend in check mode: the remote link is validated too
    status, result, dummy = run_linking(storage, remote, tmp_path, [dict(links[0], preset='nope')], check_mode=True,
                                        name='global2')
    assert status == 'fail' and result['msg'].startswith('linked_backends[0].preset: ALBA backend acc2 of the '
                                                         'remote cluster at 127.0.0.2:')
    assert storage.writes() == []


def closed_port():
    sock = socket.socket()
    sock.bind(('127.0.0.3', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_refusals_before_any_change(storage, remote, tmp_path):
    remote.add_alba_backend('empty')  # no OSDs: its presets are not available
    where = 'the remote cluster at 127.0.0.2:{0}'.format(remote.port)
    port = closed_port()
    cases = [
        (dict(cluster=remote.cluster(api_host='127.0.0.3', api_port=port)),
         "linked_backends[0].cluster: the API of the remote cluster at 127.0.0.3:{0} is unreachable (api_host "
         "'127.0.0.3', api_port {0}): Cannot reach the Open vStorage API at https://127.0.0.3:{0}/api/ (host "
         "127.0.0.3, port {0}): ".format(port)),
        (dict(cluster=remote.cluster(client_secret=WRONG_SECRET)),
         "linked_backends[0].cluster.client_id: '{0}' - {1} refuses the client credentials (HTTP 400 "
         "invalid_client); allowed: the client id and secret of an API client of the remote cluster".format(
             remote.client_id, where)),
        (dict(name='nope'),
         "linked_backends[0].name: 'nope' - {0} has no ALBA backend nope; allowed: one of its backends: acc1, acc2, "
         "be1, empty".format(where)),
        (dict(preset='nope'),
         "linked_backends[0].preset: ALBA backend acc2 of {0} has no preset nope; it has: default".format(where)),
        (dict(name='empty'),
         "linked_backends[0].preset: preset default of ALBA backend empty of {0} is not available (too few OSDs are "
         "claimed for any of its policies); claim ASDs on that cluster first".format(where)),
    ]
    for change, message in cases:
        link = dict(dict(name='acc2', preset='default', cluster=remote.cluster()), **change)
        for check_mode in (False, True):
            status, result, dummy = run_linking(storage, remote, tmp_path, [link], check_mode=check_mode)
            assert status == 'fail' and result['msg'].startswith(message), (message, result)
    assert storage.writes() == [] and storage.find('backend', name='global') == [] and remote.writes() == []


CLUSTER = dict(api_host='10.0.0.5', client_id='e5f6a7b8-0000-4000-8000-00000000c002',
               client_secret='RemoteSecret0123456789RemoteSecr')


@pytest.mark.parametrize('change, message', [
    (dict(api_port=0), "linked_backends[0].cluster.api_port: 0 - allowed: an integer from 1 to 65535"),
    (dict(api_port=65536), "linked_backends[0].cluster.api_port: 65536 - allowed: an integer from 1 to 65535"),
    (dict(api_host='remote cluster'), "linked_backends[0].cluster.api_host: 'remote cluster' - allowed: an IPv4 "
                                      "address or a host name of a controller of the remote cluster"),
    (dict(api_host='10.0.0.256'), "linked_backends[0].cluster.api_host: '10.0.0.256' - allowed: an IPv4 address"),
])
def test_cluster_option_rules(emulator, tmp_path, change, message):
    link = dict(name='remote-be', preset='default', cluster=dict(CLUSTER, **change))
    status, result, dummy = run(emulator, tmp_path, [link], secrets=[CLUSTER['client_secret']])
    assert status == 'fail' and message in result['msg'], result
    assert emulator.requests == []


def test_client_id_and_secret_are_required_and_a_remote_link_needs_a_global_backend(emulator, tmp_path):
    secrets = [CLUSTER['client_secret']]
    status, result, dummy = run(emulator, tmp_path, [dict(name='r', preset='default', cluster=dict(
        api_host='10.0.0.5', client_id=CLUSTER['client_id']))])
    assert status == 'fail' and 'client_secret' in result['msg'] and 'linked_backends' in result['msg']
    status, result, dummy = run(emulator, tmp_path, [dict(name='r', preset='default', cluster=CLUSTER)],
                                scaling='LOCAL', secrets=secrets)
    assert status == 'fail'
    assert 'linked_backends: only a GLOBAL backend takes other backends as OSDs; scaling is LOCAL' in result['msg']
    # the same name on this cluster and on another is not listed twice; the same remote twice is
    status, result, dummy = run(emulator, tmp_path, [dict(name='r', preset='default', cluster=CLUSTER)] * 2,
                                secrets=secrets)
    assert status == 'fail' and 'linked_backends: r@10.0.0.5 is listed more than once' in result['msg']
    assert emulator.requests == []


def test_secret_is_no_log():
    spec = alba_backend.argument_spec()['linked_backends']['options']['cluster']['options']
    assert spec['client_secret']['no_log'] is True and spec['client_secret']['required'] is True


def test_a_host_name_is_resolved_for_the_link_metadata(storage, remote_cluster, tmp_path, monkeypatch):
    """The framework stores an IPv4 address (regex_ip of verify_required_params); the link is recognised by it."""
    other = RemoteCluster(str(tmp_path / 'other'), remote_cluster, monkeypatch, host='127.0.0.1')  # 'localhost'
    try:
        links = [dict(name='acc2', preset='default', cluster=other.cluster(api_host='localhost'))]
        status, result, dummy = run_linking(storage, other, tmp_path, links)
        assert status == 'exit' and result['changed'] is True, result
        assert result['diff']['after']['linked_backends'] == ['acc2@localhost']
        assert link_posts(storage)[0][2]['metadata']['backend_connection_info']['host'] == '127.0.0.1'
        status, result, dummy = run_linking(storage, other, tmp_path, links)
        assert status == 'exit' and result['changed'] is False
        assert result['backend']['linked_backends'] == ['acc2@127.0.0.1']
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


def linked_once(storage, remote, tmp_path, **extra):
    """global links acc2 of the remote cluster (as entry 1, after be1 of this cluster)."""
    links = [dict(name='be1', preset='default'), dict(name='acc2', preset='default', cluster=remote.cluster())]
    status, result, dummy = run_linking(storage, remote, tmp_path, links, **extra)
    assert status == 'exit' and result['changed'] is True, result
    return links


@pytest.mark.parametrize('check_mode', [False, True])
def test_rerun_with_the_remote_cluster_down_keeps_the_link_and_warns(storage, remote, tmp_path, check_mode):
    var = 'ovs_backends[3].linked_backends'
    links = linked_once(storage, remote, tmp_path, linked_backends_var=var)
    calls = len(storage.writes())
    remote.stop()
    status, result, warnings = run_linking(storage, remote, tmp_path, links, check_mode=check_mode,
                                           linked_backends_var=var)
    assert status == 'exit' and result['changed'] is False, result
    assert result['backend']['linked_backends'] == ['acc2@127.0.0.2', 'be1']
    assert 'diff' not in result or result['diff']['before'] == result['diff']['after']
    assert warnings == [
        "ovs_backends[3].linked_backends[1]: the link of ALBA backend acc2 of the remote cluster at 127.0.0.2:{0} "
        "into global is kept as it is: its API cannot be reached (remote_stack error 'unknown', live_status unknown), "
        "so the state of acc2 there, its preset default and the client credentials of the link could not be "
        "checked; rerun when that cluster answers".format(remote.port)]
    assert len(storage.writes()) == calls
    # a NEW link to that cluster fails before any change, naming the entry, its value and what is allowed
    new = dict(name='acc1', preset='default', cluster=remote.cluster())
    status, result, dummy = run_linking(storage, remote, tmp_path, links + [new], check_mode=check_mode,
                                        linked_backends_var=var)
    assert status == 'fail' and result['msg'].startswith(
        "ovs_backends[3].linked_backends[2].cluster: the API of the remote cluster at 127.0.0.2:{0} is unreachable "
        "(api_host '127.0.0.2', api_port {0}): ".format(remote.port)), result
    assert 'allowed: the address and HTTPS port of a controller of the remote cluster' in result['msg']
    assert len(storage.writes()) == calls


@pytest.mark.parametrize('change, error, reason', [
    (lambda remote: remote.revoke_client(), 'not_allowed', 'its API refuses the API client of the link'),
    (lambda remote: remote.forget_alba_backend('acc2'), 'backend_deleted',
     'its API no longer knows the linked backend'),
])
def test_rerun_with_a_link_the_remote_cluster_refuses(storage, remote, tmp_path, change, error, reason):
    links = linked_once(storage, remote, tmp_path)
    calls = len(storage.writes())
    change(remote)
    status, result, warnings = run_linking(storage, remote, tmp_path, links)
    assert status == 'exit' and result['changed'] is False, result
    assert len(warnings) == 1 and warnings[0].startswith(
        "linked_backends[1]: the link of ALBA backend acc2 of the remote cluster at 127.0.0.2:{0} into global is "
        "kept as it is: {1} (remote_stack error '{2}'".format(remote.port, reason, error)), warnings
    assert len(storage.writes()) == calls


def test_new_links_refused_with_the_variable_path(storage, remote, tmp_path):
    var = 'ovs_backends[0].linked_backends'
    base = linked_once(storage, remote, tmp_path)
    calls = len(storage.writes())
    where = 'the remote cluster at 127.0.0.2:{0}'.format(remote.port)
    cases = [
        (dict(name='acc1', cluster=remote.cluster(client_secret=WRONG_SECRET)),
         "ovs_backends[0].linked_backends[2].cluster.client_id: '{0}' - {1} refuses the client credentials (HTTP 400 "
         "invalid_client); allowed: the client id and secret of an API client of the remote cluster".format(
             remote.client_id, where)),
        (dict(name='gone-be'),
         "ovs_backends[0].linked_backends[2].name: 'gone-be' - {0} has no ALBA backend gone-be; allowed: one of its "
         "backends: acc1, acc2, be1".format(where)),
    ]
    for change, message in cases:
        new = dict(dict(name='acc2', preset='default', cluster=remote.cluster()), **change)
        status, result, dummy = run_linking(storage, remote, tmp_path, base + [new], linked_backends_var=var)
        assert status == 'fail' and result['msg'].startswith(message), (message, result)
    assert len(storage.writes()) == calls
