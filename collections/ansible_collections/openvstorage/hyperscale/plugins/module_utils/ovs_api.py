# -*- coding: utf-8 -*-
# Copyright (c) 2025, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""REST client for the Open vStorage framework API.

One class, :class:`OvsApiClient`, used by every module that talks to the API.

* transport: ``ansible.module_utils.urls.open_url`` only;
* base URL ``https://<host>:<port>/api/``, trailing slash on every path;
* ``Accept: application/json; version=<n>`` on every call;
* OAuth2 token from ``POST /api/oauth2/token/`` with the password grant
  (``api_username``/``api_password``) or the client credentials grant
  (``api_client_id``/``api_client_secret`` through HTTP Basic);
* the token is cached on the host that runs the module, in a 0600 JSON file
  keyed by a SHA-256 of (base URL, grant, credentials), together with its
  expiry.  Every later module run of the same play reuses it while it is
  valid, so a whole play costs one token call per (host running the module,
  API, credentials) - the API allows only 5 token calls per minute per IP.
  The file is locked while it is read, refreshed and written, so parallel
  forks on one host share one token call.  The token itself is never logged
  or returned;
* API errors become :class:`OvsApiError` carrying the HTTP status and the
  framework's ``error`` / ``error_description``;
* unreachable API: :class:`OvsApiUnreachable` naming host, port and reason;
* reads (``GET``) are retried after a timeout, a dropped connection or an HTTP 5xx answer,
  with an exponential backoff (``READ_RETRIES`` more attempts at most, none started once
  ``READ_RETRY_BUDGET`` seconds have passed since the first); a write is never resent.  Each
  retry is reported through the ``warn`` callback (``module.warn`` with ``from_module``) and
  counted in ``retries``;
* every read of an object or a list names its ``contents``: without it a single object is
  serialised with all its dynamic properties, which the framework computes on the request.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import errno
import hashlib
import json
import os
import socket
import ssl
import sys
import time

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - not POSIX
    HAS_FCNTL = False

from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import open_url

from ansible.module_utils.urls import ConnectionError as UrlsConnectionError
from ansible.module_utils.urls import SSLValidationError

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_host import write_private_file


def match_hostname_or_ip(cert, hostname):
    """``ssl.match_hostname`` that also accepts an IP address named by the certificate's IP SANs.

    Python 2.7 matches DNS names only (IP SANs since Python 3.5): an API certificate valid for the
    install master's address failed there with "hostname '<ip>' doesn't match '<node>'"."""
    if hostname in [value for key, value in (cert or {}).get('subjectAltName', ()) if key == 'IP Address']:
        return None
    return _STDLIB_MATCH_HOSTNAME(cert, hostname)


_STDLIB_MATCH_HOSTNAME = getattr(ssl, 'match_hostname', None)
if sys.version_info < (3, 5) and _STDLIB_MATCH_HOSTNAME is not None:
    # what Python 2.7's httplib and SSLSocket call to check the host name of the API's certificate
    ssl.match_hostname = match_hostname_or_ip


DEFAULT_API_VERSION = 9
SUPPORTED_API_VERSIONS = (6, 7, 8, 9, 10)
DEFAULT_TOKEN_CACHE = '~/.cache/openvstorage.hyperscale/api_tokens.json'
# A cached token is only used when it stays valid at least this long.
TOKEN_EXPIRY_MARGIN = 120
TASK_STATES_DONE = ('SUCCESS', 'FAILURE', 'REVOKED')
DEFAULT_API_TIMEOUT = 60
# A read that timed out, lost its connection or got a 5xx answer is sent again after
# READ_RETRY_DELAY, then twice that, ... at most READ_RETRIES more times, and never once
# READ_RETRY_BUDGET seconds have passed since its first attempt.
READ_RETRIES = 3
READ_RETRY_DELAY = 2.0
READ_RETRY_BUDGET = 180


def ovs_api_argument_spec():
    """Options shared by every module that uses the API (see the doc fragment)."""
    return dict(
        api_host=dict(type='str', required=True),
        api_port=dict(type='int', default=443),
        api_version=dict(type='int', default=DEFAULT_API_VERSION, choices=list(SUPPORTED_API_VERSIONS)),
        api_username=dict(type='str'),
        api_password=dict(type='str', no_log=True),
        api_client_id=dict(type='str'),
        api_client_secret=dict(type='str', no_log=True),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        api_timeout=dict(type='int', default=DEFAULT_API_TIMEOUT),
        api_token_cache=dict(type='path', default=DEFAULT_TOKEN_CACHE),
    )


OVS_API_REQUIRED_TOGETHER = [
    ('api_username', 'api_password'),
    ('api_client_id', 'api_client_secret'),
]
OVS_API_MUTUALLY_EXCLUSIVE = [
    ('api_username', 'api_client_id'),
]
OVS_API_REQUIRED_ONE_OF = [
    ('api_username', 'api_client_id'),
]


def ovs_api_dict_option():
    """The API options as ONE option of type dict, for a module whose own options would clash with them."""
    return dict(type='dict', options=ovs_api_argument_spec(), required_together=OVS_API_REQUIRED_TOGETHER,
                mutually_exclusive=OVS_API_MUTUALLY_EXCLUSIVE, required_one_of=OVS_API_REQUIRED_ONE_OF)


class OvsApiError(Exception):
    """An answer of the API that is not a success, or a transport failure."""

    def __init__(self, message, status=None, error=None, error_description=None, method=None, url=None, body=None):
        super(OvsApiError, self).__init__(message)
        self.message = message
        self.status = status
        self.error = error
        self.error_description = error_description
        self.method = method
        self.url = url
        self.body = body

    def to_dict(self):
        """Fields for ``fail_json`` (no secrets: URLs and error texts only)."""
        result = dict(msg=self.message)
        for key in ('status', 'error', 'error_description', 'method', 'url'):
            value = getattr(self, key)
            if value is not None:
                result[key] = value
        return result


class OvsApiUnreachable(OvsApiError):
    """The API could not be reached at all (DNS, refused, timeout, TLS).

    ``transient`` is True for a timeout or a dropped/refused connection (worth another try),
    False for what another try does not change (a name that does not resolve, TLS).
    """

    def __init__(self, message, transient=False, **kwargs):
        super(OvsApiUnreachable, self).__init__(message, **kwargs)
        self.transient = transient


class OvsTaskError(OvsApiError):
    """An asynchronous task ended in FAILURE/REVOKED, or did not end in time."""

    def __init__(self, message, task_id=None, task_status=None, result=None):
        super(OvsTaskError, self).__init__(message)
        self.task_id = task_id
        self.task_status = task_status
        self.result = result

    def to_dict(self):
        result = dict(msg=self.message, task_id=self.task_id, task_status=self.task_status)
        if self.result is not None:
            result['task_result'] = self.result
        return result


class TokenCache:
    """Tokens in a JSON file readable only by its owner.

    Layout: ``{"<sha256 key>": {"access_token": ..., "expires_at": <epoch>}}``.
    The key hides the credentials; nothing else is stored.
    """

    def __init__(self, path):
        self.path = os.path.expanduser(path) if path else None

    @staticmethod
    def key(base_url, grant, principal, secret):
        material = json.dumps([base_url, grant, principal, secret])
        return hashlib.sha256(to_bytes(material, errors='surrogate_or_strict')).hexdigest()

    def _lock(self):
        """Exclusive lock on ``<path>.lock``; returns the open descriptor (or None)."""
        if not self.path or not HAS_FCNTL:
            return None
        directory = os.path.dirname(self.path)
        self._ensure_dir(directory)
        fd = os.open(self.path + '.lock', os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd

    @staticmethod
    def _unlock(fd):
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @staticmethod
    def _ensure_dir(directory):
        if directory and not os.path.isdir(directory):
            try:
                os.makedirs(directory, 0o700)
            except OSError as exc:
                if exc.errno != errno.EEXIST:
                    raise

    def _read(self):
        if not self.path:
            return {}
        try:
            with open(self.path, 'r') as handle:
                data = json.load(handle)
        except (IOError, OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data):
        self._ensure_dir(os.path.dirname(self.path))
        write_private_file(self.path, json.dumps(data))

    def get(self, key, now=None):
        """A token valid for at least TOKEN_EXPIRY_MARGIN seconds, or None."""
        now = time.time() if now is None else now
        entry = self._read().get(key)
        if isinstance(entry, dict) and entry.get('access_token') and \
                float(entry.get('expires_at', 0)) > now + TOKEN_EXPIRY_MARGIN:
            return entry['access_token']
        return None

    def put(self, key, token, expires_at, now=None):
        if not self.path:
            return
        now = time.time() if now is None else now
        data = self._read()
        # drop what has expired, keep the rest
        data = dict((k, v) for k, v in data.items()
                    if isinstance(v, dict) and float(v.get('expires_at', 0)) > now)
        data[key] = dict(access_token=token, expires_at=expires_at)
        self._write(data)

    def drop(self, key):
        if not self.path:
            return
        data = self._read()
        if key in data:
            del data[key]
            self._write(data)

    def get_or_fetch(self, key, fetch, now=None):
        """Return a cached token or call ``fetch()`` -> (token, expires_in) under the lock."""
        fd = None
        try:
            try:
                fd = self._lock()
            except (IOError, OSError):
                fd = None  # no lock possible: still work, just without sharing
            token = self.get(key, now=now)
            if token:
                return token, True
            token, expires_in = fetch()
            now = time.time() if now is None else now
            try:
                self.put(key, token, now + float(expires_in), now=now)
            except (IOError, OSError):
                pass  # a cache that cannot be written only costs later token calls
            return token, False
        finally:
            self._unlock(fd)


class OvsApiClient:
    """Client of ``https://<host>:<port>/api/``."""

    def __init__(self, host, port=443, api_version=DEFAULT_API_VERSION,
                 username=None, password=None, client_id=None, client_secret=None,
                 validate_certs=True, ca_path=None, timeout=DEFAULT_API_TIMEOUT,
                 token_cache=DEFAULT_TOKEN_CACHE, scheme='https', opener=None, sleep=None,
                 warn=None, clock=None):
        if api_version not in SUPPORTED_API_VERSIONS:
            raise ValueError('api_version must be one of {0}, got {1!r}'.format(
                ', '.join(str(v) for v in SUPPORTED_API_VERSIONS), api_version))
        self.host = host
        self.port = int(port)
        self.api_version = api_version
        self.username = username
        self.password = password
        self.client_id = client_id
        self.client_secret = client_secret
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self.cache = TokenCache(token_cache)
        host_part = '[{0}]'.format(host) if ':' in host and not host.startswith('[') else host
        self.base_url = '{0}://{1}:{2}/api/'.format(scheme, host_part, self.port)
        self._open = opener or open_url
        self._sleep = sleep or time.sleep
        self._clock = clock or time.time
        self._warn = warn or (lambda message: None)
        self.retries = 0  # reads sent again (see READ_RETRIES)
        self._token = None
        self._token_from_cache = False
        self.token_calls = 0

    @classmethod
    def from_module(cls, module, **kwargs):
        """A client from the module's API options; retries are reported with ``module.warn``."""
        kwargs.setdefault('warn', module.warn)
        return cls.from_params(module.params, **kwargs)

    @classmethod
    def from_params(cls, params, **kwargs):
        """A client from the API options (``ovs_api_argument_spec``) in ``params``."""
        return cls(host=params['api_host'],
                   port=params['api_port'],
                   api_version=params['api_version'],
                   username=params.get('api_username'),
                   password=params.get('api_password'),
                   client_id=params.get('api_client_id'),
                   client_secret=params.get('api_client_secret'),
                   validate_certs=params['validate_certs'],
                   ca_path=params.get('ca_path'),
                   timeout=params['api_timeout'],
                   token_cache=params.get('api_token_cache'),
                   **kwargs)

    # ------------------------------------------------------------------ URLs
    def url(self, path, params=None):
        path = path.lstrip('/')
        if path.startswith('api/'):
            path = path[4:]
        if path and not path.endswith('/'):
            path += '/'
        url = self.base_url + path
        if params:
            pairs = []
            for key in sorted(params):
                value = params[key]
                if value is None:
                    continue
                if isinstance(value, bool):
                    value = 'true' if value else 'false'
                pairs.append((key, value))
            if pairs:
                url += '?' + urlencode(pairs)
        return url

    # ------------------------------------------------------------ transport
    def _raw(self, method, url, data=None, headers=None):
        """Send one request; return (status, parsed body or text)."""
        try:
            response = self._open(url, data=data, headers=headers or {}, method=method,
                                  validate_certs=self.validate_certs, ca_path=self.ca_path,
                                  timeout=self.timeout, follow_redirects='safe',
                                  use_proxy=True)
            status = response.getcode() if hasattr(response, 'getcode') else response.status
            body = response.read()
        except HTTPError as exc:
            status = exc.code
            try:
                body = exc.read()
            except Exception:
                body = b''
            raise self._http_error(method, url, status, body)
        except (SSLValidationError, ssl.CertificateError) as exc:
            raise self._unreachable(method, url, 'TLS certificate validation failed: {0} '
                                    '(set ca_path to the CA of the API certificate; turning validate_certs off is not recommended)'
                                    .format(to_native(exc)))
        except URLError as exc:
            cause = getattr(exc, 'reason', exc)
            reason = to_native(cause)
            if 'CERTIFICATE_VERIFY_FAILED' in reason:
                reason += ' (set ca_path to the CA of the API certificate; turning validate_certs off is not recommended)'
            raise self._unreachable(method, url, reason, transient=is_transient(cause))
        except UrlsConnectionError as exc:
            raise self._unreachable(method, url, to_native(exc))
        except (socket.timeout, socket.error, OSError) as exc:
            raise self._unreachable(method, url, to_native(exc), transient=is_transient(exc))
        return status, self._decode(body)

    def _unreachable(self, method, url, reason, transient=False):
        return OvsApiUnreachable(
            'Cannot reach the Open vStorage API at {0} (host {1}, port {2}): {3}'.format(
                self.base_url, self.host, self.port, reason),
            transient=transient, method=method, url=url)

    @staticmethod
    def _decode(body):
        text = to_text(body or b'', errors='surrogate_or_replace')
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

    def _http_error(self, method, url, status, body):
        parsed = self._decode(body)
        error = description = None
        if isinstance(parsed, dict):
            error = parsed.get('error')
            description = parsed.get('error_description')
        message = 'Open vStorage API {0} {1} failed: HTTP {2}'.format(method, url, status)
        if error:
            message += ' {0}'.format(error)
        if description:
            message += ': {0}'.format(description)
        elif not error and parsed:
            message += ': {0}'.format(to_native(parsed)[:500])
        if status == 429:
            message += (' (the API allows 5 token requests per minute per IP; tokens are cached in {0} '
                        'and reused for the whole run, so another client on this host used them up)'
                        .format(self.cache.path))
        return OvsApiError(message, status=status, error=error, error_description=description,
                           method=method, url=url, body=parsed if not isinstance(parsed, dict) else None)

    # ---------------------------------------------------------------- token
    def _grant(self):
        if self.client_id is not None:
            return 'client_credentials', self.client_id, self.client_secret
        if self.username is not None:
            return 'password', self.username, self.password
        return None, None, None

    def _cache_key(self):
        grant, principal, secret = self._grant()
        return TokenCache.key(self.base_url, grant, principal, secret)

    def _request_token(self):
        """POST /api/oauth2/token/; returns (access_token, expires_in)."""
        grant, principal, secret = self._grant()
        headers = {'Content-Type': 'application/x-www-form-urlencoded',
                   'Accept': 'application/json'}
        if grant == 'client_credentials':
            form = {'grant_type': 'client_credentials'}
            credentials = to_bytes('{0}:{1}'.format(principal, secret), errors='surrogate_or_strict')
            headers['Authorization'] = 'Basic ' + to_native(base64.b64encode(credentials))
        else:
            form = {'grant_type': 'password', 'username': principal, 'password': secret}
        self.token_calls += 1
        status, body = self._raw('POST', self.url('oauth2/token'), data=urlencode(form), headers=headers)
        if not isinstance(body, dict) or not body.get('access_token'):
            raise OvsApiError('Open vStorage API token request returned no access_token (HTTP {0})'.format(status),
                              status=status, method='POST', url=self.url('oauth2/token'))
        return body['access_token'], body.get('expires_in', 3600)

    def token(self):
        """The bearer token: from memory, else the cache file, else one token call."""
        if self._token is None:
            if self._grant()[0] is None:
                raise OvsApiError('No API credentials given: set api_username/api_password '
                                  'or api_client_id/api_client_secret')
            self._token, self._token_from_cache = self.cache.get_or_fetch(self._cache_key(), self._request_token)
        return self._token

    def _forget_token(self):
        self._token = None
        try:
            fd = self.cache._lock()
        except (IOError, OSError):
            fd = None
        try:
            self.cache.drop(self._cache_key())
        except (IOError, OSError):
            pass
        finally:
            self.cache._unlock(fd)

    # -------------------------------------------------------------- calls
    def request(self, method, path, data=None, params=None, auth=True):
        """One call; a read (GET) is sent again after a transient failure (see READ_RETRIES)."""
        if method != 'GET':
            return self._request_once(method, path, data, params, auth)
        started = self._clock()
        attempt = 0
        while True:
            try:
                return self._request_once(method, path, data, params, auth)
            except OvsApiError as exc:
                delay = READ_RETRY_DELAY * 2 ** attempt
                if not is_retryable(exc) or attempt >= READ_RETRIES or \
                        self._clock() - started + delay > READ_RETRY_BUDGET:
                    if attempt:
                        exc.message += ' ({0} attempts in {1:.0f} s)'.format(attempt + 1, self._clock() - started)
                        exc.args = (exc.message,)
                    raise
                attempt += 1
                self.retries += 1
                self._warn('Open vStorage API GET {0}: {1}; attempt {2} of {3} in {4:g} s'.format(
                    exc.url or self.url(path, params), exc.message, attempt + 1, READ_RETRIES + 1, delay))
                self._sleep(delay)

    def _request_once(self, method, path, data, params, auth):
        url = self.url(path, params)
        headers = {'Accept': 'application/json; version={0}'.format(self.api_version)}
        payload = None
        if data is not None:
            payload = json.dumps(data)
            headers['Content-Type'] = 'application/json'
        if not auth:
            return self._raw(method, url, data=payload, headers=headers)[1]
        headers['Authorization'] = 'Bearer {0}'.format(self.token())
        try:
            return self._raw(method, url, data=payload, headers=headers)[1]
        except OvsApiError as exc:
            # A token from an earlier run may have been revoked (cluster rebuilt,
            # token expired early): forget it, get a fresh one once, retry once.
            if exc.status == 401 and exc.error in ('invalid_token', 'token_expired', 'invalid_client') \
                    and self._token_from_cache:
                self._forget_token()
                headers['Authorization'] = 'Bearer {0}'.format(self.token())
                return self._raw(method, url, data=payload, headers=headers)[1]
            raise

    def get(self, path, params=None, auth=True, contents=None):
        """``GET /api/<path>/``; ``contents`` (a string or a list) names what an object read returns."""
        if contents is not None:
            params = dict(params or {}, contents=join_contents(contents))
        return self.request('GET', path, params=params, auth=auth)

    def post(self, path, data=None, params=None):
        return self.request('POST', path, data=data if data is not None else {}, params=params)

    def put(self, path, data=None, params=None):
        return self.request('PUT', path, data=data if data is not None else {}, params=params)

    def patch(self, path, data=None, params=None):
        return self.request('PATCH', path, data=data if data is not None else {}, params=params)

    def delete(self, path, params=None):
        return self.request('DELETE', path, params=params)

    def info(self):
        """``GET /api/`` (no authentication): release, cluster id, versions, plugins."""
        return self.request('GET', '', auth=False)

    def list(self, resource, contents=None, query=None, params=None):
        """All items of ``GET /api/<resource>/`` (every page), as a list.

        contents: None (guids only), a string, or a list joined with ``,``
                  (e.g. ``['_dynamics', '_relations']`` or field names).
        query:    a dict such as ``{'type': 'AND', 'items': [['name', 'EQUALS', 'x']]}``.
        """
        params = dict(params or {})
        if contents is not None:
            params['contents'] = join_contents(contents)
        if query is not None:
            params['query'] = json.dumps(query, sort_keys=True)
        items = []
        page = None
        while True:
            if page is not None:
                params['page'] = page
            answer = self.get(resource, params=params)
            if isinstance(answer, list):  # not a paged list
                return answer
            if not isinstance(answer, dict) or 'data' not in answer:
                raise OvsApiError('Unexpected answer for the list {0}: {1}'.format(
                    self.url(resource), to_native(answer)[:300]))
            items.extend(answer['data'])
            paging = answer.get('_paging') or {}
            current, max_page = paging.get('current_page'), paging.get('max_page')
            if current is None or max_page is None or current >= max_page:
                return items
            page = current + 1

    def find(self, resource, field, value, contents):
        """Items whose ``field`` equals ``value`` (a server-side query), with ``contents`` (see list)."""
        return self.list(resource, contents=contents, query={'type': 'AND', 'items': [[field, 'EQUALS', value]]})

    def wait_for_task(self, task_id, timeout=600, interval=1.0):
        """Poll ``GET /api/tasks/<id>/`` until ready; return its result.

        Raises OvsTaskError with the task's error text on FAILURE/REVOKED and
        on timeout.
        """
        task_id = to_text(task_id).strip().strip('"')
        deadline = time.time() + timeout
        path = 'tasks/{0}'.format(quote(task_id, safe=''))
        while True:
            task = self.get(path)
            if not isinstance(task, dict):
                raise OvsTaskError('Unexpected answer for task {0}: {1}'.format(task_id, to_native(task)[:300]),
                                   task_id=task_id)
            status = task.get('status')
            if task.get('ready') or status in TASK_STATES_DONE:
                if status == 'SUCCESS' or (task.get('successful') and status not in ('FAILURE', 'REVOKED')):
                    return task.get('result')
                result = task.get('result')
                text = result if isinstance(result, str) else json.dumps(result)
                raise OvsTaskError('Open vStorage task {0} ended in {1}: {2}'.format(task_id, status, text),
                                   task_id=task_id, task_status=status, result=result)
            if time.time() >= deadline:
                raise OvsTaskError('Open vStorage task {0} not ready after {1} s (last status {2})'.format(
                    task_id, timeout, status), task_id=task_id, task_status=status)
            self._sleep(interval)


def join_contents(contents):
    """The ``contents`` parameter: a string as it is, a list or tuple joined with ``,``."""
    return ','.join(contents) if isinstance(contents, (list, tuple)) else contents


def is_transient(error):
    """True for a transport error that another try may not meet: a timeout, a reset or refused connection.

    A name that does not resolve and a TLS failure are not transient.
    """
    if isinstance(error, (socket.gaierror, ssl.SSLError)):
        return False
    return isinstance(error, (socket.timeout, socket.error))


def is_retryable(exc):
    """Whether a failed read is sent again: transient transport errors and HTTP 5xx answers."""
    if isinstance(exc, OvsApiUnreachable):
        return exc.transient
    return exc.status is not None and 500 <= exc.status <= 599


def fail_from_api_error(module, exc, **extra):
    """``module.fail_json`` with the fields of an OvsApiError."""
    result = exc.to_dict() if isinstance(exc, OvsApiError) else dict(msg=to_native(exc))
    result.update(extra)
    module.fail_json(**result)
