#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_node_facts
short_description: What the preflight checks on a node, read in one step
version_added: 0.1.0
description:
  - Reads the facts the preflight of a node needs, with Ansible's own fact collectors (the same values as
    C(ansible.builtin.setup) with the subsets C(distribution), C(user) and C(virtual)), and, with O(repository_url),
    asks the node whether it reaches the Open vStorage apt repository (a C(HEAD) of the release's C(InRelease)).
  - One connection per node instead of one per check; it changes nothing, also outside check mode.
  - Finds the Python of the node that has C(python-apt), which C(ansible.builtin.apt) needs (RV(ansible_facts.ovs_apt_python));
    the collection's package tasks run on it. A Python 2.7 interpreter without a Python 2 C(python-apt) (Debian 11 has
    none) otherwise makes C(ansible.builtin.apt) respawn itself on Python 3, which fails under ansible-core 2.16.
  - An unreachable repository does not fail the module; RV(repository) says what the node got, so that the caller
    can name the node and the URL.
  - With the repository answering, it also runs the check of M(openvstorage.hyperscale.ovs_repository) with the
    O(repository_url), O(repository_release) and C(repository_*) options, reading only; RV(repository.in_sync) tells
    the caller whether that module would change anything, so a node whose key and source are as wanted needs no
    second module run.
  - With O(packages), it reads which of them are installed (RV(packages)), so that a package task whose packages are
    all there can be skipped (filter P(openvstorage.hyperscale.packages_missing#filter)).
author:
  - Open vStorage HyperScale developers (@openvstorage)
attributes:
  check_mode:
    description: Reads only; the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so it has no diff.
    support: none
  facts:
    description: Returns C(ansible_facts).
    support: full
options:
  repository_url:
    description: Base URL of the OVS repository (or mirror) to probe; nothing is probed without it.
    type: str
  repository_release:
    description: The release (suite) whose C(dists/<release>/InRelease) is probed.
    type: str
    default: fargo
  repository_components:
    description: Components of the release (option O(openvstorage.hyperscale.ovs_repository#module:components)).
    type: list
    elements: str
    default: [main]
  repository_signing_key:
    description: The signing key (option O(openvstorage.hyperscale.ovs_repository#module:signing_key)).
    type: str
  repository_key_url:
    description: URL of the signing key (option O(openvstorage.hyperscale.ovs_repository#module:key_url)).
    type: str
  repository_keyring:
    description: Where the key is stored (option O(openvstorage.hyperscale.ovs_repository#module:keyring)).
    type: path
  repository_source_file:
    description: The source file (option O(openvstorage.hyperscale.ovs_repository#module:source_file)).
    type: path
  repository_format:
    description: The format of the source (option O(openvstorage.hyperscale.ovs_repository#module:format)).
    type: str
    choices: [auto, deb822, one_line]
    default: auto
  packages:
    description: Packages (names, or C(name=version)) whose installed versions RV(packages) reports.
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds to wait for the repository.
    type: int
    default: 10
seealso:
  - module: ansible.builtin.setup
'''

EXAMPLES = r'''
- name: Read the node and probe the repository
  openvstorage.hyperscale.ovs_node_facts:
    repository_url: http://apt.openvstorage.org
    repository_release: fargo
  register: node

- name: Stop when the repository does not answer
  ansible.builtin.fail:
    msg: "{{ node.repository.url }}: {{ node.repository.msg }}"
  when: node.repository.status != 200
'''

RETURN = r'''
ansible_facts:
  description: The facts of C(ansible.builtin.setup)'s subsets C(distribution), C(user) and C(virtual), and C(ovs_apt_python).
  returned: always
  type: dict
  sample: {distribution: Ubuntu, distribution_version: '16.04', distribution_major_version: '16', user_uid: 0,
           user_id: root, virtualization_type: kvm, virtualization_role: guest, ovs_apt_python: /usr/bin/python2.7}
  contains:
    ovs_apt_python:
      description:
        - The Python that runs the modules when it can import C(apt) (C(python-apt)); else the first of
          C(/usr/bin/python3), C(/usr/bin/python2.7) and C(/usr/bin/python2) that can and that ansible-core can run
          modules on (2.7, 3.6 or newer); else the Python that runs the modules.
      type: str
      sample: /usr/bin/python3
repository:
  description: The probe of the repository (an empty dict without O(repository_url)).
  returned: always
  type: dict
  contains:
    url:
      description: The URL probed.
      type: str
      sample: http://apt.openvstorage.org/dists/fargo/InRelease
    status:
      description: HTTP status, or -1 when the node got no answer.
      type: int
      sample: 200
    msg:
      description: What the node got.
      type: str
      sample: OK (1024 bytes)
    in_sync:
      description:
        - Whether the key and the source on the node are those M(openvstorage.hyperscale.ovs_repository) would write
          with the same options; V(false) also when the check could not be made (the repository did not answer,
          or the key could not be read; RV(repository.check_msg) says why).
      type: bool
      returned: with O(repository_url)
      sample: true
    changed_files:
      description: The files the repository task would write.
      type: list
      elements: str
      returned: with O(repository_url)
      sample: [/etc/apt/sources.list.d/openvstorage.sources]
    check_msg:
      description: Why the check could not be made.
      type: str
      returned: when the check could not be made
packages:
  description: The installed version of each package of O(packages) that is installed (C(install ok installed) or held).
  returned: always
  type: dict
  sample: {openvstorage-backend: 2.7.9-1, volumedriver-no-dedup-server: 6.18.0-1}
'''

from ansible.module_utils.facts.system.distribution import DistributionFactCollector
from ansible.module_utils.facts.system.user import UserFactCollector
from ansible.module_utils.facts.virtual.linux import LinuxVirtualCollector
from ansible.module_utils.urls import fetch_url
import os
import sys

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_apt_source import AptSourceError, plan
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import ovs_module
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_packages import installed_versions, spec_name

COLLECTORS = (DistributionFactCollector, UserFactCollector, LinuxVirtualCollector)
APT_PYTHONS = ('/usr/bin/python3', '/usr/bin/python2.7', '/usr/bin/python2')
# exit 0 when this Python imports python-apt and ansible-core can run modules on it (2.7, 3.6+)
APT_PROBE = 'import sys, apt; raise SystemExit(0 if sys.version_info[:2] == (2, 7) or sys.version_info[:2] >= (3, 6) else 1)'


def node_facts(module):
    """The facts of the collectors, each given what the previous ones found (as setup does)."""
    facts = {}
    for collector in COLLECTORS:
        facts.update(collector().collect(module=module, collected_facts=facts))
    return facts


def has_apt(module, python):
    """True when ``python`` (a path) imports python-apt and can run modules."""
    if python == sys.executable:
        try:
            import apt  # noqa: F401 pylint: disable=unused-import
        except ImportError:
            return False
        return True
    if not os.path.exists(python):
        return False
    return module.run_command([python, '-c', APT_PROBE])[0] == 0


def apt_python(module):
    """The Python the package tasks run ansible.builtin.apt on (see RETURN: ovs_apt_python)."""
    for python in (sys.executable,) + APT_PYTHONS:
        if has_apt(module, python):
            return python
    return sys.executable


def probe(module):
    """{url, status, msg} of a HEAD of the release's InRelease, as the node sees it."""
    url = '%s/dists/%s/InRelease' % (module.params['repository_url'].rstrip('/'), module.params['repository_release'])
    dummy, info = fetch_url(module, url, method='HEAD', timeout=module.params['timeout'])
    return dict(url=url, status=int(info.get('status', -1)), msg=info.get('msg', ''))


def repository_sync(module):
    """{in_sync, changed_files[, check_msg]}: the check of ovs_repository with the repository_* options."""
    params = module.params
    options = dict(url=params['repository_url'], release=params['repository_release'],
                   components=params['repository_components'], signing_key=params['repository_signing_key'],
                   key_url=params['repository_key_url'], keyring=params['repository_keyring'],
                   source_file=params['repository_source_file'], format=params['repository_format'],
                   timeout=params['timeout'])
    try:
        dummy, dummy, changes = plan(module, options)
    except AptSourceError as exc:
        return dict(in_sync=False, changed_files=[], check_msg=exc.message)
    return dict(in_sync=not changes, changed_files=[path for path, dummy, dummy in changes])


def repository_state(module):
    """The probe of the repository and, when it answers, the check of its key and source; {} without a URL."""
    if not module.params['repository_url']:
        return {}
    result = probe(module)
    if result['status'] == 200:
        result.update(repository_sync(module))
    else:
        result.update(in_sync=False, changed_files=[], check_msg='the repository did not answer')
    return result


def installed_packages(module):
    """{name: version} of the installed packages among the option packages (one dpkg-query)."""
    names = sorted(set(name for name in (spec_name(spec) for spec in module.params['packages']) if name))
    if not names:
        return {}
    dummy, out, dummy = module.run_command(['dpkg-query', '-W', '-f=${Package}\t${Version}\t${Status}\n'] + names)
    return installed_versions(out)  # an unknown name only makes dpkg-query exit 1


def validate(params):
    """Errors of the options (texts naming the option, the value and what is allowed)."""
    return ['timeout is %d: allowed is 1 or more seconds' % params['timeout']] if params['timeout'] < 1 else []


def main():
    module = ovs_module(dict(
        repository_url=dict(type='str'),
        repository_release=dict(type='str', default='fargo'),
        timeout=dict(type='int', default=10),
        repository_components=dict(type='list', elements='str', default=['main']),
        repository_signing_key=dict(type='str', no_log=False),
        repository_key_url=dict(type='str', no_log=False),
        repository_keyring=dict(type='path'),
        repository_source_file=dict(type='path'),
        repository_format=dict(type='str', choices=['auto', 'deb822', 'one_line'], default='auto'),
        packages=dict(type='list', elements='str', default=[]),
    ), validate=validate)
    repository = repository_state(module)
    facts = node_facts(module)
    facts['ovs_apt_python'] = apt_python(module)
    module.exit_json(changed=False, ansible_facts=facts, repository=repository, packages=installed_packages(module))


if __name__ == '__main__':
    main()
