# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Open vStorage health check (``ovs healthcheck --to-json``), read and judged.

The exit code of the health check does not tell failure: the report is parsed and each
test's state judged. Used by ``ovs_healthcheck`` and as the gate of ``ovs_node`` around a
promote or demote.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import OvsCommandError

STATES = ('SUCCESS', 'WARNING', 'FAILED', 'EXCEPTION', 'SKIPPED')
PROBLEM_STATES = ('FAILED', 'EXCEPTION', 'WARNING')
PROBLEM_MESSAGES = ('error', 'exception', 'warning')


def parse_report(stdout):
    """The dict printed by ``ovs healthcheck --to-json``; lines printed before it are skipped."""
    text = stdout or ''
    start = text.find('{')
    if start < 0:
        raise ValueError('no JSON object in the output')
    report = json.loads(text[start:text.rindex('}') + 1])
    if not isinstance(report, dict) or not all(isinstance(v, dict) and 'state' in v for v in report.values()):
        raise ValueError('the JSON is not a health check report (test name -> state and messages)')
    return report


def summarize(tests):
    """``states`` (state -> test names) and ``problems`` (tests not SUCCESS/SKIPPED with their messages)."""
    states = dict((state, []) for state in STATES)
    problems = []
    for name in sorted(tests):
        result = tests[name]
        states.setdefault(result['state'], []).append(name)
        if result['state'] in PROBLEM_STATES:
            messages = result.get('messages') or {}
            texts = ['{0} {1}'.format(m.get('code', ''), m.get('message', '')).strip()
                     for kind in PROBLEM_MESSAGES for m in messages.get(kind) or []]
            problems.append(dict(test=name, state=result['state'], messages=texts))
    return states, problems


def run_healthcheck(runner, modules):
    """All tests of the given modules (all modules when empty), by test name."""
    tests = {}
    for module_name in modules or [None]:
        args = ['healthcheck', '--to-json'] + ([module_name] if module_name else [])
        what = 'ovs ' + ' '.join(args)
        dummy, stdout, stderr = runner.run('ovs', args, what=what)
        try:
            tests.update(parse_report(stdout))
        except ValueError as exc:
            raise OvsCommandError('{0} printed no health check report ({1}): {2}'.format(
                what, exc, (stdout or stderr or '').strip()[-500:]))
    return tests


def failing_text(problems, fail_on):
    """None, or the text naming the tests whose state is in ``fail_on`` with their messages."""
    failing = [p for p in problems if p['state'] in fail_on]
    if not failing:
        return None
    return '{0} health check test(s) in state {1}: {2}'.format(
        len(failing), '/'.join(fail_on),
        '; '.join('{0} {1}: {2}'.format(p['test'], p['state'], ' | '.join(p['messages']) or '(no message)')
                  for p in failing))
