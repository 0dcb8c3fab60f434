# -*- coding: utf-8 -*-
"""ovs_disk against the emulated framework API (tests/unit/emulator_api.py): ctl01's disks sdb (100 GiB SSD, its
10 GiB DB+WRITE partition at offset 0 on /mnt/ssd1), sdc (200 GiB HDD), sdd (100 GiB SSD), partitioned by the
ovs-workers of ctl01."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_disk
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import run_api_module

GIB = 1024 ** 3
SDD_ALIAS = '/dev/disk/by-id/ata-QEMU_HARDDISK_SSD0003'


@pytest.fixture
def server(emulator):
    """The emulated cluster, ctl01's ovs-workers serving its queue for the whole test."""
    emulator.ctl01 = emulator.router('ctl01')['guid']
    with emulator.worker():
        yield emulator


def run(server, tmp_path, **options):
    return run_api_module(ovs_disk.main, server, tmp_path, **options)


def posts(server):
    return server.writes()


def disk(server, name):
    return server.find('disk', name=name, storagerouter_guid=server.ctl01)[0]


def partitions(server, name):
    """{offset: partition} of a disk of ctl01 in the emulator's model."""
    return dict((p['offset'], p) for p in server.find('diskpartition', disk_guid=disk(server, name)['guid']))


def configure_path(server):
    return '/api/storagerouters/{0}/configure_disk/'.format(server.ctl01)


def test_create_partition_whole_disk_then_idempotent(server, tmp_path):
    status, result, dummy = run(server, tmp_path, diff=True, storagerouter='ctl01', disk=SDD_ALIAS,
                                roles=['write', 'DTL'])
    assert status == 'exit', result
    assert result['changed'] is True
    part = result['partition']
    # the mount point is the emulator's: the first free /mnt/ssd<n> (/mnt/ssd1 is sdb's)
    assert part == dict(guid=partitions(server, 'sdd')[0]['guid'], disk='sdd', offset=0, size=100 * GIB,
                        roles=['DTL', 'WRITE'], mountpoint='/mnt/ssd2')
    assert result['diff'] == {'before': {}, 'after': {'offset': 0, 'size': 100 * GIB, 'roles': ['DTL', 'WRITE'],
                                                      'name': 'ctl01:sdd@0'}}
    assert posts(server) == [('POST', configure_path(server), dict(
        disk_guid=disk(server, 'sdd')['guid'], offset=0, size=100 * GIB, roles=['DTL', 'WRITE']))]
    status, result, dummy = run(server, tmp_path, storagerouter='172.30.250.11', disk='/dev/sdd',
                                roles=['DTL', 'WRITE'])
    assert status == 'exit' and result['changed'] is False
    assert result['partition'] == part
    assert len(posts(server)) == 1


def test_extend_existing_single_partition(server, tmp_path):
    sdb_part = partitions(server, 'sdb')[0]['guid']
    status, result, dummy = run(server, tmp_path, diff=True, storagerouter='ctl01', disk='sdb',
                                roles=['DB', 'WRITE', 'SCRUB'])
    assert status == 'exit' and result['changed'] is True, result
    assert result['diff'] == {'before': {'roles': ['DB', 'WRITE'], 'name': 'ctl01:sdb@0'},
                              'after': {'roles': ['DB', 'SCRUB', 'WRITE'], 'name': 'ctl01:sdb@0'}}
    assert posts(server)[0][2]['partition_guid'] == sdb_part
    assert partitions(server, 'sdb')[0]['roles'] == ['DB', 'SCRUB', 'WRITE']
    assert server.router('ctl01')['partition_config']['SCRUB'] == [sdb_part]


def test_check_mode_makes_no_post(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, storagerouter='ctl01', disk='sdc',
                                roles=['WRITE'], offset=0, size=50 * GIB)
    assert status == 'exit' and result['changed'] is True
    assert result['partition'] == dict(guid=None, disk='sdc', offset=0, size=50 * GIB, roles=['WRITE'],
                                       mountpoint=None)
    assert posts(server) == []
    assert partitions(server, 'sdc') == {}


def test_partition_at_offset(server, tmp_path):
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['WRITE'],
                                offset=GIB, size=10 * GIB)
    assert status == 'exit', result
    assert result['partition']['offset'] == GIB and result['partition']['size'] == 10 * GIB
    assert result['partition']['mountpoint'] == '/mnt/hdd1'
    assert sorted(partitions(server, 'sdc')) == [GIB]


@pytest.mark.parametrize('roles, text', [
    (['BACKEND'], "roles: 'BACKEND' cannot be assigned: the BACKEND role is set by the system"),
    (['READ'], "roles: 'READ' no longer exists (removed from Open vStorage in late 2016); allowed roles: "
               "DB, DTL, SCRUB, WRITE"),
    (['CACHE'], "roles: 'CACHE' is not a disk role; allowed roles: DB, DTL, SCRUB, WRITE"),
])
def test_role_validation(server, tmp_path, roles, text):
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdb', roles=roles)
    assert status == 'fail' and text in result['msg'], result
    assert server.requests == []  # validated before any call


def test_db_only_once_per_storagerouter(server, tmp_path):
    sdb_part = partitions(server, 'sdb')[0]['guid']
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['DB', 'WRITE'])
    assert status == 'fail'
    assert result['msg'] == ('roles: storage router ctl01 already has the DB role on partition {0} (disk sdb, '
                             'offset 0); DB may be on one partition per storage router only'.format(sdb_part))
    assert posts(server) == []


def test_role_in_use_cannot_be_removed(server, tmp_path):
    part = partitions(server, 'sdb')[0]
    # a storage driver uses the WRITE role of sdb's partition (a StorageDriverPartition junction of no vPool here)
    junction = server.model_create('storagedriverpartition', role='WRITE', sub_role=None, number=0, size=GIB,
                                   partition_guid=part['guid'], storagedriver_guid=None)
    part['storagedrivers_guids'] = [junction['guid']]
    server.model_save('diskpartition', part)
    for check_mode in (True, False):
        status, result, dummy = run(server, tmp_path, check_mode=check_mode, storagerouter='ctl01', disk='sdb',
                                    roles=['DB'])
        assert status == 'fail'
        assert result['msg'] == (
            'roles: [DB] removes WRITE from the partition at offset 0 of disk sdb on ctl01, in use: WRITE by vPool '
            '(storage driver None); the framework does not remove a role in use (Roles in use cannot be removed); '
            'allowed: roles that keep WRITE (the partition gets exactly the roles given)')
    # the framework's view was read (twice), nothing changed
    assert server.metadata_reads() == ['/api/storagerouters/{0}/get_metadata/'.format(server.ctl01)] * 2
    assert posts(server) == []


def test_role_not_used_removed(server, tmp_path):
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdb', roles=['DB'])
    assert status == 'exit' and result['changed'] is True, result
    assert partitions(server, 'sdb')[0]['roles'] == ['DB']


def test_lookup_failures(server, tmp_path):
    status, result, dummy = run(server, tmp_path, storagerouter='ctl09', disk='sdb', roles=['DB'])
    assert status == 'fail' and result['msg'] == ("storagerouter: no storage router named or with IP 'ctl09'; "
                                                  "storage routers: cmp01 (172.30.250.21), ctl01 (172.30.250.11), "
                                                  "ctl02 (172.30.250.12), ctl03 (172.30.250.13)")
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdz', roles=['DB'])
    assert status == 'fail' and result['msg'] == "disk: no disk 'sdz' on storage router ctl01; disks: sdb, sdc, sdd"
    status, result, dummy = run(server, tmp_path, storagerouter='ctl02', disk='sdb', roles=['DB'])
    assert status == 'fail' and result['msg'] == "disk: no disk 'sdb' on storage router ctl02; disks: none"


def test_several_partitions_need_offset(server, tmp_path):
    run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['SCRUB'], offset=0, size=10 * GIB)
    run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['WRITE'], offset=10 * GIB, size=10 * GIB)
    count = len(posts(server))
    assert count == 2 and sorted(partitions(server, 'sdc')) == [0, 10 * GIB]
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['WRITE'])
    assert status == 'fail' and result['msg'].startswith('offset: disk sdc of storage router ctl01 has 2 partitions')
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['WRITE'],
                                offset=5 * GIB, size=GIB)
    assert status == 'fail' and 'overlaps the partition at offset 0' in result['msg']
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdc', roles=['WRITE'],
                                offset=0, size=GIB)
    assert status == 'fail' and 'cannot be resized' in result['msg']
    assert len(posts(server)) == count


def test_backend_disk_refused(server, tmp_path):
    # an ASD disk: the BACKEND role (set by the system, not through configure_disk)
    part = partitions(server, 'sdb')[0]
    part['roles'] = ['BACKEND']
    server.model_save('diskpartition', part)
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdb', roles=['WRITE'])
    assert status == 'fail' and 'in use by an ALBA backend' in result['msg']
    assert posts(server) == []


def test_abm_and_nsm_do_not_hold_the_db_role(server, tmp_path):
    # the ABM and NSM of an ALBA backend run on ctl01 from its DB partition: services of the types AlbaManager and
    # NamespaceManager, which the framework's get_partition_info does not count; DB is removable, as configure_disk
    # lets it be
    server.add_alba_backend('be1')
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdb', roles=['WRITE'])
    assert status == 'exit' and result['changed'] is True, result
    assert partitions(server, 'sdb')[0]['roles'] == ['WRITE']
    assert len(server.metadata_reads()) == 1


def test_task_failure_is_reported(server, tmp_path):
    # a swap partition: the framework's configure_disk refuses it (the module does not check the filesystem)
    part = partitions(server, 'sdb')[0]
    part['filesystem'] = 'swap'
    server.model_save('diskpartition', part)
    status, result, dummy = run(server, tmp_path, storagerouter='ctl01', disk='sdb', roles=['DB', 'SCRUB', 'WRITE'])
    assert status == 'fail' and result['task_status'] == 'FAILURE', result
    assert "It is not allowed to assign roles on partitions of type: ['swap', 'linux_raid_member', 'LVM2_member']" \
        in result['msg']
    assert partitions(server, 'sdb')[0]['roles'] == ['DB', 'WRITE']


def configure_disk(api, router, disk_name, roles):
    """configure_disk of the single partition of a disk, sent straight to the framework: its finished task."""
    guid = api.router(router)['guid']
    disk = api.find('disk', name=disk_name, storagerouter_guid=guid)[0]

    def calls(client):
        task_id = client.post('storagerouters/{0}/configure_disk/'.format(guid), {
            'disk_guid': disk['guid'], 'offset': 0, 'size': disk['size'], 'roles': roles,
            'partition_guid': disk['partitions_guids'][0]})
        deadline = time.time() + 30
        while time.time() < deadline:
            task = client.get('tasks/{0}'.format(task_id))
            if task['ready']:
                return task
            time.sleep(0.02)
        raise AssertionError('configure_disk did not finish')
    return api.prepare(calls)


def test_db_in_use_by_the_volume_driver_cluster(storage, tmp_path):
    """Once a vPool exists, the volume driver's Arakoon cluster runs on every master with a DB partition (ctl01 and
    ctl02 of the storage cluster): their DB role is in use, on ctl02 too, where no vPool runs."""
    storage.add_vpool('pool1', 'ctl01')
    ctl02 = storage.router('ctl02')['guid']
    for check_mode in (True, False):
        status, result, dummy = run(storage, tmp_path, check_mode=check_mode, storagerouter='ctl02', disk='sdb',
                                    roles=['DTL', 'WRITE'])
        assert status == 'fail', result
        assert result['msg'] == (
            'roles: [DTL, WRITE] removes DB from the partition at offset 0 of disk sdb on ctl02, in use: DB by a '
            'service of storage router ctl02 (the Arakoon cluster of the volume driver, on every master with a DB '
            'partition once a vPool exists, or a metadata server); the framework does not remove a role in use '
            '(Roles in use cannot be removed); allowed: roles that keep DB (the partition gets exactly the roles '
            'given)')
    assert storage.metadata_reads() == ['/api/storagerouters/{0}/get_metadata/'.format(ctl02)] * 2
    assert storage.writes() == []
    assert storage.find('diskpartition', disk_guid=storage.find('disk', storagerouter_guid=ctl02)[0]['guid'])[0][
        'roles'] == ['DB', 'DTL', 'WRITE']
    # the vPool's own roles on ctl01 are named by vPool
    status, result, dummy = run(storage, tmp_path, storagerouter='ctl01', disk='sdb', roles=['WRITE'])
    assert status == 'fail' and 'in use: DB by vPool pool1;' in result['msg'], result
    status, result, dummy = run(storage, tmp_path, storagerouter='ctl01', disk='sdd', roles=['SCRUB', 'WRITE'])
    assert status == 'fail' and 'removes DTL from the partition at offset 0 of disk sdd on ctl01, in use: DTL by ' \
        'vPool pool1;' in result['msg'], result
    assert storage.writes() == []
    # the framework refuses the same, and leaves the SCRUB role, which nothing uses, removable
    task = configure_disk(storage, 'ctl02', 'sdb', ['DTL', 'WRITE'])
    assert (task['status'], task['result']) == ('FAILURE', 'Roles in use cannot be removed. Used roles: DB')
    status, result, dummy = run(storage, tmp_path, storagerouter='ctl01', disk='sdd', roles=['DTL', 'WRITE'])
    assert status == 'exit' and result['changed'] is True, result
