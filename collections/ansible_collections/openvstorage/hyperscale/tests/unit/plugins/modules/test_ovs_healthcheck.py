# -*- coding: utf-8 -*-
"""ovs_healthcheck against the output of the emulated health check (tests/unit/fixtures/healthcheck_*.json:
``ovs healthcheck --to-json`` of the demo cluster; ``_failed`` with ovs-workers stopped on that node)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_healthcheck

from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, run_module
from ansible_collections.openvstorage.hyperscale.tests.unit.paths import FIXTURES



def fixture(name):
    with open(os.path.join(FIXTURES, 'healthcheck_{0}.json'.format(name))) as handle:
        return handle.read()


def node(**answers):
    """A framework node whose ``ovs healthcheck --to-json [module]`` prints ``answers[module or 'all']``."""
    host = FakeHost({'ovs': '/usr/bin/ovs'})
    for module, answer in answers.items():
        tail = ['healthcheck', '--to-json'] + ([] if module == 'all' else [module])
        host.on(tail, answer if isinstance(answer, tuple) else (0, answer, ''))
    return host


def test_all_success_on_a_controller():
    status, result, dummy = run_module(ovs_healthcheck.main, {}, node(all=fixture('ctl01')))
    assert status == 'exit' and result['changed'] is False
    assert result['problems'] == []
    assert result['states']['SKIPPED'] == ['alba-processes-test']
    assert 'arakoon-ports-test' in result['states']['SUCCESS']
    assert result['tests']['ovs-processes-test']['messages']['success']


def test_a_compute_node_runs_the_volumedriver_tests_and_check_mode_is_the_same():
    host = node(all=fixture('cmp01'))
    status, result, dummy = run_module(ovs_healthcheck.main, {}, host, check_mode=True)
    assert status == 'exit' and not result['problems']
    assert {'volumedriver-dtl-test', 'volumedriver-halted-volumes-test'} <= set(result['states']['SUCCESS'])
    assert host.calls == [['/usr/bin/ovs', 'healthcheck', '--to-json']]


def test_one_run_per_module_given():
    host = node(alba=fixture('ctl01_alba'), ovs=fixture('ctl01'))
    status, result, dummy = run_module(ovs_healthcheck.main, {'modules': ['alba', 'ovs']}, host)
    assert status == 'exit'
    assert [call[1:] for call in host.calls] == [['healthcheck', '--to-json', 'alba'],
                                                 ['healthcheck', '--to-json', 'ovs']]
    assert 'alba-backend-test' in result['tests']


def test_a_failed_test_fails_the_module_naming_test_and_message():
    status, result, dummy = run_module(ovs_healthcheck.main, {}, node(all=fixture('ctl03_failed')))
    assert status == 'fail'
    assert result['msg'].startswith('1 health check test(s) in state FAILED/EXCEPTION: ovs-processes-test FAILED: ')
    assert 'ovs-workers' in result['msg']
    assert result['states']['FAILED'] == ['ovs-processes-test']
    assert [p['test'] for p in result['problems']] == ['ovs-processes-test']


def test_fail_on_empty_reports_without_failing():
    status, result, dummy = run_module(ovs_healthcheck.main, {'fail_on': []}, node(all=fixture('ctl03_failed')))
    assert status == 'exit'
    assert result['problems'][0]['state'] == 'FAILED'
    assert any('ovs-workers' in text for text in result['problems'][0]['messages'])


def test_warning_fails_only_when_asked():
    report = json.loads(fixture('ctl01'))
    report['alba-disk-safety-test']['state'] = 'WARNING'
    report['alba-disk-safety-test']['messages']['warning'] = [{'code': 'ALB0080', 'message': 'at risk'}]
    text = json.dumps(report)
    assert run_module(ovs_healthcheck.main, {}, node(all=text))[0] == 'exit'
    status, result, dummy = run_module(ovs_healthcheck.main, {'fail_on': ['FAILED', 'WARNING']}, node(all=text))
    assert status == 'fail' and 'alba-disk-safety-test WARNING: ALB0080 at risk' in result['msg']


def test_lines_before_the_report_are_skipped():
    status, result, dummy = run_module(ovs_healthcheck.main, {}, node(all='Starting health check\n' + fixture('ctl01')))
    assert status == 'exit' and len(result['tests']) == len(json.loads(fixture('ctl01')))


@pytest.mark.parametrize('answer, text', [
    ((0, 'Usage: ovs healthcheck ...\n', ''), 'printed no health check report'),
    ((0, '{"a": 1}', ''), 'not a health check report'),
    ((1, '', 'No module named ovs.extensions.healthcheck\n'), 'failed (rc 1)'),
])
def test_no_report_fails_with_the_output(answer, text):
    status, result, dummy = run_module(ovs_healthcheck.main, {}, node(all=answer))
    assert status == 'fail' and text in result['msg'], result


def test_without_the_health_check_package():
    status, result, dummy = run_module(ovs_healthcheck.main, {}, FakeHost({}))
    assert status == 'fail' and "install the package 'openvstorage'" in result['msg']


def test_a_module_outside_the_choices_is_refused():
    status, result, dummy = run_module(ovs_healthcheck.main, {'modules': ['disk']}, node())
    assert status == 'fail' and 'modules' in result['msg'] and 'volumedriver' in result['msg']


def test_missing_ok_on_a_node_not_set_up(tmp_path, monkeypatch):
    monkeypatch.setattr(ovs_healthcheck, 'CACC_INI', str(tmp_path / 'arakoon_cacc.ini'))
    host = node(all=fixture('ctl03_failed'))
    status, result, dummy = run_module(ovs_healthcheck.main, {'missing_ok': True}, host)
    assert status == 'exit' and result['set_up'] is False and result['tests'] == {} and host.calls == []
    (tmp_path / 'arakoon_cacc.ini').write_text('[global]\n')
    status, result, dummy = run_module(ovs_healthcheck.main, {'missing_ok': True}, host)
    assert status == 'fail' and 'ovs-processes-test FAILED' in result['msg']
    status, result, dummy = run_module(ovs_healthcheck.main, {}, node(all=fixture('ctl01')))
    assert status == 'exit' and result['set_up'] is True
