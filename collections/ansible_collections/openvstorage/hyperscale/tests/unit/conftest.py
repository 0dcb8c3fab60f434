# -*- coding: utf-8 -*-
"""Make the collection importable as ansible_collections.openvstorage.hyperscale.

The collection is a real directory of the repository,
``collections/ansible_collections/openvstorage/hyperscale``: the directory that holds its
``ansible_collections/`` goes first on sys.path (under ``ansible-test units`` that is the test tree's copy).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import os
import shutil
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
COLLECTIONS_PATH = os.path.dirname(os.path.dirname(os.path.dirname(ROOT)))

if COLLECTIONS_PATH not in sys.path:
    sys.path.insert(0, COLLECTIONS_PATH)


# importable only once the collection is exposed above
from ansible_collections.openvstorage.hyperscale.plugins.module_utils import alba_safety  # noqa: E402
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsApiClient  # noqa: E402
from ansible_collections.openvstorage.hyperscale.tests.unit.api_contents import allowed_path  # noqa: E402
from ansible_collections.openvstorage.hyperscale.tests.unit import emulator_alba, emulator_api, emulator_geo  # noqa: E402

MODULES_DIR = os.sep + os.path.join('plugins', 'modules') + os.sep


def called_from_a_module():
    """Whether a frame of the current call stack is in plugins/modules/."""
    frame = sys._getframe(1)
    while frame is not None:
        if MODULES_DIR in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


class ApiReads(object):
    """The GETs that modules sent without ``contents`` during one test."""

    def __init__(self):
        self.violations = []  # (path, contents)
        self.inspect = called_from_a_module


@pytest.fixture(autouse=True)
def api_reads(monkeypatch):
    """Every test: a GET sent by a module must name its ``contents`` (api_contents.ALLOWED_PATHS aside)."""
    reads = ApiReads()
    original = OvsApiClient.request

    def request(self, method, path, data=None, params=None, auth=True):
        contents = (params or {}).get('contents')
        if method == 'GET' and not contents and not allowed_path(path) and reads.inspect():
            reads.violations.append((path, contents))
        return original(self, method, path, data=data, params=params, auth=auth)

    monkeypatch.setattr(OvsApiClient, 'request', request)
    yield reads
    assert reads.violations == [], 'a module read an object or a list without contents: {0}'.format(reads.violations)


@pytest.fixture
def cacc(tmp_path, monkeypatch):
    """A controller's configuration store client file (cluster id ``config``) for alba_safety."""
    ini = tmp_path / 'arakoon_cacc.ini'
    ini.write_text(u'[global]\ncluster_id = config\ncluster = ctl01\n\n[ctl01]\nip = 172.30.250.11\n')
    monkeypatch.setattr(alba_safety, 'CACC_INI', str(ini))
    return ini


@pytest.fixture(scope='session')
def emulator_cluster(tmp_path_factory):
    """(the configuration store keys of the emulated cluster (emulator_api.build), the emulator's root of the
    API node (OVS_EMULATOR_ROOT)), built once; systemd of the node actions faked for the whole session."""
    patch = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp('emulator-root')
    patch.setenv('OVS_EMULATOR_ROOT', str(root))
    emulator_api.node_root(str(root))
    emulator_api.fake_systemd(patch)
    yield emulator_api.build(str(tmp_path_factory.mktemp('emulator-build'))), str(root)
    patch.undo()


def derived_cluster(cluster, tmp_path_factory, name, build):
    """(keys, root) made by ``build(directory, keys)`` from ``cluster`` (keys, root) on a copy of its root."""
    data, root = cluster
    patch = pytest.MonkeyPatch()
    root = shutil.copytree(root, str(tmp_path_factory.mktemp(name) / 'root'), symlinks=True)
    patch.setenv('OVS_EMULATOR_ROOT', root)
    try:
        data = build(str(tmp_path_factory.mktemp(name + '-build')), data)
    finally:
        patch.undo()
    return data, root


@pytest.fixture(scope='session')
def storage_cluster(emulator_cluster, tmp_path_factory):
    """(keys, root) of emulator_cluster with what a vPool needs (emulator_api.build_storage), built once."""
    return derived_cluster(emulator_cluster, tmp_path_factory, 'storage', emulator_api.build_storage)


@pytest.fixture(scope='session')
def alba_cluster(emulator_cluster, tmp_path_factory):
    """(keys, root) of emulator_cluster with ALBA backends and str01 set up, not registered
    (emulator_alba.build_alba), built once."""
    return derived_cluster(emulator_cluster, tmp_path_factory, 'alba', emulator_alba.build_alba)


@pytest.fixture(scope='session')
def asds_cluster(alba_cluster, tmp_path_factory):
    """(keys, root) of alba_cluster with str01 registered, be1's OSDs and namespaces (emulator_alba.build_asds),
    built once."""
    return derived_cluster(alba_cluster, tmp_path_factory, 'asds', emulator_alba.build_asds)


def serve(cluster, tmp_path, monkeypatch):
    """An EmulatorApi over a copy of ``cluster`` (keys, root), the root copy as OVS_EMULATOR_ROOT; the modules
    poll its tasks every emulator_api.POLL s."""
    data, root = cluster
    wait_for_task = OvsApiClient.wait_for_task
    monkeypatch.setattr(OvsApiClient, 'wait_for_task', lambda self, task_id, timeout=600, interval=1.0: wait_for_task(
        self, task_id, timeout=timeout, interval=min(interval, emulator_api.POLL)))
    monkeypatch.setenv('OVS_EMULATOR_ROOT', shutil.copytree(root, str(tmp_path / 'emulator-root'), symlinks=True))
    return emulator_api.EmulatorApi(str(tmp_path), data).start()


@pytest.fixture
def emulator(emulator_cluster, tmp_path, monkeypatch):
    """The emulator's API on 127.0.0.1 over a fresh copy of the cluster and of its root (see
    emulator_api.EmulatorApi and serve)."""
    api = serve(emulator_cluster, tmp_path, monkeypatch)
    yield api
    api.stop()


@contextlib.contextmanager
def served_with_asd_manager(cluster, tmp_path, monkeypatch):
    """``serve`` with the ASD manager of str01 running (``api.asd_manager``, emulator_api.AsdManager) and the
    ovs-workers of ctl01 and ctl02 serving their queues."""
    api = serve(cluster, tmp_path, monkeypatch)
    api.asd_manager = emulator_api.AsdManager(api, str(tmp_path))
    try:
        with api.worker('ctl01'), api.worker('ctl02'):
            yield api
    finally:
        api.asd_manager.stop()
        api.stop()


@pytest.fixture
def storage(storage_cluster, tmp_path, monkeypatch):
    """``emulator`` over the storage cluster (emulator_api.build_storage): the ASD manager of str01 running,
    the ovs-workers of ctl01 and ctl02 serving their queues for the whole test."""
    with served_with_asd_manager(storage_cluster, tmp_path, monkeypatch) as api:
        yield api


@pytest.fixture
def alba(alba_cluster, tmp_path, monkeypatch):
    """``storage``'s serving over alba_cluster (emulator_alba.build_alba): str01 not registered."""
    with served_with_asd_manager(alba_cluster, tmp_path, monkeypatch) as api:
        yield api


@pytest.fixture
def asds(asds_cluster, tmp_path, monkeypatch):
    """``storage``'s serving over asds_cluster (emulator_alba.build_asds); ``api.layout`` its OSDs."""
    with served_with_asd_manager(asds_cluster, tmp_path, monkeypatch) as api:
        api.layout = emulator_alba.Layout(api.store)
        yield api


@pytest.fixture(scope='session')
def remote_cluster(storage_cluster):
    """The keys of another cluster made from the storage cluster's (emulator_geo.other_cluster), made once."""
    return emulator_geo.other_cluster(storage_cluster[0])


@pytest.fixture
def remote(remote_cluster, storage, tmp_path, monkeypatch):
    """The API of another cluster on 127.0.0.2 next to ``storage`` (emulator_geo.RemoteCluster): its ASD manager
    and ovs-workers running, an API client of it; ``stop()`` makes it unreachable."""
    cluster = emulator_geo.RemoteCluster(str(tmp_path / 'remote'), remote_cluster, monkeypatch)
    yield cluster
    cluster.stop()
