# -*- coding: utf-8 -*-
"""ovs_vpool GeoScale: a fragment or block cache on an ALBA backend of another cluster (a second fake cluster on
127.0.0.2), read through that cluster's API with an API client of it; its secret in no output."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import socket

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import ovs_api
from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_vpool
from ansible_collections.openvstorage.hyperscale.tests.unit.fake_storage_api import StorageApiServer, StorageOvs
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import run_api_module
from ansible_collections.openvstorage.hyperscale.tests.unit.plugins.modules.test_ovs_vpool import GIB

# the API client of the other cluster, as in the GLOBAL backend's GeoScale tests
from ansible_collections.openvstorage.hyperscale.tests.unit.plugins.modules.test_alba_backend_geoscale import (
    REMOTE_ID, REMOTE_SECRET, WRONG_SECRET)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(ovs_api, 'READ_RETRY_DELAY', 0.01)  # an unreachable API is read 4 times


@pytest.fixture
def server(tmp_path):
    (tmp_path / 'local').mkdir()
    srv = StorageApiServer(str(tmp_path / 'local')).start()
    ovs = srv.ovs
    srv.r = dict(zip(['ctl01', 'ctl02'], ovs.add_controllers(2)))
    for name in ('ctl01', 'ctl02'):
        disk = ovs.add_disk(name, 'sdb', 100 * GIB)
        ovs.add_partition(disk, 0, 100 * GIB, roles=['DB', 'DTL', 'WRITE'] + (['SCRUB'] if name == 'ctl01' else []),
                          mountpoint='/mnt/ssd1')
    srv.be = ovs.add_albabackend('be1')
    yield srv
    srv.stop()


@pytest.fixture
def remote(tmp_path, server):
    """The other cluster: an API client of its own, an accelerated backend ssd1 (presets default and fast) and a
    backend named like the local main backend (be1)."""
    (tmp_path / 'remote').mkdir()
    srv = StorageApiServer(str(tmp_path / 'remote'), host='127.0.0.2').start()
    srv.ovs.clients = {REMOTE_ID: REMOTE_SECRET}
    srv.ssd = srv.ovs.add_albabackend('ssd1', presets=StorageOvs.fast_presets())
    srv.be = srv.ovs.add_albabackend('be1')
    server.add_remote(srv)
    yield srv
    srv.stop()


def cluster(remote, **extra):
    options = dict(api_host=remote.host, api_port=remote.port, client_id=REMOTE_ID, client_secret=REMOTE_SECRET,
                   ca_path=remote.cert_path)
    options.update(extra)
    return options


def run(server, tmp_path, check_mode=False, **options):
    status, result, warnings = run_api_module(ovs_vpool.main, server, tmp_path, check_mode=check_mode, diff=True,
                                              **options)
    for secret in (REMOTE_SECRET, WRONG_SECRET):
        assert secret not in json.dumps(result) and secret not in json.dumps(warnings)
    return status, result, warnings


def create(server, tmp_path, routers=('ctl01',), check_mode=False, **extra):
    options = dict(name='pool1', backend='be1', storagerouters=list(routers), writecache_size=10)
    options.update(extra)
    return run(server, tmp_path, check_mode=check_mode, **options)


def test_fragment_cache_on_a_remote_backend_check_mode_create_extend_idempotent(server, remote, tmp_path):
    fc = dict(backend='ssd1', cluster=cluster(remote))
    planned = dict(fragment_cache=dict(backend='ssd1', preset='default', cluster='127.0.0.2:{0}'.format(remote.port)))
    status, result, dummy = create(server, tmp_path, check_mode=True, fragment_cache=fc)
    assert status == 'exit' and result['changed'] is True, result
    assert server.ovs.posts == [] and remote.ovs.posts == []
    assert result['diff']['after']['cache_backends'] == dict(ctl01=planned)
    assert result['vpool']['cache_backends'] == dict(ctl01=planned)

    status, result, dummy = create(server, tmp_path, fragment_cache=fc)
    assert status == 'exit' and result['changed'] is True, result
    body = server.ovs.posts[0][1]['call_parameters']
    assert body['backend_info_fc'] == dict(alba_backend_guid=remote.ssd, preset='default')
    assert body['connection_info_fc'] == dict(host='127.0.0.2', port=remote.port, client_id=REMOTE_ID,
                                              client_secret=REMOTE_SECRET)
    assert body['connection_info'] == dict(host='', port=443, client_id='', client_secret='', local=True)
    assert 'backend_info_bc' not in body
    assert result['vpool']['cache_backends'] == dict(ctl01=planned)
    # what the framework stored: the remote backend and its connection
    vpool = server.ovs.vpools[result['vpool']['guid']]
    stored = vpool['metadata']['caching_info'][server.r['ctl01']]['fragment_cache']['backend_info']
    assert stored['name'] == 'ssd1' and stored['connection_info']['host'] == '127.0.0.2'
    assert remote.ovs.posts == []

    count = len(server.ovs.posts)
    status, result, dummy = create(server, tmp_path, fragment_cache=fc)
    assert status == 'exit' and result['changed'] is False and len(server.ovs.posts) == count, result

    status, result, dummy = create(server, tmp_path, routers=('ctl01', 'ctl02'), fragment_cache=fc)
    assert status == 'exit' and result['changed'] is True
    assert result['diff']['before']['cache_backends'] == dict(ctl01=planned)
    assert result['diff']['after']['cache_backends'] == dict(ctl01=planned, ctl02=planned)
    assert server.ovs.posts[-1][1]['call_parameters']['connection_info_fc']['host'] == '127.0.0.2'
    assert result['vpool']['cache_backends'] == dict(ctl01=planned, ctl02=planned)


def test_block_cache_on_a_remote_backend_named_like_the_main_backend(server, remote, tmp_path):
    """A backend of another cluster is not the vPool's own backend, even with the same name."""
    bc = dict(backend='be1', cluster=cluster(remote), on_read=True)
    # the fragment cache stays local: 20 GiB of write buffer give its 2 proxies 1 GiB each (the framework's least)
    status, result, dummy = create(server, tmp_path, block_cache=bc, writecache_size=20)
    assert status == 'exit', result
    body = server.ovs.posts[0][1]['call_parameters']
    assert body['backend_info_bc'] == dict(alba_backend_guid=remote.be, preset='default')
    assert body['connection_info_bc']['host'] == '127.0.0.2'
    assert result['vpool']['cache_backends']['ctl01']['block_cache']['cluster'] == '127.0.0.2:{0}'.format(remote.port)


def test_local_and_remote_cache_backends_are_told_apart(server, remote, tmp_path):
    server.ovs.add_albabackend('ssd1')
    create(server, tmp_path, fragment_cache=dict(backend='ssd1'))
    count = len(server.ovs.posts)
    status, result, dummy = create(server, tmp_path, fragment_cache=dict(backend='ssd1', cluster=cluster(remote)))
    assert status == 'fail', result
    assert ("fragment_cache.backend is 'ssd1' of this cluster on ctl01, wanted 'ssd1' of the cluster at "
            "127.0.0.2:{0}".format(remote.port)) in result['msg']
    assert len(server.ovs.posts) == count


def unreachable_port():
    sock = socket.socket()
    sock.bind(('127.0.0.2', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize('cache, change, text', [
    ('fragment_cache', dict(backend='nope'),
     "fragment_cache.backend: no ALBA backend named 'nope' on the remote cluster at 127.0.0.2:{port}; ALBA backends "
     "on the remote cluster at 127.0.0.2:{port}: be1, ssd1"),
    ('block_cache', dict(preset='slow'),
     "block_cache.preset: backend ssd1 on the remote cluster at 127.0.0.2:{port} has no preset 'slow'; presets: "
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
    settings = dict(backend='ssd1', on_read=True, cluster=cluster(remote, **change.pop('cluster', {})))
    settings.update(change)
    status, result, dummy = create(server, tmp_path, **{cache: settings})
    assert status == 'fail', result
    assert text.format(port=remote.port, id=REMOTE_ID) in result['msg'], result['msg']
    assert server.ovs.posts == [] and server.ovs.vpools == {}


def test_unreachable_remote_cluster_refused(server, remote, tmp_path):
    port = unreachable_port()
    status, result, dummy = create(server, tmp_path, fragment_cache=dict(backend='ssd1',
                                                                         cluster=cluster(remote, api_port=port)))
    assert status == 'fail', result
    assert result['msg'].startswith("fragment_cache.cluster: the API of the remote cluster at 127.0.0.2:{0} is "
                                    "unreachable (api_host '127.0.0.2', api_port {0})".format(port)), result['msg']
    assert server.ovs.posts == []


def test_a_rerun_keeps_the_remote_cache_while_that_cluster_is_down(server, remote, tmp_path):
    """GeoScale rerun: the cache is recognised from the vPool's metadata alone, kept with a warning; extending
    the vPool to another storage router (which needs that cluster) is refused before any change."""
    fc = dict(backend='ssd1', cluster=cluster(remote))
    status, result, dummy = create(server, tmp_path, fragment_cache=fc)
    assert status == 'exit' and result['changed'] is True, result
    remote.stop()
    count = len(server.ovs.posts)
    for check_mode in (False, True):
        status, result, warnings = create(server, tmp_path, check_mode=check_mode, fragment_cache=fc)
        assert status == 'exit' and result['changed'] is False, result
        assert [w for w in warnings if "fragment_cache: the cache of vPool pool1 on ALBA backend ssd1 of the remote "
                "cluster at 127.0.0.2:{0} is kept as it is: fragment_cache.cluster: the API of".format(remote.port)
                in w and "rerun when that cluster answers" in w], warnings
        assert result['vpool']['cache_backends']['ctl01']['fragment_cache']['cluster'] == '127.0.0.2:{0}'.format(
            remote.port)
    status, result, dummy = create(server, tmp_path, routers=('ctl01', 'ctl02'), fragment_cache=fc)
    assert status == 'fail', result
    assert result['msg'].startswith('cannot add vPool pool1 to ctl02: the fragment_cache backend of another '
                                    'cluster cannot be read'), result['msg']
    assert len(server.ovs.posts) == count


def test_a_new_vpool_is_refused_while_the_cluster_of_its_cache_is_down(server, remote, tmp_path):
    remote.stop()
    status, result, dummy = create(server, tmp_path, fragment_cache=dict(backend='ssd1', cluster=cluster(remote)))
    assert status == 'fail' and 'fragment_cache.cluster: the API of the remote cluster' in result['msg'], result
    assert server.ovs.posts == []
