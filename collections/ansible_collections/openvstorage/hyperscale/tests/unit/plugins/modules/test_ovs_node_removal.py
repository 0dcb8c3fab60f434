# -*- coding: utf-8 -*-
"""ovs_node_removal: the guards (pure, on API answers in the emulator's shapes) and the run order."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_node_removal
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError


def router(name, ip, node_type, vpools=()):
    return dict(guid='g-' + name, name=name, ip=ip, machine_id='M' + name, node_type=node_type,
                vpools_guids=list(vpools))


ROUTERS = [router('ctl01', '10.0.0.11', 'MASTER'), router('ctl02', '10.0.0.12', 'MASTER'),
           router('ctl03', '10.0.0.13', 'MASTER'), router('cmp01', '10.0.0.21', 'EXTRA', ['vp-1']),
           router('cmp02', '10.0.0.22', 'EXTRA', ['vp-1'])]
VPOOL = dict(guid='vp-1', name='vpool01', storagedrivers_guids=['sd-1', 'sd-2'], vdisks_guids=['vd-1'])


class FakeClient(object):
    """The three reads of ovs_node_removal, answered from lists (as the API's ``contents`` would)."""

    def __init__(self, routers, vpools=(), vdisks=()):
        self.routers, self.vpools, self.vdisks = list(routers), dict((v['guid'], v) for v in vpools), list(vdisks)
        self.calls = []

    def list(self, resource, contents=None, params=None):
        self.calls.append(('list', resource, contents, params))
        if resource == 'storagerouters':
            return self.routers
        return [v for v in self.vdisks if v['storagerouter_guid'] == params['storagerouterguid']]

    def get(self, path, contents=None):
        self.calls.append(('get', path, contents))
        return self.vpools[path.split('/')[1]]


def state_for(ip, routers=ROUTERS, vpools=(VPOOL,), vdisks=()):
    return ovs_node_removal.read_cluster(FakeClient(routers, vpools, vdisks), ip)


def test_read_names_the_contents_it_needs():
    client = FakeClient(ROUTERS, [VPOOL], [dict(name='disk01', vpool_guid='vp-1', storagerouter_guid='g-cmp02')])
    state = ovs_node_removal.read_cluster(client, '10.0.0.21')
    assert state['node']['name'] == 'cmp01' and state['vdisks'] == [] and state['vpools'] == [VPOOL]
    assert all(call[2] for call in client.calls)  # every read names its contents
    assert ovs_node_removal.read_cluster(client, '10.0.0.99')['node'] is None


def test_extra_without_vdisks_may_go():
    assert ovs_node_removal.refusal(state_for('10.0.0.21'), min_masters=2) is None
    assert ovs_node_removal.node_view(state_for('10.0.0.21')) == dict(
        name='cmp01', ip='10.0.0.21', node_type='EXTRA', vpools=['vpool01'])


def test_vdisks_served_there_are_listed():
    vdisks = [dict(name='disk02', vpool_guid='vp-1', storagerouter_guid='g-cmp01'),
              dict(name='disk01', vpool_guid='vp-1', storagerouter_guid='g-cmp01')]
    text = ovs_node_removal.refusal(state_for('10.0.0.21', vdisks=vdisks), min_masters=2)
    assert text == ('Refusing to remove cmp01 (10.0.0.21): 2 vDisk(s) are served from it: disk01, disk02; move '
                    'them to another storage router or delete them first')


def test_last_storage_router_of_a_vpool_with_vdisks():
    vpool = dict(VPOOL, storagedrivers_guids=['sd-1'])
    text = ovs_node_removal.refusal(state_for('10.0.0.21', vpools=[vpool]), min_masters=2)
    assert text.startswith('Refusing to remove cmp01 (10.0.0.21): it is the last storage router of vPool(s) vpool01')


def test_masters():
    assert ovs_node_removal.refusal(state_for('10.0.0.13'), min_masters=2) is None
    text = ovs_node_removal.refusal(state_for('10.0.0.13'), min_masters=3)
    assert text == ('Refusing to remove ctl03 (10.0.0.13): it is a master and 2 master(s) would remain (ctl01, '
                    'ctl02) where at least 3 are needed for a majority of the declared controllers; promote another '
                    'node first')
    lone = [router('ctl01', '10.0.0.11', 'MASTER'), router('cmp01', '10.0.0.21', 'EXTRA')]
    assert 'it is the last master of the cluster' in ovs_node_removal.refusal(state_for('10.0.0.11', lone), 1)
    only = [router('ctl01', '10.0.0.11', 'MASTER')]
    assert 'it is the only node of the cluster' in ovs_node_removal.refusal(state_for('10.0.0.11', only), 1)


def test_validate():
    assert ovs_node_removal.validate(dict(node_ip='10.0.0.1', min_masters=1)) == []
    errors = ovs_node_removal.validate(dict(node_ip='10.0.0.300', min_masters=0))
    assert errors[0].startswith("node_ip: '10.0.0.300' is not a valid IPv4 address")
    assert errors[1].startswith('min_masters: 0 is not allowed')


class FakeModule(object):
    def __init__(self, check_mode=False, **params):
        self.params = dict(dict(node_ip='10.0.0.21', min_masters=2, task_timeout=60), **params)
        self.check_mode = check_mode


def test_run_refuses_before_any_change():
    client = FakeClient(ROUTERS, [VPOOL], [dict(name='disk01', vpool_guid='vp-1', storagerouter_guid='g-cmp01')])
    with pytest.raises(StorageError, match='disk01'):
        ovs_node_removal.run(FakeModule(), client)
    assert all(call[0] in ('list', 'get') for call in client.calls)


def test_run_unknown_node_is_unchanged_and_check_mode_predicts():
    result = ovs_node_removal.run(FakeModule(node_ip='10.0.0.99'), FakeClient(ROUTERS, [VPOOL]))
    assert result['changed'] is False and result['node'] == {} and 'nothing to remove' in result['msg']
    client = FakeClient(ROUTERS, [VPOOL])
    result = ovs_node_removal.run(FakeModule(check_mode=True), client)
    assert result['changed'] is True and result['vpools_shrunk'] == ['vpool01']
    assert result['diff'] == dict(before=dict(storagerouter=dict(name='cmp01', ip='10.0.0.21', node_type='EXTRA',
                                                                 vpools=['vpool01'])),
                                  after=dict(storagerouter={}))
    assert all(call[0] in ('list', 'get') for call in client.calls)
