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
    router is added; they are not compared for storage routers that already run the vPool, except the cache backend
    (O(fragment_cache.backend), O(block_cache.backend)).
  - A cache on an ALBA backend (an accelerated backend, for example of SSDs) is sent as C(backend_info_fc) and
    C(connection_info_fc) (fragment cache) or C(backend_info_bc) and C(connection_info_bc) (block cache) with the
    connection of the main backend (both are backends of this cluster), or with O(fragment_cache.cluster)
    (O(block_cache.cluster)) the connection of another cluster whose backend it is (GeoScale). The framework cannot
    change the cache of a storage router that runs the vPool, so a storage router whose cache backend (or, when given,
    preset) differs from the options is refused, not changed; remove the vPool from it (O(shrink)) and add it again
    to change it.
  - Each storage router added needs partitions with the roles V(DB), V(WRITE) and V(DTL) (see
    M(openvstorage.hyperscale.ovs_disk)), and one storage router of the cluster needs V(SCRUB).
  - Before any change (in check mode too) the V(WRITE) partitions of each storage router added are read as the
    framework sees them (C(POST /api/storagerouters/<guid>/get_metadata/), a task that changes nothing) and checked
    with the framework's rule of C(add_vpool) (StorageRouterInstaller); O(writecache_size) fits in the space
    available on its usable V(WRITE) partitions, and each cache kept locally (a fragment or block cache that is on
    and not on a backend) gets at least 1 GiB per proxy from 10% of the write buffer's share of the largest
    V(WRITE) partition (an SSD one first). The refusal names the least O(writecache_size) and the most O(proxies)
    that fit.
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
    description:
      - Fragment cache of the proxies; default on read and on write, no quota, on the local V(WRITE) partition.
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
      backend:
        description:
          - Name of an ALBA backend of this cluster that holds the cache instead of the local partition (an
            accelerated backend); not O(backend). With it, O(fragment_cache.on_read) or O(fragment_cache.on_write)
            must stay true.
        type: str
      preset:
        description:
          - Preset of O(fragment_cache.backend); V(default) (the preset every backend has) when not given. Compared
            on storage routers that run the vPool only when given.
        type: str
      cluster:
        description:
          - The other Open vStorage cluster whose ALBA backend O(fragment_cache.backend) is (GeoScale) - its API
            and an API client of it. The backend and its preset are read there, and C(connection_info_fc) is
            C({host, port, client_id, client_secret}) of that cluster (a host name is resolved to an IPv4 address).
          - While that cluster cannot be read, a rerun keeps the cache that every storage router of the vPool uses
            already (from the vPool's metadata) with a warning; adding the vPool to a storage router fails then.
          - Without it O(fragment_cache.backend) is a backend of this cluster.
        type: dict
        suboptions:
          api_host:
            description: IPv4 address or host name of a controller of the other cluster.
            type: str
            required: true
          api_port:
            description: HTTPS port of its API.
            type: int
            default: 443
          client_id:
            description: Client id of an API client of the other cluster (client credentials grant).
            type: str
            required: true
          client_secret:
            description: Secret of that API client; never shown.
            type: str
            required: true
          validate_certs:
            description: Verify the TLS certificate of the other cluster's API.
            type: bool
            default: true
          ca_path:
            description: PEM file with the CA of that certificate.
            type: path
  block_cache:
    description: Block cache of the proxies; default off, no quota, on the local V(WRITE) partition.
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
      backend:
        description:
          - Name of an ALBA backend of this cluster that holds the cache instead of the local partition; not
            O(backend). With it, O(block_cache.on_read) or O(block_cache.on_write) must be true (both are false by
            default).
        type: str
      preset:
        description:
          - Preset of O(block_cache.backend); V(default) when not given. Compared on storage routers that run the
            vPool only when given.
        type: str
      cluster:
        description:
          - The other Open vStorage cluster whose ALBA backend O(block_cache.backend) is (GeoScale) - its API
            and an API client of it. The backend and its preset are read there, and C(connection_info_bc) is
            C({host, port, client_id, client_secret}) of that cluster (a host name is resolved to an IPv4 address).
          - While that cluster cannot be read, a rerun keeps the cache that every storage router of the vPool uses
            already (from the vPool's metadata) with a warning; adding the vPool to a storage router fails then.
          - Without it O(block_cache.backend) is a backend of this cluster.
        type: dict
        suboptions:
          api_host:
            description: IPv4 address or host name of a controller of the other cluster.
            type: str
            required: true
          api_port:
            description: HTTPS port of its API.
            type: int
            default: 443
          client_id:
            description: Client id of an API client of the other cluster (client credentials grant).
            type: str
            required: true
          client_secret:
            description: Secret of that API client; never shown.
            type: str
            required: true
          validate_certs:
            description: Verify the TLS certificate of the other cluster's API.
            type: bool
            default: true
          ca_path:
            description: PEM file with the CA of that certificate.
            type: path
  proxies:
    description:
      - ALBA proxies per storage driver, 1 to 16 (V(2) when not given).
      - With a local fragment or block cache each proxy needs 1 GiB of it per cache (see O(writecache_size)).
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
      - At most the space available on the usable V(WRITE) partitions of each storage router added.
      - 10% of its share of the largest V(WRITE) partition holds the local caches, at least 1 GiB per proxy and local
        cache; with a single V(WRITE) partition that is at least 10 GiB times O(proxies) times the local caches (20
        with the defaults, 2 proxies and the fragment cache local).
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
    description: Validates, reads and compares; reports what would change without any change (the only POST,
      C(get_metadata), reads).
    support: full
  diff_mode:
    description: Shows the storage routers (and, at creation, the settings) that change, and the cache backends of the
      storage routers.
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

- name: VPool whose fragment cache is on the accelerated (SSD) backend
  openvstorage.hyperscale.ovs_vpool:
    api_host: 172.30.250.11
    api_client_id: "{{ ovs_client_id }}"
    api_client_secret: "{{ ovs_client_secret }}"
    name: pool2
    backend: hdd-backend
    storagerouters: [ctl01, ctl02, ctl03]
    writecache_size: 20
    fragment_cache:
      backend: ssd-backend
      preset: default

- name: VPool whose fragment cache is on an SSD backend of another cluster (GeoScale)
  openvstorage.hyperscale.ovs_vpool:
    api_host: 172.30.250.11
    api_client_id: "{{ ovs_client_id }}"
    api_client_secret: "{{ ovs_client_secret }}"
    name: pool3
    backend: hdd-backend
    storagerouters: [ctl01, ctl02, ctl03]
    writecache_size: 20
    fragment_cache:
      backend: dc2-ssd
      cluster:
        api_host: 10.20.0.11
        client_id: "{{ dc2_client_id }}"
        client_secret: "{{ dc2_client_secret }}"
        ca_path: /etc/ssl/dc2-ca.pem

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
    cache_backends:
      description:
        - The caches on an ALBA backend, by storage router name and cache (C(fragment_cache), C(block_cache)), each
          with C(backend) (its name) and C(preset), from C(caching_info) of the vPool's C(metadata), and for a
          backend of another cluster C(cluster) (C(<host>:<port>) of its C(connection_info)). Storage routers
          whose caches are local are left out.
      type: dict
      sample: {"ctl01": {"fragment_cache": {"backend": "ssd-backend", "preset": "default"},
                         "block_cache": {"backend": "dc2-ssd", "preset": "default", "cluster": "10.20.0.11:443"}}}
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
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import (
    AlbaError,
    find_alba_backend,
    list_alba_backends,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba_remote import (
    RemoteCluster,
    cluster_option,
    link_address,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import name_list, run_action
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.storagerouter import (
    find_storagerouter,
    list_storagerouters,
    partition_metadata,
    resolve_storagerouters,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vdisk import VDISK_PLACE_CONTENTS, list_vdisks
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ipv4 import is_ipv4
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vpool import (
    CACHES,
    CLUSTER_SIZES,
    DEFAULTS,
    DTL_MODES,
    DRIVER_ROUTER_CONTENTS,
    DTL_TRANSPORTS,
    SCO_SIZES,
    cache_view,
    call_parameters,
    caching_info,
    check_write_space,
    config_params,
    driver_router_guids,
    find_vpool,
    list_storagedrivers,
    local_caches,
    mds_config_params,
    remote_label,
    same_backend_error,
    validate_vpool_params,
    vpool_backend_info,
    vpool_base_view,
    wanted_value,
)

FIXED_CONFIG = ('sco_size', 'cluster_size', 'dtl_mode', 'dtl_transport', 'write_buffer')
FIXED_MDS = ('mds_safety', 'mds_tlogs', 'mds_maxload')
NEEDED_ROLES = ('DB', 'WRITE', 'DTL')


def argument_spec():
    cache = dict(type='dict', options=dict(on_read=dict(type='bool'), on_write=dict(type='bool'),
                                           quota=dict(type='int'), backend=dict(type='str'), preset=dict(type='str'),
                                           cluster=cluster_option()))
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


def cache_differences(params, caches, current_caches, names):
    """What differs between the cache backends of the options (``caches``: {cache: {'name', 'preset'}}) and those
    of the storage routers ``names`` that run the vPool (``current_caches``: of ``cache_view``)."""
    differences = []
    for name in names:
        for cache, dummy in CACHES:
            wanted = caches.get(cache)
            current = current_caches.get(name, {}).get(cache)
            if wanted is None:
                continue
            if current is None:
                differences.append('{0}.backend is none (a local cache) on {1}, wanted {2!r}'.format(
                    cache, name, wanted['name']))
            elif current['backend'] != wanted['name'] or current.get('cluster') != wanted.get('cluster'):
                differences.append('{0}.backend is {1!r}{2} on {3}, wanted {4!r}{5}'.format(
                    cache, current['backend'], cluster_text(current, wanted), name, wanted['name'],
                    cluster_text(wanted, current)))
            elif (params[cache] or {}).get('preset') is not None and current['preset'] != wanted['preset']:
                differences.append('{0}.preset is {1!r} on {2}, wanted {3!r}'.format(
                    cache, current['preset'], name, wanted['preset']))
    return differences


def cluster_text(cache, other):
    """`` of the cluster at <host>:<port>`` / `` of this cluster`` when one of two cache backends is remote."""
    if not (cache.get('cluster') or other.get('cluster')):
        return ''
    return ' of the cluster at {0}'.format(cache['cluster']) if cache.get('cluster') else ' of this cluster'


def planned_cache(chosen):
    """The ``cache_backends`` entry of a cache of the options (``cluster`` for a backend of another cluster)."""
    planned = dict(backend=chosen['name'], preset=chosen['preset'])
    if chosen.get('cluster'):
        planned['cluster'] = chosen['cluster']
    return planned


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


def plan_vpool(params, vpool, wanted, current_guids, routers, preset, caches=None, current_caches=None):
    """What ``state=present`` changes, from the vPool read (None: to create) and the options (no API call).

    wanted:        the storage routers of O(storagerouters); current_guids: those the vPool runs on now;
    routers:       every storage router of the cluster; preset: the preset of the vPool;
    caches:        {cache: {'guid', 'name', 'preset'}} of the caches on an ALBA backend of the options;
    current_caches: those of the storage routers that run the vPool (``cache_view``).
    Returns the storage routers to add (``to_add``, with their ``connections``) and the guids to remove
    (``to_remove``), the names of those kept although not wanted (``kept``), the guids afterwards
    (``after_guids``), the cache backends afterwards (``cache_backends``), ``changed`` and the ``diff``.
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
    before_caches = dict((n, c) for n, c in (current_caches or {}).items() if n in router_names(by_guid, current_guids))
    after_caches = dict((n, c) for n, c in before_caches.items() if n in router_names(by_guid, after_guids))
    planned = dict((cache, planned_cache(c)) for cache, c in (caches or {}).items())
    after_caches.update((r['name'], planned) for r in to_add if planned)
    if vpool is None:
        created = dict(name=params['name'], backend=params['backend'], preset=preset,
                       storagerouters=router_names(by_guid, after_guids), caching_info=caching_info(params),
                       **planned_configuration(params))
        if after_caches:
            created['cache_backends'] = after_caches
        diff = object_diff(None, created)
    else:
        diff = object_diff(dict(storagerouters=router_names(by_guid, current_guids), cache_backends=before_caches),
                           dict(storagerouters=router_names(by_guid, after_guids), cache_backends=after_caches),
                           name=params['name'])
    return dict(to_add=to_add, connections=connections, to_remove=to_remove, after_guids=after_guids,
                kept=router_names(by_guid, (g for g in extra if g not in to_remove)), cache_backends=after_caches,
                changed=bool(to_add or to_remove), diff=diff)


def resolve_alba_backend(client, name, option, backends=None, origin=''):
    """The ALBA backend ``name`` with its presets, read with ``client`` (``backends``: the list, when read)."""
    if backends is None:
        backends = list_alba_backends(client)
    # the presets of this backend only (a dynamic that asks its ALBA manager)
    found = find_alba_backend(client, name, 'name,presets', backends)
    if found is None:
        raise StorageError('{0}: no ALBA backend named {1!r}{2}; ALBA backends{2}: {3}'.format(
            option, name, origin, name_list(backends)))
    return found


def remote_connection(where, cluster):
    """``connection_info`` of a backend of another cluster: its API (an IPv4 address) and an API client of it."""
    return dict(host=link_address(where, cluster), port=cluster['api_port'], client_id=cluster['client_id'],
                client_secret=cluster['client_secret'])


class VPoolManager(object):

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.routers = list_storagerouters(client, 'name,ip,partition_config')
        self.by_guid = dict((r['guid'], r) for r in self.routers)
        self._alba_backends = None
        self.current_metadata = {}  # of the vPool present() works on

    # ------------------------------------------------------------ reading
    def find_vpool(self):
        return find_vpool(self.client, self.params['name'])

    def vpool_routers(self, vpool):
        return driver_router_guids(list_storagedrivers(self.client, DRIVER_ROUTER_CONTENTS, vpool))

    def vdisks(self, vpool):
        return list_vdisks(self.client, VDISK_PLACE_CONTENTS, vpool)

    def names(self, guids):
        return router_names(self.by_guid, guids)

    def alba_backends(self):
        """The ALBA backends of the cluster (name and guid), read once."""
        if self._alba_backends is None:
            self._alba_backends = list_alba_backends(self.client)
        return self._alba_backends

    def find_backend(self, name, option='backend'):
        return resolve_alba_backend(self.client, name, option, self.alba_backends())

    def check_preset(self, backend, preset, option='preset'):
        presets = backend.get('presets') or []
        names = sorted(p.get('name') for p in presets)
        match = [p for p in presets if p.get('name') == preset]
        if not match:
            raise StorageError('{0}: backend {1} has no preset {2!r}; presets: {3}'.format(
                option, backend.get('name'), preset, ', '.join(names) or 'none'))
        if match[0].get('is_available') is False:
            raise StorageError('{0}: preset {1} of backend {2} is not available (its policies cannot be '
                               'satisfied by the OSDs of the backend)'.format(option, preset, backend.get('name')))

    def cache_backends(self, backend):
        """{cache: {'guid', 'name', 'preset'}} of O(fragment_cache.backend) and O(block_cache.backend), each checked:
        a backend of the cluster other than the vPool's own ``backend``, with that (available) preset."""
        chosen = {}
        for cache, dummy in CACHES:
            given = self.params[cache] or {}
            if given.get('backend') is None:
                continue
            preset = given.get('preset') or DEFAULTS['preset']
            if given.get('cluster'):
                chosen[cache] = self.remote_cache_backend(cache, given, preset)
                continue
            found = self.find_backend(given['backend'], cache + '.backend')
            if found['guid'] == backend.get('guid'):
                raise same_backend_error(cache, given['backend'])
            self.check_preset(found, preset, cache + '.preset')
            chosen[cache] = dict(guid=found['guid'], name=found.get('name') or given['backend'], preset=preset)
        return chosen

    def remote_cache_backend(self, cache, given, preset):
        """{'guid', 'name', 'preset', 'cluster', 'connection'} of a cache backend of another cluster (GeoScale),
        read and checked through that cluster's API with the API client of ``<cache>.cluster``."""
        where = cache + '.cluster'
        connection = remote_connection(where, given['cluster'])
        remote = RemoteCluster(self.params, given['cluster'], where, warn=self.module.warn)
        origin = ' on ' + remote.text
        try:
            found = remote.read(resolve_alba_backend, given['backend'], cache + '.backend', origin=origin)
        except AlbaError as exc:
            kept = self.kept_remote_cache(cache, given, connection)
            if kept is None:
                raise
            self.module.warn('{0}: the cache of vPool {1} on ALBA backend {2} of {3} is kept as it is: {4}; its state '
                             'there, its preset and the client credentials could not be checked; rerun when that '
                             'cluster answers'.format(cache, self.params['name'], given['backend'], remote.text, exc))
            return kept
        presets = dict(found, name='{0}{1}'.format(found.get('name'), origin))
        self.check_preset(presets, preset, cache + '.preset')
        return dict(guid=found['guid'], name=found.get('name') or given['backend'], preset=preset,
                    connection=connection, cluster='{0}:{1}'.format(connection['host'], connection['port']))

    def kept_remote_cache(self, cache, given, connection):
        """The cache backend of another cluster that every storage router of the existing vPool uses already (from
        its metadata alone, marked ``unverified``), or None: what a rerun keeps while that cluster cannot be read."""
        label = '{0}:{1}'.format(connection['host'], connection['port'])
        infos = [(info or {}).get(cache) or {} for info in (self.current_metadata.get('caching_info') or {}).values()]
        if not infos:
            return None
        backend_infos = [info.get('backend_info') or {} for info in infos]
        if not all(info.get('is_backend') for info in infos) or any(
                b.get('name') != given['backend'] or remote_label(b.get('connection_info')) != label
                for b in backend_infos):
            return None
        first = backend_infos[0]
        return dict(guid=first.get('alba_backend_guid'), name=given['backend'], preset=first.get('preset'),
                    connection=connection, cluster=label, unverified=True)

    def check_caches(self, vpool, caches, current_caches, guids):
        """Fail when a storage router of ``guids`` that runs the vPool caches elsewhere than the options say."""
        differences = cache_differences(self.params, caches, current_caches, self.names(guids))
        if differences:
            raise StorageError('vPool {0} exists and {1}: Open vStorage cannot change the cache of a storage router '
                               'that runs the vPool (no API call does it); remove the vPool from that storage router '
                               '(storagerouters without it and shrink: true) and add it again, or set the options to '
                               'the current values'.format(vpool['name'], '; '.join(differences)))

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
        backend_info = vpool_backend_info(vpool)
        if backend is not None and backend_info.get('alba_backend_guid') not in (None, backend['guid']):
            current = [b.get('name') for b in self.alba_backends()
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

    def warn_local_caches(self, caches, current_caches, to_add):
        """Warn when storage routers are added with a local cache while others of the vPool cache on a backend."""
        for cache, dummy in CACHES:
            elsewhere = sorted(set(c[cache]['backend'] for c in current_caches.values() if cache in c))
            if to_add and elsewhere and cache not in caches:
                self.module.warn('vPool {0} keeps its {1} on backend {2} on other storage routers; {3} added with a '
                                 'local {1} ({4}.backend not given)'.format(
                                     self.params['name'], cache.replace('_', ' '), ', '.join(elsewhere),
                                     ', '.join(r['name'] for r in to_add), cache))

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
    def view(self, vpool, router_guids, caches=None):
        names = self.names(router_guids)
        if caches is None:
            caches = cache_view(vpool.get('metadata'), self.by_guid)
        view = vpool_base_view(vpool, names)
        view['cache_backends'] = dict((n, c) for n, c in caches.items() if n in names)
        return view

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
        backend = self.find_backend(params['backend']) if params['backend'] is not None else None
        if vpool is None:
            if backend is None:
                raise StorageError('backend is required to create vPool {0}'.format(params['name']))
            if not wanted:
                raise StorageError('storagerouters is required to create vPool {0}'.format(params['name']))
            preset = wanted_value(params, 'preset')
            self.check_preset(backend, preset)
            return backend, preset, []
        self.check_fixed(vpool, backend)
        backend_info = vpool_backend_info(vpool)
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

    def check_write_partitions(self, to_add, caches):
        """StorageError when a storage router to add cannot hold the write buffer or the local caches of the proxies:
        the framework's rule on its WRITE partitions as its get_metadata reports them, read before any change."""
        local = local_caches(self.params, caches)
        for router in to_add:
            partitions = partition_metadata(self.client, router, self.params['task_timeout'])
            check_write_space(self.params, router, partitions.get('WRITE') or [], local)

    def present(self, vpool, result):
        params = self.params
        wanted = resolve_storagerouters(self.routers, params['storagerouters'])
        ips = self.storage_ips(wanted)
        backend, preset, current_guids = self.read_current(vpool, wanted)
        self.current_metadata = (vpool or {}).get('metadata') or {}
        caches = self.cache_backends(backend)
        current_caches = cache_view(self.current_metadata, self.by_guid)
        plan = plan_vpool(params, vpool, wanted, current_guids, self.routers, preset, caches, current_caches)
        unverified = sorted(cache for cache, chosen in caches.items() if chosen.get('unverified'))
        if plan['to_add'] and unverified:
            raise StorageError('cannot add vPool {0} to {1}: the {2} backend of another cluster cannot be read (see '
                               'the warning); rerun when that cluster answers'.format(
                                   params['name'], ', '.join(r['name'] for r in plan['to_add']),
                                   ' and '.join(unverified)))
        if vpool is not None:
            self.check_caches(vpool, caches, current_caches, [g for g in current_guids if g not in plan['to_remove']])
            self.warn_local_caches(caches, current_caches, plan['to_add'])
        if plan['to_remove']:
            self.check_removable(vpool, plan['to_remove'])
        self.check_write_partitions(plan['to_add'], caches)
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
            result['vpool'] = self.view(shown, plan['after_guids'], plan['cache_backends'])
            return result
        vpool = self.apply(vpool, plan, backend, preset, ips, caches)
        result['vpool'] = self.view(vpool, self.vpool_routers(vpool)) if vpool else {}
        return result

    def apply(self, vpool, plan, backend, preset, ips, caches):
        """Add the vPool to the planned storage routers and remove it from the others: the vPool read afterwards."""
        params = self.params
        current_config = (vpool or {}).get('configuration')
        for router, info in zip(plan['to_add'], plan['connections']):
            body = call_parameters(params, router, ips.get(router['guid'], router['ip']), backend['guid'], preset,
                                   info, current_config, caches)
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
    run_api_module(argument_spec(), run, refusals=(StorageError, AlbaError),
                   required_together=[('backend_client_id', 'backend_client_secret')])


if __name__ == '__main__':
    main()
