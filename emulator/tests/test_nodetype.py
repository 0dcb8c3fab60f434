"""ovs setup promote|demote [<ip>] [--rollback-on-failure]: refusals (texts, exit 1), the store
membership and Arakoon inis growing and shrinking, endpoints, services, hooks, rollback."""
from pathlib import Path

import pytest

from ovs_emulator import arakoon, hooks, model, nodetype, paths, store, units
from ovs_emulator.ui import boxed_message

CTL = {"10.0.0.1": "ctl01", "10.0.0.2": "ctl02", "10.0.0.3": "ctl03"}
CMP = "10.0.0.21"


def error_box(text):
    return boxed_message(["An unexpected error occurred:", text])


@pytest.fixture
def nodes(cluster, etcd):
    """Three masters and one extra; the first master's etcd member is in the member list."""
    for ip, name in CTL.items():
        assert cluster.setup(ip, name)[0] == 0
    assert cluster.setup(CMP, "cmp01")[0] == 0
    etcd.members.insert(0, {"ID": "100", "name": cluster.machine_id("10.0.0.1"),
                            "peerURLs": ["http://10.0.0.1:26401"]})
    return cluster


def peers(etcd):
    return sorted(member["peerURLs"][0] for member in etcd.members)


def cluster_ips(etcd, name):
    return [node.ip for node in arakoon.cluster_nodes(etcd, name)]


def router(etcd, ip):
    return next(r for r in model.objects(etcd, "storagerouter") if r["ip"] == ip)


def in_order(out, lines):
    positions = [out.index(line) for line in lines]
    assert positions == sorted(positions), out


def test_promote_extra(nodes, etcd):
    assert len(etcd.members) == 3
    code, out = nodes.ovs(CMP, "setup", "promote")
    assert code == 0, out
    assert out.startswith(boxed_message(["Open vStorage Setup - Promote"]) + "\n")
    in_order(out, ["+++ Collecting information +++", "+++ Promoting node +++",
                   "Joining Arakoon configuration cluster\n", "Joining Arakoon OVS DB cluster\n",
                   "Setting up Memcached\n", "Adding services\n", "Update configurations\n",
                   "Setting up RabbitMQ\n", "Update existing vPools\n", "Starting services\n",
                   "Restarting services\n", "Promote complete\n"])
    assert out.rstrip("\n").endswith(boxed_message(["Promote complete."]))
    assert etcd.members[-1]["peerURLs"] == ["http://10.0.0.21:26401"] and len(etcd.members) == 4
    env = (nodes.roots[CMP] / "etc/default/ovs-arakoon-config").read_text()
    assert "ETCD_INITIAL_CLUSTER_STATE=existing\n" in env and "ETCD_NAME=" + nodes.machine_id(CMP) in env
    for name in ("config", "ovsdb", "voldrv"):
        assert cluster_ips(etcd, name) == list(CTL) + [CMP]
    cacc = (nodes.roots[CMP] / "opt/OpenvStorage/config/arakoon_cacc.ini").read_text()
    assert cacc == etcd.get_raw(store.CACC_KEY)
    assert etcd.get("/ovs/framework/memcache|endpoints")[-1] == "10.0.0.21:11211"
    assert etcd.get("/ovs/framework/messagequeue|endpoints")[-1] == "10.0.0.21:5672"
    assert len(etcd.get("/ovs/framework/memcache|endpoints")) == 4
    assert nodes.host("cmp01", "type") == "MASTER" and nodes.host("cmp01", "promotecompleted") is True
    assert router(etcd, CMP)["node_type"] == "MASTER"
    enabled, active = nodes.units[CMP]
    assert set(units.MASTER_SERVICES + units.FRAMEWORK_SERVICES) <= enabled & active
    # promoting again is refused
    code, out = nodes.ovs(CMP, "setup", "promote")
    assert code == 1 and error_box("This node is already master.") in out


def test_promote_refusals(nodes, etcd):
    code, out = nodes.ovs("10.0.0.2", "setup", "promote")
    assert code == 1 and error_box("This node is already master.") in out
    for ip in CTL:  # an extra without any master in the model
        obj = router(etcd, ip)
        model.save(etcd, "storagerouter", dict(obj, node_type="EXTRA"))
    before = dict(etcd.data)
    code, out = nodes.ovs(CMP, "setup", "promote")
    assert code == 1 and error_box("No master node could be found") in out
    assert etcd.data == before and len(etcd.members) == 3


def test_no_local_setup(cluster, tmp_path, etcd):
    cluster.roots["10.0.0.9"], cluster.names["10.0.0.9"] = tmp_path / "new", "new"
    for action in ("promote", "demote"):
        code, out = cluster.ovs("10.0.0.9", "setup", action)
        assert code == 1 and error_box("No local OVS setup found.") in out
        assert out.startswith(boxed_message([f"Open vStorage Setup - {action.capitalize()}"]))
    assert cluster.ovs("10.0.0.9", "setup", "promote", "10.0.0.1")[0] == 1  # usage
    assert not etcd.data


def test_demote_and_promote_again(nodes, etcd):
    ctl03 = nodes.machine_id("10.0.0.3")
    code, out = nodes.ovs("10.0.0.3", "setup", "demote")
    assert code == 0, out
    assert out.startswith(boxed_message(["Open vStorage Setup - Demote"]))
    in_order(out, ["+++ Demoting node +++", "Leaving Arakoon ovsdb cluster\n",
                   "Leaving Arakoon config cluster\n", "Update configurations\n",
                   "Removing/unconfiguring RabbitMQ\n", "Stopping services\n", "Stopping service rabbitmq-server\n",
                   "Removing services\n", "Removing service volumerouter-consumer\n",
                   "Restarting services\n", "+++ Demote complete +++"])
    assert out.rstrip("\n").endswith(boxed_message(["Demote complete."]))
    assert len(etcd.members) == 2 and "http://10.0.0.3:26401" not in peers(etcd)
    for name in ("config", "ovsdb", "voldrv"):
        assert cluster_ips(etcd, name) == ["10.0.0.1", "10.0.0.2"]
    assert "10.0.0.3:11211" not in etcd.get("/ovs/framework/memcache|endpoints")
    assert etcd.get("/ovs/framework/messagequeue|endpoints") == ["10.0.0.1:5672", "10.0.0.2:5672"]
    assert etcd.get(f"/ovs/framework/hosts/{ctl03}/type") == "EXTRA"
    assert router(etcd, "10.0.0.3")["node_type"] == "EXTRA"
    enabled, active = nodes.units["10.0.0.3"]
    assert not set(units.MASTER_SERVICES) & (enabled | active)
    assert set(units.FRAMEWORK_SERVICES) <= enabled & active
    root = nodes.roots["10.0.0.3"]
    assert not (root / "opt/OpenvStorage/db/arakoon/config").exists()
    local = store.parse_cacc((root / "opt/OpenvStorage/config/arakoon_cacc.ini").read_text())[1]
    assert [node.ip for node in local] == ["10.0.0.1", "10.0.0.2"]
    # demoting again is refused; promoting brings it back: 3 -> 2 -> 3
    code, out = nodes.ovs("10.0.0.3", "setup", "demote")
    assert code == 1 and error_box("This node should be a master.") in out
    assert nodes.ovs("10.0.0.3", "setup", "promote")[0] == 0
    assert len(etcd.members) == 3 and cluster_ips(etcd, "config") == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert etcd.get(f"/ovs/framework/hosts/{ctl03}/type") == "MASTER"


def test_demote_refusals(cluster, etcd, monkeypatch):
    assert cluster.setup("10.0.0.1", "ctl01")[0] == 0
    assert cluster.setup(CMP, "cmp01", node_type="extra")[0] == 0
    code, out = cluster.ovs(CMP, "setup", "demote")
    assert code == 1 and error_box("This node should be a master.") in out
    code, out = cluster.ovs("10.0.0.1", "setup", "demote")
    assert code == 1 and error_box("It is not possible to remove the only master") in out
    assert cluster.setup("10.0.0.2", "ctl02")[0] == 0
    # an ABM cluster on ctl02 only
    etcd.set_raw("/ovs/arakoon/b1-abm/config", store.cacc_text(
        [store.ArakoonNode(cluster.machine_id("10.0.0.2"), "10.0.0.2", 26406, 26407)], "b1-abm"))
    etcd.set("/ovs/arakoon/b1-abm/metadata", {"internal": True, "type": "ABM", "in_use": True})
    before = dict(etcd.data)
    code, out = cluster.ovs("10.0.0.2", "setup", "demote")
    assert code == 1 and error_box("Demote is not supported when single node Arakoon cluster(s) are "
                                   "present on the node to be demoted.") in out
    assert etcd.data == before
    # a plugin refusing (validate_demote runs before any change)
    etcd.delete("/ovs/arakoon/b1-abm", recursive=True)
    seen = []

    def refuse(config_store, machine_id, ip):
        seen.append((machine_id, ip))
        raise hooks.HookRefusal("No other available nodes found in the ABM cluster")
    monkeypatch.setitem(hooks.HOOKS, "nodetype.validate_demote", [refuse])
    before = dict(etcd.data)
    code, out = cluster.ovs("10.0.0.2", "setup", "demote")
    assert code == 1 and error_box("No other available nodes found in the ABM cluster") in out
    assert seen == [(cluster.machine_id("10.0.0.2"), "10.0.0.2")] and etcd.data == before


def test_demote_offline_node(nodes, etcd):
    # the named node is online: refused
    code, out = nodes.ovs("10.0.0.1", "setup", "demote", "10.0.0.3")
    assert code == 1 and error_box(nodetype.NODE_ONLINE) in out
    code, out = nodes.ovs("10.0.0.1", "setup", "demote", "10.0.0.300")
    assert code == 1 and error_box("Incorrect IP provided (10.0.0.300)") in out
    code, out = nodes.ovs("10.0.0.1", "setup", "demote", CMP)
    assert code == 1 and error_box("This node should be a master.") in out
    # ctl03's container stopped
    nodes.online.discard("10.0.0.3")
    before = set(nodes.units["10.0.0.3"][1])
    code, out = nodes.ovs("10.0.0.1", "setup", "demote", "10.0.0.3")
    assert code == 0, out
    assert "Removing/unconfiguring offline RabbitMQ node\n" in out and "Stopping services" not in out
    assert len(etcd.members) == 2 and cluster_ips(etcd, "config") == ["10.0.0.1", "10.0.0.2"]
    assert nodes.host("ctl03", "type") == "EXTRA"
    assert nodes.units["10.0.0.3"][1] == before  # nothing ran on the dead node


def test_demote_offline_without_responsive_master(nodes):
    nodes.online.difference_update(CTL)
    code, out = nodes.ovs(CMP, "setup", "demote", "10.0.0.3")
    assert code == 1 and error_box("Failed to retrieve another responsive MASTER node") in out


def test_promote_rollback(nodes, etcd, systemd):
    nodes.as_node(CMP)
    systemd.fail.add("ovs-webapp-api")
    code, out = nodes.ovs(CMP, "setup", "promote", "--rollback-on-failure")
    assert code == 1
    assert error_box("systemctl start ovs-webapp-api failed: failed") in out
    assert "+++ Demoting node +++" in out
    assert len(etcd.members) == 3 and cluster_ips(etcd, "config") == list(CTL)
    assert CMP + ":11211" not in etcd.get("/ovs/framework/memcache|endpoints")
    assert nodes.host("cmp01", "type") == "EXTRA" and router(etcd, CMP)["node_type"] == "EXTRA"
    assert "ovs-arakoon-config" not in nodes.units[CMP][1]
    # without the flag the node stays half promoted
    code, out = nodes.ovs(CMP, "setup", "promote")
    assert code == 1 and "+++ Demoting node +++" not in out
    assert len(etcd.members) == 4


def test_demote_rollback(nodes, etcd, monkeypatch):
    calls = []

    def shrink(config_store, machine_id, ip):
        calls.append(ip)
        raise hooks.HookRefusal("No other available nodes found in the NSM cluster")
    monkeypatch.setitem(hooks.HOOKS, "nodetype.demote", [shrink])
    code, out = nodes.ovs("10.0.0.2", "setup", "demote", "--rollback-on-failure")
    assert code == 1 and error_box("No other available nodes found in the NSM cluster") in out
    in_order(out, ["+++ Demoting node +++", "+++ Promoting node +++"])
    assert calls == ["10.0.0.2"]
    assert nodes.host("ctl02", "type") == "MASTER" and len(etcd.members) == 3
    assert sorted(cluster_ips(etcd, "config")) == list(CTL)
    assert "10.0.0.2:5672" in etcd.get("/ovs/framework/messagequeue|endpoints")
    assert set(units.MASTER_SERVICES) <= nodes.units["10.0.0.2"][1]


def test_promote_hook_and_setup_join(nodes, monkeypatch, etcd):
    seen = []
    monkeypatch.setitem(hooks.HOOKS, "nodetype.promote", [lambda **kwargs: seen.append(kwargs["ip"])])
    assert nodes.setup("10.0.0.4", "ctl04", node_type="master")[0] == 0
    assert nodes.ovs(CMP, "setup", "promote")[0] == 0
    assert seen == ["10.0.0.4", CMP]
    assert Path(paths.CACC_INI).read_text() == etcd.get_raw(store.CACC_KEY)
