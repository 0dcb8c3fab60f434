# -*- coding: utf-8 -*-
"""ovs_vpool GeoScale against two emulated clusters (tests/unit/emulator_geo.py): a fragment or block cache on an
ALBA backend of another cluster (its API on 127.0.0.2: LOCAL backends acc1 with presets default and fast, acc2
and be1, named like this cluster's), read through that cluster's API with an API client of it; its secret in no
output.  This cluster is the storage cluster of emulator_api.build_storage (ctl01 and ctl02 ready for a vPool,
backend be1)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import socket

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import ovs_api
from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_vpool
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import run_api_module
from ansible_collections.openvstorage.hyperscale.tests.unit.plugins.modules.test_alba_backend_geoscale import (
    WRONG_SECRET)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(ovs_api, 'READ_RETRY_DELAY', 0.01)  # an unreachable API is read 4 times


@pytest.fixture
def server(storage):
    storage.r = dict((name, storage.router(name)['guid']) for name in ('ctl01', 'ctl02'))
    return storage


def run(server, remote, tmp_path, check_mode=False, **options):
    remote.new_minute()  # the token rate limit of the other cluster starts over (RemoteCluster.new_minute)
    status, result, warnings = run_api_module(ovs_vpool.main, server, tmp_path, check_mode=check_mode, diff=True,
                                              **options)
    for secret in (remote.client_secret, WRONG_SECRET):
        assert secret not in json.dumps(result) and secret not in json.dumps(warnings)
    return status, result, warnings


def create(server, remote, tmp_path, routers=('ctl01',), check_mode=False, **extra):
    # 50 GiB: each of the 2 proxies' local fragment caches needs 1 GiB of the WRITE share (validate_local_cache_size)
    options = dict(name='pool1', backend='be1', storagerouters=list(routers), writecache_size=50)
    options.update(extra)
    return run(server, remote, tmp_path, check_mode=check_mode, **options)


def posts(server):
    """(path, data) of the writes the module sent."""
    return [(path, data) for dummy, path, data in server.writes()]


def test_fragment_cache_on_a_remote_backend_check_mode_create_extend_idempotent(server, remote, tmp_path):
    fc = dict(backend='acc1', cluster=remote.cluster())
    planned = dict(fragment_cache=dict(backend='acc1', preset='default', cluster='127.0.0.2:{0}'.format(remote.port)))
    status, result, dummy = create(server, remote, tmp_path, check_mode=True, fragment_cache=fc)
    assert status == 'exit' and result['changed'] is True, result
    assert posts(server) == [] and remote.writes() == []
    assert result['diff']['after']['cache_backends'] == dict(ctl01=planned)
    assert result['vpool']['cache_backends'] == dict(ctl01=planned)

    status, result, dummy = create(server, remote, tmp_path, fragment_cache=fc)
    assert status == 'exit' and result['changed'] is True, result
    body = posts(server)[0][1]['call_parameters']
    assert body['backend_info_fc'] == dict(alba_backend_guid=remote.alba_backend('acc1'), preset='default')
    assert body['connection_info_fc'] == dict(host='127.0.0.2', port=remote.port, client_id=remote.client_id,
                                              client_secret=remote.client_secret)
    assert body['connection_info'] == dict(host='', port=443, client_id='', client_secret='', local=True)
    assert 'backend_info_bc' not in body
    assert result['vpool']['cache_backends'] == dict(ctl01=planned)
    # what the framework stored: the remote backend and its connection
    vpool = server.find('vpool', name='pool1')[0]
    stored = vpool['metadata']['caching_info'][server.r['ctl01']]['fragment_cache']['backend_info']
    assert stored['name'] == 'acc1' and stored['connection_info']['host'] == '127.0.0.2'
    assert stored['alba_backend_guid'] == remote.alba_backend('acc1')
    assert remote.writes() == []

    count = len(posts(server))
    status, result, dummy = create(server, remote, tmp_path, fragment_cache=fc)
    assert status == 'exit' and result['changed'] is False and len(posts(server)) == count, result

    status, result, dummy = create(server, remote, tmp_path, routers=('ctl01', 'ctl02'), fragment_cache=fc)
    assert status == 'exit' and result['changed'] is True, result
    assert result['diff']['before']['cache_backends'] == dict(ctl01=planned)
    assert result['diff']['after']['cache_backends'] == dict(ctl01=planned, ctl02=planned)
    assert posts(server)[-1][1]['call_parameters']['connection_info_fc']['host'] == '127.0.0.2'
    assert result['vpool']['cache_backends'] == dict(ctl01=planned, ctl02=planned)


def test_block_cache_on_a_remote_backend_named_like_the_main_backend(server, remote, tmp_path):
    """A backend of another cluster is not the vPool's own backend, even with the same name."""
    bc = dict(backend='be1', cluster=remote.cluster(), on_read=True)
    status, result, dummy = create(server, remote, tmp_path, block_cache=bc)
    assert status == 'exit', result
    body = posts(server)[0][1]['call_parameters']
    assert body['backend_info_bc'] == dict(alba_backend_guid=remote.alba_backend('be1'), preset='default')
    assert body['backend_info_bc']['alba_backend_guid'] != server.alba_backend('be1')
    assert body['connection_info_bc']['host'] == '127.0.0.2'
    assert result['vpool']['cache_backends']['ctl01']['block_cache']['cluster'] == '127.0.0.2:{0}'.format(remote.port)


def test_local_and_remote_cache_backends_are_told_apart(server, remote, tmp_path):
    create(server, remote, tmp_path, fragment_cache=dict(backend='acc1'))  # acc1 of this cluster
    count = len(posts(server))
    status, result, dummy = create(server, remote, tmp_path, fragment_cache=dict(backend='acc1',
                                                                                 cluster=remote.cluster()))
    assert status == 'fail', result
    assert ("fragment_cache.backend is 'acc1' of this cluster on ctl01, wanted 'acc1' of the cluster at "
            "127.0.0.2:{0}".format(remote.port)) in result['msg']
    assert len(posts(server)) == count == 1


def unreachable_port():
    sock = socket.socket()
    sock.bind(('127.0.0.2', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize('cache, change, text', [
    ('fragment_cache', dict(backend='nope'),
     "fragment_cache.backend: no ALBA backend named 'nope' on the remote cluster at 127.0.0.2:{port}; ALBA backends "
     "on the remote cluster at 127.0.0.2:{port}: acc1, acc2, be1"),
    ('block_cache', dict(preset='slow'),
     "block_cache.preset: backend acc1 on the remote cluster at 127.0.0.2:{port} has no preset 'slow'; presets: "
     "default, fast"),
    ('fragment_cache', dict(cluster=dict(client_secret=WRONG_SECRET)),
     "fragment_cache.cluster.client_id: '{id}' - the remote cluster at 127.0.0.2:{port} refuses the client "
     "credentials (HTTP 400 invalid_client)"),
    ('fragment_cache', dict(cluster=dict(api_host='not_a host')),
     "fragment_cache.cluster.api_host: 'not_a host' - allowed: an IPv4 address or a host name of a controller of "
     "the remote cluster"),
    ('block_cache', dict(cluster=dict(api_port=0)), "block_cache.cluster.api_port: 0 - allowed: an integer from 1 "
                                                    "to 65535"),
])
def test_refused_before_any_change(server, remote, tmp_path, cache, change, text):
    settings = dict(backend='acc1', on_read=True, cluster=remote.cluster(**change.pop('cluster', {})))
    settings.update(change)
    status, result, dummy = create(server, remote, tmp_path, **{cache: settings})
    assert status == 'fail', result
    assert text.format(port=remote.port, id=remote.client_id) in result['msg'], result['msg']
    assert posts(server) == [] and server.objects('vpool') == []


def test_unreachable_remote_cluster_refused(server, remote, tmp_path):
    port = unreachable_port()
    status, result, dummy = create(server, remote, tmp_path, fragment_cache=dict(
        backend='acc1', cluster=remote.cluster(api_port=port)))
    assert status == 'fail', result
    assert result['msg'].startswith("fragment_cache.cluster: the API of the remote cluster at 127.0.0.2:{0} is "
                                    "unreachable (api_host '127.0.0.2', api_port {0})".format(port)), result['msg']
    assert posts(server) == []


def test_a_rerun_keeps_the_remote_cache_while_that_cluster_is_down(server, remote, tmp_path):
    """GeoScale rerun: the cache is recognised from the vPool's metadata alone, kept with a warning; extending
    the vPool to another storage router (which needs that cluster) is refused before any change."""
    fc = dict(backend='acc1', cluster=remote.cluster())
    status, result, dummy = create(server, remote, tmp_path, fragment_cache=fc)
    assert status == 'exit' and result['changed'] is True, result
    remote.stop()
    count = len(posts(server))
    for check_mode in (False, True):
        status, result, warnings = create(server, remote, tmp_path, check_mode=check_mode, fragment_cache=fc)
        assert status == 'exit' and result['changed'] is False, result
        assert [w for w in warnings if "fragment_cache: the cache of vPool pool1 on ALBA backend acc1 of the remote "
                "cluster at 127.0.0.2:{0} is kept as it is: fragment_cache.cluster: the API of".format(remote.port)
                in w and "rerun when that cluster answers" in w], warnings
        assert result['vpool']['cache_backends']['ctl01']['fragment_cache']['cluster'] == '127.0.0.2:{0}'.format(
            remote.port)
    status, result, dummy = create(server, remote, tmp_path, routers=('ctl01', 'ctl02'), fragment_cache=fc)
    assert status == 'fail', result
    assert result['msg'].startswith('cannot add vPool pool1 to ctl02: the fragment_cache backend of another '
                                    'cluster cannot be read'), result['msg']
    assert len(posts(server)) == count


def test_a_new_vpool_is_refused_while_the_cluster_of_its_cache_is_down(server, remote, tmp_path):
    remote.stop()
    status, result, dummy = create(server, remote, tmp_path, fragment_cache=dict(backend='acc1',
                                                                                 cluster=remote.cluster()))
    assert status == 'fail' and 'fragment_cache.cluster: the API of the remote cluster' in result['msg'], result
    assert posts(server) == []
