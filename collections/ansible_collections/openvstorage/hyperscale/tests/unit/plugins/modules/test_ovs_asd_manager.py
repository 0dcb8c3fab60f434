# -*- coding: utf-8 -*-
"""ovs_asd_manager: validation, preconfig, setup detection, the whole run."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_asd_manager

from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_api import POLL
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, boxed, run_module

NODE_ID = 'aB3dE5fG7hJ9kL1m'
IP_OUTPUT = '2: eth0    inet 172.30.250.31/24 brd 172.30.250.255 scope global eth0\n'
SETUP_OK = '\n'.join([boxed(['ASD Manager setup']), ' - Store settings in DB', ' - Deploying and starting services',
                      ' - Starting watcher service', boxed(['ASD Manager setup completed'])])


@pytest.fixture
def node(tmp_path, monkeypatch):
    paths = dict(id=tmp_path / 'etc' / 'openvstorage_sdm_id', cacc=tmp_path / 'ovs' / 'arakoon_cacc.ini',
                 unit=tmp_path / 'systemd' / 'asd-manager.service', preconfig=tmp_path / 'asd' / 'preconfig.json')
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    paths['id'].write_text(NODE_ID + '\n')
    paths['cacc'].write_text('[global]\ncluster_id = config\n')
    monkeypatch.setattr(ovs_asd_manager, 'SDM_ID_FILE', str(paths['id']))
    monkeypatch.setattr(ovs_asd_manager, 'CACC_INI', str(paths['cacc']))
    monkeypatch.setattr(ovs_asd_manager, 'SERVICE_FILES', (str(paths['unit']),))
    host = FakeHost({'asd-manager': '/usr/bin/asd-manager', 'ip': '/usr/sbin/ip', 'systemctl': '/bin/systemctl'})
    host.on(['-o', '-4', 'addr', 'show'], (0, IP_OUTPUT, ''))
    host.on(['is-active', 'asd-manager'], (0, 'active\n', ''))
    # the fake systemd: the service counts as enabled while paths['enabled'] exists
    paths['enabled'] = tmp_path / 'enabled-marker'
    host.on(['is-enabled', 'asd-manager'],
            lambda argv, kw: (0, 'enabled\n', '') if paths['enabled'].exists() else (1, 'disabled\n', ''))
    host.paths = paths
    return host


def args(node, **extra):
    result = dict(api_ip='172.30.250.31', preconfig_path=str(node.paths['preconfig']))
    result.update(extra)
    return result


def test_port_rule_checked_before_anything(node):
    status, result, dummy = run_module(ovs_asd_manager.main, args(node, api_port=8650), node)
    assert status == 'fail'
    assert ('api_port: 8650 lies in the ASD port range [8600, 8700) given by asd_start_port 8600'
            in result['msg'])
    assert node.calls == []
    assert not node.paths['preconfig'].exists()


@pytest.mark.parametrize('extra,needle', [
    (dict(api_port=80), 'api_port: 80 is out of range; allowed 1025-65535'),
    (dict(asd_start_port=65500), 'asd_start_port: 65500 is out of range; allowed 1025-65435'),
    (dict(asd_ips=['10.0.0.1', 'x']), "asd_ips[1]: 'x' is not a valid IPv4 address"),
    (dict(api_ip='::1'), "api_ip: '::1' is not a valid IPv4 address"),
])
def test_validation_messages(node, extra, needle):
    status, result, dummy = run_module(ovs_asd_manager.main, args(node, **extra), node)
    assert status == 'fail' and needle in result['msg']
    assert node.calls == []


def test_edge_ports_allowed():
    base = dict(api_ip='10.0.0.1', asd_ips=[], ipmi=None)
    assert ovs_asd_manager.validate(dict(base, api_port=8599, asd_start_port=8600)) == []
    assert ovs_asd_manager.validate(dict(base, api_port=8700, asd_start_port=8600)) == []
    assert ovs_asd_manager.validate(dict(base, api_port=8699, asd_start_port=8600))


def test_build_preconfig():
    params = dict(api_ip='10.0.0.1', api_port=8500, asd_ips=['10.0.1.1'], asd_start_port=8600,
                  ipmi=dict(ip='10.0.2.1', username='admin', pwd='secret'))
    assert ovs_asd_manager.build_preconfig(params) == {'asdmanager': {
        'api_ip': '10.0.0.1', 'api_port': 8500, 'asd_ips': ['10.0.1.1'], 'asd_start_port': 8600,
        'ipmi': {'ip': '10.0.2.1', 'username': 'admin', 'pwd': 'secret'}}}
    assert 'ipmi' not in ovs_asd_manager.build_preconfig(dict(params, ipmi=None))['asdmanager']


def test_missing_cacc_fails_clearly(node):
    node.paths['cacc'].unlink()
    status, result, dummy = run_module(ovs_asd_manager.main, args(node), node)
    assert status == 'fail' and 'arakoon_cacc.ini is missing' in result['msg'] and 'controller' in result['msg']
    assert not any(c[1:] == ['setup'] for c in node.calls)


def test_package_missing(node):
    node.paths['id'].unlink()
    status, result, dummy = run_module(ovs_asd_manager.main, args(node), node)
    assert status == 'fail' and 'openvstorage-sdm' in result['msg']


def test_check_mode(node):
    status, result, dummy = run_module(ovs_asd_manager.main, args(node), node, check_mode=True, diff=True)
    assert status == 'exit' and result['changed'] is True
    assert result['diff']['before'] == {'setup_completed': False}
    assert result['diff']['after'] == {'setup_completed': True, 'api_ip': '172.30.250.31', 'api_port': 8500,
                                       'asd_ips': [], 'asd_start_port': 8600}
    assert result['node_id'] == NODE_ID
    assert not node.paths['preconfig'].exists()


def test_setup_then_idempotent(node):
    seen = {}

    def setup(argv, kwargs):
        seen['mode'] = stat.S_IMODE(os.stat(str(node.paths['preconfig'])).st_mode)
        seen['config'] = json.loads(node.paths['preconfig'].read_text())
        node.paths['enabled'].write_text('')
        return 0, SETUP_OK, ''
    node.on(['setup'], setup)
    ipmi = dict(ip='10.20.0.31', username='admin', pwd='Ipmi-Secret')
    status, result, dummy = run_module(ovs_asd_manager.main, args(node, ipmi=ipmi), node, diff=True)
    assert status == 'exit', result
    assert result['changed'] is True and result['node_id'] == NODE_ID
    assert seen['mode'] == 0o600
    assert seen['config']['asdmanager']['api_ip'] == '172.30.250.31'
    assert seen['config']['asdmanager']['ipmi']['pwd'] == 'Ipmi-Secret'
    assert 'Ipmi-Secret' not in json.dumps(result)
    assert node.paths['preconfig'].exists()  # asd-manager remove needs it
    status, result, warnings = run_module(ovs_asd_manager.main, args(node, ipmi=ipmi), node)
    assert status == 'exit' and result['changed'] is False and warnings == []
    assert result['service_active'] is True
    assert len([c for c in node.calls if c[1:] == ['setup']]) == 1


CACC = '[global]\ncluster_id = config\n[config]\nip = 172.30.250.11\nport = 26400\n'


def answer_setup(node, seen):
    """``asd-manager setup`` succeeds, enables the service and records the client file it found."""
    def setup(argv, kwargs):
        seen['cacc'] = node.paths['cacc'].read_text()
        node.paths['enabled'].write_text('')
        return 0, SETUP_OK, ''
    node.on(['setup'], setup)


def test_config_client_is_written_before_the_setup(node):
    node.paths['cacc'].unlink()
    seen = {}
    answer_setup(node, seen)
    status, result, dummy = run_module(ovs_asd_manager.main, args(node, config_client=CACC), node)
    assert status == 'exit' and result['changed'] is True, result
    assert seen['cacc'] == CACC


def test_config_client_on_a_set_up_node_changes_only_when_it_differs(node):
    answer_setup(node, {})
    run_module(ovs_asd_manager.main, args(node, config_client=CACC), node)
    status, result, dummy = run_module(ovs_asd_manager.main, args(node, config_client=CACC), node)
    assert status == 'exit' and result['changed'] is False and result['config_client_written'] is False, result
    moved = CACC.replace('172.30.250.11', '172.30.250.12')
    status, result, dummy = run_module(ovs_asd_manager.main, args(node, config_client=moved), node, check_mode=True)
    assert result['changed'] is True and result['config_client_written'] is True, result
    assert node.paths['cacc'].read_text() == CACC  # check mode wrote nothing
    status, result, dummy = run_module(ovs_asd_manager.main, args(node, config_client=moved), node)
    assert result['changed'] is True and node.paths['cacc'].read_text() == moved
    assert len([c for c in node.calls if c[1:] == ['setup']]) == 1


def test_set_up_node_with_other_settings_warns(node):
    node.paths['enabled'].write_text('')
    node.paths['preconfig'].write_text(json.dumps({'asdmanager': {'api_ip': '172.30.250.31', 'api_port': 8500,
                                                                  'asd_ips': [], 'asd_start_port': 8600}}))
    status, result, warnings = run_module(ovs_asd_manager.main, args(node, api_port=8501), node)
    assert status == 'exit' and result['changed'] is False
    assert result['api_port'] == 8500
    assert len(warnings) == 1 and 'api_port=8500' in warnings[0]


def test_setup_failure_box(node):
    node.on(['setup'], (1, boxed(['ASD Manager setup']) + '\n- Verifying distribution\n\n' +
                        boxed(['Could not connect to Arakoon']), ''))
    status, result, dummy = run_module(ovs_asd_manager.main, args(node), node)
    assert status == 'fail'
    assert result['msg'] == 'asd-manager setup failed (rc 1): Could not connect to Arakoon'
    assert result['cmd'] == ['/usr/bin/asd-manager', 'setup']


def test_api_ip_must_be_local(node):
    status, result, dummy = run_module(ovs_asd_manager.main, args(node, api_ip='172.30.250.32'), node)
    assert status == 'fail'
    assert result['msg'] == 'api_ip: 172.30.250.32 is not an IPv4 address of this host; allowed: 172.30.250.31'


def test_unit_shipped_but_not_enabled_is_not_set_up(node):
    node.paths['unit'].write_text('[Unit]\n')  # a package may ship the unit; the setup enables it

    def setup(argv, kwargs):
        node.paths['enabled'].write_text('')
        return 0, SETUP_OK, ''
    node.on(['setup'], setup)
    status, result, dummy = run_module(ovs_asd_manager.main, args(node), node)
    assert status == 'exit' and result['changed'] is True


def test_without_systemctl_the_unit_file_tells(node):
    del node.bins['systemctl']
    node.paths['unit'].write_text('[Unit]\n')
    status, result, dummy = run_module(ovs_asd_manager.main, args(node), node)
    assert status == 'exit' and result['changed'] is False
    assert result['service_active'] is None
    assert not any(c[1:] == ['setup'] for c in node.calls)


# ---------------------------------------------------------------- state=absent
REMOVE_OK = '\n'.join([boxed(['ASD Manager removal']), ' - Validating configuration management',
                       '  - Retrieving ASD information', ' - Removing disks', ' - Removing services',
                       '   - Removing service asd-watcher', '   - Removing service asd-manager',
                       ' - Removing from configuration management', boxed(['ASD Manager removal completed'])])
ALREADY_REMOVED = '\n'.join([boxed(['ASD Manager removal']), boxed(['The ASD Manager has already been removed'])])
NO_ARAKOON = '\n'.join([boxed(['ASD Manager removal']), ' - Validating configuration management',
                        boxed(['Could not connect to Arakoon'])])


@pytest.fixture
def set_up_node(node, tmp_path, monkeypatch):
    """A set-up node whose ``asd-manager remove --force-yes`` removes the service and the database."""
    database = tmp_path / 'db' / 'main.db'
    database.parent.mkdir()
    database.write_text(u'')
    monkeypatch.setattr(ovs_asd_manager, 'DATABASE_FILE', str(database))
    node.paths['enabled'].write_text(u'')

    def remove(argv, kwargs):
        if not database.exists():
            return 1, ALREADY_REMOVED, ''
        database.unlink()
        if node.paths['enabled'].exists():
            node.paths['enabled'].unlink()
        return 0, REMOVE_OK, ''
    node.on(['remove', '--force-yes'], remove)
    node.paths['db'] = database
    return node


def removals(node):
    return [c for c in node.calls if c[1:] == ['remove', '--force-yes']]


def test_remove_then_idempotent(set_up_node):
    status, result, dummy = run_module(ovs_asd_manager.main, dict(state='absent'), set_up_node, diff=True)
    assert status == 'exit', result
    assert result['changed'] is True and result['setup_completed'] is False and result['node_id'] == NODE_ID
    assert result['diff'] == dict(before=dict(setup_completed=True, node_id=NODE_ID), after=dict(setup_completed=False))
    assert len(removals(set_up_node)) == 1
    status, result, dummy = run_module(ovs_asd_manager.main, dict(state='absent'), set_up_node)
    assert status == 'exit' and result['changed'] is False
    assert len(removals(set_up_node)) == 1


def test_remove_check_mode(set_up_node):
    status, result, dummy = run_module(ovs_asd_manager.main, dict(state='absent'), set_up_node, check_mode=True)
    assert status == 'exit' and result['changed'] is True and result['setup_completed'] is False
    assert removals(set_up_node) == [] and set_up_node.paths['db'].exists()


def test_remove_told_already_removed(set_up_node):
    set_up_node.paths['db'].unlink()  # the service is still enabled, the manager says it is gone
    status, result, dummy = run_module(ovs_asd_manager.main, dict(state='absent'), set_up_node)
    assert status == 'exit' and result['changed'] is False
    assert len(removals(set_up_node)) == 1


def test_remove_without_configuration_store(set_up_node):
    set_up_node.on(['remove', '--force-yes'], (1, NO_ARAKOON, ''))
    status, result, dummy = run_module(ovs_asd_manager.main, dict(state='absent'), set_up_node)
    assert status == 'fail'
    assert result['msg'] == 'asd-manager remove --force-yes failed (rc 1): Could not connect to Arakoon'


def test_remove_without_package(set_up_node):
    set_up_node.bins.pop('asd-manager')
    status, result, dummy = run_module(ovs_asd_manager.main, dict(state='absent'), set_up_node)
    assert status == 'exit' and result['changed'] is False


def test_remove_refused_while_alba_node_has_claimed_osds(set_up_node, alba, tmp_path):
    """Against the emulated API with the ASD manager of str01 (tests/unit/emulator_alba.py, fixture ``alba``):
    str01 registered through it, an ASD of sdc claimed by be1."""
    guid = alba.asd_manager.register()['guid']
    alba.asd_manager.claim(alba.alba_backend('be1'), 'sdc', 1)
    [asd_id] = [osd['osd_id'] for osd in alba.find('albaosd')]
    options = dict(state='absent', ovs_api=api_args(alba, tmp_path))
    status, result, dummy = run_module(ovs_asd_manager.main, options, set_up_node)
    assert status == 'fail'
    assert result['msg'] == (
        'ASD node {0} is still registered as ALBA node str01 ({1}) with claimed OSDs {2}: remove the ALBA node '
        'first (openvstorage.hyperscale.alba_node with state=absent, which purges its OSDs after a safety '
        'check); asd-manager remove does not purge OSDs from their backends'.format(NODE_ID, guid, asd_id))
    assert removals(set_up_node) == []
    # the OSD removed from be1 (reset_osd: purged, a fresh unclaimed ASD made in its place)
    alba.prepare(lambda client: client.wait_for_task(client.post('alba/nodes/{0}/reset_osd/'.format(guid), dict(
        osd_id=asd_id, safety=dict(good=0, critical=0, lost=0))), interval=POLL))
    status, result, warnings = run_module(ovs_asd_manager.main, options, set_up_node)
    assert status == 'exit' and result['changed'] is True
    assert warnings[0].startswith('ASD node {0} is still registered as ALBA node str01'.format(NODE_ID))
    # the ALBA node removed (DELETE /api/alba/nodes/<guid>/, its task)
    alba.prepare(lambda client: client.wait_for_task(client.delete('alba/nodes/{0}'.format(guid)), interval=POLL))
    set_up_node.paths['db'].write_text(u'')
    status, result, warnings = run_module(ovs_asd_manager.main, options, set_up_node)
    assert status == 'exit' and warnings == []
    assert alba.writes() == []  # the module only reads the API
