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

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import (
    BACKEND_STATUS_CONTENTS,
    BACKEND_VIEW_CONTENTS,
    backend_view,
    list_alba_backends,
    policy_view as parse_policy,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba_nodes import (
    ALBA_NODE_FIELDS,
    DISCOVERED_FIELDS,
    alba_node_view,
    discovered_view,
    list_alba_nodes,
    sort_nodes,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.domain import (
    ROUTER_DOMAIN_CONTENTS,
    domain_views,
    list_domains,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import run_api_module
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import guid_names, sorted_by_name
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.storagerouter import (
    STORAGEROUTER_FIELDS,
    list_storagerouters,
    sort_storagerouters,
    storagerouter_view,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vdisk import VDISK_VIEW_CONTENTS, list_vdisks, vdisk_views
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vpool import (
    STORAGEDRIVER_CONTENTS,
    VPOOL_CONTENTS,
    list_storagedrivers,
    list_vpools,
    vpool_view,
)

GATHER_CHOICES = ('storagerouters', 'alba_nodes', 'asds', 'domains', 'backends', 'backend_status', 'vpools',
                  'vdisks')
# what each choice needs as well (asds are a view of the ALBA nodes, the status one of the backends)
IMPLIED = {'asds': 'alba_nodes', 'backend_status': 'backends'}
# ``parse_policy``: how this module shows a policy of a preset (the API renders them as strings ``"(5, 4, 8, 3)"``)
__all__ = ['parse_policy']


def argument_spec():
    return dict(gather=dict(type='list', elements='str', choices=list(GATHER_CHOICES),
                            default=['storagerouters', 'alba_nodes']))


def gather(client, what):
    """The views of the object families that ``what`` names, each from its module_utils (the reads of ``Reads``)."""
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
        domain_names = reads.domain_names() if 'domains' in what else None
        result['storagerouters'] = sort_storagerouters(storagerouter_view(r, domain_names) for r in reads.routers())
    if 'alba_nodes' in what:
        result.update(reads.alba_nodes())
    if 'domains' in what:
        result['domains'] = domain_views(reads.domains(), reads.routers())
    if 'backends' in what:
        names = reads.backend_names() if 'backend_status' in what else None
        result['backends'] = sorted_by_name(backend_view(b, names) for b in reads.albabackends())
    if 'vpools' in what:
        result['vpools'] = sorted_by_name(vpool_view(v, reads.drivers(), reads.router_names(), reads.backend_names())
                                          for v in reads.vpools())
    if 'vdisks' in what:
        result['vdisks'] = vdisk_views(reads.vdisks(), guid_names(reads.vpools()), reads.router_names())
    return result


class Reads(object):
    """The API reads of one gather through the finders of the object families, each done once and only when a
    view needs it, with the ``contents`` the views read (with O(gather) naming only vdisks or vpools, the routers,
    backends and vPools are read for their names)."""

    def __init__(self, client, what, has_alba):
        self.client = client
        self.what = what
        self.has_alba = has_alba
        self.cache = {}

    def once(self, key, read, *args):
        if key not in self.cache:
            self.cache[key] = read(self.client, *args)
        return self.cache[key]

    def routers(self):
        fields = list(STORAGEROUTER_FIELDS[1:]) if 'storagerouters' in self.what else ['name']
        if 'domains' in self.what:
            fields.append(ROUTER_DOMAIN_CONTENTS)
        return self.once('storagerouters', list_storagerouters, ','.join(fields))

    def router_names(self):
        return guid_names(self.routers())

    def domains(self):
        return self.once('domains', list_domains)

    def domain_names(self):
        return guid_names(self.domains())

    def albabackends(self):
        if not self.has_alba:
            return []
        if 'backends' not in self.what:
            return self.once('alba/backends', list_alba_backends, 'name')
        contents = BACKEND_VIEW_CONTENTS
        if 'backend_status' in self.what:
            contents += ',' + BACKEND_STATUS_CONTENTS
        return self.once('alba/backends', list_alba_backends, contents)

    def backend_names(self):
        return guid_names(self.albabackends())

    def alba_nodes(self):
        if not self.has_alba:
            return dict(alba_nodes=[], alba_nodes_discovered=[])
        asds = 'asds' in self.what
        fields = ALBA_NODE_FIELDS[1:] + (('stack',) if asds else ())
        nodes = list_alba_nodes(self.client, ','.join(fields))
        found = list_alba_nodes(self.client, ','.join(DISCOVERED_FIELDS), discover=True)
        names = self.backend_names() if asds and nodes else None  # the backend list only for disks shown
        return dict(alba_nodes=sort_nodes(alba_node_view(n, names) for n in nodes),
                    alba_nodes_discovered=sort_nodes(discovered_view(n) for n in found))

    def vpools(self):
        return self.once('vpools', list_vpools, VPOOL_CONTENTS if 'vpools' in self.what else 'name')

    def drivers(self):
        return self.once('storagedrivers', list_storagedrivers, STORAGEDRIVER_CONTENTS)

    def vdisks(self):
        return list_vdisks(self.client, VDISK_VIEW_CONTENTS)


def run(module, client):
    return dict(changed=False, **gather(client, module.params['gather']))


def main():
    run_api_module(argument_spec(), run)


if __name__ == '__main__':
    main()
