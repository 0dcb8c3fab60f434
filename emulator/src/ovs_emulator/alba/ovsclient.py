"""The framework's client of the API of an Open vStorage cluster (framework-extensions
src/api/client/baseclient.py + ovsclient.py ``OVSClient``, src/api/exceptions.py): HTTPS with a
self-signed certificate (``verify=False``), OAuth 2 ``client_credentials`` grant on
``/api/oauth2/token/`` (HTTP Basic client id:secret), then ``Authorization: Bearer``; a token is
kept 300 s per (ip, port, client id, secret) as the real one keeps it in memcached.

Differences: the real requests have no timeout (a silent host hangs the task); here every call
has one (``timeout``, default ``TIMEOUT`` s).  A connection problem raises ``ApiUnreachable`` with the
text shape of python-requests' ``ConnectionError``/``ConnectTimeout``."""
import base64
import hashlib
import http.client
import socket
import threading
import time
import urllib.error
from urllib.parse import urlencode

from .asdclient import HttpsJsonClient

TOKEN_CACHE_SECONDS = 300
TIMEOUT = 10.0
STATUS_MESSAGES = {401: "No access to the requested API", 403: "No access to the requested API",
                   404: "The requested API could not be found", 405: "Requested method not allowed",
                   406: "The request was unacceptable", 426: "Upgrade is needed",
                   429: "Rate limit was hit", 500: "Internal server error"}
_TOKENS = {}
_LOCK = threading.Lock()


class HttpException(RuntimeError):
    """ovs_extensions.api.exceptions.HttpException."""

    def __init__(self, status_code, error, error_description=""):
        super().__init__(error)
        self.status_code, self.error, self.error_description = status_code, error, error_description

    def __str__(self):
        return f"Status code: {self.status_code} - Error: {self.error}'."


class HttpForbiddenException(HttpException):
    def __init__(self, error, error_description=""):
        super().__init__(403, error, error_description)


class HttpNotFoundException(HttpException):
    def __init__(self, error, error_description=""):
        super().__init__(404, error, error_description)


class ApiUnreachable(RuntimeError):
    """requests.exceptions.ConnectionError / ConnectTimeout."""


def unreachable_text(ip, port, path, exc, timeout):
    """The text python-requests gives a connection that fails (refused, timed out, other)."""
    reason = getattr(exc, "reason", exc)
    pool = f"HTTPSConnectionPool(host='{ip}', port={port}): Max retries exceeded with url: {path}"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return (f"{pool} (Caused by ConnectTimeoutError(<urllib3.connection.VerifiedHTTPSConnection "
                f"object>, 'Connection to {ip} timed out. (connect timeout={timeout})'))")
    if isinstance(reason, OSError) and reason.errno is not None:
        return (f"{pool} (Caused by NewConnectionError('<urllib3.connection.VerifiedHTTPSConnection "
                f"object>: Failed to establish a new connection: [Errno {reason.errno}] "
                f"{reason.strerror}',))")
    return f"{pool} (Caused by {reason!r})"


def process(status, payload):
    """BaseClient._process: the payload of a 2xx answer, else the HttpException of the answer."""
    if 200 <= status < 300:
        return payload
    message = None
    if isinstance(payload, dict):
        message = payload.get("error_description")
        if "error" in payload:
            message = payload["error"] if message is None else f"{message} ({payload['error']})"
    else:
        message = STATUS_MESSAGES.get(status)
    message = message or "Unknown error"
    if status in (401, 403):
        raise HttpForbiddenException(message)
    if status == 404:
        raise HttpNotFoundException(message)
    raise HttpException(status, message)


class OVSClient(HttpsJsonClient):
    """``OVSClient.get_instance(connection_info)``: host, port and the client's id and secret
    (``client_id``/``client_secret``, else ``username``/``password`` as the link metadata
    carries them)."""

    def __init__(self, connection_info, timeout=None, version=6):
        super().__init__(connection_info["host"], connection_info["port"], timeout or TIMEOUT)
        self.client_id = connection_info.get("client_id") or connection_info.get("username")
        self.client_secret = connection_info.get("client_secret") or connection_info.get("password")
        self.version = version
        self._key = hashlib.sha256(f"{self.ip}{self.port}{self.client_id}{self.client_secret}"
                                   .encode()).hexdigest()

    def _send(self, method, path, data=None, headers=None):
        try:
            return self.request(method, path, data, headers)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            raise ApiUnreachable(unreachable_text(self.ip, self.port, path, exc,
                                                  self.timeout)) from None

    def _cached(self):
        with _LOCK:
            cached = _TOKENS.get(self._key)
        return cached[0] if cached and cached[1] > time.time() else None

    def _token(self):
        token = self._cached()
        if token:
            return token
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        status, payload = self._send("POST", "/api/oauth2/token/",
                                     urlencode({"grant_type": "client_credentials"}).encode(),
                                     {"Accept": "application/json", "Authorization": f"Basic {basic}",
                                      "Content-Type": "application/x-www-form-urlencoded"})
        token = process(status, payload)["access_token"]
        with _LOCK:
            _TOKENS[self._key] = (token, time.time() + TOKEN_CACHE_SECONDS)
        return token

    def _get(self, path):
        headers = {"Accept": f"application/json; version={self.version}",
                   "Content-Type": "application/json", "Authorization": f"Bearer {self._token()}"}
        return process(*self._send("GET", path, headers=headers))

    def get(self, api, params=None):
        """BaseClient.get: ``/api`` + api (a trailing slash added); a cached token that is
        refused is dropped and the call made once more with a new one."""
        path = "/api/" + api.strip("/") + "/" + (f"?{urlencode(params)}" if params else "")
        first_connect = self._cached() is None
        try:
            return self._get(path)
        except HttpForbiddenException:
            with _LOCK:
                _TOKENS.pop(self._key, None)
            if first_connect:
                raise
            return self._get(path)

    def wait_for_task(self, task_id, timeout=None):
        """OVSClient.wait_for_task: (successful, result) once the task is done."""
        start = time.time()
        while True:
            if timeout is not None and timeout < time.time() - start:
                raise RuntimeError(f"Waiting for task {task_id} has timed out.")
            task = self.get(f"/tasks/{task_id}/")
            if task["status"] in ("FAILURE", "SUCCESS"):
                return task["successful"], task["result"]
            time.sleep(0.2)

