# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apt source and signing key of the Open vStorage repository as a node's apt reads them.

* :func:`plan` reads the key (given, or downloaded on the node), picks the format of the node's apt
  and compares the wanted keyring and source file with the node's: ``(format, wanted, changes)``;
* :func:`validate` checks the options;
* the options are a plain dict: ``url``, ``release``, ``components``, ``signing_key``, ``key_url``,
  ``format``, ``keyring``, ``source_file`` and ``timeout`` (the options of ``ovs_repository``).

``ovs_repository`` writes what :func:`plan` finds; ``ovs_node_facts`` (the preflight's one read of a
node) runs the same plan to tell whether the repository task has anything to do, so that a node whose
repository is as wanted costs no second module run. A problem is an :class:`AptSourceError`.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import re

from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible.module_utils.urls import fetch_url

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_host import read_bytes
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
ARMOUR = '-----BEGIN PGP PUBLIC KEY BLOCK-----'


class AptSourceError(Exception):
    """Why the wanted key or source cannot be known; ``fields`` go into the module's result."""

    def __init__(self, message, **fields):
        super(AptSourceError, self).__init__(message)
        self.message = message
        self.fields = fields


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


def apt_format(module, params):
    """The option, or for auto what the node's apt reads: deb822 from apt 1.1 on, else one_line."""
    if params.get('format', 'auto') != 'auto':
        return params['format']
    rc, out, err = module.run_command(['dpkg-query', '-W', '-f=${Version}', 'apt'])
    if rc != 0 or not out.strip():
        raise AptSourceError('Cannot tell the version of apt on this node (dpkg-query exit code %d: %s); '
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
    body = lines[lines.index(ARMOUR) + 1:]
    if '' in body:  # armour headers (Version: ...) end at the first empty line
        body = body[body.index('') + 1:]
    data = [line for line in body if not line.startswith(('=', '-----'))]
    return base64.b64decode(''.join(data))


def signing_key(module, params):
    """The key: the option, or read from key_url on the node."""
    if params.get('signing_key'):
        text = params['signing_key']
    else:
        url = params.get('key_url') or params['url'].rstrip('/') + '/openvstorage.asc'
        response, info = fetch_url(module, url, timeout=params['timeout'])
        if info.get('status') != 200 or response is None:
            raise AptSourceError('The signing key of the OVS repository could not be read from %s (status %s: %s): '
                                 'check the URL and that this node reaches the repository'
                                 % (url, info.get('status'), info.get('msg')), url=url, status=info.get('status'))
        text = to_native(response.read(), errors='surrogate_or_strict')
    if ARMOUR not in text:
        raise AptSourceError('The signing key of the OVS repository is not an ASCII armoured public key '
                             '(no %s line)' % ARMOUR)
    return text if text.endswith('\n') else text + '\n'


def wanted_files(module, params):
    """(format, [(path, bytes)]) of the key and the source as this node's apt reads them."""
    style = apt_format(module, params)
    keyring = params.get('keyring') or PATHS[style][0]
    key = signing_key(module, params)
    if style == 'one_line':
        try:
            key = dearmor(key)
        except (TypeError, ValueError) as exc:
            raise AptSourceError('The signing key of the OVS repository cannot be decoded: %s' % exc)
    return style, [(keyring, to_bytes(key)),
                   (params.get('source_file') or PATHS[style][1], to_bytes(source_text(params, style, keyring)))]


def plan(module, params):
    """(format, wanted, changes): wanted is [(path, bytes)] of the keyring and the source file, changes the
    [(path, bytes on the node or None, wanted bytes)] of those that differ. Reads only."""
    style, wanted = wanted_files(module, params)
    current = [(path, read_bytes(path), data) for path, data in wanted]
    return style, wanted, [change for change in current if change[1] != change[2]]
