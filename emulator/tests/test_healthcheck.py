"""ovs healthcheck: JSON shape, states, a stopped service and a lost master."""
import json
import socket
from pathlib import Path

import pytest

from ovs_emulator import healthcheck, paths, store, system, units


@pytest.fixture
def master(node, systemd, monkeypatch):
    """A master whose services all run; listening ports are given by ``open_ports``."""
    Path(paths.OVS_ID).parent.mkdir(parents=True, exist_ok=True)
    Path(paths.OVS_ID).write_text("m1\n")
    store.write_cacc([store.ArakoonNode("m1", "10.0.0.1"), store.ArakoonNode("m2", "10.0.0.2"),
                      store.ArakoonNode("m3", "10.0.0.3")])
    services = units.services_for("MASTER")
    systemd.enabled |= set(services)
    systemd.active |= set(services)
    open_ports = {(ip, port) for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3")
                  for ports in units.ARAKOON_PORTS.values() for port in ports}
    open_ports |= {("10.0.0.1", port) for service in services for port in units.ports_of(service)}
    monkeypatch.setattr(system, "port_open", lambda ip, port, timeout=2.0: (ip, port) in open_ports)
    return open_ports


def run_json(capsys, *args):
    assert healthcheck.main(["--to-json", *args]) == 0
    out = capsys.readouterr().out
    assert out == json.dumps(json.loads(out), indent=4, sort_keys=True) + "\n"
    return json.loads(out)


def test_all_green(master, capsys):
    results = run_json(capsys)
    assert sorted(results) == ["arakoon-nodes-test", "arakoon-ports-test", "ovs-packages-test",
                               "ovs-ports-test", "ovs-processes-test"]
    for name, result in results.items():
        assert set(result) == {"state", "messages"}
        assert set(result["messages"]) == {"error", "exception", "skip", "success", "warning"}
        assert all(set(m) == {"code", "message"} for ms in result["messages"].values() for m in ms)
    assert {name: r["state"] for name, r in results.items()} == {
        "arakoon-nodes-test": "SUCCESS", "arakoon-ports-test": "SUCCESS",
        "ovs-packages-test": "WARNING",  # the optional alba is left with config-files only
        "ovs-ports-test": "SUCCESS", "ovs-processes-test": "SUCCESS"}
    assert {"code": "FWK0200", "message": "Service ovs-workers is running!"} in \
        results["ovs-processes-test"]["messages"]["success"]


def test_stopped_service(master, systemd, capsys):
    systemd.active.discard("ovs-workers")
    result = run_json(capsys, "ovs", "processes")
    assert list(result) == ["ovs-processes-test"]
    assert result["ovs-processes-test"]["state"] == "FAILED"
    assert result["ovs-processes-test"]["messages"]["error"] == [
        {"code": "FWK0201", "message": "Service ovs-workers is not running!"}]


def test_lost_master(master, capsys):
    for port in (26400, 26401, 26402, 26403, 26404, 26405):
        master.discard(("10.0.0.3", port))
    result = run_json(capsys, "arakoon")["arakoon-nodes-test"]
    assert result["state"] == "FAILED"
    assert {"code": "ARA0101", "message": "Node m3 of Arakoon cluster config is not reachable on 10.0.0.3:26400"} \
        in result["messages"]["error"]
    master.discard(("10.0.0.2", 26400))
    result = run_json(capsys, "arakoon", "nodes")["arakoon-nodes-test"]
    assert {"code": "ARA0103", "message": "Arakoon cluster config has no quorum: 1 of 3 nodes reachable"} \
        in result["messages"]["error"]


def test_extra_node_skips_arakoon_ports(master, systemd, capsys):
    systemd.enabled.discard("ovs-arakoon-config")
    result = run_json(capsys, "arakoon", "ports")["arakoon-ports-test"]
    assert result["state"] == "SKIPPED"


def test_unattended_and_usage(master, capsys):
    assert healthcheck.main(["--unattended", "ovs", "processes"]) == 0
    assert capsys.readouterr().out == "ovs-processes-test SUCCESS\n"
    assert healthcheck.main(["nomodule"]) == 1
    assert healthcheck.main(["ovs", "notest"]) == 1
    assert healthcheck.main(["ovs"]) == 0
    assert "[SUCCESS] Service ovs-workers is running!" in capsys.readouterr().out


def test_real_port_probe():
    with socket.create_server(("127.0.0.1", 0)) as server:
        assert system.port_open("127.0.0.1", server.getsockname()[1])
