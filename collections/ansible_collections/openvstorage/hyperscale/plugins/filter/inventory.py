# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that read the node addresses of a HyperScale inventory, and the IPv4 rule of the modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ipv4 import is_ipv4


def node_address(host_vars, hostname=None):
    """The address a node is set up with: ``ovs_node_ip``, else ``ansible_host``, else its name."""
    for key in ('ovs_node_ip', 'ansible_host'):
        value = host_vars.get(key)
        if value:
            return str(value)
    return str(hostname or host_vars.get('inventory_hostname', ''))


def node_addresses(hostnames, hostvars):
    """Addresses of several inventory hosts, in the order given."""
    return [node_address(hostvars[name], name) for name in hostnames]


def install_master(controllers, hostvars):
    """Inventory name of the install master: the controller whose address is its
    ``install_master_ip``; the first controller when that variable is not set."""
    for name in controllers:
        wanted = hostvars[name].get('install_master_ip')
        if wanted and node_address(hostvars[name], name) == str(wanted):
            return name
    return controllers[0] if controllers else None


def node_types(groups, hostvars):
    """{framework node: its declared type}: ``ovs_node_type``, else ``master`` for a controller and
    ``extra`` for a compute node."""
    types = {}
    for group, default in (('controllers', 'master'), ('computenodes', 'extra')):
        for name in groups.get(group) or []:
            types[name] = hostvars[name].get('ovs_node_type', default)
    return types


def unused_variables(hostvars, hosts, notes):
    """One line per variable of ``notes`` (name -> why it is not used and what to use instead) that any of
    ``hosts`` sets: ``<name> (set on <hosts>) <note>``."""
    lines = []
    for name in sorted(notes):
        setting = [host for host in hosts if name in hostvars[host]]
        if setting:
            lines.append('{0} (set on {1}) {2}'.format(name, ', '.join(setting), ' '.join(str(notes[name]).split())))
    return lines


class FilterModule(object):
    """HyperScale inventory filters."""

    def filters(self):
        return {
            'node_address': node_address,
            'node_addresses': node_addresses,
            'is_ipv4': is_ipv4,
            'install_master': install_master,
            'node_types': node_types,
            'unused_variables': unused_variables,
        }
