# -*- coding: utf-8 -*-
"""ovs_cluster_info: the gather choices asds and backend_status, and the domains of each storage router."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_cluster_info
from ansible_collections.openvstorage.hyperscale.tests.unit.fake_alba_api import FakeAlbaApiServer
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, api_args, run_module


@pytest.fixture
def server(tmp_path):
    srv = FakeAlbaApiServer(str(tmp_path)).start()
    ovs = srv.ovs
    ovs.add_controllers(1)
    srv.local = ovs.make_backend('local1')
    srv.glob = ovs.make_backend('global1', scaling='GLOBAL')
    srv.node = ovs.add_node('aB3dE5fG7hJ9kL1m', '172.30.250.31')
    slots = sorted(srv.node['slots'])
    srv.claimed = ovs.make_asd(srv.node, slots[0], claimed_by=srv.local)
    srv.free = ovs.make_asd(srv.node, slots[0])
    # the link as link_alba_backends stores it (osd of type ALBA_BACKEND with its metadata)
    metadata = dict(backend_connection_info=dict(host='', port=443, username='u', password='p'),
                    backend_info=dict(linked_guid=srv.local, linked_name='local1', linked_preset='default',
                                      linked_alba_id=ovs.albabackends[srv.local]['alba_id']))
    ovs.albabackends[srv.glob]['linked_backend_guids'].append(srv.local)
    ovs.albabackends[srv.glob]['link_metadata'][srv.local] = ('osd-link', metadata)
    yield srv
    srv.stop()


def gather(server, tmp_path, *what):
    status, result, dummy = run_module(ovs_cluster_info.main, api_args(server, tmp_path, gather=list(what)),
                                       FakeHost(), check_mode=True)
    assert status == 'exit', result
    return result


def test_asds_per_disk(server, tmp_path):
    result = gather(server, tmp_path, 'asds')
    assert 'storagerouters' not in result and 'backends' not in result
    node = result['alba_nodes'][0]
    assert node['node_id'] == 'aB3dE5fG7hJ9kL1m'
    first, second = node['disks']
    assert first['slot_id'] < second['slot_id']
    assert first['status'] == 'ok' and first['device'] in ('/dev/sdb', '/dev/sdc')
    assert first['mountpoint'].startswith('/mnt/alba-asd/')
    assert sorted((a['asd_id'], a['claimed_by'], a['claimed_by_guid']) for a in first['asds']) == sorted([
        (server.claimed, 'local1', server.local), (server.free, None, None)])
    assert [a['asd_id'] for a in first['asds']] == sorted(a['asd_id'] for a in first['asds'])
    assert all(a['status'] == 'ok' for a in first['asds'])
    assert second == dict(slot_id=second['slot_id'], device=second['device'], size=107374182400, mountpoint=None,
                          status='empty', asds=[])
    # the stack is read with the node list, the backend names with one read of their names only
    reads = [r[1] for r in server.ovs.requests if r[0] == 'GET']
    assert len([r for r in reads if r.startswith('/api/alba/nodes/') and 'stack' in r]) == 1
    assert [r for r in reads if r.startswith('/api/alba/backends/')] == [
        '/api/alba/backends/?contents=name']


def test_without_asds_the_stack_is_not_read(server, tmp_path):
    result = gather(server, tmp_path, 'alba_nodes')
    assert 'disks' not in result['alba_nodes'][0]
    assert not any('stack' in r[1] for r in server.ovs.requests)


def test_backend_status_and_links(server, tmp_path):
    result = gather(server, tmp_path, 'backend_status')
    glob, local = result['backends']
    assert (glob['name'], local['name']) == ('global1', 'local1')
    assert glob['scaling'] == 'GLOBAL' and glob['live_status'] == 'running'
    assert glob['linked_backends'] == [dict(guid=server.local, name='local1', preset='default', remote_host=None)]
    assert local['linked_backends'] == []
    assert [p['name'] for p in local['presets']] == ['default']
    assert local['presets'][0]['policies'] == [[5, 4, 8, 3], [2, 2, 3, 4]]


def test_backends_alone_skip_the_status(server, tmp_path):
    result = gather(server, tmp_path, 'backends')
    assert 'live_status' not in result['backends'][0] and 'linked_backends' not in result['backends'][0]
    assert not any('live_status' in r[1] or 'remote_stack' in r[1] for r in server.ovs.requests)


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
    """A GeoScale link as link_alba_backends stores it: the remote API's address and an API client of it."""
    secret = 'FarSecret0123456789FarSecret0123'
    (tmp_path / 'other').mkdir()
    other = FakeAlbaApiServer(str(tmp_path / 'other'), host='127.0.0.2')  # its address only: not started
    try:
        server.ovs.add_remote(other)
        metadata = dict(backend_connection_info=dict(host='127.0.0.2', port=other.port, username='c-far',
                                                     password=secret, client_id='c-far', client_secret=secret,
                                                     local=False),
                        backend_info=dict(linked_guid='far-guid', linked_name='far-hdd', linked_preset='default',
                                          linked_alba_id='far-alba-id'))
        server.ovs.albabackends[server.glob]['linked_backend_guids'].append('far-guid')
        server.ovs.albabackends[server.glob]['link_metadata']['far-guid'] = ('osd-far', metadata)
        result = gather(server, tmp_path, 'backend_status')
        assert result['backends'][0]['linked_backends'] == [
            dict(guid='far-guid', name='far-hdd', preset='default', remote_host='127.0.0.2'),
            dict(guid=server.local, name='local1', preset='default', remote_host=None)]
        assert secret not in json.dumps(result)
    finally:
        other.httpd.server_close()
