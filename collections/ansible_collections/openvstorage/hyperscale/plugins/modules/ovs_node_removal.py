#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_node_removal
short_description: Remove a controller or compute node from an Open vStorage cluster, guarded
version_added: 0.1.0
description:
  - Removes a framework node (a storage router, master or extra) from the cluster with the framework's own
    C(ovs remove node <ip> --force-yes), run on this host, which must be another master of the cluster.
  - Before anything changes it reads the cluster through the API and refuses, naming the node and what to do,
    when the node is the only storage router, the last master, a master whose removal leaves fewer than
    O(min_masters) masters, when vDisks are served from it (listed), or when it is the last storage router of a
    vPool that holds vDisks. C(--force-yes) answers the framework's own questions; these checks are the ones a
    person would have made before answering them.
  - Then it shrinks every vPool off the node (C(POST /api/vpools/<guid>/shrink_vpool/)) and runs the removal,
    which demotes a master first, stops and removes the node's services (when the node answers) and removes it
    from the model. An unreachable (dead) node is removed too; the framework marks its storage drivers offline.
  - Packages and data directories stay on the removed node, as the framework leaves them.
  - A node that is not a storage router of the cluster (already removed) is reported unchanged.
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
  - openvstorage.hyperscale.attributes
options:
  node_ip:
    description:
      - IPv4 address of the node to remove (its storage router IP).
    type: str
    required: true
  min_masters:
    description:
      - Refuse to remove a master when fewer masters than this would remain.
      - The playbooks pass a majority of the controllers the inventory declares.
    type: int
    default: 1
  task_timeout:
    description: Seconds to wait for each vPool shrink task.
    type: int
    default: 1800
notes:
  - Run it on a master other than the node to remove (the framework refuses to remove the node it runs on).
  - A storage node (ASD manager) is not a storage router; remove its ALBA node and ASD manager with
    M(openvstorage.hyperscale.alba_node) and M(openvstorage.hyperscale.ovs_asd_manager)
    (C(playbooks/remove_node.yml) does all of it).
seealso:
  - module: openvstorage.hyperscale.ovs_node
  - module: openvstorage.hyperscale.ovs_vpool
'''

EXAMPLES = r'''
- name: Remove compute node cmp03 (from the install master)
  openvstorage.hyperscale.ovs_node_removal:
    api_host: 172.30.250.11
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    node_ip: 172.30.250.23
    min_masters: 2
'''

RETURN = r'''
node:
  description: The storage router removed (or to be removed in check mode); empty when it is not in the cluster.
  returned: always
  type: dict
  sample: {name: cmp03, ip: 172.30.250.23, node_type: EXTRA, vpools: [vpool01]}
vpools_shrunk:
  description: Names of the vPools shrunk off the node (predicted in check mode).
  returned: always
  type: list
  elements: str
stdout_lines:
  description: Output of C(ovs remove node), one line an item.
  returned: when the removal ran
  type: list
  elements: str
'''

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import (
    OvsCommandError,
    OvsRunner,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_host import ipv4_error
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import (
    run_api_module,
    task_timeout_option,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import run_action
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.storagerouter import list_storagerouters
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vdisk import vdisks_served_by
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vpool import read_vpool

ROUTER_FIELDS = 'name,ip,machine_id,node_type,vpools_guids'


def argument_spec():
    return dict(
        node_ip=dict(type='str', required=True),
        min_masters=dict(type='int', default=1),
        task_timeout=task_timeout_option(1800),
    )


def validate(params):
    errors = []
    error = ipv4_error('node_ip', params['node_ip'])
    if error:
        errors.append(error)
    if params['min_masters'] < 1:
        errors.append('min_masters: {0} is not allowed; allowed is an integer of at least 1'.format(
            params['min_masters']))
    return errors


def read_cluster(client, node_ip):
    """The storage routers, the node's router (or None), its vPools and the vDisks it serves."""
    routers = list_storagerouters(client, ROUTER_FIELDS)
    node = next((r for r in routers if r.get('ip') == node_ip), None)
    state = dict(routers=routers, node=node, vpools=[], vdisks=[])
    if node is None:
        return state
    state['vdisks'] = vdisks_served_by(client, node)
    for guid in node.get('vpools_guids') or []:
        # storagedrivers and vdisks: the relations storagedrivers_guids and vdisks_guids
        state['vpools'].append(read_vpool(client, guid, 'name,storagedrivers,vdisks'))
    return state


def refusal(state, min_masters):
    """None, or the text that refuses the removal (pure: the state read by read_cluster)."""
    node, routers = state['node'], state['routers']
    label = '{0} ({1})'.format(node.get('name'), node.get('ip'))
    masters = [r for r in routers if r.get('node_type') == 'MASTER']
    if len(routers) == 1:
        return 'Refusing to remove {0}: it is the only node of the cluster (to tear a cluster down use ' \
               'playbooks/purge.yml)'.format(label)
    if node.get('node_type') == 'MASTER':
        left = len(masters) - 1
        if left == 0:
            return 'Refusing to remove {0}: it is the last master of the cluster; promote another node ' \
                   '(ovs_node_type: master) first'.format(label)
        if left < min_masters:
            return 'Refusing to remove {0}: it is a master and {1} master(s) would remain ({2}) where at least {3} ' \
                   'are needed for a majority of the declared controllers; promote another node first'.format(
                       label, left, ', '.join(sorted(r['name'] for r in masters if r is not node)), min_masters)
    if state['vdisks']:
        names = sorted(v.get('name') or v['guid'] for v in state['vdisks'])
        return 'Refusing to remove {0}: {1} vDisk(s) are served from it: {2}; move them to another storage ' \
               'router or delete them first'.format(label, len(names), ', '.join(names))
    last = [v['name'] for v in state['vpools']
            if len(v.get('storagedrivers_guids') or []) <= 1 and v.get('vdisks_guids')]
    if last:
        return 'Refusing to remove {0}: it is the last storage router of vPool(s) {1}, which still hold vDisks; ' \
               'extend the vPool to another storage router and move the vDisks, or delete them first'.format(
                   label, ', '.join(sorted(last)))
    return None


def node_view(state):
    node = state['node']
    if node is None:
        return {}
    return dict(name=node.get('name'), ip=node.get('ip'), node_type=node.get('node_type'),
                vpools=sorted(v['name'] for v in state['vpools']))


def remove(module, client, state):
    """Shrink the node's vPools, then ``ovs remove node <ip> --force-yes``; the command's output lines."""
    for vpool in state['vpools']:
        run_action(client, 'vpools/{0}/shrink_vpool'.format(vpool['guid']),
                   dict(storagerouter_guid=state['node']['guid']), timeout=module.params['task_timeout'])
    runner = OvsRunner(module)
    try:
        dummy, stdout, dummy = runner.run('ovs', ['remove', 'node', module.params['node_ip'], '--force-yes'],
                                          what='ovs remove node {0}'.format(module.params['node_ip']))
    except OvsCommandError as exc:
        raise StorageError('{0} (the vPools {1} were shrunk off the node first)'.format(
            exc.message, ', '.join(v['name'] for v in state['vpools']) or '(none)'))
    return stdout.splitlines()


def run(module, client):
    params = module.params
    state = read_cluster(client, params['node_ip'])
    view = node_view(state)
    result = dict(changed=False, node=view, vpools_shrunk=[])
    if state['node'] is None:
        result['msg'] = 'No storage router with IP {0} in the cluster: nothing to remove'.format(params['node_ip'])
        return result
    text = refusal(state, params['min_masters'])
    if text:
        raise StorageError(text)
    result.update(changed=True, vpools_shrunk=view['vpools'], diff=dict(before=dict(storagerouter=view),
                                                                        after=dict(storagerouter={})))
    if module.check_mode:
        return result
    result['stdout_lines'] = remove(module, client, state)
    if any(r.get('ip') == params['node_ip'] for r in list_storagerouters(client, 'ip')):
        raise StorageError('ovs remove node {0} exited 0 but the storage router is still in the model'.format(
            params['node_ip']))
    return result


def main():
    run_api_module(argument_spec(), run, refusals=(StorageError,), validate=validate)


if __name__ == '__main__':
    main()
