"""OAuth 2 of the framework API: the token view, bearer authentication, rate limits.

Rate limits are kept in the configuration store (``/ovsdb/volatile/ratelimit/...``), so they
hold across all masters as the real one (memcached, shared by the masters) does.
"""
import base64
import binascii
import logging
import random
import string
import threading
import time
from urllib.parse import quote

from ..store import StoreError
from . import errors
from .model import role_codes, sha256

LOG = logging.getLogger("ovs_emulator.webapi.auth")

EXPIRATION_USER = 60 * 60 * 12
EXPIRATION_CLIENT = 60 * 60
TOKEN_CHARS = string.ascii_letters + string.digits + "|_=+*#@!/-[]{}<>.?,;:~"
RATELIMIT_ROOT = "/ovsdb/volatile/ratelimit"
TOKEN_INDEX = "/ovsdb/index/bearertoken"

_LOCK = threading.Lock()
_RANDOM = random.SystemRandom()


def create_hash(length):
    return "".join(_RANDOM.choice(TOKEN_CHARS) for _ in range(length))


def rate_limit(store, name, client_ip, amount, per, timeout, now=None):
    """Count one call of ``name`` from ``client_ip``; raise 429 past ``amount`` per ``per`` s.

    Without a reachable store the call is not limited (the real limit lives in memcached,
    which does not depend on the configuration store)."""
    now = time.time() if now is None else now
    key = f"{RATELIMIT_ROOT}/{name}/{quote(client_ip, safe='')}"
    with _LOCK:
        try:
            _count(store, key, now, amount, per, timeout)
        except StoreError as exc:
            LOG.warning("Rate limit of %s not applied: %s", name, exc)


def _count(store, key, now, amount, per, timeout):
    info = store.get(key) or {}
    calls = info.get("calls", [])
    active_timeout = info.get("timeout")
    if active_timeout is not None:
        if active_timeout > now:
            raise errors.too_many(
                "rate_limit_timeout",
                f"Rate limit timeout ({round(float(active_timeout - now), 2)}s remaining)")
        active_timeout = None
    calls = [call for call in calls if call > now - per] + [now]
    if len(calls) > amount:
        store.set(key, {"calls": calls, "timeout": now + timeout})
        raise errors.too_many("rate_limit_reached",
                              f"Rate limit reached ({len(calls)} in last {per}s)")
    store.set(key, {"calls": calls, "timeout": active_timeout})


def _index_key(access_token):
    return f"{TOKEN_INDEX}/{sha256(access_token)}"


def find_token(model, access_token):
    guid = model.store.get(_index_key(access_token))
    token = model.get("bearertoken", guid) if isinstance(guid, str) else None
    if token is None or token.get("access_token") != access_token:
        return None
    return token


def delete_token(model, token):
    model.delete("bearertoken", token["guid"])
    if token.get("access_token"):
        model.store.delete(_index_key(token["access_token"]))


def _issue(model, client, expires_in):
    token = {"access_token": create_hash(64),
             "expiration": int(time.time() + expires_in),
             "client_guid": client["guid"],
             "roles": model.client_roles(client)}
    model.save("bearertoken", token)
    model.store.set(_index_key(token["access_token"]), token["guid"])
    _clean_tokens(model, client)
    return {"access_token": token["access_token"], "token_type": "bearer",
            "expires_in": expires_in}


def _clean_tokens(model, client):
    now = time.time()
    for token in model.find("bearertoken", client_guid=client["guid"]):
        if token.get("expiration", 0) < now:
            delete_token(model, token)


def token_view(model, form, authorization):
    """``POST /api/oauth2/token/`` (the rate limit is applied by the caller)."""
    oauth = model.store.get("/ovs/framework/api/oauth") or {}
    expiration_user = oauth.get("expiration_user", EXPIRATION_USER)
    expiration_client = oauth.get("expiration_client", EXPIRATION_CLIENT)
    if "grant_type" not in form:
        raise errors.bad_request("invalid_request", "No grant type specified")
    grant_type = form["grant_type"]
    if grant_type == "password":
        if "username" not in form or "password" not in form:
            raise errors.bad_request("invalid_request", "Invalid request")
        user = model.find_one("user", username=form["username"])
        if user is None or user.get("password") != sha256(form["password"]):
            raise errors.bad_request("invalid_client", "Invalid client")
        if user.get("is_active") is False:
            raise errors.bad_request("inactive_user", "User is inactive")
        clients = [client for client in model.find("client", user_guid=user["guid"])
                   if client.get("ovs_type") == "INTERNAL" and client.get("grant_type") == "PASSWORD"]
        if len(clients) != 1:
            raise errors.bad_request("unauthorized_client", "Client is unauthorized")
        return _issue(model, clients[0], expiration_user)
    if grant_type == "client_credentials":
        if not authorization:
            raise errors.bad_request("missing_header", "Authorization header missing")
        try:
            _, encoded = authorization.split(" ", 1)
            client_id, client_secret = base64.b64decode(encoded.strip()).decode().split(":", 1)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise errors.bad_request("invalid_client", "Error loading client") from None
        client = model.get("client", client_id)
        if client is None:
            raise errors.bad_request("invalid_client", "Client could not be found")
        if client.get("grant_type") != "CLIENT_CREDENTIALS":
            raise errors.bad_request("invalid_grant", "The given grant type is not supported")
        if client.get("client_secret") != client_secret:
            raise errors.bad_request("invalid_client", "Invalid client")
        user = model.get("user", client.get("user_guid"))
        if user is None or user.get("is_active") is False:
            raise errors.bad_request("inactive_user", "User is inactive")
        return _issue(model, client, expiration_client)
    raise errors.bad_request("unsupported_grant_type", "Unsupported grant type")


def authenticate(model, authorization):
    """(client, token, user) of a ``Bearer`` header, or None without header; raises 401."""
    if not authorization:
        return None
    parts = authorization.split(" ")
    if len(parts) != 2 or parts[0] != "Bearer":
        raise errors.unauthorized("invalid_authorization_type",
                                  "Invalid authorization type specified")
    token = find_token(model, parts[1])
    if token is None:
        raise errors.unauthorized("invalid_token", "Invalid token passed")
    if token.get("expiration", 0) < time.time():
        delete_token(model, token)
        raise errors.unauthorized("token_expired", "The token passed is expired")
    client = model.get("client", token.get("client_guid"))
    user = model.get("user", client.get("user_guid")) if client else None
    if client is None or user is None:
        raise errors.unauthorized("invalid_token", "Invalid token passed")
    if user.get("is_active") is False:
        raise errors.unauthorized("inactive_user", "Inactive user")
    return client, token, user


def token_roles(model, token, client):
    if "roles" in token:
        return role_codes(token["roles"])
    return model.client_roles(client)
