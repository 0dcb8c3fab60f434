# -*- coding: utf-8 -*-
"""OvsApiClient against an in-process HTTPS server shaped like the framework API."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import socket
import stat
import time

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import ovs_api
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import (
    OvsApiClient,
    OvsApiError,
    OvsApiUnreachable,
    OvsTaskError,
    TokenCache,
)

from ansible_collections.openvstorage.hyperscale.tests.unit.fake_ovs_api import (
    TASK_PENDING,
    TASK_STARTED,
    TASK_SUCCESS,
    FakeApiServer,
    task_failure,
)

CLIENT_ID = 'c1d2e3f4-0000-4000-8000-000000000001'
CLIENT_SECRET = 'Secret0123456789Secret0123456789'


@pytest.fixture
def server(tmp_path):
    srv = FakeApiServer(str(tmp_path)).start()
    srv.ovs.add_storagerouter('ctl01', '172.30.250.11', 'MaChInE0000000ct1')
    srv.ovs.add_storagerouter('cmp01', '172.30.250.21', 'MaChInE0000000cp1', node_type='EXTRA')
    srv.ovs.add_storagerouter('ctl02', '172.30.250.12', 'MaChInE0000000ct2')
    yield srv
    srv.stop()


@pytest.fixture
def cache_file(tmp_path):
    return str(tmp_path / 'home' / '.cache' / 'openvstorage.hyperscale' / 'api_tokens.json')


def make_client(server, cache_file, **kwargs):
    options = dict(host='127.0.0.1', port=server.port, username='admin', password='admin',
                   ca_path=server.cert_path, token_cache=cache_file, timeout=5)
    options.update(kwargs)
    return OvsApiClient(**options)


def api_requests(server):
    return [r for r in server.ovs.requests if r[1] != '/api/oauth2/token/' and r[1] != '/api/']


def test_version_header_on_every_call(server, cache_file):
    client = make_client(server, cache_file, api_version=10)
    client.list('storagerouters')
    client.get('storagerouters/' + server.ovs.storagerouters[0]['guid'])
    client.info()
    assert len(server.ovs.requests) == 4
    for method, path, headers in server.ovs.requests:
        if path == '/api/oauth2/token/':
            continue
        assert headers['Accept'] == 'application/json; version=10', path


def test_unsupported_version_refused_before_any_call(server, cache_file):
    with pytest.raises(ValueError, match='api_version must be one of 6, 7, 8, 9, 10'):
        make_client(server, cache_file, api_version=5)
    assert server.ovs.requests == []


def test_default_version_and_base_url(server, cache_file):
    client = make_client(server, cache_file)
    assert client.base_url == 'https://127.0.0.1:{0}/api/'.format(server.port)
    assert client.url('/storagerouters') == client.base_url + 'storagerouters/'
    assert client.url('api/vpools/x/') == client.base_url + 'vpools/x/'
    assert client.url('alba/nodes', {'discover': True}) == client.base_url + 'alba/nodes/?discover=true'
    client.list('storagerouters')
    assert api_requests(server)[0][2]['Accept'] == 'application/json; version=9'


def test_token_requested_once_and_reused_across_runs(server, cache_file):
    # Each module run is a new process: simulate with new client objects.
    for dummy in range(8):
        client = make_client(server, cache_file)
        client.list('storagerouters')
        client.list('storagerouters')
    assert len(server.ovs.token_calls) == 1  # the rate limit would allow 5
    mode = stat.S_IMODE(os.stat(cache_file).st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(cache_file)).st_mode) == 0o700
    with open(cache_file) as handle:
        data = json.load(handle)
    assert len(data) == 1
    (key, entry), = data.items()
    assert 'admin' not in key and len(key) == 64
    assert set(entry) == {'access_token', 'expires_at'}
    assert entry['expires_at'] > time.time() + 43000


def test_token_cache_keyed_by_credentials(server, cache_file):
    make_client(server, cache_file).list('storagerouters')
    make_client(server, cache_file, username=None, password=None,
                client_id=CLIENT_ID, client_secret=CLIENT_SECRET).list('storagerouters')
    make_client(server, cache_file, username=None, password=None,
                client_id=CLIENT_ID, client_secret=CLIENT_SECRET).list('storagerouters')
    assert len(server.ovs.token_calls) == 2
    with open(cache_file) as handle:
        assert len(json.load(handle)) == 2


def test_client_credentials_use_http_basic(server, cache_file):
    client = make_client(server, cache_file, username=None, password=None,
                         client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    client.list('storagerouters')
    method, path, headers = [r for r in server.ovs.requests if r[1] == '/api/oauth2/token/'][0]
    assert headers['Authorization'].startswith('Basic ')
    assert headers['Content-Type'] == 'application/x-www-form-urlencoded'


def test_expired_cached_token_is_replaced(server, cache_file):
    client = make_client(server, cache_file)
    client.list('storagerouters')
    key = client._cache_key()
    with open(cache_file) as handle:
        data = json.load(handle)
    data[key]['expires_at'] = time.time() + 30  # inside the safety margin
    with open(cache_file, 'w') as handle:
        json.dump(data, handle)
    make_client(server, cache_file).list('storagerouters')
    assert len(server.ovs.token_calls) == 2


def test_revoked_cached_token_is_replaced_once(server, cache_file):
    make_client(server, cache_file).list('storagerouters')
    server.ovs.tokens.clear()  # cluster rebuilt: the cached token is unknown
    routers = make_client(server, cache_file).list('storagerouters')
    assert len(routers) == 3
    assert len(server.ovs.token_calls) == 2


def test_fresh_token_refused_is_an_error_not_a_loop(server, cache_file, monkeypatch):
    client = make_client(server, cache_file)
    client.token()
    server.ovs.tokens.clear()
    with pytest.raises(OvsApiError) as err:
        client.list('storagerouters')
    assert err.value.status == 401
    assert err.value.error == 'invalid_token'
    assert len(server.ovs.token_calls) == 1


def test_rate_limit_message(server, cache_file):
    for dummy in range(5):
        make_client(server, cache_file, token_cache=None).token()
    with pytest.raises(OvsApiError) as err:
        make_client(server, cache_file, token_cache=None).token()
    assert err.value.status == 429
    assert '5 token requests per minute' in err.value.message


def test_bad_password_error_parsed_and_secret_not_shown(server, cache_file):
    client = make_client(server, cache_file, password='wrong-Pa55word')
    with pytest.raises(OvsApiError) as err:
        client.list('storagerouters')
    exc = err.value
    assert exc.status == 400
    assert exc.error == 'invalid_client'
    assert exc.error_description == 'Invalid username or password'
    assert 'HTTP 400 invalid_client: Invalid username or password' in exc.message
    assert 'wrong-Pa55word' not in json.dumps(exc.to_dict())
    assert not os.path.exists(cache_file) or json.load(open(cache_file)) == {}


def test_error_bodies(server, cache_file):
    client = make_client(server, cache_file)
    with pytest.raises(OvsApiError) as err:
        client.get('storagerouters/00000000-0000-0000-0000-000000000000')
    assert (err.value.status, err.value.error) == (404, 'object_not_found')
    with pytest.raises(OvsApiError) as err:
        client.post('domains', {})
    assert (err.value.status, err.value.error) == (406, 'invalid_data')
    assert err.value.error_description == 'Invalid data passed: name is missing'
    assert client.post('domains', {'name': 'rack1'})['name'] == 'rack1'


def test_list_contents_query_and_paging(server, cache_file):
    client = make_client(server, cache_file)
    guids = client.list('storagerouters')
    assert all(isinstance(g, str) for g in guids) and len(guids) == 3
    server.ovs.page_size = 2
    routers = client.list('storagerouters', contents=['_dynamics', '_relations'])
    assert [r['name'] for r in routers] == ['cmp01', 'ctl01', 'ctl02']
    found = client.find('storagerouters', 'name', 'ctl02', contents='name,ip')
    assert [r['ip'] for r in found] == ['172.30.250.12']
    paths = [r[1] for r in api_requests(server)]
    assert any('page=2' in p for p in paths)
    assert any('contents=_dynamics%2C_relations' in p for p in paths)
    query = [p for p in paths if 'query=' in p][0]
    assert '%22EQUALS%22' in query


def test_wait_for_task_success(server, cache_file):
    server.ovs.tasks['t-1'] = [TASK_PENDING, TASK_STARTED, dict(TASK_SUCCESS, result={'guid': 'abc'})]
    client = make_client(server, cache_file, sleep=lambda s: None)
    assert client.wait_for_task('"t-1"', timeout=5) == {'guid': 'abc'}


def test_wait_for_task_failure_carries_text(server, cache_file):
    server.ovs.tasks['t-2'] = [TASK_STARTED, task_failure('Preset with name default already exists')]
    client = make_client(server, cache_file, sleep=lambda s: None)
    with pytest.raises(OvsTaskError) as err:
        client.wait_for_task('t-2', timeout=5)
    assert 'Preset with name default already exists' in err.value.message
    assert err.value.task_status == 'FAILURE'
    assert err.value.to_dict()['task_id'] == 't-2'


def test_wait_for_task_timeout(server, cache_file):
    server.ovs.tasks['t-3'] = [TASK_STARTED]
    client = make_client(server, cache_file, sleep=lambda s: time.sleep(0.05))
    with pytest.raises(OvsTaskError, match='not ready after 0.2 s'):
        client.wait_for_task('t-3', timeout=0.2)


def test_unreachable_port(cache_file):
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    sleeps = []
    client = OvsApiClient('127.0.0.1', port=port, username='admin', password='admin', token_cache=cache_file,
                          timeout=3, sleep=sleeps.append)
    with pytest.raises(OvsApiUnreachable) as err:
        client.info()
    assert 'host 127.0.0.1, port {0}'.format(port) in err.value.message
    assert 'Connection refused' in err.value.message or 'refused' in err.value.message.lower()
    # a refused connection (an API restarting) is worth another read, with a growing wait
    assert sleeps == [2.0, 4.0, 8.0] and client.retries == 3
    assert '(4 attempts in' in err.value.message


def test_tls_verified_by_default(server, cache_file):
    client = make_client(server, cache_file, ca_path=None)
    with pytest.raises(OvsApiUnreachable) as err:
        client.info()
    assert 'ca_path' in err.value.message
    assert server.ovs.requests == []
    # explicit opt-out works
    assert make_client(server, cache_file, ca_path=None, validate_certs=False).info()['release']['name'] == 'fargo'


def test_token_cache_helpers(tmp_path):
    cache = TokenCache(str(tmp_path / 'c.json'))
    key = TokenCache.key('https://h:443/api/', 'password', 'admin', 'admin')
    assert cache.get(key) is None
    cache.put(key, 'tok', time.time() + 1000)
    cache.put('old', 'x', time.time() - 10)  # expired entries are pruned on write
    assert cache.get(key) == 'tok'
    cache.put('other', 'y', time.time() + 1000)
    data = json.load(open(str(tmp_path / 'c.json')))
    assert set(data) == {key, 'other'}
    cache.drop(key)
    assert cache.get(key) is None
    # corrupt file: ignored, then rewritten
    with open(str(tmp_path / 'c.json'), 'w') as handle:
        handle.write('not json')
    assert cache.get('other') is None
    calls = []
    token, cached = cache.get_or_fetch('k', lambda: calls.append(1) or ('t', 3600))
    assert (token, cached) == ('t', False)
    token, cached = cache.get_or_fetch('k', lambda: calls.append(1) or ('u', 3600))
    assert (token, cached, len(calls)) == ('t', True, 1)


def test_argument_spec_marks_secrets():
    spec = ovs_api.ovs_api_argument_spec()
    assert spec['api_password']['no_log'] is True
    assert spec['api_client_secret']['no_log'] is True
    assert spec['api_version']['default'] in spec['api_version']['choices']
    assert spec['validate_certs']['default'] is True


CERT_OF_CTL01 = {'subject': ((('commonName', 'ctl01'),),),
                 'subjectAltName': (('DNS', 'ctl01'), ('IP Address', '172.30.250.11'))}


def test_an_api_address_matches_the_ip_san_of_its_certificate():
    """The host name check Python 2.7 gets (it matches DNS names only): the IP SAN counts."""
    import ssl
    assert ovs_api.match_hostname_or_ip(CERT_OF_CTL01, '172.30.250.11') is None
    assert ovs_api.match_hostname_or_ip(CERT_OF_CTL01, 'ctl01') is None
    for other in ('172.30.250.12', 'ctl02'):
        with pytest.raises(ssl.CertificateError):
            ovs_api.match_hostname_or_ip(CERT_OF_CTL01, other)
