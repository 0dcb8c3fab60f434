# -*- coding: utf-8 -*-
"""alba_node against the emulated framework API with the ASD manager of str01 (tests/unit/emulator_alba.py,
fixture ``alba``): str01 set up but not registered, its disks sdb (ctl01's DB partition: it holds data), sdc and
sdd (empty); RUNNING backends be1, other-be (LOCAL) and global (GLOBAL)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import alba_node

from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_alba import NODE_ID, SDB, SDC, SDD, manager_call
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module


@pytest.fixture
def server(alba):
    alba.backend = alba.alba_backend('be1')
    return alba


def args(server, tmp_path, **extra):
    options = dict(node_id=NODE_ID)
    options.update(extra)
    return api_args(server, tmp_path, **options)


def run(server, tmp_path, check_mode=False, diff=False, **extra):
    return run_module(alba_node.main, args(server, tmp_path, **extra), FakeHost(), check_mode=check_mode, diff=diff)


def register(server, name='str01'):
    """str01 registered through the API; its guid."""
    return server.asd_manager.register(name)['guid']


def asds(server, slot_id):
    """{asd id: claimed_by} of a slot of str01 (its stack, read through the API)."""
    guid = server.find('albanode', node_id=NODE_ID)[0]['guid']
    stack = server.prepare(lambda client: client.get('alba/nodes/{0}'.format(guid), contents='stack'))['stack']
    return dict((asd_id, osd.get('claimed_by')) for asd_id, osd in stack[slot_id].get('osds', {}).items())


FULL = dict(name='str01', slots=[dict(disk='sdc'), dict(disk='/dev/sdd', asds=2)], backend='be1')
DATA_DISK = dict(device='/dev/sdb', asds=0, claimed_by=[])


def test_register_fill_claim_then_idempotent(server, tmp_path):
    status, result, dummy = run(server, tmp_path, diff=True, **FULL)
    assert status == 'exit', result
    assert result['changed'] is True
    guid = server.find('albanode', node_id=NODE_ID)[0]['guid']
    # the node's address is its ASD manager's (in-process on 127.0.0.1); sdb is a slot too, holding data
    assert result['node'] == dict(guid=guid, node_id=NODE_ID, ip='127.0.0.1', slots={
        SDB: DATA_DISK, SDC: dict(device='/dev/sdc', asds=1, claimed_by=['be1']),
        SDD: dict(device='/dev/sdd', asds=2, claimed_by=['be1'])})
    assert result['diff'] == dict(
        before=dict(node_id=NODE_ID, registered=False, slots={SDC: dict(asds=0, claimed_by=[]),
                                                              SDD: dict(asds=0, claimed_by=[])}),
        after=dict(node_id=NODE_ID, registered=True, slots={SDC: dict(asds=1, claimed_by=['be1']),
                                                            SDD: dict(asds=2, claimed_by=['be1'])}))
    posts = server.writes()
    assert posts[0] == ('POST', '/api/alba/nodes/', dict(node_id=NODE_ID, node_type='ASD', name='str01'))
    assert posts[1] == ('POST', '/api/alba/nodes/{0}/fill_slots/'.format(guid),
                        dict(osd_information=[dict(slot_id=SDC, count=1), dict(slot_id=SDD, count=2)]))
    assert posts[2][1] == '/api/alba/backends/{0}/add_osds/'.format(server.backend)
    assert posts[2][2]['alba_node_guid'] == guid
    osds = posts[2][2]['osds']
    # the ASDs listen on the node's asd_ips (asd-manager setup's), not on its API address
    assert len(osds) == 3 and all(o['osd_type'] == 'ASD' and o['ips'] == ['172.30.250.31'] for o in osds)
    assert sorted(o['slot_id'] for o in osds) == [SDC, SDD, SDD]
    assert len(posts) == 3
    assert server.find('albanode', node_id=NODE_ID)[0]['name'] == 'str01'
    assert set(asds(server, SDD).values()) == set([server.backend])
    status, result, dummy = run(server, tmp_path, diff=True, **FULL)
    assert status == 'exit' and result['changed'] is False
    assert result['diff'] == dict(before={}, after={})
    assert len(server.writes()) == 3


def test_check_mode_makes_no_post(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, **FULL)
    assert status == 'exit' and result['changed'] is True, result
    assert result['node']['slots'][SDD] == dict(device='/dev/sdd', asds=2, claimed_by=['be1'])
    assert result['diff']['after']['slots'][SDC] == dict(asds=1, claimed_by=['be1'])
    assert result['diff']['before']['registered'] is False
    assert server.writes() == []
    assert server.find('albanode', node_id=NODE_ID) == []


def test_only_missing_asds_and_unclaimed_ones(server, tmp_path):
    register(server)
    server.asd_manager.claim(server.backend, 'sdd', 1)
    status, result, dummy = run(server, tmp_path, diff=True, slots=[dict(slot_id=SDD, asds=2)], backend='be1')
    assert status == 'exit', result
    posts = server.writes()
    assert posts[0][2] == dict(osd_information=[dict(slot_id=SDD, count=1)])
    assert len(posts[1][2]['osds']) == 1
    assert result['diff'] == dict(before=dict(node_id=NODE_ID, slots={SDD: dict(asds=1, claimed_by=['be1'])}),
                                  after=dict(node_id=NODE_ID, slots={SDD: dict(asds=2, claimed_by=['be1'])}))
    assert list(asds(server, SDD).values()) == [server.backend] * 2


def test_fill_without_backend(server, tmp_path):
    guid = register(server)
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdc')])
    assert status == 'exit' and result['changed'] is True
    assert result['node']['slots'][SDC] == dict(device='/dev/sdc', asds=1, claimed_by=[])
    assert [c[1] for c in server.writes()] == ['/api/alba/nodes/{0}/fill_slots/'.format(guid)]


def test_more_asds_than_asked_warns(server, tmp_path):
    register(server)
    server.asd_manager.fill('sdc', 2)
    status, result, warnings = run(server, tmp_path, slots=[dict(disk='sdc')])
    assert status == 'exit' and result['changed'] is False
    assert 'slot {0} has 2 ASDs, more than the 1 asked for'.format(SDC) in warnings[0]


def test_prepared_disk_without_asd_needs_force(server, tmp_path):
    """A disk the ASD manager prepared (formatted, mounted) whose ASDs were removed on the node: not available,
    no ASD."""
    register(server)
    server.asd_manager.fill('sdc', 1)
    [asd_id] = asds(server, SDC)
    manager_call(server, 'DELETE', 'slots/{0}/asds/{1}'.format(SDC, asd_id))
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdc')])
    assert status == 'fail'
    assert result['msg'] == ('slots[0].disk: sdc: slot {0} (/dev/sdc) is not available and has no ASD: the disk '
                             'holds data (status empty); set force=true to initialise it anyway, losing that '
                             'data'.format(SDC))
    assert server.writes() == []
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdc')], force=True)
    assert status == 'exit' and result['changed'] is True
    assert result['node']['slots'][SDC]['asds'] == 1


def test_disk_with_data_needs_force_and_the_asd_manager_refuses_it(server, tmp_path):
    """sdb carries ctl01's partitions: the ASD manager never makes an ASD on it, also with force."""
    guid = register(server)
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdb')])
    assert status == 'fail'
    assert result['msg'] == ('slots[0].disk: sdb: slot {0} (/dev/sdb) is not available and has no ASD: the disk '
                             'holds data (status error); set force=true to initialise it anyway, losing that '
                             'data'.format(SDB))
    assert server.writes() == []
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdb')], force=True)
    assert status == 'fail'
    assert 'Disk with alias {0} not available'.format(SDB) in result['msg']
    assert [c[1] for c in server.writes()] == ['/api/alba/nodes/{0}/fill_slots/'.format(guid)]
    assert asds(server, SDB) == {}


def test_asd_claimed_by_another_backend(server, tmp_path):
    register(server)
    server.asd_manager.claim(server.alba_backend('other-be'), 'sdc', 1)
    [asd_id] = asds(server, SDC)
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdc'), dict(disk='sdd')], backend='be1')
    assert status == 'fail'
    assert result['msg'] == ('slots[0].disk: sdc: ASD {0} of slot {1} is claimed by ALBA backend other-be, not by '
                             'be1'.format(asd_id, SDC))
    assert server.writes() == []


def test_node_not_found(server, tmp_path):
    status, result, dummy = run(server, tmp_path, node_id='NoSuChNoDe000000')
    assert status == 'fail'
    assert result['msg'].startswith('ASD node NoSuChNoDe000000 is neither registered nor discoverable')


def test_unknown_slot(server, tmp_path):
    register(server)
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdz'), dict(slot_id='nope')])
    assert status == 'fail'
    assert result['msg'] == ('slots[0].disk: sdz is not a slot of the node; slots[1].slot_id: nope is not a slot of '
                             'the node; the slots of node {0} are: {1} (/dev/sdc), {2} (/dev/sdb), {3} '
                             '(/dev/sdd)'.format(NODE_ID, SDC, SDB, SDD))


@pytest.mark.parametrize('extra, text', [
    (dict(slots=[dict(disk='sdb', asds=0)]), 'slots[0].asds: 0 - allowed: 1 or more ASDs per slot'),
    (dict(name='x'), "name: 'x' - Invalid name specified"),
    (dict(slots=[dict(disk='sdb', slot_id='x')]), 'mutually exclusive'),
    (dict(slots=[dict(asds=1)]), 'one of the following is required'),
])
def test_validation(server, tmp_path, extra, text):
    status, result, dummy = run(server, tmp_path, **extra)
    assert status == 'fail' and text in result['msg'], result
    assert server.requests == []


def test_backend_must_be_local_and_exist(server, tmp_path):
    status, result, dummy = run(server, tmp_path, backend='global')
    assert status == 'fail' and result['msg'] == 'backend: global has scaling GLOBAL; ASDs are claimed by LOCAL backends only'
    status, result, dummy = run(server, tmp_path, backend='nope')
    assert status == 'fail' and result['msg'].startswith('ALBA backend nope does not exist')
    assert server.writes() == []


def test_registered_name_not_changed(server, tmp_path):
    register(server, name='old')
    status, result, warnings = run(server, tmp_path, name='str01')
    assert status == 'exit' and result['changed'] is False
    assert "registered with the name 'old'" in warnings[0]
    assert server.find('albanode', node_id=NODE_ID)[0]['name'] == 'old'
