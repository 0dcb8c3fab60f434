#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_local_update
short_description: Update one component of one Open vStorage node (rolling upgrade step)
version_added: 0.1.0
description:
  - Updates the packages of one component on this node only, the way the framework allows one node at a time.
  - V(alba) and V(volumedriver) run the framework's C(ovs local_update alba|volumedriver) (the volume driver update
    moves the vDisks and MDS masters of this node away before it restarts the volume driver, and back after).
    Exit code 3 (an update of the component is already in progress), 61 (no Arakoon master found) and 62 (wrong
    ALBA version) fail the module with the command's text.
  - V(framework) upgrades the installed C(openvstorage), C(openvstorage-backend) and C(openvstorage-hc) packages
    through apt; the packages refuse a manual upgrade unless C(/etc/ready_for_upgrade) exists, so the module creates
    that file for the upgrade and removes it after (it leaves one it did not create).
  - V(storage) upgrades the ASD manager (C(openvstorage-sdm)) and C(alba) packages of a storage node through apt
    (with the same file).
  - The target of each installed package of the component is its apt candidate, or with O(repository) the newest
    version of that release of the repository, read through a private apt configuration in a temporary directory
    (the node's own apt sources and lists are not touched), so a target can be checked before the node's apt
    source points at it. A package whose target is older than the installed version is refused (no downgrade).
  - O(state=checked) reports installed -> target per package and changes nothing.
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.attributes
options:
  component:
    description: The component to update on this node.
    type: str
    required: true
    choices: [alba, volumedriver, framework, storage]
  state:
    description: V(checked) reports; V(updated) updates the packages that are behind their target.
    type: str
    choices: [checked, updated]
    default: updated
  repository:
    description:
      - Read the targets from this release of the repository instead of the node's apt sources (only with
        O(state=checked)). A release the repository does not have fails the module, naming it.
    type: dict
    suboptions:
      url:
        description: Base URL of the repository.
        type: str
        required: true
      release:
        description: The release (suite).
        type: str
        required: true
      components:
        description: Components of the release.
        type: list
        elements: str
        default: [main]
      keyring:
        description: The repository's signing key on the node.
        type: path
        default: /etc/apt/keyrings/openvstorage.asc
notes:
  - Run it on one node at a time (C(serial 1)), with the cluster healthy before and after;
    C(playbooks/upgrade.yml) does, storage nodes first, then compute nodes, then controllers.
seealso:
  - module: openvstorage.hyperscale.ovs_update
'''

EXAMPLES = r'''
- name: Would the release ginger downgrade anything on this node?
  openvstorage.hyperscale.ovs_local_update:
    component: framework
    state: checked
    repository:
      url: http://172.30.250.10/debian
      release: ginger

- name: Update ALBA on this compute node, then its volume driver
  openvstorage.hyperscale.ovs_local_update:
    component: "{{ item }}"
  loop: [alba, volumedriver]
'''

RETURN = r'''
packages:
  description: The installed packages of the component with their installed version and their target (candidate).
  returned: always
  type: dict
  sample: {alba: {installed: 1.5.37-1, candidate: 1.5.38-1}}
pending:
  description: The packages behind their target (updated now, or to update in check mode and with O(state=checked)).
  returned: always
  type: list
  elements: str
stdout_lines:
  description: Output of C(ovs local_update) or of apt.
  returned: when the update ran
  type: list
  elements: str
'''

import os
import shutil
import tempfile

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import run_node_module
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_packages import (
    compare_versions,
    downgrades,
    package_diff,
    pending,
)

PACKAGES = {
    'alba': ['alba'],
    'volumedriver': ['volumedriver-no-dedup-server'],
    'framework': ['openvstorage', 'openvstorage-backend', 'openvstorage-hc'],
    'storage': ['openvstorage-sdm', 'alba'],
}
LOCAL_UPDATE = ('alba', 'volumedriver')
READY_FILE = '/etc/ready_for_upgrade'
LOCAL_UPDATE_CODES = {
    3: 'an update of this component is already in progress',
    61: 'no Arakoon master was found',
    62: 'the ALBA version is not the one expected',
}
APT_ENV = dict(DEBIAN_FRONTEND='noninteractive', LC_ALL='C')


class LocalUpdateError(Exception):
    """A refusal or a failed update of this node."""


def argument_spec():
    return dict(
        component=dict(type='str', required=True, choices=sorted(PACKAGES)),
        state=dict(type='str', choices=['checked', 'updated'], default='updated'),
        repository=dict(type='dict', options=dict(
            url=dict(type='str', required=True),
            release=dict(type='str', required=True),
            components=dict(type='list', elements='str', default=['main']),
            keyring=dict(type='path', default='/etc/apt/keyrings/openvstorage.asc'),
        )),
    )


def validate(params):
    if params['repository'] and params['state'] != 'checked':
        return ['repository: only allowed with state=checked (the update installs from the apt sources of the '
                'node; point them at the release first)']
    return []


def installed_versions(runner, names):
    """Version of each installed package of ``names`` (packages not installed are left out)."""
    versions = {}
    for name in names:
        rc, stdout, dummy = runner.run('dpkg-query', ['-W', '-f=${Status}\t${Version}\n', name], check=False)
        line = stdout.strip().splitlines()[-1] if rc == 0 and stdout.strip() else ''
        status, dummy, version = line.partition('\t')
        if status.endswith(' installed') and version:
            versions[name] = version
    return versions


def parse_candidate(stdout):
    for line in stdout.splitlines():
        key, dummy, value = line.strip().partition(':')
        if key == 'Candidate' and value.strip() not in ('', '(none)'):
            return value.strip()
    return None


def parse_madison(stdout):
    """The newest version ``apt-cache madison`` lists from a repository (not from the dpkg status)."""
    newest = None
    for line in stdout.splitlines():
        fields = [f.strip() for f in line.split('|')]
        if len(fields) >= 3 and '://' in fields[2]:
            if newest is None or compare_versions(fields[1], newest) > 0:
                newest = fields[1]
    return newest


class PrivateApt(object):
    """An apt configuration of its own in a temporary directory: one repository release, own lists."""

    def __init__(self, runner, repository):
        self.runner, self.repository = runner, repository
        self.root = tempfile.mkdtemp(prefix='ovs-local-update-')
        for sub in ('parts', 'lists/partial'):
            os.makedirs(os.path.join(self.root, sub))
        with open(os.path.join(self.root, 'sources.list'), 'w') as handle:
            handle.write('deb [signed-by={keyring}] {url} {release} {0}\n'.format(
                ' '.join(repository['components']), **repository))

    def options(self):
        settings = [('Dir::Etc::SourceList', os.path.join(self.root, 'sources.list')),
                    ('Dir::Etc::SourceParts', os.path.join(self.root, 'parts')),
                    ('Dir::State::Lists', os.path.join(self.root, 'lists')),
                    ('Dir::Cache::pkgcache', ''), ('Dir::Cache::srcpkgcache', ''), ('APT::Sandbox::User', 'root')]
        return [item for key, value in settings for item in ('-o', '{0}={1}'.format(key, value))]

    def targets(self, names):
        rc, stdout, stderr = self.runner.run('apt-get', self.options() + ['update'], check=False)
        # apt-get update exits 0 when a repository does not answer, with warnings only
        if rc != 0 or any(marker in stderr for marker in ('E: ', 'W: Failed to fetch', 'W: Some index files failed')):
            raise LocalUpdateError('The release {release} of the repository {url} cannot be read: {0}'.format(
                ' '.join(line.strip() for line in (stderr or stdout).splitlines() if line.startswith(('E:', 'W:')))
                or (stderr or stdout).strip()[-300:], **self.repository))
        dummy, stdout, dummy = self.runner.run('apt-cache', self.options() + ['madison'] + list(names), check=False)
        found = {}
        for name in names:
            version = parse_madison('\n'.join(l for l in stdout.splitlines() if l.split('|')[0].strip() == name))
            if version:
                found[name] = version
        return found

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


def read_table(runner, component, repository):
    """{package: {installed, candidate}} of the installed packages of ``component``."""
    installed = installed_versions(runner, PACKAGES[component])
    if repository:
        apt = PrivateApt(runner, repository)
        try:
            targets = apt.targets(sorted(installed))
        finally:
            apt.close()
        missing = sorted(set(installed) - set(targets))
        if missing:
            raise LocalUpdateError('The release {0} of the repository {1} has no package {2}'.format(
                repository['release'], repository['url'], ', '.join(missing)))
    else:
        targets = {}
        for name in sorted(installed):
            dummy, stdout, dummy = runner.run('apt-cache', ['policy', name], what='apt-cache policy ' + name)
            targets[name] = parse_candidate(stdout) or installed[name]
    return dict((name, dict(installed=installed[name], candidate=targets[name])) for name in installed)


def local_update(runner, component):
    """``ovs local_update <component>``; its output lines, or LocalUpdateError with its text and exit code."""
    rc, stdout, stderr = runner.run('ovs', ['local_update', component], check=False)
    if rc != 0:
        text = ' '.join(line.strip() for line in (stdout + '\n' + stderr).splitlines() if line.strip()
                        and not line.strip().startswith('+++++'))
        raise LocalUpdateError('ovs local_update {0} failed (rc {1}{2}): {3}'.format(
            component, rc, ', ' + LOCAL_UPDATE_CODES[rc] if rc in LOCAL_UPDATE_CODES else '', text[-800:]))
    return stdout.splitlines()


def apt_upgrade(runner, table):
    """Upgrade the packages to their targets with /etc/ready_for_upgrade present; apt's output lines."""
    created = not os.path.exists(READY_FILE)
    if created:
        open(READY_FILE, 'a').close()
    try:
        args = ['install', '-y', '--only-upgrade', '-o', 'Dpkg::Options::=--force-confold']
        args += ['{0}={1}'.format(name, versions['candidate']) for name, versions in sorted(table.items())]
        dummy, stdout, dummy = runner.run('apt-get', args, what='apt-get ' + ' '.join(args))
    finally:
        if created and os.path.exists(READY_FILE):
            os.remove(READY_FILE)
    return stdout.splitlines()


def run(module, runner):
    params = module.params
    table = read_table(runner, params['component'], params['repository'])
    behind = pending({'node': table}).get('node', {})
    result = dict(changed=False, packages=table, pending=sorted(behind), diff=package_diff(behind))
    lower = downgrades({params['component']: table})
    if lower:
        raise LocalUpdateError('Refusing to downgrade: {0}'.format('; '.join(lower)))
    if params['state'] == 'checked' or not behind:
        return result
    result['changed'] = True
    if module.check_mode:
        return result
    if params['component'] in LOCAL_UPDATE:
        result['stdout_lines'] = local_update(runner, params['component'])
    else:
        result['stdout_lines'] = apt_upgrade(runner, behind)
    after = installed_versions(runner, sorted(behind))
    late = ['{0} is {1}, its target {2}'.format(n, after.get(n), v['candidate']) for n, v in sorted(behind.items())
            if after.get(n) != v['candidate']]
    if late:
        raise LocalUpdateError('The update of {0} ended but not every package is at its target: {1}'.format(
            params['component'], '; '.join(late)))
    return result


def main():
    run_node_module(argument_spec(), run, refusals=(LocalUpdateError,), validate=validate, environ_update=APT_ENV)


if __name__ == '__main__':
    main()
