# -*- coding: utf-8 -*-
"""A second emulated Open vStorage cluster in the same process, for the GeoScale tests: backends of another
cluster linked into a GLOBAL backend (alba_backend), vPool caches on a backend of another cluster (ovs_vpool).

``other_cluster(data)`` makes the configuration store keys of another cluster from the storage cluster's
(emulator_api.build_storage): its own cluster id (``REMOTE_CLUSTER_ID``), every guid and ALBA id new, its
storage routers, ASD nodes and Arakoon nodes on ``REMOTE_PREFIX``.x; the same LOCAL backends be1, acc1 (with
preset ``fast``) and acc2, each with 3 claimed ASDs of its node str01.  ``RemoteCluster`` serves a copy of it
on ``REMOTE_HOST`` (another loopback address; ``stop`` makes it unreachable), with str01's ASD manager and
the ovs-workers of ctl01 and ctl02 (which carries a DB partition: a new backend's ABM goes there).

How this cluster reaches the other one is the emulator's own code: the framework's ``OVSClient`` calls the
API named by a link's or a vPool cache's connection info (host, port, client id and secret); the ALBA OSD of a
linked backend reaches that backend's ABM through the Arakoon client config the other cluster's API gave
(``albamgr.linked_manager``: the configuration store at ``<Arakoon node ip>:26400``).  That last hop has no
network here: ``route_config_store`` hands out the other cluster's store for its Arakoon nodes' addresses,
as the emulator's own GeoScale tests do.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import uuid

from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_api import CLUSTER_ID, AsdManager, EmulatorApi

from ovs_emulator import model, store as store_module  # noqa: E402  (importable once emulator_api is)
from ovs_emulator.webapi import auth  # noqa: E402

REMOTE_CLUSTER_ID = 'R3m0t3Cl0st3rId2'
REMOTE_HOST = '127.0.0.2'
LOCAL_PREFIX = '172.30.250.'
REMOTE_PREFIX = '172.30.251.'
UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')


def other_cluster(data):
    """The keys of another cluster made from ``data`` (a cluster's keys, emulator_api.build_storage's): every
    guid and ALBA id replaced by a new one, the cluster id by REMOTE_CLUSTER_ID, the addresses 172.30.250.x of
    its nodes by REMOTE_PREFIX.x."""
    new = {}

    def renamed(text):
        text = UUID.sub(lambda match: new.setdefault(match.group(0), str(uuid.uuid4())), text)
        return text.replace(CLUSTER_ID, REMOTE_CLUSTER_ID).replace(LOCAL_PREFIX, REMOTE_PREFIX)
    return dict((renamed(key), renamed(value)) for key, value in data.items())


def route_config_store(patch, addresses, config_store):
    """``patch`` (a pytest MonkeyPatch): a configuration store client of Arakoon nodes (``EtcdStore(nodes=...)``,
    what ``albamgr.linked_manager`` makes for the ABM of another cluster) whose first node is at one of
    ``addresses`` is ``config_store``; any other is the client it was."""
    before = store_module.EtcdStore

    def etcd_store(*args, **kwargs):
        nodes = kwargs.get('nodes')
        if nodes and nodes[0].ip in addresses:
            return config_store
        return before(*args, **kwargs)
    patch.setattr(store_module, 'EtcdStore', etcd_store)


class RemoteCluster(EmulatorApi):
    """The API of the other cluster (``data``: other_cluster's keys) on ``host`` over a copy of its keys, str01's
    ASD manager and the ovs-workers of ctl01 and ctl02 running until ``stop``; ``client_id``/``client_secret``:
    an API client of it (POST /api/clients/); its Arakoon nodes' addresses routed to its store while ``patch`` (a
    pytest MonkeyPatch) is in force (route_config_store)."""

    def __init__(self, directory, data, patch, host=REMOTE_HOST):
        os.makedirs(directory)
        super(RemoteCluster, self).__init__(directory, data, host=host)
        self.start()
        self.manager = AsdManager(self, directory)
        self.workers = [self.worker(name).__enter__() for name in ('ctl01', 'ctl02')]
        self.client_id, self.client_secret = self.add_client('geoscale')
        route_config_store(patch, set(router['ip'] for router in self.objects('storagerouter')), self.store)
        self.running = True

    def stop(self):
        """The API does not answer any more (its ASD manager and workers stop too)."""
        if self.running:
            self.running = False
            for worker in self.workers:
                worker.__exit__(None, None, None)
            self.manager.stop()
            super(RemoteCluster, self).stop()

    def cluster(self, **extra):
        """The ``cluster`` option of a link or a cache on a backend of this cluster."""
        options = dict(api_host=self.host, api_port=self.port, client_id=self.client_id,
                       client_secret=self.client_secret, ca_path=self.cert_path)
        options.update(extra)
        return options

    def alba_id(self, name):
        """The ALBA id of the ALBA backend ``name`` (GET /api/alba/backends/<guid>/?contents=alba_id)."""
        guid = self.alba_backend(name)
        return self.prepare(lambda api: api.get('alba/backends/{0}'.format(guid), contents='alba_id'))['alba_id']

    def new_minute(self):
        """The rate limit of the token view (5 a minute from one address, as the framework's) starts over: the
        module runs of a test, its own API calls and those of the framework's OVSClient come faster than a play's."""
        self.store.delete(auth.RATELIMIT_ROOT, recursive=True)

    def forget_alba_backend(self, name):
        """The ALBA backend ``name`` gone from the model (the API answers 404 for it)."""
        model.delete(self.store, 'albabackend', self.alba_backend(name))

    def revoke_client(self):
        """The API client keeps its id and secret but loses its roles and its tokens (the API refuses it)."""
        client = self.find('client', guid=self.client_id)[0]
        client['roles'] = []
        self.model_save('client', client)
        for token in self.find('bearertoken', client_guid=self.client_id):
            auth.delete_token(model.Model(self.store), token)
