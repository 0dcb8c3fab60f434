# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vPool parameters: the framework's rules (ovs/lib/vpool.py, ovs/lib/helpers/storagedriver/installer.py,
ovs/lib/helpers/storagerouter/installer.py, ovs/lib/helpers/vpool/installers) checked before any call, and
the ``call_parameters`` of ``POST /api/storagerouters/<guid>/add_vpool/``."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import PRESET_NAME_RE
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba_remote import cluster_errors
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ipv4 import is_ipv4
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.storagerouter import StorageError

# framework vdisk.py: vDisk names and the largest volume
VDISK_NAME = re.compile(r'^[0-9a-zA-Z][\-_a-zA-Z0-9]+[a-zA-Z0-9]$')
VDISK_MAX_SIZE = 64 * 1024 ** 4
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
