# -*- coding: utf-8 -*-
"""The preflight's checks of the node itself (roles/preflight/tasks/main.yml), run for real with
ansible-playbook on this machine (a Debian 12 controller over the local connection): the operating
system list and the Python the modules cannot run on."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os
import subprocess
import sys

import pytest

from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTION, COLLECTIONS_PATH
PLAY = '- hosts: cluster\n  gather_facts: false\n  roles: [openvstorage.hyperscale.preflight]\n'
PYTHON27 = sorted(glob.glob(os.path.expanduser('~/.pyenv/versions/2.7.*/bin/python2.7')))


def preflight(tmp_path, **host_vars):
    node = dict({'ansible_connection': 'local', 'ansible_host': '127.0.0.1',
                 'ansible_python_interpreter': sys.executable}, **host_vars)
    inventory = {'cluster': {'children': {'controllers': {'hosts': {'ctl01': node}},
                                          'computenodes': {'hosts': {}}, 'storagenodes': {'hosts': {}}},
                             'vars': {'cluster_password': 'secret', 'ovs_check_master_login': False,
                                      'ovs_repository_url': 'http://127.0.0.1:9'}}}
    (tmp_path / 'hosts.json').write_text(json.dumps(inventory))
    (tmp_path / 'play.yml').write_text(PLAY)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'), ANSIBLE_REMOTE_TEMP=str(tmp_path / 'rtmp'))
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
               '-i', str(tmp_path / 'hosts.json'), str(tmp_path / 'play.yml')]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, env=env)
    return done.returncode, ' '.join(done.stdout.split())


def test_debian_12_is_accepted(tmp_path):
    rc, output = preflight(tmp_path)
    assert rc != 0 and 'the OVS repository does not answer' in output  # the check after the OS's
    assert 'is not supported' not in output


@pytest.mark.parametrize('address', ['010.0.0.1', '10.0.0.256', '10.0.0'])
def test_a_node_ip_that_is_no_ipv4_address_is_refused(tmp_path, address):
    # the rule of the modules (module_utils/ipv4.py): no leading zeros, four numbers of 0 to 255
    rc, output = preflight(tmp_path, ovs_node_ip=address)
    assert rc != 0
    assert "ctl01: ovs_node_ip (default: ansible_host) is '{0}': every node needs the IPv4 address".format(
        address) in output


def test_an_os_outside_the_list_is_refused_with_the_list(tmp_path):
    rc, output = preflight(tmp_path, ovs_supported_os=[{'distribution': 'Ubuntu', 'version': '16.04'},
                                                      {'distribution': 'Debian', 'major_version': '11'}])
    assert rc != 0
    assert 'is not supported (ovs_supported_os): allowed are Ubuntu 16.04, Debian 11' in output


def test_the_default_list_is_the_tested_platforms():
    with open(os.path.join(COLLECTION, 'roles', 'preflight', 'vars', 'main.yml')) as handle:
        defaults = handle.read()
    for entry in ('{distribution: Ubuntu, version: "14.04"}', '{distribution: Ubuntu, version: "16.04"}',
                  '{distribution: Debian, major_version: "11"}', '{distribution: Debian, major_version: "12"}'):
        assert entry in defaults


def test_a_missing_python_is_named(tmp_path):
    rc, output = preflight(tmp_path, ansible_python_interpreter='/nonexistent/python3')
    assert rc != 0
    assert ("ctl01: the modules cannot run on this node's Python: found no Python (tried /nonexistent/python3);"
            in output)


@pytest.mark.skipif(not PYTHON27, reason='no pyenv Python 2.7')
def test_a_python_too_old_for_this_ansible_core_is_named(tmp_path):
    import ansible.release
    major_minor = '.'.join(ansible.release.__version__.split('.')[:2])
    rc, output = preflight(tmp_path, ansible_python_interpreter=PYTHON27[-1])
    if major_minor == '2.16':  # 2.16 runs modules on 2.7: the OS check follows
        assert 'the OVS repository does not answer' in output
        return
    assert rc != 0
    assert ("the modules cannot run on this node's Python: found {0}: Python 2.7.18; ansible-core {1} runs "
            "them on Python".format(PYTHON27[-1], major_minor)) in output
