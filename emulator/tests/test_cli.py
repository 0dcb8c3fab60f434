"""ovs config / monitor, alba and asd-manager command lines, hardware, daemon."""
import json
import socket
from pathlib import Path

import pytest

from ovs_emulator import alba_cli, asd_cli, daemon, hardware, ovs_cli, paths, store
from ovs_emulator.ui import boxed_message


@pytest.fixture
def configured(node, etcd):
    etcd.set("/ovs/framework/cluster_id", "abcdefgh12345678")
    etcd.set("/ovs/framework/hosts/m1/ip", "10.0.0.1")
    etcd.set("/ovs/framework/hosts/m1/ports", {"arakoon": [[26400, 26499]]})
    etcd.set("/ovs/framework/memcache", {"endpoints": ["10.0.0.1:11211"]})
    etcd.set("/ovsdb/user/1234", {"guid": "1234"})
    etcd.set("/albamgr/b1-abm/alba_id", "x")
    return etcd


def run(capsys, *argv):
    code = ovs_cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_config_list(configured, capsys):
    assert run(capsys, "config", "list") == (0, "ovs\n", "")
    assert run(capsys, "config", "list", "/ovs/framework") == (0, "cluster_id\nhosts\nmemcache\n", "")
    assert run(capsys, "config", "list", "ovs/framework/hosts/m1/") == (0, "ip\nports\n", "")


def test_config_list_recursive(configured, capsys):
    assert run(capsys, "config", "list-recursive", "/ovs/framework")[1].splitlines() == [
        "ovs/framework/cluster_id", "ovs/framework/hosts/", "ovs/framework/hosts/m1/",
        "ovs/framework/hosts/m1/ip", "ovs/framework/hosts/m1/ports", "ovs/framework/memcache"]
    assert "ovsdb" not in run(capsys, "config", "list-recursive")[1]
    assert "albamgr" not in run(capsys, "config", "list-recursive")[1]
    assert run(capsys, "config", "list-recursive")[1].splitlines()[:2] == ["ovs/", "ovs/framework/"]


def test_config_get(configured, capsys):
    assert run(capsys, "config", "get", "/ovs/framework/cluster_id") == (0, '"abcdefgh12345678"\n', "")
    assert run(capsys, "config", "get", "/ovs/framework/hosts/m1/ports")[1] == (
        '{\n    "arakoon": [\n        [\n            26400,\n            26499\n        ]\n    ]\n}\n')
    assert run(capsys, "config", "get", "/ovs/framework/memcache|endpoints") == (
        0, '[\n    "10.0.0.1:11211"\n]\n', "")
    assert run(capsys, "config", "get", "/ovs/nothing") == (1, "", "Key /ovs/nothing does not exist\n")
    assert run(capsys, "config", "get")[0] == 1
    assert run(capsys, "config", "edit", "/x")[0] == 1


def test_config_without_store(root, capsys):
    code, out, err = run(capsys, "config", "list")
    assert code == 1 and "arakoon_cacc.ini not found" in err


def test_usage(capsys):
    code, out, err = run(capsys)
    assert code == 1 and err.startswith("Usage:")
    assert run(capsys, "bogus")[0] == 1


def test_healthcheck_needs_package(root, capsys):
    code, _, err = run(capsys, "healthcheck", "--to-json")
    assert code == 1 and "openvstorage-hc" in err


def test_monitor_services(node, systemd, capsys):
    systemd.enabled |= {"ovs-workers", "ovs-support-agent", "memcached"}
    systemd.active |= {"ovs-workers", "memcached"}
    code, out, _ = run(capsys, "monitor", "services")
    assert code == 0
    assert out.splitlines() == [
        "Running processes",
        f"    {'memcached':<40} running   (pid 4242)",
        f"    {'ovs-workers':<40} running   (pid 4242)",
        "",
        "Non-running processes",
        f"    {'ovs-support-agent':<40} stopped"]


# --- alba ------------------------------------------------------------------------------

def test_alba_version(capsys):
    assert alba_cli.main(["version"]) == 0
    assert capsys.readouterr().out == "1.5.37\n"


@pytest.mark.parametrize("argv", [[], ["bogus"], ["list-presets"], ["--to-json"]])
def test_alba_usage(capsys, argv):
    assert alba_cli.main(argv) == 1
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("alba: ") and "Usage: alba COMMAND" in out.err


def test_alba_failure_exit_codes(capsys):
    assert alba_cli.main(["list-presets", "--config=arakoon://x", "--to-json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["success"] is False
    assert set(answer["error"]) == {"message", "exception_type", "exception_code"}
    assert alba_cli.main(["list-presets", "--config=arakoon://x"]) == 2


# --- asd-manager -----------------------------------------------------------------------

def asd_preconfig(content):
    path = Path(paths.SDM_PRECONFIG)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps({"asdmanager": content}))


def asd_setup(capsys):
    code = asd_cli.main(["setup"])
    return code, capsys.readouterr().out


@pytest.fixture
def storage_node(node, monkeypatch):
    store.write_cacc([store.ArakoonNode("m1", "10.0.0.11")])
    return node


def test_asd_setup(storage_node, etcd, systemd, capsys):
    asd_preconfig({"api_ip": "10.0.0.1", "asd_ips": ["10.0.0.1"], "configuration_store": "arakoon"})
    code, out = asd_setup(capsys)
    assert code == 0
    assert out == "\n".join([boxed_message(["ASD Manager setup"]), " - Store settings in DB",
                             " - Deploying and starting services", " - Starting watcher service",
                             boxed_message(["ASD Manager setup completed"])]) + "\n"
    node_id = Path(paths.SDM_ID).read_text().strip()
    assert len(node_id) == 16 and node_id.isalnum()
    main = etcd.get(f"/ovs/alba/asdnodes/{node_id}/config/main")
    assert {k: v for k, v in main.items() if k != "password"} == {
        "ip": "10.0.0.1", "port": 8500, "node_id": node_id, "version": 0, "username": "root"}
    assert len(main["password"]) == 32
    assert etcd.get(f"/ovs/alba/asdnodes/{node_id}/config/network") == {"ips": ["10.0.0.1"], "port": 8600}
    assert {"asd-manager", "asd-watcher"} <= systemd.active & systemd.enabled
    assert Path(paths.SDM_SSL_CERT).exists()
    code, out = asd_setup(capsys)
    assert code == 1 and boxed_message(["The ASD Manager is already installed."]) in out


@pytest.mark.parametrize("content, lines", [
    ({"api_ip": "10.0.0.1", "api_port": 8650}, ["API port cannot be in the range of the ASD port + 100"]),
    ({"api_ip": "10.0.0.9"}, ["Unknown API IP provided, please choose from: 10.0.0.1"]),
    ({"api_ip": "10.0.0.1", "asd_ips": ["10.0.0.7"]}, ["Unknown ASD IP provided, please choose from: 10.0.0.1"]),
    ({"api_ip": "10.0.0.1", "port": 1}, [
        "Errors found while verifying pre-configuration:", " - Key port is not supported by the ASD manager", "",
        "Allowed keys:", " - api_ip", " - api_port", " - asd_ips", " - asd_start_port",
        " - configuration_store", " - ipmi"]),
    ({"api_ip": "10.0.0.1", "api_port": 80}, [
        "The asd-manager pre-configuration file does not contain correct information", "",
        'Optional param "api_port" with value "80" should be in range: 1025 - 65535']),
    ({"api_port": 8500}, ["The asd-manager pre-configuration file does not contain correct information", "",
                          'Missing required param "api_ip" in actual parameters']),
    ({"api_ip": "10.0.0.1", "asd_ips": ["x"]}, [
        "The asd-manager pre-configuration file does not contain correct information", "",
        'Optional param "asd_ips" has an item "x" which does not match regex '
        '"^(((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))$"']),
    ({"api_ip": "10.0.0.1", "configuration_store": "etcd"}, [
        "The asd-manager pre-configuration file does not contain correct information", "",
        'Optional param "configuration_store" with value "etcd" should be 1 of the following: [\'arakoon\']']),
    ({"api_ip": "10.0.0.1", "ipmi": {"ip": "10.0.0.50", "username": "admin"}}, [
        "The asd-manager pre-configuration file does not contain correct information", "",
        'Missing required param "pwd" in actual parameters']),
    ("[]", ['The ASD manager pre-configuration file must contain a "asdmanager" key with a dictionary as value']),
])
def test_asd_setup_errors(storage_node, etcd, systemd, capsys, content, lines):
    asd_preconfig(content)
    code, out = asd_setup(capsys)
    assert code == 1
    assert boxed_message(lines) in out
    assert not systemd.enabled and not etcd.data


def test_asd_setup_needs_cacc(node, systemd, capsys):
    asd_preconfig({"api_ip": "10.0.0.1"})
    code, out = asd_setup(capsys)
    assert code == 1 and boxed_message([
        "Please place a copy of the Arakoon's client configuration file at: "
        "/opt/OpenvStorage/config/arakoon_cacc.ini"]) in out


def test_asd_usage(capsys):
    assert asd_cli.main([]) == 1 and asd_cli.main(["remove", "--force-yes"]) == 1


# --- hardware and daemon ---------------------------------------------------------------

def test_hardware(root):
    Path(paths.HARDWARE_JSON).parent.mkdir(parents=True)
    Path(paths.HARDWARE_JSON).write_text(json.dumps({"disks": [
        {"name": "sdc", "size": 2 ** 30, "is_ssd": True, "serial": "S2"},
        {"name": "sdb", "size": 2 ** 31, "is_ssd": False, "serial": "S1"}]}))
    disks = hardware.disks()
    assert [d["name"] for d in disks] == ["sdb", "sdc"]
    assert disks[0] == {"name": "sdb", "device": "/dev/sdb", "size": 2 ** 31, "is_ssd": False, "serial": "S1",
                        "aliases": ["/dev/disk/by-id/ata-QEMU_HARDDISK_S1"], "slot_id": "ata-QEMU_HARDDISK_S1"}
    assert list(hardware.slots()) == ["ata-QEMU_HARDDISK_S1", "ata-QEMU_HARDDISK_S2"]


def test_hardware_missing(root):
    assert hardware.disks() == []


def test_daemon_syncs_cacc(node, etcd):
    store.write_cacc([store.ArakoonNode("m1", "10.0.0.1")])
    assert daemon.sync_cacc() is False
    etcd.set_raw(store.CACC_KEY, store.cacc_text([store.ArakoonNode("m1", "10.0.0.1"),
                                                  store.ArakoonNode("m2", "10.0.0.2")]))
    assert daemon.sync_cacc() is True
    assert [n.name for n in store.read_cacc()[1]] == ["m1", "m2"]


def test_daemon_listens():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    import threading
    threading.Thread(target=daemon._serve, args=(port,), daemon=True).start()
    import time
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("daemon does not listen")
