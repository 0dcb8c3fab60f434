# -*- coding: utf-8 -*-
"""alba_node against the fake HTTPS API with the ALBA plugin."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import alba_node

from ansible_collections.openvstorage.hyperscale.tests.unit.fake_alba_api import FakeAlbaApiServer
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module

NODE_ID = 'AsDnOdE000000001'
SDB = 'ata-QEMU_HARDDISK_AsDn-sdb'
SDC = 'ata-QEMU_HARDDISK_AsDn-sdc'


@pytest.fixture
def server(tmp_path):
    srv = FakeAlbaApiServer(str(tmp_path)).start()
    srv.backend = srv.ovs.make_backend('local-be1')
    srv.node = srv.ovs.add_node(NODE_ID, '172.30.250.31', registered=False)
    yield srv
    srv.stop()


def args(server, tmp_path, **extra):
    options = dict(node_id=NODE_ID)
    options.update(extra)
    return api_args(server, tmp_path, **options)


def run(server, tmp_path, check_mode=False, diff=False, **extra):
    return run_module(alba_node.main, args(server, tmp_path, **extra), FakeHost(), check_mode=check_mode, diff=diff)


def register(server):
    server.ovs.unregistered.remove(server.node)
    server.ovs.nodes[server.node['guid']] = server.node


FULL = dict(name='str01', slots=[dict(disk='sdb'), dict(disk='/dev/sdc', asds=2)], backend='local-be1')


def test_register_fill_claim_then_idempotent(server, tmp_path):
    status, result, dummy = run(server, tmp_path, diff=True, **FULL)
    assert status == 'exit', result
    assert result['changed'] is True
    guid = server.node['guid']
    assert result['node'] == dict(guid=guid, node_id=NODE_ID, ip='172.30.250.31', slots={
        SDB: dict(device='/dev/sdb', asds=1, claimed_by=['local-be1']),
        SDC: dict(device='/dev/sdc', asds=2, claimed_by=['local-be1'])})
    assert result['diff'] == dict(
        before=dict(node_id=NODE_ID, registered=False, slots={SDB: dict(asds=0, claimed_by=[]),
                                                              SDC: dict(asds=0, claimed_by=[])}),
        after=dict(node_id=NODE_ID, registered=True, slots={SDB: dict(asds=1, claimed_by=['local-be1']),
                                                            SDC: dict(asds=2, claimed_by=['local-be1'])}))
    posts = server.ovs.posts()
    assert posts[0] == ('POST', '/api/alba/nodes/', dict(node_id=NODE_ID, node_type='ASD', name='str01'))
    assert posts[1] == ('POST', '/api/alba/nodes/{0}/fill_slots/'.format(guid),
                        dict(osd_information=[dict(slot_id=SDB, count=1), dict(slot_id=SDC, count=2)]))
    assert posts[2][1] == '/api/alba/backends/{0}/add_osds/'.format(server.backend)
    assert posts[2][2]['alba_node_guid'] == guid
    osds = posts[2][2]['osds']
    assert len(osds) == 3 and all(o['osd_type'] == 'ASD' and o['ips'] == ['172.30.250.31'] for o in osds)
    assert sorted(o['slot_id'] for o in osds) == [SDB, SDC, SDC]
    assert len(posts) == 3
    status, result, dummy = run(server, tmp_path, diff=True, **FULL)
    assert status == 'exit' and result['changed'] is False
    assert result['diff'] == dict(before={}, after={})
    assert len(server.ovs.posts()) == 3


def test_check_mode_makes_no_post(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, **FULL)
    assert status == 'exit' and result['changed'] is True, result
    assert result['node']['slots'][SDC] == dict(device='/dev/sdc', asds=2, claimed_by=['local-be1'])
    assert result['diff']['after']['slots'][SDB] == dict(asds=1, claimed_by=['local-be1'])
    assert result['diff']['before']['registered'] is False
    assert server.ovs.posts() == []


def test_only_missing_asds_and_unclaimed_ones(server, tmp_path):
    register(server)
    server.ovs.make_asd(server.node, SDC, claimed_by=server.backend)
    status, result, dummy = run(server, tmp_path, diff=True, slots=[dict(slot_id=SDC, asds=2)], backend='local-be1')
    assert status == 'exit', result
    posts = server.ovs.posts()
    assert posts[0][2] == dict(osd_information=[dict(slot_id=SDC, count=1)])
    assert len(posts[1][2]['osds']) == 1
    assert result['diff'] == dict(before=dict(node_id=NODE_ID, slots={SDC: dict(asds=1, claimed_by=['local-be1'])}),
                                  after=dict(node_id=NODE_ID, slots={SDC: dict(asds=2, claimed_by=['local-be1'])}))


def test_fill_without_backend(server, tmp_path):
    register(server)
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdb')])
    assert status == 'exit' and result['changed'] is True
    assert result['node']['slots'][SDB] == dict(device='/dev/sdb', asds=1, claimed_by=[])
    assert [c[1] for c in server.ovs.posts()] == ['/api/alba/nodes/{0}/fill_slots/'.format(server.node['guid'])]


def test_more_asds_than_asked_warns(server, tmp_path):
    register(server)
    server.ovs.make_asd(server.node, SDB)
    server.ovs.make_asd(server.node, SDB)
    status, result, warnings = run(server, tmp_path, slots=[dict(disk='sdb')])
    assert status == 'exit' and result['changed'] is False
    assert 'slot {0} has 2 ASDs, more than the 1 asked for'.format(SDB) in warnings[0]


def test_disk_with_data_needs_force(server, tmp_path):
    register(server)
    server.node['slots'][SDB].update(available=False, status='error')
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdb')])
    assert status == 'fail'
    assert result['msg'] == ('slots[0].disk: sdb: slot {0} (/dev/sdb) is not available and has no ASD: the disk '
                             'holds data (status error); set force=true to initialise it anyway, losing that '
                             'data'.format(SDB))
    assert server.ovs.posts() == []
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdb')], force=True)
    assert status == 'exit' and result['changed'] is True
    assert result['node']['slots'][SDB]['asds'] == 1


def test_asd_claimed_by_another_backend(server, tmp_path):
    register(server)
    other = server.ovs.make_backend('other-be')
    asd_id = server.ovs.make_asd(server.node, SDB, claimed_by=other)
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdb'), dict(disk='sdc')], backend='local-be1')
    assert status == 'fail'
    assert result['msg'] == ('slots[0].disk: sdb: ASD {0} of slot {1} is claimed by ALBA backend other-be, not by '
                             'local-be1'.format(asd_id, SDB))
    assert server.ovs.posts() == []


def test_node_not_found(server, tmp_path):
    status, result, dummy = run(server, tmp_path, node_id='NoSuChNoDe000000')
    assert status == 'fail'
    assert result['msg'].startswith('ASD node NoSuChNoDe000000 is neither registered nor discoverable')


def test_unknown_slot(server, tmp_path):
    register(server)
    status, result, dummy = run(server, tmp_path, slots=[dict(disk='sdz'), dict(slot_id='nope')])
    assert status == 'fail'
    assert result['msg'] == ('slots[0].disk: sdz is not a slot of the node; slots[1].slot_id: nope is not a slot of '
                             'the node; the slots of node {0} are: {1} (/dev/sdb), {2} (/dev/sdc)'.format(
                                 NODE_ID, SDB, SDC))


@pytest.mark.parametrize('extra, text', [
    (dict(slots=[dict(disk='sdb', asds=0)]), 'slots[0].asds: 0 - allowed: 1 or more ASDs per slot'),
    (dict(name='x'), "name: 'x' - Invalid name specified"),
    (dict(slots=[dict(disk='sdb', slot_id='x')]), 'mutually exclusive'),
    (dict(slots=[dict(asds=1)]), 'one of the following is required'),
])
def test_validation(server, tmp_path, extra, text):
    status, result, dummy = run(server, tmp_path, **extra)
    assert status == 'fail' and text in result['msg'], result
    assert server.ovs.requests == []


def test_backend_must_be_local_and_exist(server, tmp_path):
    server.ovs.make_backend('global', scaling='GLOBAL')
    status, result, dummy = run(server, tmp_path, backend='global')
    assert status == 'fail' and result['msg'] == 'backend: global has scaling GLOBAL; ASDs are claimed by LOCAL backends only'
    status, result, dummy = run(server, tmp_path, backend='nope')
    assert status == 'fail' and result['msg'].startswith('ALBA backend nope does not exist')
    assert server.ovs.posts() == []


def test_registered_name_not_changed(server, tmp_path):
    register(server)
    server.node['name'] = 'old'
    status, result, warnings = run(server, tmp_path, name='str01')
    assert status == 'exit' and result['changed'] is False
    assert "registered with the name 'old'" in warnings[0]
