# -*- coding: utf-8 -*-
"""alba_preset against the emulated framework API (tests/unit/emulator_api.py): backend local-be1 made through
its API, its ABM deployed by the ovs-workers of ctl01."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import alba
from ansible_collections.openvstorage.hyperscale.plugins.modules import alba_preset

from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module


@pytest.fixture
def server(emulator):
    """The emulated cluster with the RUNNING LOCAL backend local-be1 (its ``default`` preset only)."""
    emulator.backend = emulator.add_alba_backend('local-be1')
    return emulator


def posts(server):
    return server.writes()


def args(server, tmp_path, **extra):
    options = dict(backend='local-be1', name='fast', policies=[[2, 1, 3, 1], [1, 1, 1, 1]], compression='none')
    options.update(extra)
    return api_args(server, tmp_path, **options)


def run(server, tmp_path, check_mode=False, diff=False, **extra):
    return run_module(alba_preset.main, args(server, tmp_path, **extra), FakeHost(), check_mode=check_mode,
                      diff=diff)


def test_create_then_idempotent(server, tmp_path):
    status, result, dummy = run(server, tmp_path, diff=True)
    assert status == 'exit', result
    assert result['changed'] is True
    assert result['preset'] == dict(name='fast', policies=[[2, 1, 3, 1], [1, 1, 1, 1]], compression='none',
                                    encryption='none', fragment_size=16777216, in_use=False, is_default=False,
                                    is_available=False)
    assert result['diff'] == dict(before={}, after=dict(name='fast', policies=[[2, 1, 3, 1], [1, 1, 1, 1]],
                                                        compression='none', encryption='none',
                                                        fragment_size=16777216))
    [call] = posts(server)
    assert call == ('POST', '/api/alba/backends/{0}/add_preset/'.format(server.backend),
                    dict(name='fast', compression='none', policies=[[2, 1, 3, 1], [1, 1, 1, 1]], encryption='none'))
    status, result, dummy = run(server, tmp_path, diff=True)
    assert status == 'exit' and result['changed'] is False
    assert result['diff'] == dict(before={}, after={})
    assert len(posts(server)) == 1


def test_check_mode_makes_no_post(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True)
    assert status == 'exit' and result['changed'] is True
    assert result['preset']['policies'] == [[2, 1, 3, 1], [1, 1, 1, 1]]
    assert 'diff' not in result
    assert posts(server) == []


def test_fragment_size_and_encryption_sent(server, tmp_path):
    status, result, dummy = run(server, tmp_path, encryption='aes-cbc-256', fragment_size=4194304)
    assert status == 'exit', result
    assert posts(server)[0][2]['fragment_size'] == 4194304
    assert result['preset']['encryption'] == 'aes-cbc-256' and result['preset']['fragment_size'] == 4194304
    # the key the framework made is never returned
    algorithm, key = server.presets(server.backend)['fast']['fragment_encryption']
    assert algorithm == 'aes-cbc-256' and key not in json.dumps(result)


def test_policies_updated_in_place(server, tmp_path):
    server.add_preset(server.backend, 'fast', [[2, 1, 3, 1]])
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, policies=[[3, 1, 4, 2]])
    assert status == 'exit' and result['changed'] is True
    assert result['diff'] == dict(before=dict(name='fast', policies=[[2, 1, 3, 1]]),
                                  after=dict(name='fast', policies=[[3, 1, 4, 2]]))
    assert posts(server) == []
    status, result, dummy = run(server, tmp_path, policies=[[3, 1, 4, 2]])
    assert status == 'exit' and result['changed'] is True
    assert posts(server) == [('POST', '/api/alba/backends/{0}/update_preset/'.format(server.backend),
                                   dict(name='fast', policies=[[3, 1, 4, 2]]))]
    assert result['preset']['policies'] == [[3, 1, 4, 2]]
    status, result, dummy = run(server, tmp_path, policies=[[3, 1, 4, 2]])
    assert result['changed'] is False


@pytest.mark.parametrize('extra, text', [
    (dict(compression='bz2'), "compression cannot be changed in place (current 'none', wanted 'bz2')"),
    (dict(encryption='aes-ctr-256'), "encryption cannot be changed in place (current 'none', wanted 'aes-ctr-256')"),
    (dict(fragment_size=1048576), 'fragment_size cannot be changed in place (current 16777216, wanted 1048576)'),
])
def test_fixed_keys_cannot_change(server, tmp_path, extra, text):
    server.add_preset(server.backend, 'fast', [[2, 1, 3, 1], [1, 1, 1, 1]])
    status, result, dummy = run(server, tmp_path, **extra)
    assert status == 'fail' and text in result['msg'], result
    assert 'fast' in result['msg'] and 'local-be1' in result['msg']
    assert posts(server) == []


def test_default_preset_policies_read_from_strings(server, tmp_path):
    status, result, dummy = run(server, tmp_path, name='default', policies=[[5, 4, 8, 3], [2, 2, 3, 4]],
                                compression='snappy')
    assert status == 'exit' and result['changed'] is False, result
    assert result['preset']['fragment_size'] == 1048576 and result['preset']['is_default'] is True


@pytest.mark.parametrize('extra, text', [
    (dict(name='x'), "name: 'x' - Invalid preset name specified"),
    (dict(name='-bad'), "name: '-bad' - Invalid preset name specified"),
    (dict(policies=[]), 'policies: [] - At least 1 policy must be defined when adding/updating a preset'),
    (dict(policies=[[1, 2, 3]]), 'policies[0]: [1, 2, 3] - Incorrect policy format specified'),
    (dict(policies=[[1, 2, 'a', 4]]),
     "policies[0]: [1, 2, 'a', 4] - Policies for a preset should only contain integers"),
    (dict(policies=[[2, 1, 3, 1], [5, 4, 10, 3]]),
     'policies[1]: [5, 4, 10, 3] - Policy [5, 4, 10, 3] does not match the requirement: k <= c <= (k + m)'),
    (dict(policies=[[4, 2, 3, 1]]),
     'policies[0]: [4, 2, 3, 1] - Policy [4, 2, 3, 1] does not match the requirement: k <= c <= (k + m)'),
    (dict(policies=[[0, 2, 0, 1]]), 'policies[0]: [0, 2, 0, 1] - Policy [0, 2, 0, 1] contains a zero k value'),
    (dict(policies=[[2, 2, 3, 0]]), 'policies[0]: [2, 2, 3, 0] - Policy [2, 2, 3, 0] contains a zero x value'),
    (dict(fragment_size=8), 'fragment_size: 8 - Fragment size should be a positive integer smaller than 1 GiB; '
                            'allowed: 16 to 1073741824 bytes'),
    (dict(fragment_size=2 * 1024 ** 3), 'fragment_size: 2147483648 - Fragment size should be'),
])
def test_validation_before_any_call(server, tmp_path, extra, text):
    status, result, dummy = run(server, tmp_path, **extra)
    assert status == 'fail' and text in result['msg'], result
    assert server.requests == []


def test_policies_needed_only_to_add(server, tmp_path):
    a = args(server, tmp_path)
    del a['policies']
    status, result, dummy = run_module(alba_preset.main, a, FakeHost())
    assert status == 'fail'
    assert result['msg'] == ('policies: needed to add preset fast to ALBA backend local-be1 - At least 1 policy '
                             'must be defined when adding/updating a preset')
    assert posts(server) == []
    # an existing preset: its policies are not managed then
    server.add_preset(server.backend, 'fast', [[2, 1, 3, 1]])
    status, result, dummy = run_module(alba_preset.main, a, FakeHost())
    assert status == 'exit' and result['changed'] is False and result['preset']['policies'] == [[2, 1, 3, 1]]


def test_integers_as_strings_accepted(server, tmp_path):
    status, result, dummy = run(server, tmp_path, policies=[['2', '1', '3', '1']])
    assert status == 'exit', result
    assert posts(server)[0][2]['policies'] == [[2, 1, 3, 1]]


def test_absent(server, tmp_path):
    server.add_preset(server.backend, 'fast', [[2, 1, 3, 1]])
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, state='absent')
    assert status == 'exit' and result['changed'] is True and posts(server) == []
    assert result['diff']['after'] == {} and result['diff']['before']['policies'] == [[2, 1, 3, 1]]
    status, result, dummy = run(server, tmp_path, state='absent')
    assert status == 'exit' and result['changed'] is True and result['preset'] == {}
    assert posts(server) == [('POST', '/api/alba/backends/{0}/delete_preset/'.format(server.backend),
                                   dict(name='fast'))]
    status, result, dummy = run(server, tmp_path, state='absent')
    assert status == 'exit' and result['changed'] is False and len(posts(server)) == 1


def test_absent_refuses_default_and_in_use(server, tmp_path):
    status, result, dummy = run(server, tmp_path, name='default', state='absent')
    assert status == 'fail'
    assert result['msg'] == 'Cannot delete the default preset: default is the default preset of ALBA backend local-be1'
    server.add_preset(server.backend, 'used', [[1, 1, 1, 1]])
    server.use_preset('local-be1', 'used')
    status, result, dummy = run(server, tmp_path, name='used', state='absent')
    assert status == 'fail' and 'Cannot delete preset used of ALBA backend local-be1: it is in use' in result['msg']
    assert posts(server) == []


def test_absent_of_missing_backend_is_ok(server, tmp_path):
    status, result, dummy = run(server, tmp_path, backend='nope', state='absent')
    assert status == 'exit' and result['changed'] is False


def test_missing_backend(server, tmp_path):
    status, result, dummy = run(server, tmp_path, backend='nope')
    assert status == 'fail' and 'ALBA backend nope does not exist' in result['msg']
    status, result, dummy = run(server, tmp_path, backend='nope', check_mode=True)
    assert status == 'exit' and result['changed'] is True
    assert posts(server) == []


def test_backend_not_running(server, tmp_path):
    server.add_alba_backend('installing', running=False)
    status, result, dummy = run(server, tmp_path, backend='installing')
    assert status == 'fail' and result['msg'].startswith('ALBA backend installing is not running (status INSTALLING)')


def test_task_failure_reported(server, tmp_path):
    # a preset made meanwhile by someone else: the framework's text comes back
    original = alba_preset.current_preset
    try:
        alba_preset.current_preset = lambda alba_backend, name: None
        server.add_preset(server.backend, 'fast', [[2, 1, 3, 1]])
        status, result, dummy = run(server, tmp_path)
    finally:
        alba_preset.current_preset = original
    assert status == 'fail' and 'Preset with name fast already exists' in result['msg']
    assert result['task_status'] == 'FAILURE'


def test_parse_policy():
    assert alba.parse_policy('(5, 4, 8, 3)') == [5, 4, 8, 3]
    assert alba.parse_policy([1, 2, 3, 4]) == [1, 2, 3, 4]
    with pytest.raises(ValueError):
        alba.parse_policy('5,4')
    assert alba.preset_from_api({'name': 'p', 'policies': ['(1, 1, 1, 1)'],
                                 'fragment_encryption': ['aes-cbc-256', 'ff' * 32]})['encryption'] == 'aes-cbc-256'
