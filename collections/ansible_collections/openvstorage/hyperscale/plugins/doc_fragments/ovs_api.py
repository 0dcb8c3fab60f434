# -*- coding: utf-8 -*-
# Copyright (c) 2025, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  api_host:
    description:
      - Address or name of a controller (master) that serves the Open vStorage API.
      - The API is reached at C(https://<api_host>:<api_port>/api/).
    type: str
    required: true
  api_port:
    description:
      - HTTPS port of the API (nginx in front of the API).
    type: int
    default: 443
  api_version:
    description:
      - API version sent in every C(Accept) header as C(application/json; version=<n>).
      - The framework accepts 6 to 10.
    type: int
    default: 9
    choices: [6, 7, 8, 9, 10]
  api_username:
    description:
      - User for the OAuth2 password grant (the first master creates C(admin)).
      - Mutually exclusive with O(api_client_id); one of both is required.
    type: str
  api_password:
    description:
      - Password of O(api_username).
    type: str
  api_client_id:
    description:
      - Client id for the OAuth2 client credentials grant (an API client made with C(POST /api/clients/)).
      - Mutually exclusive with O(api_username).
    type: str
  api_client_secret:
    description:
      - Secret of O(api_client_id), sent with HTTP Basic authentication to the token endpoint.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of the API.
      - Set O(ca_path) rather than turning this off when the cluster uses its own CA or a self-signed certificate.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) used to verify the API certificate.
    type: path
  api_timeout:
    description:
      - Timeout in seconds of each HTTP request.
      - A read (C(GET)) that times out, loses its connection or gets an HTTP 5xx answer is sent again after
        2, 4 and 8 seconds (at most 3 times, none started once 180 seconds have passed since the first attempt).
        Each retry is a warning, and the result counts them in C(api_retries). A write is never sent twice.
      - The playbooks of the collection set it from the inventory variable C(ovs_api_timeout).
    type: int
    default: 60
  api_token_cache:
    description:
      - File on the host that runs the module where the OAuth2 access token is cached, with its expiry.
      - The API allows 5 token requests per minute per IP address; the cached token is reused by every later
        task while it stays valid, so a whole play needs one token request per API and credentials.
      - The file is created with mode C(0600) in a C(0700) directory; entries are keyed by a SHA-256 hash of the
        API URL and the credentials, and hold only the token and its expiry.
    type: path
    default: ~/.cache/openvstorage.hyperscale/api_tokens.json
attributes:
  action_group:
    description:
      - Use C(group/openvstorage.hyperscale.ovs_api) in C(module_defaults) to give every API module of a play
        the same connection options (the playbooks of the collection do).
      - C(openvstorage.hyperscale.api) is the former name of the group, kept as an alias; it is deprecated and
        will be removed in 2.0.0.
    support: full
    membership:
      - openvstorage.hyperscale.ovs_api
      - openvstorage.hyperscale.api
notes:
  - The token is requested once and cached; a cached token that the API refuses (C(invalid_token),
    C(token_expired)) is dropped and replaced once.
  - Every read names the fields it uses (C(?contents=)), so the API computes no dynamic property that is not read.
  - The result of the module carries C(api_retries), the number of reads sent again.
'''
