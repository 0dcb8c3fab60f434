# -*- coding: utf-8 -*-
"""The callback phase_timings: a real ansible-playbook run (connection local, two plays) with the callback
enabled through the environment prints one line per play and the total, after the recap."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import subprocess
import sys

import yaml

from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTIONS_PATH
PLAYS = [
    {'name': 'First phase', 'hosts': 'localhost', 'gather_facts': False,
     'tasks': [{'name': 'Take a second', 'ansible.builtin.pause': {'seconds': 1}}]},
    {'name': 'Second phase', 'hosts': 'localhost', 'gather_facts': False,
     'tasks': [{'name': 'Say something', 'ansible.builtin.debug': {'msg': 'done'}}]},
]
LINE = re.compile(r'^ +(\d+\.\d)s  (.+)$', re.M)


def run(tmp_path, enabled):
    (tmp_path / 'play.yml').write_text(yaml.safe_dump(PLAYS))
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith('ANSIBLE_'))
    env.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_HOME=str(tmp_path / 'home'),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'), ANSIBLE_NOCOLOR='1')
    if enabled:
        env['ANSIBLE_CALLBACKS_ENABLED'] = 'openvstorage.hyperscale.phase_timings'
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
                           '-c', 'local', str(tmp_path / 'play.yml')], cwd=str(tmp_path), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout
    return done.stdout


def test_one_line_per_play_and_the_total(tmp_path):
    output = run(tmp_path, enabled=True)
    assert 'unable to load' not in output
    timings = output.split('PHASE TIMINGS')[1]
    assert output.index('PLAY RECAP') < output.index('PHASE TIMINGS')
    lines = [(float(seconds), name) for seconds, name in LINE.findall(timings)]
    assert [name for dummy, name in lines] == ['First phase', 'Second phase', 'Total']
    first, second, total = [seconds for seconds, dummy in lines]
    assert first >= 1.0 and second < first
    assert first + second <= total + 0.2


def test_off_unless_enabled(tmp_path):
    assert 'PHASE TIMINGS' not in run(tmp_path, enabled=False)
