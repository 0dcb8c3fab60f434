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
  - V(asds) adds to each ALBA node its disks and the ASDs on each, from the C(stack) of the node (the API asks the
    ASD manager of every node); V(backend_status) adds to each backend its C(live_status) and the backends linked
    into it (C(remote_stack)); the API asks the maintenance agents and the linked backends for them. Both cost
    more than the other reads, so they are separate choices.
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
      - V(asds) implies V(alba_nodes), V(backend_status) implies V(backends).
      - With both V(storagerouters) and V(domains), each storage router names its domains.
    type: list
    elements: str
    choices: [storagerouters, alba_nodes, asds, domains, backends, backend_status, vpools, vdisks]
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
    domains:
      description: Names of its (primary) domains, sorted.
      type: list
      elements: str
      returned: when O(gather) contains V(domains) too
      version_added: 0.1.0
    recovery_domains:
      description: Names of its recovery domains, sorted.
      type: list
      elements: str
      returned: when O(gather) contains V(domains) too
      version_added: 0.1.0
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
    disks:
      description: Disks (slots) of the node, sorted by slot id, from its C(stack).
      type: list
      elements: dict
      returned: when O(gather) contains V(asds)
      version_added: 0.1.0
      contains:
        slot_id:
          description: Id of the slot (the disk's by-id name).
          type: str
        device:
          description: Device of the disk.
          type: str
        size:
          description: Size in bytes.
          type: int
        mountpoint:
          description: Mount point of an initialised disk.
          type: str
        status:
          description: C(ok), C(empty), C(error), C(missing), C(unknown) (slot status of the ASD manager).
          type: str
        asds:
          description: ASDs on the disk, sorted by id.
          type: list
          elements: dict
          contains:
            asd_id:
              description: Long id of the ASD.
              type: str
            status:
              description: C(ok), C(warning), C(error), C(unavailable) or C(unknown).
              type: str
            claimed_by:
              description: Name of the ALBA backend that claimed it (its guid when the backend is unknown; null when
                unclaimed).
              type: str
            claimed_by_guid:
              description: Guid of the ALBA backend that claimed it.
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
    live_status:
      description: C(running), C(warning), C(failure), C(installing) or C(deleting) (C(live_status) of the API).
      type: str
      returned: when O(gather) contains V(backend_status)
      version_added: 0.1.0
    linked_backends:
      description: Backends linked straight into this one (a GLOBAL backend's LOCAL backends, of this cluster or of
        another), sorted by name.
      type: list
      elements: dict
      returned: when O(gather) contains V(backend_status)
      version_added: 0.1.0
      contains:
        guid:
          description: Guid of the linked ALBA backend.
          type: str
        name:
          description: Its name.
          type: str
        preset:
          description: Preset the link uses.
          type: str
        remote_host:
          description:
            - For a backend of another Open vStorage cluster (GeoScale), the address of that cluster's API that the
              link stores; C(null) for a backend of this cluster. The credentials of the link are never returned.
          type: str
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

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import direct_links
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import run_api_module

STORAGEROUTER_FIELDS = ('guid', 'name', 'ip', 'machine_id', 'node_type', 'status', 'rdma_capable')
ALBA_NODE_FIELDS = ('guid', 'node_id', 'ip', 'port', 'type', 'name')
DISCOVERED_FIELDS = ('node_id', 'ip', 'port', 'type')
GATHER_CHOICES = ('storagerouters', 'alba_nodes', 'asds', 'domains', 'backends', 'backend_status', 'vpools',
                  'vdisks')
# what each choice needs as well (asds are a view of the ALBA nodes, the status one of the backends)
IMPLIED = {'asds': 'alba_nodes', 'backend_status': 'backends'}
# contents of the storage reads (gather_storage): what the views below read, no more; with
# O(gather) naming only vdisks or vpools, the routers, backends and vPools are read for their names
STORAGEDRIVER_CONTENTS = 'storagedriver_id,mountpoint,storage_ip,ports,status,vpool,storagerouter'
BACKEND_CONTENTS = 'name,alba_id,scaling,available,presets,osds,usages,backend'
# live_status asks every ASD node for its maintenance services and each linked backend for its
# summary; remote_stack names the backends linked into a GLOBAL one (O(gather) backend_status)
BACKEND_STATUS_CONTENTS = 'live_status,remote_stack'
VPOOL_CONTENTS = 'name,status,metadata,configuration'
VDISK_CONTENTS = 'name,size,devicename,snapshots,storagerouter_guid,parent_vdisk,vpool'
PRESET_FIELDS = ('name', 'compression', 'fragment_size', 'is_available', 'is_default', 'in_use')
STORAGEDRIVER_FIELDS = ('guid', 'storagedriver_id', 'mountpoint', 'storage_ip', 'ports', 'status')
SLOT_FIELDS = ('slot_id', 'device', 'size', 'mountpoint')


def argument_spec():
    return dict(gather=dict(type='list', elements='str', choices=list(GATHER_CHOICES),
                            default=['storagerouters', 'alba_nodes']))


def pick(item, fields):
    return dict((field, item.get(field)) for field in fields)


def by_name(items):
    return sorted(items, key=lambda item: item.get('name') or '')


def gather(client, what):
    what = set(what) | set(IMPLIED[w] for w in what if w in IMPLIED)
    info = client.info() or {}
    result = dict(
        cluster_id=(info.get('identification') or {}).get('cluster_id'),
        release=(info.get('release') or {}).get('name'),
        api_versions=info.get('versions') or [],
        storagerouter_ips=info.get('storagerouter_ips') or [],
        plugins=info.get('plugins') or {},
    )
    reads = Reads(client, what, 'alba' in result['plugins'])
    if 'storagerouters' in what:
        result['storagerouters'] = sorted((reads.router_view(r) for r in reads.routers()),
                                          key=lambda r: (r.get('name') or '', r.get('ip') or ''))
    if 'alba_nodes' in what:
        result.update(reads.alba_nodes())
    if 'domains' in what:
        result['domains'] = reads.domains()
    if 'backends' in what:
        result['backends'] = by_name(reads.backend_view(b) for b in reads.albabackends())
    if 'vpools' in what:
        result['vpools'] = by_name(reads.vpool_view(v, reads.drivers()) for v in reads.vpools())
    if 'vdisks' in what:
        result['vdisks'] = reads.vdisks()
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


def asd_view(asd_id, asd, backend_names):
    claimed = asd.get('claimed_by')
    return dict(asd_id=asd_id, status=asd.get('status', asd.get('state')), claimed_by=backend_names.get(claimed, claimed),
                claimed_by_guid=claimed)


def disks_view(stack, backend_names):
    """The ``stack`` of an ALBA node ({slot_id: slot}) as a list of disks, each with its ASDs."""
    disks = []
    for slot_id in sorted(stack or {}):
        slot = stack[slot_id] or {}
        view = pick(slot, SLOT_FIELDS)
        view.update(slot_id=slot_id, status=slot.get('status', slot.get('state')),
                    asds=[asd_view(asd_id, asd or {}, backend_names)
                          for asd_id, asd in sorted((slot.get('osds') or {}).items())])
        disks.append(view)
    return disks


class Reads(object):
    """The API reads of one gather, each done once and only when a view needs it."""

    def __init__(self, client, what, has_alba):
        self.client = client
        self.what = what
        self.has_alba = has_alba
        self.cache = {}

    def read(self, resource, contents, params=None):
        key = (resource, contents, bool(params))
        if key not in self.cache:
            self.cache[key] = self.client.list(resource, contents=contents, params=params)
        return self.cache[key]

    def routers(self):
        fields = list(STORAGEROUTER_FIELDS[1:]) if 'storagerouters' in self.what else ['name']
        if 'domains' in self.what:
            fields.extend(['regular_domains', 'recovery_domains'])
        return self.read('storagerouters', ','.join(fields))

    def router_names(self):
        return dict((r['guid'], r.get('name')) for r in self.routers())

    def domain_names(self):
        return dict((d['guid'], d.get('name')) for d in self.read('domains', 'name'))

    def router_view(self, router):
        view = pick(router, STORAGEROUTER_FIELDS)
        if 'domains' in self.what:
            names = self.domain_names()
            for field, key in (('domains', 'regular_domains'), ('recovery_domains', 'recovery_domains')):
                view[field] = sorted(names.get(g, g) for g in router.get(key) or [])
        return view

    def albabackends(self):
        if not self.has_alba:
            return []
        if 'backends' not in self.what:
            return self.read('alba/backends', 'name')
        contents = BACKEND_CONTENTS
        if 'backend_status' in self.what:
            contents += ',' + BACKEND_STATUS_CONTENTS
        return self.read('alba/backends', contents)

    def backend_names(self):
        return dict((b['guid'], b.get('name')) for b in self.albabackends())

    def backend_view(self, backend):
        view = dict(guid=backend['guid'], backend_guid=backend.get('backend_guid'), name=backend.get('name'),
                    scaling=backend.get('scaling'), alba_id=backend.get('alba_id'),
                    available=backend.get('available'),
                    presets=[preset_view(p) for p in backend.get('presets') or []],
                    osds=list(backend.get('osds_guids') or []), usages=backend.get('usages') or {})
        if 'backend_status' in self.what:
            links = direct_links(backend, self.backend_names())
            view['live_status'] = backend.get('live_status')
            view['linked_backends'] = sorted((dict(guid=guid, name=link.get('name'), preset=link.get('preset'),
                                                   remote_host=link.get('remote_host'))
                                              for guid, link in links.items()),
                                             key=lambda l: (l['name'], l['remote_host'] or '', l['guid']))
        return view

    def alba_nodes(self):
        if not self.has_alba:
            return dict(alba_nodes=[], alba_nodes_discovered=[])
        fields = ALBA_NODE_FIELDS[1:] + (('stack',) if 'asds' in self.what else ())
        nodes = self.read('alba/nodes', ','.join(fields))
        found = self.read('alba/nodes', ','.join(DISCOVERED_FIELDS), params={'discover': True})
        views = []
        for node in nodes:
            view = pick(node, ALBA_NODE_FIELDS)
            if 'asds' in self.what:
                view['disks'] = disks_view(node.get('stack'), self.backend_names())
            views.append(view)
        return dict(alba_nodes=sorted(views, key=lambda n: n.get('node_id') or ''),
                    alba_nodes_discovered=sorted((pick(n, DISCOVERED_FIELDS) for n in found),
                                                 key=lambda n: n.get('node_id') or ''))

    def domains(self):
        routers = self.routers()
        views = []
        for guid, name in self.domain_names().items():
            views.append(dict(
                guid=guid, name=name,
                storagerouters=sorted(r['name'] for r in routers if guid in (r.get('regular_domains') or [])),
                recovery_storagerouters=sorted(r['name'] for r in routers
                                               if guid in (r.get('recovery_domains') or []))))
        return by_name(views)

    def vpools(self):
        return self.read('vpools', VPOOL_CONTENTS if 'vpools' in self.what else 'name')

    def drivers(self):
        return self.read('storagedrivers', STORAGEDRIVER_CONTENTS)

    def vpool_view(self, vpool, drivers):
        router_names = self.router_names()
        backend_info = ((vpool.get('metadata') or {}).get('backend') or {}).get('backend_info') or {}
        mine = [d for d in drivers if d.get('vpool_guid') == vpool['guid']]
        storagedrivers = []
        for driver in sorted(mine, key=lambda d: router_names.get(d.get('storagerouter_guid')) or ''):
            view = pick(driver, STORAGEDRIVER_FIELDS)
            view['storagerouter'] = router_names.get(driver.get('storagerouter_guid'))
            storagedrivers.append(view)
        return dict(guid=vpool['guid'], name=vpool.get('name'), status=vpool.get('status'),
                    configuration=vpool.get('configuration') or {},
                    backend=self.backend_names().get(backend_info.get('alba_backend_guid')),
                    preset=backend_info.get('preset'),
                    storagerouters=sorted(set(d['storagerouter'] or '' for d in storagedrivers)),
                    storagedrivers=storagedrivers)

    def vdisks(self):
        router_names = self.router_names()
        vpool_names = dict((v['guid'], v.get('name')) for v in self.vpools())
        vdisks = self.read('vdisks', VDISK_CONTENTS)
        names = dict((v['guid'], v.get('name')) for v in vdisks)
        return sorted((dict(guid=v['guid'], name=v.get('name'), size=v.get('size'),
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
