#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_vpool
short_description: Create, extend, shrink and remove an Open vStorage vPool
version_added: 0.1.0
description:
  - Creates a vPool on the first storage router of O(storagerouters) and extends it to the others, one at a time
    (C(POST /api/storagerouters/<guid>/add_vpool/), each a task that is waited for).
  - Storage routers running the vPool but not listed are removed (C(POST /api/vpools/<guid>/shrink_vpool/)) with
    O(shrink=true); otherwise they are kept and reported in RV(not_removed) with a warning.
  - Every option is validated before any call. Settings of an existing vPool that differ from the options are not
    changed silently; the framework has no API call to change O(sco_size), O(cluster_size), O(dtl_mode),
    O(dtl_transport), O(write_buffer), the MDS settings, O(backend) or O(preset) of a vPool in place, so the module
    fails and says so.
  - Settings left out are not compared; when the vPool is created they take the framework defaults.
  - O(fragment_cache), O(block_cache), O(proxies), O(writecache_size) and O(storage_ip) are used when a storage
    router is added; they are not compared for storage routers that already run the vPool.
  - Each storage router added needs partitions with the roles V(DB), V(WRITE) and V(DTL) (see
    M(openvstorage.hyperscale.ovs_disk)), and one storage router of the cluster needs V(SCRUB).
  - With O(state=absent) the vPool is shrunk from every storage router, the last removal deletes it; refused while
    vDisks exist (they are named).
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
options:
  name:
    description:
      - Name of the vPool, 3 to 23 characters, lower case letters, digits and dashes, starting and ending with a
        letter or a digit (C(^[0-9a-z][\-a-z0-9]{1,20}[a-z0-9]$)).
    type: str
    required: true
  state:
    description: Whether the vPool exists.
    type: str
    choices: [present, absent]
    default: present
  backend:
    description:
      - Name of the ALBA backend of this cluster that stores the vPool's data. Required to create the vPool.
    type: str
  preset:
    description: Preset of O(backend). V(default) when the vPool is created without it.
    type: str
  storagerouters:
    description:
      - Storage routers (host names or IPs) where the vPool must run, in the order they are added. Required to
        create the vPool.
    type: list
    elements: str
  shrink:
    description: Remove the vPool from storage routers that run it but are not in O(storagerouters).
    type: bool
    default: false
  sco_size:
    description: Size of a storage container object in MiB (V(4) at creation).
    type: int
    choices: [4, 8, 16, 32, 64, 128]
  cluster_size:
    description: Cluster size in KiB (V(4) at creation).
    type: int
    choices: [4, 8, 16, 32, 64]
  dtl_mode:
    description: Mode of the distributed transaction log (V(no_sync) at creation).
    type: str
    choices: [no_sync, a_sync, sync]
  dtl_transport:
    description: Transport of the distributed transaction log (V(tcp) at creation).
    type: str
    choices: [tcp, rdma]
  write_buffer:
    description: Write buffer per volume in MiB, 128 to 10240, at least 256 with O(sco_size=128) (V(128) at creation).
    type: int
  fragment_cache:
    description: Fragment cache of the proxies; default on read and on write, no quota.
    type: dict
    suboptions:
      on_read:
        description: Cache fragments that are read.
        type: bool
      on_write:
        description: Cache fragments that are written.
        type: bool
      quota:
        description: Quota in bytes.
        type: int
  block_cache:
    description: Block cache of the proxies; default off, no quota.
    type: dict
    suboptions:
      on_read:
        description: Cache blocks that are read.
        type: bool
      on_write:
        description: Cache blocks that are written.
        type: bool
      quota:
        description: Quota in bytes.
        type: int
  proxies:
    description: ALBA proxies per storage driver, 1 to 16 (V(2) when not given).
    type: int
  mds_safety:
    description: Copies of the metadata server of each vDisk, 1 to 5 (V(3) at creation).
    type: int
  mds_tlogs:
    description: TLogs after which a metadata server catches up, at least 1 (V(100) at creation).
    type: int
  mds_maxload:
    description: Maximum load of a metadata server in percent, at least 10 (V(75) at creation).
    type: int
  writecache_size:
    description:
      - Global write buffer in GiB on the V(WRITE) partitions of a storage router, 1 to 10240.
      - Required when the vPool is created or extended.
    type: int
  storage_ip:
    description:
      - Storage IP per storage router (keys are host names or IPs of O(storagerouters)); default the storage
        router's IP.
    type: dict
  backend_client_id:
    description:
      - Id of an API client (C(POST /api/clients/)) the storage drivers use to reach the backend
        (C(connection_info.client_id)).
      - Without it C(connection_info.host) is empty and the API fills in the INTERNAL client of the user the module
        logs in as, the IP of the storage router that answers and port 443, as the GUI does for a local backend.
    type: str
  backend_client_secret:
    description: Secret of O(backend_client_id).
    type: str
  backend_host:
    description:
      - IP of the API the storage drivers use (C(connection_info.host)), with O(backend_client_id).
      - Default O(api_host) when it is an IP, else the IP of the storage router being added.
    type: str
  backend_port:
    description: Port of that API (C(connection_info.port)), with O(backend_client_id); default O(api_port).
    type: int
  task_timeout:
    description: Seconds to wait for each create, extend or shrink task.
    type: int
    default: 3600
attributes:
  check_mode:
    description: Validates, reads and compares; reports what would change without any POST.
    support: full
  diff_mode:
    description: Shows the storage routers (and, at creation, the settings) that change.
    support: full
seealso:
  - module: openvstorage.hyperscale.ovs_disk
  - module: openvstorage.hyperscale.ovs_vdisk
'''

EXAMPLES = r'''
- name: vPool on three controllers
  openvstorage.hyperscale.ovs_vpool:
    api_host: 172.30.250.11
    api_client_id: "{{ ovs_client_id }}"
    api_client_secret: "{{ ovs_client_secret }}"
    ca_path: /etc/ssl/ovs-ca.pem
    name: pool1
    backend: local-backend
    preset: default
    storagerouters: [ctl01, ctl02, ctl03]
    sco_size: 4
    dtl_mode: a_sync
    write_buffer: 256
    writecache_size: 20
    fragment_cache:
      on_read: true
      on_write: false

- name: Take the vPool off ctl03
  openvstorage.hyperscale.ovs_vpool:
    api_host: 172.30.250.11
    api_client_id: "{{ ovs_client_id }}"
    api_client_secret: "{{ ovs_client_secret }}"
    name: pool1
    storagerouters: [ctl01, ctl02]
    shrink: true
'''

RETURN = r'''
vpool:
  description: The vPool after the change (in check mode, what it would be; C(guid) null for a new one). Empty after
    removal.
  returned: success
  type: dict
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
    storagerouters:
      description: Names of the storage routers that run the vPool, sorted.
      type: list
      elements: str
    configuration:
      description: C(configuration) of C(GET /api/vpools/<guid>/) (sco_size, cluster_size, dtl_mode, ...).
      type: dict
not_removed:
  description: Storage routers that run the vPool but are not in O(storagerouters), kept because O(shrink=false).
  returned: when O(state=present)
  type: list
  elements: str
'''

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import (
    run_api_module,
    task_timeout_option,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_diff import object_diff
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.storagerouter import (
    StorageError,
    find_storagerouter,
    list_storagerouters,
    resolve_storagerouters,
    run_action,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ipv4 import is_ipv4
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vpool import (
    CLUSTER_SIZES,
    DTL_MODES,
    DTL_TRANSPORTS,
    SCO_SIZES,
    call_parameters,
    caching_info,
    config_params,
    mds_config_params,
    validate_vpool_params,
    wanted_value,
)

FIXED_CONFIG = ('sco_size', 'cluster_size', 'dtl_mode', 'dtl_transport', 'write_buffer')
FIXED_MDS = ('mds_safety', 'mds_tlogs', 'mds_maxload')
NEEDED_ROLES = ('DB', 'WRITE', 'DTL')


def argument_spec():
    cache = dict(type='dict', options=dict(on_read=dict(type='bool'), on_write=dict(type='bool'),
                                           quota=dict(type='int')))
    return dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        backend=dict(type='str'),
        preset=dict(type='str'),
        storagerouters=dict(type='list', elements='str'),
        shrink=dict(type='bool', default=False),
        sco_size=dict(type='int', choices=SCO_SIZES),
        cluster_size=dict(type='int', choices=CLUSTER_SIZES),
        dtl_mode=dict(type='str', choices=DTL_MODES),
        dtl_transport=dict(type='str', choices=DTL_TRANSPORTS),
        write_buffer=dict(type='int'),
        fragment_cache=cache,
        block_cache=dict(cache),
        proxies=dict(type='int'),
        mds_safety=dict(type='int'),
        mds_tlogs=dict(type='int'),
        mds_maxload=dict(type='int'),
        writecache_size=dict(type='int'),
        storage_ip=dict(type='dict'),
        backend_host=dict(type='str'),
        backend_port=dict(type='int'),
        backend_client_id=dict(type='str'),
        backend_client_secret=dict(type='str', no_log=True),
        task_timeout=task_timeout_option(3600),
    )


# contents of a vPool read: name, status and metadata are properties, configuration a dynamic
VPOOL_CONTENTS = 'name,status,metadata,configuration'


def router_names(by_guid, guids):
    """Sorted names of the storage routers ``guids`` (``by_guid``: storage routers by guid; a guid unknown there
    stands for itself)."""
    return sorted(by_guid.get(g, {}).get('name', g) for g in guids)


def planned_configuration(params):
    """The configuration of a vPool created with the options."""
    configuration = config_params(params)
    configuration['mds_config'] = mds_config_params(params)
    configuration['dtl_enabled'] = configuration['dtl_mode'] != 'no_sync'
    return configuration


def check_router_ready(routers, router):
    """StorageError unless ``router`` has the partitions a vPool needs and a storage router of ``routers`` SCRUB."""
    config = router.get('partition_config') or {}
    missing = [role for role in NEEDED_ROLES if not config.get(role)]
    if missing:
        raise StorageError('storagerouters: storage router {0} has no partition with the role(s) {1}; assign them '
                           'first (ovs_disk)'.format(router['name'], ', '.join(missing)))
    if not any((r.get('partition_config') or {}).get('SCRUB') for r in routers):
        raise StorageError('storagerouters: no storage router of the cluster has a partition with the SCRUB role; '
                           'assign one first (ovs_disk)')


def connection(params, router):
    """``connection_info`` of the (local) backend for the vPool on ``router``.

    Without backend_client_id the host is empty: the API then fills in the INTERNAL client of the
    requesting user, the IP of the storage router that answers and port 443 (framework
    webapps/api/backend/views/storagerouters.py add_vpool), as the GUI does for a local backend.
    """
    if params['backend_client_id'] is None:
        if params['backend_host'] is not None or params['backend_port'] is not None:
            raise StorageError('backend_host and backend_port need backend_client_id and backend_client_secret')
        return dict(host='', port=443, client_id='', client_secret='', local=True)
    host = params['backend_host']
    if host is None:
        host = params['api_host'] if is_ipv4(params['api_host']) else router['ip']
    return dict(host=host, port=params['backend_port'] or params['api_port'],
                client_id=params['backend_client_id'], client_secret=params['backend_client_secret'], local=True)


def plan_vpool(params, vpool, wanted, current_guids, routers, preset):
    """What ``state=present`` changes, from the vPool read (None: to create) and the options (no API call).

    wanted:        the storage routers of O(storagerouters); current_guids: those the vPool runs on now;
    routers:       every storage router of the cluster; preset: the preset of the vPool.
    Returns the storage routers to add (``to_add``, with their ``connections``) and the guids to remove
    (``to_remove``), the names of those kept although not wanted (``kept``), the guids afterwards
    (``after_guids``), ``changed`` and the ``diff``.
    """
    by_guid = dict((r['guid'], r) for r in routers)
    to_add = [r for r in wanted if r['guid'] not in current_guids]
    extra = [g for g in current_guids if g not in [r['guid'] for r in wanted]] if params['storagerouters'] else []
    to_remove = extra if params['shrink'] else []
    connections = []
    if to_add:
        if params['writecache_size'] is None:
            raise StorageError('writecache_size is required to {0} vPool {1} (storage routers {2})'.format(
                'create' if vpool is None else 'extend', params['name'], ', '.join(r['name'] for r in to_add)))
        if vpool is not None and vpool.get('status') != 'RUNNING':
            raise StorageError('vPool {0} is {1}; it can be extended only when RUNNING'.format(
                vpool['name'], vpool.get('status')))
        for router in to_add:
            check_router_ready(routers, router)
        connections = [connection(params, r) for r in to_add]
    after_guids = [g for g in current_guids if g not in to_remove] + [r['guid'] for r in to_add]
    if vpool is None:
        diff = object_diff(None, dict(name=params['name'], backend=params['backend'], preset=preset,
                                      storagerouters=router_names(by_guid, after_guids),
                                      caching_info=caching_info(params), **planned_configuration(params)))
    else:
        diff = object_diff(dict(storagerouters=router_names(by_guid, current_guids)),
                           dict(storagerouters=router_names(by_guid, after_guids)), name=params['name'])
    return dict(to_add=to_add, connections=connections, to_remove=to_remove, after_guids=after_guids,
                kept=router_names(by_guid, (g for g in extra if g not in to_remove)),
                changed=bool(to_add or to_remove), diff=diff)


class VPoolManager(object):

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.routers = list_storagerouters(client, 'name,ip,partition_config')
        self.by_guid = dict((r['guid'], r) for r in self.routers)

    # ------------------------------------------------------------ reading
    def find_vpool(self):
        found = [v for v in self.client.list('vpools', contents=VPOOL_CONTENTS) if v.get('name') == self.params['name']]
        return found[0] if found else None

    def vpool_routers(self, vpool):
        drivers = self.client.list('storagedrivers', contents='vpool,storagerouter', params={'vpool_guid': vpool['guid']})
        guids = []
        for driver in drivers:
            if driver.get('vpool_guid') == vpool['guid'] and driver.get('storagerouter_guid') not in guids:
                guids.append(driver.get('storagerouter_guid'))
        return guids

    def vdisks(self, vpool):
        return [v for v in self.client.list('vdisks', contents='name,vpool,storagerouter_guid', params={'vpoolguid': vpool['guid']})
                if v.get('vpool_guid') == vpool['guid']]

    def names(self, guids):
        return router_names(self.by_guid, guids)

    def find_backend(self):
        name = self.params['backend']
        backends = self.client.list('alba/backends', contents='name')
        found = [b for b in backends if b.get('name') == name]
        if not found:
            raise StorageError('backend: no ALBA backend named {0!r}; ALBA backends: {1}'.format(
                name, ', '.join(sorted(b.get('name') or '' for b in backends)) or 'none'))
        # the presets of this backend only (a dynamic that asks its ALBA manager)
        return self.client.get('alba/backends/{0}'.format(found[0]['guid']), contents='name,presets')

    def check_preset(self, backend, preset):
        presets = backend.get('presets') or []
        names = sorted(p.get('name') for p in presets)
        match = [p for p in presets if p.get('name') == preset]
        if not match:
            raise StorageError('preset: backend {0} has no preset {1!r}; presets: {2}'.format(
                backend.get('name'), preset, ', '.join(names) or 'none'))
        if match[0].get('is_available') is False:
            raise StorageError('preset: preset {0} of backend {1} is not available (its policies cannot be '
                               'satisfied by the OSDs of the backend)'.format(preset, backend.get('name')))

    # ------------------------------------------------------------ checks
    def check_fixed(self, vpool, backend):
        """Fail when a setting of the existing vPool differs (no API call changes it in place)."""
        configuration = vpool.get('configuration') or {}
        mds = configuration.get('mds_config') or {}
        differences = []
        for key in FIXED_CONFIG:
            if self.params[key] is not None and configuration.get(key) is not None \
                    and self.params[key] != configuration.get(key):
                differences.append('{0} is {1!r}, wanted {2!r}'.format(key, configuration.get(key), self.params[key]))
        for key in FIXED_MDS:
            if self.params[key] is not None and mds.get(key) is not None and self.params[key] != mds.get(key):
                differences.append('{0} is {1!r}, wanted {2!r}'.format(key, mds.get(key), self.params[key]))
        backend_info = ((vpool.get('metadata') or {}).get('backend') or {}).get('backend_info') or {}
        if backend is not None and backend_info.get('alba_backend_guid') not in (None, backend['guid']):
            current = [b.get('name') for b in self.client.list('alba/backends', contents='name')
                       if b.get('guid') == backend_info.get('alba_backend_guid')]
            differences.append('backend is {0!r}, wanted {1!r}'.format(
                current[0] if current else backend_info.get('alba_backend_guid'), self.params['backend']))
        if self.params['preset'] is not None and backend_info.get('preset') not in (None, self.params['preset']):
            differences.append('preset is {0!r}, wanted {1!r}'.format(
                backend_info.get('preset'), self.params['preset']))
        if differences:
            raise StorageError('vPool {0} exists and {1}: Open vStorage cannot change this on an existing vPool '
                               '(no API call does it); create a new vPool, or set the options to the current values'
                               .format(self.params['name'], '; '.join(differences)))

    def storage_ips(self, wanted):
        ips = {}
        for key, value in (self.params['storage_ip'] or {}).items():
            router = find_storagerouter(wanted, key)
            if router is None:
                raise StorageError('storage_ip: {0!r} is not one of storagerouters ({1})'.format(
                    key, ', '.join(r['name'] for r in wanted)))
            ips[router['guid']] = value
        return ips

    # ------------------------------------------------------------ result
    def view(self, vpool, router_guids):
        return dict(guid=vpool.get('guid'), name=vpool.get('name'), status=vpool.get('status'),
                    storagerouters=self.names(router_guids), configuration=vpool.get('configuration') or {})

    # ------------------------------------------------------------ run
    def absent(self, vpool, result):
        if vpool is None:
            result['vpool'] = {}
            return result
        vdisks = self.vdisks(vpool)
        if vdisks:
            raise StorageError('vPool {0} still has {1} vDisk(s): {2}; remove them first'.format(
                vpool['name'], len(vdisks), ', '.join(sorted(v.get('name') or v['guid'] for v in vdisks))))
        router_guids = self.vpool_routers(vpool)
        result['changed'] = True
        if self.module._diff:
            result['diff'] = object_diff(dict(name=vpool['name'], storagerouters=self.names(router_guids)), None)
        if not self.module.check_mode:
            for guid in router_guids:
                run_action(self.client, 'vpools/{0}/shrink_vpool'.format(vpool['guid']),
                           dict(storagerouter_guid=guid), timeout=self.params['task_timeout'])
        result['vpool'] = {}
        return result

    def read_current(self, vpool, wanted):
        """(backend, preset, guids of its storage routers) of the vPool, checked against the options.

        ``backend`` is the backend of O(backend) (None without it), or for an existing vPool at least its guid.
        """
        params = self.params
        backend = self.find_backend() if params['backend'] is not None else None
        if vpool is None:
            if backend is None:
                raise StorageError('backend is required to create vPool {0}'.format(params['name']))
            if not wanted:
                raise StorageError('storagerouters is required to create vPool {0}'.format(params['name']))
            preset = wanted_value(params, 'preset')
            self.check_preset(backend, preset)
            return backend, preset, []
        self.check_fixed(vpool, backend)
        backend_info = ((vpool.get('metadata') or {}).get('backend') or {}).get('backend_info') or {}
        preset = backend_info.get('preset') or wanted_value(params, 'preset')
        if backend is None:
            backend = dict(guid=backend_info.get('alba_backend_guid'))
        return backend, preset, self.vpool_routers(vpool)

    def check_removable(self, vpool, to_remove):
        """StorageError when vDisks are served on a storage router the vPool is to be removed from."""
        vdisks = self.vdisks(vpool)
        for guid in to_remove:
            here = sorted(v.get('name') for v in vdisks if v.get('storagerouter_guid') == guid)
            if here:
                raise StorageError('cannot remove vPool {0} from storage router {1}: vDisks {2} are served '
                                   'there; move or remove them first'.format(
                                       vpool['name'], self.by_guid[guid]['name'], ', '.join(here)))

    def present(self, vpool, result):
        params = self.params
        wanted = resolve_storagerouters(self.routers, params['storagerouters'])
        ips = self.storage_ips(wanted)
        backend, preset, current_guids = self.read_current(vpool, wanted)
        plan = plan_vpool(params, vpool, wanted, current_guids, self.routers, preset)
        if plan['to_remove']:
            self.check_removable(vpool, plan['to_remove'])
        if plan['kept']:
            self.module.warn('vPool {0} also runs on {1}, not in storagerouters; kept (set shrink: true to remove it)'
                             .format(params['name'], ', '.join(plan['kept'])))
        result['not_removed'] = plan['kept']
        result['changed'] = plan['changed']
        if plan['changed'] and self.module._diff:
            result['diff'] = plan['diff']
        if self.module.check_mode or not plan['changed']:
            shown = vpool or dict(guid=None, name=params['name'], status=None,
                                  configuration=planned_configuration(params))
            result['vpool'] = self.view(shown, plan['after_guids'])
            return result
        vpool = self.apply(vpool, plan, backend, preset, ips)
        result['vpool'] = self.view(vpool, self.vpool_routers(vpool)) if vpool else {}
        return result

    def apply(self, vpool, plan, backend, preset, ips):
        """Add the vPool to the planned storage routers and remove it from the others: the vPool read afterwards."""
        params = self.params
        current_config = (vpool or {}).get('configuration')
        for router, info in zip(plan['to_add'], plan['connections']):
            body = call_parameters(params, router, ips.get(router['guid'], router['ip']), backend['guid'], preset,
                                   info, current_config)
            run_action(self.client, 'storagerouters/{0}/add_vpool'.format(router['guid']),
                       dict(call_parameters=body), timeout=params['task_timeout'])
            if vpool is None:
                vpool = self.find_vpool()
                if vpool is None:
                    raise StorageError('add_vpool succeeded on {0} but vPool {1} does not exist'.format(
                        router['name'], params['name']))
                current_config = vpool.get('configuration')
        for guid in plan['to_remove']:
            run_action(self.client, 'vpools/{0}/shrink_vpool'.format(vpool['guid']), dict(storagerouter_guid=guid),
                       timeout=params['task_timeout'])
        return self.find_vpool()


def run(module, client):
    validate_vpool_params(module.params)
    manager = VPoolManager(module, client)
    vpool = manager.find_vpool()
    if module.params['state'] == 'absent':
        return manager.absent(vpool, dict(changed=False))
    return manager.present(vpool, dict(changed=False))


def main():
    run_api_module(argument_spec(), run, refusals=(StorageError,),
                   required_together=[('backend_client_id', 'backend_client_secret')])


if __name__ == '__main__':
    main()
