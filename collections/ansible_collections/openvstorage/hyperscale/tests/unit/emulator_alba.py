# -*- coding: utf-8 -*-
"""ASD nodes, OSDs and the safety of their data in the emulated cluster (tests/unit/emulator_api.py), for the
tests of alba_node, alba_osd_safety, ovs_asd_manager and ovs_cluster_info.

Two clusters are built once per session from emulator_api.build's (the fixtures ``alba`` and ``asds`` of
conftest.py serve a copy per test with the ASD manager of str01 running in-process):

``build_alba``: the RUNNING backends be1, other-be (LOCAL) and global (GLOBAL), made through the API; the ASD
node str01 (``NODE_ID``, the disks of ctl01: ``SDB`` holding ctl01's DB partition, ``SDC`` and ``SDD`` empty) set
up but not registered; the ASD manager of the other set-up node (``OTHER_NODE``) does not answer.

``build_asds``: that cluster with str01 registered through the API and be1 claiming 2 ASDs on sdc and 1 on sdd
(an unclaimed one on sdd too); ``OTHER`` and ``SPARE``, ASDs of ``OTHER_NODE``, added and claimed by be1's ALBA
manager (``alba add-osd``, ``claim-osd``; the framework does not model them). be1's namespaces, each placed by
the ALBA manager when it is first looked at (ovs_emulator.albasafety): ``ns-empty`` (no OSD at the time: holds
no object), ``ns-b`` (preset ``spread1`` (1, 1, 1, 1): one fragment on sdd, one on OTHER; survives 1 lost OSD),
``ns-a`` (preset ``spread4`` (1, 3, 1, 4): on sdc's two, sdd's and OTHER; survives 3). SPARE holds nothing: the
maintenance agents repair onto it (``Layout.repair``). global links be1 (preset default).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import io
import time

from unittest import mock
from urllib.parse import urlsplit

from ansible_collections.openvstorage.hyperscale.tests.unit import emulator_api
from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_api import ASD_NODES, AsdManager, EmulatorApi
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost

# importable once emulator_api has put the emulator on sys.path
from ovs_emulator import alba_cli, albamgr, asdapi, model, ovs_cli, store as store_module  # noqa: E402
from ovs_emulator.alba.asdclient import client_for  # noqa: E402
from ovs_emulator.alba.maintenance import has_maintenance  # noqa: E402
from ovs_emulator.alba.nodes import volatile_node  # noqa: E402

NODE_ID = ASD_NODES[0][0]
OTHER_NODE = ASD_NODES[1][0]
SDB = 'ata-QEMU_HARDDISK_SSD0001'
SDC = 'ata-QEMU_HARDDISK_HDD0002'
SDD = 'ata-QEMU_HARDDISK_SSD0003'
REFUSED = ('127.0.0.1', 1)  # an address where nothing answers
OTHER = 'zZ3oThEr0000000000000000000000a1'
SPARE = 'zZ3sPaRe0000000000000000000000a2'
BINS = {'alba': '/usr/bin/alba', 'ovs': '/usr/bin/ovs'}


def build_alba(directory, data):
    """The configuration store keys of ``build_alba`` (module docstring), from ``data`` (emulator_api.build's)."""
    api = EmulatorApi(directory, data).start()
    try:
        model.delete(api.store, 'albanode', api.find('albanode', node_id=NODE_ID)[0]['guid'])
        key = '/ovs/alba/asdnodes/{0}/config/main'.format(OTHER_NODE)
        api.store.set(key, dict(api.store.get(key), ip=REFUSED[0], port=REFUSED[1]))
        for name, scaling in (('be1', 'LOCAL'), ('other-be', 'LOCAL'), ('global', 'GLOBAL')):
            api.add_alba_backend(name, scaling)
    finally:
        api.stop()
    return api.store.data


def build_asds(directory, data):
    """The configuration store keys of ``build_asds`` (module docstring), from ``data`` (build_alba's)."""
    api = EmulatorApi(directory, data).start()
    manager = AsdManager(api, directory)
    try:
        manager.register()
        be1 = api.alba_backend('be1')
        abm = albamgr.AlbaManager(api.store, 'be1-abm')
        api.add_preset(be1, 'spread1', [[1, 1, 1, 1]])
        api.add_preset(be1, 'spread4', [[1, 3, 1, 4]])
        api.use_preset('be1', 'default', 'ns-empty')
        abm.disk_safety()
        manager.claim(be1, 'sdd', 1)
        add_remote_asd(abm, OTHER, 8600)
        api.use_preset('be1', 'spread1', 'ns-b')
        abm.disk_safety()
        manager.claim(be1, 'sdc', 2)
        api.use_preset('be1', 'spread4', 'ns-a')
        abm.disk_safety()
        add_remote_asd(abm, SPARE, 8601)
        manager.fill('sdd', 1)
        api.store.set('/albamgr/be1-abm/repair_pace', 0)  # the agents repair a namespace at each round
        link(api, 'global', 'be1')
    finally:
        manager.stop()
        api.stop()
    return api.store.data


def add_remote_asd(abm, long_id, port):
    """An ASD of OTHER_NODE added to the ALBA manager ``abm`` and claimed (what ``alba add-osd --node-id`` and
    ``alba claim-osd`` record)."""
    abm.add_osd({'kind': 'AsdV1', 'long_id': long_id, 'node_id': OTHER_NODE, 'ips': [ASD_NODES[1][1]],
                 'port': port, 'use_tls': False, 'use_rdma': False, 'total': 100 * 1024 ** 3, 'used': 0})
    abm.claim_osd(long_id)


def wait_for_agents(api, name, timeout=10):
    """Until a maintenance agent of backend ``name`` runs on a registered ASD node: the framework deploys them
    after the backend is RUNNING (AlbaController.add_cluster: checkup_maintenance_agents.delay()), and add_osds
    and link_alba_backends refuse a backend without one."""
    deadline = time.time() + timeout
    backend = api.find('backend', name=name)[0]
    while not has_maintenance(model.Model(api.store), backend):
        assert time.time() < deadline, 'no maintenance agent of {0}'.format(name)
        time.sleep(emulator_api.POLL)


def link(api, glob, name, preset='default'):
    """``name`` linked into the GLOBAL backend ``glob`` (link_alba_backends of this cluster: empty host), once
    ``glob`` has its maintenance agent."""
    wait_for_agents(api, glob)
    linked = api.alba_backend(name)
    alba_id = api.find('albabackend', guid=linked)[0]['alba_id']
    api.alba_action(api.alba_backend(glob), 'link_alba_backends', {'metadata': {
        'backend_connection_info': {'host': '', 'port': 443, 'username': '', 'password': ''},
        'backend_info': {'linked_guid': linked, 'linked_name': name, 'linked_preset': preset,
                         'linked_alba_id': alba_id}}})


class Layout(object):
    """The OSDs of be1 in ``config_store`` (a copy of ``build_asds``'s): ``sdc`` (its 2 long ids, sorted), ``sdd``,
    ``other``, ``spare``; ``unclaimed``, the other ASD of sdd; ``node_id`` and ``guid`` of str01."""

    def __init__(self, config_store):
        self.store = config_store
        self.abm = albamgr.AlbaManager(config_store, 'be1-abm')
        self.sdc = sorted(o['osd_id'] for o in model.find(config_store, 'albaosd', slot_id=SDC))
        self.sdd = model.find(config_store, 'albaosd', slot_id=SDD)[0]['osd_id']
        self.other, self.spare = OTHER, SPARE
        [self.unclaimed] = set(asdapi.asds_of(config_store, NODE_ID)) - set(self.sdc + [self.sdd])
        self.node_id = NODE_ID
        self.guid = model.find(config_store, 'albanode', node_id=NODE_ID)[0]['guid']

    def purge(self, long_id):
        """``alba purge-osd`` of an OSD whose data the maintenance agents have not repaired yet."""
        self.abm.purge_osd(long_id)

    def repair(self):
        """The maintenance agents' rounds until nothing is left to repair (albamgr.AlbaManager.repair)."""
        while self.abm.repair(time.time()):
            pass

    def claimed(self):
        """Long ids be1's ALBA manager lists as claimed (``alba list-osds``)."""
        return sorted(o['long_id'] for o in self.abm.list_osds())


def cli(config_store, argv):
    """(rc, stdout, stderr) of the emulator's ``alba`` or ``ovs`` command (ovs_emulator.alba_cli.main,
    ovs_cli.main) on ``config_store``, as a controller runs them."""
    main = alba_cli.main if argv[0] == BINS['alba'] else ovs_cli.main
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.object(albamgr, 'store_of', lambda url: (config_store, urlsplit(url).path)), \
            mock.patch.object(store_module, 'open_store', lambda: config_store), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv[1:]))
    return code, out.getvalue(), err.getvalue()


def controller_host(config_store):
    """A FakeHost of a controller whose ``alba`` and ``ovs`` commands are the emulator's on ``config_store``."""
    host = FakeHost(bins=BINS)
    host.answers.append((lambda argv: argv[0] in BINS.values(), lambda argv, kwargs: cli(config_store, argv)))
    return host


def manager_call(api, method, path):
    """A call to the ASD manager of str01 (its API, with the node's credentials), as on the node itself."""
    return client_for(volatile_node(model.Model(api.store), NODE_ID)).call(method, path)
