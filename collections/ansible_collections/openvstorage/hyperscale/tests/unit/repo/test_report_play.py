# -*- coding: utf-8 -*-
"""roles/controller/tasks/report.yml run for real by ansible-playbook (connection local) against the
emulated framework API (tests/unit/emulator_api.py): one read, the summary, cluster.md and topology.svg
written on the control machine; a rerun on the unchanged cluster changes nothing; check mode and --diff show a change without writing; ovs_report_write
false writes nothing."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTIONS_PATH
GIB = 1024 ** 3
PLAY = [{'name': 'Report the cluster', 'hosts': 'controllers', 'gather_facts': False,
         'tasks': [{'name': 'Report', 'ansible.builtin.include_role': {'name': 'openvstorage.hyperscale.controller',
                                                                       'tasks_from': 'report.yml'}}]},
        {'name': 'Write the report', 'hosts': 'localhost', 'gather_facts': False,
         'tasks': [{'name': 'Files', 'ansible.builtin.include_role': {'name': 'openvstorage.hyperscale.controller',
                                                                      'tasks_from': 'report_files.yml'}}]}]


def add_vdisk(server, name):
    """A vDisk of 1 GiB on pool1 served by ctl01, made through the API."""
    server.prepare(lambda api: api.wait_for_task(api.post('vdisks/', dict(
        name=name, size=GIB, vpool_guid=server.vpool, storagerouter_guid=server.router('ctl01')['guid'])),
        interval=0.02))


@pytest.fixture
def server(storage):
    """The storage cluster (emulator_api.build_storage) with domain room1 of ctl01, vPool pool1 on be1 and its
    vDisk disk01 (made through the API)."""
    storage.add_domain('room1', routers=['ctl01'])
    storage.vpool = storage.add_vpool('pool1')
    add_vdisk(storage, 'disk01')
    return storage


@pytest.fixture
def project(tmp_path, server):
    inventory = tmp_path / 'inventory'
    inventory.mkdir()
    host = dict(ansible_connection='local', ansible_python_interpreter=sys.executable, ovs_node_ip='127.0.0.1')
    variables = dict(install_master_ip='127.0.0.1', ovs_api_port=server.port, ovs_api_ca_path=server.cert_path)
    (inventory / 'hosts.yml').write_text(yaml.safe_dump(
        {'all': {'children': {'controllers': {'hosts': {'ctl01': host}}}, 'vars': variables}}))
    (tmp_path / 'play.yml').write_text(yaml.safe_dump(PLAY))
    return tmp_path


def playbook(project, *extra, **kwargs):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCAL_TEMP=str(project / 'tmp'), ANSIBLE_REMOTE_TEMP=str(project / 'tmp'),
               HOME=str(project), ANSIBLE_CALLBACK_RESULT_FORMAT='json')
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
               '-i', str(kwargs.get('inventory', project / 'inventory' / 'hosts.yml')), str(project / 'play.yml')] + list(extra)
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout
    return done.stdout


def changed(output, host='localhost'):
    return int(re.search(host + r'\s+: ok=\d+\s+changed=(\d+)', output).group(1))


def test_report_files_written_once_and_stable(project, server):
    output = playbook(project)
    report = project / 'inventory' / 'report'
    markdown, svg = (report / 'cluster.md').read_text(), (report / 'topology.svg').read_text()
    # the ASDs of str01 the emulator made (random ids): 3 on sdc claimed by be1
    assert '### str01' in markdown and len(re.findall(r'^  - ASD `\w{32}`: ok, claimed by be1$', markdown, re.M)) == 3
    assert '| ctl01 | `172.30.250.11` | MASTER | OK | room1 | - |' in markdown
    assert '| pool1 | RUNNING | be1 | default | ctl01 | 4 MiB | 4 KiB | `a_sync` (`tcp`) | 128 MiB |' in markdown
    assert '| disk01 | pool1 | 1 GiB | ctl01 |' in markdown
    assert '<text x="48" y="66">ctl01</text>' in svg
    assert changed(output) == 2  # the directory and the two files in one loop task
    assert changed(output, 'ctl01') == 0  # the report is no change of a node
    summary = json.loads(re.search(r'"msg": (\{.*?\n    \})', output, re.S).group(1))
    assert summary['storage_routers'] == {'cmp01': 'EXTRA', 'ctl01': 'MASTER', 'ctl02': 'MASTER', 'ctl03': 'MASTER'}
    assert summary['alba_nodes'] == {'aB3dE5fG7hJ9kL1m': 'str01'} and str(summary['asds_claimed']) == '9'  # a string before ansible-core 2.19
    assert summary['backends'] == ['acc1 LOCAL running', 'acc2 LOCAL running', 'be1 LOCAL running']
    assert summary['vdisks'] == ['disk01']
    assert summary['report'] == [str(report / 'cluster.md'), str(report / 'topology.svg')]
    # an unchanged cluster: nothing changes
    assert changed(playbook(project)) == 0
    # a change shows in check mode and --diff, and is not written
    add_vdisk(server, 'disk02')
    output = playbook(project, '--check', '--diff')
    assert changed(output) == 1 and '+| disk02 | pool1 | 1 GiB | ctl01 |' in output
    assert 'disk02' not in (report / 'cluster.md').read_text()


def test_report_dir_and_switch(project, tmp_path):
    playbook(project, '-e', 'ovs_report_dir=%s' % (tmp_path / 'elsewhere'))
    assert sorted(os.listdir(str(tmp_path / 'elsewhere'))) == ['cluster.md', 'topology.svg']
    output = playbook(project, '-e', 'ovs_report_write=false')
    assert not (project / 'inventory' / 'report').exists()
    assert 'not written (ovs_report_write is false)' in output


def test_an_inventory_directory_gets_its_report_beside_it(project):
    """With -i <directory>, Ansible reads every file in it as inventory: a report inside would warn on every rerun
    ("Unable to parse .../topology.svg as an inventory source"). It goes beside the directory."""
    playbook(project, inventory=project / 'inventory')
    assert sorted(os.listdir(str(project / 'inventory-report'))) == ['cluster.md', 'topology.svg']
    assert not (project / 'inventory' / 'report').exists()
    output = playbook(project, inventory=project / 'inventory')
    assert 'Unable to parse' not in output and changed(output) == 0, output
