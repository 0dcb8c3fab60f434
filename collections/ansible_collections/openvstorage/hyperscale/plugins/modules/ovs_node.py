#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2025, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_node
short_description: Set up an Open vStorage framework node (unattended C(ovs setup))
version_added: 0.1.0
description:
  - Runs the unattended C(ovs setup) of a controller (C(master)) or compute node (C(extra)) through
    C(/opt/OpenvStorage/config/preconfig.json), once.
  - The module first reads the state of the node. A node is set up when the configuration store says
    C(/ovs/framework/hosts/<machine_id>/setupcompleted) is C(true) (and, for a master,
    C(promotecompleted) is C(true)), as the framework itself decides. Such a node is never set up again
    (the framework refuses a second setup); the module then only reports its facts.
  - A node that already knows the configuration store (C(arakoon_cacc.ini) present) or has a resume file
    of an earlier setup, but whose setup did not complete, is a broken earlier setup. The module fails
    and changes nothing; such a node needs a manual clean-up (or a reinstall) first.
  - C(/etc/openvstorage_id) is written by the C(openvstorage) package at install time; its absence means
    the package is not installed.
  - The preconfiguration file holds the root password of the master. It is written with mode C(0600) just
    before C(ovs setup) and removed right after it, whatever the outcome (unless O(keep_preconfig=true)).
    The framework reads it only during the setup.
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.attributes
options:
  master_ip:
    description:
      - IPv4 address of a master of the cluster to join.
      - For the first node of a new cluster, the IP address of this node (and O(cluster_ip) omitted or equal).
    type: str
    required: true
  master_password:
    description:
      - Root SSH password of the master (the framework connects to it with SSH during the setup).
    type: str
    required: true
  cluster_ip:
    description:
      - IPv4 address of this node in the cluster. Must be an address of this host.
      - Omitted or equal to O(master_ip) means "first node of a new cluster", as in the framework.
    type: str
  node_type:
    description:
      - Role of a joining node. Without it the cluster decides (master while fewer than 3 masters exist).
      - The first node is always a master; V(extra) is refused for it.
      - On a node that is already set up, a different type promotes it to V(master) with C(ovs setup promote) or
        demotes it to V(extra) with C(ovs setup demote), both with C(--rollback-on-failure), unless
        O(change_node_type=false). Run it on one node at a time.
    type: str
    choices: [master, extra]
  change_node_type:
    description:
      - Promote or demote a set-up node whose type differs from O(node_type).
      - V(false) only warns about the difference.
    type: bool
    default: true
  min_masters:
    description:
      - A demote is refused, before anything changes, when it would leave fewer masters than this
        (the masters are read from the configuration store). The framework itself refuses only the
        last master; a cluster whose configuration store loses the majority of its masters cannot write.
      - The roles pass a majority of the controllers the inventory declares.
    type: int
    default: 1
  health_gate:
    description:
      - Before a promote or demote, run the health check (C(ovs healthcheck --to-json)) on this node and refuse
        when a test is C(FAILED) or C(EXCEPTION); after it, and after the setup of this node, run it again (for up
        to a minute while the services settle) and fail (the change is done) when one still is.
      - Joins run one at a time, so the check after one join is the gate of the next; the first join into a
        running cluster is gated by the health check the playbook runs on the install master first.
      - The framework never runs the health check during these operations itself.
    type: bool
    default: true
  enable_heartbeats:
    description:
      - Send heartbeats to the Open vStorage support service. The framework default is V(true).
    type: bool
  logging_target:
    description:
      - Logging target of the framework, passed as C(logging_target) in the preconfiguration.
    type: dict
    suboptions:
      type:
        description: Kind of target.
        type: str
        required: true
        choices: [console, file, redis]
      host:
        description: Redis host (V(redis) only).
        type: str
      port:
        description: Redis port (V(redis) only).
        type: int
      queue:
        description: Redis queue (V(redis) only).
        type: str
  external_config:
    description:
      - Name of an external configuration (Arakoon) cluster, passed as C(external_config).
    type: str
  rdma:
    description:
      - Whether the node is RDMA capable. The framework default is V(false).
    type: bool
  preconfig_path:
    description:
      - Path of the preconfiguration file read by C(ovs setup).
    type: path
    default: /opt/OpenvStorage/config/preconfig.json
  keep_preconfig:
    description:
      - Keep the preconfiguration file (and the password in it) after the setup, for debugging.
    type: bool
    default: false
notes:
  - Run it on one node at a time, first master first, as the framework requires; promotes and demotes too.
  - C(ovs setup promote) asks for the root password of the node only when root SSH to itself without a
    password fails; O(master_password) is given on its standard input (the HyperScale nodes share the root
    password of the cluster).
  - The facts of a set-up node come from C(ovs config get), so the configuration store must be reachable.
seealso:
  - module: openvstorage.hyperscale.ovs_asd_manager
  - module: openvstorage.hyperscale.ovs_cluster_info
'''

EXAMPLES = r'''
- name: First controller creates the cluster
  openvstorage.hyperscale.ovs_node:
    master_ip: 172.30.250.11
    master_password: "{{ ovs_master_password }}"

- name: Other controllers join as masters
  openvstorage.hyperscale.ovs_node:
    master_ip: 172.30.250.11
    cluster_ip: "{{ ovs_node_ip }}"
    master_password: "{{ ovs_master_password }}"
    node_type: master

- name: Demote a controller to an extra node, keeping at least 2 masters
  openvstorage.hyperscale.ovs_node:
    master_ip: 172.30.250.11
    cluster_ip: 172.30.250.13
    master_password: "{{ ovs_master_password }}"
    node_type: extra
    min_masters: 2
  throttle: 1

- name: Compute nodes join as extra nodes, logging to the console
  openvstorage.hyperscale.ovs_node:
    master_ip: 172.30.250.11
    cluster_ip: "{{ ovs_node_ip }}"
    master_password: "{{ ovs_master_password }}"
    node_type: extra
    enable_heartbeats: false
    logging_target:
      type: console
'''

RETURN = r'''
setup_completed:
  description: Whether the node is set up (after the run; predicted in check mode).
  returned: always
  type: bool
  sample: true
machine_id:
  description: Machine id of the node (C(/etc/openvstorage_id)).
  returned: when the openvstorage package is installed
  type: str
  sample: Xa1b2c3d4e5f6g7h
cluster_id:
  description: Id of the cluster (C(/ovs/framework/cluster_id)).
  returned: when the node is set up (not in check mode before the setup)
  type: str
  sample: 3f9Kq0aZr8VbN2cL
node_type:
  description:
    - Type of the node as the configuration store holds it (C(MASTER) or C(EXTRA)).
    - In check mode before the setup, the expected type, or C(null) when the cluster decides.
  returned: when the node is set up or in check mode
  type: str
  sample: MASTER
node_ip:
  description: IP address of the node in the cluster (C(/ovs/framework/hosts/<machine_id>/ip)).
  returned: when the node is set up (not in check mode before the setup)
  type: str
  sample: 172.30.250.12
node_type_change:
  description: The type change made (or predicted in check mode), C(promote) or C(demote).
  returned: when the type of a set-up node changed
  type: str
  sample: demote
masters:
  description: Machine ids of the masters (from the configuration store) before a promote or demote.
  returned: when the type of a set-up node changes
  type: list
  elements: str
health:
  description: The health check states before and after a promote or demote (see M(openvstorage.hyperscale.ovs_healthcheck)).
  returned: when the type of a set-up node changed and O(health_gate=true)
  type: dict
  sample: {before: {FAILED: [], SUCCESS: [ovs-processes-test]}, after: {FAILED: [], SUCCESS: [ovs-processes-test]}}
stdout:
  description: Output of C(ovs setup) (or of C(ovs setup promote|demote)).
  returned: when the setup ran
  type: str
stdout_lines:
  description: Output of C(ovs setup), one line an item.
  returned: when the setup ran
  type: list
  elements: str
'''

import json
import os
import time

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import (
    OvsCommandError,
    fail_from_command_error,
    failure_text,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_health import (
    failing_text,
    run_healthcheck,
    summarize,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_host import ipv4_error, read_text
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_setup import NodeSetup, run_setup_module

SETTLE = 60  # seconds a node may take to settle after a change before its health check counts
OVS_ID_FILE = '/etc/openvstorage_id'
CACC_INI = '/opt/OpenvStorage/config/arakoon_cacc.ini'
RESUME_FILE = '/opt/OpenvStorage/config/openvstorage_resumeconfig.json'
HOST_KEY = '/ovs/framework/hosts/{0}/{1}'


def argument_spec():
    return dict(
        master_ip=dict(type='str', required=True),
        master_password=dict(type='str', required=True, no_log=True),
        cluster_ip=dict(type='str'),
        node_type=dict(type='str', choices=['master', 'extra']),
        enable_heartbeats=dict(type='bool'),
        logging_target=dict(type='dict', options=dict(
            type=dict(type='str', required=True, choices=['console', 'file', 'redis']),
            host=dict(type='str'),
            port=dict(type='int'),
            queue=dict(type='str'),
        )),
        external_config=dict(type='str'),
        rdma=dict(type='bool'),
        preconfig_path=dict(type='path', default='/opt/OpenvStorage/config/preconfig.json'),
        keep_preconfig=dict(type='bool', default=False),
        change_node_type=dict(type='bool', default=True),
        min_masters=dict(type='int', default=1),
        health_gate=dict(type='bool', default=True),
    )


def validate(params):
    """Errors of the input, each naming the option, the value and what is allowed."""
    errors = []
    for option in ('master_ip', 'cluster_ip'):
        if params.get(option) is not None:
            error = ipv4_error(option, params[option])
            if error:
                errors.append(error)
    if not params.get('master_password'):
        errors.append('master_password: must not be empty (root SSH password of the master)')
    first = is_first_node(params)
    if first and params.get('node_type') == 'extra':
        errors.append("node_type: 'extra' is not allowed for the first node of a cluster "
                      "(cluster_ip omitted or equal to master_ip {0}); allowed: master, or give cluster_ip "
                      "of this node to join the cluster at master_ip".format(params['master_ip']))
    if params.get('min_masters', 1) < 1:
        errors.append('min_masters: {0} is not allowed; allowed is an integer of at least 1 (the framework never '
                      'removes the last master)'.format(params['min_masters']))
    target = params.get('logging_target')
    if target and target.get('type') == 'redis':
        port = target.get('port')
        if port is not None and not 1 <= port <= 65535:
            errors.append('logging_target.port: {0} is out of range (1-65535)'.format(port))
    return errors


def is_first_node(params):
    return params.get('cluster_ip') in (None, params.get('master_ip'))


def build_preconfig(params):
    """The ``{"setup": {...}}`` document for ``ovs setup`` (only the keys the framework allows)."""
    setup = dict(master_ip=params['master_ip'], master_password=params['master_password'])
    if params.get('cluster_ip') is not None:
        setup['cluster_ip'] = params['cluster_ip']
    for key in ('node_type', 'enable_heartbeats', 'external_config', 'rdma'):
        if params.get(key) is not None:
            setup[key] = params[key]
    target = params.get('logging_target')
    if target:
        setup['logging_target'] = dict((k, v) for k, v in target.items() if v is not None)
    return dict(setup=setup)


def read_state(runner, exists=os.path.exists, read=read_text):
    """State of the node.

    Returns a dict: installed, machine_id, setup_completed, broken (None or the reason),
    and when set up: node_type, cluster_id, node_ip.
    """
    state = dict(installed=False, machine_id=None, setup_completed=False, broken=None)
    machine_id = read(OVS_ID_FILE)
    if not machine_id or not runner.has('ovs'):
        return state
    state.update(installed=True, machine_id=machine_id)
    if not exists(CACC_INI):
        if exists(RESUME_FILE):
            state['broken'] = ('{0} exists: an earlier ovs setup of this node was interrupted before it joined '
                               'the configuration store'.format(RESUME_FILE))
        return state
    setup_completed = runner.config_get(HOST_KEY.format(machine_id, 'setupcompleted'))
    node_type = runner.config_get(HOST_KEY.format(machine_id, 'type'))
    promote_completed = None
    if node_type == 'MASTER':
        promote_completed = runner.config_get(HOST_KEY.format(machine_id, 'promotecompleted'))
    if setup_completed is True and (node_type == 'EXTRA' or promote_completed is True):
        state.update(setup_completed=True, node_type=node_type,
                     cluster_id=runner.config_get('/ovs/framework/cluster_id'),
                     node_ip=runner.config_get(HOST_KEY.format(machine_id, 'ip')))
        return state
    reason = '{0} exists but the setup of machine {1} did not complete (setupcompleted={2}, type={3}, promotecompleted={4})'
    state['broken'] = reason.format(CACC_INI, machine_id, json.dumps(setup_completed), json.dumps(node_type),
                                    json.dumps(promote_completed))
    return state


def facts(state):
    result = dict(setup_completed=state['setup_completed'])
    for key in ('machine_id', 'cluster_id', 'node_type', 'node_ip'):
        if state.get(key) is not None:
            result[key] = state[key]
    return result


def expected_node_type(params):
    if is_first_node(params):
        return 'MASTER'
    if params.get('node_type'):
        return params['node_type'].upper()
    return None


def masters(runner):
    """Machine ids of the framework nodes whose type is MASTER in the configuration store."""
    found = []
    for machine_id in runner.config_list('/ovs/framework/hosts'):
        if runner.config_get(HOST_KEY.format(machine_id, 'type')) == 'MASTER':
            found.append(machine_id)
    return sorted(found)


def type_change_refusal(change, state, current_masters, min_masters):
    """None, or why the promote/demote must not run (before anything changes)."""
    if change != 'demote':
        return None
    left = len([m for m in current_masters if m != state['machine_id']])
    if left < min_masters:
        return ('Refusing to demote this node ({0}, {1}): it would leave {2} master(s) ({3}) where min_masters is {4} '
                '(a majority of the declared controllers keeps the configuration store writable). Promote another '
                'node first, or lower min_masters knowingly.'.format(
                    state.get('node_ip'), state['machine_id'], left,
                    ', '.join(m for m in current_masters if m != state['machine_id']) or 'none', min_masters))
    return None


def health_gate(module, runner, when, settle=0, sleep=time.sleep):
    """The health check's states; fails the module naming the FAILED/EXCEPTION tests.

    After a change (``settle`` seconds) the check is repeated every 5 s while it fails, as the services
    of a node that just changed take a moment to settle; before a change it runs once.
    """
    deadline = time.time() + settle
    while True:
        try:
            states, problems = summarize(run_healthcheck(runner, []))
        except OvsCommandError as exc:
            fail_from_command_error(module, exc, msg='Health check {0} failed to run: {1}'.format(when, exc.message))
        message = failing_text(problems, ('FAILED', 'EXCEPTION'))
        if not message:
            return states
        if time.time() >= deadline:
            module.fail_json(msg='Health check {0}: {1}'.format(when, message), changed=when.startswith('after'),
                             problems=problems)
        sleep(5)


def change_node_type(module, runner, state):
    """Promote or demote this set-up node to O(node_type); the result of the module."""
    params = module.params
    change = 'promote' if params['node_type'] == 'master' else 'demote'
    try:
        current_masters = masters(runner)
    except OvsCommandError as exc:
        fail_from_command_error(module, exc, msg='Cannot read the masters of the cluster: ' + exc.message)
    refusal = type_change_refusal(change, state, current_masters, params['min_masters'])
    if refusal:
        module.fail_json(msg=refusal, masters=current_masters, **facts(state))
    after_type = params['node_type'].upper()
    diff = dict(before=dict(node_type=state['node_type']), after=dict(node_type=after_type))
    result = dict(changed=True, diff=diff, node_type_change=change, masters=current_masters)
    if module.check_mode:
        return dict(facts(state), **dict(result, node_type=after_type))
    health = dict(before=health_gate(module, runner, 'before the ' + change)) if params['health_gate'] else None
    rc, stdout, stderr = runner.run('ovs', ['setup', change, '--rollback-on-failure'], check=False,
                                    data=params['master_password'])
    if rc != 0:
        module.fail_json(msg='ovs setup {0} failed (rc {1}): {2}'.format(change, rc, failure_text(stdout, stderr)),
                         rc=rc, stdout=stdout, stderr=stderr, stdout_lines=stdout.splitlines(), **facts(state))
    try:
        state = read_state(runner)
    except OvsCommandError as exc:
        fail_from_command_error(module, exc, changed=True, stdout=stdout,
                                msg='ovs setup {0} finished but the node cannot be read: {1}'.format(change, exc.message))
    if state.get('node_type') != after_type:
        module.fail_json(msg='ovs setup {0} exited 0 but the node type is {1}, not {2}'.format(
            change, state.get('node_type'), after_type), changed=True, stdout=stdout, **facts(state))
    if health is not None:
        health['after'] = health_gate(module, runner, 'after the {0} (the node is {1} now)'.format(change, after_type),
                                      settle=SETTLE)
        result['health'] = health
    result.update(stdout=stdout, stdout_lines=stdout.splitlines(), **facts(state))
    return result


def node_type_differs(params, state):
    """Whether O(node_type) names another type than the one this set-up node has."""
    wanted = params.get('node_type')
    return bool(wanted and state.get('node_type') and wanted.upper() != state['node_type'])


def planned_setup(params):
    """The diff of the setup of this node (no command run): not set up before; after, its type and IPs."""
    after = dict(setup_completed=True, node_type=expected_node_type(params),
                 master_ip=params['master_ip'], cluster_ip=params['cluster_ip'] or params['master_ip'])
    return dict(before=dict(setup_completed=False), after=after)


def local_ip_error(params, local):
    """Why the IPs of the options do not fit this host (``local``: its IPv4 addresses, None when unknown), or None.

    This node's IP must be local; a joining node must not point at itself.
    """
    if local is None:
        return None
    own_ip = params['cluster_ip'] or params['master_ip']
    option = 'cluster_ip' if params['cluster_ip'] else 'master_ip'
    if own_ip not in local:
        return '{0}: {1} is not an IPv4 address of this host; allowed: {2}'.format(
            option, own_ip, ', '.join(local) or '(none found)')
    if not is_first_node(params) and params['master_ip'] in local:
        return ('master_ip: {0} is an address of this host, but cluster_ip {1} differs from it; give the IP of a '
                'master of the cluster to join, or omit cluster_ip to create a new cluster'.format(
                    params['master_ip'], params['cluster_ip']))
    return None


class FrameworkNodeSetup(NodeSetup):
    """``ovs setup`` of a framework node (see run_setup_module); promote/demote of a set-up node."""

    binary = 'ovs'
    id_key = 'machine_id'

    package = 'openvstorage'
    install_hint = 'openvstorage (or openvstorage-backend)'
    planned = staticmethod(planned_setup)
    local_ip_error = staticmethod(local_ip_error)
    preconfig = staticmethod(build_preconfig)

    def id_file(self):
        return OVS_ID_FILE

    def read(self, module, runner):
        return read_state(runner)

    def keep(self, module, runner, state):
        """Change the type when asked (O(change_node_type)), else unchanged."""
        params = module.params
        if node_type_differs(params, state):
            if params['change_node_type']:
                return change_node_type(module, runner, state)
            module.warn('node_type is {0} but this node is already set up as {1} (change_node_type=false: '
                        'not changed)'.format(params['node_type'], state['node_type']))
        return dict(changed=False, **facts(state))

    def refusal(self, params, state):
        if state['broken']:
            return ('A previous Open vStorage setup of this node broke: {0}. The setup is not run again; '
                    'clean the node up manually (or reinstall it) first.'.format(state['broken']))
        return None

    def expected(self, params, diff):
        return dict(setup_completed=True, node_type=diff['after']['node_type'])

    def keep_preconfig(self, params):
        return params['keep_preconfig']

    def not_set_up(self, state):
        return 'the node is not set up: {0}'.format(state['broken'] or 'no configuration store')

    def finish(self, module, runner, state, diff, stdout):
        params = module.params
        after = dict(setup_completed=True, node_type=state.get('node_type'), master_ip=params['master_ip'],
                     cluster_ip=state.get('node_ip') or diff['after']['cluster_ip'])
        if params['health_gate']:
            # this node's check after its join is the gate of the next join (joins run one at a time)
            health_gate(module, runner, 'after the setup of this node (it is set up as {0})'.format(
                state.get('node_type')), settle=SETTLE)
        return dict(diff=dict(before=dict(setup_completed=False), after=after), stdout_lines=stdout.splitlines(),
                    **facts(state))


def main():
    run_setup_module(argument_spec(), FrameworkNodeSetup(), validate=validate)


if __name__ == '__main__':
    main()
