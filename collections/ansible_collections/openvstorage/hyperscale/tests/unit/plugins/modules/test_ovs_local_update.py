# -*- coding: utf-8 -*-
"""ovs_local_update: versions read from dpkg and apt, ``ovs local_update`` and its exit codes, the framework
packages through apt with /etc/ready_for_upgrade, a release read through a private apt configuration."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_local_update
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, boxed, run_module

BINS = dict((name, '/usr/bin/' + name) for name in ('ovs', 'dpkg-query', 'apt-cache', 'apt-get'))
NOT_INSTALLED = (1, '', 'dpkg-query: no packages found matching openvstorage-hc\n')
POLICY = '{0}:\n  Installed: {1}\n  Candidate: {2}\n  Version table:\n *** {1} 100\n'


def dpkg(version):
    return (0, 'install ok installed\t{0}\n'.format(version), '')


class Node(FakeHost):
    """A node with installed packages and apt candidates; ``ovs local_update`` and apt move them."""

    def __init__(self, installed, candidates, ready_file):
        super(Node, self).__init__(BINS)
        self.installed, self.candidates, self.ready_file, self.ready_seen = dict(installed), candidates, ready_file, []
        self.answers.append((lambda argv: argv[0].endswith('dpkg-query'), self.dpkg_query))
        self.answers.append((lambda argv: argv[1] == 'policy', self.policy))
        self.answers.append((lambda argv: argv[1] == 'install', self.apt_install))

    def dpkg_query(self, argv, kwargs):
        name = argv[-1]
        return dpkg(self.installed[name]) if name in self.installed else NOT_INSTALLED

    def policy(self, argv, kwargs):
        name = argv[-1]
        return 0, POLICY.format(name, self.installed[name], self.candidates[name]), ''

    def apt_install(self, argv, kwargs):
        self.ready_seen.append(os.path.exists(self.ready_file))
        if not os.path.exists(self.ready_file):
            return 100, '', ('Please start update through GUI because all nodes in the cluster need to be updated '
                             'simultaneously!!!!!\ndpkg: error processing archive\n')
        for spec in argv[6:]:
            name, dummy, version = spec.partition('=')
            self.installed[name] = version
        return 0, 'Setting up openvstorage ({0}) ...\n'.format(self.installed.get('openvstorage')), ''


@pytest.fixture
def ready(tmp_path, monkeypatch):
    path = str(tmp_path / 'ready_for_upgrade')
    monkeypatch.setattr(ovs_local_update, 'READY_FILE', path)
    return path


FRAMEWORK = dict(openvstorage='2.7.20-1', **{'openvstorage-backend': '1.9.20-1'})
TARGETS = dict(openvstorage='2.7.21-1', **{'openvstorage-backend': '1.9.21-1'})


def test_framework_through_apt_with_the_ready_file_then_unchanged(ready):
    node = Node(FRAMEWORK, TARGETS, ready)
    status, result, dummy = run_module(ovs_local_update.main, dict(component='framework'), node, diff=True)
    assert status == 'exit' and result['changed'] is True, result
    assert result['pending'] == ['openvstorage', 'openvstorage-backend']
    assert result['diff'] == dict(before=FRAMEWORK, after=TARGETS)
    assert node.ready_seen == [True] and not os.path.exists(ready)  # created for the upgrade, removed after
    install = [c for c in node.calls if c[1] == 'install'][0]
    assert install[-2:] == ['openvstorage=2.7.21-1', 'openvstorage-backend=1.9.21-1']
    status, result, dummy = run_module(ovs_local_update.main, dict(component='framework'), node)
    assert status == 'exit' and result['changed'] is False and result['pending'] == []


def test_a_ready_file_already_there_stays(ready):
    open(ready, 'w').close()
    node = Node(FRAMEWORK, TARGETS, ready)
    assert run_module(ovs_local_update.main, dict(component='framework'), node)[0] == 'exit'
    assert os.path.exists(ready)


def test_check_mode_and_checked_report_without_change(ready):
    for args, check in ((dict(component='framework'), True), (dict(component='framework', state='checked'), False)):
        node = Node(FRAMEWORK, TARGETS, ready)
        status, result, dummy = run_module(ovs_local_update.main, args, node, check_mode=check)
        assert status == 'exit' and result['packages']['openvstorage'] == dict(installed='2.7.20-1',
                                                                              candidate='2.7.21-1')
        assert result['changed'] is check and 'diff' not in result
        assert not [c for c in node.calls if c[1] == 'install']


def test_downgrade_refused_before_any_change(ready):
    node = Node(dict(openvstorage='2.7.22-1'), dict(openvstorage='2.7.21-1'), ready)
    node.on(['policy', 'openvstorage'], (0, POLICY.format('openvstorage', '2.7.22-1', '2.7.21-1'), ''))
    status, result, dummy = run_module(ovs_local_update.main, dict(component='framework'), node)
    assert status == 'fail' and result['msg'] == ('Refusing to downgrade: framework: openvstorage 2.7.22-1 is '
                                                  'installed, the target has the older 2.7.21-1')
    assert not [c for c in node.calls if c[1] == 'install']


def test_alba_through_ovs_local_update(ready):
    node = Node(dict(alba='1.5.37-1'), dict(alba='1.5.38-1'), ready)

    def update(argv, kwargs):
        node.installed['alba'] = '1.5.38-1'
        return 0, 'Updating alba\n', ''
    node.on(['local_update', 'alba'], update)
    status, result, dummy = run_module(ovs_local_update.main, dict(component='alba'), node)
    assert status == 'exit' and result['changed'] is True and result['stdout_lines'] == ['Updating alba']


@pytest.mark.parametrize('rc, text, reason', [
    (3, 'An update is already in progress for component alba with identifier 42', 'already in progress'),
    (61, "Couldn't find arakoon master node after 10 attempts", 'no Arakoon master was found'),
    (62, 'Wrong alba version', 'the ALBA version is not the one expected'),
])
def test_local_update_exit_codes(ready, rc, text, reason):
    node = Node({'volumedriver-no-dedup-server': '6.16.0-1'}, {'volumedriver-no-dedup-server': '6.16.1-1'}, ready)
    node.on(['local_update', 'volumedriver'], (rc, boxed([text]), ''))
    status, result, dummy = run_module(ovs_local_update.main, dict(component='volumedriver'), node)
    assert status == 'fail' and result['msg'].startswith('ovs local_update volumedriver failed (rc {0}, '.format(rc)) and reason in result['msg'] and text in result['msg'], result


def test_exit_0_without_the_new_version_fails(ready):
    node = Node(dict(alba='1.5.37-1'), dict(alba='1.5.38-1'), ready)
    node.on(['local_update', 'alba'], (0, 'No update is required\n', ''))
    status, result, dummy = run_module(ovs_local_update.main, dict(component='alba'), node)
    assert status == 'fail' and result['msg'] == ('The update of alba ended but not every package is at its target: '
                                                  'alba is 1.5.37-1, its target 1.5.38-1')


MADISON = ('      alba | 1.5.38-1 | http://10.0.0.10/debian ginger/main amd64 Packages\n'
           '      alba | 1.5.37-1 | /var/lib/dpkg/status\n'
           'openvstorage-sdm | 1.9.21-1 | http://10.0.0.10/debian ginger/main amd64 Packages\n')
REPOSITORY = dict(url='http://10.0.0.10/debian', release='ginger')


def test_a_release_read_through_a_private_apt_configuration(ready):
    node = Node({'alba': '1.5.37-1', 'openvstorage-sdm': '1.9.20-1'}, {}, ready)
    node.answers.append((lambda argv: 'update' in argv, (0, 'Hit:1 http://10.0.0.10/debian ginger InRelease\n', '')))
    node.answers.append((lambda argv: 'madison' in argv, (0, MADISON, '')))
    status, result, dummy = run_module(ovs_local_update.main, dict(component='storage', state='checked',
                                                                   repository=REPOSITORY), node)
    assert status == 'exit' and result['packages'] == {'alba': dict(installed='1.5.37-1', candidate='1.5.38-1'),
                                                      'openvstorage-sdm': dict(installed='1.9.20-1',
                                                                               candidate='1.9.21-1')}
    update = [c for c in node.calls if 'update' in c][0]
    options = dict(update[i + 1].split('=', 1) for i, arg in enumerate(update) if arg == '-o')
    assert options['Dir::Etc::SourceList'].endswith('/sources.list') and options['Dir::Cache::pkgcache'] == ''
    assert not os.path.exists(os.path.dirname(options['Dir::Etc::SourceList']))  # removed after


def test_a_release_the_repository_does_not_have(ready):
    node = Node({'alba': '1.5.37-1'}, {}, ready)
    node.answers.append((lambda argv: 'update' in argv, (
        100, '', "E: The repository 'http://10.0.0.10/debian nosuch Release' does not have a Release file.\n")))
    status, result, dummy = run_module(ovs_local_update.main, dict(
        component='alba', state='checked', repository=dict(REPOSITORY, release='nosuch')), node)
    assert status == 'fail' and result['msg'] == (
        "The release nosuch of the repository http://10.0.0.10/debian cannot be read: E: The repository "
        "'http://10.0.0.10/debian nosuch Release' does not have a Release file.")


def test_a_repository_that_does_not_answer(ready):
    """apt-get update exits 0 then, with warnings (as apt of Debian bookworm does)."""
    node = Node({}, {}, ready)
    node.answers.append((lambda argv: 'update' in argv, (0, '', (
        'W: Failed to fetch http://10.0.0.10/debian/dists/ginger/InRelease  Could not connect to 10.0.0.10:80 '
        '(10.0.0.10). - connect (111: Connection refused)\nW: Some index files failed to download. They have been '
        'ignored, or old ones used instead.\n'))))
    status, result, dummy = run_module(ovs_local_update.main, dict(component='alba', state='checked',
                                                                   repository=REPOSITORY), node)
    assert status == 'fail' and result['msg'].startswith(
        'The release ginger of the repository http://10.0.0.10/debian cannot be read: W: Failed to fetch '
        'http://10.0.0.10/debian/dists/ginger/InRelease')


def test_repository_only_when_checking():
    status, result, dummy = run_module(ovs_local_update.main, dict(component='alba', repository=REPOSITORY),
                                       FakeHost(BINS))
    assert status == 'fail' and result['msg'].startswith('Invalid options: repository: only allowed with state=checked')
