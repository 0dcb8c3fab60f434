"""ovs remove node <ip> [--force-yes]: every validation text and its order, the connection lines,
the questions (no / EOF / --force-yes), the removal of an extra, an online master and offline
nodes (vPools shrunk, demote, services, model, client files, ASD manager), the leftovers."""
import socket
import threading
from types import SimpleNamespace

import pytest

from ovs_emulator import actions, arakoon, hooks, model, noderemoval, remote
from ovs_emulator.ui import boxed_message
from test_nodetype import CMP, CTL, nodes  # noqa: F401  (fixture)

HEAD = boxed_message(["Remove node"]) + "\n" + noderemoval.WARNING + "\n"


@pytest.fixture
def quick(monkeypatch):
    """ovs-workers stops right away; an unanswered queue fails fast; asd-manager recorded."""
    monkeypatch.setattr(noderemoval, "WORKERS_STOP_DELAY", 0)
    monkeypatch.setattr(actions, "TIMEOUT", 5)
    calls = []

    def run(args, **kwargs):
        calls.append(args)
        return SimpleNamespace(returncode=0, stdout="ASD Manager removal completed\n", stderr="")
    monkeypatch.setattr(noderemoval, "subprocess", SimpleNamespace(run=run, DEVNULL=None))
    return calls


def router(etcd, ip):
    return next((r for r in model.objects(etcd, "storagerouter") if r["ip"] == ip), None)


def with_vpool(etcd, ip, machine_id):
    """A vPool served only by the storage router ``ip``; its units active on that node."""
    guid = router(etcd, ip)["guid"]
    vpool = model.create(etcd, "vpool", name="vp1", status="RUNNING", metadata={}, storagedrivers_guids=[])
    driver = model.create(etcd, "storagedriver", name="vp1", storagedriver_id="vp1" + machine_id,
                          vpool_guid=vpool["guid"], storagerouter_guid=guid, status="RUNNING",
                          alba_proxies_guids=[], partitions_guids=[])
    model.save(etcd, "vpool", dict(vpool, storagedrivers_guids=[driver["guid"]]))
    etcd.set(f"/ovs/vpools/{vpool['guid']}/hosts/vp1{machine_id}/config", {"x": 1})
    return vpool


def with_disk(etcd, ip):
    guid = router(etcd, ip)["guid"]
    partition = model.create(etcd, "diskpartition", name="sdb1", roles=["DB"])
    disk = model.create(etcd, "disk", name="sdb", storagerouter_guid=guid,
                        partitions_guids=[partition["guid"]])
    model.create(etcd, "storagerouterdomain", storagerouter_guid=guid, domain_guid="d1", backup=False)
    return disk, partition


def refuse(config_store, machine_id, ip):
    raise hooks.HookRefusal("Node to remove is only node left in the ABM cluster for ALBA Backend b1")


def refused(out, *lines):
    assert out.startswith(HEAD), out
    assert boxed_message(list(lines)) in out, out
    return True


def test_validations(nodes, etcd, monkeypatch):
    before = dict(etcd.data)
    code, out = nodes.ovs("10.0.0.1", "remove", "node", "10.0.0.300")
    assert code == 1 and refused(out, "Invalid IP 10.0.0.300 specified")
    code, out = nodes.ovs("10.0.0.1", "remove", "node", "10.0.0.9")
    assert code == 1 and refused(out, "Unknown IP specified", "Known in model:", " - 10.0.0.1",
                                 " - 10.0.0.2", " - 10.0.0.21", " - 10.0.0.3",
                                 "Specified for removal:", " - 10.0.0.9")
    code, out = nodes.ovs("10.0.0.1", "remove", "node", "10.0.0.1")
    assert code == 1 and refused(out, "The node to be removed cannot be identical to the node on "
                                      "which the removal is initiated")
    assert "Creating SSH connections" not in out
    nodes.online.intersection_update({"10.0.0.2"})  # only the node to remove answers
    code, out = nodes.ovs("10.0.0.1", "remove", "node", "10.0.0.2")
    assert code == 1 and refused(out, "Could not connect to any master node in the cluster")
    assert out.index("Creating SSH connections to remaining master nodes\n") < out.index(
        "  * Node with IP 10.0.0.1       - Unable to connect\n") < out.index(
        "  * Node with IP 10.0.0.2       - Successfully connected\n")
    nodes.online.update(CTL, {CMP})
    vdisk = model.create(etcd, "vdisk", name="d1", storagerouter_guid=router(etcd, CMP)["guid"])
    code, out = nodes.ovs("10.0.0.1", "remove", "node", CMP)
    assert code == 1 and refused(out, "Still vDisks attached to Storage Router cmp01")
    model.delete(etcd, "vdisk", vdisk["guid"])
    for key, service in (("memcache", "memcached"), ("messagequeue", "messagequeue")):
        endpoints = etcd.get(f"/ovs/framework/{key}|endpoints")
        etcd.set(f"/ovs/framework/{key}|endpoints", ["10.0.0.2:11211"])
        code, out = nodes.ovs("10.0.0.1", "remove", "node", "10.0.0.2")
        assert code == 1 and refused(out, "Removal of provided nodes will result in a complete "
                                          f"removal of the {service} service")
        etcd.set(f"/ovs/framework/{key}|endpoints", endpoints)
    monkeypatch.setitem(hooks.HOOKS, "noderemoval.validate", [refuse])
    code, out = nodes.ovs("10.0.0.1", "remove", "node", "10.0.0.2")
    assert code == 1 and refused(out, "Node to remove is only node left in the ABM cluster for ALBA Backend b1")
    assert etcd.data == before


def test_only_node_and_only_master(cluster, etcd):
    assert cluster.setup("10.0.0.1", "ctl01")[0] == 0
    code, out = cluster.ovs("10.0.0.1", "remove", "node", "10.0.0.1")
    assert code == 1 and refused(out, "Removing the only node is not possible")
    assert cluster.setup(CMP, "cmp01", node_type="extra")[0] == 0
    code, out = cluster.ovs(CMP, "remove", "node", "10.0.0.1")
    assert code == 1 and refused(out, "Removing the only master node is not possible")


@pytest.mark.parametrize("answers", ["", "n\n", "no\n", "maybe\n"])
def test_answer_no(nodes, etcd, answers):
    before = dict(etcd.data)
    code, out = nodes.ovs("10.0.0.1", "remove", "node", CMP, stdin=answers)
    assert code == 1
    assert "Are you sure you want to remove node cmp01? (y/[n]): " in out
    assert out.rstrip("\n").endswith("+++ Abort removal +++")
    assert ("Illegal value. Press 'y' or 'n' (or nothing for default)." in out) == (answers == "maybe\n")
    assert etcd.data == before and nodes.units[CMP][1]


def test_offline_question(nodes, etcd):
    nodes.online.discard("10.0.0.3")
    before = dict(etcd.data)
    code, out = nodes.ovs("10.0.0.1", "remove", "node", CMP, stdin="n\n")
    assert code == 1
    assert (noderemoval.OFFLINE_NOTE + "\nOffline nodes: \n  * 10.0.0.3       - Unable to connect.\n"
            "Continue the removal with these being presumably offline? (y/[n]): ") in out
    assert out.rstrip("\n").endswith("+++ Please validate the state of the nodes before removing. +++")
    assert "Are you sure" not in out and etcd.data == before


def test_remove_extra(nodes, etcd, quick):
    machine_id = nodes.machine_id(CMP)
    vpool = with_vpool(etcd, CMP, machine_id)
    disk, partition = with_disk(etcd, CMP)
    nodes.units[CMP][1].update({"ovs-volumedriver_vp1", "ovs-dtl_vp1"})
    root = nodes.roots[CMP]
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/asd-manager").write_text("")
    members = list(etcd.members)
    code, out = nodes.ovs("10.0.0.1", "remove", "node", CMP, stdin="y\ny\n")
    assert code == 0, out
    assert "Do you also want to remove the ASD manager and related ASDs? (y/[n]): " in out
    steps = ["Are you sure you want to remove node cmp01?", "Starting removal of node cmp01 - 10.0.0.21\n",
             "  Removing vPools from node\n", "    Removing vPool vp1 from node\n",
             "Stopping and removing services\n", "Removing service workers\n",
             "Removing node from model\n", "Successfully removed node\n\n", "\nRemoving ASD Manager\n",
             "+++ Remove nodes finished +++"]
    positions = [out.index(step) for step in steps]
    assert positions == sorted(positions) and "Demoting node" not in out
    assert quick == [[str(root / "usr/bin/asd-manager"), "remove", "--force-yes"]]
    # the model and the configuration
    assert router(etcd, CMP) is None and etcd.list(f"/ovs/framework/hosts/{machine_id}") == []
    for kind, guid in (("vpool", vpool["guid"]), ("disk", disk["guid"]), ("diskpartition", partition["guid"])):
        assert model.get(etcd, kind, guid) is None
    assert not model.objects(etcd, "storagedriver") and not model.objects(etcd, "storagerouterdomain")
    assert etcd.list(f"/ovs/vpools/{vpool['guid']}") == [] and etcd.members == members
    # the node: services stopped and disabled, client files gone, the rest stays
    enabled, active = nodes.units[CMP]
    assert not enabled and not active
    assert not (root / "opt/OpenvStorage/config/arakoon_cacc.ini").exists()
    assert not (root / "opt/OpenvStorage/config/framework.json").exists()
    for leftover in ("etc/openvstorage_id", "opt/OpenvStorage/config/ssl/server.key", "opt/OpenvStorage/config/ssl/server.crt",
                     "opt/OpenvStorage/config/preconfig.json"):
        assert (root / leftover).exists(), leftover


def test_remove_master_force_yes(nodes, etcd, quick, monkeypatch):
    machine_id = nodes.machine_id("10.0.0.3")
    seen = []

    def on_remove(config_store, machine_id, ip):
        seen.append((ip, router(config_store, ip) is not None))
    monkeypatch.setitem(hooks.HOOKS, "noderemoval.remove", [on_remove])
    code, out = nodes.ovs("10.0.0.1", "remove", "node", "10.0.0.3", "--force-yes")
    assert code == 0, out
    assert "(y/[n])" not in out
    assert out.index("+++ Demoting node +++") < out.index("Stopping and removing services")
    assert out.index("Leaving Arakoon config cluster") < out.index("Removing node from model")
    assert seen == [("10.0.0.3", True)] and quick == []  # no ASD manager on ctl03
    assert len(etcd.members) == 2
    for cluster in ("config", "ovsdb", "voldrv"):
        assert [n.ip for n in arakoon.cluster_nodes(etcd, cluster)] == ["10.0.0.1", "10.0.0.2"]
    assert etcd.get("/ovs/framework/memcache|endpoints") == ["10.0.0.1:11211", "10.0.0.2:11211"]
    assert router(etcd, "10.0.0.3") is None and not etcd.list(f"/ovs/framework/hosts/{machine_id}")
    assert not any(nodes.units["10.0.0.3"])
    assert not (nodes.roots["10.0.0.3"] / "opt/OpenvStorage/db/arakoon/config").exists()


def test_remove_offline_extra_with_vpool(nodes, etcd, quick):
    machine_id = nodes.machine_id(CMP)
    vpool = with_vpool(etcd, CMP, machine_id)
    nodes.online.discard(CMP)
    before = {path.relative_to(nodes.roots[CMP]) for path in nodes.roots[CMP].rglob("*")}
    code, out = nodes.ovs("10.0.0.1", "remove", "node", CMP, "--force-yes")
    assert code == 0, out
    assert "  * Node with IP 10.0.0.21      - Unable to connect\n" in out
    assert out.index("  Marking all Storage Drivers served by Storage Router 10.0.0.21 as offline") < \
        out.index("    Removing vPool vp1 from node")
    assert "Removing ASD Manager" not in out and "Removing service" not in out
    assert model.get(etcd, "vpool", vpool["guid"]) is None and router(etcd, CMP) is None
    assert etcd.list(f"{actions.ROOT}/{machine_id}") == []
    # nothing ran on the dead node: its files and services are as they were
    assert {path.relative_to(nodes.roots[CMP]) for path in nodes.roots[CMP].rglob("*")} == before
    assert "ovs-workers" in nodes.units[CMP][1]


def test_remove_offline_master_interactive(nodes, etcd, quick):
    nodes.online.discard("10.0.0.3")
    code, out = nodes.ovs("10.0.0.1", "remove", "node", "10.0.0.3", stdin="y\ny\n")
    assert code == 0, out
    assert "Continue the removal with these being presumably offline? (y/[n]): " in out
    assert "Do you also want to remove the ASD manager" not in out
    assert "Removing/unconfiguring offline RabbitMQ node\n" in out
    assert len(etcd.members) == 2 and router(etcd, "10.0.0.3") is None
    assert (nodes.roots["10.0.0.3"] / "opt/OpenvStorage/config/arakoon_cacc.ini").exists()
    assert "ovs-arakoon-config" in nodes.units["10.0.0.3"][1]


def test_asd_removal_question_from_a_plugin(nodes, etcd, quick, monkeypatch):
    root = nodes.roots[CMP]
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/asd-manager").write_text("")
    monkeypatch.setitem(hooks.HOOKS, "noderemoval.validate_asd_removal", [lambda **kw: {
        "confirm": True, "question": "The removal of this StorageRouter will cause data loss on Backend b1"}])
    code, out = nodes.ovs("10.0.0.1", "remove", "node", CMP, stdin="y\ny\nn\n")
    assert code == 0, out
    assert "The removal of this StorageRouter will cause data loss on Backend b1 (y/[n]): " in out
    assert "Removing ASD Manager" not in out and quick == []


def test_connection_state(monkeypatch):
    """The probe: an SSH greeting = connected; another service or a closed port = unable."""
    def serve(greeting):
        server = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=lambda: server.accept()[0].sendall(greeting), daemon=True).start()
        return server

    for greeting, state in ((b"SSH-2.0-OpenSSH_9.2\r\n", remote.CONNECTED), (b"HTTP/1.1 400\r\n", remote.UNABLE)):
        server = serve(greeting)
        monkeypatch.setattr(remote, "SSH_PORT", server.getsockname()[1])
        assert remote.connection_state("127.0.0.1", timeout=2) == state
        server.close()
    assert remote.connection_state("127.0.0.1", timeout=2) == remote.UNABLE  # closed now
