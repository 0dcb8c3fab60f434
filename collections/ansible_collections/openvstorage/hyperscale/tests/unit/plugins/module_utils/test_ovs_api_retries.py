# -*- coding: utf-8 -*-
"""Reads of OvsApiClient retried after timeouts, dropped connections and 5xx answers; writes never."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import json
import socket

import pytest

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import ovs_api
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import (
    READ_RETRIES,
    OvsApiClient,
    OvsApiError,
    OvsApiUnreachable,
)
from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_cluster_info

from ansible_collections.openvstorage.hyperscale.tests.unit.fake_ovs_api import FakeApiServer
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module

TIMED_OUT = socket.timeout('The read operation timed out')


class Response(object):
    def __init__(self, status, body):
        self.status = status
        self._body = json.dumps(body).encode()

    def getcode(self):
        return self.status

    def read(self):
        return self._body


def http_error(url, status, error='internal_server', description='boom'):
    body = json.dumps(dict(error=error, error_description=description)).encode()
    return HTTPError(url, status, 'error', {}, io.BytesIO(body))


class FakeTransport(object):
    """``open_url`` stand-in: the token call succeeds; every other call takes the next scripted outcome.

    An outcome is an exception (raised, or built from the URL when callable) or a body (HTTP 200).
    """

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = []  # (method, url)

    def __call__(self, url, data=None, headers=None, method=None, **kwargs):
        if url.endswith('/oauth2/token/'):
            return Response(200, dict(access_token='t0k3n', token_type='bearer', expires_in=3600))
        self.calls.append((method, url))
        outcome = self.outcomes.pop(0)
        if callable(outcome) and not isinstance(outcome, BaseException):
            outcome = outcome(url)
        if isinstance(outcome, BaseException):
            raise outcome
        return Response(200, outcome)


class Clock(object):
    """A clock that only moves when the client sleeps (or a call takes ``call_time``)."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def client_for(transport, clock, warnings, tmp_path):
    return OvsApiClient('ctl01', username='admin', password='admin', token_cache=str(tmp_path / 'tokens.json'),
                        opener=transport, sleep=clock.sleep, clock=clock.time, warn=warnings.append)


@pytest.fixture
def clock():
    return Clock()


def test_read_retried_after_timeouts_then_succeeds(tmp_path, clock):
    transport = FakeTransport(TIMED_OUT, URLError(TIMED_OUT), {'guid': 'g-1', 'name': 'b1'})
    warnings = []
    client = client_for(transport, clock, warnings, tmp_path)
    assert client.get('alba/backends/g-1', contents='name') == {'guid': 'g-1', 'name': 'b1'}
    assert [c[0] for c in transport.calls] == ['GET', 'GET', 'GET']
    assert all(c[1].endswith('/api/alba/backends/g-1/?contents=name') for c in transport.calls)
    assert client.retries == 2
    assert clock.sleeps == [2.0, 4.0]  # exponential backoff
    assert len(warnings) == 2
    assert 'GET https://ctl01:443/api/alba/backends/g-1/?contents=name' in warnings[0]
    assert 'The read operation timed out; attempt 2 of 4 in 2 s' in warnings[0]
    assert 'attempt 3 of 4 in 4 s' in warnings[1]


@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_read_retried_after_5xx_then_succeeds(tmp_path, clock, status):
    transport = FakeTransport(lambda url: http_error(url, status), {'data': [], '_paging': {}})
    warnings = []
    client = client_for(transport, clock, warnings, tmp_path)
    assert client.list('vpools', contents='name') == []
    assert client.retries == 1 and clock.sleeps == [2.0]
    assert 'HTTP {0} internal_server: boom; attempt 2 of 4'.format(status) in warnings[0]


def test_read_gives_up_after_the_last_attempt(tmp_path, clock):
    transport = FakeTransport(*([TIMED_OUT] * (READ_RETRIES + 1)))
    warnings = []
    client = client_for(transport, clock, warnings, tmp_path)
    with pytest.raises(OvsApiUnreachable) as err:
        client.get('storagerouters', contents='name')
    assert len(transport.calls) == READ_RETRIES + 1
    assert clock.sleeps == [2.0, 4.0, 8.0]
    assert err.value.message.endswith('The read operation timed out (4 attempts in 14 s)')
    assert len(warnings) == READ_RETRIES


def test_read_retries_bounded_by_the_budget(tmp_path, clock, monkeypatch):
    monkeypatch.setattr(ovs_api, 'READ_RETRY_BUDGET', 5)
    transport = FakeTransport(TIMED_OUT, TIMED_OUT, TIMED_OUT)
    client = client_for(transport, clock, [], tmp_path)
    with pytest.raises(OvsApiUnreachable, match=r'\(2 attempts in 2 s\)'):
        client.get('storagerouters', contents='name')
    assert clock.sleeps == [2.0]  # a second wait (4 s) would end after 6 s > 5 s


@pytest.mark.parametrize('outcome', [
    lambda url: http_error(url, 404, 'object_not_found', 'not found'),
    lambda url: http_error(url, 406, 'invalid_data', 'Invalid data passed: name is missing'),
    socket.gaierror(-2, 'Name or service not known'),
    URLError(socket.gaierror(-2, 'Name or service not known')),
])
def test_read_not_retried_when_another_try_changes_nothing(tmp_path, clock, outcome):
    transport = FakeTransport(outcome)
    client = client_for(transport, clock, [], tmp_path)
    with pytest.raises(OvsApiError):
        client.get('storagerouters', contents='name')
    assert len(transport.calls) == 1 and client.retries == 0 and clock.sleeps == []


@pytest.mark.parametrize('method', ['post', 'put', 'patch', 'delete'])
@pytest.mark.parametrize('outcome', [TIMED_OUT, ConnectionResetError(104, 'Connection reset by peer'),
                                     lambda url: http_error(url, 503)])
def test_write_never_sent_again(tmp_path, clock, method, outcome):
    transport = FakeTransport(outcome, 'task-id')
    client = client_for(transport, clock, [], tmp_path)
    with pytest.raises(OvsApiError):
        getattr(client, method)('alba/backends/g-1/add_preset')
    assert len(transport.calls) == 1 and client.retries == 0 and clock.sleeps == []


def test_connection_reset_is_transient_tls_is_not():
    assert ovs_api.is_transient(ConnectionResetError(104, 'Connection reset by peer'))
    assert ovs_api.is_transient(ConnectionRefusedError(111, 'Connection refused'))
    assert ovs_api.is_transient(TIMED_OUT)
    assert not ovs_api.is_transient(ovs_api.ssl.SSLError('CERTIFICATE_VERIFY_FAILED'))
    assert not ovs_api.is_transient(socket.gaierror(-2, 'Name or service not known'))


def test_wait_for_task_polls_through_a_5xx(tmp_path, clock):
    done = dict(status='SUCCESS', successful=True, ready=True, result=True)
    transport = FakeTransport(lambda url: http_error(url, 502, 'bad_gateway'), done)
    client = client_for(transport, clock, [], tmp_path)
    assert client.wait_for_task('t-1') is True
    assert client.retries == 1


@pytest.fixture
def server(tmp_path):
    srv = FakeApiServer(str(tmp_path)).start()
    srv.ovs.add_storagerouter('ctl01', '172.30.250.11', 'MaChInE0000000ct1')
    srv.ovs.plugins = {}
    yield srv
    srv.stop()


def flaky_open_url(failures):
    """The real ``open_url``, but the first ``failures`` reads of /api/storagerouters/ answer HTTP 503."""
    real = ovs_api.open_url
    left = [failures]

    def opener(url, **kwargs):
        if kwargs.get('method') == 'GET' and '/api/storagerouters/' in url and left[0] > 0:
            left[0] -= 1
            raise http_error(url, 503, 'unavailable', 'Service Unavailable')
        return real(url, **kwargs)
    return opener


def test_module_result_counts_the_retries(server, tmp_path, monkeypatch):
    monkeypatch.setattr(ovs_api, 'open_url', flaky_open_url(1))
    monkeypatch.setattr(ovs_api.time, 'sleep', lambda seconds: None)
    status, result, warnings = run_module(ovs_cluster_info.main, api_args(server, tmp_path), FakeHost())
    assert status == 'exit', result
    assert result['api_retries'] == 1
    assert [r['name'] for r in result['storagerouters']] == ['ctl01']
    assert len(warnings) == 1 and 'HTTP 503 unavailable: Service Unavailable; attempt 2 of 4' in warnings[0]


def test_module_failure_counts_the_retries(server, tmp_path, monkeypatch):
    monkeypatch.setattr(ovs_api, 'open_url', flaky_open_url(READ_RETRIES + 1))
    monkeypatch.setattr(ovs_api.time, 'sleep', lambda seconds: None)
    status, result, warnings = run_module(ovs_cluster_info.main, api_args(server, tmp_path), FakeHost())
    assert status == 'fail'
    assert result['api_retries'] == READ_RETRIES and result['status'] == 503
    assert '(4 attempts in' in result['msg']


def test_no_retry_no_warning(server, tmp_path):
    status, result, warnings = run_module(ovs_cluster_info.main, api_args(server, tmp_path), FakeHost())
    assert status == 'exit' and result['api_retries'] == 0 and warnings == []
