#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: alba_node
short_description: Register an ASD node of Open vStorage, initialise its disks and claim its ASDs
version_added: 0.1.0
description:
  - Registers a storage node whose ASD manager is set up (see C(ovs_asd_manager)) - found with
    C(GET /api/alba/nodes/?discover=true), registered with C(POST /api/alba/nodes/) (a task).
  - Gives the listed slots (disks) the number of ASDs asked for - C(POST /api/alba/nodes/<guid>/fill_slots/)
    with only the missing ones - and claims every unclaimed ASD of those slots for an ALBA backend
    (C(POST /api/alba/backends/<guid>/add_osds/)).
  - A disk that is not C(available) and has no ASD holds data; it is never initialised without O(force).
  - An ASD of a listed slot claimed by another backend fails the task before anything changes.
  - ASDs are never removed, and never released from a backend; a slot with more ASDs than asked for is reported
    with a warning.
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
options:
  node_id:
    description:
      - Id of the ASD node - C(/etc/openvstorage_sdm_id) of the storage node, the C(node_id) that
        C(ovs_asd_manager) returns.
    type: str
    required: true
  name:
    description:
      - Name given to the node when it is registered (3 to 20 letters, digits, C(-) and C(_), starting and ending
        with a letter or digit). Not changed on a registered node.
    type: str
  state:
    description:
      - V(present) registers the node (removing nodes is not supported by this module).
    type: str
    choices: [present]
    default: present
  slots:
    description:
      - Slots (disks) of the node to initialise, each by O(slots[].slot_id) or O(slots[].disk).
    type: list
    elements: dict
    default: []
    suboptions:
      slot_id:
        description:
          - Id of the slot (the last part of the disk's first C(/dev/disk/by-id) alias).
          - Mutually exclusive with O(slots[].disk).
        type: str
      disk:
        description:
          - Device of the slot, as C(sdb) or C(/dev/sdb) (or one of its C(/dev/disk/by-id) aliases).
          - Mutually exclusive with O(slots[].slot_id).
        type: str
      asds:
        description:
          - Number of ASDs the slot must have (at least 1).
        type: int
        default: 1
  backend:
    description:
      - Name of the V(LOCAL) ALBA backend that claims every unclaimed ASD of the listed slots.
      - The backend must be C(RUNNING) with maintenance agents deployed.
    type: str
  force:
    description:
      - Initialise a slot that is not C(available) and has no ASD (the disk holds data, which is lost).
    type: bool
    default: false
attributes:
  check_mode:
    description: Reads and compares only; reports what would change without registering, filling or claiming.
    support: full
  diff_mode:
    description: Shows, per changed slot, its number of ASDs and the backends claiming them, before and after.
    support: full
seealso:
  - module: openvstorage.hyperscale.ovs_asd_manager
  - module: openvstorage.hyperscale.alba_backend
'''

EXAMPLES = r'''
- name: Register a storage node, one ASD on sdb and sdc, claimed by local-be1
  openvstorage.hyperscale.alba_node:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    ca_path: /etc/ssl/ovs-ca.pem
    node_id: "{{ asd_manager.node_id }}"
    name: str01
    slots:
      - disk: sdb
      - disk: /dev/sdc
        asds: 2
    backend: local-be1

- name: Only register the node
  openvstorage.hyperscale.alba_node:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    node_id: aB3dE5fG7hJ9kL1m
'''

RETURN = r'''
node:
  description: The node after the run (predicted in check mode).
  returned: always
  type: dict
  contains:
    guid:
      description: Guid of the ALBA node; C(null) when it is still to be registered in check mode.
      type: str
    node_id:
      description: Id of the ASD node.
      type: str
      sample: aB3dE5fG7hJ9kL1m
    ip:
      description: IP of its ASD manager.
      type: str
      sample: 172.30.250.31
    slots:
      description:
        - Every slot of the node by slot id, with its C(device), its number of C(asds) and C(claimed_by), the names
          of the backends that claimed its ASDs (the guid when the backend is unknown).
      type: dict
      sample: {"ata-QEMU_HARDDISK_QM00002": {"device": "/dev/sdb", "asds": 1, "claimed_by": ["local-be1"]}}
'''

import copy

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import (
    PRESET_NAME_RE,
    PRESET_NAME_RULE,
    AlbaError,
    alba_backend_usable,
    backend_names,
    find_backend,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import run_api_module

NODE_FIELDS = 'node_id,ip,port,type,name,stack'
TASK_TIMEOUT = 600


def argument_spec():
    return dict(
        node_id=dict(type='str', required=True),
        name=dict(type='str'),
        state=dict(type='str', choices=['present'], default='present'),
        slots=dict(type='list', elements='dict', default=[], options=dict(
            slot_id=dict(type='str'),
            disk=dict(type='str'),
            asds=dict(type='int', default=1),
        ), mutually_exclusive=[('slot_id', 'disk')], required_one_of=[('slot_id', 'disk')]),
        backend=dict(type='str'),
        force=dict(type='bool', default=False),
    )


def validate(params):
    errors = []
    name = params.get('name')
    if name is not None and not PRESET_NAME_RE.match(name):
        errors.append('name: {0!r} - Invalid name specified; allowed: {1}'.format(name, PRESET_NAME_RULE))
    for index, slot in enumerate(params['slots']):
        if slot['asds'] < 1:
            errors.append('slots[{0}].asds: {1} - allowed: 1 or more ASDs per slot'.format(index, slot['asds']))
    return errors


def device_matches(slot, disk):
    wanted = disk if disk.startswith('/') else '/dev/' + disk
    names = [slot.get('device')] + list(slot.get('aliases') or [])
    return wanted in names or disk in [n.rsplit('/', 1)[-1] for n in names if n]


def resolve_slots(params, stack):
    """``[(slot_id, wanted asds, label)]``; AlbaError naming the slots there are when one is not found."""
    resolved = []
    errors = []
    for index, item in enumerate(params['slots']):
        if item.get('slot_id'):
            slot_id = item['slot_id'] if item['slot_id'] in stack else None
            label = 'slots[{0}].slot_id: {1}'.format(index, item['slot_id'])
        else:
            matches = [sid for sid, slot in stack.items() if device_matches(slot, item['disk'])]
            slot_id = matches[0] if len(matches) == 1 else None
            label = 'slots[{0}].disk: {1}'.format(index, item['disk'])
        if slot_id is None:
            errors.append('{0} is not a slot of the node'.format(label))
            continue
        if slot_id in [r[0] for r in resolved]:
            errors.append('{0} names slot {1} a second time'.format(label, slot_id))
            continue
        resolved.append((slot_id, item['asds'], label))
    if errors:
        there = ', '.join('{0} ({1})'.format(sid, stack[sid].get('device')) for sid in sorted(stack)) or '(none)'
        raise AlbaError('{0}; the slots of node {1} are: {2}'.format('; '.join(errors), params['node_id'], there))
    return resolved


def slot_view(slot, names):
    osds = slot.get('osds') or {}
    claimed = sorted(set(names.get(o.get('claimed_by'), o.get('claimed_by'))
                         for o in osds.values() if o.get('claimed_by')))
    return dict(device=slot.get('device'), asds=len(osds), claimed_by=claimed)


def node_view(node, stack, names):
    return dict(guid=node.get('guid'), node_id=node.get('node_id'), ip=node.get('ip'),
                slots=dict((sid, slot_view(slot, names)) for sid, slot in sorted(stack.items())))


def find_node(client, node_id, discover=False):
    params = {'discover': True} if discover else None
    for node in client.list('alba/nodes', contents=NODE_FIELDS, params=params):
        if isinstance(node, dict) and node.get('node_id') == node_id:
            return node
    return None


def read_stack(client, node):
    if node.get('guid') and 'stack' not in node:
        node = client.get('alba/nodes/{0}'.format(node['guid']))
    stack = node.get('stack')
    return stack if isinstance(stack, dict) else {}


def run(module, client):
    params = module.params
    node_id = params['node_id']
    changed = False
    diff_before, diff_after = {}, {}

    # the backend first: a wrong name fails before anything changes
    backend_guid = None
    if params['backend']:
        found = find_backend(client, params['backend'])
        if found is None and module.check_mode:
            module.warn('ALBA backend {0} does not exist; assuming an earlier task creates it'.format(
                params['backend']))
            backend_guid = '(to be created)'
        else:
            alba_backend = alba_backend_usable(found, params['backend'])
            if alba_backend.get('scaling') != 'LOCAL':
                raise AlbaError('backend: {0} has scaling {1}; ASDs are claimed by LOCAL backends only'.format(
                    params['backend'], alba_backend.get('scaling')))
            backend_guid = alba_backend['guid']
    names = backend_names(client)
    if backend_guid == '(to be created)':
        names[backend_guid] = params['backend']

    node = find_node(client, node_id)
    if node is None:
        discovered = find_node(client, node_id, discover=True)
        if discovered is None:
            raise AlbaError('ASD node {0} is neither registered nor discoverable: set up its ASD manager first '
                            '(ovs_asd_manager, with the configuration store client file arakoon_cacc.ini copied '
                            'from a controller) and make sure its API is reachable from the masters'.format(node_id))
        changed = True
        diff_before['registered'] = False
        diff_after['registered'] = True
        if module.check_mode:
            node = dict(discovered, guid=None)
        else:
            data = dict(node_id=node_id, node_type='ASD')
            if params['name'] is not None:
                data['name'] = params['name']
            task = client.post('alba/nodes', data)
            client.wait_for_task(task, timeout=TASK_TIMEOUT)
            node = find_node(client, node_id)
            if node is None:
                raise AlbaError('ASD node {0} is not listed after its registration'.format(node_id))
    elif params['name'] is not None and node.get('name') != params['name']:
        module.warn('ASD node {0} is registered with the name {1!r}; the name {2!r} is not applied (a registered '
                    'node is not renamed)'.format(node_id, node.get('name'), params['name']))

    stack = read_stack(client, node)
    if not stack and node.get('guid') is None and params['slots']:
        module.warn('The slots of ASD node {0} cannot be read before it is registered; they are not '
                    'checked in check mode'.format(node_id))
        return dict(changed=True, node=node_view(node, stack, names), diff=dict(before=diff_before, after=diff_after))
    wanted = resolve_slots(params, stack)

    # plan: ASDs to add per slot, refusals first
    fill = []
    refusals = []
    for slot_id, asds, label in wanted:
        slot = stack[slot_id]
        osds = slot.get('osds') or {}
        have = len(osds)
        if have < asds:
            if have == 0 and not slot.get('available', True) and not params['force']:
                refusals.append('{0}: slot {1} ({2}) is not available and has no ASD: the disk holds data '
                                '(status {3}); set force=true to initialise it anyway, losing that data'.format(
                                    label, slot_id, slot.get('device'), slot.get('status')))
            fill.append(dict(slot_id=slot_id, count=asds - have))
        elif have > asds:
            module.warn('{0}: slot {1} has {2} ASDs, more than the {3} asked for; ASDs are not removed by this '
                        'module'.format(label, slot_id, have, asds))
        if backend_guid:
            for asd_id, osd in sorted(osds.items()):
                owner = osd.get('claimed_by')
                if owner and owner != backend_guid:
                    refusals.append('{0}: ASD {1} of slot {2} is claimed by ALBA backend {3}, not by {4}'.format(
                        label, asd_id, slot_id, names.get(owner, owner), params['backend']))
    if refusals:
        raise AlbaError('; '.join(refusals))

    before_stack = copy.deepcopy(stack)
    if fill:
        changed = True
        if module.check_mode:
            for item in fill:
                osds = stack[item['slot_id']].setdefault('osds', {})
                for number in range(item['count']):
                    osds['(new {0})'.format(number + 1)] = dict(claimed_by=None)
        else:
            task = client.post('alba/nodes/{0}/fill_slots'.format(node['guid']), dict(osd_information=fill))
            client.wait_for_task(task, timeout=TASK_TIMEOUT)
            stack = read_stack(client, dict(guid=node['guid']))

    if backend_guid:
        claims = []
        for slot_id, dummy, dummy in wanted:
            for asd_id, osd in sorted((stack[slot_id].get('osds') or {}).items()):
                if not osd.get('claimed_by'):
                    claims.append((slot_id, asd_id, osd))
        if claims:
            changed = True
            if module.check_mode:
                for dummy, dummy, osd in claims:
                    osd['claimed_by'] = backend_guid
            else:
                osds = [dict(osd_type='ASD', ips=osd.get('ips') or [node.get('ip')], port=osd.get('port'),
                             slot_id=slot_id) for slot_id, dummy, osd in claims]
                task = client.post('alba/backends/{0}/add_osds'.format(backend_guid),
                                   dict(alba_node_guid=node['guid'], osds=osds))
                unclaimed = client.wait_for_task(task, timeout=TASK_TIMEOUT)
                if unclaimed:
                    raise AlbaError('ALBA backend {0} did not claim these OSDs: {1}'.format(
                        params['backend'], ', '.join(str(u) for u in unclaimed)))
                stack = read_stack(client, dict(guid=node['guid']))

    slots_before, slots_after = {}, {}
    for slot_id, dummy, dummy in wanted:
        before = slot_view(before_stack[slot_id], names)
        after = slot_view(stack[slot_id], names)
        if before != after:
            slots_before[slot_id] = dict(asds=before['asds'], claimed_by=before['claimed_by'])
            slots_after[slot_id] = dict(asds=after['asds'], claimed_by=after['claimed_by'])
    if slots_after:
        diff_before['slots'] = slots_before
        diff_after['slots'] = slots_after
    if diff_after:
        diff_before['node_id'] = diff_after['node_id'] = node_id
    return dict(changed=changed, node=node_view(node, stack, names), diff=dict(before=diff_before, after=diff_after))


def main():
    run_api_module(argument_spec(), run, refusals=(AlbaError,), validate=validate)


if __name__ == '__main__':
    main()
