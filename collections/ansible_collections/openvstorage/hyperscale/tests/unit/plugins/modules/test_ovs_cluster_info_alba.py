# -*- coding: utf-8 -*-
"""ovs_cluster_info: the gather choices asds and backend_status, and the domains of each storage router."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_cluster_info
from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_alba import (
    NODE_ID,
    OTHER_NODE,
    REFUSED,
    SDB,
    SDC,
    SDD,
)
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module


@pytest.fixture
def server(asds):
    """The emulated cluster with str01's ASDs (tests/unit/emulator_alba.py, fixture ``asds``): be1 claims 2 ASDs on
    sdc and 1 on sdd, where an unclaimed one is too; sdb holds ctl01's partitions; global links be1."""
    return asds


def gather(server, tmp_path, *what):
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(server, tmp_path, gather=list(what)),
                                       FakeHost(), check_mode=True)
    assert status == 'exit', result
    return result


def test_asds_per_disk(server, tmp_path):
    result = gather(server, tmp_path, 'asds')
    assert 'storagerouters' not in result and 'backends' not in result
    [node] = result['alba_nodes']
    assert node['node_id'] == NODE_ID and node['name'] == 'str01'
    assert [d['slot_id'] for d in node['disks']] == [SDC, SDB, SDD]
    sdc, sdb, sdd = node['disks']
    be1 = server.alba_backend('be1')
    assert sdc['status'] == 'ok' and sdc['device'] == '/dev/sdc' and sdc['mountpoint'].startswith('/mnt/alba-asd/')
    assert [(a['asd_id'], a['claimed_by'], a['claimed_by_guid']) for a in sdc['asds']] == [
        (asd_id, 'be1', be1) for asd_id in server.layout.sdc]
    assert sorted((a['asd_id'], a['claimed_by'], a['claimed_by_guid']) for a in sdd['asds']) == sorted(
        [(server.layout.sdd, 'be1', be1), (server.layout.unclaimed, None, None)])
    assert [a['asd_id'] for a in sdd['asds']] == sorted(a['asd_id'] for a in sdd['asds'])
    assert all(a['status'] == 'ok' for a in sdc['asds'] + sdd['asds'])
    # a disk that holds data (ctl01's partitions): not an ASD disk
    assert sdb == dict(slot_id=SDB, device='/dev/sdb', size=100 * 1024 ** 3, mountpoint=None, status='error', asds=[])
    # the stack is read with the node list, the backend names with one read of their names only
    reads = [r[1] for r in server.requests if r[0] == 'GET']
    assert len([r for r in reads if r.startswith('/api/alba/nodes/') and 'stack' in r]) == 1
    assert [r for r in reads if r.startswith('/api/alba/backends/')] == [
        '/api/alba/backends/?contents=name']


def test_without_asds_the_stack_is_not_read(server, tmp_path):
    result = gather(server, tmp_path, 'alba_nodes')
    assert 'disks' not in result['alba_nodes'][0]
    assert not any('stack' in r[1] for r in server.requests)
    # the other node is set up, not registered
    assert [n['node_id'] for n in result['alba_nodes_discovered']] == [OTHER_NODE]


def test_backend_status_and_links(server, tmp_path):
    result = gather(server, tmp_path, 'backend_status')
    be1, glob, other = result['backends']
    assert (be1['name'], glob['name'], other['name']) == ('be1', 'global', 'other-be')
    assert glob['scaling'] == 'GLOBAL' and glob['live_status'] == 'running'
    assert glob['linked_backends'] == [dict(guid=server.alba_backend('be1'), name='be1', preset='default',
                                            remote_host=None)]
    assert be1['linked_backends'] == []
    assert [p['name'] for p in be1['presets']] == ['default', 'spread1', 'spread4']
    assert be1['presets'][0]['policies'] == [[5, 4, 8, 3], [2, 2, 3, 4]]


def test_backends_alone_skip_the_status(server, tmp_path):
    result = gather(server, tmp_path, 'backends')
    assert 'live_status' not in result['backends'][0] and 'linked_backends' not in result['backends'][0]
    assert not any('live_status' in r[1] or 'remote_stack' in r[1] for r in server.requests)


def test_storagerouter_domains(emulator, tmp_path):
    """Against the emulated framework API (tests/unit/emulator_api.py): domains set through it."""
    emulator.add_domain('rack1', routers=['ctl01'])
    emulator.add_domain('rack2', routers=['ctl02'], recovery=['ctl01'])
    result = gather(emulator, tmp_path, 'storagerouters', 'domains')
    assert [(r['name'], r['domains'], r['recovery_domains']) for r in result['storagerouters']] == [
        ('cmp01', [], []), ('ctl01', ['rack1'], ['rack2']), ('ctl02', ['rack2'], []), ('ctl03', [], [])]
    assert [(d['name'], d['storagerouters']) for d in result['domains']] == [
        ('rack1', ['ctl01']), ('rack2', ['ctl02'])]
    # one read of the storage routers and one of the domains serve both views
    reads = [r[1].split('?')[0] for r in emulator.requests if r[0] == 'GET']
    assert reads.count('/api/storagerouters/') == 1 and reads.count('/api/domains/') == 1


def test_a_backend_of_another_cluster_shows_its_api_host_never_the_secret(server, tmp_path):
    """A GeoScale link as link_alba_backends stores it (an OSD of type ALBA_BACKEND of global): the remote API's
    address (where nothing answers) and an API client of it."""
    secret = 'FarSecret0123456789FarSecret0123'
    host, port = '127.0.0.2', REFUSED[1]
    metadata = dict(backend_connection_info=dict(host=host, port=port, username='c-far', password=secret,
                                                 client_id='c-far', client_secret=secret, local=False),
                    backend_info=dict(linked_guid='far-guid', linked_name='far-hdd', linked_preset='default',
                                      linked_alba_id='far-alba-id'))
    server.model_create('albaosd', osd_id='far-alba-id', osd_type='ALBA_BACKEND', metadata=metadata,
                        domain_guid=None, alba_backend_guid=server.alba_backend('global'), alba_node_guid=None,
                        ips=None, port=None, slot_id=None)
    result = gather(server, tmp_path, 'backend_status')
    glob = result['backends'][1]
    assert glob['linked_backends'] == [
        dict(guid=server.alba_backend('be1'), name='be1', preset='default', remote_host=None),
        dict(guid='far-guid', name='far-hdd', preset='default', remote_host=host)]
    # the other cluster does not answer
    assert glob['live_status'] == 'failure'
    assert secret not in json.dumps(result)
