# -*- coding: utf-8 -*-
"""playbooks/replace_disk.yml: its validation play, run for real on the demo inventory (no node contacted:
the run is limited to localhost, so the removal play matches no host)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys

import pytest

from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTION, COLLECTIONS_PATH, REPO


def playbook(*extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCAL_TEMP=os.path.join(REPO, 'build', 'ansible-tmp'))
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
               '-i', os.path.join(REPO, 'inventories', 'demo'), '-i', 'localhost,', '-c', 'local',
               '--limit', 'localhost', os.path.join(COLLECTION, 'playbooks', 'replace_disk.yml')] + list(extra)
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return done.returncode, done.stdout


@pytest.mark.parametrize('extra, message', [
    ([], 'ovs_replace_host=(not set): name the storage node with -e ovs_replace_host=<host>; '
         'allowed: str01, str02, str03, str05'),
    (['-e', 'ovs_replace_host=str09', '-e', 'ovs_replace_disk=sdc'],
     'ovs_replace_host=str09: is not a host of the inventory; allowed: str01, str02, str03, str05'),
    (['-e', 'ovs_replace_host=ctl01', '-e', 'ovs_replace_disk=sdc'],
     'ovs_replace_host=ctl01: is not a storage node (group storagenodes); allowed: str01, str02, str03, str05'),
    (['-e', 'ovs_replace_host=str01', '-e', 'ovs_replace_disk=sdz'],
     'ovs_replace_disk=sdz: is not a disk of the ASDs of str01 in ovs_backends; allowed for str01: sdb, sdc'),
    (['-e', 'ovs_replace_host=str01'],
     'ovs_replace_disk=(not set): name the disk with -e ovs_replace_disk=<disk>; allowed for str01: sdb, sdc'),
])
def test_bad_names_refused(extra, message):
    rc, output = playbook(*extra)
    assert rc == 2, output
    assert '"msg": "{0}"'.format(message) in output, output


@pytest.mark.parametrize('disk', ['sdc', '/dev/sdb'])
def test_good_names_pass(disk):
    rc, output = playbook('-e', 'ovs_replace_host=str01', '-e', 'ovs_replace_disk=' + disk, '--check')
    assert rc == 0, output
    assert 'localhost                  : ok=2    changed=0' in output
