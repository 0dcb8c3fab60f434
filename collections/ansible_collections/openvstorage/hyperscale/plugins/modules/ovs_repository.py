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

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_apt_source import AptSourceError, plan, validate
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import exit_with, ovs_module
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_host import install_file

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
    try:
        style, wanted, changes = plan(module, module.params)
    except AptSourceError as exc:
        module.fail_json(msg=exc.message, **exc.fields)
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
