#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_repository
short_description: The apt source and signing key of the Open vStorage repository, in one step
version_added: 0.1.0
description:
  - Writes the signing key of the Open vStorage apt repository (or of a mirror of it) to O(keyring) and a deb822
    source that names it (C(Signed-By)) to O(source_file), and refreshes the package lists when either changed.
  - The key is O(signing_key) when given, else it is read from O(key_url) on the node (the node must reach the
    repository anyway); a key that differs from the stored one (a rotated key) is written again.
  - One task and one connection per node; a node whose key and source are as wanted reports no change and runs no
    command.
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.attributes
options:
  url:
    description: Base URL of the repository or of a mirror of it, C(http://) or C(https://).
    type: str
    required: true
  release:
    description: The release (suite) of the repository, for example C(fargo).
    type: str
    required: true
  components:
    description: Components of the release.
    type: list
    elements: str
    default: [main]
  signing_key:
    description: The ASCII armoured signing key itself; when set, nothing is downloaded.
    type: str
  key_url:
    description: URL of the ASCII armoured signing key, read when O(signing_key) is not set; default C(<url>/openvstorage.asc).
    type: str
  keyring:
    description: Where the key is stored on the node.
    type: path
    default: /etc/apt/keyrings/openvstorage.asc
  source_file:
    description: The deb822 source file of the repository.
    type: path
    default: /etc/apt/sources.list.d/openvstorage.sources
  update_cache:
    description: Run C(apt-get update) when the key or the source changed.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for the key download.
    type: int
    default: 30
notes:
  - The deb822 format and C(Signed-By) need apt 1.1 or newer (Ubuntu 16.04, Debian 9 and later).
seealso:
  - module: ansible.builtin.deb822_repository
'''

EXAMPLES = r'''
- name: Configure the OVS apt repository
  openvstorage.hyperscale.ovs_repository:
    url: http://apt.openvstorage.org
    release: fargo

- name: A mirror with the key given in the inventory
  openvstorage.hyperscale.ovs_repository:
    url: http://mirror.example.com/openvstorage
    release: fargo
    signing_key: "{{ ovs_repository_key }}"
'''

RETURN = r'''
key_changed:
  description: Whether the key was (or in check mode would be) written.
  returned: always
  type: bool
source_changed:
  description: Whether the source file was (or in check mode would be) written.
  returned: always
  type: bool
cache_updated:
  description: Whether C(apt-get update) ran.
  returned: always
  type: bool
source:
  description: The content of the source file.
  returned: always
  type: str
  sample: "Types: deb\nURIs: http://apt.openvstorage.org\nSuites: fargo\nComponents: main\nSigned-By: /etc/apt/keyrings/openvstorage.asc\n"
'''

import re

from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.urls import fetch_url

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import exit_with, ovs_module
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_host import install_file, read_file

HEADER = '# Managed by openvstorage.hyperscale (role repository): changes here are overwritten.\n'
URL = re.compile(r'^https?://[^/\s]+')

ARGUMENT_SPEC = dict(
    url=dict(type='str', required=True),
    release=dict(type='str', required=True),
    components=dict(type='list', elements='str', default=['main']),
    signing_key=dict(type='str', no_log=False),
    key_url=dict(type='str', no_log=False),
    keyring=dict(type='path', default='/etc/apt/keyrings/openvstorage.asc'),
    source_file=dict(type='path', default='/etc/apt/sources.list.d/openvstorage.sources'),
    update_cache=dict(type='bool', default=True),
    timeout=dict(type='int', default=30),
)


def validate(params):
    """Errors of the options (texts naming the option, the value and what is allowed)."""
    errors = []
    for name in ('url', 'key_url'):
        value = params.get(name)
        if value is not None and not URL.match(value):
            errors.append("%s is '%s': allowed is an http:// or https:// URL with a host" % (name, value))
    if not re.match(r'^[A-Za-z0-9][A-Za-z0-9._/-]*$', params['release']):
        errors.append("release is '%s': allowed is a suite name such as 'fargo'" % params['release'])
    if not params['components'] or any(not re.match(r'^[A-Za-z0-9._-]+$', c) for c in params['components']):
        errors.append('components is %s: allowed is a non-empty list of component names such as main'
                      % params['components'])
    if params['timeout'] < 1:
        errors.append('timeout is %d: allowed is 1 or more seconds' % params['timeout'])
    return errors


def source_text(params):
    """The deb822 source of the repository."""
    return HEADER + ''.join('%s: %s\n' % pair for pair in (
        ('Types', 'deb'),
        ('URIs', params['url']),
        ('Suites', params['release']),
        ('Components', ' '.join(params['components'])),
        ('Signed-By', params['keyring']),
    ))


def signing_key(module):
    """The key: the option, or read from key_url (fails the module naming the URL when it cannot be read)."""
    params = module.params
    if params['signing_key']:
        text = params['signing_key']
    else:
        url = params['key_url'] or params['url'].rstrip('/') + '/openvstorage.asc'
        response, info = fetch_url(module, url, timeout=params['timeout'])
        if info.get('status') != 200 or response is None:
            module.fail_json(msg='The signing key of the OVS repository could not be read from %s (status %s: %s): '
                                 'check the URL and that this node reaches the repository'
                             % (url, info.get('status'), info.get('msg')), url=url, status=info.get('status'))
        text = to_native(response.read(), errors='surrogate_or_strict')
    if 'BEGIN PGP PUBLIC KEY BLOCK' not in text:
        module.fail_json(msg='The signing key of the OVS repository is not an ASCII armoured public key '
                             '(no BEGIN PGP PUBLIC KEY BLOCK line)')
    return text if text.endswith('\n') else text + '\n'


def plan(params, key):
    """[(path, before, after)] of the files that differ from what is wanted."""
    wanted = ((params['keyring'], key), (params['source_file'], source_text(params)))
    return [(path, read_file(path), text) for path, text in wanted if read_file(path) != text]


def apply(module, changes):
    """Write the files that differ; refresh the package lists when asked. Whether apt-get update ran."""
    for path, _before, after in changes:
        install_file(module, path, after)
    if not (changes and module.params['update_cache']):
        return False
    rc, out, err = module.run_command(['apt-get', 'update'])
    if rc != 0:
        module.fail_json(msg='apt-get update failed after the OVS repository was configured (exit code %d): %s'
                         % (rc, (err or out).strip()), rc=rc, stdout=out, stderr=err)
    return True


def main():
    module = ovs_module(ARGUMENT_SPEC, validate=validate)
    params = module.params
    changes = plan(params, signing_key(module))
    changed_paths = [path for path, _before, _after in changes]
    updated = False if module.check_mode else apply(module, changes)
    exit_with(module, dict(
        changed=bool(changes),
        key_changed=params['keyring'] in changed_paths,
        source_changed=params['source_file'] in changed_paths,
        cache_updated=updated,
        source=source_text(params),
        diff=[dict(before_header=path, after_header=path, before=before or '', after=after)
              for path, before, after in changes],
    ))


if __name__ == '__main__':
    main()
