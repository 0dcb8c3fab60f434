# -*- coding: utf-8 -*-
"""The fake HTTPS API of fake_ovs_api.py plus the ALBA backends of the plugin, for what needs two clusters: the
GeoScale links of alba_backend (test_alba_backend_geoscale.py). Every other ALBA test runs against the emulator
(emulator_api.py, emulator_alba.py).

Answers have the shapes of the emulator (emulator/src/ovs_emulator/webapi/alba.py, views.py) and of
the framework-alba-plugin (albabackends.py, ovs/lib/alba.py): presets render ``policies`` as
``"(k, m, c, x)"`` strings with ``is_available`` and ``policy_metadata``; actions answer a task id whose
state is final at once (the work is done in the request).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import uuid

from ansible_collections.openvstorage.hyperscale.tests.unit.fake_ovs_api import (
    TASK_SUCCESS,
    FakeApiServer,
    FakeOvs,
    Handler,
    task_failure,
)

OBJECT_CHECKSUM = {'allowed': [['none'], ['sha-1'], ['crc-32c']], 'default': ['crc-32c'], 'verify_upload': True}
DEFAULT_PRESET = {'policies': [[5, 4, 8, 3], [2, 2, 3, 4]], 'fragment_size': 1048576, 'osds': ['all'],
                  'compression': 'snappy', 'fragment_checksum': ['crc-32c'], 'object_checksum': OBJECT_CHECKSUM,
                  'fragment_encryption': ['none']}
# ExtensionsToolbox.regex_ip (framework-extensions), the rule of backend_connection_info.host
REGEX_IP = re.compile(r'^(((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))$')
INSTALL_POLLS = 1  # status reads of a new backend before it is RUNNING
ALBA_TYPE_GUID = 'a1b2c3d4-0000-5000-8000-0000000a1ba0'


def guid():
    return str(uuid.uuid4())


class FakeAlbaOvs(FakeOvs):
    def __init__(self):
        super(FakeAlbaOvs, self).__init__()
        self.backendtypes = [{'guid': ALBA_TYPE_GUID, 'name': 'ALBA', 'code': 'alba'}]
        self.backends = {}       # guid -> {guid, name, status, backend_type_guid}
        self.albabackends = {}   # guid -> internal state
        self.calls = []          # (method, path, body) of every POST/DELETE
        self.remotes = {}        # (host, port) -> FakeAlbaOvs of another cluster (GeoScale links)
        self.down = False        # set when its server stops (a remote cluster that cannot be reached)

    def add_remote(self, server):
        """Another cluster (a FakeAlbaApiServer on another host) whose backends links can name."""
        self.remotes[(server.host, server.port)] = server.ovs

    # -------------------------------------------------------------- helpers for tests
    def make_backend(self, name, scaling='LOCAL'):
        """A backend as after create + add_cluster; returns the alba backend guid."""
        backend = {'guid': guid(), 'name': name, 'status': 'RUNNING', 'backend_type_guid': ALBA_TYPE_GUID}
        self.backends[backend['guid']] = backend
        alba_backend = {'guid': guid(), 'backend_guid': backend['guid'], 'scaling': scaling, 'alba_id': guid(),
                        'osds_guids': [], 'linked_backend_guids': [], 'link_metadata': {}, 'polls': 0,
                        'presets': {}, 'default_preset': None, 'osds_per_node': {}}
        self._initialise(alba_backend)
        self.albabackends[alba_backend['guid']] = alba_backend
        return alba_backend['guid']

    def posts(self, prefix=''):
        return [c for c in self.calls if c[0] in ('POST', 'DELETE') and c[1].startswith(prefix)]

    # ------------------------------------------------------------------- internals
    @staticmethod
    def _initialise(alba_backend):
        alba_backend['alba_id'] = alba_backend['alba_id'] or guid()
        alba_backend['presets']['default'] = {'preset': json.loads(json.dumps(DEFAULT_PRESET)), 'version': 0,
                                              'in_use': False}
        alba_backend['default_preset'] = 'default'

    def render_backend(self, backend):
        alba_backend = next((ab for ab in self.albabackends.values() if ab['backend_guid'] == backend['guid']), None)
        alba_guid = alba_backend['guid'] if alba_backend else None
        return dict(backend, linked_guid=alba_guid, alba_backend_guid=alba_guid,
                    available=bool(alba_backend and alba_backend['alba_id'] and backend['status'] == 'RUNNING'),
                    regular_domains=[], access_rights={'users': {}, 'clients': {}},
                    live_status='running' if backend['status'] != 'FAILURE' else 'failure', domains_guids=[])

    def render_presets(self, alba_backend):
        if not alba_backend['alba_id']:
            return []
        result = []
        for name in sorted(alba_backend['presets']):
            stored = alba_backend['presets'][name]
            preset = stored['preset']
            entry = {'name': name, 'policies': None, 'is_default': alba_backend['default_preset'] == name}
            entry.update((k, preset[k]) for k in ('fragment_size', 'osds', 'compression', 'fragment_checksum',
                                                  'object_checksum', 'fragment_encryption'))
            entry.update(in_use=stored['in_use'], version=stored['version'], is_available=False)
            metadata = {}
            for policy in [tuple(p) for p in preset['policies']]:
                available = sum(min(count, policy[3]) for count in alba_backend['osds_per_node'].values())
                metadata[str(policy)] = {'is_active': False, 'in_use': False, 'is_available': available >= policy[2]}
                entry['is_available'] |= available >= policy[2]
            entry['policies'] = [str(tuple(p)) for p in preset['policies']]
            entry['policy_metadata'] = metadata
            result.append(entry)
        return result

    def render_alba_backend(self, alba_backend):
        backend = self.backends[alba_backend['backend_guid']]
        return {'guid': alba_backend['guid'], 'alba_id': alba_backend['alba_id'], 'scaling': alba_backend['scaling'],
                'backend_guid': backend['guid'], 'osds_guids': list(alba_backend['osds_guids']),
                'abm_cluster_guid': None, 'nsm_clusters_guids': [], 'name': backend['name'],
                'available': bool(alba_backend['alba_id']) and backend['status'] == 'RUNNING',
                'presets': self.render_presets(alba_backend), 'usages': {'free': 0.0, 'size': 0.0, 'used': 0.0},
                'local_stack': {}, 'local_summary': {'devices': {'green': 0, 'orange': 0, 'red': 0, 'gray': 0}},
                # the framework's linked_backend_guids: recursive, and the backend itself
                'linked_backend_guids': sorted(set([alba_backend['guid']] + alba_backend['linked_backend_guids'])),
                'remote_stack': self.remote_stack(alba_backend),
                'statistics': {}, 'ns_data': [], 'osd_statistics': {}, 'live_status': 'running'}

    def remote_stack(self, alba_backend):
        """AlbaBackend._remote_stack: per linked backend guid, its name, preset, osd id, whether the host of the
        link is a storage router of this cluster (``local_ip``: here, whether it is not another fake cluster) and
        that host (``remote_host``), and the local summary the linked cluster gives."""
        remote_hosts = set(host for host, dummy in self.remotes)
        result = {}
        for linked_guid, (dummy, metadata) in alba_backend['link_metadata'].items():
            info = metadata['backend_info']
            host = metadata['backend_connection_info']['host']
            result[linked_guid] = {'name': info['linked_name'], 'error': '', 'domain': None,
                                   'preset': info['linked_preset'], 'osd_id': info['linked_alba_id'],
                                   'local_ip': host not in remote_hosts, 'remote_host': host,
                                   'live_status': 'running',
                                   'devices': {'green': 0, 'orange': 0, 'red': 0, 'gray': 0},
                                   'sizes': {'size': 0, 'used': 0}}
            result[linked_guid].update(self.remote_error(metadata['backend_connection_info'], linked_guid))
        return result

    def remote_error(self, connection, linked_guid):
        """What _load_backend_info of the real _remote_stack sets when the linked cluster's API fails: ``unknown``
        (not reachable), ``not_allowed`` (HttpForbiddenException), ``backend_deleted`` (HttpNotFoundException)."""
        remote = self.remotes.get((connection['host'], connection['port']))
        if remote is None:
            return {}
        if remote.down:
            return {'error': 'unknown', 'live_status': 'unknown'}
        if remote.clients.get(connection.get('client_id')) != connection.get('client_secret'):
            return {'error': 'not_allowed', 'live_status': 'unknown'}
        if linked_guid not in remote.albabackends:
            return {'error': 'backend_deleted', 'live_status': 'failure'}
        return {}

    def linked_cluster(self, connection):
        """The FakeAlbaOvs that ``backend_connection_info`` reaches (OVSClient.get_instance with client_id and
        client_secret): this one, or another cluster whose API client the credentials must be."""
        remote = self.remotes.get((connection['host'], connection['port']))
        if remote is None:
            return self
        if remote.clients.get(connection.get('client_id')) != connection.get('client_secret'):
            raise RuntimeError('Could not load metadata from environment {0}'.format(connection['host']))
        return remote


class AlbaHandler(Handler):

    def _task(self, function):
        task_id = guid()
        try:
            result = function()
            state = dict(TASK_SUCCESS, result=result)
        except (RuntimeError, ValueError) as exc:
            state = task_failure(str(exc))
        self.ovs.tasks[task_id] = [state]
        return self._send(200, task_id)

    def _missing(self, data, *names):
        for name in names:
            if name not in data:
                self._error(406, 'invalid_data', 'Invalid data passed: {0} is missing'.format(name))
                return True
        return False

    def _not_found(self):
        return self._error(404, 'object_not_found', 'The requested object could not be found')

    def _api(self, method, path, query, body):
        ovs = self.ovs
        data = json.loads(body) if body else {}
        if method != 'GET':
            with ovs.lock:
                ovs.calls.append((method, path, data))
        parts = [p for p in path.split('/') if p][1:]  # without 'api'
        with ovs.lock:
            handled = self._alba(method, parts, query, data)
        if handled is not NotImplemented:
            return handled
        return Handler._api(self, method, path, query, body)

    def _alba(self, method, parts, query, data):
        ovs = self.ovs
        if parts == ['backendtypes'] and method == 'GET':
            return self._list(ovs.backendtypes, query)
        if parts == ['backends'] and method == 'GET':
            return self._list([ovs.render_backend(b) for b in ovs.backends.values()], query)
        if parts == ['backends'] and method == 'POST':
            if self._missing(data, 'name', 'backend_type_guid'):
                return None
            if any(b['name'] == data['name'] for b in ovs.backends.values()):
                return self._error(406, 'duplicate', 'Backend with this name already exists')
            backend = {'guid': guid(), 'name': data['name'], 'status': 'INSTALLING',
                       'backend_type_guid': data['backend_type_guid']}
            ovs.backends[backend['guid']] = backend
            return self._send(201, ovs.render_backend(backend))
        if len(parts) == 2 and parts[0] == 'backends' and method == 'GET':
            backend = ovs.backends.get(parts[1])
            if backend is None:
                return self._not_found()
            alba_backend = next((ab for ab in ovs.albabackends.values() if ab['backend_guid'] == backend['guid']),
                                None)
            if alba_backend is not None and backend['status'] == 'INSTALLING':
                alba_backend['polls'] += 1
                if alba_backend['polls'] > INSTALL_POLLS:
                    backend['status'] = 'RUNNING'
                    ovs._initialise(alba_backend)
            return self._object(ovs.render_backend(backend), query)
        if parts[:2] == ['alba', 'backends']:
            return self._alba_backends(method, parts[2:], query, data)
        return NotImplemented

    def _alba_backends(self, method, rest, query, data):
        ovs = self.ovs
        if not rest and method == 'GET':
            return self._list([ovs.render_alba_backend(ab) for ab in ovs.albabackends.values()], query)
        if not rest and method == 'POST':
            if self._missing(data, 'backend_guid'):
                return None
            scaling = data.get('scaling', 'LOCAL')
            if scaling not in ('LOCAL', 'GLOBAL'):
                return self._error(406, 'invalid_data', 'Invalid data passed: scaling should be one of LOCAL, GLOBAL')
            backend = ovs.backends.get(data['backend_guid'])
            if backend is None:
                return self._not_found()
            if any(ab['backend_guid'] == backend['guid'] for ab in ovs.albabackends.values()):
                return self._error(406, 'duplicate', 'An ALBA Backend already exists for this Backend')
            alba_backend = {'guid': guid(), 'backend_guid': backend['guid'], 'scaling': scaling, 'alba_id': None,
                            'osds_guids': [], 'linked_backend_guids': [], 'link_metadata': {}, 'polls': 0,
                            'presets': {}, 'default_preset': None, 'osds_per_node': {}}
            ovs.albabackends[alba_backend['guid']] = alba_backend
            backend['status'] = 'INSTALLING'
            return self._send(201, ovs.render_alba_backend(alba_backend))
        alba_backend = ovs.albabackends.get(rest[0])
        if alba_backend is None:
            return self._not_found()
        if len(rest) == 1 and method == 'GET':
            return self._object(ovs.render_alba_backend(alba_backend), query)
        action = rest[1] if len(rest) == 2 else None
        if method != 'POST' or action is None:
            return NotImplemented
        if action == 'link_alba_backends':
            if self._missing(data, 'metadata'):
                return None
            if 'backend_connection_info' not in data['metadata']:
                return self._error(406, 'invalid_data', 'Invalid metadata passed')
            return self._task(lambda: self._link(alba_backend, data['metadata']))
        if action == 'unlink_alba_backends':
            if self._missing(data, 'linked_guid'):
                return None
            return self._task(lambda: self._unlink(alba_backend, data['linked_guid']))
        return NotImplemented

    # ------------------------------------------------- tasks (framework behaviour)
    def _link(self, alba_backend, metadata):
        info = metadata.get('backend_info') or {}
        connection = metadata['backend_connection_info']
        for key in ('host', 'port', 'username', 'password'):
            if key not in connection:
                raise RuntimeError('Missing required param "{0}"'.format(key))
        for key in ('linked_guid', 'linked_name', 'linked_preset', 'linked_alba_id'):
            if key not in info:
                raise RuntimeError('Missing required param "{0}"'.format(key))
        if connection['host'] and not REGEX_IP.match(str(connection['host'])):
            # verify_required_params of link_alba_backends (the API view fills in an empty host)
            raise RuntimeError('Mandatory param "host" with value "{0}" does not match regex "{1}"'.format(
                connection['host'], REGEX_IP.pattern))
        cluster = self.ovs.linked_cluster(connection)
        linked = cluster.albabackends.get(info['linked_guid'])
        if linked is None:
            raise RuntimeError('Could not load metadata from environment {0}'.format(connection['host']))
        presets = [p for p in cluster.render_presets(linked) if p['name'] == info['linked_preset']]
        if len(presets) != 1:
            raise RuntimeError('Could not locate preset {0}'.format(info['linked_preset']))
        if presets[0]['is_available'] is False:
            raise RuntimeError('Preset {0} is not available'.format(info['linked_preset']))
        if info['linked_guid'] not in alba_backend['linked_backend_guids']:
            alba_backend['linked_backend_guids'].append(info['linked_guid'])
            osd_guid = guid()
            alba_backend['osds_guids'].append(osd_guid)
            alba_backend['link_metadata'][info['linked_guid']] = (osd_guid, metadata)
        return True

    def _unlink(self, alba_backend, linked_guid):
        if linked_guid in alba_backend['linked_backend_guids']:
            alba_backend['linked_backend_guids'].remove(linked_guid)
            osd_guid, dummy = alba_backend['link_metadata'].pop(linked_guid)
            alba_backend['osds_guids'].remove(osd_guid)

class FakeAlbaApiServer(FakeApiServer):
    def __init__(self, directory, tls=True, host='127.0.0.1'):
        super(FakeAlbaApiServer, self).__init__(directory, tls=tls, ovs=FakeAlbaOvs(), handler=AlbaHandler, host=host)

    def stop(self):
        self.ovs.down = True
        super(FakeAlbaApiServer, self).stop()
