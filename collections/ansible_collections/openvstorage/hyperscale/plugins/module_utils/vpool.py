# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vPools and their storage drivers: found through the API (``GET /api/vpools/``, ``GET /api/storagedrivers/``)
and rendered (ovs_vpool, ovs_vdisk, alba_backend, ovs_cluster_info); the vPool parameters: the framework's rules
(ovs/lib/vpool.py, ovs/lib/helpers/storagedriver/installer.py, ovs/lib/helpers/storagerouter/installer.py,
ovs/lib/helpers/vpool/installers) checked before any call, and the ``call_parameters`` of
``POST /api/storagerouters/<guid>/add_vpool/``."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
import re

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import PRESET_NAME_RE
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba_remote import cluster_errors
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ipv4 import is_ipv4
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsApiError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import name_list, named, pick
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError

VPOOL_NAME = re.compile(r'^[0-9a-z][\-a-z0-9]{1,20}[a-z0-9]$')
SCO_SIZES = [4, 8, 16, 32, 64, 128]
CLUSTER_SIZES = [4, 8, 16, 32, 64]
DTL_MODES = ['no_sync', 'a_sync', 'sync']
DTL_TRANSPORTS = ['tcp', 'rdma']

# framework defaults, used when a vPool is created and the option is not given
DEFAULTS = dict(sco_size=4, cluster_size=4, dtl_mode='no_sync', dtl_transport='tcp', write_buffer=128,
                proxies=2, mds_safety=3, mds_tlogs=100, mds_maxload=75, preset='default')
CACHE_DEFAULTS = dict(fragment_cache=dict(on_read=True, on_write=True, quota=None),
                      block_cache=dict(on_read=False, on_write=False, quota=None))
# cache option -> suffix of its add_vpool keys (cache_quota_fc, backend_info_fc, connection_info_fc)
CACHES = (('fragment_cache', 'fc'), ('block_cache', 'bc'))

GIB = 1024 ** 3
# the local caches (fragment and/or block cache of every proxy) get this part of the write buffer's share of the
# largest WRITE partition, at least 1 GiB each (framework: StorageRouterInstaller.validate_local_cache_size)
LOCAL_CACHE_SHARE = 0.10

# (option, minimum, maximum or None)
RANGES = (
    ('write_buffer', 128, 10240, 'MiB'),
    ('proxies', 1, 16, ''),
    ('mds_safety', 1, 5, ''),
    ('mds_tlogs', 1, None, ''),
    ('mds_maxload', 10, None, ''),
    ('writecache_size', 1, 10240, 'GiB'),
)


def _range_text(low, high, unit):
    unit = ' ' + unit if unit else ''
    if high is None:
        return 'at least {0}{1}'.format(low, unit)
    return 'from {0} to {1}{2}'.format(low, high, unit)


def validate_vpool_params(params):
    """Raise StorageError naming the option, the value and what is allowed. Returns nothing."""
    name = params['name']
    if not VPOOL_NAME.match(name or ''):
        raise StorageError('name: {0!r} is not a valid vPool name; allowed: 3 to 23 characters, lower case letters, '
                           'digits and dashes, starting and ending with a letter or digit '
                           '(regex ^[0-9a-z][\\-a-z0-9]{{1,20}}[a-z0-9]$)'.format(name))
    if params.get('preset') is not None and not PRESET_NAME_RE.match(params['preset']):
        raise StorageError('preset: {0!r} is not a valid preset name (regex ^[0-9a-zA-Z][a-zA-Z0-9-_]{{1,18}}'
                           '[a-zA-Z0-9]$)'.format(params['preset']))
    for option, low, high, unit in RANGES:
        value = params.get(option)
        if value is None:
            continue
        if value < low or (high is not None and value > high):
            raise StorageError('{0}: {1} is out of range; allowed: {2}'.format(option, value, _range_text(low, high, unit)))
    sco = params.get('sco_size')
    buffer_size = params.get('write_buffer')
    if sco == 128 and buffer_size is not None and buffer_size < 256:
        raise StorageError('write_buffer: {0} MiB is too small for sco_size 128; allowed with sco_size 128: from 256 '
                           'to 10240 MiB'.format(buffer_size))
    for cache, dummy in CACHES:
        quota = (params.get(cache) or {}).get('quota')
        if quota is not None and quota <= 0:
            raise StorageError('{0}.quota: {1} must be a positive number of bytes'.format(cache, quota))
        validate_cache_backend(params, cache)
    for key, value in sorted((params.get('storage_ip') or {}).items()):
        if not is_ipv4(value):
            raise StorageError('storage_ip: {0!r} (for {1}) is not an IPv4 address'.format(value, key))
    host = params.get('backend_host')
    if host is not None and not is_ipv4(host):
        raise StorageError('backend_host: {0!r} is not an IPv4 address (the framework requires one)'.format(host))
    if params.get('backend_port') is not None and not 1 <= params['backend_port'] <= 65535:
        raise StorageError('backend_port: {0} is out of range; allowed: from 1 to 65535'.format(params['backend_port']))


def same_backend_error(cache, name):
    """The refusal of a cache backend that is the vPool's own backend (framework: storagedriver installer)."""
    return StorageError("{0}.backend: {1!r} is the vPool's own backend; allowed: another ALBA backend of this "
                        "cluster (Backend and {2} backend cannot be the same)".format(
                            cache, name, cache.replace('_', ' ')))


def validate_cache_backend(params, cache):
    """Raise StorageError for the ``backend`` and ``preset`` of O(fragment_cache) or O(block_cache)."""
    given = params.get(cache) or {}
    backend, preset = given.get('backend'), given.get('preset')
    if preset is not None:
        if backend is None:
            raise StorageError('{0}.preset: {1!r} needs {0}.backend (it names a preset of the cache backend; a local '
                               'cache has no preset)'.format(cache, preset))
        if not PRESET_NAME_RE.match(preset):
            raise StorageError('{0}.preset: {1!r} is not a valid preset name (regex ^[0-9a-zA-Z][a-zA-Z0-9-_]{{1,18}}'
                               '[a-zA-Z0-9]$)'.format(cache, preset))
    if backend is None:
        return
    cluster = given.get('cluster')
    if cluster:
        errors = cluster_errors(cache + '.cluster', cluster)
        if errors:
            raise StorageError('; '.join(errors))
    elif backend == params.get('backend'):
        raise same_backend_error(cache, backend)
    settings = cache_settings(params, cache)
    if not (settings['on_read'] or settings['on_write']):
        raise StorageError('{0}.backend: {1!r} is set but the {2} is off ({0}.on_read and {0}.on_write are false); '
                           'allowed: on_read and/or on_write true with a cache backend'.format(
                               cache, backend, cache.replace('_', ' ')))


def cache_settings(params, cache):
    """on_read, on_write and quota of a cache: the option's values over the framework defaults."""
    merged = dict(CACHE_DEFAULTS[cache])
    merged.update(dict((k, v) for k, v in (params.get(cache) or {}).items() if v is not None and k in merged))
    return merged


def local_caches(params, caches):
    """The caches kept on the local WRITE partition: on read or on write and not on an ALBA backend (``caches``:
    {cache: ...} of those on a backend); the framework's ``<cache>_local`` (StorageDriverInstaller)."""
    local = []
    for cache, dummy in CACHES:
        settings = cache_settings(params, cache)
        if cache not in (caches or {}) and (settings['on_read'] or settings['on_write']):
            local.append(cache)
    return local


def largest_write(partitions):
    """The WRITE partition the local caches go on: the SSD one with the most space available, else the largest
    other (StorageRouterInstaller.validate_local_cache_size)."""
    for ssd in (True, False):
        found = [p for p in partitions if bool(p.get('ssd')) is ssd and (p.get('available') or 0) > 0]
        if found:
            return max(found, key=lambda p: p['available'])
    return None


def local_cache_bytes(writecache_gib, largest, available):
    """Bytes of the local caches of all proxies, computed as the framework does: 10% of the share of the write
    buffer of ``writecache_gib`` GiB on the largest WRITE partition (``largest`` of ``available`` bytes)."""
    return float(largest) / available * (writecache_gib * 1024.0 ** 3) * LOCAL_CACHE_SHARE


def check_write_space(params, router, write_partitions, local):
    """StorageError unless the WRITE partitions of ``router`` (get_metadata's: available, usable, ssd) hold the write
    buffer O(writecache_size) and 1 GiB per proxy for each cache of ``local``: the framework's
    StorageRouterInstaller.validate_global_write_buffer and validate_local_cache_size
    (ovs/lib/helpers/storagerouter/installer.py), which add_vpool runs on the storage router."""
    usable = [p for p in write_partitions if p.get('usable')]
    available = sum(p.get('available') or 0 for p in usable)
    size = params['writecache_size']
    if size * 1024.0 ** 3 > available:
        raise StorageError('writecache_size: {0} GiB is more than storage router {1} has available on its usable WRITE '
                           'partitions ({2:.2f} GiB; the framework: Too much space requested for WRITE cache); allowed: '
                           'at most {3} GiB there'.format(size, router['name'], available / float(GIB),
                                                          int(available // GIB)))
    count = wanted_value(params, 'proxies') * len(local)
    if not count:
        return
    largest = largest_write(usable)
    if local_cache_bytes(size, largest['available'], available) / count < GIB:
        raise local_cache_error(params, router, largest, available, local)


def local_cache_error(params, router, largest, available, local):
    """The refusal of a write buffer too small for the local caches of the proxies, with what would fit."""
    size, proxies = params['writecache_size'], wanted_value(params, 'proxies')
    count = proxies * len(local)
    share = local_cache_bytes(size, largest['available'], available)
    fits = int(min(10240, available // GIB))
    minimum = max(1, int(math.ceil(10.0 * count * available / largest['available'])) - 1)
    while minimum <= fits and local_cache_bytes(minimum, largest['available'], available) / count < GIB:
        minimum += 1
    allowed = ['writecache_size {0} GiB or more'.format(minimum)] if minimum <= fits else []
    fewer = [n for n in range(1, 17) if share / (n * len(local)) >= GIB]
    if fewer:
        allowed.append('proxies {0} or less'.format(max(fewer)))
    allowed.append(' or '.join('{0}.backend'.format(cache) for cache in local) + ' (the cache on an ALBA backend)')
    return StorageError(
        'writecache_size: {0} GiB with proxies {1} leaves {2:.2f} GiB to each of the {3} local caches ({4} of each '
        'proxy) on storage router {5}: the framework gives the local caches 10% of the write buffer share of the '
        'largest WRITE partition ({6}: {7:.2f} of {8:.2f} GiB available) and needs at least 1 GiB per proxy and '
        'local cache (Not enough space available on largest local WRITE partition); allowed: {9}'.format(
            size, proxies, share / count / GIB, count, ' and '.join(c.replace('_', ' ') for c in local),
            router['name'], largest.get('mountpoint'), largest['available'] / float(GIB), available / float(GIB),
            ', '.join(allowed)))


def wanted_value(params, option):
    value = params.get(option)
    return DEFAULTS.get(option) if value is None else value


def caching_info(params):
    """``caching_info`` of add_vpool: the on_read/on_write flags and quotas of both caches."""
    info = {}
    for cache, suffix in CACHES:
        merged = cache_settings(params, cache)
        info[cache + '_on_read'] = bool(merged['on_read'])
        info[cache + '_on_write'] = bool(merged['on_write'])
        if merged.get('quota') is not None:
            info['cache_quota_' + suffix] = merged['quota']
    return info


def config_params(params, current=None):
    """``config_params`` of add_vpool: the vPool's configuration when it exists, else the options/defaults."""
    config = {}
    for key in ('sco_size', 'cluster_size', 'dtl_mode', 'dtl_transport', 'write_buffer'):
        if current and current.get(key) is not None:
            config[key] = current[key]
        else:
            config[key] = wanted_value(params, key)
    return config


def mds_config_params(params, current=None):
    mds = {}
    for key in ('mds_safety', 'mds_tlogs', 'mds_maxload'):
        if current and current.get(key) is not None:
            mds[key] = current[key]
        else:
            mds[key] = wanted_value(params, key)
    return mds


def call_parameters(params, router, storage_ip, backend_guid, preset, connection, current_config=None,
                    cache_backends=None):
    """The ``call_parameters`` of ``add_vpool`` (reference section 6).

    ``cache_backends``: {cache option: {'guid', 'preset', 'connection'}} of the caches on an ALBA backend; each gets
    ``backend_info_<fc|bc>`` and ``connection_info_<fc|bc>``: its ``connection`` (a backend of another cluster:
    {host, port, client_id, client_secret}), else that of the main backend (a backend of this cluster).
    """
    configuration = current_config or {}
    body = dict(
        vpool_name=params['name'],
        storagerouter_ip=router['ip'],
        storage_ip=storage_ip,
        backend_info=dict(alba_backend_guid=backend_guid, preset=preset),
        connection_info=connection,
        config_params=config_params(params, configuration),
        caching_info=caching_info(params),
        writecache_size=params['writecache_size'],
        parallelism=dict(proxies=wanted_value(params, 'proxies')),
        mds_config_params=mds_config_params(params, configuration.get('mds_config')),
    )
    for cache, suffix in CACHES:
        chosen = (cache_backends or {}).get(cache)
        if chosen:
            body['backend_info_' + suffix] = dict(alba_backend_guid=chosen['guid'], preset=chosen['preset'])
            body['connection_info_' + suffix] = dict(chosen.get('connection') or connection)
    return body


# ------------------------------------------------------------------ finders and views
# contents of a vPool read: name, status and metadata are properties, configuration a dynamic
VPOOL_CONTENTS = 'name,status,metadata,configuration'
# of the storage drivers read for where a vPool runs: the relations vpool (vpool_guid) and storagerouter
DRIVER_ROUTER_CONTENTS = 'vpool,storagerouter'
# of the storage drivers shown (ovs_cluster_info)
STORAGEDRIVER_CONTENTS = 'storagedriver_id,mountpoint,storage_ip,ports,status,vpool,storagerouter'
STORAGEDRIVER_FIELDS = ('guid', 'storagedriver_id', 'mountpoint', 'storage_ip', 'ports', 'status')


def list_vpools(client, contents=VPOOL_CONTENTS):
    """``GET /api/vpools/`` with ``contents``."""
    return client.list('vpools', contents=contents)


def read_vpool(client, guid, contents=VPOOL_CONTENTS):
    """``GET /api/vpools/<guid>/`` with ``contents``."""
    return client.get('vpools/{0}'.format(guid), contents=contents)


def find_vpool(client, name, contents=VPOOL_CONTENTS):
    """The vPool ``name`` read with ``contents``, or None."""
    return named(list_vpools(client, contents), name)


def resolve_vpool(client, name, option='vpool'):
    """The vPool ``name`` (its name and guid); StorageError naming the vPools there are when there is none."""
    vpools = list_vpools(client, 'name')
    found = named(vpools, name)
    if found is None:
        raise StorageError('{0}: no vPool named {1!r}; vPools: {2}'.format(option, name, name_list(vpools)))
    return found


def vpools_using(client, alba_backend_guid):
    """Names of the vPools whose metadata refers to the ALBA backend (main or cache backend)."""
    try:
        vpools = list_vpools(client, 'name,metadata')
    except OvsApiError as exc:
        if exc.status == 404 and exc.error in ('not_found', None):
            return []
        raise
    names = []
    for vpool in vpools:
        if isinstance(vpool, dict) and _refers_to(vpool.get('metadata'), alba_backend_guid):
            names.append(vpool.get('name'))
    return sorted(n for n in names if n)


def _refers_to(value, guid):
    if isinstance(value, dict):
        if value.get('alba_backend_guid') == guid:
            return True
        return any(_refers_to(v, guid) for v in value.values())
    if isinstance(value, list):
        return any(_refers_to(v, guid) for v in value)
    return False


def list_storagedrivers(client, contents=STORAGEDRIVER_CONTENTS, vpool=None):
    """``GET /api/storagedrivers/`` with ``contents``; with ``vpool`` those of that vPool only."""
    if vpool is None:
        return client.list('storagedrivers', contents=contents)
    drivers = client.list('storagedrivers', contents=contents, params={'vpool_guid': vpool['guid']})
    return [d for d in drivers if d.get('vpool_guid') == vpool['guid']]


def driver_router_guids(drivers):
    """Guids of the storage routers of ``drivers`` (read with :data:`DRIVER_ROUTER_CONTENTS`), in order, once."""
    guids = []
    for driver in drivers:
        if driver.get('storagerouter_guid') not in guids:
            guids.append(driver.get('storagerouter_guid'))
    return guids


def vpool_backend_info(vpool):
    """``backend_info`` of a vPool's metadata: its ALBA backend (``alba_backend_guid``) and ``preset``."""
    return ((vpool.get('metadata') or {}).get('backend') or {}).get('backend_info') or {}


def remote_label(connection_info):
    """``<host>:<port>`` of the API of another cluster that a ``connection_info`` names, or None (this cluster:
    ``local`` true, or no host)."""
    info = connection_info or {}
    if info.get('local') or not info.get('host'):
        return None
    return '{0}:{1}'.format(info['host'], info.get('port'))


def cache_view(metadata, by_guid):
    """{storage router name: {cache: {'backend', 'preset'}}} of the caches on an ALBA backend, from the
    ``caching_info`` of a vPool's ``metadata`` (framework: ``{<storagerouter guid>: {'fragment_cache': {'read',
    'write', 'quota', 'is_backend', 'backend_info': {'name', 'preset', 'alba_backend_guid', ...}}, ...}}``)."""
    view = {}
    for guid, info in ((metadata or {}).get('caching_info') or {}).items():
        caches = {}
        for cache, dummy in CACHES:
            data = (info or {}).get(cache) or {}
            if data.get('is_backend'):
                backend_info = data.get('backend_info') or {}
                caches[cache] = dict(backend=backend_info.get('name'), preset=backend_info.get('preset'))
                remote = remote_label(backend_info.get('connection_info'))
                if remote:
                    caches[cache]['cluster'] = remote
        if caches:
            view[by_guid.get(guid, {}).get('name', guid)] = caches
    return view


def vpool_base_view(vpool, storagerouters):
    """What every view of a vPool shows: guid, name, status, configuration and ``storagerouters`` (names)."""
    return dict(guid=vpool.get('guid'), name=vpool.get('name'), status=vpool.get('status'),
                configuration=vpool.get('configuration') or {}, storagerouters=storagerouters)


def storagedriver_view(driver, router_names):
    view = pick(driver, STORAGEDRIVER_FIELDS)
    view['storagerouter'] = router_names.get(driver.get('storagerouter_guid'))
    return view


def vpool_view(vpool, drivers, router_names, backend_names):
    """A vPool as ovs_cluster_info shows it: with its ALBA backend and preset, and its storage drivers (``drivers``:
    of every vPool) sorted by storage router."""
    backend_info = vpool_backend_info(vpool)
    mine = [d for d in drivers if d.get('vpool_guid') == vpool['guid']]
    storagedrivers = [storagedriver_view(d, router_names)
                      for d in sorted(mine, key=lambda d: router_names.get(d.get('storagerouter_guid')) or '')]
    view = vpool_base_view(vpool, sorted(set(d['storagerouter'] or '' for d in storagedrivers)))
    view.update(backend=backend_names.get(backend_info.get('alba_backend_guid')), preset=backend_info.get('preset'),
                storagedrivers=storagedrivers)
    return view
