# -*- coding: utf-8 -*-
"""Fake framework API for the storage modules: disks, partitions, domains, backends, vPools, vDisks.

Built on fake_ovs_api (token, headers, paging, tasks) without changing it.  Shapes follow
shared/ovs-reference.md section 6 and the emulator (emulator/src/ovs_emulator/webapi/views.py,
disks.py): storage routers carry the dynamics ``partition_config``, ``regular_domains``,
``recovery_domains``; domains ``storage_router_layout``; actions answer a task id that is
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
        self.domains = {}
        self.sr_domains = []  # {storagerouter_guid, domain_guid, backup}
        self.backends = {}  # backend: {guid, name, regular_domains}
        self.albabackends = {}
        self.vpools = {}
        self.storagedrivers = {}
        self.vdisks = {}
        self.posts = []  # (path, body) of every authenticated POST / DELETE
        self.fail_next_task = None
        self.remotes = {}  # (host, port): StorageOvs of another cluster (GeoScale cache backends)

    # ---------------------------------------------------------------- set-up helpers
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

    def add_partition(self, disk_guid, offset, size, roles=(), mountpoint=None, used_by=()):
        guid = new_guid()
        self.partitions[guid] = dict(guid=guid, offset=offset, size=size, roles=list(roles),
                                     mountpoint=mountpoint, state='OK', filesystem='ext4',
                                     aliases=[], disk_guid=disk_guid,
                                     storagedrivers_guids=list(used_by and [new_guid()] or []),
                                     usage=[dict(type='storagedriver', role=r) for r in used_by])
        self.disks[disk_guid]['partitions_guids'].append(guid)
        return guid

    def add_domain(self, name):
        guid = new_guid()
        self.domains[guid] = dict(guid=guid, name=name)
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
    def partition_config(self, router):
        config = dict((role, []) for role in ROLES)
        for disk_guid in router['disks_guids']:
            for part_guid in self.disks[disk_guid]['partitions_guids']:
                for role in self.partitions[part_guid]['roles']:
                    config[role].append(part_guid)
        return config

    def router_view(self, router):
        view = dict(router)
        view['partition_config'] = self.partition_config(router)
        view['regular_domains'] = [j['domain_guid'] for j in self.sr_domains
                                   if j['storagerouter_guid'] == router['guid'] and not j['backup']]
        view['recovery_domains'] = [j['domain_guid'] for j in self.sr_domains
                                    if j['storagerouter_guid'] == router['guid'] and j['backup']]
        view['vpools_guids'] = sorted(set(sd['vpool_guid'] for sd in self.storagedrivers.values()
                                          if sd['storagerouter_guid'] == router['guid']))
        view['storagedrivers_guids'] = [sd['guid'] for sd in self.storagedrivers.values()
                                        if sd['storagerouter_guid'] == router['guid']]
        return view

    def domain_view(self, domain):
        view = dict(domain)
        junctions = [j for j in self.sr_domains if j['domain_guid'] == domain['guid']]
        view['storage_router_layout'] = dict(regular=[j['storagerouter_guid'] for j in junctions if not j['backup']],
                                             recovery=[j['storagerouter_guid'] for j in junctions if j['backup']])
        view['storagerouters_guids'] = [j['guid'] for j in junctions]
        view['backends_guids'] = [b['guid'] for b in self.backends.values() if domain['guid'] in b['regular_domains']]
        return view

    def vpool_view(self, vpool):
        view = dict(vpool)
        view['storagedrivers_guids'] = [sd['guid'] for sd in self.storagedrivers.values()
                                        if sd['vpool_guid'] == vpool['guid']]
        view['vdisks_guids'] = [v['guid'] for v in self.vdisks.values() if v['vpool_guid'] == vpool['guid']]
        view['storagerouters_guids'] = [sd['storagerouter_guid'] for sd in self.storagedrivers.values()
                                        if sd['vpool_guid'] == vpool['guid']]
        return view

    def vdisk_view(self, vdisk):
        view = dict(vdisk)
        view['child_vdisks_guids'] = [v['guid'] for v in self.vdisks.values() if v.get('parent_vdisk_guid') == vdisk['guid']]
        return view

    # ---------------------------------------------------------------- tasks
    def task(self, function, *args):
        task_id = new_guid()
        try:
            if self.fail_next_task:
                text, self.fail_next_task = self.fail_next_task, None
                raise RuntimeError(text)
            result = function(*args)
            state = dict(status='SUCCESS', successful=True, failed=False, ready=True, result=result)
        except RuntimeError as exc:
            state = dict(status='FAILURE', successful=False, failed=True, ready=True, result=str(exc))
        self.tasks[task_id] = [state]
        return task_id

    # ---------------------------------------------------------------- framework logic
    def configure_disk(self, router, data):
        roles = data['roles']
        for role in roles:
            if role not in ROLES or role == 'BACKEND':
                raise RuntimeError('Invalid role specified: {0}'.format(role))
        disk = self.disks[data['disk_guid']]
        for role in ('DB', 'DTL'):
            if role in roles:
                for holder in self.partition_config(router)[role]:
                    if holder != data.get('partition_guid'):
                        raise RuntimeError('Disk {0} cannot have the {1} role due to presence on disk {2}'.format(
                            disk['name'], role, self.disks[self.partitions[holder]['disk_guid']]['name']))
        if data.get('partition_guid'):
            partition = self.partitions[data['partition_guid']]
            removed = set(partition['roles']) - set(roles)
            used = sorted(removed & set(u['role'] for u in partition['usage']))
            if used:
                raise RuntimeError('Roles in use cannot be removed. Used roles: {0}'.format(', '.join(used)))
        else:
            partition = self.partitions[self.add_partition(disk['guid'], data['offset'], data['size'])]
        partition['roles'] = list(roles)
        partition['mountpoint'] = partition['mountpoint'] or '/mnt/{0}{1}'.format(
            'ssd' if disk['is_ssd'] else 'hdd', len(self.partitions))
        return None

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

    def shrink_vpool(self, vpool, router_guid):
        drivers = [sd for sd in self.storagedrivers.values()
                   if sd['vpool_guid'] == vpool['guid'] and sd['storagerouter_guid'] == router_guid]
        if not drivers:
            raise RuntimeError('StorageRouter is not part of the vPool')
        if any(v['storagerouter_guid'] == router_guid for v in self.vdisks.values() if v['vpool_guid'] == vpool['guid']):
            raise RuntimeError('There are still vDisks served from the given StorageDriver')
        del self.storagedrivers[drivers[0]['guid']]
        if not any(sd['vpool_guid'] == vpool['guid'] for sd in self.storagedrivers.values()):
            del self.vpools[vpool['guid']]
        return None

    def create_vdisk(self, data, parent=None, snapshot_id=None):
        if any(v['name'] == data['name'] and v['vpool_guid'] == data['vpool_guid'] for v in self.vdisks.values()):
            raise RuntimeError('A vDisk with this name already exists on vPool {0}'.format(
                self.vpools[data['vpool_guid']]['name']))
        if data['size'] > 64 * 1024 ** 4:
            raise RuntimeError('Maximum volume size of 64TiB exceeded')
        guid = new_guid()
        self.vdisks[guid] = dict(guid=guid, name=data['name'], size=data['size'], devicename='/{0}.raw'.format(data['name']),
                                 vpool_guid=data['vpool_guid'], storagerouter_guid=data['storagerouter_guid'],
                                 snapshots=[], dtl_status='ok_standalone', parent_vdisk_guid=parent,
                                 parentsnapshot=snapshot_id)
        return guid


class StorageHandler(Handler):

    def _api(self, method, path, query, body):
        ovs = self.ovs
        parts = [p for p in path.split('/') if p][1:]  # without 'api'
        data = json.loads(body) if body else {}
        if method in ('POST', 'DELETE'):
            ovs.posts.append((path, data))
        kind = parts[0] if parts else ''
        guid = parts[1] if len(parts) > 1 else None
        action = parts[2] if len(parts) > 2 else None
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
            if action == 'configure_disk':
                for name in ('disk_guid', 'offset', 'size', 'roles'):
                    if name not in data:
                        return self._error(406, 'invalid_data', 'Invalid data passed: {0} is missing'.format(name))
                return self._send(200, ovs.task(ovs.configure_disk, router, data))
            if action == 'add_vpool':
                if 'call_parameters' not in data:
                    return self._error(406, 'invalid_data', 'Invalid data passed: call_parameters is missing')
                return self._send(200, ovs.task(ovs.add_vpool, router, data['call_parameters']))
        if kind == 'disks' and method == 'GET':
            items = list(ovs.disks.values())
            if 'storagerouterguid' in query:
                items = [d for d in items if d['storagerouter_guid'] == query['storagerouterguid']]
            return self._one_or_list(items, guid, query)
        if kind == 'diskpartitions' and method == 'GET':
            items = list(ovs.partitions.values())
            if 'diskguid' in query:
                items = [p for p in items if p['disk_guid'] == query['diskguid']]
            return self._one_or_list(items, guid, query)
        if kind == 'domains' and method == 'GET':
            return self._one_or_list([ovs.domain_view(d) for d in ovs.domains.values()], guid, query)
        if kind == 'backends' and method == 'GET':
            return self._one_or_list(list(ovs.backends.values()), guid, query)
        if parts[:2] == ['alba', 'backends'] and method == 'GET':
            guid = parts[2] if len(parts) > 2 else None
            return self._one_or_list(list(ovs.albabackends.values()), guid, query)
        if kind == 'vpools':
            vpool = ovs.vpools.get(guid)
            if method == 'POST' and vpool and action == 'shrink_vpool':
                if 'storagerouter_guid' not in data:
                    return self._error(406, 'invalid_data', 'Invalid data passed: storagerouter_guid is missing')
                return self._send(200, ovs.task(ovs.shrink_vpool, vpool, data['storagerouter_guid']))
            if method == 'GET':
                return self._one_or_list([ovs.vpool_view(v) for v in ovs.vpools.values()], guid, query)
        if kind == 'storagedrivers' and method == 'GET':
            items = list(ovs.storagedrivers.values())
            if 'vpool_guid' in query:
                items = [sd for sd in items if sd['vpool_guid'] == query['vpool_guid']]
            return self._one_or_list(items, guid, query)
        if kind == 'vdisks':
            return self._vdisks(method, guid, action, query, data)
        return Handler._api(self, method, path, query, body)

    def _vdisks(self, method, guid, action, query, data):
        ovs = self.ovs
        if method == 'GET':
            items = [ovs.vdisk_view(v) for v in ovs.vdisks.values()]
            if 'vpoolguid' in query:
                items = [v for v in items if v['vpool_guid'] == query['vpoolguid']]
            return self._one_or_list(items, guid, query)
        if method == 'POST' and guid is None:
            for name in ('name', 'size', 'vpool_guid', 'storagerouter_guid'):
                if name not in data:
                    return self._error(406, 'invalid_data', 'Invalid data passed: {0} is missing'.format(name))
            return self._send(200, ovs.task(ovs.create_vdisk, data))
        vdisk = ovs.vdisks.get(guid)
        if vdisk is None:
            return self._error(404, 'object_not_found', 'The requested object could not be found')
        if action == 'extend':
            def extend():
                if data['new_size'] < vdisk['size']:
                    raise RuntimeError('Shrinking is not possible')
                vdisk['size'] = data['new_size']
            return self._send(200, ovs.task(extend))
        if action == 'create_snapshot':
            def snap():
                sid = new_guid()
                vdisk['snapshots'].append(dict(guid=sid, label=data['name'], timestamp='1700000000',
                                               is_consistent=False, is_automatic=False, is_sticky=False,
                                               in_backend=True, stored=0))
                return sid
            return self._send(200, ovs.task(snap))
        if action == 'remove_snapshot':
            def remove():
                vdisk['snapshots'] = [s for s in vdisk['snapshots'] if s['guid'] != data['snapshot_id']]
            return self._send(200, ovs.task(remove))
        if action == 'clone':
            def clone():
                new = ovs.create_vdisk(dict(name=data['name'], size=vdisk['size'], vpool_guid=vdisk['vpool_guid'],
                                            storagerouter_guid=data['storagerouter_guid']),
                                       parent=vdisk['guid'], snapshot_id=data.get('snapshot_id'))
                return dict(vdisk_guid=new, name=data['name'], backingdevice='/{0}.raw'.format(data['name']))
            return self._send(200, ovs.task(clone))
        if action == 'move':
            def move():
                target = data['target_storagerouter_guid']
                vpool = ovs.vpools[vdisk['vpool_guid']]
                if target not in [d['storagerouter_guid'] for d in ovs.storagedrivers.values()
                                  if d['vpool_guid'] == vpool['guid']]:
                    raise RuntimeError('Failed to find the matching StorageDriver for vdisk {0}'.format(vdisk['name']))
                vdisk['storagerouter_guid'] = target
            return self._send(200, ovs.task(move))
        if action == 'delete' or method == 'DELETE':
            def delete():
                if any(v.get('parent_vdisk_guid') == guid for v in ovs.vdisks.values()):
                    raise RuntimeError('vDisk {0} has clones, cannot delete'.format(vdisk['name']))
                del ovs.vdisks[guid]
            return self._send(200, ovs.task(delete))
        return self._error(404, 'not_found', 'Not found')

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
