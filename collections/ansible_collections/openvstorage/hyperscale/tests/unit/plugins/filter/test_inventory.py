# -*- coding: utf-8 -*-
"""The inventory filters that the roles use to find node addresses and check preconfig types."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.openvstorage.hyperscale.plugins.filter import inventory

HOSTVARS = {
    'ctl01': {'ansible_host': '172.19.10.30', 'inventory_hostname': 'ctl01'},
    'ctl02': {'ansible_host': 'ctl02.example', 'ovs_node_ip': '10.0.0.2', 'inventory_hostname': 'ctl02'},
    'ctl03': {'inventory_hostname': 'ctl03'},
}


def test_node_address_prefers_ovs_node_ip_then_ansible_host_then_name():
    assert inventory.node_address(HOSTVARS['ctl02'], 'ctl02') == '10.0.0.2'
    assert inventory.node_address(HOSTVARS['ctl01'], 'ctl01') == '172.19.10.30'
    assert inventory.node_address(HOSTVARS['ctl03'], 'ctl03') == 'ctl03'


def test_node_addresses_keeps_the_order_of_the_hosts():
    assert inventory.node_addresses(['ctl03', 'ctl01', 'ctl02'], HOSTVARS) == ['ctl03', '172.19.10.30', '10.0.0.2']


def test_unused_variables_names_each_variable_once_with_the_hosts_that_set_it():
    hostvars = {'ctl01': {'hypervisor_name': 'mas01', 'cluster_type': 'KVM'}, 'cmp01': {'hypervisor_name': 'hyp01'},
                'str01': {'excellerated_backend': False}}
    notes = {'hypervisor_name': 'is not  used', 'cluster_type': 'neither', 'excellerated_backend': 'not yet',
             'other': 'never set'}
    assert inventory.unused_variables(hostvars, ['ctl01', 'cmp01', 'str01'], notes) == [
        'cluster_type (set on ctl01) neither', 'excellerated_backend (set on str01) not yet',
        'hypervisor_name (set on ctl01, cmp01) is not used']
    assert inventory.unused_variables(hostvars, ['cmp01'], {'cluster_type': 'x'}) == []


def test_filters_are_registered_under_their_names():
    names = set(inventory.FilterModule().filters())
    assert names == {'node_address', 'node_addresses', 'unused_variables', 'install_master', 'node_types', 'is_ipv4'}


def test_node_types_default_by_group_and_declared():
    groups = {'controllers': ['ctl01', 'ctl02'], 'computenodes': ['cmp01', 'cmp02'], 'storagenodes': ['str01']}
    hostvars = {'ctl01': {}, 'ctl02': {'ovs_node_type': 'extra'}, 'cmp01': {}, 'cmp02': {'ovs_node_type': 'master'},
                'str01': {'ovs_node_type': 'master'}}
    assert inventory.node_types(groups, hostvars) == {'ctl01': 'master', 'ctl02': 'extra', 'cmp01': 'extra',
                                                      'cmp02': 'master'}


def test_install_master_is_the_controller_with_the_install_master_ip():
    hostvars = {
        'ctl01': {'ansible_host': '10.0.0.1', 'install_master_ip': '10.0.0.2'},
        'ctl02': {'ansible_host': '10.0.0.2', 'install_master_ip': '10.0.0.2'},
    }
    assert inventory.install_master(['ctl01', 'ctl02'], hostvars) == 'ctl02'
    assert inventory.install_master(['ctl01', 'ctl02'], {'ctl01': {}, 'ctl02': {}}) == 'ctl01'
    assert inventory.install_master([], {}) is None
