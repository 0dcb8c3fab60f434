#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_vdisk
short_description: Manage an Open vStorage vDisk, its size and its snapshots
version_added: 0.1.0
description:
  - Creates a vDisk (C(POST /api/vdisks/), a task whose result is the vDisk guid) or a clone of another vDisk
    (C(POST /api/vdisks/<guid>/clone/)), grows it (C(POST /api/vdisks/<guid>/extend/)), creates the snapshots that
    are missing (C(POST /api/vdisks/<guid>/create_snapshot/)) and, with O(purge_snapshots=true), removes the others
    (C(POST /api/vdisks/<guid>/remove_snapshot/)).
  - A vDisk cannot shrink; a smaller O(size) fails.
  - With O(state=absent) the vDisk is deleted (C(POST /api/vdisks/<guid>/delete/)); refused while clones of it exist
    (they are named).
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
options:
  name:
    description:
      - Name of the vDisk (C(^[0-9a-zA-Z][\-_a-zA-Z0-9]+[a-zA-Z0-9]$)); its file is C(/mnt/<vpool>/<name>.raw).
    type: str
    required: true
  vpool:
    description: Name of the vPool.
    type: str
    required: true
  storagerouter:
    description:
      - Host name or IP of the storage router that serves the vDisk; it must run the vPool.
      - For an existing vDisk served elsewhere, the vDisk is moved there (C(POST /api/vdisks/<guid>/move/)) when
        O(move=true); otherwise it is not compared.
    type: str
  move:
    description:
      - Move an existing vDisk to O(storagerouter) when another storage router serves it (the volume driver
        migrates the volume; the vDisk stays served).
    type: bool
    default: false
  size:
    description:
      - Size in bytes (an integer) or with a unit (V(10GiB), V(500MiB), V(1TB); KiB/MiB/GiB/TiB are binary, KB/MB/GB/TB
        decimal), at most 64 TiB.
      - Required to create a vDisk that is not a clone. A clone gets the size of its parent, then grows to O(size).
    type: raw
  snapshots:
    description: Names (labels) of snapshots that must exist; the missing ones are created in this order.
    type: list
    elements: str
  purge_snapshots:
    description: Remove the snapshots whose label is not in O(snapshots).
    type: bool
    default: false
  clone_from:
    description:
      - Create the vDisk as a clone of another vDisk of the same vPool.
      - For an existing vDisk, it must be a clone of that vDisk.
    type: dict
    suboptions:
      vdisk:
        description: Name of the vDisk to clone.
        type: str
        required: true
      snapshot:
        description: Label of the snapshot to clone from; default a new snapshot the framework takes.
        type: str
  state:
    description: Whether the vDisk exists.
    type: str
    choices: [present, absent]
    default: present
  task_timeout:
    description: Seconds to wait for each task.
    type: int
    default: 600
attributes:
  check_mode:
    description: Reads and compares; reports what would change without any POST.
    support: full
  diff_mode:
    description: Shows the size and the snapshots that change.
    support: full
seealso:
  - module: openvstorage.hyperscale.ovs_vpool
'''

EXAMPLES = r'''
- name: A 100 GiB vDisk with a snapshot
  openvstorage.hyperscale.ovs_vdisk:
    api_host: 172.30.250.11
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    ca_path: /etc/ssl/ovs-ca.pem
    name: vm01-disk0
    vpool: pool1
    storagerouter: cmp01
    size: 100GiB
    snapshots: [installed]

- name: A clone of its snapshot
  openvstorage.hyperscale.ovs_vdisk:
    api_host: 172.30.250.11
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    name: vm02-disk0
    vpool: pool1
    storagerouter: cmp02
    clone_from:
      vdisk: vm01-disk0
      snapshot: installed
'''

RETURN = r'''
vdisk:
  description: The vDisk after the change (in check mode, what it would be; C(guid) null for a new one). Empty after
    removal.
  returned: success
  type: dict
  contains:
    guid:
      description: Guid of the vDisk.
      type: str
    name:
      description: Name.
      type: str
    size:
      description: Size in bytes.
      type: int
    devicename:
      description: File in the vPool (C(/<name>.raw)).
      type: str
    vpool:
      description: Name of the vPool.
      type: str
    storagerouter:
      description: Name of the storage router that serves it.
      type: str
    snapshots:
      description: Labels of the snapshots.
      type: list
      elements: str
    parent_vdisk:
      description: Name of the vDisk it is a clone of, if any.
      type: str
'''


from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import (
    run_api_module,
    task_timeout_option,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_diff import object_diff
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import guid_names, named, run_action
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError, parse_size
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.storagerouter import (
    list_storagerouters,
    resolve_storagerouter,
    storagerouter_names,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vdisk import (
    VDISK_CONTENTS,
    VDISK_MAX_SIZE,
    VDISK_NAME,
    list_vdisks,
    read_vdisk,
    snapshot_labels as labels,
    vdisk_view,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vpool import (
    DRIVER_ROUTER_CONTENTS,
    list_storagedrivers,
    resolve_vpool,
)


def argument_spec():
    return dict(
        name=dict(type='str', required=True),
        vpool=dict(type='str', required=True),
        storagerouter=dict(type='str'),
        move=dict(type='bool', default=False),
        size=dict(type='raw'),
        snapshots=dict(type='list', elements='str'),
        purge_snapshots=dict(type='bool', default=False),
        clone_from=dict(type='dict', options=dict(vdisk=dict(type='str', required=True),
                                                  snapshot=dict(type='str'))),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        task_timeout=task_timeout_option(600),
    )


class VDiskManager(object):

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.timeout = module.params['task_timeout']
        self.routers = list_storagerouters(client)
        self.router_names = storagerouter_names(self.routers)

    def find_vpool(self):
        return resolve_vpool(self.client, self.params['vpool'])

    def vdisks(self, vpool):
        return list_vdisks(self.client, VDISK_CONTENTS, vpool)

    def view(self, vdisk, vpool, vdisks):
        return vdisk_view(vdisk, vpool.get('name'), self.router_names, guid_names(vdisks))

    def serving_router(self, vpool):
        """The storage router of O(storagerouter); StorageError unless it runs the vPool."""
        router = resolve_storagerouter(self.routers, self.params['storagerouter'])
        drivers = list_storagedrivers(self.client, DRIVER_ROUTER_CONTENTS, vpool)
        if router['guid'] not in [d.get('storagerouter_guid') for d in drivers]:
            raise StorageError('storagerouter: vPool {0} does not run on storage router {1}; it runs on: {2}'.format(
                vpool['name'], router['name'],
                ', '.join(sorted(self.router_names.get(d.get('storagerouter_guid'), '') for d in drivers)) or 'none'))
        return router

    def move_target(self, vpool, vdisk):
        """The storage router the existing vDisk must move to (O(move)), or None."""
        if not self.params['move'] or self.params['storagerouter'] is None:
            return None
        router = self.serving_router(vpool)
        return None if router['guid'] == vdisk.get('storagerouter_guid') else router

    def action(self, vdisk_guid, name, data):
        return run_action(self.client, 'vdisks/{0}/{1}'.format(vdisk_guid, name), data, timeout=self.timeout)

    def absent(self, vpool, vdisks, vdisk, result):
        if vdisk is None:
            result['vdisk'] = {}
            return result
        names = guid_names(vdisks)
        children = set(vdisk.get('child_vdisks_guids') or [])
        children |= set(v['guid'] for v in vdisks if v.get('parent_vdisk_guid') == vdisk['guid'])
        clones = sorted(names.get(g) or g for g in children)
        if clones:
            raise StorageError('vDisk {0} has clones: {1}; remove them first'.format(vdisk['name'], ', '.join(clones)))
        result['changed'] = True
        if self.module._diff:
            result['diff'] = object_diff(dict(name=vdisk['name'], size=vdisk.get('size'), snapshots=labels(vdisk)),
                                         None)
        if not self.module.check_mode:
            self.action(vdisk['guid'], 'delete', {})
        result['vdisk'] = {}
        return result

    def present(self, vpool, vdisks, vdisk, size, result):
        params = self.params
        source = clone_source(params, vpool, vdisks, vdisk)
        router = target = None
        if vdisk is None:
            if params['storagerouter'] is None:
                raise StorageError('storagerouter is required to create vDisk {0}'.format(params['name']))
            router = self.serving_router(vpool)
        else:
            target = self.move_target(vpool, vdisk)
        plan = plan_vdisk(params, vdisk, size, source, router, target, self.router_names)
        result['changed'] = plan['changed']
        if plan['changed'] and self.module._diff:
            result['diff'] = plan['diff']
        if self.module.check_mode or not plan['changed']:
            result['vdisk'] = self.view(plan['shown'], vpool, vdisks)
            return result
        guid = self.apply(vpool, vdisk, plan)
        vdisk = read_vdisk(self.client, guid)
        result['vdisk'] = self.view(vdisk, vpool, self.vdisks(vpool))
        return result

    def apply(self, vpool, vdisk, plan):
        """Create (or clone), move, extend the vDisk and remove and create its snapshots as planned: its guid."""
        params = self.params
        parent, router, target = plan['parent'], plan['router'], plan['target']
        if vdisk is None and parent is not None:
            data = dict(name=params['name'], storagerouter_guid=router['guid'])
            if plan['snapshot_id'] is not None:
                data['snapshot_id'] = plan['snapshot_id']
            answer = self.action(parent['guid'], 'clone', data)
            guid = answer.get('vdisk_guid') if isinstance(answer, dict) else answer
        elif vdisk is None:
            guid = run_action(self.client, 'vdisks', dict(name=params['name'], size=plan['new_size'],
                                                          vpool_guid=vpool['guid'], storagerouter_guid=router['guid']),
                              timeout=self.timeout)
        else:
            guid = vdisk['guid']
        if target is not None:
            self.action(guid, 'move', dict(target_storagerouter_guid=target['guid']))
        if plan['new_size'] != plan['base_size']:
            self.action(guid, 'extend', dict(new_size=plan['new_size']))
        for snapshot in plan['to_remove']:
            self.action(guid, 'remove_snapshot', dict(snapshot_id=snapshot['guid']))
        for label in plan['to_create']:
            self.action(guid, 'create_snapshot', dict(name=label))
        return guid


def clone_source(params, vpool, vdisks, vdisk):
    """``parent`` (the vDisk of O(clone_from), or None) and ``snapshot_id`` (of its snapshot, or None).

    StorageError when they do not exist, or when the existing ``vdisk`` is not a clone of that parent.
    """
    source = params['clone_from']
    if not source:
        return dict(parent=None, snapshot_id=None)
    parent = named(vdisks, source['vdisk'])
    if parent is None:
        raise StorageError('clone_from.vdisk: no vDisk {0!r} on vPool {1}'.format(source['vdisk'], vpool['name']))
    snapshot_id = None
    if source.get('snapshot') is not None:
        snaps = [s for s in parent.get('snapshots') or [] if s.get('label') == source['snapshot']]
        if not snaps:
            raise StorageError('clone_from.snapshot: vDisk {0} has no snapshot {1!r}; snapshots: {2}'.format(
                parent['name'], source['snapshot'], ', '.join(labels(parent)) or 'none'))
        snapshot_id = snaps[0]['guid']
    if vdisk is not None and vdisk.get('parent_vdisk_guid') != parent['guid']:
        raise StorageError('clone_from: vDisk {0} exists and is not a clone of {1}; it cannot become one'.format(
            vdisk['name'], parent['name']))
    return dict(parent=parent, snapshot_id=snapshot_id)


def planned_sizes(params, vdisk, size, parent):
    """(base size, size afterwards) of the vDisk; StorageError when it would shrink or lack a size."""
    if vdisk is None:
        if parent is None and size is None:
            raise StorageError('size is required to create vDisk {0}'.format(params['name']))
        base_size = parent.get('size') if parent is not None else size
        if parent is not None and size is not None and size < base_size:
            raise StorageError('size: {0} bytes is smaller than the {1} bytes of vDisk {2}; a clone cannot be '
                               'smaller than its parent'.format(size, base_size, parent['name']))
    else:
        base_size = vdisk.get('size')
        if size is not None and size < base_size:
            raise StorageError('size: vDisk {0} is {1} bytes; it cannot shrink to {2} bytes'.format(
                vdisk['name'], base_size, size))
    return base_size, size if size is not None and size > (base_size or 0) else base_size


def plan_vdisk(params, vdisk, size, source, router, target, router_names):
    """What ``state=present`` changes, from the vDisk read (None: to create) and the options (no API call).

    source:       :func:`clone_source`; router: the storage router a new vDisk is created on;
    target:       the storage router the existing vDisk moves to, or None;
    router_names: storage router names by guid.
    Returns the planned changes (sizes, snapshots to remove and create), ``changed``, the ``diff`` and the
    vDisk as it will be (``shown``), with ``source``, ``router`` and ``target``.
    """
    parent = source['parent']
    base_size, new_size = planned_sizes(params, vdisk, size, parent)
    current = dict(size=None, snapshots=[]) if vdisk is None else dict(size=base_size, snapshots=labels(vdisk))
    if target is not None:
        current['storagerouter'] = router_names.get(vdisk.get('storagerouter_guid'))
    wanted_snapshots = params['snapshots']
    to_create = [s for s in (wanted_snapshots or []) if s not in current['snapshots']]
    to_create = [s for i, s in enumerate(to_create) if s not in to_create[:i]]
    to_remove = []
    if params['purge_snapshots'] and wanted_snapshots is not None:
        to_remove = [s for s in (vdisk or {}).get('snapshots') or [] if s.get('label') not in wanted_snapshots]
    after_snapshots = [s for s in current['snapshots'] if s not in [r.get('label') for r in to_remove]] + to_create
    wanted = dict(size=new_size, snapshots=after_snapshots)
    if target is not None:
        wanted['storagerouter'] = target['name']
    if vdisk is None:
        diff = object_diff(None, dict(wanted, name=params['name']))
        shown = dict(guid=None, name=params['name'], devicename='/{0}.raw'.format(params['name']),
                     storagerouter_guid=router['guid'], parent_vdisk_guid=parent['guid'] if parent else None)
    else:
        diff = object_diff(current, wanted, name=params['name'])
        shown = dict(vdisk)
    shown.update(size=new_size, snapshots=[dict(label=s) for s in after_snapshots])
    if target is not None:
        shown['storagerouter_guid'] = target['guid']
    plan = dict(source, router=router, target=target, base_size=base_size, new_size=new_size, to_create=to_create,
                to_remove=to_remove, diff=diff, shown=shown,
                changed=vdisk is None or new_size != current['size'] or bool(to_create or to_remove or target))
    return plan


def run(module, client):
    params = module.params
    if not VDISK_NAME.match(params['name']):
        raise StorageError('name: {0!r} is not a valid vDisk name; allowed: letters, digits, dashes and underscores, '
                           'at least 3 characters, starting and ending with a letter or digit '
                           '(regex ^[0-9a-zA-Z][\\-_a-zA-Z0-9]+[a-zA-Z0-9]$)'.format(params['name']))
    size = parse_size(params['size']) if params['size'] is not None else None
    if size is not None and size > VDISK_MAX_SIZE:
        raise StorageError('size: {0!r} ({1} bytes) exceeds the maximum volume size of 64TiB'.format(
            params['size'], size))
    if params['purge_snapshots'] and params['snapshots'] is None:
        raise StorageError('purge_snapshots needs snapshots (the list of snapshots to keep; [] removes all)')
    manager = VDiskManager(module, client)
    vpool = manager.find_vpool()
    vdisks = manager.vdisks(vpool)
    vdisk = named(vdisks, params['name'])
    if params['state'] == 'absent':
        return manager.absent(vpool, vdisks, vdisk, dict(changed=False))
    return manager.present(vpool, vdisks, vdisk, size, dict(changed=False))


def main():
    run_api_module(argument_spec(), run, refusals=(StorageError,))


if __name__ == '__main__':
    main()
