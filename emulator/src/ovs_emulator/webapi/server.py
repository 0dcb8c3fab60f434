"""The HTTPS server of the framework API (``ovs-webapp-api``).

Order of checks, as the real Django stack does it:
1. an unknown path that exists with a trailing slash -> 301 to it (Django APPEND_SLASH);
2. no ``version=`` in ``Accept`` (except ``/api/`` and ``/api/oauth2/``) -> 406 missing_header;
3. unknown path -> 404 not_found;
4. bearer authentication -> 401 (invalid_authorization_type, invalid_token, token_expired,
   inactive_user); no ``Authorization`` at all -> 403 missing_credentials;
5. method not offered -> 405 method_not_allowed;
6. roles -> 403 invalid_roles;
7. version out of range -> 426 invalid_version;
8. the view (404 object_not_found, 406 invalid_data / duplicate, ...); anything unexpected
   -> 500 internal_server.
"""
import json
import logging
import re
import ssl
from urllib.parse import parse_qs, urlsplit

from .. import paths
from ..tlsserver import JsonHandler, TlsHttpServer
from . import alba, auth, errors, update, views, vpools
from .model import Model
from .tasks import TaskRunner

LOG = logging.getLogger("ovs_emulator.webapi")
# the framework's views, then the ALBA plugin's (ASD nodes, ALBA backends), vPools, storagedrivers
# and vDisks, updates
ROUTES = views.ROUTES + alba.ROUTES + vpools.ROUTES + update.ROUTES
VERSION_RE = re.compile(r"^(.*; )?version=(?P<version>([0-9]+|\*)?)(;.*)?$")
MISSING_HEADER = ("The version required by the client should be added to the Accept header. "
                  "E.g.: 'Accept: application/json; version=1'")


class Request:
    def __init__(self, method, target, headers, body, client_ip, scheme="https"):
        parts = urlsplit(target)
        self.scheme = scheme
        self.method = method
        self.path = parts.path
        self.raw_query = parts.query
        self.query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.headers = headers
        self.body = body
        self.client_ip = client_ip
        self._data = None

    def form(self):
        text = self.body.decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

    def data(self):
        """The request body: JSON when sent as JSON, otherwise form fields (DRF's DATA)."""
        if self._data is None:
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if content_type == "application/json":
                try:
                    parsed = json.loads(self.body or b"{}")
                except ValueError as exc:
                    raise errors.ApiError(400, "parse_error",
                                          f"JSON parse error - {exc}") from None
                self._data = parsed if isinstance(parsed, dict) else {}
            else:
                self._data = self.form()
        return self._data

    def param(self, name, default=None):
        """A view parameter, from the body first, then the query string (the real 'load')."""
        data = self.data() if self.method in ("POST", "PUT", "PATCH") else {}
        if name in data:
            return data[name]
        return self.query.get(name, default)


class Context:
    def __init__(self, app, request):
        self.app = app
        self.request = request
        self.store = app.store
        self.model = app.model
        self.tasks = app.tasks
        self.client = self.token = self.user = None
        self.roles = []
        self.version = views.VERSIONS[-1]

    def machine_id(self):
        try:
            with open(paths.OVS_ID, encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError:
            return None


def _compile(pattern):
    """``/api/things/<guid>/`` -> a regex with named groups for the ``<...>`` parts."""
    parts = re.split(r"(<\w+>)", pattern)
    regex = "".join(f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("<") else re.escape(part)
                    for part in parts)
    return re.compile(f"^{regex}$")


class Application:
    """Routing and the checks around every view; independent of the HTTP transport."""

    def __init__(self, store, routes=None):
        self.store = store
        self.model = Model(store)
        self.tasks = TaskRunner(self.model)
        self.routes = [(method, _compile(pattern), view, roles)
                       for method, pattern, view, roles in (routes or ROUTES)]

    def _match(self, path):
        found = []
        for method, regex, view, roles in self.routes:
            match = regex.match(path)
            if match:
                found.append((method, view, roles, match.groupdict()))
        return found

    def handle(self, request):
        """(status, headers, body or None) of one request."""
        try:
            return self._handle(request)
        except errors.ApiError as exc:
            return exc.status, exc.headers, exc.body()
        except Exception as exc:  # the real middleware: 500 internal_server
            LOG.exception("Unhandled exception on %s %s", request.method, request.path)
            return 500, {}, {"error": "internal_server", "error_description": str(exc)}

    def _handle(self, request):
        path = request.path
        candidates = self._match(path)
        if not candidates and not path.endswith("/") and self._match(path + "/"):
            host = request.headers.get("Host") or "localhost"
            query = f"?{request.raw_query}" if request.raw_query else ""
            location = f"{request.scheme}://{host}{path}/{query}"
            return 301, {"Location": location}, None
        public = path == "/api/" or "/api/oauth2/" in path
        if not public:
            accept = request.headers.get("Accept")
            if accept is None or VERSION_RE.match(accept) is None:
                raise errors.not_acceptable("missing_header", MISSING_HEADER)
        if not candidates:
            raise errors.ApiError(404, "not_found",
                                  f"The requested URL {path} was not found on this server.")
        chosen = next((c for c in candidates if c[0] == request.method), None)
        if chosen is not None and chosen[2] is None:
            return self._respond(chosen[1](Context(self, request), **chosen[3]))
        if chosen is None and all(c[2] is None for c in candidates):
            raise errors.ApiError(405, "method_not_allowed",
                                  f"Method '{request.method}' not allowed.")
        ctx = Context(self, request)
        found = auth.authenticate(self.model, request.headers.get("Authorization"))
        if found is None:
            raise errors.forbidden("missing_credentials",
                                   "Authentication credentials were not provided.")
        ctx.client, ctx.token, ctx.user = found
        if chosen is None:
            raise errors.ApiError(405, "method_not_allowed",
                                  f"Method '{request.method}' not allowed.")
        _, view, roles, kwargs = chosen
        ctx.roles = auth.token_roles(self.model, ctx.token, ctx.client)
        if any(role not in ctx.roles for role in roles):
            raise errors.forbidden("invalid_roles", f"This call requires roles: {', '.join(roles)}")
        ctx.version = self._version(request.headers.get("Accept"))
        return self._respond(view(ctx, **kwargs))

    @staticmethod
    def _version(accept):
        raw = VERSION_RE.match(accept).group("version")
        low, high = views.VERSIONS[0], views.VERSIONS[-1]
        if raw == "*":
            return high
        try:
            version = int(raw)
        except ValueError:
            raise errors.internal(f"invalid literal for int() with base 10: '{raw}'") from None
        if version < low or version > high:
            raise errors.ApiError(
                426, "invalid_version",
                f"API version requirements: {low} <= <version> <= {high}. Got {version}")
        return version

    @staticmethod
    def _respond(result):
        if isinstance(result, tuple):
            status, body = result
        else:
            status, body = 200, result
        if body is None and status == 200:
            status = 204
        return status, {}, body


class Handler(JsonHandler):
    server_version = "nginx"
    sys_version = ""
    log = LOG

    def _serve(self):
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        request = Request(self.command, self.path, self.headers, self.body(), self.client_address[0],
                          scheme)
        status, headers, payload = self.server.app.handle(request)
        content = [] if payload is None else [("Content-Type", "application/json")]
        self.answer(status, b"" if payload is None else json.dumps(payload).encode(),
                    content + list(headers.items()))


class ApiServer(TlsHttpServer):
    thread_name = "webapi"

    def __init__(self, app, bind, port, certfile=None, keyfile=None):
        super().__init__(app, bind, port, Handler, certfile, keyfile)


def make_server(store, bind="0.0.0.0", port=443, certfile=None, keyfile=None, routes=None):
    """An ``ApiServer`` on ``bind:port``; TLS when ``certfile`` is given."""
    return ApiServer(Application(store, routes), bind, port, certfile, keyfile)

