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
  - Writes the signing key of the Open vStorage apt repository (or of a mirror of it) to O(keyring) and a source
    of the repository to O(source_file), in the format the node's apt reads (O(format)), and refreshes the package
    lists when either changed.
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
  format:
    description:
      - How apt is told about the repository. V(deb822) writes the ASCII armoured key to O(keyring) and a deb822
        source that names it (C(Signed-By)), which apt reads from 1.1 on (Ubuntu 16.04, Debian 9 and later).
        V(one_line) writes a one-line C(deb) source and the key as a binary keyring into C(/etc/apt/trusted.gpg.d),
        which apt 1.0 (Ubuntu 14.04) reads. V(auto) picks by the version of the node's apt package.
    type: str
    choices: [auto, deb822, one_line]
    default: auto
  keyring:
    description:
      - Where the key is stored on the node; default C(/etc/apt/keyrings/openvstorage.asc) (deb822) or
        C(/etc/apt/trusted.gpg.d/openvstorage.gpg) (one_line).
    type: path
  source_file:
    description:
      - The source file of the repository; default C(/etc/apt/sources.list.d/openvstorage.sources) (deb822) or
        C(/etc/apt/sources.list.d/openvstorage.list) (one_line).
    type: path
  update_cache:
    description: Run C(apt-get update) when the key or the source changed.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for the key download.
    type: int
    default: 30
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
format:
  description: The format written, V(deb822) or V(one_line) (what V(auto) chose).
  returned: always
  type: str
  sample: deb822
keyring:
  description: The path of the key on the node.
  returned: always
  type: str
  sample: /etc/apt/keyrings/openvstorage.asc
source_file:
  description: The path of the source file on the node.
  returned: always
  type: str
  sample: /etc/apt/sources.list.d/openvstorage.sources
source:
  description: The content of the source file.
  returned: always
  type: str
  sample: "Types: deb\nURIs: http://apt.openvstorage.org\nSuites: fargo\nComponents: main\nSigned-By: /etc/apt/keyrings/openvstorage.asc\n"
'''

import base64
import re

from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible.module_utils.urls import fetch_url

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import exit_with, ovs_module
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_host import install_file, read_bytes
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_packages import compare_versions

HEADER = '# Managed by openvstorage.hyperscale (role repository): changes here are overwritten.\n'
URL = re.compile(r'^https?://[^/\s]+')
# apt reads deb822 sources and Signed-By from 1.1 on; older apt (Ubuntu 14.04: 1.0) reads one-line sources
# and trusts the binary keyrings of /etc/apt/trusted.gpg.d
DEB822_APT = '1.1'
PATHS = {
    'deb822': ('/etc/apt/keyrings/openvstorage.asc', '/etc/apt/sources.list.d/openvstorage.sources'),
    'one_line': ('/etc/apt/trusted.gpg.d/openvstorage.gpg', '/etc/apt/sources.list.d/openvstorage.list'),
}

ARGUMENT_SPEC = dict(
    url=dict(type='str', required=True),
    release=dict(type='str', required=True),
    components=dict(type='list', elements='str', default=['main']),
    signing_key=dict(type='str', no_log=False),
    key_url=dict(type='str', no_log=False),
    format=dict(type='str', choices=['auto', 'deb822', 'one_line'], default='auto'),
    keyring=dict(type='path'),
    source_file=dict(type='path'),
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


def apt_format(module):
    """The option, or for auto what the node's apt reads: deb822 from apt 1.1 on, else one_line."""
    if module.params['format'] != 'auto':
        return module.params['format']
    rc, out, err = module.run_command(['dpkg-query', '-W', '-f=${Version}', 'apt'])
    if rc != 0 or not out.strip():
        module.fail_json(msg='Cannot tell the version of apt on this node (dpkg-query exit code %d: %s); '
                             'set format to deb822 or one_line' % (rc, (err or out).strip()))
    return 'deb822' if compare_versions(out.strip(), DEB822_APT) >= 0 else 'one_line'


def source_text(params, style, keyring):
    """The source of the repository in the format apt reads."""
    if style == 'one_line':
        return HEADER + 'deb %s %s %s\n' % (params['url'], params['release'], ' '.join(params['components']))
    return HEADER + ''.join('%s: %s\n' % pair for pair in (
        ('Types', 'deb'),
        ('URIs', params['url']),
        ('Suites', params['release']),
        ('Components', ' '.join(params['components'])),
        ('Signed-By', keyring),
    ))


def dearmor(text):
    """The binary OpenPGP packets of an ASCII armoured key (what gpg --dearmor writes)."""
    lines = [line.strip() for line in text.strip().splitlines()]
    body = lines[lines.index('-----BEGIN PGP PUBLIC KEY BLOCK-----') + 1:]
    if '' in body:  # armour headers (Version: ...) end at the first empty line
        body = body[body.index('') + 1:]
    data = [line for line in body if not line.startswith(('=', '-----'))]
    return base64.b64decode(''.join(data))


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
    if '-----BEGIN PGP PUBLIC KEY BLOCK-----' not in text:
        module.fail_json(msg='The signing key of the OVS repository is not an ASCII armoured public key '
                             '(no -----BEGIN PGP PUBLIC KEY BLOCK----- line)')
    return text if text.endswith('\n') else text + '\n'


def wanted_files(module):
    """(format, [(path, bytes)]) of the key and the source as this node's apt reads them."""
    params = module.params
    style = apt_format(module)
    keyring = params['keyring'] or PATHS[style][0]
    key = signing_key(module)
    if style == 'one_line':
        try:
            key = dearmor(key)
        except (TypeError, ValueError) as exc:
            module.fail_json(msg='The signing key of the OVS repository cannot be decoded: %s' % exc)
    return style, [(keyring, to_bytes(key)),
                   (params['source_file'] or PATHS[style][1], to_bytes(source_text(params, style, keyring)))]


def shown(data):
    """A file's bytes for --diff: its text, or its size when binary."""
    if data is None:
        return ''
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return '<binary keyring, %d bytes>\n' % len(data)


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
    style, wanted = wanted_files(module)
    current = [(path, read_bytes(path), data) for path, data in wanted]
    changes = [change for change in current if change[1] != change[2]]
    changed_paths = [path for path, _before, _after in changes]
    updated = False if module.check_mode else apply(module, changes)
    exit_with(module, dict(
        changed=bool(changes),
        format=style,
        keyring=wanted[0][0],
        source_file=wanted[1][0],
        key_changed=wanted[0][0] in changed_paths,
        source_changed=wanted[1][0] in changed_paths,
        cache_updated=updated,
        source=to_native(wanted[1][1]),
        diff=[dict(before_header=path, after_header=path, before=shown(before), after=shown(after))
              for path, before, after in changes],
    ))


if __name__ == '__main__':
    main()
