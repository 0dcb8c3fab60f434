"""Updates: package information of every node, the update information rules (downtime and
prerequisites), the API (tasks), ``ovs update`` (background run, update.log, order, lock,
prerequisites), the release-2 migration, ``ovs local_update`` (exit codes and texts, vDisks moved
away and back) and the vDisks' not-served record."""
import fcntl
import json
import os
from pathlib import Path

import pytest

from ovs_emulator import (actions, alba, daemon, healthcheck, local_update, ovs_cli, packages, paths,
                          release, served, system, update, workers)
from ovs_emulator import store as store_module
from ovs_emulator.model import Model
from test_backends import asd_node, backend, masters  # noqa: F401  (fixtures)
from test_storage import ME
from test_vpools import add_vpool, create_vdisk, params, ready, vpool  # noqa: F401
from test_webapi import api, root, store  # noqa: F401  (fixtures)

OLD, NEW = release.VERSIONS[1], release.VERSIONS[2]
IPS = ["172.30.250.11", "172.30.250.12", "172.30.250.21"]
MACHINES = {"172.30.250.12": "MACHINE000000002", "172.30.250.11": ME, "172.30.250.21": "MACHINE000000021"}


class FakeApt:
    """The package manager of the nodes (one set of versions for all of them); every install
    is recorded in the systemd call list (to see the order), with /etc/ready_for_upgrade."""

    def __init__(self, calls, installed, candidates):
        self.calls, self.versions, self.repository = calls, dict(installed), dict(candidates)
        self.broken = set()

    def installed(self, names):
        return {name: self.versions[name] for name in names if name in self.versions}

    def candidates(self, names, refresh=True):
        return {name: self.repository[name] for name in names if name in self.repository}

    def install(self, names):
        ready = os.path.exists(paths.READY_FOR_UPGRADE)
        self.calls.append(("apt-install", tuple(names), ready))
        if not ready and any(name.startswith("openvstorage") and name != "openvstorage-sdm" for name in names):
            return False, "Please start update through GUI because all nodes in the cluster need to be " \
                          "updated simultaneously!!!!!"
        for name in names:
            if name not in self.broken:
                self.versions[name] = self.repository[name]
        return True, ""


@pytest.fixture
def apt(systemd, monkeypatch):
    framework_node = {name: version for name, version in OLD.items() if name != "openvstorage-sdm"}
    fake = FakeApt(systemd.calls, framework_node, NEW)
    monkeypatch.setattr(packages, "APT", fake)
    return fake


@pytest.fixture
def nodes(store, root, monkeypatch):  # noqa: F811
    """ovs-workers of the three storage routers (one root for all of them)."""
    monkeypatch.setattr(actions, "POLL", 0.02)
    monkeypatch.setattr(update, "REFRESH_TIMEOUT", 0.5)
    monkeypatch.setattr(update, "LOCK_WAIT", 0.1)
    monkeypatch.setattr(system, "port_open", lambda ip, port, timeout=2.0: True)
    monkeypatch.setattr(system, "hostname", lambda: "ctl01")
    running = {}
    for ip, machine_id in MACHINES.items():
        running[ip] = workers.Worker(store, machine_id)
        running[ip].start()
    yield running
    for worker in running.values():
        worker.stop()


@pytest.fixture
def migrations(store, monkeypatch):  # noqa: F811
    """The migration's fresh process: in-process, with the release the packages installed."""
    monkeypatch.setattr(update, "fresh_process", lambda args: update.migrate(store))


def log_lines():
    text = Path(paths.UPDATE_LOG).read_text() if os.path.exists(paths.UPDATE_LOG) else ""
    return [line.split(" - ", 5)[-1] for line in text.splitlines()]


def task(api, guid, name, method="GET", data=None):  # noqa: F811
    status, task_id = api.call(method, f"/api/storagerouters/{guid}/{name}/", data)
    assert status == 200 and isinstance(task_id, str), task_id
    return api.wait_task(task_id, timeout=20)


def ovsdb_cluster(store, count):  # noqa: F811
    nodes = [store_module.ArakoonNode(MACHINES[ip], ip, 26402, 26403) for ip in sorted(MACHINES)[:count]]
    store.set_raw("/ovs/arakoon/ovsdb/config", store_module.cacc_text(nodes, "ovsdb"))


# --- package information and the update information ------------------------------------

def test_refresh_and_merge_package_information(api, nodes, apt):  # noqa: F811
    assert task(api, "sr-1", "refresh_package_information")["status"] == "SUCCESS"
    merged = task(api, "sr-0", "merge_package_information")
    assert merged["status"] == "SUCCESS"
    expected = {"framework": {name: {"installed": OLD[name], "candidate": NEW[name]}
                              for name in ("openvstorage", "openvstorage-backend", "openvstorage-hc")},
                "storagedriver": {"volumedriver-no-dedup-server": {"installed": "6.19.5-1", "candidate": "6.19.6-1"}},
                "alba": {"alba": {"installed": "1.5.37-1", "candidate": "1.5.38-1"}}}
    assert merged["result"] == {ip: expected for ip in MACHINES}
    # nothing newer in the repository: nothing listed, no component to update
    apt.repository = dict(apt.versions)
    task(api, "sr-1", "refresh_package_information")
    assert task(api, "sr-1", "merge_package_information")["result"] == {}
    assert task(api, "sr-1", "get_update_information")["result"] == {}


def test_update_information_framework(api, nodes, apt, store):  # noqa: F811
    ovsdb_cluster(store, 1)
    task(api, "sr-1", "refresh_package_information")
    info = task(api, "sr-1", "get_update_information")["result"]
    assert info == {"framework": {"downtime": [["gui", None], ["api", None], ["ovsdb", None]], "prerequisites": []},
                    "storagedriver": {"downtime": [], "prerequisites": []},
                    "alba": {"downtime": [], "prerequisites": []}}
    ovsdb_cluster(store, 3)
    info = task(api, "sr-1", "get_update_information")["result"]
    assert info["framework"]["downtime"] == [["gui", None], ["api", None]]


def test_prerequisites_node_down_and_alba_node_unresponsive(api, nodes, apt, store, monkeypatch):  # noqa: F811
    nodes["172.30.250.21"].stop()
    Model(store).save("albanode", {"guid": "an-1", "node_id": "AsDnOdE000000009", "ip": "127.0.0.1", "port": 1,
                                   "type": "ASD", "username": "root", "password": "p" * 32, "name": "str01"})
    task(api, "sr-1", "refresh_package_information")
    info = task(api, "sr-1", "get_update_information")["result"]
    assert info["framework"]["prerequisites"] == [["node_down", "cmp01"]]
    assert info["alba"]["prerequisites"] == [["alba_node_unresponsive", "127.0.0.1"]]
    assert info["storagedriver"]["prerequisites"] == []
    merged = task(api, "sr-1", "merge_package_information")["result"]
    assert set(merged) == {"172.30.250.11", "172.30.250.12"}  # the down node has no information

    # ovs update refuses: the real line, nothing installed, no lock files left
    update.execute_update(["framework"], Model(store))
    assert log_lines() == ["+++ Starting update +++",
                           "Not all prerequisites have been met to update component framework"]
    assert not [call for call in apt.calls if call[0] == "apt-install"]
    assert not os.path.exists(paths.UPDATE_ONGOING)
    # a component without unmet prerequisites goes on (and fails on the node that does not answer)
    monkeypatch.setattr(actions, "TIMEOUT", 0.5)
    assert update.execute_update(["storagedriver"], Model(store)) is False
    lines = log_lines()
    assert "Not all prerequisites have been met to update component storagedriver" not in lines
    assert any(line.startswith("Error during update: StorageRouter cmp01 (172.30.250.21) did not answer")
               for line in lines)
    assert lines[-1] == "Failed to update. Please check all the logs for more information"


def test_update_information_vpool_proxy_backend(api, vpool, apt, store, monkeypatch):  # noqa: F811
    monkeypatch.setattr(update, "REFRESH_TIMEOUT", 0.5)
    Model(store).delete("storagerouter", "sr-0")  # only ctl01 (sr-1, its worker runs) and cmp01
    Model(store).delete("storagerouter", "sr-2")
    update.refresh_package_information(Model(store))
    info = update.get_update_information(Model(store))
    assert info["storagedriver"]["downtime"] == []  # no vDisk yet
    assert info["alba"]["downtime"] == [["proxy", "vp1"], ["backend", "b1"]]
    assert create_vdisk(api, vpool["guid"])["status"] == "SUCCESS"
    info = update.get_update_information(Model(store))
    assert info["storagedriver"]["downtime"] == [["voldrv", "vp1"]]


def test_get_update_metadata(api, nodes, store, monkeypatch):  # noqa: F811
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/" + name)
    assert task(api, "sr-1", "get_update_metadata")["result"] == \
        {"at_ok": True, "reachable": True, "update_ongoing": False}
    system.write_text(paths.UPDATE_ONGOING, "")
    assert task(api, "sr-1", "get_update_metadata")["result"]["update_ongoing"] is True
    nodes["172.30.250.21"].stop()
    assert task(api, "sr-2", "get_update_metadata")["result"] == \
        {"at_ok": True, "reachable": False, "update_ongoing": False}


def test_update_components_api_and_cli_start_in_background(api, nodes, monkeypatch):  # noqa: F811
    started = []
    monkeypatch.setattr(update, "start_background", started.append)
    result = task(api, "sr-1", "update_components", "POST", {"components": ["framework", " alba"]})
    assert result["status"] == "SUCCESS" and result["result"] is None
    assert ovs_cli.main(["update", "framework,storagedriver"]) == 0
    assert ovs_cli.main(["update", "alba"]) == 0
    assert started == [["framework", "alba"], ["framework", "storagedriver"], ["alba"]]
    status, body = api.call("POST", "/api/storagerouters/sr-1/update_components/", {})
    assert status == 406 and body["error_description"] == "Invalid data passed: components is missing"


# --- ovs update: the run -------------------------------------------------------------------

def enable(systemd, *names):
    systemd.enabled.update(names)
    systemd.active.update(names)


def test_execute_update_order_and_migration(nodes, apt, store, systemd, migrations, monkeypatch):  # noqa: F811
    monkeypatch.setattr(release, "RELEASE", 2)
    ovsdb_cluster(store, 3)
    enable(systemd, "ovs-watcher-framework", "memcached", "ovs-webapp-api", "ovs-arakoon-ovsdb", "ovs-workers")
    waits = []
    monkeypatch.setattr(system, "port_open", lambda ip, port, timeout=2.0: waits.append((ip, port)) or
                        systemd.calls.append(("wait", ip)) is None)
    assert update.execute_update(["framework", "storagedriver", "alba"], Model(store)) is True
    lines = log_lines()
    assert lines[0] == "+++ Starting update +++" and lines[-1] == "+++ Finished updating +++"
    assert [line for line in lines if "Creating lock files" in line] == \
        [f"{ip}: Creating lock files" for ip in IPS]
    assert lines.index("Updating packages") < lines.index("Updated packages") < \
        lines.index("172.30.250.11: Starting extensions code migration") < \
        lines.index("172.30.250.11: Executing post-update actions")
    assert [line for line in lines if "Restarting arakoon node" in line] == \
        [f"{ip}: Restarting arakoon node ovsdb" for ip in IPS]

    calls = [c for c in systemd.calls if c[0] in ("stop", "start", "restart", "apt-install", "wait")]
    names = [(c[0], c[1]) for c in calls]
    first_install = next(i for i, c in enumerate(calls) if c[0] == "apt-install")
    # watcher then memcached stopped on every node before any install
    assert names[:6] == [("stop", "ovs-watcher-framework")] * 3 + [("stop", "memcached")] * 3
    assert first_install == 6
    installs = [c for c in calls if c[0] == "apt-install"]
    assert len(installs) == 9 and all(ready for _, _, ready in installs)  # 3 nodes x 3 components
    assert installs[0][1] == ("openvstorage", "openvstorage-backend", "openvstorage-hc")
    # memcached started first, then the restarts, the Arakoon nodes one at a time (each waits for
    # the cluster), the watcher started last (ovs-workers a second after it answers)
    after = names[first_install + 9:]
    assert after[:3] == [("start", "memcached")] * 3
    arakoon = [i for i, c in enumerate(after) if c == ("restart", "ovs-arakoon-ovsdb")]
    assert len(arakoon) == 3 and all(after[i + 1][0] == "wait" for i in arakoon)
    assert after[-3:] == [("start", "ovs-watcher-framework")] * 3
    assert ("later", "systemctl", "restart", "ovs-workers") in systemd.calls
    assert apt.versions == {name: version for name, version in NEW.items() if name != "openvstorage-sdm"}
    assert store.get(update.MIGRATIONS_KEY) == {"release": 2}
    assert not os.path.exists(paths.UPDATE_ONGOING) and not os.path.exists(paths.READY_FOR_UPGRADE)
    # the refresh at the end: nothing left to update
    assert update.merge_package_information(Model(store)) == {}


def test_release_1_writes_no_migration(nodes, apt, store, systemd, migrations):  # noqa: F811
    assert release.RELEASE == 1
    assert update.execute_update(["framework"], Model(store)) is True
    assert store.get(update.MIGRATIONS_KEY) is None
    assert apt.versions["alba"] == OLD["alba"]  # only the framework component was updated


def test_update_lock(nodes, apt, store, systemd):  # noqa: F811
    os.makedirs(os.path.dirname(paths.UPDATE_LOCK), exist_ok=True)
    system.write_text(paths.UPDATE_ONGOING, "")  # the running update's
    with open(paths.UPDATE_LOCK, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert update.execute_update(["framework"], Model(store)) is False
    assert os.path.exists(paths.UPDATE_ONGOING)  # left to the running update
    assert log_lines() == ["+++ Starting update +++", "Another update is currently in progress!",
                           "+++ Finished updating +++"]
    assert not [call for call in apt.calls if call[0] == "apt-install"]


def test_failed_install(nodes, apt, store, systemd, migrations):  # noqa: F811
    enable(systemd, "ovs-watcher-framework")
    monkeypatch_install = apt.install
    apt.install = lambda names: (False, "E: broken") if "alba" in names else monkeypatch_install(names)
    assert update.execute_update(["framework", "alba"], Model(store)) is False
    lines = log_lines()
    assert "Error during update: Installing the packages failed on 1 or more nodes" in lines
    assert lines[-1] == "Failed to update. Please check all the logs for more information"
    assert not os.path.exists(paths.UPDATE_ONGOING)


# --- ovs local_update ---------------------------------------------------------------------

@pytest.fixture
def record(systemd, store, monkeypatch):  # noqa: F811
    """systemd runs the volume driver units' start/stop hooks (their not-served record)."""
    monkeypatch.setattr(store_module, "open_store", lambda: store)
    original = system.systemctl

    def systemctl(*args):
        command, name = args[0], args[-1]
        if name.startswith(served.VOLUMEDRIVER_PREFIX) and command in ("stop", "restart") and name in systemd.active:
            served.volumedriver_event(name, ME, False)
        result = original(*args)
        if name.startswith(served.VOLUMEDRIVER_PREFIX) and command in ("start", "restart"):
            served.volumedriver_event(name, ME, True)
        return result
    monkeypatch.setattr(system, "systemctl", systemctl)


def two_routers(api, vpool, ready, store, monkeypatch):  # noqa: F811
    """vp1 on sr-1 (ctl01) and sr-0 (ctl02, its own worker); disk1 and disk2 on sr-1."""
    monkeypatch.setattr(actions, "POLL", 0.02)
    store.set("/ovsdb/disk/disk-0", {"guid": "disk-0", "name": "sdb", "is_ssd": True, "storagerouter_guid": "sr-0",
                                     "partitions_guids": ["p-0"], "size": 100 * 1024 ** 3})
    store.set("/ovsdb/diskpartition/p-0", {
        "guid": "p-0", "disk_guid": "disk-0", "offset": 0, "size": 20 * 1024 ** 3, "state": "OK",
        "mountpoint": "/mnt/ssd9", "roles": ["DB", "DTL", "WRITE"], "storagedrivers_guids": []})
    other = workers.Worker(store, "MACHINE000000002")
    other.start()
    assert add_vpool(api, params(ready, storage_ip="172.30.250.12"), "sr-0")["status"] == "SUCCESS"
    for name in ("disk1", "disk2"):
        assert create_vdisk(api, vpool["guid"], name)["status"] == "SUCCESS"
    return other


def test_local_update_volumedriver_moves_vdisks_away(api, vpool, ready, store, systemd, apt, record,  # noqa: F811
                                                      monkeypatch, capsys):
    other = two_routers(api, vpool, ready, store, monkeypatch)
    try:
        moves = []
        original_move = local_update.vdisks.move
        monkeypatch.setattr(local_update.vdisks, "move", lambda model, guid, target: moves.append(
            (Model(store).get("vdisk", guid)["name"], target)) or original_move(model, guid, target))
        assert ovs_cli.main(["local_update", "volumedriver"]) == 0
        out = capsys.readouterr().out
        assert "Starting volumedriver update for MACHINE000000001" in out
        assert "volumedriver-no-dedup-server can be updated" in out
        assert moves == [("disk1", "sr-0"), ("disk2", "sr-0"), ("disk1", "sr-1"), ("disk2", "sr-1")]
        assert apt.versions["volumedriver-no-dedup-server"] == NEW["volumedriver-no-dedup-server"]
        assert {v["storagerouter_guid"] for v in Model(store).all("vdisk")} == {"sr-1"}
        assert ("restart", "ovs-volumedriver_vp1") in systemd.calls
        # the record: the volume driver restarted without vDisks, so none was unserved
        assert served.read() == [] and served.unserved_seconds(served.read()) == {}
        assert store.get("/ovs/framework/update/local/volumedriver") is None  # registration released
        # again: nothing to do
        assert ovs_cli.main(["local_update", "volumedriver"]) == 0
        assert capsys.readouterr().out.splitlines()[-1] == "No update is required"

        # a volume driver simply stopped: its vDisks are unserved until it starts again
        system.systemctl("stop", "ovs-volumedriver_vp1")
        report = served.intervals(served.read())
        assert len(report) == 2 and all(spans[-1][1] is None for spans in report.values())
        monkeypatch.setattr(healthcheck.store, "read_cacc", lambda: ("c", []))
        halted = healthcheck.run("volumedriver", "halted-volumes")["volumedriver-halted-volumes-test"]
        assert halted["state"] == "FAILED"
        assert {m["message"] for m in halted["messages"]["error"]} >= {"Volume disk1 of vPool vp1 is halted"}
        system.systemctl("start", "ovs-volumedriver_vp1")
        seconds = served.unserved_seconds(served.read())
        assert len(seconds) == 2 and all(value > 0 for value in seconds.values())
    finally:
        other.stop()


def test_local_update_volumedriver_nowhere_to_move(api, vpool, store, systemd, apt, capsys):  # noqa: F811
    assert create_vdisk(api, vpool["guid"])["status"] == "SUCCESS"
    assert local_update.do_update("volumedriver", store) == 21
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Exception during update of volumedriver for MACHINE000000001: Unable to migrate all volumes away "
        "from this machine: disk1")


def test_local_update_in_progress_and_not_required(root, store, systemd, apt, capsys):  # noqa: F811
    store.set("/ovs/framework/update/local/alba", {"identifier": "MACHINE000000002"})
    assert local_update.do_update("alba", store) == 3
    assert capsys.readouterr().out.splitlines()[-1].endswith(
        "An update is already in progress for component alba with identifier MACHINE000000002")
    apt.repository = dict(apt.versions)
    assert local_update.do_update("alba", store) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "No update is required"
    assert [line for line in log_lines() if line == "No update is required"]


def test_local_update_alba_no_master_and_wrong_version(root, store, systemd, apt, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(local_update, "ATTEMPT_SLEEP", 0)
    nodes = [store_module.ArakoonNode(ME, "172.30.250.11", 26406, 26407),
             store_module.ArakoonNode("MACHINE000000002", "172.30.250.12", 26406, 26407)]
    store.set_raw("/ovs/arakoon/b1-abm/config", store_module.cacc_text(nodes, "b1-abm"))
    store.set("/ovs/arakoon/b1-abm/metadata", {"internal": True, "type": "ABM", "in_use": True})
    tries = []
    monkeypatch.setattr(system, "port_open", lambda ip, port, timeout=2.0: tries.append(ip) and False)
    assert local_update.do_update("alba", store) == 61
    assert capsys.readouterr().out.splitlines()[-1].endswith(
        "Couldn't find arakoon master node after 10 attempts")
    assert tries == ["172.30.250.12"] * 10
    apt.versions["alba"] = OLD["alba"]
    apt.broken.add("alba")
    assert local_update.do_update("alba", store) == 62
    assert capsys.readouterr().out.splitlines()[-1].endswith(
        "Invalid alba version has been found and used for updating alternatives: 1.5.37-1")
    apt.broken.clear()
    monkeypatch.setattr(system, "port_open", lambda ip, port, timeout=2.0: True)
    assert local_update.do_update("alba", store) == 0
    assert ("restart", "ovs-arakoon-b1-abm") in systemd.calls


def test_cli_usage(root, capsys):  # noqa: F811
    assert ovs_cli.main(["local_update", "framework"]) == 1
    assert ovs_cli.main(["update"]) == 1


# --- the not-served record and the real package manager's parsing ------------------------

def test_served_intervals():
    lines = [{"time": 10, "vdisk_guid": "a", "served": False}, {"time": 15, "vdisk_guid": "a", "served": True},
             {"time": 20, "vdisk_guid": "b", "served": True}, {"time": 30, "vdisk_guid": "a", "served": False}]
    assert served.intervals(lines) == {"a": [[10, 15], [30, None]]}
    assert served.unserved_seconds(lines, now=40) == {"a": 15}


def test_apt_parsing(monkeypatch):
    outputs = {"dpkg-query": "alba 1.5.37-1 ii \nopenvstorage 2.7.20-1 rc \n",
               "apt-cache": "alba:\n  Installed: 1.5.37-1\n  Candidate: 1.5.38-1\n"
                            "openvstorage:\n  Installed: (none)\n  Candidate: (none)\n"}
    monkeypatch.setattr(packages.Apt, "_run", staticmethod(lambda args, env=None: type(
        "R", (), {"stdout": outputs.get(args[0], ""), "returncode": 0, "stderr": ""})()))
    apt = packages.Apt()
    assert apt.installed(["alba", "openvstorage"]) == {"alba": "1.5.37-1"}
    assert apt.candidates(["alba", "openvstorage"]) == {"alba": "1.5.38-1"}
    assert packages.version_key("1.5.38-1") > packages.version_key("1.5.37-1")
    assert packages.version_key("1.5.100-1") > packages.version_key("1.5.99-1")


def test_asd_manager_update_endpoints(store, root, systemd, apt, asd_node):  # noqa: F811
    apt.versions["openvstorage-sdm"] = OLD["openvstorage-sdm"]
    client = alba.client_for(Model(store).find_one("albanode", type="ASD"))
    info = client.call("GET", "update/package_information")
    assert info["alba"] == {"alba": {"installed": "1.5.37-1", "candidate": "1.5.38-1"},
                            "openvstorage-sdm": {"installed": "1.9.13-1", "candidate": "1.9.14-1"}}
    client.call("POST", "update/install/alba")
    assert client.call("GET", "update/installed_version_package/alba")["version"] == "1.5.38-1"
    with pytest.raises(RuntimeError, match="is not managed by the ASD manager"):
        client.call("POST", "update/install/openvstorage")


def test_update_alba_on_asd_nodes(nodes, store, systemd, apt, asd_node):  # noqa: F811
    apt.versions["openvstorage-sdm"] = OLD["openvstorage-sdm"]
    update.refresh_package_information(Model(store))
    assert update.merge_package_information(Model(store))["127.0.0.1"] == {"alba": {
        "alba": {"installed": "1.5.37-1", "candidate": "1.5.38-1"},
        "openvstorage-sdm": {"installed": "1.9.13-1", "candidate": "1.9.14-1"}}}
    assert update.execute_update(["alba"], Model(store)) is True
    installs = [call[1] for call in apt.calls if call[0] == "apt-install"]
    # the three storage routers (one set of versions here: each has the ASD manager package too),
    # then the ASD node through its manager, alba first
    assert installs == [("alba", "openvstorage-sdm")] * 3 + [("alba",), ("openvstorage-sdm",)]
    assert "ALBA Node 127.0.0.1: Updating packages alba, openvstorage-sdm" in log_lines()
    assert apt.versions["openvstorage-sdm"] == NEW["openvstorage-sdm"]
    assert log_lines()[-1] == "+++ Finished updating +++"


def test_update_log_line_shape(root, monkeypatch):  # noqa: F811
    monkeypatch.setattr(system, "hostname", lambda: "ctl01")
    update.LOG.info("+++ Starting update +++")
    line = Path(paths.UPDATE_LOG).read_text().splitlines()[0]
    assert " - ctl01 - " in line and line.endswith(" - update/lib_update - INFO - +++ Starting update +++")
    assert json.dumps(log_lines()) == '["+++ Starting update +++"]'


def test_volumedriver_unit_record(root, store, monkeypatch):  # noqa: F811
    Model(store).save("storagerouter", {"guid": "sr-1", "machine_id": ME, "ip": "172.30.250.11", "name": "ctl01"})
    Model(store).save("vpool", {"guid": "vp-1", "name": "vp1"})
    Model(store).save("vdisk", {"guid": "vd-1", "name": "disk1", "vpool_guid": "vp-1", "storagerouter_guid": "sr-1"})
    reachable = []

    def open_store():
        if not reachable:
            raise store_module.StoreUnavailable("down")
        return store
    monkeypatch.setattr(store_module, "open_store", open_store)
    unit = daemon.VolumeDriverRecord("ovs-volumedriver_vp1")  # the store is not up yet
    assert served.read() == []
    reachable.append(True)
    unit.refresh()
    unit.refresh()
    assert [(line["vdisk"], line["served"]) for line in served.read()] == [("disk1", True)]
    reachable.clear()  # stopped while the store is down: the last list seen
    unit.stopped()
    assert [(line["vdisk"], line["served"]) for line in served.read()] == [("disk1", True), ("disk1", False)]
    assert list(served.intervals(served.read())) == ["vd-1"]
