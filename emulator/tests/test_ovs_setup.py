"""ovs setup: preconfig validation texts, first master, joining masters and extras."""
import hashlib
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from ovs_emulator import ovs_cli, ovs_setup, paths, store, system, units
from ovs_emulator.ui import boxed_message
from conftest import preconfig, run_setup as run

FIRST = {"master_ip": "10.0.0.1", "master_password": "rooter"}


def error_box(*lines):
    return boxed_message(["An unexpected error occurred:", *lines])


def test_first_master(node, systemd, etcd, capsys):
    preconfig(FIRST)
    code, out = run(capsys)
    assert code == 0
    assert out.startswith(boxed_message(["Open vStorage Setup"]) + "\n")
    titles = ["Setting up connections", "Collecting cluster information", "Preparing node",
              "Setting up first node", "Finalizing setup"]
    positions = [out.index(f"\n+++ {title} +++\n") for title in titles]
    assert positions == sorted(positions)
    assert out.rstrip("\n").endswith(boxed_message(
        ["Setup complete.", "Point your browser to https://10.0.0.1 to use Open vStorage"]))

    machine_id = Path(paths.OVS_ID).read_text().strip()
    cluster_id = etcd.get("/ovs/framework/cluster_id")
    assert len(machine_id) == 16 and machine_id.isalnum()
    assert len(cluster_id) == 16 and cluster_id.isalnum()
    assert json.loads(Path(paths.FRAMEWORK_JSON).read_text()) == {
        "configuration_store": "arakoon", "cluster_id": cluster_id}
    host = f"/ovs/framework/hosts/{machine_id}"
    assert etcd.get(f"{host}/ip") == "10.0.0.1"
    assert etcd.get(f"{host}/type") == "MASTER"
    assert etcd.get(f"{host}/setupcompleted") is True
    assert etcd.get(f"{host}/promotecompleted") is True
    assert etcd.get(f"{host}/ports|arakoon") == [[26400, 26499]]
    assert etcd.get("/ovs/framework/memcache|endpoints") == ["10.0.0.1:11211"]
    assert etcd.get("/ovs/framework/messagequeue|endpoints") == ["10.0.0.1:5672"]
    assert isinstance(etcd.get("/ovs/framework/install_time"), float)
    for cluster, kind in (("config", "CFG"), ("ovsdb", "FWK"), ("voldrv", "SD")):
        assert etcd.get(f"/ovs/arakoon/{cluster}/metadata") == {"internal": True, "type": kind, "in_use": True}
    cacc = Path(paths.CACC_INI).read_text()
    assert cacc == etcd.get_raw(store.CACC_KEY)
    assert store.parse_cacc(cacc) == ("config", [store.ArakoonNode(machine_id, "10.0.0.1", 26400, 26401)])

    env = Path(paths.ETCD_ENV).read_text()
    assert f"ETCD_NAME={machine_id}\n" in env
    assert "ETCD_LISTEN_CLIENT_URLS=http://10.0.0.1:26400\n" in env
    assert f"ETCD_INITIAL_CLUSTER={machine_id}=http://10.0.0.1:26401\n" in env
    assert "ETCD_INITIAL_CLUSTER_STATE=new\n" in env
    assert "ETCD_DATA_DIR=/opt/OpenvStorage/db/arakoon/config\n" in env

    expected = set(units.MASTER_SERVICES + units.FRAMEWORK_SERVICES)
    assert expected <= systemd.enabled and expected <= systemd.active
    assert Path(paths.SSL_CERT).exists() and Path(paths.SSL_KEY).exists()

    users = [etcd.get(f"/ovsdb/user/{guid}") for guid in etcd.list("/ovsdb/user")]
    assert [(u["username"], u["password"]) for u in users] == [
        ("admin", hashlib.sha256(b"admin").hexdigest())]
    group = etcd.get(f"/ovsdb/group/{users[0]['group_guid']}")
    assert group["name"] == "administrators" and group["role_codes"] == ["ro", "rw", "manage"]
    clients = [etcd.get(f"/ovsdb/client/{guid}") for guid in etcd.list("/ovsdb/client")]
    assert [(c["ovs_type"], c["grant_type"], c["user_guid"]) for c in clients] == [
        ("INTERNAL", "PASSWORD", users[0]["guid"])]
    routers = [etcd.get(f"/ovsdb/storagerouter/{guid}") for guid in etcd.list("/ovsdb/storagerouter")]
    assert [(r["name"], r["ip"], r["machine_id"], r["node_type"]) for r in routers] == [
        ("ctl01", "10.0.0.1", machine_id, "MASTER")]


def test_certificate_san(node, capsys):
    preconfig(FIRST)
    run(capsys)
    text = os.popen(f"openssl x509 -in {paths.SSL_CERT} -noout -text").read()
    assert "IP Address:10.0.0.1" in text and "DNS:ctl01" in text and "IP Address:127.0.0.1" in text


def test_rerun_refused(node, capsys):
    preconfig(FIRST)
    assert run(capsys)[0] == 0
    code, out = run(capsys)
    assert code == 1
    assert error_box("This node has already been configured for Open vStorage. "
                     "Re-running the setup is not supported.") in out


def test_no_heartbeats(node, systemd, etcd, capsys):
    preconfig({**FIRST, "enable_heartbeats": False})
    code, out = run(capsys)
    assert code == 0 and "Open vStorage securely sends" not in out
    assert "ovs-support-agent" not in systemd.enabled
    assert etcd.get("/ovs/framework/support|enabled") is False


@pytest.mark.parametrize("content, lines", [
    ("{bad", ["JSON contents could not be retrieved from file {preconfig}.",
              "Error message: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"]),
    ('{"nosetup": {}}', ['The OpenvStorage pre-configuration file must contain a "setup" key with a '
                         'dictionary as value']),
    ({**FIRST, "colour": "red"}, [
        "Errors found while verifying pre-configuration:",
        " - Key colour is not supported by OpenvStorage to be used in the pre-configuration JSON", "",
        "Allowed keys:", " - cluster_ip", " - enable_heartbeats", " - external_config",
        " - logging_target", " - master_ip", " - master_password", " - node_type", " - rdma", " - rollback"]),
    ({"master_password": "x"}, ['Missing required param "master_ip" in actual parameters']),
    ({"master_ip": "10.0.0.1"}, ['Missing required param "master_password" in actual parameters']),
    ({**FIRST, "master_ip": "10.0.0.300"}, [
        'Mandatory param "master_ip" with value "10.0.0.300" does not match regex '
        '"^(((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))$"']),
    ({**FIRST, "cluster_ip": "a.b"}, [
        'Optional param "cluster_ip" with value "a.b" does not match regex '
        '"^(((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))$"']),
    ({**FIRST, "master_password": 5}, [
        'Mandatory param "master_password" is of type "<type \'int\'>" but we expected type "<type \'str\'>"']),
    ({**FIRST, "node_type": "slave"}, [
        'Optional param "node_type" with value "slave" should be 1 of the following: [\'master\', \'extra\']']),
    ({**FIRST, "rdma": "yes", "enable_heartbeats": 1}, [
        'Optional param "enable_heartbeats" is of type "<type \'int\'>" but we expected type "<type \'bool\'>"',
        'Optional param "rdma" is of type "<type \'unicode\'>" but we expected type "<type \'bool\'>"']),
    ({**FIRST, "logging_target": "console"}, [
        'Optional param "logging_target" is of type "<type \'unicode\'>" but we expected type "<type \'dict\'>"']),
    ({**FIRST, "node_type": "extra"}, ['A 1st node can never be installed as an "extra" node']),
    ({**FIRST, "master_ip": "10.0.0.9"}, ["Master IP provided 10.0.0.9 is not in the list of local IPs: 10.0.0.1"]),
])
def test_preconfig_errors(node, systemd, etcd, capsys, content, lines):
    preconfig(content)
    code, out = run(capsys)
    assert code == 1
    lines = [line.replace("{preconfig}", paths.PRECONFIG) for line in lines]
    assert error_box(*lines) in out
    assert not os.path.exists(paths.FRAMEWORK_JSON) and not systemd.enabled and not etcd.data


def test_missing_preconfig(node, capsys):
    code, out = run(capsys)
    assert code == 1 and "An unexpected error occurred:" in out and "preconfig.json" in out


def test_join_masters_then_extra(cluster, etcd, systemd):
    assert cluster.setup("10.0.0.1", "ctl01")[0] == 0
    code, out = cluster.setup("10.0.0.2", "ctl02")
    assert code == 0, out
    for title in ("Adding extra node", "Promoting node", "Finalizing setup"):
        assert f"+++ {title} +++" in out or title == "Finalizing setup"
    assert boxed_message(["Setup complete.", "Point your browser to https://10.0.0.2 to use Open vStorage"]) in out
    assert cluster.host("ctl02", "type") == "MASTER" and cluster.host("ctl02", "promotecompleted") is True
    assert etcd.members[0]["peerURLs"] == ["http://10.0.0.2:26401"]
    env = (cluster.tmp / "ctl02/etc/default/ovs-arakoon-config").read_text()
    assert "ETCD_INITIAL_CLUSTER_STATE=existing" in env
    ctl02_cacc = (cluster.tmp / "ctl02/opt/OpenvStorage/config/arakoon_cacc.ini").read_text()
    assert ctl02_cacc == etcd.get_raw(store.CACC_KEY)
    assert [n.ip for n in store.parse_cacc(ctl02_cacc)[1]] == ["10.0.0.1", "10.0.0.2"]
    assert etcd.get("/ovs/framework/memcache|endpoints") == ["10.0.0.1:11211", "10.0.0.2:11211"]
    assert {"memcached", "rabbitmq-server", "ovs-arakoon-config"} <= systemd.active

    assert cluster.setup("10.0.0.3", "ctl03")[0] == 0
    assert cluster.host("ctl03", "type") == "MASTER"
    code, out = cluster.setup("10.0.0.21", "cmp01")
    assert code == 0
    assert "+++ Promoting node +++" not in out
    assert boxed_message(["Setup complete.", "Point your browser to https://10.0.0.1 to use Open vStorage"]) in out
    assert cluster.host("cmp01", "type") == "EXTRA" and cluster.host("cmp01", "setupcompleted") is True
    assert not {"memcached", "rabbitmq-server", "ovs-arakoon-config"} & (systemd.enabled | systemd.active)
    assert set(units.FRAMEWORK_SERVICES) <= systemd.active
    assert len(store.parse_cacc(etcd.get_raw(store.CACC_KEY))[1]) == 3
    routers = {r["name"]: r["node_type"] for r in
               (etcd.get(f"/ovsdb/storagerouter/{g}") for g in etcd.list("/ovsdb/storagerouter"))}
    assert routers == {"ctl01": "MASTER", "ctl02": "MASTER", "ctl03": "MASTER", "cmp01": "EXTRA"}
    # a 4th node asking for master becomes one; an extra stays extra even with few masters
    assert cluster.setup("10.0.0.4", "ctl04", node_type="master")[0] == 0
    assert cluster.host("ctl04", "type") == "MASTER"


def test_extra_requested_with_few_masters(cluster):
    cluster.setup("10.0.0.1", "ctl01")
    assert cluster.setup("10.0.0.21", "cmp01", node_type="extra")[0] == 0
    assert cluster.host("cmp01", "type") == "EXTRA"


def test_join_wrong_password_changes_nothing(cluster, etcd):
    cluster.setup("10.0.0.1", "ctl01")
    before = dict(etcd.data)
    (cluster.tmp / "ctl02/etc").mkdir(parents=True)
    (cluster.tmp / "ctl02/etc/openvstorage_id").write_text("abcdefgh12345678\n")
    code, out = cluster.setup("10.0.0.2", "ctl02", master_password="wrong")
    assert code == 1
    assert error_box("Could not connect to master node 10.0.0.1 as root: authentication failed, "
                     "the master_password is not correct") in out
    assert etcd.data == before
    files = sorted(str(p.relative_to(cluster.tmp / "ctl02")) for p in (cluster.tmp / "ctl02").rglob("*") if p.is_file())
    assert files == ["etc/openvstorage_id", "opt/OpenvStorage/config/preconfig.json"]


def test_join_errors(cluster):
    cluster.setup("10.0.0.1", "ctl01")
    code, out = cluster.setup("10.0.0.2", "ctl02", cluster_ip="10.0.0.1")  # "first node" on another machine
    assert code == 1 and error_box("Master IP provided 10.0.0.1 is not in the list of local IPs: 10.0.0.2") in out
    cluster.monkeypatch.setattr(system, "local_ips", lambda: ["10.0.0.5"])
    preconfig({"master_ip": "10.0.0.1", "master_password": "rooter", "cluster_ip": "10.0.0.6"})
    code, out = run(cluster.capsys)
    assert code == 1 and error_box("Cluster IP provided 10.0.0.6 is not in the list of local IPs: 10.0.0.5") in out


def test_asd_manager_setup_launched(node, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(ovs_setup, "subprocess", SimpleNamespace(run=lambda args, check: calls.append(args)))
    Path(paths.ASD_MANAGER_BIN).parent.mkdir(parents=True, exist_ok=True)
    Path(paths.ASD_MANAGER_BIN).write_text("")
    preconfig(FIRST)
    code, out = run(capsys)
    assert code == 0
    assert "\nA local ASD Manager was detected for which the setup will now be launched.\n" in out
    assert calls == [[paths.ASD_MANAGER_BIN, "setup"]]


def test_promote_demote_usage(node, capsys):
    assert ovs_cli.main(["setup", "bogus"]) == 1
    assert ovs_cli.main(["setup", "promote", "10.0.0.1"]) == 1
    assert ovs_cli.main(["setup", "demote", "10.0.0.1", "10.0.0.2"]) == 1
    assert ovs_cli.main(["remove", "node"]) == 1
    assert capsys.readouterr().err.count("Usage:") == 4
