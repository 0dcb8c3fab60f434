# -*- coding: utf-8 -*-
"""alba_node remove_disks and state=absent against the emulated framework API with the ASD manager of str01, and
the emulator's alba command on the controller (tests/unit/emulator_alba.py, fixture ``asds``): be1 claims 2 ASDs
of str01 on sdc and 1 on sdd (sdd has an unclaimed one too), and 2 ASDs of another node (``other``, ``spare``);
its namespaces ns-a (sdc, sdd, other: survives 3 lost OSDs), ns-b (sdd, other: survives 1) and ns-empty."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import alba_node

from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_alba import (
    OTHER_NODE,
    REFUSED,
    SDB,
    SDC,
    SDD,
    controller_host,
)
from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_api import model, paths, volatile_node
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import api_args, run_module


@pytest.fixture
def server(asds, cacc):
    return asds


def run(server, tmp_path, check_mode=False, diff=False, **extra):
    options = dict(node_id=server.layout.node_id)
    options.update(extra)
    status, result, warnings = run_module(alba_node.main, api_args(server, tmp_path, **options),
                                          controller_host(server.store), check_mode=check_mode, diff=diff)
    return status, result, warnings


def changes(server):
    return [(method, path.split('/')[-2], body) for method, path, body in server.writes()]


def stack(server):
    guid = server.layout.guid
    return server.prepare(lambda client: client.get('alba/nodes/{0}'.format(guid), contents='stack'))['stack']


def safety(server, long_id):
    """The API's calculate_safety of one OSD of be1 (its task's result)."""
    backend = server.alba_backend('be1')
    return server.prepare(lambda client: client.wait_for_task(client.get(
        'alba/backends/{0}/calculate_safety'.format(backend), params=dict(asd_id=long_id)), interval=0.02))


def test_remove_disk_then_idempotent(server, tmp_path):
    layout = server.layout
    status, result, warnings = run(server, tmp_path, diff=True, remove_disks=['sdc'])
    assert status == 'exit', result
    assert result['changed'] is True and warnings == []
    assert result['removed_slots'] == [SDC] and result['removed_osds'] == layout.sdc
    assert result['safety'] == {'be1': dict(good=3, critical=0, lost=0, osds=layout.sdc, unknown=[])}
    assert changes(server) == [
        ('POST', 'reset_osd', dict(osd_id=layout.sdc[0], safety=dict(good=3, critical=0, lost=0))),
        ('POST', 'reset_osd', dict(osd_id=layout.sdc[1], safety=dict(good=3, critical=0, lost=0))),
        ('POST', 'remove_slot', dict(slot=SDC))]
    # purged from be1 (their data is repaired by the maintenance agents), the disk released
    assert not set(layout.sdc) & set(layout.claimed())
    assert stack(server)[SDC].get('osds', {}) == {} and stack(server)[SDC]['available'] is True
    assert result['node']['slots'][SDC] == dict(device='/dev/sdc', asds=0, claimed_by=[])
    assert result['diff'] == dict(before=dict(node_id=layout.node_id, slots={SDC: dict(asds=2, claimed_by=['be1'])}),
                                  after=dict(node_id=layout.node_id, slots={SDC: dict(asds=0, claimed_by=[])}))
    status, result, warnings = run(server, tmp_path, diff=True, remove_disks=['/dev/sdc'])
    assert status == 'exit' and result['changed'] is False, result
    assert result['removed_slots'] == [] and result['diff'] == dict(before={}, after={})
    assert len(changes(server)) == 3


def test_remove_disk_check_mode(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, remove_disks=['sdc'])
    assert status == 'exit' and result['changed'] is True, result
    assert result['removed_osds'] == server.layout.sdc
    assert result['node']['slots'][SDC]['asds'] == 0
    assert result['diff']['after']['slots'] == {SDC: dict(asds=0, claimed_by=[])}
    assert changes(server) == []
    assert len(stack(server)[SDC]['osds']) == 2


def test_at_risk_refused_before_any_change_then_allowed(server, tmp_path):
    layout = server.layout
    layout.purge(layout.other)  # the other node's ASD went; its data is not repaired yet: ns-b has no spare left
    status, result, dummy = run(server, tmp_path, remove_disks=['sdc', 'sdd'])
    assert status == 'fail'
    assert 'would lose data (lost 2, critical 0, good 1 namespace(s)): refused' in result['msg']
    layout.repair()  # onto the spare ASD
    osds = sorted(layout.sdc + [layout.sdd])
    status, result, dummy = run(server, tmp_path, remove_disks=['sdc', 'sdd'])
    assert status == 'fail'
    assert result['msg'].startswith('Removing OSD(s) {0} from ALBA backend be1 would bring data at risk (lost 0, '
                                    'critical 2, good 1 namespace(s);'.format(', '.join(osds)))
    assert changes(server) == []
    status, result, dummy = run(server, tmp_path, remove_disks=['sdc', 'sdd'], allow='at_risk')
    assert status == 'exit', result
    assert result['removed_slots'] == [SDC, SDD]
    assert [c[1] for c in changes(server)] == ['reset_osd'] * 3 + ['remove_slot'] * 2
    assert layout.claimed() == [layout.spare]


def test_safety_changed_just_before_reset(server, tmp_path):
    """An ASD stopped since the combined check: the API's calculate_safety counts it as dead."""
    layout = server.layout
    os.remove(os.path.join(paths.root(), 'active', 'alba-asd-' + layout.sdd))
    status, result, dummy = run(server, tmp_path, remove_disks=['sdc'])
    assert status == 'fail'
    assert result['msg'] == ('Removing OSD(s) {0} from ALBA backend be1 would bring data at risk (lost 0, critical 1, '
                             'good 2 namespace(s); a critical namespace loses data with one more failed disk): '
                             'refused. Wait until the maintenance agents have repaired earlier removals (health check '
                             'alba-disk-safety-test) or add ASDs first; to remove them anyway allow at_risk '
                             '(calculate_safety, just before its reset_osd); OSDs already removed: '
                             'none'.format(layout.sdc[0]))
    assert changes(server) == []


def test_unclaimed_asds_left_by_an_interrupted_run(server, tmp_path):
    layout = server.layout
    # a run that reset sdd's claimed ASD (purged, a fresh unclaimed one made) and stopped before its remove_slot
    server.prepare(lambda client: client.wait_for_task(client.post('alba/nodes/{0}/reset_osd/'.format(layout.guid), {
        'osd_id': layout.sdd, 'safety': safety(server, layout.sdd)}), interval=0.02))
    assert [osd.get('claimed_by') for osd in stack(server)[SDD]['osds'].values()] == [None, None]
    status, result, dummy = run(server, tmp_path, remove_disks=['sdd'])
    assert status == 'exit' and result['changed'] is True, result
    assert result['removed_osds'] == [] and result['safety'] == {}
    assert changes(server) == [('POST', 'remove_slot', dict(slot=SDD))]


def test_pulled_disk_is_warned_and_unchanged(server, tmp_path):
    """sdb (no ASD) taken out of the node: the ASD manager no longer lists its slot."""
    with open(paths.HARDWARE_JSON) as handle:
        hardware = json.load(handle)
    hardware['disks'] = [d for d in hardware['disks'] if d['name'] != 'sdb']
    with open(paths.HARDWARE_JSON, 'w') as handle:
        json.dump(hardware, handle)
    status, result, warnings = run(server, tmp_path, remove_disks=['sdb'])
    assert status == 'exit' and result['changed'] is False
    assert warnings == ['remove_disks[0]: sdb is not a slot of node {0} (already removed or swapped); the slots of the '
                        'node are: {1} (/dev/sdc), {2} (/dev/sdd)'.format(server.layout.node_id, SDC, SDD)]


def test_not_on_a_controller(server, tmp_path, cacc):
    cacc.unlink()
    status, result, dummy = run(server, tmp_path, remove_disks=['sdc'])
    assert status == 'fail' and 'run this task there (delegate_to the install master)' in result['msg']
    assert changes(server) == []


def test_absent_then_idempotent(server, tmp_path):
    layout = server.layout
    stack_before = stack(server)
    status, result, dummy = run(server, tmp_path, diff=True, state='absent', allow='at_risk')
    assert status == 'exit', result
    osds = sorted(layout.sdc + [layout.sdd])
    assert result['changed'] is True and result['node'] is None
    # sdb is not the ASD manager's (it holds ctl01's partitions): the node removal leaves it, so it is not listed
    assert result['removed_osds'] == osds and result['removed_slots'] == [SDC, SDD]
    assert SDB in stack_before and not stack_before[SDB].get('available', True)
    assert result['safety']['be1'] == dict(good=1, critical=2, lost=0, osds=osds, unknown=[])
    assert [c[:2] for c in changes(server)] == [('POST', 'reset_osd')] * 3 + [('DELETE', layout.guid)]
    assert server.find('albanode', guid=layout.guid) == []
    discovered = server.prepare(lambda client: client.list('alba/nodes', contents='node_id',
                                                           params=dict(discover=True)))
    assert layout.node_id in [n['node_id'] for n in discovered]
    assert result['diff'] == dict(
        before=dict(node_id=layout.node_id, registered=True, guid=layout.guid,
                    slots={SDC: dict(asds=2, claimed_by=['be1']), SDD: dict(asds=2, claimed_by=['be1'])}),
        after=dict(node_id=layout.node_id, registered=False))
    status, result, dummy = run(server, tmp_path, diff=True, state='absent')
    assert status == 'exit' and result['changed'] is False and result['diff'] == dict(before={}, after={})
    assert len(changes(server)) == 4


def test_absent_refused_at_risk_and_check_mode(server, tmp_path):
    status, result, dummy = run(server, tmp_path, state='absent')
    assert status == 'fail' and 'would bring data at risk (lost 0, critical 2, good 1 namespace(s);' in result['msg']
    status, result, dummy = run(server, tmp_path, check_mode=True, state='absent', allow='at_risk')
    assert status == 'exit' and result['changed'] is True and len(result['removed_osds']) == 3
    assert changes(server) == []


def test_absent_node_without_claims(server, tmp_path):
    """The other node registered (its ASD manager does not answer) without OSDs in the framework."""
    node = volatile_node(model.Model(server.store), OTHER_NODE)
    assert (node['ip'], node['port']) == REFUSED
    server.model_save('albanode', node)
    status, result, dummy = run(server, tmp_path, state='absent', node_id=OTHER_NODE)
    assert status == 'exit' and result['changed'] is True and result['safety'] == {}
    assert [c[0] for c in changes(server)] == ['DELETE']
    assert server.find('albanode', node_id=OTHER_NODE) == []


@pytest.mark.parametrize('extra, text', [
    (dict(state='absent', slots=[dict(disk='sdb')]), "slots: 1 item(s) - not used with state=absent"),
    (dict(state='absent', backend='be1'), "backend: 'be1' - not used with state=absent"),
    (dict(slots=[dict(disk='sdc')], remove_disks=['sdc']), 'remove_disks[0]: sdc is also listed in slots'),
    (dict(remove_disks=['']), "remove_disks[0]: '' - allowed: a device"),
    (dict(allow='any'), 'value of allow must be one of: none, at_risk'),
])
def test_validation(server, tmp_path, extra, text):
    status, result, dummy = run(server, tmp_path, **extra)
    assert status == 'fail' and text in result['msg'], result
    assert server.requests == []


def test_absent_dead_node_is_deleted_without_reset(server, tmp_path):
    """A node whose ASD manager does not answer: the API shows its OSDs nodedown; the combined safety is
    still checked (it refuses at risk), then the node removal purges the OSDs without a reset_osd each."""
    layout = server.layout
    server.asd_manager.stop()
    assert set(osd['status_detail'] for slot in stack(server).values() for osd in slot['osds'].values()) == set(
        ['nodedown'])
    status, result, dummy = run(server, tmp_path, state='absent')
    assert status == 'fail' and 'would bring data at risk' in result['msg'] and changes(server) == []
    status, result, warnings = run(server, tmp_path, state='absent', allow='at_risk')
    assert status == 'exit' and result['changed'] is True, result
    assert [c[:2] for c in changes(server)] == [('DELETE', layout.guid)]
    assert warnings and 'does not answer' in warnings[0]
    assert layout.claimed() == [layout.other, layout.spare]
