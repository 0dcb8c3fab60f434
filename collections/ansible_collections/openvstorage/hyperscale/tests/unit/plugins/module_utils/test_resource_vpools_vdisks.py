# -*- coding: utf-8 -*-
"""The finders and views of vPools and storage drivers (module_utils/vpool.py) and vDisks (module_utils/vdisk.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import vdisk, vpool
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsApiError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError
from ansible_collections.openvstorage.hyperscale.tests.unit.plugins.module_utils.resource_client import RecordingClient

POOL = dict(guid='p1', name='pool1', status='RUNNING', configuration=dict(sco_size=4),
            metadata=dict(backend=dict(backend_info=dict(alba_backend_guid='a1', preset='default'))))
OTHER = dict(guid='p2', name='pool2', status='RUNNING', configuration={}, metadata={})
DRIVERS = [dict(guid='s2', storagedriver_id='pool1r2', vpool_guid='p1', storagerouter_guid='r2', status='RUNNING'),
           dict(guid='s1', storagedriver_id='pool1r1', vpool_guid='p1', storagerouter_guid='r1', status='RUNNING'),
           dict(guid='s3', storagedriver_id='pool2r1', vpool_guid='p2', storagerouter_guid='r1', status='RUNNING')]
ROUTER_NAMES = dict(r1='ctl01', r2='ctl02')
VDISKS = [dict(guid='v2', name='clone', size=10, devicename='/clone.raw', vpool_guid='p1', storagerouter_guid='r2',
               parent_vdisk_guid='v1', snapshots=[]),
          dict(guid='v1', name='base', size=10, devicename='/base.raw', vpool_guid='p1', storagerouter_guid='r1',
               parent_vdisk_guid=None, snapshots=[dict(guid='t1', label='installed')]),
          dict(guid='v3', name='alone', size=5, devicename='/alone.raw', vpool_guid='p2', storagerouter_guid='r1',
               parent_vdisk_guid=None, snapshots=[])]


def test_find_vpool_and_resolve_vpool():
    client = RecordingClient(lists=dict(vpools=[POOL, OTHER]))
    assert vpool.find_vpool(client, 'pool2')['guid'] == 'p2'
    assert vpool.find_vpool(client, 'pool9') is None
    assert vpool.resolve_vpool(client, 'pool1')['guid'] == 'p1'
    with pytest.raises(StorageError) as exc:
        vpool.resolve_vpool(client, 'pool9')
    assert str(exc.value) == "vpool: no vPool named 'pool9'; vPools: pool1, pool2"
    assert [r[2] for r in client.reads] == [vpool.VPOOL_CONTENTS, vpool.VPOOL_CONTENTS, 'name', 'name']


def test_storage_drivers_of_a_vpool_and_their_routers():
    client = RecordingClient(lists=dict(storagedrivers=DRIVERS + [dict(DRIVERS[0], guid='s4')]))
    mine = vpool.list_storagedrivers(client, vpool.DRIVER_ROUTER_CONTENTS, POOL)
    assert [d['guid'] for d in mine] == ['s2', 's1', 's4']  # the other vPool's driver is left out
    assert vpool.driver_router_guids(mine) == ['r2', 'r1']
    assert client.reads == [('list', 'storagedrivers', 'vpool,storagerouter', {'vpool_guid': 'p1'})]


def test_vpools_using_a_backend_and_a_framework_without_vpools():
    client = RecordingClient(lists=dict(vpools=[POOL, OTHER]))
    assert vpool.vpools_using(client, 'a1') == ['pool1']
    assert client.reads[0][2] == 'name,metadata'

    class NoVpools(RecordingClient):
        def list(self, resource, contents=None, query=None, params=None):
            raise OvsApiError('not found', status=404, error='not_found')
    assert vpool.vpools_using(NoVpools(), 'a1') == []


def test_vpool_views_share_their_common_part():
    info = vpool.vpool_view(POOL, DRIVERS, ROUTER_NAMES, dict(a1='local1'))
    assert (info['backend'], info['preset'], info['storagerouters']) == ('local1', 'default', ['ctl01', 'ctl02'])
    assert [(d['guid'], d['storagerouter']) for d in info['storagedrivers']] == [('s1', 'ctl01'), ('s2', 'ctl02')]
    base = vpool.vpool_base_view(POOL, ['ctl01', 'ctl02'])
    assert base == dict(guid='p1', name='pool1', status='RUNNING', configuration=dict(sco_size=4),
                        storagerouters=['ctl01', 'ctl02'])
    # what ovs_vpool returns of a vPool is what ovs_cluster_info shows of it, for the keys both return
    assert dict((k, info[k]) for k in base) == base
    assert vpool.vpool_backend_info(OTHER) == {}


def test_cache_view_names_remote_clusters():
    metadata = dict(caching_info={'r1': dict(block_cache=dict(is_backend=True, backend_info=dict(
        name='dc2', preset='p', connection_info=dict(host='10.20.0.11', port=443, local=False))))})
    assert vpool.cache_view(metadata, dict(r1=dict(name='ctl01'))) == dict(
        ctl01=dict(block_cache=dict(backend='dc2', preset='p', cluster='10.20.0.11:443')))
    assert vpool.remote_label(dict(host='10.0.0.1', port=443, local=True)) is None


def test_vdisk_finders_filter_by_vpool_and_by_router():
    client = RecordingClient(lists=dict(vdisks=VDISKS))
    assert [v['guid'] for v in vdisk.list_vdisks(client, vdisk.VDISK_CONTENTS, POOL)] == ['v2', 'v1']
    assert [v['guid'] for v in vdisk.vdisks_served_by(client, dict(guid='r2'))] == ['v2']
    assert [(r[2], r[3]) for r in client.reads] == [(vdisk.VDISK_CONTENTS, {'vpoolguid': 'p1'}),
                                                     (vdisk.VDISK_PLACE_CONTENTS, {'storagerouterguid': 'r2'})]


def test_vdisk_view_is_the_same_from_ovs_vdisk_and_ovs_cluster_info():
    listed = vdisk.vdisk_views(VDISKS, dict(p1='pool1', p2='pool2'), ROUTER_NAMES)
    assert [(v['vpool'], v['name']) for v in listed] == [('pool1', 'base'), ('pool1', 'clone'), ('pool2', 'alone')]
    clone = vdisk.vdisk_view(VDISKS[0], 'pool1', ROUTER_NAMES, dict(v1='base', v2='clone'))
    assert clone == dict(guid='v2', name='clone', size=10, devicename='/clone.raw', vpool='pool1',
                         storagerouter='ctl02', snapshots=[], parent_vdisk='base')
    assert clone == listed[1]
    assert listed[0]['snapshots'] == ['installed']
