#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_disk
short_description: Assign roles to a disk partition of an Open vStorage storage router
version_added: 0.1.0
description:
  - Reads the storage router (C(GET /api/storagerouters/)), its disks (C(GET /api/disks/?storagerouterguid=))
    and their partitions (C(GET /api/diskpartitions/?diskguid=)), compares the roles of the partition with
    O(roles) and, when they differ or the partition does not exist yet, calls
    C(POST /api/storagerouters/<guid>/configure_disk/) and waits for its task.
  - The partition gets exactly the roles given in O(roles).
  - Checked before any change, as the framework does, V(DB) and V(DTL) may be on one partition per storage router
    only; a disk used by an ALBA backend is not touched; a role in use cannot be removed.
  - A role is in use when the framework says so (C(POST /api/storagerouters/<guid>/get_metadata/), the rule
    C(configure_disk) applies, read only when roles are to be removed); a vPool's storage driver uses it
    (the partition's C(usage)), or for V(DB) the volume driver's Arakoon cluster (on every master with a V(DB)
    partition once a vPool exists) or a metadata server runs on the storage router. The Arakoon clusters of ALBA
    backends (ABM, NSM) do not count for the framework.
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
options:
  storagerouter:
    description: Host name or IP address of the storage router.
    type: str
    required: true
  disk:
    description:
      - The disk, by device name (V(sdb) or V(/dev/sdb)) or by one of its aliases (V(/dev/disk/by-id/...)).
    type: str
    required: true
  roles:
    description:
      - Roles the partition must have, exactly. Allowed are V(DB), V(DTL), V(SCRUB) and V(WRITE)
        (case does not matter).
      - V(BACKEND) is refused (the framework sets it itself when ALBA uses a disk); V(READ) is refused (it no longer
        exists since late 2016).
      - An empty list removes every role.
    type: list
    elements: str
    required: true
  offset:
    description:
      - Offset of the partition in bytes.
      - Default is the single existing partition of the disk, or V(0) when the disk has no partition.
    type: int
  size:
    description:
      - Size of the partition in bytes, when it is created.
      - Default is the whole disk from O(offset). Must match the existing partition when it exists.
    type: int
  state:
    description: Only V(present) exists; removing a partition is not possible through the API.
    type: str
    choices: [present]
    default: present
  task_timeout:
    description: Seconds to wait for the C(configure_disk) task.
    type: int
    default: 1800
attributes:
  check_mode:
    description: Reads and compares; reports what would change without any change (the only POST, C(get_metadata),
      reads).
    support: full
  diff_mode:
    description: Shows the roles before and after (only what changes).
    support: full
seealso:
  - module: openvstorage.hyperscale.ovs_vpool
  - module: openvstorage.hyperscale.ovs_cluster_info
'''

EXAMPLES = r'''
- name: SSD partition for the vPool write buffer, the DTL and the metadata database
  openvstorage.hyperscale.ovs_disk:
    api_host: 172.30.250.11
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    ca_path: /etc/ssl/ovs-ca.pem
    storagerouter: ctl01
    disk: /dev/disk/by-id/ata-INTEL_SSDSC2BB480G7_PHDV1234
    roles: [DB, DTL, WRITE]

- name: Scrub space on the second disk
  openvstorage.hyperscale.ovs_disk:
    api_host: 172.30.250.11
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    storagerouter: 172.30.250.12
    disk: sdc
    roles: [SCRUB]
'''

RETURN = r'''
partition:
  description: The partition after the change (in check mode, what it would be; C(guid) is null for a new one).
  returned: success
  type: dict
  contains:
    guid:
      description: Guid of the disk partition.
      type: str
    disk:
      description: Device name of the disk.
      type: str
      sample: sdb
    offset:
      description: Offset in bytes.
      type: int
    size:
      description: Size in bytes.
      type: int
    roles:
      description: Roles, sorted.
      type: list
      elements: str
      sample: [DB, DTL, WRITE]
    mountpoint:
      description: Mount point, when mounted.
      type: str
      sample: /mnt/ssd1
'''

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsApiError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import (
    run_api_module,
    task_timeout_option,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_diff import object_diff
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import guid_names, run_action
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.storagerouter import (
    list_storagerouters,
    partition_metadata,
    resolve_storagerouter,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vpool import list_storagedrivers, list_vpools

# contents of the reads: properties always come; partition_config and usage are dynamics, disk (disk_guid) a
# relation
ROUTER_CONTENTS = 'name,ip,partition_config'
DISK_CONTENTS = 'name,aliases,state,size'
PARTITION_CONTENTS = 'offset,size,roles,mountpoint,usage'

USER_ROLES = ('DB', 'DTL', 'SCRUB', 'WRITE')
SINGLE_ROLES = ('DB', 'DTL')


def argument_spec():
    return dict(
        storagerouter=dict(type='str', required=True),
        disk=dict(type='str', required=True),
        roles=dict(type='list', elements='str', required=True),
        offset=dict(type='int'),
        size=dict(type='int'),
        state=dict(type='str', choices=['present'], default='present'),
        task_timeout=task_timeout_option(1800),
    )


def validate_roles(roles):
    wanted = []
    for role in roles:
        code = (role or '').strip().upper()
        if code == 'BACKEND':
            raise StorageError('roles: {0!r} cannot be assigned: the BACKEND role is set by the system when an ALBA '
                               'backend uses the disk; allowed roles: {1}'.format(role, ', '.join(USER_ROLES)))
        if code == 'READ':
            raise StorageError('roles: {0!r} no longer exists (removed from Open vStorage in late 2016); allowed '
                               'roles: {1}'.format(role, ', '.join(USER_ROLES)))
        if code not in USER_ROLES:
            raise StorageError('roles: {0!r} is not a disk role; allowed roles: {1}'.format(role, ', '.join(USER_ROLES)))
        if code not in wanted:
            wanted.append(code)
    return sorted(wanted)


def find_disk(disks, key):
    name = key[len('/dev/'):] if key.startswith('/dev/') and not key.startswith('/dev/disk/') else key
    for disk in disks:
        if disk.get('name') == name or key in (disk.get('aliases') or []):
            return disk
    return None


def partition_view(partition, disk, roles=None):
    return dict(guid=partition.get('guid'), disk=disk.get('name'), offset=partition.get('offset'),
                size=partition.get('size'),
                roles=sorted(partition.get('roles') or []) if roles is None else roles,
                mountpoint=partition.get('mountpoint'))


def usage_vpools(client, partition):
    """{role: names of the vPools using it} from the partition's ``usage`` (the framework's DiskPartition.usage: one
    ``{type: storagedriver, role, size, relation: <storage driver guid>, folder}`` per storage driver partition)."""
    usage = [u for u in partition.get('usage') or [] if isinstance(u, dict) and u.get('type') == 'storagedriver']
    if not usage:
        return {}
    drivers = dict((d['guid'], d.get('vpool_guid')) for d in list_storagedrivers(client, 'vpool'))
    names = guid_names(list_vpools(client, 'name'))
    found = {}
    for entry in usage:
        name = names.get(drivers.get(entry.get('relation'))) or '(storage driver {0})'.format(entry.get('relation'))
        found.setdefault(str(entry.get('role')).upper(), set()).add(name)
    return found


def in_use_text(role, vpools, router):
    if vpools.get(role):
        return '{0} by vPool {1}'.format(role, ', '.join(sorted(vpools[role])))
    return ('{0} by a service of storage router {1} (the Arakoon cluster of the volume driver, on every master with a '
            'DB partition once a vPool exists, or a metadata server)'.format(role, router['name']))


def check_removable(client, router, disk, partition, roles, timeout):
    """StorageError when a role to remove from ``partition`` is in use: the framework's own rule (configure_disk
    refuses a role that get_metadata reports ``in_use`` on the partition), read before any change."""
    removed = set(partition.get('roles') or []) - set(roles)
    if not removed:
        return
    metadata = partition_metadata(client, router, timeout)
    in_use = sorted(role for role in removed if any(
        entry.get('in_use') and entry.get('guid') == partition.get('guid') for entry in metadata.get(role) or []))
    if in_use:
        vpools = usage_vpools(client, partition)
        raise StorageError('roles: [{0}] removes {1} from the partition at offset {2} of disk {3} on {4}, in use: {5}; '
                           'the framework does not remove a role in use (Roles in use cannot be removed); allowed: '
                           'roles that keep {1} (the partition gets exactly the roles given)'.format(
                               ', '.join(roles), ', '.join(in_use), partition.get('offset'), disk['name'],
                               router['name'], '; '.join(in_use_text(role, vpools, router) for role in in_use)))


def plan(client, params, roles):
    """(router, disk, partition or None, offset, size, all partitions of the router's disks)."""
    routers = list_storagerouters(client, ROUTER_CONTENTS)
    router = resolve_storagerouter(routers, params['storagerouter'])
    disks = client.list('disks', contents=DISK_CONTENTS, params={'storagerouterguid': router['guid']})
    disk = find_disk(disks, params['disk'])
    if disk is None:
        raise StorageError('disk: no disk {0!r} on storage router {1}; disks: {2}'.format(
            params['disk'], router['name'], ', '.join(sorted(d.get('name') or '' for d in disks)) or 'none'))
    if disk.get('state') not in (None, 'OK'):
        raise StorageError('disk: disk {0} of storage router {1} is in state {2}'.format(
            disk['name'], router['name'], disk.get('state')))
    partitions = sorted(client.list('diskpartitions', contents=PARTITION_CONTENTS, params={'diskguid': disk['guid']}),
                        key=lambda p: p.get('offset') or 0)
    backend = [p for p in partitions if 'BACKEND' in (p.get('roles') or [])]
    if backend:
        raise StorageError('disk: disk {0} of storage router {1} is in use by an ALBA backend (BACKEND role); '
                           'its partitions cannot get other roles'.format(disk['name'], router['name']))
    offset, size = params['offset'], params['size']
    partition = None
    if offset is None:
        if len(partitions) == 1:
            partition = partitions[0]
        elif len(partitions) > 1:
            raise StorageError('offset: disk {0} of storage router {1} has {2} partitions; give the offset of one: '
                               '{3}'.format(disk['name'], router['name'], len(partitions),
                                            ', '.join('offset {0} size {1}'.format(p.get('offset'), p.get('size'))
                                                      for p in partitions)))
        else:
            offset = 0
    else:
        for candidate in partitions:
            if candidate.get('offset') == offset:
                partition = candidate
    if partition is not None:
        offset = partition.get('offset')
        if size is not None and size != partition.get('size'):
            raise StorageError('size: the partition at offset {0} of disk {1} has size {2}, not {3}; an existing '
                               'partition cannot be resized'.format(offset, disk['name'], partition.get('size'), size))
        size = partition.get('size')
    else:
        if offset < 0:
            raise StorageError('offset: {0} must not be negative'.format(offset))
        if size is None:
            size = (disk.get('size') or 0) - offset
        if size <= 0 or offset + size > (disk.get('size') or 0):
            raise StorageError('size: a partition of {0} bytes at offset {1} does not fit on disk {2} of {3} bytes'
                               .format(size, offset, disk['name'], disk.get('size')))
        for other in partitions:
            if offset < other['offset'] + other['size'] and offset + size > other['offset']:
                raise StorageError('offset: a partition of {0} bytes at offset {1} overlaps the partition at offset '
                                   '{2} (size {3}) of disk {4}'.format(size, offset, other['offset'], other['size'],
                                                                       disk['name']))
    return router, disk, partition, offset, size


def check_roles(client, router, disk, partition, roles, timeout):
    guid = partition.get('guid') if partition else None
    config = router.get('partition_config') or {}
    for role in SINGLE_ROLES:
        if role not in roles:
            continue
        for holder in config.get(role) or []:
            if holder == guid:
                continue
            try:
                other = client.get('diskpartitions/{0}'.format(holder), contents='offset,disk') or {}
                other_disk = client.get('disks/{0}'.format(other.get('disk_guid')), contents='name') or {}
                where = 'partition {0} (disk {1}, offset {2})'.format(holder, other_disk.get('name'), other.get('offset'))
            except OvsApiError:
                where = 'partition {0}'.format(holder)
            raise StorageError('roles: storage router {0} already has the {1} role on {2}; {1} may be on one partition '
                               'per storage router only'.format(router['name'], role, where))
    if partition is not None:
        check_removable(client, router, disk, partition, roles, timeout)


def run(module, client):
    params = module.params
    roles = validate_roles(params['roles'])
    router, disk, partition, offset, size = plan(client, params, roles)
    current = sorted(partition.get('roles') or []) if partition else None
    changed = partition is None or current != roles
    result = dict(changed=changed)
    if not changed:
        result['partition'] = partition_view(partition, disk)
        return result
    check_roles(client, router, disk, partition, roles, params['task_timeout'])
    label = '{0}:{1}@{2}'.format(router['name'], disk['name'], offset)
    if module._diff and partition is None:
        result['diff'] = object_diff(None, dict(offset=offset, size=size, roles=roles), name=label)
    elif module._diff:
        result['diff'] = object_diff(dict(roles=current), dict(roles=roles), name=label)
    if module.check_mode:
        result['partition'] = partition_view(partition or dict(guid=None, offset=offset, size=size), disk, roles)
        return result
    data = dict(disk_guid=disk['guid'], offset=offset, size=size, roles=roles)
    if partition is not None:
        data['partition_guid'] = partition['guid']
    run_action(client, 'storagerouters/{0}/configure_disk'.format(router['guid']), data,
               timeout=params['task_timeout'])
    after = [p for p in client.list('diskpartitions', contents=PARTITION_CONTENTS, params={'diskguid': disk['guid']})
             if p.get('offset') == offset]
    if not after:
        raise StorageError('configure_disk succeeded but no partition at offset {0} on disk {1}'.format(
            offset, disk['name']))
    result['partition'] = partition_view(after[0], disk)
    return result


def main():
    run_api_module(argument_spec(), run, refusals=(StorageError,))


if __name__ == '__main__':
    main()
