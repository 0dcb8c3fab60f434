# -*- coding: utf-8 -*-
"""run_setup_module: read -> plan (pure) -> apply, with changed/diff/check mode, on a small setup of its own."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import ovs_setup
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import OvsCommandError

from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, boxed, run_module

IP_OUTPUT = '2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\n'


class ToySetup(ovs_setup.NodeSetup):
    """``toy setup``: the node is set up when ``done`` exists; ``broken`` refuses; ``needed`` is assumed."""

    binary = 'toy'
    id_key = 'toy_id'
    package = 'toy-pkg'
    install_hint = 'toy-pkg (or toy-full)'

    def __init__(self, root):
        self.root = root

    def path(self, name):
        return os.path.join(self.root, name)

    def id_file(self):
        return self.path('toy_id')

    def read(self, module, runner):
        if os.path.exists(self.path('unreadable')):
            raise OvsCommandError('toy status failed (rc 1): store down')
        installed = os.path.exists(self.id_file()) and runner.has('toy')
        return dict(installed=installed, toy_id='T1' if installed else None,
                    setup_completed=installed and os.path.exists(self.path('done')))

    def prepare(self, module, state):
        state['prepared'] = True

    def keep(self, module, runner, state):
        return dict(changed=False, setup_completed=True, toy_id=state['toy_id'], prepared=state['prepared'])

    def refusal(self, params, state):
        return 'broken earlier setup' if os.path.exists(self.path('broken')) else None

    def planned(self, params):
        return dict(before=dict(setup_completed=False), after=dict(setup_completed=True, ip=params['ip']))

    def expected(self, params, diff):
        return dict(setup_completed=True, ip=params['ip'])

    def local_ip_error(self, params, local):
        if local is None or params['ip'] in local:
            return None
        return 'ip: {0} is not an IPv4 address of this host'.format(params['ip'])

    def assumed(self, params, state):
        if os.path.exists(self.path('needed')):
            return []
        return [('needed is missing; assuming an earlier task writes it', 'needed is missing: write it first')]

    def preconfig(self, params):
        return dict(toy=dict(ip=params['ip'], secret=params['secret']))

    def keep_preconfig(self, params):
        return params['keep']

    def not_set_up(self, state):
        return 'the toy is not set up'

    def finish(self, module, runner, state, diff, stdout):
        return dict(diff=diff, setup_completed=True, toy_id=state['toy_id'], lines=len(stdout.splitlines()))

    def remove(self, module, runner):
        return dict(changed=False, removed='asked')


def spec():
    return dict(ip=dict(type='str', required=True), secret=dict(type='str', no_log=True, default='s3cret'),
                keep=dict(type='bool', default=False), preconfig_path=dict(type='path', required=True),
                state=dict(type='str', choices=['present', 'absent'], default='present'))


@pytest.fixture
def toy(tmp_path):
    root = str(tmp_path)
    for name in ('toy_id', 'needed'):
        with open(os.path.join(root, name), 'w') as handle:
            handle.write('T1\n')
    host = FakeHost({'toy': '/usr/bin/toy', 'ip': '/usr/sbin/ip'})
    host.on(['-o', '-4', 'addr', 'show'], (0, IP_OUTPUT, ''))
    host.setup = ToySetup(root)
    host.preconfig = os.path.join(root, 'cfg', 'preconfig.json')
    return host


def run(host, check_mode=False, diff=False, **options):
    args = dict(ip='10.0.0.5', preconfig_path=host.preconfig)
    args.update(options)
    return run_module(lambda: ovs_setup.run_setup_module(spec(), host.setup), args, host, check_mode=check_mode,
                      diff=diff)


def touch(host, name):
    with open(host.setup.path(name), 'w') as handle:
        handle.write('')


def setups(host):
    return [c for c in host.calls if c[1:] == ['setup']]


def answer_setup(host, seen):
    """``toy setup`` reads the preconfiguration and sets the node up."""
    def setup(argv, kwargs):
        seen['mode'] = stat.S_IMODE(os.stat(host.preconfig).st_mode)
        with open(host.preconfig) as handle:
            seen['config'] = json.load(handle)
        touch(host, 'done')
        return 0, boxed(['Toy setup']) + '\n - step\n' + boxed(['Toy setup completed']), ''
    host.on(['setup'], setup)


# ------------------------------------------------------------------ plan_setup, a pure function
STATE = dict(installed=True, toy_id='T1', setup_completed=False)
PARAMS = dict(ip='10.0.0.5')
DIFF = dict(before=dict(setup_completed=False), after=dict(setup_completed=True, ip='10.0.0.5'))


def plan(tmp_path, state=None, local=('10.0.0.5',), check_mode=False, files=('toy_id', 'needed')):
    setup = ToySetup(str(tmp_path))
    for name in files:
        touch_path = os.path.join(str(tmp_path), name)
        with open(touch_path, 'w') as handle:
            handle.write('')
    return ovs_setup.plan_setup(setup, PARAMS, dict(state or STATE), list(local) if local else local, check_mode)


def test_plan_applies_the_setup_with_its_diff(tmp_path):
    assert plan(tmp_path) == dict(diff=DIFF, warnings=[], apply=True,
                                  result=dict(setup_completed=True, ip='10.0.0.5', toy_id='T1'))


def test_plan_in_check_mode_predicts_without_applying(tmp_path):
    result = plan(tmp_path, check_mode=True)
    assert result['apply'] is False and result['diff'] == DIFF
    assert result['result'] == dict(setup_completed=True, ip='10.0.0.5', toy_id='T1')


def test_plan_refuses_a_broken_node_naming_its_id(tmp_path):
    assert plan(tmp_path, files=('needed', 'broken')) == dict(refusal='broken earlier setup', extra=dict(toy_id='T1'))


def test_plan_of_a_missing_package(tmp_path):
    state = dict(installed=False, toy_id=None, setup_completed=False)
    failure = plan(tmp_path, state=state)
    assert failure == dict(refusal='The toy-pkg package is not installed on this host: {0} and the toy command are '
                                   'needed; install the package toy-pkg (or toy-full) first'.format(
                                       os.path.join(str(tmp_path), 'toy_id')), extra={})
    assumed = plan(tmp_path, state=state, check_mode=True)
    assert assumed['apply'] is False and assumed['result'] == dict(setup_completed=True, ip='10.0.0.5')
    assert assumed['warnings'] == ['The toy-pkg package is not installed yet (no {0} or no toy command); assuming '
                                   'an earlier task installs it'.format(os.path.join(str(tmp_path), 'toy_id'))]


@pytest.mark.parametrize('check_mode', [False, True])
def test_plan_refuses_a_foreign_ip_also_in_check_mode(tmp_path, check_mode):
    assert plan(tmp_path, local=('10.0.0.9',), check_mode=check_mode) == dict(
        refusal='ip: 10.0.0.5 is not an IPv4 address of this host', extra={})


def test_plan_with_unknown_local_ips_does_not_refuse(tmp_path):
    assert plan(tmp_path, local=None)['apply'] is True


def test_plan_of_what_an_earlier_task_provides(tmp_path):
    assert plan(tmp_path, files=()) == dict(refusal='needed is missing: write it first', extra={})
    assumed = plan(tmp_path, files=(), check_mode=True)
    assert assumed['warnings'] == ['needed is missing; assuming an earlier task writes it']
    assert assumed['apply'] is False


# ------------------------------------------------------------------ run_setup_module
def test_setup_runs_once_with_a_private_preconfig_then_removes_it(toy):
    seen = {}
    answer_setup(toy, seen)
    status, result, warnings = run(toy, diff=True)
    assert status == 'exit', result
    assert result['changed'] is True and result['toy_id'] == 'T1' and result['lines'] == 7
    assert result['diff'] == DIFF and 'Toy setup completed' in result['stdout']
    assert seen == dict(mode=0o600, config=dict(toy=dict(ip='10.0.0.5', secret='s3cret')))
    assert not os.path.exists(toy.preconfig) and warnings == []
    status, result, dummy = run(toy)
    assert status == 'exit' and result == dict(changed=False, setup_completed=True, toy_id='T1', prepared=True)
    assert len(setups(toy)) == 1


def test_diff_only_with_diff_mode_and_preconfig_kept_when_asked(toy):
    answer_setup(toy, {})
    status, result, dummy = run(toy, keep=True)
    assert status == 'exit' and result['changed'] is True and 'diff' not in result
    assert stat.S_IMODE(os.stat(toy.preconfig).st_mode) == 0o600


def test_check_mode_changes_nothing(toy):
    status, result, dummy = run(toy, check_mode=True, diff=True)
    assert status == 'exit'
    assert result == dict(changed=True, diff=DIFF, setup_completed=True, ip='10.0.0.5', toy_id='T1')
    assert setups(toy) == [] and not os.path.exists(toy.preconfig)


def test_check_mode_without_the_package_warns(toy):
    os.unlink(toy.setup.id_file())
    status, result, warnings = run(toy, check_mode=True)
    assert status == 'exit' and result == dict(changed=True, setup_completed=True, ip='10.0.0.5')
    assert len(warnings) == 1 and warnings[0].startswith('The toy-pkg package is not installed yet')
    status, result, dummy = run(toy)
    assert status == 'fail' and result['msg'].startswith('The toy-pkg package is not installed on this host')
    assert ['/usr/sbin/ip', '-o', '-4', 'addr', 'show'] not in toy.calls


def test_refusals_fail_before_any_command(toy):
    touch(toy, 'broken')
    status, result, dummy = run(toy)
    assert status == 'fail' and result == dict(msg='broken earlier setup', toy_id='T1')
    os.unlink(toy.setup.path('broken'))
    status, result, dummy = run(toy, ip='10.0.0.6')
    assert status == 'fail' and result == dict(msg='ip: 10.0.0.6 is not an IPv4 address of this host')
    assert setups(toy) == [] and not os.path.exists(toy.preconfig)


def test_unreadable_state_fails(toy):
    touch(toy, 'unreadable')
    status, result, dummy = run(toy)
    assert status == 'fail'
    assert result['msg'] == 'Cannot read the setup state of this node: toy status failed (rc 1): store down'


def test_failed_setup_reports_the_box_text_and_the_command(toy):
    toy.on(['setup'], (1, boxed(['Toy setup']) + '\n' + boxed(['An unexpected error occurred:', 'no disk']), ''))
    status, result, dummy = run(toy)
    assert status == 'fail'
    assert result['msg'] == 'toy setup failed (rc 1): no disk'
    assert result['cmd'] == ['/usr/bin/toy', 'setup'] and result['rc'] == 1 and result['toy_id'] == 'T1'
    assert not os.path.exists(toy.preconfig)


def test_setup_exit_zero_but_not_set_up(toy):
    toy.on(['setup'], (0, boxed(['Toy setup completed']), 'odd'))
    status, result, dummy = run(toy)
    assert status == 'fail' and result['msg'] == 'toy setup exited 0 but the toy is not set up'
    assert result['stderr'] == 'odd' and result['stdout_lines'][0].startswith('+++')


def test_state_absent_is_the_removal_of_the_setup(toy):
    status, result, dummy = run(toy, state='absent')
    assert status == 'exit' and result == dict(changed=False, removed='asked')
    assert toy.calls == []
