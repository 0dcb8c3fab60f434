#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_healthcheck
short_description: Run the Open vStorage health check of a node
version_added: 0.1.0
description:
  - Runs C(ovs healthcheck --to-json) (package C(openvstorage-hc)) on a framework node (controller or
    compute node), once for all modules or once per module given in O(modules), and returns every test
    with its state and messages.
  - The exit code of the health check does not tell whether a test failed; the module reads the state of
    each test from the JSON it prints.
  - Fails when a test is in one of the states of O(fail_on), with the node's failing tests and their
    error messages in C(msg); the results are returned either way.
  - Changes nothing; it always reports C(changed=false).
author:
  - Open vStorage HyperScale developers (@openvstorage)
options:
  modules:
    description:
      - The health check modules to run; all of them when empty.
      - V(ovs) (processes, packages, ports, workers, ...), V(arakoon) (nodes, ports, ...), V(alba) (backends,
        processes, disk safety, ...) and V(volumedriver) (DTL, halted volumes, SCO cache mount points).
    type: list
    elements: str
    choices: [ovs, arakoon, alba, volumedriver]
    default: []
  fail_on:
    description:
      - The states of a test that make the module fail.
      - An empty list never fails on the results (only when the health check cannot run).
    type: list
    elements: str
    choices: [FAILED, EXCEPTION, WARNING]
    default: [FAILED, EXCEPTION]
  missing_ok:
    description:
      - On a node that is not set up yet (no C(/opt/OpenvStorage/config/arakoon_cacc.ini)), report RV(set_up=false)
        and succeed instead of failing; used as the health gate before a build changes a cluster that may not
        exist yet.
    type: bool
    default: false
attributes:
  check_mode:
    description: Can run in check mode; the health check only reads.
    support: full
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: none
notes:
  - Storage nodes do not carry the health check; the V(alba) module of the controllers checks the ASDs of
    every backend.
seealso:
  - module: openvstorage.hyperscale.ovs_cluster_info
'''

EXAMPLES = r'''
- name: Health check of the framework nodes; fails on the nodes with a FAILED test
  openvstorage.hyperscale.ovs_healthcheck:

- name: Only the ALBA and volumedriver tests; warnings count as failures
  openvstorage.hyperscale.ovs_healthcheck:
    modules: [alba, volumedriver]
    fail_on: [FAILED, EXCEPTION, WARNING]

- name: Read the results without failing
  openvstorage.hyperscale.ovs_healthcheck:
    fail_on: []
  register: ovs_health

- name: Tests that are not SUCCESS
  ansible.builtin.debug:
    msg: "{{ ovs_health.problems | map(attribute='test') }}"
'''

RETURN = r'''
set_up:
  description: Whether the node is set up (always true unless O(missing_ok=true) found it not set up).
  returned: success
  type: bool
  sample: true
tests:
  description: Every test that ran, by name (C(<module>-<test>-test)), as the health check prints it.
  returned: success
  type: dict
  sample:
    ovs-processes-test:
      state: SUCCESS
      messages:
        error: []
        exception: []
        skip: []
        success: [{code: FWK0200, message: Service ovs-workers is running!}]
        warning: []
states:
  description: The names of the tests in each state.
  returned: success
  type: dict
  sample: {SUCCESS: [arakoon-nodes-test, ovs-processes-test], FAILED: [], EXCEPTION: [], WARNING: [], SKIPPED: []}
problems:
  description: The tests in state C(FAILED), C(EXCEPTION) or C(WARNING), each with its error, exception and
    warning messages.
  returned: success
  type: list
  elements: dict
  sample: [{test: ovs-processes-test, state: FAILED, messages: ["FWK0201 Service ovs-workers is not running!"]}]
'''

import os

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import (
    OvsCommandError,
    OvsRunner,
    fail_from_command_error,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_health import (
    failing_text,
    run_healthcheck,
    summarize,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import ovs_module

CACC_INI = '/opt/OpenvStorage/config/arakoon_cacc.ini'


def argument_spec():
    return dict(
        modules=dict(type='list', elements='str', default=[], choices=['ovs', 'arakoon', 'alba', 'volumedriver']),
        fail_on=dict(type='list', elements='str', default=['FAILED', 'EXCEPTION'],
                     choices=['FAILED', 'EXCEPTION', 'WARNING']),
        missing_ok=dict(type='bool', default=False),
    )


def main():
    module = ovs_module(argument_spec())
    if module.params['missing_ok'] and not os.path.exists(CACC_INI):
        module.exit_json(changed=False, set_up=False, tests={}, states={}, problems=[],
                         msg='This node is not set up yet ({0} is missing): no cluster to check'.format(CACC_INI))
    try:
        tests = run_healthcheck(OvsRunner(module), module.params['modules'])
    except OvsCommandError as exc:
        fail_from_command_error(module, exc)
    states, problems = summarize(tests)
    result = dict(changed=False, set_up=True, tests=tests, states=states, problems=problems)
    message = failing_text(problems, module.params['fail_on'])
    if message:
        module.fail_json(msg=message, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
