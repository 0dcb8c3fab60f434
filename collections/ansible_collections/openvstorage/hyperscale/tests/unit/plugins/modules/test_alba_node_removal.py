# -*- coding: utf-8 -*-
"""alba_node remove_disks and state=absent against the fake API, with the alba CLI of a controller."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import alba_node

from ansible_collections.openvstorage.hyperscale.tests.unit.fake_alba_api import FakeAlbaApiServer
from ansible_collections.openvstorage.hyperscale.tests.unit.fake_alba_cli import controller_host, safety_layout
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import api_args, run_module

SDB = 'ata-QEMU_HARDDISK_AsDn-sdb'
SDC = 'ata-QEMU_HARDDISK_AsDn-sdc'


@pytest.fixture
def server(tmp_path, cacc):
    srv = FakeAlbaApiServer(str(tmp_path)).start()
    safety_layout(srv.ovs)
    yield srv
    srv.stop()


def run(server, tmp_path, check_mode=False, diff=False, **extra):
    options = dict(node_id=server.ovs.str01['node_id'])
    options.update(extra)
    host = controller_host(server.ovs)
    status, result, warnings = run_module(alba_node.main, api_args(server, tmp_path, **options), host,
                                          check_mode=check_mode, diff=diff)
    return status, result, warnings


def changes(server):
    return [(method, path.split('/')[-2], body) for method, path, body in server.ovs.posts()]


def test_remove_disk_then_idempotent(server, tmp_path):
    ovs = server.ovs
    status, result, warnings = run(server, tmp_path, diff=True, remove_disks=['sdc'])
    assert status == 'exit', result
    assert result['changed'] is True and warnings == []
    assert result['removed_slots'] == [SDC] and result['removed_osds'] == sorted(ovs.sdc)
    assert result['safety'] == {'be1': dict(good=3, critical=0, lost=0, osds=sorted(ovs.sdc), unknown=[])}
    assert changes(server) == [
        ('POST', 'reset_osd', dict(osd_id=sorted(ovs.sdc)[0], safety=dict(good=3, critical=0, lost=0))),
        ('POST', 'reset_osd', dict(osd_id=sorted(ovs.sdc)[1], safety=dict(good=3, critical=0, lost=0))),
        ('POST', 'remove_slot', dict(slot=SDC))]
    assert ovs.purging == set(ovs.sdc)
    assert ovs.str01['slots'][SDC]['osds'] == {} and ovs.str01['slots'][SDC]['available'] is True
    assert result['node']['slots'][SDC] == dict(device='/dev/sdc', asds=0, claimed_by=[])
    assert result['diff'] == dict(before=dict(node_id=ovs.str01['node_id'], slots={SDC: dict(asds=2, claimed_by=['be1'])}),
                                  after=dict(node_id=ovs.str01['node_id'], slots={SDC: dict(asds=0, claimed_by=[])}))
    status, result, warnings = run(server, tmp_path, diff=True, remove_disks=['/dev/sdc'])
    assert status == 'exit' and result['changed'] is False, result
    assert result['removed_slots'] == [] and result['diff'] == dict(before={}, after={})
    assert len(changes(server)) == 3


def test_remove_disk_check_mode(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, remove_disks=['sdc'])
    assert status == 'exit' and result['changed'] is True, result
    assert result['removed_osds'] == sorted(server.ovs.sdc)
    assert result['node']['slots'][SDC]['asds'] == 0
    assert result['diff']['after']['slots'] == {SDC: dict(asds=0, claimed_by=[])}
    assert changes(server) == []


def test_at_risk_refused_before_any_change_then_allowed(server, tmp_path):
    ovs = server.ovs
    ovs.purging.add(ovs.other)  # str02's ASD is being repaired: ns-b has no spare left after sdb
    status, result, dummy = run(server, tmp_path, remove_disks=['sdc', 'sdb'])
    assert status == 'fail'
    assert 'would lose data (lost 2, critical 0, good 1 namespace(s)): refused' in result['msg']
    ovs.repair()
    status, result, dummy = run(server, tmp_path, remove_disks=['sdc', 'sdb'])
    assert status == 'fail'
    assert result['msg'].startswith('Removing OSD(s) {0} from ALBA backend be1 would bring data at risk (lost 0, '
                                    'critical 2, good 1 namespace(s);'.format(', '.join(sorted(ovs.sdc + [ovs.sdb]))))
    assert changes(server) == []
    status, result, dummy = run(server, tmp_path, remove_disks=['sdc', 'sdb'], allow='at_risk')
    assert status == 'exit', result
    assert result['removed_slots'] == [SDC, SDB]
    assert [c[1] for c in changes(server)] == ['reset_osd'] * 3 + ['remove_slot'] * 2


def test_safety_changed_just_before_reset(server, tmp_path):
    ovs = server.ovs
    ovs.calculate_safety = lambda guid, ids: dict(good=0, critical=0, lost=1)
    status, result, dummy = run(server, tmp_path, remove_disks=['sdc'])
    assert status == 'fail'
    assert result['msg'].endswith('(calculate_safety, just before its reset_osd); OSDs already removed: none')
    assert changes(server) == []


def test_unclaimed_asds_left_by_an_interrupted_run(server, tmp_path):
    ovs = server.ovs
    ovs.make_asd(ovs.str01, SDB)  # a fresh unclaimed ASD, as reset_osd leaves it
    for asd_id in list(ovs.str01['slots'][SDB]['osds']):
        if ovs.str01['slots'][SDB]['osds'][asd_id]['claimed_by']:
            ovs.purge_asd(ovs.str01, SDB, asd_id)
    status, result, dummy = run(server, tmp_path, remove_disks=['sdb'])
    assert status == 'exit' and result['changed'] is True, result
    assert result['removed_osds'] == [] and result['safety'] == {}
    assert changes(server) == [('POST', 'remove_slot', dict(slot=SDB))]


def test_swapped_disk_is_warned_and_unchanged(server, tmp_path):
    del server.ovs.str01['slots'][SDC]
    status, result, warnings = run(server, tmp_path, remove_disks=['sdc'])
    assert status == 'exit' and result['changed'] is False
    assert warnings == ['remove_disks[0]: sdc is not a slot of node AsDnOdE000000001 (already removed or swapped); '
                        'the slots of the node are: {0} (/dev/sdb)'.format(SDB)]


def test_not_on_a_controller(server, tmp_path, cacc):
    cacc.unlink()
    status, result, dummy = run(server, tmp_path, remove_disks=['sdc'])
    assert status == 'fail' and 'run this task there (delegate_to the install master)' in result['msg']
    assert changes(server) == []


def test_absent_then_idempotent(server, tmp_path):
    ovs = server.ovs
    guid = ovs.str01['guid']
    status, result, dummy = run(server, tmp_path, diff=True, state='absent', allow='at_risk')
    assert status == 'exit', result
    osds = sorted(ovs.sdc + [ovs.sdb])
    assert result['changed'] is True and result['node'] is None
    assert result['removed_osds'] == osds and result['removed_slots'] == [SDB, SDC]
    assert result['safety']['be1'] == dict(good=1, critical=2, lost=0, osds=osds, unknown=[])
    assert [c[:2] for c in changes(server)] == [('POST', 'reset_osd')] * 3 + [('DELETE', guid)]
    assert guid not in ovs.nodes and ovs.str01 in ovs.unregistered
    assert result['diff'] == dict(
        before=dict(node_id=ovs.str01['node_id'], registered=True, guid=guid,
                    slots={SDB: dict(asds=1, claimed_by=['be1']), SDC: dict(asds=2, claimed_by=['be1'])}),
        after=dict(node_id=ovs.str01['node_id'], registered=False))
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
    status, result, dummy = run(server, tmp_path, state='absent', node_id=server.ovs.add_node('EmPtYnOdE0000003',
                                                                                               '172.30.250.33')['node_id'])
    assert status == 'exit' and result['changed'] is True and result['safety'] == {}
    assert [c[0] for c in changes(server)] == ['DELETE']


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
    assert server.ovs.requests == []


def test_absent_dead_node_is_deleted_without_reset(server, tmp_path):
    """A node whose ASD manager does not answer: the API shows its OSDs nodedown; the combined safety is
    still checked (it refuses at risk), then the node removal purges the OSDs without a reset_osd each."""
    ovs = server.ovs
    for slot in ovs.str01['slots'].values():
        for osd in (slot.get('osds') or {}).values():
            osd.update(status='unknown', status_detail='nodedown')
    status, result, dummy = run(server, tmp_path, state='absent')
    assert status == 'fail' and 'would bring data at risk' in result['msg'] and changes(server) == []
    status, result, warnings = run(server, tmp_path, state='absent', allow='at_risk')
    assert status == 'exit' and result['changed'] is True, result
    assert [c[:2] for c in changes(server)] == [('DELETE', ovs.str01['guid'])]
    assert warnings and 'does not answer' in warnings[0]
