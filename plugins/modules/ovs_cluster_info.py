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
  - Changes nothing; it always reports C(changed=false).
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
options:
  gather:
    description:
      - What to read besides C(GET /api/).
      - V(alba_nodes) is skipped when the API has no C(alba) plugin.
    type: list
    elements: str
    choices: [storagerouters, alba_nodes]
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
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import (
    OVS_API_MUTUALLY_EXCLUSIVE,
    OVS_API_REQUIRED_ONE_OF,
    OVS_API_REQUIRED_TOGETHER,
    OvsApiClient,
    OvsApiError,
    fail_from_api_error,
    ovs_api_argument_spec,
)

STORAGEROUTER_FIELDS = ('guid', 'name', 'ip', 'machine_id', 'node_type', 'status', 'rdma_capable')
ALBA_NODE_FIELDS = ('guid', 'node_id', 'ip', 'port', 'type', 'name')
DISCOVERED_FIELDS = ('node_id', 'ip', 'port', 'type')


def argument_spec():
    spec = ovs_api_argument_spec()
    spec.update(gather=dict(type='list', elements='str', choices=['storagerouters', 'alba_nodes'],
                            default=['storagerouters', 'alba_nodes']))
    return spec


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
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(),
                           required_together=OVS_API_REQUIRED_TOGETHER,
                           mutually_exclusive=OVS_API_MUTUALLY_EXCLUSIVE,
                           required_one_of=OVS_API_REQUIRED_ONE_OF,
                           supports_check_mode=True)
    try:
        client = OvsApiClient.from_module(module)
        result = gather(client, module.params['gather'])
    except OvsApiError as exc:
        fail_from_api_error(module, exc)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
