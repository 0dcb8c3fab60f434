# -*- coding: utf-8 -*-
"""ovs_node_facts on this machine: the same facts as ansible.builtin.setup's subsets distribution, user and
virtual (compared with setup's own answer), and the probe of a repository served on 127.0.0.1."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_node_facts, ovs_repository
from ansible_collections.openvstorage.hyperscale.tests.unit.http_files import FileServer
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, run_module

SUBSETS = ('distribution', 'user', 'virtual')


@pytest.fixture(scope='module')
def repository():
    srv = FileServer({'/debian/dists/fargo/InRelease': u'-----BEGIN PGP SIGNED MESSAGE-----\n'})
    yield srv
    srv.close()


def real_command(argv, kwargs):
    """The command run on this machine (dpkg-query: the real answers of this Debian machine's dpkg)."""
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    return done.returncode, done.stdout, done.stderr


class ThisMachine(FakeHost):
    """The test's machine: dpkg-query runs for real; its Pythons other than the test's own answer that they have
    python-apt."""

    def __init__(self):
        super(ThisMachine, self).__init__()
        self.on(['-c', ovs_node_facts.APT_PROBE], (0, '', ''))
        self.answers.append((lambda argv: argv[0] == 'dpkg-query', real_command))


def run(**options):
    """The module on this machine."""
    return run_module(ovs_node_facts.main, options, ThisMachine())


def setup_facts():
    """ansible.builtin.setup with the subsets the preflight used, run by ansible on this machine (its default
    output: ``localhost | SUCCESS => {...}``; the json callback is not in ansible-core before 2.19's)."""
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')
    done = subprocess.run([ansible, 'localhost', '-c', 'local', '-m', 'ansible.builtin.setup', '-a',
                           'gather_subset=!all,!min,' + ','.join(SUBSETS)],
                          stdout=subprocess.PIPE, universal_newlines=True, check=True, cwd='/',  # no ansible.cfg
                          env=dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_CALLBACK_RESULT_FORMAT='json'))
    return json.loads(done.stdout.split('=>', 1)[1])['ansible_facts']


def test_the_facts_are_those_of_setup():
    status, result, dummy = run()
    assert status == 'exit' and result['changed'] is False and result['repository'] == {}, result
    facts = result['ansible_facts']
    expected = setup_facts()
    for name in ('distribution', 'distribution_version', 'distribution_major_version', 'distribution_release',
                 'os_family', 'user_uid', 'user_id', 'virtualization_type', 'virtualization_role'):
        assert facts[name] == expected['ansible_' + name], name


def test_a_reachable_repository_answers_200(repository):
    status, result, dummy = run(repository_url=repository.url + '/debian/', repository_release='fargo')
    probe = dict((key, result['repository'][key]) for key in ('url', 'status', 'msg'))
    assert probe == dict(url=repository.url + '/debian/dists/fargo/InRelease', status=200,
                         msg=result['repository']['msg']), result
    assert ('HEAD', '/debian/dists/fargo/InRelease') in repository.requests


def test_an_unknown_release_is_a_404_not_a_failure(repository):
    status, result, dummy = run(repository_url=repository.url + '/debian', repository_release='nosuch')
    assert status == 'exit' and result['repository']['status'] == 404, result


def test_no_answer_is_status_minus_one(repository):
    closed = FileServer()
    url = closed.url
    closed.close()
    status, result, dummy = run(repository_url=url, timeout=2)
    assert status == 'exit' and result['repository']['status'] == -1 and result['repository']['msg'], result


def test_a_timeout_below_one_is_refused():
    status, result, dummy = run(timeout=0)
    assert status == 'fail' and 'timeout is 0' in result['msg'], result


class Node(object):
    """run_command of a node whose Pythons in ``with_apt`` import python-apt; records the probes."""

    def __init__(self, with_apt):
        self.with_apt, self.probed = with_apt, []

    def run_command(self, argv):
        self.probed.append(argv[0])
        assert argv[1:] == ['-c', ovs_node_facts.APT_PROBE]
        return (0 if argv[0] in self.with_apt else 1), '', ''


@pytest.fixture
def node_pythons(monkeypatch):
    """The node runs the modules on /usr/bin/python2.7 (without python-apt); these Pythons exist."""
    monkeypatch.setattr(ovs_node_facts.sys, 'executable', '/usr/bin/python2.7')
    monkeypatch.setattr(ovs_node_facts.os.path, 'exists', lambda path: path in ('/usr/bin/python3', '/usr/bin/python2.7'))
    monkeypatch.setitem(sys.modules, 'apt', None)  # import apt fails in the module's own Python


def test_the_apt_python_of_a_debian_11_node_is_its_python3(node_pythons):
    node = Node(with_apt=('/usr/bin/python3',))
    assert ovs_node_facts.apt_python(node) == '/usr/bin/python3'
    assert node.probed == ['/usr/bin/python3']


def test_without_python_apt_anywhere_the_module_python_is_kept(node_pythons):
    node = Node(with_apt=())
    assert ovs_node_facts.apt_python(node) == '/usr/bin/python2.7'
    assert node.probed == ['/usr/bin/python3']  # python2.7 is the module's own Python: imported, not probed


def test_a_python_that_imports_apt_itself_is_not_probed(monkeypatch):
    monkeypatch.setattr(ovs_node_facts.sys, 'executable', '/usr/bin/python2.7')
    monkeypatch.setitem(sys.modules, 'apt', object())
    node = Node(with_apt=())
    assert ovs_node_facts.apt_python(node) == '/usr/bin/python2.7' and node.probed == []


def test_the_facts_name_the_apt_python():
    status, result, dummy = run()
    assert status == 'exit' and result['ansible_facts']['ovs_apt_python'], result


# ------------------------------------------------------------------ what the repository and package tasks need

KEY = u'-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGaaaaAA\nxsFN\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n'


@pytest.fixture
def keyed(tmp_path):
    """A repository with its InRelease and key, and where the node keeps key and source (temporary paths)."""
    srv = FileServer({'/debian/dists/fargo/InRelease': u'-----BEGIN PGP SIGNED MESSAGE-----\n',
                      '/debian/openvstorage.asc': KEY})
    srv.url += '/debian'
    paths = dict(keyring=str(tmp_path / 'openvstorage.asc'), source_file=str(tmp_path / 'openvstorage.sources'))
    yield srv, paths
    srv.close()


def sync(srv, paths, **extra):
    """The repository part of the module's answer, with the options the preflight gives."""
    options = dict(repository_url=srv.url, repository_release='fargo', repository_keyring=paths['keyring'],
                   repository_source_file=paths['source_file'], repository_format='deb822')
    options.update(extra)
    status, result, dummy = run(**options)
    assert status == 'exit' and result['changed'] is False, result
    return result['repository']


def configure(srv, paths):
    """ovs_repository writes the key and the source as the repository role does (apt-get update faked)."""
    host = FakeHost().on(['update'], (0, '', ''))
    status, result, dummy = run_module(ovs_repository.main, dict(url=srv.url, release='fargo', format='deb822',
                                                                 **paths), host)
    assert status == 'exit' and result['changed'], result


def test_a_new_node_is_not_in_sync_and_names_both_files(keyed):
    srv, paths = keyed
    repository = sync(srv, paths)
    assert repository['in_sync'] is False and repository['changed_files'] == [paths['keyring'], paths['source_file']]
    assert not os.path.exists(paths['keyring']), 'the facts module wrote a file'


def test_after_the_repository_module_ran_the_node_is_in_sync(keyed):
    srv, paths = keyed
    configure(srv, paths)
    repository = sync(srv, paths)
    assert repository['in_sync'] is True and repository['changed_files'] == [], repository


def test_a_rotated_key_or_another_release_is_not_in_sync(keyed):
    srv, paths = keyed
    configure(srv, paths)
    srv.files['/debian/dists/other/InRelease'] = u'-----BEGIN PGP SIGNED MESSAGE-----\n'
    assert sync(srv, paths, repository_release='other')['changed_files'] == [paths['source_file']]
    srv.files['/debian/openvstorage.asc'] = KEY.replace('mQINBGaaaaAA', 'mQINBGbbbbAA')
    assert sync(srv, paths)['changed_files'] == [paths['keyring']]


def test_a_key_that_cannot_be_read_is_not_in_sync_and_says_why(keyed):
    srv, paths = keyed
    configure(srv, paths)
    repository = sync(srv, paths, repository_key_url=srv.url + '/nosuch.asc')
    assert repository['in_sync'] is False and 'nosuch.asc' in repository['check_msg'], repository


def test_an_unreachable_repository_is_not_in_sync():
    closed = FileServer()
    url = closed.url
    closed.close()
    status, result, dummy = run(repository_url=url, timeout=2)
    assert result['repository']['in_sync'] is False and result['repository']['check_msg'], result


def test_packages_are_read_from_dpkg(tmp_path):
    """This machine's own dpkg: dpkg is installed; a package that does not exist is not reported."""
    version = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'dpkg'], stdout=subprocess.PIPE,
                             universal_newlines=True, check=True).stdout
    status, result, dummy = run(packages=['dpkg', 'dpkg=0.0', 'no-such-package-ovs', 'dpkg*', 'apt/stable'])
    assert status == 'exit' and result['packages'] == {'dpkg': version}, result


def test_without_packages_dpkg_is_not_asked():
    host = ThisMachine()
    status, result, dummy = run_module(ovs_node_facts.main, {}, host)
    assert result['packages'] == {} and not [argv for argv in host.calls if argv[0] == 'dpkg-query'], host.calls
