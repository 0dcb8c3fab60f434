# -*- coding: utf-8 -*-
"""ovs_node: validation, preconfig, setup detection, the whole run."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_node

from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, boxed, run_module
from ansible_collections.openvstorage.hyperscale.tests.unit.paths import FIXTURES

MACHINE_ID = 'Xa1b2c3d4e5f6g7h'
PASSWORD = 'R00t-Pa55word!'
IP_OUTPUT = ('1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n'
             '2: eth0    inet 172.30.250.12/24 brd 172.30.250.255 scope global eth0\\       valid_lft forever\n')


@pytest.fixture
def node(tmp_path, monkeypatch):
    """A node with the openvstorage package installed, not set up."""
    root = tmp_path
    paths = dict(id=root / 'etc' / 'openvstorage_id', cacc=root / 'cfg' / 'arakoon_cacc.ini',
                 resume=root / 'cfg' / 'openvstorage_resumeconfig.json', preconfig=root / 'cfg' / 'preconfig.json')
    paths['id'].parent.mkdir(parents=True)
    paths['cacc'].parent.mkdir(parents=True)
    paths['id'].write_text(MACHINE_ID + '\n')
    monkeypatch.setattr(ovs_node, 'OVS_ID_FILE', str(paths['id']))
    monkeypatch.setattr(ovs_node, 'CACC_INI', str(paths['cacc']))
    monkeypatch.setattr(ovs_node, 'RESUME_FILE', str(paths['resume']))
    monkeypatch.setattr(ovs_node, 'SETTLE', 0)
    host = FakeHost({'ovs': '/usr/bin/ovs', 'ip': '/usr/sbin/ip'})
    host.on(['-o', '-4', 'addr', 'show'], (0, IP_OUTPUT, ''))
    host.on(['healthcheck', '--to-json'], lambda argv, kw: (0, fixture('ctl01'), ''))
    host.paths = paths
    return host


def set_config(host, values):
    """Answers of `ovs config get` for the given keys (missing keys print nothing)."""
    def answer(argv, kwargs):
        key = argv[3]
        if key in values:
            return 0, json.dumps(values[key], indent=4) + '\n', ''
        return 0, '', ''
    host.answers.append((lambda argv: argv[1:3] == ['config', 'get'], answer))


def configured(host, node_type='MASTER'):
    host.paths['cacc'].write_text('[global]\ncluster_id = config\n')
    key = '/ovs/framework/hosts/{0}/'.format(MACHINE_ID)
    set_config(host, {key + 'setupcompleted': True, key + 'type': node_type, key + 'promotecompleted': True,
                      key + 'ip': '172.30.250.12', '/ovs/framework/cluster_id': 'Cl0st3rId0123456'})


def join_args(host, **extra):
    args = dict(master_ip='172.30.250.11', cluster_ip='172.30.250.12', master_password=PASSWORD,
                preconfig_path=str(host.paths['preconfig']))
    args.update(extra)
    return args


# ---------------------------------------------------------------- pure logic
def test_validate_messages_name_option_value_and_allowed():
    errors = ovs_node.validate(dict(master_ip='10.0.0.300', cluster_ip='nope', master_password='x'))
    assert any(e.startswith("master_ip: '10.0.0.300' is not a valid IPv4 address") for e in errors)
    assert any(e.startswith("cluster_ip: 'nope'") for e in errors)
    errors = ovs_node.validate(dict(master_ip='10.0.0.1', cluster_ip=None, master_password='x', node_type='extra'))
    assert errors and errors[0].startswith("node_type: 'extra' is not allowed for the first node")
    assert ovs_node.validate(dict(master_ip='10.0.0.1', cluster_ip='10.0.0.2', master_password='x',
                                  node_type='extra')) == []


def test_build_preconfig_only_allowed_keys():
    params = dict(master_ip='10.0.0.1', master_password='pw', cluster_ip='10.0.0.2', node_type='extra',
                  enable_heartbeats=False, external_config=None, rdma=None,
                  logging_target=dict(type='console', host=None, port=None, queue=None))
    assert ovs_node.build_preconfig(params) == {'setup': {
        'master_ip': '10.0.0.1', 'master_password': 'pw', 'cluster_ip': '10.0.0.2', 'node_type': 'extra',
        'enable_heartbeats': False, 'logging_target': {'type': 'console'}}}
    first = ovs_node.build_preconfig(dict(master_ip='10.0.0.1', master_password='pw'))
    assert first == {'setup': {'master_ip': '10.0.0.1', 'master_password': 'pw'}}
    allowed = {'master_ip', 'master_password', 'cluster_ip', 'node_type', 'enable_heartbeats', 'external_config',
               'logging_target', 'rdma', 'rollback'}
    full = ovs_node.build_preconfig(dict(params, external_config='ext', rdma=True))
    assert set(full['setup']) <= allowed


# ------------------------------------------------------------ module runs
def test_already_set_up_reports_facts_unchanged(node):
    configured(node)
    status, result, warnings = run_module(ovs_node.main, join_args(node, node_type='extra', change_node_type=False),
                                          node)
    assert status == 'exit'
    assert result['changed'] is False
    assert result['machine_id'] == MACHINE_ID
    assert result['cluster_id'] == 'Cl0st3rId0123456'
    assert result['node_type'] == 'MASTER'
    assert result['node_ip'] == '172.30.250.12'
    assert result['setup_completed'] is True
    assert not any(c[1:2] == ['setup'] for c in node.calls)
    assert warnings and 'already set up as MASTER' in warnings[0]


def test_master_without_promote_completed_is_broken(node):
    node.paths['cacc'].write_text('[global]\n')
    key = '/ovs/framework/hosts/{0}/'.format(MACHINE_ID)
    set_config(node, {key + 'setupcompleted': True, key + 'type': 'MASTER', key + 'promotecompleted': False})
    status, result, dummy = run_module(ovs_node.main, join_args(node), node)
    assert status == 'fail'
    assert 'previous Open vStorage setup of this node broke' in result['msg']
    assert 'clean the node up manually' in result['msg']
    assert not any(c[1:2] == ['setup'] for c in node.calls)


def test_broken_when_config_store_known_but_not_completed(node):
    node.paths['cacc'].write_text('[global]\n')
    set_config(node, {})
    status, result, dummy = run_module(ovs_node.main, join_args(node), node)
    assert status == 'fail' and 'setupcompleted=null' in result['msg']


def test_broken_when_resume_file_left(node):
    node.paths['resume'].write_text('{}')
    status, result, dummy = run_module(ovs_node.main, join_args(node), node)
    assert status == 'fail' and 'interrupted' in result['msg']


def test_unreachable_config_store_fails_without_setup(node):
    node.paths['cacc'].write_text('[global]\n')
    node.answers.append((lambda argv: argv[1:3] == ['config', 'get'],
                         (1, '', 'Could not connect to any Arakoon node')))
    status, result, dummy = run_module(ovs_node.main, join_args(node), node)
    assert status == 'fail'
    assert result['msg'].startswith('Cannot read the setup state of this node')
    assert 'Could not connect' in result['msg']


def test_check_mode_reports_change_without_running(node):
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='extra'), node, check_mode=True,
                                       diff=True)
    assert status == 'exit' and result['changed'] is True
    assert result['diff'] == {'before': {'setup_completed': False},
                              'after': {'setup_completed': True, 'node_type': 'EXTRA',
                                        'master_ip': '172.30.250.11', 'cluster_ip': '172.30.250.12'}}
    assert PASSWORD not in json.dumps(result)
    assert not node.paths['preconfig'].exists()
    assert not any(c[1:2] == ['setup'] for c in node.calls)


def test_package_missing(node):
    node.paths['id'].unlink()
    status, result, dummy = run_module(ovs_node.main, join_args(node), node)
    assert status == 'fail' and 'openvstorage package is not installed' in result['msg']
    status, result, warnings = run_module(ovs_node.main, join_args(node), node, check_mode=True)
    assert status == 'exit' and result['changed'] is True and warnings


def test_bad_input_fails_before_anything(node):
    status, result, dummy = run_module(ovs_node.main, join_args(node, master_ip='172.30.250.311'), node)
    assert status == 'fail'
    assert "master_ip: '172.30.250.311' is not a valid IPv4 address" in result['msg']
    assert node.calls == []
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='slave'), node)
    assert status == 'fail' and 'node_type' in result['msg'] and 'master, extra' in result['msg']


def test_cluster_ip_must_be_local(node):
    status, result, dummy = run_module(ovs_node.main, join_args(node, cluster_ip='172.30.250.13'), node)
    assert status == 'fail'
    assert result['msg'] == 'cluster_ip: 172.30.250.13 is not an IPv4 address of this host; allowed: 172.30.250.12'
    assert not node.paths['preconfig'].exists()


def test_setup_runs_once_with_private_preconfig_then_removes_it(node):
    seen = {}

    def setup(argv, kwargs):
        path = node.paths['preconfig']
        seen['mode'] = stat.S_IMODE(os.stat(str(path)).st_mode)
        seen['config'] = json.loads(path.read_text())
        configured(node, node_type='EXTRA')
        return 0, '\n'.join([boxed(['Open vStorage Setup']), '', boxed(['Setup complete.',
                             'Point your browser to https://172.30.250.12 to use Open vStorage'])]), ''
    node.on(['setup'], setup)
    args = join_args(node, node_type='extra', enable_heartbeats=False, logging_target=dict(type='console'))
    status, result, dummy = run_module(ovs_node.main, args, node, diff=True)
    assert status == 'exit', result
    assert result['changed'] is True
    assert seen['mode'] == 0o600
    assert seen['config'] == {'setup': {'master_ip': '172.30.250.11', 'cluster_ip': '172.30.250.12',
                                        'master_password': PASSWORD, 'node_type': 'extra',
                                        'enable_heartbeats': False, 'logging_target': {'type': 'console'}}}
    assert not node.paths['preconfig'].exists()
    assert result['node_type'] == 'EXTRA' and result['machine_id'] == MACHINE_ID
    assert result['diff']['after']['node_type'] == 'EXTRA'
    assert PASSWORD not in json.dumps(result)
    assert [c for c in node.calls if c[1:2] == ['setup']] == [['/usr/bin/ovs', 'setup']]
    # second run: nothing to do
    status, result, dummy = run_module(ovs_node.main, args, node)
    assert status == 'exit' and result['changed'] is False
    assert len([c for c in node.calls if c[1:2] == ['setup']]) == 1


def test_setup_failure_reports_box_text_and_removes_preconfig(node):
    text = 'Incorrect master IP provided, please choose from: 172.30.250.13'
    node.on(['setup'], (1, boxed(['Open vStorage Setup']) + '\n\n' + boxed(['An unexpected error occurred:', text]),
                        ''))
    status, result, dummy = run_module(ovs_node.main, join_args(node), node)
    assert status == 'fail'
    assert result['msg'] == 'ovs setup failed (rc 1): ' + text
    assert result['rc'] == 1 and result['cmd'] == ['/usr/bin/ovs', 'setup']
    assert not node.paths['preconfig'].exists()


def test_setup_of_a_joining_node_fails_when_the_cluster_stays_unhealthy(node, monkeypatch):
    def setup(argv, kwargs):
        configured(node, node_type='EXTRA')
        return 0, boxed(['Setup complete.']), ''
    node.on(['setup'], setup)
    answers = ['ctl03_failed', 'ctl01']
    node.on(['healthcheck', '--to-json'], lambda argv, kw: (0, fixture(answers.pop(0) if answers else 'ctl03_failed'), ''))
    monkeypatch.setattr(ovs_node, 'SETTLE', 60)
    monkeypatch.setattr(ovs_node.time, 'sleep', lambda seconds: None)
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='extra'), node)
    assert status == 'exit' and result['changed'] is True  # settled on the second check
    monkeypatch.setattr(ovs_node, 'SETTLE', 0)
    node.paths['cacc'].unlink()
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='extra'), node)
    assert status == 'fail' and result['changed'] is True
    assert result['msg'].startswith('Health check after the setup of this node (it is set up as EXTRA): 1 health check')


def test_keep_preconfig(node):
    def setup(argv, kwargs):
        configured(node)
        return 0, boxed(['Setup complete.']), ''
    node.on(['setup'], setup)
    status, result, dummy = run_module(ovs_node.main, join_args(node, keep_preconfig=True, cluster_ip=None,
                                                                master_ip='172.30.250.12'), node)
    assert status == 'exit' and result['changed'] is True
    assert stat.S_IMODE(os.stat(str(node.paths['preconfig'])).st_mode) == 0o600


def test_setup_exit_zero_but_not_completed(node):
    node.on(['setup'], (0, boxed(['Setup complete.']), ''))
    status, result, dummy = run_module(ovs_node.main, join_args(node), node)
    assert status == 'fail' and 'exited 0 but the node is not set up' in result['msg']


def test_first_node_master_ip_must_be_local(node):
    status, result, dummy = run_module(ovs_node.main, join_args(node, cluster_ip=None), node)
    assert status == 'fail'
    assert result['msg'].startswith('master_ip: 172.30.250.11 is not an IPv4 address of this host')


def test_joining_node_must_not_point_at_itself(node):
    node.on(['-o', '-4', 'addr', 'show'], (0, IP_OUTPUT + '3: eth1    inet 172.30.250.11/24 scope global\n', ''))
    status, result, dummy = run_module(ovs_node.main, join_args(node), node)
    assert status == 'fail' and result['msg'].startswith('master_ip: 172.30.250.11 is an address of this host')


# ------------------------------------------------------------ promote / demote
OTHERS = ['Ma5ter0000000002', 'Ma5ter0000000003']


def fixture(name):
    with open(os.path.join(FIXTURES, 'healthcheck_{0}.json'.format(name))) as handle:
        return handle.read()


def cluster_of(host, node_type, other_masters=OTHERS, health=('ctl01', 'ctl01')):
    """A set-up node of type ``node_type`` in a cluster with ``other_masters``; ``ovs setup promote|demote``
    flips its type; the health check answers the given fixtures before and after."""
    host.paths['cacc'].write_text('[global]\ncluster_id = config\n')
    key = '/ovs/framework/hosts/{0}/'.format(MACHINE_ID)
    values = {key + 'setupcompleted': True, key + 'type': node_type, key + 'promotecompleted': True,
              key + 'ip': '172.30.250.12', '/ovs/framework/cluster_id': 'Cl0st3rId0123456'}
    for other in other_masters:
        values['/ovs/framework/hosts/{0}/type'.format(other)] = 'MASTER'
    set_config(host, values)
    host.on(['config', 'list', '/ovs/framework/hosts'],
            lambda argv, kw: (0, '\n'.join(sorted([MACHINE_ID] + list(other_masters))) + '\n', ''))
    reports = list(health)
    host.on(['healthcheck', '--to-json'], lambda argv, kw: (0, fixture(reports.pop(0)), ''))

    def change(argv, kwargs):
        values[key + 'type'] = 'MASTER' if argv[2] == 'promote' else 'EXTRA'
        host.stdin = kwargs.get('data')
        title = 'Promote complete.' if argv[2] == 'promote' else 'Demote complete.'
        return 0, boxed([title]), ''
    for what in ('promote', 'demote'):
        host.on(['setup', what, '--rollback-on-failure'], change)
    return values


def test_demote_with_health_gates(node):
    cluster_of(node, 'MASTER')
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='extra', min_masters=2), node,
                                       diff=True)
    assert status == 'exit', result
    assert result['changed'] is True and result['node_type_change'] == 'demote'
    assert result['node_type'] == 'EXTRA'
    assert result['diff'] == {'before': {'node_type': 'MASTER'}, 'after': {'node_type': 'EXTRA'}}
    assert result['health']['before']['FAILED'] == [] and result['health']['after']['FAILED'] == []
    assert node.stdin == PASSWORD and PASSWORD not in json.dumps(result)
    calls = [c[1:] for c in node.calls if c[1:2] in (['setup'], ['healthcheck'])]
    assert calls == [['healthcheck', '--to-json'], ['setup', 'demote', '--rollback-on-failure'],
                     ['healthcheck', '--to-json']]
    # rerun: the type matches, nothing runs
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='extra', min_masters=2), node)
    assert status == 'exit' and result['changed'] is False
    assert len([c for c in node.calls if c[1:2] == ['setup']]) == 1


def test_promote(node):
    cluster_of(node, 'EXTRA')
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='master'), node)
    assert status == 'exit', result
    assert result['node_type_change'] == 'promote' and result['node_type'] == 'MASTER'


def test_demote_refused_below_min_masters_before_anything(node):
    cluster_of(node, 'MASTER', other_masters=OTHERS[:1])
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='extra', min_masters=2), node)
    assert status == 'fail'
    assert result['msg'].startswith('Refusing to demote this node (172.30.250.12, {0}): it would leave 1 '
                                    'master(s) (Ma5ter0000000002) where min_masters is 2'.format(MACHINE_ID))
    assert not any(c[1:2] in (['setup'], ['healthcheck']) for c in node.calls)


def test_demote_refused_while_unhealthy(node):
    cluster_of(node, 'MASTER', health=('ctl03_failed',))
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='extra', min_masters=2), node)
    assert status == 'fail' and result['changed'] is False
    assert result['msg'].startswith('Health check before the demote: 1 health check test(s) in state FAILED/EXCEPTION')
    assert 'ovs-processes-test FAILED' in result['msg']
    assert not any(c[1:2] == ['setup'] for c in node.calls)


def test_unhealthy_after_the_change_fails_changed(node):
    cluster_of(node, 'EXTRA', health=('ctl01', 'ctl03_failed'))
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='master'), node)
    assert status == 'fail' and result['changed'] is True
    assert result['msg'].startswith('Health check after the promote (the node is MASTER now)')


def test_type_change_check_mode_changes_nothing(node):
    cluster_of(node, 'MASTER')
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='extra', min_masters=2), node,
                                       check_mode=True)
    assert status == 'exit' and result['changed'] is True and result['node_type'] == 'EXTRA'
    assert not any(c[1:2] in (['setup'], ['healthcheck']) for c in node.calls)


def test_failed_demote_reports_the_framework_text(node):
    cluster_of(node, 'MASTER')
    text = 'Demote is not supported when single node Arakoon cluster(s) are present on the node to be demoted.'
    node.on(['setup', 'demote', '--rollback-on-failure'],
            (1, boxed(['An unexpected error occurred:', text]), ''))
    status, result, dummy = run_module(ovs_node.main, join_args(node, node_type='extra', min_masters=2), node)
    assert status == 'fail' and result['msg'] == 'ovs setup demote failed (rc 1): ' + text


def test_min_masters_must_be_positive(node):
    status, result, dummy = run_module(ovs_node.main, join_args(node, min_masters=0), node)
    assert status == 'fail' and 'min_masters: 0 is not allowed' in result['msg']


# ------------------------------------------------------------ planning, without running a command

def test_planned_setup_of_a_first_and_of_a_joining_node():
    first = ovs_node.planned_setup(dict(master_ip='10.0.0.1', cluster_ip=None, node_type=None))
    assert first == dict(before=dict(setup_completed=False),
                         after=dict(setup_completed=True, node_type='MASTER', master_ip='10.0.0.1',
                                    cluster_ip='10.0.0.1'))
    joining = ovs_node.planned_setup(dict(master_ip='10.0.0.1', cluster_ip='10.0.0.2', node_type='extra'))
    assert joining['after'] == dict(setup_completed=True, node_type='EXTRA', master_ip='10.0.0.1',
                                    cluster_ip='10.0.0.2')
    unknown = ovs_node.planned_setup(dict(master_ip='10.0.0.1', cluster_ip='10.0.0.2', node_type=None))
    assert unknown['after']['node_type'] is None


@pytest.mark.parametrize('master_ip, cluster_ip, local, error', [
    ('10.0.0.1', None, None, None),
    ('10.0.0.1', None, ['10.0.0.1'], None),
    ('10.0.0.1', '10.0.0.2', ['10.0.0.2'], None),
    ('10.0.0.1', None, ['10.0.0.9'], 'master_ip: 10.0.0.1 is not an IPv4 address of this host; allowed: 10.0.0.9'),
    ('10.0.0.1', '10.0.0.2', [], 'cluster_ip: 10.0.0.2 is not an IPv4 address of this host; allowed: (none found)'),
    ('10.0.0.1', '10.0.0.2', ['10.0.0.1', '10.0.0.2'],
     'master_ip: 10.0.0.1 is an address of this host, but cluster_ip 10.0.0.2 differs from it; give the IP of a '
     'master of the cluster to join, or omit cluster_ip to create a new cluster'),
])
def test_local_ip_error(master_ip, cluster_ip, local, error):
    assert ovs_node.local_ip_error(dict(master_ip=master_ip, cluster_ip=cluster_ip), local) == error


@pytest.mark.parametrize('wanted, current, differs', [
    (None, 'MASTER', False), ('master', 'MASTER', False), ('extra', 'MASTER', True), ('master', None, False),
])
def test_node_type_differs(wanted, current, differs):
    assert ovs_node.node_type_differs(dict(node_type=wanted), dict(node_type=current)) is differs
