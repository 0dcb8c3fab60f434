# -*- coding: utf-8 -*-
"""Fake framework API for ovs_vpool's GeoScale tests (test_ovs_vpool_geoscale.py): two clusters, a vPool cache
on an ALBA backend of the other one.  The other storage module tests run against the emulated API
(emulator_api.py); this fake stays until the emulator cluster of those tests has a second cluster.

Built on fake_ovs_api (token, headers, paging, tasks) without changing it.  Shapes follow
shared/ovs-reference.md section 6 and the emulator (emulator/src/ovs_emulator/webapi/views.py,
vpools.py): storage routers carry the dynamic ``partition_config``; add_vpool answers a task id that is
already finished (SUCCESS with the result, or FAILURE with the framework's text).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import uuid

from ansible_collections.openvstorage.hyperscale.tests.unit.fake_ovs_api import FakeApiServer, FakeOvs, Handler

ROLES = ['BACKEND', 'DB', 'DTL', 'SCRUB', 'WRITE']


def new_guid():
    return str(uuid.uuid4())


class StorageOvs(FakeOvs):
    def __init__(self):
        super(StorageOvs, self).__init__()
        self.disks = {}
        self.partitions = {}
        self.backends = {}  # backend: {guid, name, regular_domains}
        self.albabackends = {}
        self.vpools = {}
        self.storagedrivers = {}
        self.vdisks = {}
        self.posts = []  # (path, body) of every authenticated POST / DELETE
        self.remotes = {}  # (host, port): StorageOvs of another cluster (GeoScale cache backends)

    # ---------------------------------------------------------------- set-up helpers
    @staticmethod
    def fast_presets():
        """Presets default and fast (1, 1, 1, 2), both available."""
        default = dict(name='default', compression='snappy', fragment_encryption=['none'], fragment_size=1048576,
                       is_available=True, is_default=True, in_use=False, policies=['(5, 4, 8, 3)', '(2, 2, 3, 4)'])
        return [default, dict(default, name='fast', is_default=False, policies=['(1, 1, 1, 2)'])]

    def router(self, key):
        for router in self.storagerouters:
            if key in (router['guid'], router['name'], router['ip']):
                return router
        raise KeyError(key)

    def add_disk(self, router, name, size, is_ssd=True, aliases=None):
        router = self.router(router)
        guid = new_guid()
        self.disks[guid] = dict(guid=guid, name=name, size=size, is_ssd=is_ssd, state='OK',
                                aliases=list(aliases or ['/dev/disk/by-id/ata-{0}'.format(name)]),
                                storagerouter_guid=router['guid'], partitions_guids=[])
        router['disks_guids'].append(guid)
        return guid

    def add_partition(self, disk_guid, offset, size, roles=(), mountpoint=None):
        guid = new_guid()
        self.partitions[guid] = dict(guid=guid, offset=offset, size=size, roles=list(roles),
                                     mountpoint=mountpoint, state='OK', filesystem='ext4',
                                     aliases=[], disk_guid=disk_guid, storagedrivers_guids=[], usage=[])
        self.disks[disk_guid]['partitions_guids'].append(guid)
        return guid

    def add_albabackend(self, name, presets=None, scaling='LOCAL', domains=()):
        backend_guid = new_guid()
        guid = new_guid()
        self.backends[backend_guid] = dict(guid=backend_guid, name=name, status='RUNNING',
                                           regular_domains=list(domains), alba_backend_guid=guid)
        self.albabackends[guid] = dict(
            guid=guid, name=name, backend_guid=backend_guid, scaling=scaling, alba_id='alba-' + name,
            available=True, osds_guids=[], linked_backend_guids=[],
            presets=presets if presets is not None else [
                dict(name='default', compression='snappy', fragment_encryption=['none'], fragment_size=1048576,
                     is_available=True, is_default=True, in_use=False,
                     policies=['(5, 4, 8, 3)', '(2, 2, 3, 4)'])],
            usages=dict(free=100, size=200, used=100))
        return guid

    # ---------------------------------------------------------------- dynamics
    def router_partitions(self, router):
        """(disk, partition, role) of every role of the storage router's partitions."""
        for disk_guid in router['disks_guids']:
            for part_guid in self.disks[disk_guid]['partitions_guids']:
                for role in self.partitions[part_guid]['roles']:
                    yield self.disks[disk_guid], self.partitions[part_guid], role

    def partition_config(self, router):
        config = dict((role, []) for role in ROLES)
        for dummy, partition, role in self.router_partitions(router):
            config[role].append(partition['guid'])
        return config

    def metadata(self, router):
        """The result of get_metadata (the emulator's disks.get_metadata): no role in use, every partition's whole
        size available."""
        partitions = dict((role, []) for role in ROLES)
        for disk, partition, role in self.router_partitions(router):
            partitions[role].append(dict(ssd=disk['is_ssd'], guid=partition['guid'], size=partition['size'],
                                         in_use=False, usable=partition['size'] >= 1024 ** 3,
                                         available=partition['size'], mountpoint=partition['mountpoint'],
                                         storagerouter_guid=router['guid']))
        return dict(partitions=partitions, ipaddresses=[router['ip']], scrub_available=True)

    def router_view(self, router):
        view = dict(router)
        view['partition_config'] = self.partition_config(router)
        view['vpools_guids'] = sorted(set(sd['vpool_guid'] for sd in self.storagedrivers.values()
                                          if sd['storagerouter_guid'] == router['guid']))
        view['storagedrivers_guids'] = [sd['guid'] for sd in self.storagedrivers.values()
                                        if sd['storagerouter_guid'] == router['guid']]
        return view

    def vpool_view(self, vpool):
        view = dict(vpool)
        view['storagedrivers_guids'] = [sd['guid'] for sd in self.storagedrivers.values()
                                        if sd['vpool_guid'] == vpool['guid']]
        view['vdisks_guids'] = [v['guid'] for v in self.vdisks.values() if v['vpool_guid'] == vpool['guid']]
        view['storagerouters_guids'] = [sd['storagerouter_guid'] for sd in self.storagedrivers.values()
                                        if sd['vpool_guid'] == vpool['guid']]
        return view

    # ---------------------------------------------------------------- tasks
    def task(self, function, *args):
        task_id = new_guid()
        try:
            result = function(*args)
            state = dict(status='SUCCESS', successful=True, failed=False, ready=True, result=result)
        except RuntimeError as exc:
            state = dict(status='FAILURE', successful=False, failed=True, ready=True, result=str(exc))
        self.tasks[task_id] = [state]
        return task_id

    # ---------------------------------------------------------------- framework logic
    def backend_metadata(self, backend_info, connection_info, sco_size):
        """The framework's ``backend_info`` of a vPool's metadata (vpool installer _refresh_backend_metadata)."""
        alba_backend = self.backend_of(backend_info, connection_info)
        presets = dict((p['name'], p) for p in alba_backend['presets'])
        if backend_info['preset'] not in presets:
            raise RuntimeError('Given preset {0} is not available in backend {1}'.format(
                backend_info['preset'], alba_backend['name']))
        preset = presets[backend_info['preset']]
        return dict(backend_info, name=alba_backend['name'], scaling=alba_backend['scaling'],
                    policies=[json.loads('[{0}]'.format(p.strip('()'))) for p in preset['policies']],
                    sco_size=sco_size * 1024.0 ** 2, frag_size=float(preset['fragment_size']),
                    total_size=float(alba_backend['usages']['size']), backend_guid=alba_backend['backend_guid'],
                    connection_info=connection_info)

    def backend_of(self, backend_info, connection_info):
        """The ALBA backend of ``backend_info``: of this cluster, or of the other cluster whose API
        ``connection_info`` names (not ``local``; emulator vpool_backends.backend_dict)."""
        info = connection_info or {}
        if info.get('local') or not info.get('host'):
            return self.albabackends[backend_info['alba_backend_guid']]
        remote = self.remotes[(info['host'], info['port'])]
        if remote.clients.get(info['client_id']) != info['client_secret']:
            raise RuntimeError("Status code: 400 - Error: Invalid client (invalid_client)'.")
        return remote.albabackends[backend_info['alba_backend_guid']]

    def caching_metadata(self, params, sco_size):
        """``caching_info`` of one storage router in a vPool's metadata (vpool installer refresh_metadata)."""
        caching = params.get('caching_info') or {}
        info = {}
        for cache, suffix in (('block_cache', 'bc'), ('fragment_cache', 'fc')):
            backend_info = params.get('backend_info_' + suffix)
            info[cache] = dict(read=caching.get(cache + '_on_read', False),
                               write=caching.get(cache + '_on_write', False),
                               quota=caching.get('cache_quota_' + suffix), is_backend=backend_info is not None)
            if backend_info is not None:
                if backend_info['alba_backend_guid'] == params['backend_info']['alba_backend_guid']:
                    raise RuntimeError('Backend and {0} backend cannot be the same'.format(cache.replace('_', ' ')))
                info[cache]['backend_info'] = self.backend_metadata(backend_info, params['connection_info_' + suffix],
                                                                    sco_size)
        return info

    def add_vpool(self, router, params):
        name = params['vpool_name']
        vpool = [v for v in self.vpools.values() if v['name'] == name]
        if vpool:
            vpool = vpool[0]
            if any(sd['storagerouter_guid'] == router['guid'] for sd in self.storagedrivers.values()
                   if sd['vpool_guid'] == vpool['guid']):
                raise RuntimeError('vPool {0} has already been extended to StorageRouter {1}'.format(
                    name, router['name']))
        else:
            guid = new_guid()
            config = params['config_params']
            vpool = dict(guid=guid, name=name, status='RUNNING', description='',
                         configuration=dict(sco_size=config['sco_size'], cluster_size=config['cluster_size'],
                                            dtl_mode=config['dtl_mode'], dtl_transport=config['dtl_transport'],
                                            write_buffer=config['write_buffer'],
                                            dtl_enabled=config['dtl_mode'] != 'no_sync',
                                            mds_config=dict(mds_safety=params['mds_config_params']['mds_safety'],
                                                            mds_tlogs=params['mds_config_params']['mds_tlogs'],
                                                            mds_maxload=params['mds_config_params']['mds_maxload'])),
                         metadata=dict(backend=dict(backend_info=self.backend_metadata(
                             params['backend_info'], params['connection_info'], config['sco_size'])), caching_info={}))
        caching = self.caching_metadata(params, vpool.get('configuration', {}).get('sco_size') or
                                        params['config_params']['sco_size'])
        if vpool['guid'] not in self.vpools:
            self.vpools[vpool['guid']] = vpool
        vpool['metadata']['caching_info'][router['guid']] = caching
        sd_guid = new_guid()
        self.storagedrivers[sd_guid] = dict(
            guid=sd_guid, vpool_guid=vpool['guid'], storagerouter_guid=router['guid'],
            storagedriver_id=name + router['machine_id'], mountpoint='/mnt/' + name,
            storage_ip=params['storage_ip'], cluster_ip=router['ip'], status='RUNNING',
            ports=dict(management=26200, xmlrpc=26201, dtl=26202, edge=26203))
        return True

class StorageHandler(Handler):

    def _api(self, method, path, query, body):
        ovs = self.ovs
        parts = [p for p in path.split('/') if p][1:]  # without 'api'
        data = json.loads(body) if body else {}
        kind = parts[0] if parts else ''
        guid = parts[1] if len(parts) > 1 else None
        action = parts[2] if len(parts) > 2 else None
        if method in ('POST', 'DELETE') and action != 'get_metadata':  # get_metadata reads
            ovs.posts.append((path, data))
        if kind == 'storagerouters':
            if method == 'GET' and guid is None:
                return self._list(sorted([ovs.router_view(r) for r in ovs.storagerouters], key=lambda r: r['name']),
                                  query)
            router = [r for r in ovs.storagerouters if r['guid'] == guid]
            if not router:
                return self._error(404, 'object_not_found', 'The requested object could not be found')
            router = router[0]
            if method == 'GET':
                return self._object(ovs.router_view(router), query)
            if action == 'get_metadata':
                return self._send(200, ovs.task(ovs.metadata, router))
            if action == 'add_vpool':
                if 'call_parameters' not in data:
                    return self._error(406, 'invalid_data', 'Invalid data passed: call_parameters is missing')
                return self._send(200, ovs.task(ovs.add_vpool, router, data['call_parameters']))
        if kind == 'backends' and method == 'GET':
            return self._one_or_list(list(ovs.backends.values()), guid, query)
        if parts[:2] == ['alba', 'backends'] and method == 'GET':
            guid = parts[2] if len(parts) > 2 else None
            return self._one_or_list(list(ovs.albabackends.values()), guid, query)
        if kind == 'vpools':
            if method == 'GET':
                return self._one_or_list([ovs.vpool_view(v) for v in ovs.vpools.values()], guid, query)
        if kind == 'storagedrivers' and method == 'GET':
            items = list(ovs.storagedrivers.values())
            if 'vpool_guid' in query:
                items = [sd for sd in items if sd['vpool_guid'] == query['vpool_guid']]
            return self._one_or_list(items, guid, query)
        if kind == 'vdisks' and method == 'GET':
            items = [v for v in ovs.vdisks.values() if v['vpool_guid'] == query.get('vpoolguid', v['vpool_guid'])]
            return self._one_or_list(items, guid, query)
        return Handler._api(self, method, path, query, body)

    def _one_or_list(self, items, guid, query):
        if guid is None:
            return self._list(sorted(items, key=lambda i: i.get('name') or i.get('offset') or 0), query)
        for item in items:
            if item['guid'] == guid:
                return self._object(item, query)
        return self._error(404, 'object_not_found', 'The requested object could not be found')


class StorageApiServer(FakeApiServer):
    """FakeApiServer with the storage objects (same TLS, token and task handling)."""

    def __init__(self, directory, host='127.0.0.1'):
        super(StorageApiServer, self).__init__(directory, ovs=StorageOvs(), handler=StorageHandler, host=host)

    def add_remote(self, server):
        """Another cluster (a StorageApiServer on another host) whose backends a vPool's caches can use."""
        self.ovs.remotes[(server.host, server.port)] = server.ovs

    def post_paths(self):
        return [p for p, dummy in self.ovs.posts]
