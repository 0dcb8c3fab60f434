# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A backend of another Open vStorage cluster, linked into a GLOBAL backend (GeoScale).

* the ``cluster`` option of a link: that cluster's API and an API client of it (client credentials
  grant; the secret is ``no_log`` and never part of a message);
* its rules (``api_host`` an IPv4 address or a host name, ``api_port`` 1 to 65535);
* the address the link metadata carries: the framework checks ``backend_connection_info.host``
  against its IP rule, so a host name is resolved to an IPv4 address where the module runs;
* reads through that cluster's API with the collection's REST client, their failures turned into
  refusals that name the option, the value and what is allowed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import socket

from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.six import string_types

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import AlbaError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ipv4 import is_ipv4
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import (
    OvsApiClient,
    OvsApiError,
    OvsApiUnreachable,
)

# a DNS host name (RFC 1123 labels); a name of digits and dots only is a (wrong) address, not a name
HOST_NAME_RE = re.compile(r'^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$')
API_HOST_RULE = 'an IPv4 address or a host name of a controller of the remote cluster'
API_PORT_RULE = 'an integer from 1 to 65535'
# token answers that mean the client id or secret is wrong (400 invalid_client of the token endpoint)
REFUSED_CREDENTIALS = ('invalid_client', 'invalid_grant', 'unauthorized_client', 'invalid_request')


def cluster_option():
    """The ``cluster`` sub-option of a link: the API of the remote cluster and an API client of it."""
    return dict(type='dict', options=dict(
        api_host=dict(type='str', required=True),
        api_port=dict(type='int', default=443),
        client_id=dict(type='str', required=True),
        client_secret=dict(type='str', required=True, no_log=True),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
    ))


def api_host_problem(value):
    """Why ``value`` is no ``api_host`` of a remote cluster, or None."""
    if is_ipv4(value):
        return None
    if isinstance(value, string_types) and HOST_NAME_RE.match(value) and not re.match(r'^[0-9.]+$', value):
        return None
    return API_HOST_RULE


def cluster_errors(where, cluster):
    """Problems of one ``cluster`` option (``where`` names it), each naming the option, value and what is allowed."""
    errors = []
    if api_host_problem(cluster.get('api_host')):
        errors.append('{0}.api_host: {1!r} - allowed: {2}'.format(where, cluster.get('api_host'), API_HOST_RULE))
    port = cluster.get('api_port')
    if port is not None and not 1 <= port <= 65535:
        errors.append('{0}.api_port: {1} - allowed: {2}'.format(where, port, API_PORT_RULE))
    return errors


def link_address(where, cluster, resolve=None):
    """The IPv4 address of the remote API that the link metadata carries (``api_host``, resolved if a name)."""
    host = cluster['api_host']
    if is_ipv4(host):
        return host
    resolve = resolve or socket.gethostbyname
    try:
        address = resolve(host)
    except (socket.error, UnicodeError) as exc:
        raise AlbaError('{0}.api_host: {1!r} does not resolve to an IPv4 address here ({2}); allowed: {3} '
                        '(the framework stores an IPv4 address in the link)'.format(
                            where, host, to_native(exc), API_HOST_RULE))
    return address


class RemoteCluster(object):
    """The API of a remote cluster, read with the options of the module (``api_version``, ``api_timeout``,
    ``api_token_cache``) and the client of the link's ``cluster`` option."""

    def __init__(self, params, cluster, where, warn=None, client=None):
        self.cluster = cluster
        self.where = where
        self.host, self.port = cluster['api_host'], cluster['api_port']
        self.client = client or OvsApiClient(
            host=self.host, port=self.port, api_version=params['api_version'], client_id=cluster['client_id'],
            client_secret=cluster['client_secret'], validate_certs=cluster['validate_certs'],
            ca_path=cluster.get('ca_path'), timeout=params['api_timeout'], token_cache=params.get('api_token_cache'),
            warn=warn)

    @property
    def text(self):
        """``the remote cluster at <api_host>:<api_port>`` for messages."""
        return 'the remote cluster at {0}:{1}'.format(self.host, self.port)

    def read(self, function, *args, **kwargs):
        """``function(client, ...)`` with the failures of the remote API as refusals naming the options."""
        try:
            return function(self.client, *args, **kwargs)
        except OvsApiUnreachable as exc:
            raise AlbaError('{0}: the API of {1} is unreachable (api_host {2!r}, api_port {3}): {4}; allowed: the '
                            'address and HTTPS port of a controller of the remote cluster that the controller running '
                            'this module reaches'.format(self.where, self.text, self.host, self.port, exc.message))
        except OvsApiError as exc:
            if exc.status in (400, 401) and exc.error in REFUSED_CREDENTIALS:
                raise AlbaError('{0}.client_id: {1!r} - {2} refuses the client credentials (HTTP {3} {4}); allowed: '
                                'the client id and secret of an API client of the remote cluster (client credentials '
                                'grant)'.format(self.where, self.cluster['client_id'], self.text, exc.status,
                                                exc.error))
            if exc.status == 403:
                raise AlbaError('{0}.client_id: {1!r} - {2} refuses the reads of this API client (HTTP 403 {3}); '
                                'allowed: an API client of a user with the read role'.format(
                                    self.where, self.cluster['client_id'], self.text, exc.error))
            raise AlbaError('{0}: reading {1} failed: {2}'.format(self.where, self.text, exc.message))
