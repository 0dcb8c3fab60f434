"""Emulated Open vStorage framework REST API (the ``ovs-webapp-api`` service).

Run as ``python3 -m ovs_emulator.webapi [--bind 0.0.0.0] [--port 443] [--cert FILE]
[--key FILE] [--log-level INFO]``; the certificate defaults to
/opt/OpenvStorage/config/ssl/server.crt + server.key (``paths.SSL_CERT`` / ``SSL_KEY``), the
store to ``ovs_emulator.store.open_store()``.  Tests use ``make_server(store, bind, port,
cert, key)`` and ``server.start()``.

All state lives in the configuration store, so every master serves the same cluster:
- the model at ``/ovsdb/<type>/<guid>`` (docs/design.md);
- bearer tokens also get an index ``/ovsdb/index/bearertoken/<sha256 of the token>`` -> guid;
- tasks at ``/ovsdb/task/<id>``; they run in a thread of the API process that launched them;
- rate limits at ``/ovsdb/volatile/ratelimit/<view>/<client ip>``: cluster-wide, as the real
  limit (memcached shared by the masters) is.  If the store cannot be reached the call is
  not limited.  ``/api/oauth2/token/``: 5 calls a minute per client IP (failed calls
  included), the 6th gets 429 ``rate_limit_reached`` and every call in the next 60 s 429
  ``rate_limit_timeout``.  ``/api/``: 60 a minute, same rule.

Behaviour taken from the real framework (webapps/api) where the brief left a choice:
- missing trailing slash: 301 to the path with the slash (Django APPEND_SLASH); this comes
  before the Accept header check, as Django's CommonMiddleware runs first;
- unknown path: 404 ``not_found`` (Django answered an HTML 404; the emulator keeps the JSON
  error shape);
- no ``Authorization`` header: 403 ``missing_credentials`` (DRF answered 403); method not
  offered on a path: 405 ``method_not_allowed``;
- ``GET /api/tasks/<unknown id>/``: PENDING, as celery does;
- role codes of the group model may be ``ro``/``rw``/``manage``; they are read as the real
  ``read``/``write``/``manage``.
"""
from .server import Application, ApiServer, make_server

__all__ = ["Application", "ApiServer", "make_server"]
