# -*- coding: utf-8 -*-
"""The emulated framework API (emulator/src/ovs_emulator.webapi) served in-process for the module tests.

One cluster is built once per test session by the emulator's own functions (``ovs_setup``'s cluster keys,
``model.create_admin``, ``model.storagerouter``, then its API for what only the API makes); every test gets
a copy of that configuration store, served over HTTPS on 127.0.0.1 (a throwaway self-signed certificate)
by ``ovs_emulator.webapi.make_server`` in a thread.  The emulator needs Python 3.9+.

The cluster: masters ctl01, ctl02, ctl03 (172.30.250.11-13), extra node cmp01 (172.30.250.21); user
admin/admin; cluster id ``CLUSTER_ID``; release Fargo (from the node's apt source).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat
import subprocess
import sys
import time

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsApiClient
from ansible_collections.openvstorage.hyperscale.tests.unit.fake_ovs_api import make_certificate
from ansible_collections.openvstorage.hyperscale.tests.unit.paths import REPO

EMULATOR_SRC = os.path.join(REPO, 'emulator', 'src')
EMULATOR_TESTS = os.path.join(REPO, 'emulator', 'tests')  # asd-systemctl.sh, the emulator tests' systemctl of the ASD manager
if EMULATOR_SRC not in sys.path:
    sys.path.insert(0, EMULATOR_SRC)

from ovs_emulator import actions, asd_setup, asdapi, disks, model, paths, store as store_module, system, workers  # noqa: E402
from ovs_emulator.alba.backends import create_alba_backend  # noqa: E402
from ovs_emulator.alba.nodes import volatile_node  # noqa: E402
from ovs_emulator.ovs_setup import NodeSetup  # noqa: E402
from ovs_emulator.store import MemoryStore  # noqa: E402
from ovs_emulator.webapi import make_server  # noqa: E402
from ovs_emulator.webapi.auth import RATELIMIT_ROOT  # noqa: E402

CLUSTER_ID = 'Cl0st3rId0123456'
# (name, ip, machine id, node type) of the storage routers, as `ovs setup` leaves them
ROUTERS = (('ctl01', '172.30.250.11', 'MaChInE0000000ct1', 'MASTER'),
           ('ctl02', '172.30.250.12', 'MaChInE0000000ct2', 'MASTER'),
           ('ctl03', '172.30.250.13', 'MaChInE0000000ct3', 'MASTER'),
           ('cmp01', '172.30.250.21', 'MaChInE0000000cp1', 'EXTRA'))
# (node id, API ip, name or None when not registered) of the ASD nodes whose `asd-manager setup` ran
ASD_NODES = (('aB3dE5fG7hJ9kL1m', '172.30.250.31', 'str01'),
             ('zZ3dE5fG7hJ9kL1m', '172.30.250.32', None))
APT_SOURCE = 'deb http://172.30.250.10/debian fargo main\n'
# the disks of ctl01 (the emulator's hardware.json); sdb carries its DB and WRITE partition
HARDWARE = {'disks': [{'name': 'sdb', 'size': 100 * 1024 ** 3, 'is_ssd': True, 'serial': 'SSD0001'},
                      {'name': 'sdc', 'size': 200 * 1024 ** 3, 'is_ssd': False, 'serial': 'HDD0002'},
                      {'name': 'sdd', 'size': 100 * 1024 ** 3, 'is_ssd': True, 'serial': 'SSD0003'}]}
# the storage cluster (build_storage): ctl01's hardware with sde (3 ASDs of acc1 on it)
STORAGE_HARDWARE = {'disks': HARDWARE['disks'] + [{'name': 'sde', 'size': 100 * 1024 ** 3, 'is_ssd': True,
                                                    'serial': 'SSD0004'}]}
# systemctl of the ASD manager (asdapi.make_server runs it): units started are files in $OVS_EMULATOR_ROOT/active
with open(os.path.join(EMULATOR_TESTS, 'asd-systemctl.sh')) as _handle:
    ASD_SYSTEMCTL = _handle.read()
# seconds between two polls of the node queues (ovs-workers) and of the ALBA status reads in tests
POLL = 0.02
# actions the framework serves as a POST but that change nothing (reads): not among EmulatorApi.writes()
READ_ACTIONS = ('/get_metadata/',)


class Systemd(object):
    """systemctl of the API node (ovs_emulator.system.systemctl): units started are active; a start of a
    unit in ``fail`` fails, as a unit that cannot start."""

    def __init__(self):
        self.active = set()
        self.fail = set()

    def __call__(self, *args):
        command, names = args[0], [a for a in args[1:] if not a.startswith('--')]
        code = 0
        for name in names:
            if command in ('start', 'restart'):
                if name in self.fail:
                    code = 1
                else:
                    self.active.add(name)
            elif command in ('stop', 'disable'):
                self.active.discard(name)
            elif command == 'is-active':
                code = 0 if name in self.active else 3
        return subprocess.CompletedProcess(['systemctl'] + list(args), code, '', 'failed' if code else '')


def fake_systemd(patch):
    """``patch`` (a pytest MonkeyPatch) replaces systemd of the emulator's node actions; the Systemd."""
    fake = Systemd()
    patch.setattr(system, 'systemctl', fake)
    patch.setattr(system, 'run_later', lambda seconds, *argv: True)
    return fake


def node_root(directory):
    """An emulator root (OVS_EMULATOR_ROOT) for the API process: ctl01's id, the OVS apt source, the packages."""
    for path, text in ((paths.OVS_ID, ROUTERS[0][2] + '\n'),
                       (paths.HARDWARE_JSON, json.dumps(HARDWARE)),
                       (paths.real('/etc/apt/sources.list.d/ovsaptrepo.list'), APT_SOURCE),
                       (paths.DPKG_STATUS, 'Package: openvstorage-backend\nStatus: install ok installed\n'
                                           'Version: 1.9.2-1\n')):
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path))
        with open(path, 'w') as handle:
            handle.write(text)


def seed(store):
    """The model of a set-up cluster, made by the emulator's setup and model functions."""
    setup = NodeSetup({'cluster_ip': ROUTERS[0][1], 'master_ip': ROUTERS[0][1], 'node_type': 'master',
                       'enable_heartbeats': False, 'external_config': None, 'logging_target': None, 'rdma': False})
    setup.store = store
    setup.initialize_configuration(CLUSTER_ID)
    model.create_admin(store)
    for name, ip, machine_id, node_type in ROUTERS:
        model.storagerouter(store, name, ip, machine_id, node_type, False)
    for node_id, ip, name in ASD_NODES:
        asd_node(store, node_id, ip, name)
    return store


def asd_node(store, node_id, ip, name):
    """The keys of `asd-manager setup` on node ``ip`` (asd_setup.store_settings); registered as ``name``
    (the albanode of AlbaNodeController.register) unless None."""
    with open(paths.SDM_ID, 'w') as handle:
        handle.write(node_id + '\n')
    opener = store_module.open_store
    store_module.open_store = lambda: store
    try:
        asd_setup.store_settings({'api_ip': ip, 'api_port': 8500, 'asd_ips': [ip], 'asd_start_port': 8600,
                                  'ipmi': None})
    finally:
        store_module.open_store = opener
    if name is not None:
        node = volatile_node(model.Model(store), node_id)
        node['name'] = name
        model.save(store, 'albanode', node)


def partition_db(api):
    """ctl01's disks found (rescan_disks) and its DB and WRITE partition on sdb (configure_disk), by its
    ovs-workers through the API."""
    router = api.router('ctl01')['guid']

    def calls(client):
        client.wait_for_task(client.post('storagerouters/{0}/rescan_disks/'.format(router)), interval=POLL)
        sdb = [d for d in client.list('disks', contents='name', params={'storagerouterguid': router})
               if d['name'] == 'sdb'][0]
        client.wait_for_task(client.post('storagerouters/{0}/configure_disk/'.format(router), {
            'disk_guid': sdb['guid'], 'offset': 0, 'size': 10 * 1024 ** 3, 'roles': ['DB', 'WRITE']}),
            interval=POLL)
    with api.worker():
        api.prepare(calls)


def build(directory):
    """The configuration store keys of the cluster: ``seed`` and ``partition_db``."""
    api = EmulatorApi(directory, seed(MemoryStore()).data).start()
    try:
        partition_db(api)
    finally:
        api.stop()
    return api.store.data


def build_storage(directory, data):
    """The configuration store keys of the storage cluster, made from ``data`` (``build``'s) with
    OVS_EMULATOR_ROOT a copy of the session's root: ctl01's sdd a DTL+SCRUB+WRITE partition, ctl02 a
    DB+DTL+WRITE partition (model objects: its node has no hardware here), RUNNING LOCAL backends be1, acc1 and
    acc2 (acc1 also with preset ``fast`` (1, 1, 1, 2)), each claiming 3 ASDs of str01 (on sdc for be1, on sde for
    acc1 and acc2): their presets are available; ctl01 and ctl02 of the enterprise edition (block cache feature)."""
    with open(paths.HARDWARE_JSON, 'w') as handle:
        handle.write(json.dumps(STORAGE_HARDWARE))
    api = EmulatorApi(directory, data).start()
    manager = AsdManager(api, directory)
    try:
        router = api.router('ctl01')['guid']

        def partition_sdd(client):
            client.wait_for_task(client.post('storagerouters/{0}/rescan_disks/'.format(router)), interval=POLL)
            sdd = api.find('disk', name='sdd', storagerouter_guid=router)[0]
            client.wait_for_task(client.post('storagerouters/{0}/configure_disk/'.format(router), {
                'disk_guid': sdd['guid'], 'offset': 0, 'size': sdd['size'], 'roles': ['DTL', 'SCRUB', 'WRITE']}),
                interval=POLL)
        with api.worker():
            api.prepare(partition_sdd)
        for name, device in (('be1', 'sdc'), ('acc2', 'sde'), ('acc1', 'sde')):
            guid = api.add_alba_backend(name)
            manager.claim(guid, device, 3)
        api.add_preset(guid, 'fast', [[1, 1, 1, 2]])
        router_partition(api, 'ctl02', 100 * 1024 ** 3, ['DB', 'DTL', 'WRITE'])
        for name in ('ctl01', 'ctl02'):  # the enterprise edition: a vPool's block cache is supported
            router = api.router(name)
            router['features'] = {'alba': {'edition': 'enterprise', 'features': ['cache-quota', 'block-cache']}}
            api.model_save('storagerouter', router)
    finally:
        manager.stop()
        api.stop()
    return api.store.data


def router_partition(api, name, size, roles):
    """A disk sdb of storage router ``name`` with one partition (offset 0, mounted on /mnt/ssd1) of ``roles``."""
    router = api.router(name)
    disk = api.model_create('disk', name='sdb', aliases=['/dev/disk/by-id/ata-QEMU_HARDDISK_' + name], size=size,
                            is_ssd=True, state='OK', storagerouter_guid=router['guid'], partitions_guids=[])
    partition = api.model_create('diskpartition', name='sdb1', disk_guid=disk['guid'], offset=0, size=size,
                                 state='OK', mountpoint='/mnt/ssd1', filesystem='ext4', roles=list(roles), aliases=[],
                                 storagedrivers_guids=[])
    disk['partitions_guids'] = [partition['guid']]
    api.model_save('disk', disk)
    router['disks_guids'] = [disk['guid']]
    api.model_save('storagerouter', router)
    disks.refresh_partition_config(api.store, router['guid'])


class AsdManager(object):
    """The ASD manager of the ASD node str01 (ASD_NODES[0]) in-process on 127.0.0.1 over the store of ``api``
    (asdapi.make_server, systemctl ASD_SYSTEMCTL); its config and its albanode (``node``; None while it is not
    registered) point at it."""

    def __init__(self, api, directory):
        self.api = api
        script = os.path.join(directory, 'asd-systemctl')
        with open(script, 'w') as handle:
            handle.write(ASD_SYSTEMCTL)
        os.chmod(script, os.stat(script).st_mode | stat.S_IEXEC)
        self.node_id = node_id = ASD_NODES[0][0]
        self.server = asdapi.make_server(api.store, '127.0.0.1', 0, api.cert_path, api.key_path, node_id=node_id,
                                         systemctl=script)
        self.server.start()
        port = self.server.server_address[1]
        key = '/ovs/alba/asdnodes/{0}/config/main'.format(node_id)
        api.store.set(key, dict(api.store.get(key), ip='127.0.0.1', port=port))
        nodes = api.find('albanode', node_id=node_id)
        self.node = nodes[0] if nodes else None
        if self.node is not None:
            self.node.update(ip='127.0.0.1', port=port)
            api.model_save('albanode', self.node)

    def register(self, name='str01'):
        """The node registered through the API (POST /api/alba/nodes/, its task); its albanode."""
        self.api.prepare(lambda client: client.wait_for_task(client.post('alba/nodes/', {
            'node_id': self.node_id, 'node_type': 'ASD', 'name': name}), interval=POLL))
        self.node = self.api.find('albanode', node_id=self.node_id)[0]
        return self.node

    def fill(self, device, count):
        """``count`` more ASDs on the slot of ``device`` (fill_slots); the slot's unclaimed ASDs as add_osds
        takes them."""
        node = 'alba/nodes/{0}'.format(self.node['guid'])

        def calls(client):
            slots = client.get(node, contents='stack')['stack']
            slot_id = [k for k, slot in slots.items() if slot.get('device') == '/dev/' + device][0]
            client.wait_for_task(client.post(node + '/fill_slots/', {'osd_information': [
                {'slot_id': slot_id, 'count': count}]}), interval=POLL)
            osds = client.get(node, contents='stack')['stack'][slot_id]['osds']
            return [{'osd_type': 'ASD', 'ips': osd['ips'], 'port': osd['port'], 'slot_id': slot_id}
                    for osd in osds.values() if not osd.get('claimed_by')]
        return self.api.prepare(calls)

    def claim(self, alba_backend_guid, device, count):
        """``count`` more ASDs on the slot of ``device`` (fill), claimed by the backend (add_osds)."""
        osds = self.fill(device, count)
        self.api.alba_action(alba_backend_guid, 'add_osds', {'alba_node_guid': self.node['guid'], 'osds': osds})

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Worker(object):
    """ovs-workers of the storage router ``machine_id`` serving the node queue of ``store`` (a context manager;
    one per node: within the block of another Worker of the same node, nothing more); polls every POLL s."""

    running = {}  # (id of the store, machine id): the Worker serving it

    def __init__(self, store, machine_id=ROUTERS[0][2]):
        self.key = (id(store), machine_id)
        self.worker = None if self.key in self.running else workers.Worker(store, machine_id)
        self.poll = actions.POLL

    def __enter__(self):
        if self.worker is not None:
            self.running[self.key] = self
            actions.POLL = POLL
            self.worker.start()
        return self

    def __exit__(self, *exc):
        if self.worker is not None:
            self.worker.stop()
            actions.POLL = self.poll
            del self.running[self.key]


class EmulatorApi(object):
    """The emulator's API on 127.0.0.1 over a copy of ``data`` (a MemoryStore's keys).

    ``port``, ``cert_path`` (its CA), ``host`` as the module options need them; ``store``, ``model``
    (``ovs_emulator.model.Model``-like reads) for assertions; ``requests`` [(method, path with query, body)]."""

    def __init__(self, directory, data, host='127.0.0.1'):
        self.host = host
        self.store = MemoryStore(dict(data))
        self.store.delete(RATELIMIT_ROOT, recursive=True)  # the token calls of the build are not this API's
        self.cert_path, self.key_path = make_certificate(directory, host)
        self.server = make_server(self.store, host, 0, self.cert_path, self.key_path)
        self.port = self.server.server_address[1]
        self.requests = []
        self.app = self.server.app
        handle = self.app.handle

        def recorded(request):
            body = request.body.decode('utf-8', 'replace') if request.body else ''
            target = request.path + ('?' + request.raw_query if request.raw_query else '')
            self.requests.append((request.method, target, body))
            return handle(request)

        self.app.handle = recorded
        self.api = OvsApiClient(host, self.port, username='admin', password='admin', ca_path=self.cert_path,
                                token_cache=os.path.join(directory, 'emulator-tokens.json'))

    def start(self):
        self.server.start()
        return self

    def worker(self, name='ctl01'):
        """The ovs-workers of storage router ``name`` on this store while in the ``with`` block (Worker)."""
        return Worker(self.store, self.router(name)['machine_id'])

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def writes(self, prefix='/api/'):
        """(method, path, JSON body or form) of the requests that change something, the token calls and the
        READ_ACTIONS aside."""
        found = []
        for method, target, body in self.requests:
            if method in ('GET', 'HEAD') or not target.startswith(prefix) or target.startswith('/api/oauth2/') \
                    or target.split('?')[0].endswith(READ_ACTIONS):
                continue
            try:
                data = json.loads(body) if body else {}
            except ValueError:
                data = body
            found.append((method, target, data))
        return found

    def metadata_reads(self):
        """Paths of the ``POST /api/storagerouters/<guid>/get_metadata/`` sent."""
        return [target for method, target, dummy in self.requests if target.endswith('/get_metadata/')]

    def token_calls(self):
        return [r for r in self.requests if r[1].startswith('/api/oauth2/token/')]

    def prepare(self, calls):
        """Run ``calls(api)`` (an OvsApiClient as admin) to set state up through the API; its requests are
        not kept in ``requests``."""
        count = len(self.requests)
        result = calls(self.api)
        del self.requests[count:]
        return result

    def add_domain(self, name, routers=(), recovery=()):
        """POST /api/domains/ and set_domains of the storage routers named (their other domains kept)."""
        def calls(api):
            existing = self.find('domain', name=name)
            guid = existing[0]['guid'] if existing else api.post('domains/', {'name': name})['guid']
            for router_name in set(routers) | set(recovery):
                router = self.router(router_name)
                junctions = self.find('storagerouterdomain', storagerouter_guid=router['guid'])
                regular = [j['domain_guid'] for j in junctions if not j['backup']]
                backup = [j['domain_guid'] for j in junctions if j['backup']]
                (backup if router_name in recovery else regular).append(guid)
                api.post('storagerouters/{0}/set_domains/'.format(router['guid']),
                         {'domain_guids': regular, 'recovery_domain_guids': backup})
            return guid
        return self.prepare(calls)

    def add_backend(self, name, domains=()):
        """POST /api/backends/ (type alba) and the backend's domains (BackendDomain junctions: the emulator
        has no API call for them)."""
        alba = self.alba_type()
        guid = self.prepare(lambda api: api.post('backends/', {'name': name, 'backend_type_guid': alba})['guid'])
        for domain_guid in domains:
            model.create(self.store, 'backenddomain', backend_guid=guid, domain_guid=domain_guid)
        return guid

    def add_vpool(self, name, router='ctl01', backend='be1', writecache_size=50):
        """vPool ``name`` on backend ``backend`` (preset default) created or extended to storage router ``router``
        (POST /api/storagerouters/<guid>/add_vpool/, its ovs-workers running), local caches; its guid."""
        router = self.router(router)
        params = {'vpool_name': name, 'storage_ip': router['ip'],
                  'backend_info': {'alba_backend_guid': self.alba_backend(backend), 'preset': 'default'},
                  'connection_info': {'host': ''},
                  'config_params': {'sco_size': 4, 'cluster_size': 4, 'dtl_mode': 'a_sync', 'dtl_transport': 'tcp',
                                    'write_buffer': 128},
                  'caching_info': {'fragment_cache_on_read': True, 'fragment_cache_on_write': True,
                                   'block_cache_on_read': False, 'block_cache_on_write': False},
                  'writecache_size': writecache_size, 'parallelism': {'proxies': 2},
                  'mds_config_params': {'mds_safety': 3}}
        self.prepare(lambda api: api.wait_for_task(api.post('storagerouters/{0}/add_vpool/'.format(router['guid']), {
            'call_parameters': params}), interval=POLL))
        return self.find('vpool', name=name)[0]['guid']

    def add_client(self, name='vpool-client'):
        """An OAuth client (client credentials) of admin through POST /api/clients/: (client id, secret)."""
        user = self.find('user', username='admin')[0]['guid']
        client = self.prepare(lambda api: api.post('clients/', {'name': name, 'ovs_type': 'USER', 'user_guid': user}))
        return client['guid'], client['client_secret']

    def alba_type(self):
        """The guid of the backend type ``alba`` (GET /api/backendtypes/)."""
        return self.prepare(lambda api: [t for t in api.list('backendtypes', contents='code')
                                         if t['code'] == 'alba'][0]['guid'])

    def add_alba_backend(self, name, scaling='LOCAL', running=True):
        """An ALBA backend through the API (POST /api/backends/ and /api/alba/backends/), its ABM and NSM
        deployed by ctl01's ovs-workers (add_cluster) until RUNNING; ``running=False``: the albabackend of
        the emulator's create_alba_backend alone, status INSTALLING as before add_cluster. Its guid."""
        alba = self.alba_type()
        if not running:
            backend = self.prepare(lambda api: api.post('backends/', {'name': name, 'backend_type_guid': alba}))
            return create_alba_backend(model.Model(self.store), backend, scaling)['guid']

        def calls(api):
            backend = api.post('backends/', {'name': name, 'backend_type_guid': alba})
            guid = api.post('alba/backends/', {'backend_guid': backend['guid'], 'scaling': scaling})['guid']
            deadline = time.time() + 30
            while api.get('backends/{0}'.format(backend['guid']), contents='status')['status'] != 'RUNNING':
                assert time.time() < deadline, 'ALBA backend {0} not RUNNING'.format(name)
                time.sleep(POLL)
            return guid
        with self.worker():
            return self.prepare(calls)

    def alba_action(self, alba_backend_guid, action, data):
        """POST /api/alba/backends/<guid>/<action>/ and its task's result."""
        return self.prepare(lambda api: api.wait_for_task(api.post('alba/backends/{0}/{1}/'.format(
            alba_backend_guid, action), data), interval=POLL))

    def add_preset(self, alba_backend_guid, name, policies, compression='none', encryption='none'):
        return self.alba_action(alba_backend_guid, 'add_preset', {'name': name, 'policies': policies,
                                                                  'compression': compression,
                                                                  'encryption': encryption})

    def presets(self, alba_backend_guid):
        """{name: preset} of GET /api/alba/backends/<guid>/?contents=presets."""
        return dict((p['name'], p) for p in self.prepare(lambda api: api.get(
            'alba/backends/{0}'.format(alba_backend_guid), contents='presets'))['presets'])

    def use_preset(self, backend_name, preset, namespace='vpool1'):
        """A namespace of the ABM of ``backend_name`` on ``preset`` (what a vPool's makes): the preset is in use."""
        self.store.set('/albamgr/{0}-abm/namespaces/{1}'.format(backend_name, namespace), {'preset_name': preset})

    def junctions(self, router_name):
        """[(domain guid, backup)] of a storage router."""
        return sorted((j['domain_guid'], j['backup']) for j in self.find(
            'storagerouterdomain', storagerouter_guid=self.router(router_name)['guid']))

    def tokens(self):
        """The access tokens the API handed out."""
        return [token['access_token'] for token in self.objects('bearertoken')]

    def objects(self, kind):
        return model.objects(self.store, kind)

    def model_create(self, kind, **fields):
        """A model object written directly (state the API has no call for)."""
        return model.create(self.store, kind, **fields)

    def model_save(self, kind, obj):
        return model.save(self.store, kind, obj)

    def find(self, kind, **match):
        return model.find(self.store, kind, **match)

    def alba_backend(self, name):
        """The guid of the ALBA backend named ``name``."""
        backend = self.find('backend', name=name)[0]
        return self.find('albabackend', backend_guid=backend['guid'])[0]['guid']

    def router(self, name):
        return self.find('storagerouter', name=name)[0]
