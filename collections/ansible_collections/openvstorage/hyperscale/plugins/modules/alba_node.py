#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: alba_node
short_description: Register an ASD node of Open vStorage, initialise and claim its disks, remove disks or the node
version_added: 0.1.0
description:
  - Registers a storage node whose ASD manager is set up (see C(ovs_asd_manager)) - found with
    C(GET /api/alba/nodes/?discover=true), registered with C(POST /api/alba/nodes/) (a task).
  - Gives the listed slots (disks) the number of ASDs asked for - C(POST /api/alba/nodes/<guid>/fill_slots/)
    with only the missing ones - and claims every unclaimed ASD of those slots for an ALBA backend
    (C(POST /api/alba/backends/<guid>/add_osds/)).
  - A disk that is not C(available) and has no ASD holds data; it is never initialised without O(force).
  - An ASD of a listed slot claimed by another backend fails the task before anything changes.
  - A slot with more ASDs than asked for is reported with a warning; ASDs are only removed through O(remove_disks)
    or O(state=absent).
  - O(remove_disks) removes disks from the node (to replace them) - for each claimed ASD on them
    C(GET /api/alba/backends/<guid>/calculate_safety/) and C(POST /api/alba/nodes/<guid>/reset_osd/) with that
    safety (the OSD is purged from its backend, whose maintenance agents repair its data elsewhere), then
    C(POST /api/alba/nodes/<guid>/remove_slot/) per disk. A disk that is not a slot of the node any more (removed,
    swapped) is reported with a warning and nothing changes for it.
  - O(state=absent) removes the whole ALBA node - C(reset_osd) of every claimed ASD with its safety (skipped for
    a dead node, whose ASD manager does not answer and whose OSDs the API shows C(nodedown)), then
    C(DELETE /api/alba/nodes/<guid>/). The ASD manager stays on the host (see
    O(openvstorage.hyperscale.ovs_asd_manager#module:state=absent)).
  - Before any removal changes anything, the safety of removing ALL the OSDs that go is checked together, per
    backend, as M(openvstorage.hyperscale.alba_osd_safety) does (C(alba get-disk-safety) on the host that runs the
    module) - a removal that loses data is refused, one that brings data at risk unless O(allow=at_risk). The
    safety of each OSD is read again just before its C(reset_osd), which refuses when it changed.
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
      - V(present) registers the node, then applies O(slots), O(backend) and O(remove_disks).
      - V(absent) removes the ALBA node with all its ASDs (O(slots), O(backend) and O(remove_disks) are not used);
        a node that is not registered is left as it is.
    type: str
    choices: [present, absent]
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
  remove_disks:
    description:
      - Disks whose ASDs are removed and whose slot is released, each as a device (C(sdc), C(/dev/sdc)), one of its
        C(/dev/disk/by-id) aliases or a slot id. Not in O(slots) of the same task.
    type: list
    elements: str
    default: []
  allow:
    description:
      - For O(remove_disks) and O(state=absent) - V(none) refuses a removal that brings data at risk (a namespace
        left without a spare fragment), V(at_risk) accepts it. A removal that loses data is always refused.
    type: str
    choices: [none, at_risk]
    default: none
attributes:
  check_mode:
    description: Reads and compares only; reports what would change without registering, filling or claiming.
    support: full
  diff_mode:
    description:
      - Shows, per changed slot, its number of ASDs and the backends claiming them, before and after;
        with O(state=absent) the node and its used slots before, C(registered=false) after.
    support: full
notes:
  - O(remove_disks) and O(state=absent) run the C(alba) command and read
    C(/opt/OpenvStorage/config/arakoon_cacc.ini) on the host that runs the module, so they run on a controller
    (C(delegate_to) the install master, as the roles of the collection do), also in check mode.
  - Remove a storage node in this order - this module with O(state=absent), then
    O(openvstorage.hyperscale.ovs_asd_manager#module:state=absent) on the node.
seealso:
  - module: openvstorage.hyperscale.ovs_asd_manager
  - module: openvstorage.hyperscale.alba_backend
  - module: openvstorage.hyperscale.alba_osd_safety
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

- name: Remove the ASDs of sdc (to swap the disk), refusing if data would be at risk
  openvstorage.hyperscale.alba_node:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    node_id: "{{ asd_node_id }}"
    remove_disks: [sdc]
  delegate_to: ctl01

- name: Remove the whole ALBA node of a storage node
  openvstorage.hyperscale.alba_node:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    node_id: "{{ asd_node_id }}"
    state: absent
  delegate_to: ctl01

- name: Only register the node
  openvstorage.hyperscale.alba_node:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    node_id: aB3dE5fG7hJ9kL1m
'''

RETURN = r'''
node:
  description: The node after the run (predicted in check mode); C(null) with O(state=absent).
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
removed_slots:
  description:
    - Slot ids released by O(remove_disks), or the slots the node removal clears with O(state=absent) - those of
      the ASD manager (with ASDs, or mounted by it); a disk that holds other data is left as it is and not listed.
  returned: always
  type: list
  elements: str
  sample: ["ata-QEMU_HARDDISK_QM00003"]
removed_osds:
  description: Long ids of the claimed ASDs purged from their backends (predicted in check mode).
  returned: always
  type: list
  elements: str
  sample: ["0f2c8a4b6d1e4c3aa1b2c3d4e5f60718"]
safety:
  description:
    - Per backend losing OSDs, the combined safety checked before the removal - numbers of namespaces C(good),
      C(critical) and C(lost) once all its C(osds) are gone, and the long ids the backend does not know
      (C(unknown)). Empty when no claimed ASD goes.
  returned: always
  type: dict
  sample: {"local-be1": {"good": 3, "critical": 0, "lost": 0, "osds": ["0f2c8a4b6d1e4c3aa1b2c3d4e5f60718"],
           "unknown": []}}
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
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba_nodes import (
    find_alba_node,
    node_summary,
    read_node_stack,
    slot_summary,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba_safety import (
    ALLOW_CHOICES,
    SAFETY_KEYS,
    check_removal,
    refusal,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import OvsCommandError, OvsRunner
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import run_api_module

TASK_TIMEOUT = 600
TO_BE_CREATED = '(to be created)'


def argument_spec():
    return dict(
        node_id=dict(type='str', required=True),
        name=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        slots=dict(type='list', elements='dict', default=[], options=dict(
            slot_id=dict(type='str'),
            disk=dict(type='str'),
            asds=dict(type='int', default=1),
        ), mutually_exclusive=[('slot_id', 'disk')], required_one_of=[('slot_id', 'disk')]),
        backend=dict(type='str'),
        force=dict(type='bool', default=False),
        remove_disks=dict(type='list', elements='str', default=[]),
        allow=dict(type='str', choices=list(ALLOW_CHOICES), default='none'),
    )


def validate(params):
    errors = []
    name = params.get('name')
    if name is not None and not PRESET_NAME_RE.match(name):
        errors.append('name: {0!r} - Invalid name specified; allowed: {1}'.format(name, PRESET_NAME_RULE))
    for index, slot in enumerate(params['slots']):
        if slot['asds'] < 1:
            errors.append('slots[{0}].asds: {1} - allowed: 1 or more ASDs per slot'.format(index, slot['asds']))
    if params['state'] == 'absent':
        for option in ('slots', 'remove_disks'):
            if params[option]:
                errors.append('{0}: {1} item(s) - not used with state=absent, which removes every ASD and slot of '
                              'the node; allowed: []'.format(option, len(params[option])))
        if params['backend']:
            errors.append('backend: {0!r} - not used with state=absent; allowed: none'.format(params['backend']))
    added = [s.get('disk') or s.get('slot_id') for s in params['slots']]
    for index, disk in enumerate(params['remove_disks']):
        if not disk or not disk.strip():
            errors.append('remove_disks[{0}]: {1!r} - allowed: a device (sdc, /dev/sdc, a by-id alias) or a slot '
                          'id'.format(index, disk))
        elif disk in added:
            errors.append('remove_disks[{0}]: {1} is also listed in slots; allowed: a disk that is not '
                          'initialised by the same task'.format(index, disk))
    return errors


def device_matches(slot, disk):
    wanted = disk if disk.startswith('/') else '/dev/' + disk
    names = [slot.get('device')] + list(slot.get('aliases') or [])
    return wanted in names or disk in [n.rsplit('/', 1)[-1] for n in names if n]


def slots_of(stack, item):
    """Slot ids of ``stack`` that ``item`` (a slot id, or a device name or alias) names."""
    if item in stack:
        return [item]
    return [sid for sid, slot in stack.items() if device_matches(slot, item)]


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
        raise AlbaError('{0}; the slots of node {1} are: {2}'.format(
            '; '.join(errors), params['node_id'], slots_text(stack)))
    return resolved


def slots_text(stack):
    return ', '.join('{0} ({1})'.format(sid, stack[sid].get('device')) for sid in sorted(stack)) or '(none)'


def wait(client, task):
    return client.wait_for_task(task, timeout=TASK_TIMEOUT)


def slots_diff(before_stack, stack, slot_ids, names):
    """(before, after) of the slots whose ASDs or claims changed."""
    before, after = {}, {}
    for slot_id in slot_ids:
        old = slot_summary(before_stack.get(slot_id, {}), names)
        new = slot_summary(stack.get(slot_id, {}), names)
        if old != new:
            before[slot_id] = dict(asds=old['asds'], claimed_by=old['claimed_by'])
            after[slot_id] = dict(asds=new['asds'], claimed_by=new['claimed_by'])
    return before, after


# ------------------------------------------------------------------ state=present
def resolve_backend(module, client, name):
    """Guid of the LOCAL backend that claims the ASDs (None without one); AlbaError when it cannot."""
    if not name:
        return None
    # alba_id and scaling are properties: no dynamic of the backend is computed for this read
    found = find_backend(client, name, contents='alba_id,scaling')
    if found is None and module.check_mode:
        module.warn('ALBA backend {0} does not exist; assuming an earlier task creates it'.format(name))
        return TO_BE_CREATED
    alba_backend = alba_backend_usable(found, name)
    if alba_backend.get('scaling') != 'LOCAL':
        raise AlbaError('backend: {0} has scaling {1}; ASDs are claimed by LOCAL backends only'.format(
            name, alba_backend.get('scaling')))
    return alba_backend['guid']


def ensure_registered(module, client, params):
    """(node, changed): the registered node (predicted in check mode), registering it when needed."""
    node_id = params['node_id']
    node = find_alba_node(client, node_id)
    if node is not None:
        if params['name'] is not None and node.get('name') != params['name']:
            module.warn('ASD node {0} is registered with the name {1!r}; the name {2!r} is not applied (a '
                        'registered node is not renamed)'.format(node_id, node.get('name'), params['name']))
        return node, False
    # its stack too: check mode plans the slots from it
    discovered = find_alba_node(client, node_id, discover=True, contents='node_id,ip,port,type,name,stack')
    if discovered is None:
        raise AlbaError('ASD node {0} is neither registered nor discoverable: set up its ASD manager first '
                        '(ovs_asd_manager, with the configuration store client file arakoon_cacc.ini copied '
                        'from a controller) and make sure its API is reachable from the masters'.format(node_id))
    if module.check_mode:
        return dict(discovered, guid=None), True
    data = dict(node_id=node_id, node_type='ASD')
    if params['name'] is not None:
        data['name'] = params['name']
    wait(client, client.post('alba/nodes', data))
    node = find_alba_node(client, node_id)
    if node is None:
        raise AlbaError('ASD node {0} is not listed after its registration'.format(node_id))
    return node, True


def plan_fill(module, params, stack, wanted, backend_guid, names):
    """ASDs to add per slot (``fill_slots`` items); AlbaError with every refusal first."""
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
            module.warn('{0}: slot {1} has {2} ASDs, more than the {3} asked for; ASDs are only removed with '
                        'remove_disks or state=absent'.format(label, slot_id, have, asds))
        for asd_id, osd in sorted(osds.items()):
            owner = osd.get('claimed_by')
            if backend_guid and owner and owner != backend_guid:
                refusals.append('{0}: ASD {1} of slot {2} is claimed by ALBA backend {3}, not by {4}'.format(
                    label, asd_id, slot_id, names.get(owner, owner), params['backend']))
    if refusals:
        raise AlbaError('; '.join(refusals))
    return fill


def apply_fill(module, client, node, stack, fill):
    if module.check_mode:
        for item in fill:
            osds = stack[item['slot_id']].setdefault('osds', {})
            for number in range(item['count']):
                osds['(new {0})'.format(number + 1)] = dict(claimed_by=None)
        return stack
    wait(client, client.post('alba/nodes/{0}/fill_slots'.format(node['guid']), dict(osd_information=fill)))
    return read_node_stack(client, dict(guid=node['guid']))


def apply_claims(module, client, node, stack, wanted, backend):
    """Claims every unclaimed ASD of the wanted slots for ``backend`` (name, guid); the stack after."""
    claims = [(slot_id, osd) for slot_id, dummy, dummy in wanted
              for dummy, osd in sorted((stack[slot_id].get('osds') or {}).items()) if not osd.get('claimed_by')]
    if not claims:
        return stack, False
    if module.check_mode:
        for dummy, osd in claims:
            osd['claimed_by'] = backend[1]
        return stack, True
    osds = [dict(osd_type='ASD', ips=osd.get('ips') or [node.get('ip')], port=osd.get('port'), slot_id=slot_id)
            for slot_id, osd in claims]
    unclaimed = wait(client, client.post('alba/backends/{0}/add_osds'.format(backend[1]),
                                         dict(alba_node_guid=node['guid'], osds=osds)))
    if unclaimed:
        raise AlbaError('ALBA backend {0} did not claim these OSDs: {1}'.format(
            backend[0], ', '.join(str(u) for u in unclaimed)))
    return read_node_stack(client, dict(guid=node['guid'])), True


def ensure_present(module, client, names):
    """Registration, ASDs and claims of the listed slots: (result, node, stack)."""
    params = module.params
    backend_guid = resolve_backend(module, client, params['backend'])
    if backend_guid == TO_BE_CREATED:
        names[backend_guid] = params['backend']
    node, changed = ensure_registered(module, client, params)
    diff_before, diff_after = ({'registered': False}, {'registered': True}) if changed else ({}, {})
    stack = read_node_stack(client, node)
    if not stack and node.get('guid') is None and params['slots']:
        module.warn('The slots of ASD node {0} cannot be read before it is registered; they are not '
                    'checked in check mode'.format(params['node_id']))
        return dict(changed=True, diff=dict(before=diff_before, after=diff_after)), node, stack
    wanted = resolve_slots(params, stack)
    fill = plan_fill(module, params, stack, wanted, backend_guid, names)
    before_stack = copy.deepcopy(stack)
    if fill:
        changed = True
        stack = apply_fill(module, client, node, stack, fill)
    if backend_guid:
        stack, claimed = apply_claims(module, client, node, stack, wanted, (params['backend'], backend_guid))
        changed = changed or claimed
    before, after = slots_diff(before_stack, stack, [w[0] for w in wanted], names)
    if after:
        diff_before['slots'], diff_after['slots'] = before, after
    return dict(changed=changed, diff=dict(before=diff_before, after=diff_after)), node, stack


# ------------------------------------------------------------------ removal
def claimed_in(stack, slot_ids):
    """``[(slot_id, asd_id, alba_backend_guid)]`` of the claimed ASDs of the slots."""
    return [(slot_id, asd_id, osd['claimed_by']) for slot_id in slot_ids
            for asd_id, osd in sorted((stack[slot_id].get('osds') or {}).items()) if osd.get('claimed_by')]


def removal_slots(module, params, stack):
    """Slot ids of ``remove_disks`` that still hold ASDs or data; a disk not found is warned about."""
    result = []
    for index, disk in enumerate(params['remove_disks']):
        matches = slots_of(stack, disk)
        if len(matches) > 1:
            raise AlbaError('remove_disks[{0}]: {1} names several slots ({2}); name the slot id'.format(
                index, disk, ', '.join(sorted(matches))))
        if not matches:
            module.warn('remove_disks[{0}]: {1} is not a slot of node {2} (already removed or swapped); the '
                        'slots of the node are: {3}'.format(index, disk, params['node_id'], slots_text(stack)))
            continue
        slot = stack[matches[0]]
        if (slot.get('osds') or not slot.get('available', True)) and matches[0] not in result:
            result.append(matches[0])
    return result


def check_claims(module, claims, names):
    """The combined safety of removing all ``claims`` (alba CLI on this host); AlbaError when refused."""
    plan = {}
    for dummy, asd_id, owner in claims:
        plan.setdefault(names.get(owner, owner), []).append(asd_id)
    if not plan:
        return {}
    return check_removal(OvsRunner(module), plan, module.params['allow'])


def reset_osds(client, node, claims, names, allow):
    """Per claimed ASD: ``calculate_safety`` then ``reset_osd`` with it; AlbaError naming what was done."""
    done = []
    for slot_id, asd_id, owner in claims:
        task = client.get('alba/backends/{0}/calculate_safety'.format(owner),
                          params=dict(asd_id=asd_id, osd_id=asd_id))
        safety = dict((k, v) for k, v in (wait(client, task) or {}).items() if k in SAFETY_KEYS)
        counts = dict.fromkeys(SAFETY_KEYS, 0)
        counts.update(safety)
        text = refusal(names.get(owner, owner), [asd_id], counts, allow)
        if text:
            raise AlbaError('{0} (calculate_safety, just before its reset_osd); OSDs already removed: {1}'.format(
                text, ', '.join(done) or 'none'))
        wait(client, client.post('alba/nodes/{0}/reset_osd'.format(node['guid']),
                                 dict(osd_id=asd_id, safety=safety)))
        done.append(asd_id)
    return done


def remove_disks(module, client, node, stack, names):
    """``remove_disks``: (result part, stack after): safety, reset_osd per claimed ASD, remove_slot."""
    slot_ids = removal_slots(module, module.params, stack) if node.get('guid') else []
    claims = claimed_in(stack, slot_ids)
    safety = check_claims(module, claims, names)
    result = dict(changed=bool(slot_ids), removed_slots=slot_ids, removed_osds=sorted(c[1] for c in claims),
                  safety=safety)
    if not slot_ids:
        return result, stack
    before = copy.deepcopy(stack)
    if module.check_mode:
        for slot_id in slot_ids:
            stack[slot_id]['osds'] = {}
    else:
        reset_osds(client, node, claims, names, module.params['allow'])
        for slot_id in slot_ids:
            wait(client, client.post('alba/nodes/{0}/remove_slot'.format(node['guid']), dict(slot=slot_id)))
        stack = read_node_stack(client, dict(guid=node['guid']))
    result['diff'] = slots_diff(before, stack, slot_ids, names)
    return result, stack


def node_down(stack):
    """Whether the node's ASD manager does not answer: the API shows its OSDs ``unknown``/``nodedown``."""
    osds = [osd for slot in stack.values() for osd in (slot.get('osds') or {}).values()]
    return bool(osds) and all(osd.get('status_detail') == 'nodedown' for osd in osds)


def ensure_absent(module, client, names):
    """``state=absent``: every claimed ASD reset with its safety, then ``DELETE /api/alba/nodes/<guid>/``."""
    node_id = module.params['node_id']
    node = find_alba_node(client, node_id)
    if node is None:
        return dict(changed=False, node=None, removed_slots=[], removed_osds=[], safety={},
                    diff=dict(before={}, after={}))
    stack = read_node_stack(client, node)
    claims = claimed_in(stack, sorted(stack))
    safety = check_claims(module, claims, names)
    if not module.check_mode:
        if node_down(stack):
            module.warn('The ASD manager of node {0} does not answer (its OSDs are nodedown): its OSDs are purged by '
                        'the node removal without a reset_osd each'.format(node_id))
        else:
            reset_osds(client, node, claims, names, module.params['allow'])
        wait(client, client.delete('alba/nodes/{0}'.format(node['guid'])))
    # the slots the removal clears: those the ASD manager initialised (mounted) or that carry ASDs; a disk that
    # holds other data (not available, not the ASD manager's) is left as it is, so it is not listed
    used = sorted(sid for sid, slot in stack.items() if slot.get('osds') or slot.get('mountpoint'))
    before = dict(node_id=node_id, registered=True, guid=node['guid'],
                  slots=dict((sid, dict((k, v) for k, v in slot_summary(stack[sid], names).items() if k != 'device'))
                             for sid in used))
    return dict(changed=True, node=None, removed_slots=used, removed_osds=sorted(c[1] for c in claims), safety=safety,
                diff=dict(before=before, after=dict(node_id=node_id, registered=False)))


def run(module, client):
    names = backend_names(client)
    if module.params['state'] == 'absent':
        return ensure_absent(module, client, names)
    result, node, stack = ensure_present(module, client, names)
    removal, stack = remove_disks(module, client, node, stack, names)
    diff = result['diff']
    if 'diff' in removal:
        diff['before'].setdefault('slots', {}).update(removal['diff'][0])
        diff['after'].setdefault('slots', {}).update(removal['diff'][1])
    if diff['after']:
        diff['before']['node_id'] = diff['after']['node_id'] = module.params['node_id']
    return dict(changed=result['changed'] or removal['changed'], node=node_summary(node, stack, names), diff=diff,
                removed_slots=removal['removed_slots'], removed_osds=removal['removed_osds'],
                safety=removal['safety'])


def main():
    run_api_module(argument_spec(), run, refusals=(AlbaError, OvsCommandError), validate=validate)


if __name__ == '__main__':
    main()
