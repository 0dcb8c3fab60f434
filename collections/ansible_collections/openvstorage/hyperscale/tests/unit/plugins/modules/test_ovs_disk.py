# -*- coding: utf-8 -*-
"""ovs_disk against the fake storage API."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_disk
from ansible_collections.openvstorage.hyperscale.tests.unit.fake_storage_api import StorageApiServer
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import run_api_module

GIB = 1024 ** 3


@pytest.fixture
def server(tmp_path):
    srv = StorageApiServer(str(tmp_path)).start()
    ovs = srv.ovs
    ovs.add_controllers(2)
    srv.sdb = ovs.add_disk('ctl01', 'sdb', 100 * GIB, aliases=['/dev/disk/by-id/ata-SSD_1'])
    srv.sdc = ovs.add_disk('ctl01', 'sdc', 200 * GIB)
    srv.sdd = ovs.add_disk('ctl01', 'sdd', 200 * GIB)
    srv.sdd_part = ovs.add_partition(srv.sdd, 0, 200 * GIB, roles=['SCRUB'], mountpoint='/mnt/hdd1')
    yield srv
    srv.stop()


def run(server, tmp_path, **options):
    return run_api_module(ovs_disk.main, server, tmp_path, **options)


def test_create_partition_whole_disk_then_idempotent(server, tmp_path):
    status, result, dummy = run(server, tmp_path, diff=True, storagerouter='ctl01',
                                disk='/dev/disk/by-id/ata-SSD_1', roles=['write', 'DB', 'DTL'])
    assert status == 'exit', result
    assert result['changed'] is True
    part = result['partition']
    assert part['disk'] == 'sdb' and part['offset'] == 0 and part['size'] == 100 * GIB
    assert part['roles'] == ['DB', 'DTL', 'WRITE'] and part['guid'] and part['mountpoint']
    assert result['diff'] == {'before': {}, 'after': {'offset': 0, 'size': 100 * GIB, 'roles': ['DB', 'DTL', 'WRITE'],
                                                      'name': 'ctl01:sdb@0'}}
    post = [d for p, d in server.ovs.posts if p.endswith('/configure_disk/')]
    assert post == [dict(disk_guid=server.sdb, offset=0, size=100 * GIB, roles=['DB', 'DTL', 'WRITE'])]
    status, result, dummy = run(server, tmp_path, storagerouter='172.30.250.11', disk='/dev/sdb',
                                roles=['DB', 'DTL', 'WRITE'])
    assert status == 'exit' and result['changed'] is False
    assert result['partition'] == part
    assert len(server.ovs.posts) == 1


def test_extend_existing_single_partition(server, tmp_path):
    status, result, dummy = run(server, tmp_path, diff=True, storagerouter='ctl01', disk='sdd',
                                roles=['SCRUB', 'WRITE'])
    assert status == 'exit' and result['changed'] is True, result
    assert result['diff'] == {'before': {'roles': ['SCRUB'], 'name': 'ctl01:sdd@0'},
                              'after': {'roles': ['SCRUB', 'WRITE'], 'name': 'ctl01:sdd@0'}}
    assert server.ovs.posts[0][1]['partition_guid'] == server.sdd_part
    assert server.ovs.partitions[server.sdd_part]['roles'] == ['SCRUB', 'WRITE']


def test_check_mode_makes_no_post(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, storagerouter='ctl01', disk='sdc',
                                roles=['WRITE'], offset=0, size=50 * GIB)
    assert status == 'exit' and result['changed'] is True
    assert result['partition'] == dict(guid=None, disk='sdc', offset=0, size=50 * GIB, roles=['WRITE'],
                                       mountpoint=None)
    assert server.ovs.posts == []


def test_partition_at_offset(server, tmp_path):
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['WRITE'],
                                offset=GIB, size=10 * GIB)
    assert status == 'exit' and result['partition']['offset'] == GIB and result['partition']['size'] == 10 * GIB


@pytest.mark.parametrize('roles, text', [
    (['BACKEND'], "roles: 'BACKEND' cannot be assigned: the BACKEND role is set by the system"),
    (['READ'], "roles: 'READ' no longer exists (removed from Open vStorage in late 2016); allowed roles: "
               "DB, DTL, SCRUB, WRITE"),
    (['CACHE'], "roles: 'CACHE' is not a disk role; allowed roles: DB, DTL, SCRUB, WRITE"),
])
def test_role_validation(server, tmp_path, roles, text):
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdb', roles=roles)
    assert status == 'fail' and text in result['msg'], result
    assert server.ovs.requests == []  # validated before any call


def test_db_only_once_per_storagerouter(server, tmp_path):
    server.ovs.add_partition(server.sdc, 0, 200 * GIB, roles=['DB'])
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdb', roles=['DB', 'WRITE'])
    assert status == 'fail'
    assert 'storage router ctl01 already has the DB role on partition' in result['msg']
    assert '(disk sdc, offset 0)' in result['msg']
    assert server.ovs.posts == []


def test_role_in_use_cannot_be_removed(server, tmp_path):
    part = server.ovs.add_partition(server.sdc, 0, 200 * GIB, roles=['WRITE', 'DTL'], used_by=['WRITE'])
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['DTL'])
    assert status == 'fail'
    assert result['msg'].startswith('roles: cannot remove WRITE from the partition at offset 0 of disk sdc on ctl01: '
                                    'in use by a vPool')
    assert server.ovs.posts == []
    # removing a role that is not used is fine
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['WRITE'])
    assert status == 'exit' and result['changed'] is True
    assert server.ovs.partitions[part]['roles'] == ['WRITE']


def test_lookup_failures(server, tmp_path):
    status, result, dummy = run(server, tmp_path, storagerouter='ctl09', disk='sdb', roles=['DB'])
    assert status == 'fail' and result['msg'] == ("storagerouter: no storage router named or with IP 'ctl09'; "
                                                  "storage routers: ctl01 (172.30.250.11), ctl02 (172.30.250.12)")
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdz', roles=['DB'])
    assert status == 'fail' and result['msg'] == "disk: no disk 'sdz' on storage router ctl01; disks: sdb, sdc, sdd"


def test_several_partitions_need_offset_and_backend_disk(server, tmp_path):
    server.ovs.add_partition(server.sdc, 0, 10 * GIB)
    server.ovs.add_partition(server.sdc, 10 * GIB, 10 * GIB)
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['WRITE'])
    assert status == 'fail' and result['msg'].startswith('offset: disk sdc of storage router ctl01 has 2 partitions')
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['WRITE'],
                                offset=5 * GIB, size=GIB)
    assert status == 'fail' and 'overlaps the partition at offset 0' in result['msg']
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['WRITE'],
                                offset=0, size=GIB)
    assert status == 'fail' and 'cannot be resized' in result['msg']
    server.ovs.partitions[server.sdd_part]['roles'] = ['BACKEND']
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdd', roles=['WRITE'])
    assert status == 'fail' and 'in use by an ALBA backend' in result['msg']
    assert server.ovs.posts == []


def test_task_failure_is_reported(server, tmp_path):
    server.ovs.fail_next_task = 'Disk sdb cannot have the DB role due to presence on disk sdx'
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdb', roles=['DB'])
    assert status == 'fail' and 'presence on disk sdx' in result['msg'] and result['task_status'] == 'FAILURE'
