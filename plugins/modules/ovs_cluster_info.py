#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2025, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_cluster_info
short_description: Read the state of an Open vStorage cluster through its API
version_added: 0.1.0
description:
  - Reads, through the framework REST API, the cluster id and release (C(GET /api/)), the storage routers
    (C(GET /api/storagerouters/)), and the ASD nodes registered (C(GET /api/alba/nodes/)) and discoverable but
    not yet registered (C(GET /api/alba/nodes/?discover=true)).
  - On request also the domains (C(GET /api/domains/)), the ALBA backends with their presets
    (C(GET /api/alba/backends/)), the vPools with their storage drivers (C(GET /api/vpools/),
    C(GET /api/storagedrivers/)) and the vDisks (C(GET /api/vdisks/)).
  - Changes nothing; it always reports C(changed=false).
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
options:
  gather:
    description:
      - What to read besides C(GET /api/).
      - V(alba_nodes) and V(backends) are skipped (empty lists) when the API has no C(alba) plugin.
    type: list
    elements: str
    choices: [storagerouters, alba_nodes, domains, backends, vpools, vdisks]
    default: [storagerouters, alba_nodes]
attributes:
  check_mode:
    description: Can run in check mode; it never changes anything.
    support: full
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: none
seealso:
  - module: openvstorage.hyperscale.ovs_node
  - module: openvstorage.hyperscale.ovs_asd_manager
'''

EXAMPLES = r'''
- name: Read the cluster from the first controller
  openvstorage.hyperscale.ovs_cluster_info:
    api_host: 172.30.250.11
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    ca_path: /etc/ssl/ovs-ca.pem
  register: ovs_cluster

- name: Show the storage routers that are masters
  ansible.builtin.debug:
    msg: "{{ ovs_cluster.storagerouters | selectattr('node_type', 'equalto', 'MASTER') | map(attribute='name') }}"

- name: Node ids of the storage nodes still to register
  ansible.builtin.debug:
    msg: "{{ ovs_cluster.alba_nodes_discovered | map(attribute='node_id') }}"
'''

RETURN = r'''
cluster_id:
  description: Id of the cluster (C(identification.cluster_id) of C(GET /api/)).
  returned: always
  type: str
  sample: 3f9Kq0aZr8VbN2cL
release:
  description: Name of the release (C(release.name) of C(GET /api/)).
  returned: always
  type: str
  sample: fargo
api_versions:
  description: API versions the framework supports.
  returned: always
  type: list
  elements: int
  sample: [6, 7, 8, 9, 10]
storagerouter_ips:
  description: IP addresses of the storage routers as C(GET /api/) lists them.
  returned: always
  type: list
  elements: str
plugins:
  description: Plugins of the API (C(plugins) of C(GET /api/)).
  returned: always
  type: dict
  sample: {"alba": ["gui", "api"]}
storagerouters:
  description: Storage routers, sorted by name.
  returned: when O(gather) contains V(storagerouters)
  type: list
  elements: dict
  contains:
    guid:
      description: Guid of the storage router.
      type: str
    name:
      description: Host name.
      type: str
    ip:
      description: IP address.
      type: str
    machine_id:
      description: Machine id (C(/etc/openvstorage_id) of the node).
      type: str
    node_type:
      description: C(MASTER) or C(EXTRA).
      type: str
    status:
      description: C(OK), C(WARNING) or C(FAILURE).
      type: str
    rdma_capable:
      description: Whether the node is RDMA capable.
      type: bool
alba_nodes:
  description: ASD nodes registered in the model.
  returned: when O(gather) contains V(alba_nodes)
  type: list
  elements: dict
  contains:
    guid:
      description: Guid of the ALBA node.
      type: str
    node_id:
      description: Id of the ASD node (C(/etc/openvstorage_sdm_id) of the storage node).
      type: str
    ip:
      description: IP of its ASD manager API.
      type: str
    port:
      description: Port of its ASD manager API.
      type: int
    type:
      description: Node type (C(ASD)).
      type: str
    name:
      description: Name, if any.
      type: str
alba_nodes_discovered:
  description: ASD nodes set up (C(asd-manager setup)) but not registered yet.
  returned: when O(gather) contains V(alba_nodes)
  type: list
  elements: dict
  contains:
    node_id:
      description: Id of the ASD node.
      type: str
    ip:
      description: IP of its ASD manager API.
      type: str
    port:
      description: Port of its ASD manager API.
      type: int
    type:
      description: Node type (C(ASD)).
      type: str
domains:
  description: Failure domains, sorted by name.
  returned: when O(gather) contains V(domains)
  type: list
  elements: dict
  version_added: 0.1.0
  contains:
    guid:
      description: Guid of the domain.
      type: str
    name:
      description: Name.
      type: str
    storagerouters:
      description: Names of the storage routers that have it as a primary domain.
      type: list
      elements: str
    recovery_storagerouters:
      description: Names of the storage routers that have it as a recovery domain.
      type: list
      elements: str
backends:
  description: ALBA backends, sorted by name.
  returned: when O(gather) contains V(backends)
  type: list
  elements: dict
  version_added: 0.1.0
  contains:
    guid:
      description: Guid of the ALBA backend.
      type: str
    backend_guid:
      description: Guid of its generic backend (C(GET /api/backends/)).
      type: str
    name:
      description: Name.
      type: str
    scaling:
      description: C(LOCAL) or C(GLOBAL).
      type: str
    alba_id:
      description: Id of the ALBA instance (null until the backend is ready).
      type: str
    available:
      description: Whether the backend is running.
      type: bool
    presets:
      description: Presets; C(policies) parsed from the strings of the API into lists of 4 ints.
      type: list
      elements: dict
      sample:
        - name: default
          policies: [[5, 4, 8, 3], [2, 2, 3, 4]]
          compression: snappy
          fragment_size: 1048576
          is_available: true
          is_default: true
          in_use: false
    osds:
      description: Guids of the OSDs claimed by the backend.
      type: list
      elements: str
    usages:
      description: C(free), C(size) and C(used) in bytes.
      type: dict
vpools:
  description: vPools, sorted by name.
  returned: when O(gather) contains V(vpools)
  type: list
  elements: dict
  version_added: 0.1.0
  contains:
    guid:
      description: Guid of the vPool.
      type: str
    name:
      description: Name.
      type: str
    status:
      description: C(RUNNING), C(INSTALLING), C(EXTENDING), C(SHRINKING), C(DELETING) or C(FAILURE).
      type: str
    configuration:
      description: Configuration (sco_size, cluster_size, dtl_mode, dtl_transport, write_buffer, mds_config, ...).
      type: dict
    backend:
      description: Name of the ALBA backend (null when it is not found).
      type: str
    preset:
      description: Preset of the backend.
      type: str
    storagerouters:
      description: Names of the storage routers that run the vPool, sorted.
      type: list
      elements: str
    storagedrivers:
      description: Storage drivers of the vPool.
      type: list
      elements: dict
      contains:
        guid:
          description: Guid of the storage driver.
          type: str
        storagedriver_id:
          description: Id (vPool name and machine id).
          type: str
        storagerouter:
          description: Name of the storage router.
          type: str
        mountpoint:
          description: Mount point of the vPool.
          type: str
        storage_ip:
          description: Storage IP.
          type: str
        ports:
          description: C(management), C(xmlrpc), C(dtl) and C(edge) ports.
          type: dict
        status:
          description: Status.
          type: str
vdisks:
  description: vDisks, sorted by vPool and name.
  returned: when O(gather) contains V(vdisks)
  type: list
  elements: dict
  version_added: 0.1.0
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
      description: File of the vDisk in the vPool (C(/<name>.raw)).
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
      description: Name of the vDisk it was cloned from, if any.
      type: str
'''

import ast

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import run_api_module

STORAGEROUTER_FIELDS = ('guid', 'name', 'ip', 'machine_id', 'node_type', 'status', 'rdma_capable')
ALBA_NODE_FIELDS = ('guid', 'node_id', 'ip', 'port', 'type', 'name')
DISCOVERED_FIELDS = ('node_id', 'ip', 'port', 'type')
GATHER_CHOICES = ('storagerouters', 'alba_nodes', 'domains', 'backends', 'vpools', 'vdisks')
# contents of the storage reads (gather_storage): what the views below read, no more; with
# O(gather) naming only vdisks or vpools, the routers, backends and vPools are read for their names
STORAGEDRIVER_CONTENTS = 'storagedriver_id,mountpoint,storage_ip,ports,status,vpool,storagerouter'
BACKEND_CONTENTS = 'name,alba_id,scaling,available,presets,osds,usages,backend'
VPOOL_CONTENTS = 'name,status,metadata,configuration'
VDISK_CONTENTS = 'name,size,devicename,snapshots,storagerouter_guid,parent_vdisk,vpool'
PRESET_FIELDS = ('name', 'compression', 'fragment_size', 'is_available', 'is_default', 'in_use')
STORAGEDRIVER_FIELDS = ('guid', 'storagedriver_id', 'mountpoint', 'storage_ip', 'ports', 'status')


def argument_spec():
    return dict(gather=dict(type='list', elements='str', choices=list(GATHER_CHOICES),
                            default=['storagerouters', 'alba_nodes']))


def pick(item, fields):
    return dict((field, item.get(field)) for field in fields)


def gather(client, what):
    info = client.info() or {}
    result = dict(
        cluster_id=(info.get('identification') or {}).get('cluster_id'),
        release=(info.get('release') or {}).get('name'),
        api_versions=info.get('versions') or [],
        storagerouter_ips=info.get('storagerouter_ips') or [],
        plugins=info.get('plugins') or {},
    )
    if 'storagerouters' in what:
        routers = client.list('storagerouters', contents=','.join(STORAGEROUTER_FIELDS[1:]))
        result['storagerouters'] = sorted((pick(r, STORAGEROUTER_FIELDS) for r in routers),
                                          key=lambda r: (r.get('name') or '', r.get('ip') or ''))
    if 'alba_nodes' in what:
        if 'alba' in result['plugins']:
            nodes = client.list('alba/nodes', contents=','.join(ALBA_NODE_FIELDS[1:]))
            found = client.list('alba/nodes', contents=','.join(DISCOVERED_FIELDS), params={'discover': True})
            result['alba_nodes'] = sorted((pick(n, ALBA_NODE_FIELDS) for n in nodes),
                                          key=lambda n: n.get('node_id') or '')
            result['alba_nodes_discovered'] = sorted((pick(n, DISCOVERED_FIELDS) for n in found),
                                                     key=lambda n: n.get('node_id') or '')
        else:
            result['alba_nodes'] = []
            result['alba_nodes_discovered'] = []
    storage = [w for w in ('domains', 'backends', 'vpools', 'vdisks') if w in what]
    if storage:
        gather_storage(client, storage, result)
    return result


def parse_policy(policy):
    """``"(5, 4, 8, 3)"`` (the API renders policies as strings) -> ``[5, 4, 8, 3]``."""
    if isinstance(policy, (list, tuple)):
        return list(policy)
    try:
        value = ast.literal_eval(str(policy))
    except (ValueError, SyntaxError):
        return policy
    return list(value) if isinstance(value, (list, tuple)) else policy


def preset_view(preset):
    view = pick(preset, PRESET_FIELDS)
    view['policies'] = [parse_policy(p) for p in preset.get('policies') or []]
    return view


def gather_storage(client, what, result):
    routers = client.list('storagerouters', contents='name,regular_domains,recovery_domains'
                          if 'domains' in what else 'name')
    router_names = dict((r['guid'], r.get('name')) for r in routers)
    has_alba = 'alba' in result['plugins']
    albabackends = []
    if has_alba and ('backends' in what or 'vpools' in what):
        albabackends = client.list('alba/backends', contents=BACKEND_CONTENTS if 'backends' in what else 'name')
    if 'domains' in what:
        domains = []
        for domain in client.list('domains', contents='name'):
            guid = domain['guid']
            domains.append(dict(
                guid=guid, name=domain.get('name'),
                storagerouters=sorted(r['name'] for r in routers if guid in (r.get('regular_domains') or [])),
                recovery_storagerouters=sorted(r['name'] for r in routers
                                               if guid in (r.get('recovery_domains') or []))))
        result['domains'] = sorted(domains, key=lambda d: d.get('name') or '')
    if 'backends' in what:
        result['backends'] = sorted((dict(guid=b['guid'], backend_guid=b.get('backend_guid'), name=b.get('name'),
                                          scaling=b.get('scaling'), alba_id=b.get('alba_id'),
                                          available=b.get('available'),
                                          presets=[preset_view(p) for p in b.get('presets') or []],
                                          osds=list(b.get('osds_guids') or []), usages=b.get('usages') or {})
                                     for b in albabackends), key=lambda b: b.get('name') or '')
    vpool_names = {}
    if 'vpools' in what or 'vdisks' in what:
        vpools = client.list('vpools', contents=VPOOL_CONTENTS if 'vpools' in what else 'name')
        vpool_names = dict((v['guid'], v.get('name')) for v in vpools)
    if 'vpools' in what:
        backend_names = dict((b['guid'], b.get('name')) for b in albabackends)
        drivers = client.list('storagedrivers', contents=STORAGEDRIVER_CONTENTS)
        views = []
        for vpool in vpools:
            backend_info = ((vpool.get('metadata') or {}).get('backend') or {}).get('backend_info') or {}
            mine = [d for d in drivers if d.get('vpool_guid') == vpool['guid']]
            storagedrivers = []
            for driver in sorted(mine, key=lambda d: router_names.get(d.get('storagerouter_guid')) or ''):
                view = pick(driver, STORAGEDRIVER_FIELDS)
                view['storagerouter'] = router_names.get(driver.get('storagerouter_guid'))
                storagedrivers.append(view)
            views.append(dict(guid=vpool['guid'], name=vpool.get('name'), status=vpool.get('status'),
                              configuration=vpool.get('configuration') or {},
                              backend=backend_names.get(backend_info.get('alba_backend_guid')),
                              preset=backend_info.get('preset'),
                              storagerouters=sorted(set(d['storagerouter'] or '' for d in storagedrivers)),
                              storagedrivers=storagedrivers))
        result['vpools'] = sorted(views, key=lambda v: v.get('name') or '')
    if 'vdisks' in what:
        vdisks = client.list('vdisks', contents=VDISK_CONTENTS)
        names = dict((v['guid'], v.get('name')) for v in vdisks)
        result['vdisks'] = sorted((dict(guid=v['guid'], name=v.get('name'), size=v.get('size'),
                                        devicename=v.get('devicename'), vpool=vpool_names.get(v.get('vpool_guid')),
                                        storagerouter=router_names.get(v.get('storagerouter_guid')),
                                        snapshots=[s.get('label') for s in v.get('snapshots') or []],
                                        parent_vdisk=names.get(v.get('parent_vdisk_guid')))
                                   for v in vdisks), key=lambda v: (v.get('vpool') or '', v.get('name') or ''))


def run(module, client):
    return dict(changed=False, **gather(client, module.params['gather']))


def main():
    run_api_module(argument_spec(), run)


if __name__ == '__main__':
    main()
