"""Day 2 on the converged 8-node cluster, after the checks of the cold build (conftest.py orders
the files), step by step as an operator runs it (the tests run in this order and share one
inventory that the steps change). Every step is checked through the API and on
the nodes; the guarded ones run with --check first, which must change nothing."""
import json
import subprocess
import time
from shlex import quote

import pytest

from conftest import RUNNER, changed_hosts, disk_safety, failed_tests, health, run_playbook, storagerouters

VPOOL = "vpool01"
VDISK = "demo-disk01"
TIMINGS = {}


def timed(name, *args):
    started = time.monotonic()
    result = run_playbook(*args)
    TIMINGS[name] = round(time.monotonic() - started, 1)
    print("day2 timing: %s %.1f s" % (name, TIMINGS[name]))
    return result


def store_members(node):
    """Members of the configuration store (etcd under ovs-arakoon-config), as the cacc ini lists them."""
    ini = node.file("/opt/OpenvStorage/config/arakoon_cacc.ini").content_string
    line = next(line for line in ini.splitlines() if line.startswith("cluster ="))
    return sorted(m.strip() for m in line.split("=", 1)[1].split(","))


def vdisk_router(api):
    vdisks = api.get("vdisks/?contents=name,storagerouter_guid")["data"]
    guid = next(v["storagerouter_guid"] for v in vdisks if v["name"] == VDISK)
    return api.get("storagerouters/%s/" % guid)["name"]


def vpool_routers(api):
    vpool = next(v for v in api.get("vpools/?contents=name,storagedrivers_guids")["data"] if v["name"] == VPOOL)
    return sorted(api.get("storagedrivers/%s/" % g)["storagerouter_guid"] for g in vpool["storagedrivers_guids"])


def alba_node(api, ip):
    nodes = api.get("alba/nodes/?contents=ip,node_id,stack")["data"]
    return next((n for n in nodes if n["ip"] == ip), None)


def claimed_disks(api, ip):
    """Device names (sdb, ...) of the slots of the ALBA node at ``ip`` with a claimed OSD."""
    node = alba_node(api, ip) or {"stack": {}}
    return [slot.get("device", "").rsplit("/", 1)[-1] for slot in node["stack"].values()
            if any(osd.get("claimed_by") for osd in (slot.get("osds") or {}).values())]


def wait_for(predicate, timeout=180, interval=5):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not reached in %d s" % timeout
        time.sleep(interval)


def node_osds(api, ip):
    node = alba_node(api, ip)
    return sorted(osd_id for slot in node["stack"].values()
                  for osd_id, osd in (slot.get("osds") or {}).items() if osd.get("claimed_by"))


def sdc_osds(api, ip):
    node = alba_node(api, ip)
    return sorted(osd_id for slot in node["stack"].values() if slot.get("device", "").endswith("/sdc")
                  for osd_id, osd in (slot.get("osds") or {}).items() if osd.get("claimed_by"))


def router_names(api, guids):
    return sorted(api.get("storagerouters/%s/" % g)["name"] for g in guids)


def layout_with(inventory, **changes):
    """Set the storage layout variables of the cluster: changes(vpool, vdisk) edit them in place."""
    cluster = inventory.cluster_vars()
    vpool = next(v for v in cluster["ovs_vpools"] if v["name"] == VPOOL)
    vdisk = next(v for v in cluster["ovs_vdisks"] if v["name"] == VDISK)
    if "vpool_routers" in changes:
        vpool["storagerouters"] = changes["vpool_routers"]
    if "vdisk_router" in changes:
        vdisk["storagerouter"] = changes["vdisk_router"]
    inventory.set_cluster_vars(ovs_vpools=cluster["ovs_vpools"], ovs_vdisks=cluster["ovs_vdisks"])


# ------------------------------------------------------------------------------- 1. add nodes
def test_add_nodes_extend_vpool_and_move_vdisk(inventory, api, cluster_host):
    """cmp03 joins (extra) and str04 (its disks claimed by the backend), the vPool is extended to
    cmp03 and the vDisk moves there, in one run: only cmp03, str04 and the install master (the
    layout objects naming cmp03) change."""
    inventory.move_host("cmp03", "computenodes")
    inventory.move_host("str04", "storagenodes")
    layout_with(inventory, vpool_routers=["cmp01", "cmp02", "cmp03"], vdisk_router="cmp03")
    # --check of this run would stop at the layout objects that name cmp03: it is no storage router
    # before its setup (the node steps alone preview fine: --check --tags nodes)
    rc, output, recap = run_playbook("hyperscale.yml", inventory.path, "--check", "--tags", "nodes")
    assert rc == 0, output[-4000:]
    assert storagerouters(api).get("cmp03") is None, "check mode set up cmp03"
    assert "str04" not in [n["ip"] for n in api.get("alba/nodes/?contents=ip")["data"]]
    rc, output, recap = timed("add compute and storage node (join, ASDs, vPool extend, vDisk move)",
                              "hyperscale.yml", inventory.path)
    assert rc == 0, output[-6000:]
    assert set(changed_hosts(recap)) <= {"cmp03", "str04", "ctl01"}, changed_hosts(recap)
    assert {"cmp03", "str04"} <= set(changed_hosts(recap))
    assert sorted(claimed_disks(api, "172.30.250.34")) == ["sdb", "sdc"]
    assert storagerouters(api)["cmp03"] == "EXTRA"
    assert vdisk_router(api) == "cmp03"
    cmp03 = cluster_host("cmp03")
    assert cmp03.file("/mnt/%s/%s.raw" % (VPOOL, VDISK)).exists
    assert cmp03.service("ovs-volumedriver_%s" % VPOOL).is_running
    assert failed_tests(cluster_host("ctl01")) == []


# ------------------------------------------------------------------------- 2. demote / promote
@pytest.mark.parametrize("node_type, members, role", [("extra", 2, "EXTRA"), ("master", 3, "MASTER")])
def test_demote_then_promote_ctl03(inventory, api, cluster_host, node_type, members, role):
    ctl01, ctl03 = cluster_host("ctl01"), cluster_host("ctl03")
    inventory.set_host_vars("ctl03", ovs_node_type=node_type if node_type == "extra" else None)
    before = store_members(ctl01)
    rc, output, recap = run_playbook("hyperscale.yml", inventory.path, "--check", "--diff")
    assert rc == 0, output[-4000:]
    assert changed_hosts(recap) == ["ctl03"], changed_hosts(recap)
    assert store_members(ctl01) == before
    rc, output, recap = timed("%s ctl03" % ("demote" if node_type == "extra" else "promote"),
                              "hyperscale.yml", inventory.path)
    assert rc == 0, output[-6000:]
    assert changed_hosts(recap) == ["ctl03"], changed_hosts(recap)
    assert storagerouters(api)["ctl03"] == role
    assert len(store_members(ctl01)) == members
    assert ctl03.service("ovs-arakoon-config").is_running is (role == "MASTER")
    assert ctl03.service("ovs-webapp-api").is_running is (role == "MASTER")
    assert ctl03.service("ovs-workers").is_running
    assert failed_tests(ctl01) == []


def test_demote_below_a_majority_is_refused_before_any_change(inventory, api, cluster_host):
    inventory.set_host_vars("ctl02", ovs_node_type="extra")
    inventory.set_host_vars("ctl03", ovs_node_type="extra")
    try:
        rc, output, recap = run_playbook("hyperscale.yml", inventory.path)
        assert rc != 0
        assert "ovs_node_type" in output and "majority" in output, output[-3000:]
        assert changed_hosts(recap) == []
        assert storagerouters(api)["ctl02"] == "MASTER" and storagerouters(api)["ctl03"] == "MASTER"
    finally:
        inventory.set_host_vars("ctl02", ovs_node_type=None)
        inventory.set_host_vars("ctl03", ovs_node_type=None)


# ----------------------------------------------------------------------- 2b. remove a compute node
def test_remove_compute_node_refused_while_it_serves_a_vdisk(inventory, api):
    rc, output, recap = run_playbook("remove_node.yml", inventory.path, "-e", "ovs_remove_node=cmp03")
    assert rc != 0
    assert "Refusing to remove cmp03 (172.30.250.23): 1 vDisk(s) are served from it: %s" % VDISK in output
    assert "cmp03" in storagerouters(api)


def test_remove_compute_node(inventory, api, cluster_host):
    layout_with(inventory, vpool_routers=["cmp01", "cmp02"], vdisk_router="cmp01")
    rc, output, recap = run_playbook("hyperscale.yml", inventory.path)  # moves the vDisk back
    assert rc == 0, output[-4000:]
    assert vdisk_router(api) == "cmp01"
    rc, output, recap = run_playbook("remove_node.yml", inventory.path, "-e", "ovs_remove_node=cmp03", "--check")
    assert rc == 0, output[-4000:]
    assert "cmp03" in storagerouters(api)
    rc, output, recap = timed("remove compute node", "remove_node.yml", inventory.path, "-e", "ovs_remove_node=cmp03")
    assert rc == 0, output[-6000:]
    assert "cmp03" not in storagerouters(api)
    assert router_names(api, vpool_routers(api)) == ["cmp01", "cmp02"]
    cmp03 = cluster_host("cmp03")
    assert not cmp03.service("ovs-volumedriver_%s" % VPOOL).is_running
    assert not cmp03.file("/opt/OpenvStorage/config/arakoon_cacc.ini").exists
    assert cmp03.package("openvstorage").is_installed  # the framework leaves the packages
    inventory.move_host("cmp03", "spares")


# ------------------------------------------------------------------------------ 3. replace a disk
def test_replace_a_disk(inventory, api, cluster_host):
    """str01 sdc: the safety of its ASDs together is read first (refused while that brings data at risk,
    until allowed), its ASDs purged and the slot released, the data repaired; the disk is swapped;
    hyperscale.yml claims the new disk (only str01 changes) and the disk safety gets back to full."""
    args = ("replace_disk.yml", inventory.path, "-e", "ovs_replace_host=str01", "-e", "ovs_replace_disk=sdc")
    ctl01 = cluster_host("ctl01")
    expected = disk_safety(ctl01, "demo-hdd", sdc_osds(api, "172.30.250.31"))
    assert expected["lost"] == 0, expected
    allow = ()
    if expected["critical"]:  # a namespace keeps a fragment on that disk: refused until allowed
        rc, output, recap = run_playbook(*args)
        assert rc != 0 and "would bring data at risk (lost 0, critical %d" % expected["critical"] in output, \
            output[-3000:]
        allow = ("-e", "ovs_replace_disk_allow_risk=true")
    assert "sdc" in claimed_disks(api, "172.30.250.31")
    rc, output, recap = run_playbook(*(args + allow + ("--check",)))
    assert rc == 0 and "sdc" in claimed_disks(api, "172.30.250.31"), output[-3000:]
    rc, output, recap = timed("replace disk (take its ASDs out)", *(args + allow))
    assert rc == 0, output[-4000:]
    assert "sdc" not in claimed_disks(api, "172.30.250.31")
    # the maintenance agents repair the data of the purged ASDs (at risk until then: the health gate of
    # hyperscale.yml refuses to change the cluster meanwhile)
    wait_for(lambda: health(ctl01, "alba disk-safety").get("alba-disk-safety-test") == "SUCCESS", timeout=240)
    str01 = cluster_host("str01")
    str01.check_output("python3 -c %s" % quote(
        'import json; p = "/etc/ovs-emulator/hardware.json"; d = json.load(open(p)); '
        '[x.update(serial="STR01SDCSWAPPED") for x in d["disks"] if x["name"] == "sdc"]; json.dump(d, open(p, "w"))'))
    rc, output, recap = timed("replace disk (claim the new disk)", "hyperscale.yml", inventory.path)
    assert rc == 0, output[-4000:]
    assert changed_hosts(recap) == ["str01"], changed_hosts(recap)
    node = alba_node(api, "172.30.250.31")
    assert any("STR01SDCSWAPPED" in slot_id and any(o.get("claimed_by") for o in (slot.get("osds") or {}).values())
               for slot_id, slot in node["stack"].items()), node["stack"]
    assert health(ctl01, "alba disk-safety").get("alba-disk-safety-test") == "SUCCESS"


# ----------------------------------------------------------------------- 4. remove storage nodes
def expect_storage_removal_guard(inventory, api, cluster_host, host, ip):
    """The safety of removing all the node's ASDs, read as the playbook reads it; when it brings data at
    risk, remove_node.yml refuses (nothing changes); returns the extra arguments the removal then needs."""
    expected = disk_safety(cluster_host("ctl01"), "demo-hdd", node_osds(api, ip))
    assert expected["lost"] == 0, expected
    if not expected["critical"]:
        return ()
    rc, output, recap = run_playbook("remove_node.yml", inventory.path, "-e", "ovs_remove_node=%s" % host)
    assert rc != 0 and "would bring data at risk (lost 0, critical %d" % expected["critical"] in output, output[-3000:]
    assert alba_node(api, ip) is not None
    return ("-e", "ovs_remove_allow_risk=true")


def test_remove_storage_node(inventory, api, cluster_host):
    allow = expect_storage_removal_guard(inventory, api, cluster_host, "str04", "172.30.250.34")
    rc, output, recap = run_playbook("remove_node.yml", inventory.path, "-e", "ovs_remove_node=str04", "--check",
                                     *allow)
    assert rc == 0, output[-4000:]
    assert alba_node(api, "172.30.250.34") is not None
    rc, output, recap = timed("remove storage node", "remove_node.yml", inventory.path, "-e", "ovs_remove_node=str04",
                              *allow)
    assert rc == 0, output[-4000:]
    assert alba_node(api, "172.30.250.34") is None
    str04 = cluster_host("str04")
    assert not str04.service("asd-manager").is_running
    assert str04.package("openvstorage-sdm").is_installed  # packages stay
    inventory.move_host("str04", "spares")
    ctl01 = cluster_host("ctl01")  # the health gate waits for the repair of what str04 held
    wait_for(lambda: health(ctl01, "alba disk-safety").get("alba-disk-safety-test") == "SUCCESS", timeout=240)
    rc, output, recap = timed("rerun after the removals", "hyperscale.yml", inventory.path)
    assert rc == 0, output[-4000:]
    assert changed_hosts(recap) == [], changed_hosts(recap)


def test_remove_a_dead_storage_node(inventory, api, cluster_host):
    """str03 stopped: its ASDs do not answer; removing it leaves the data at risk (refused until
    allowed); the node is removed from the backends without its ASD manager being reached."""
    expected = disk_safety(cluster_host("ctl01"), "demo-hdd", node_osds(api, "172.30.250.33"))
    assert expected["critical"] > 0 and expected["lost"] == 0, expected  # each namespace has a fragment there
    subprocess.run(["docker", "stop", "str03"], check=True, stdout=subprocess.DEVNULL)
    try:
        assert expect_storage_removal_guard(inventory, api, cluster_host, "str03", "172.30.250.33")
        rc, output, recap = timed("remove dead storage node", "remove_node.yml", inventory.path,
                                  "-e", "ovs_remove_node=str03", "-e", "ovs_remove_allow_risk=true")
        assert rc == 0, output[-4000:]
        assert alba_node(api, "172.30.250.33") is None
        assert "the node did not answer, so its ASD manager stays there" in " ".join(output.split())
    finally:
        # back for the purge, which tears it down with the others
        subprocess.run(["docker", "start", "str03"], check=True, stdout=subprocess.DEVNULL)
        wait_for(lambda: cluster_host("str03").run("systemctl is-system-running --wait").rc in (0, 1), timeout=60)


# ------------------------------------------------------------------------------------ 5. purge
def test_purge_refused_without_or_with_a_wrong_id(inventory, cluster_host):
    live = json.loads(cluster_host("ctl01").check_output("ovs config get /ovs/framework/cluster_id"))
    rc, output, recap = run_playbook("purge.yml", inventory.path)
    assert rc != 0 and "ovs_purge_cluster_id is not set. The live cluster on ctl01 has the id %s" % live in output
    rc, output, recap = run_playbook("purge.yml", inventory.path, "-e", "ovs_purge_cluster_id=WrongId000000000",
                                     "-e", "ovs_purge_confirm=yes")
    assert rc != 0 and "ovs_purge_cluster_id is 'WrongId000000000' but the live cluster" in output
    rc, output, recap = run_playbook("purge.yml", inventory.path, "-e", "ovs_purge_cluster_id=%s" % live)
    assert rc != 0 and "ovs_purge_confirm is" in output
    rc, output, recap = run_playbook("purge.yml", inventory.path, "-e", "ovs_purge_cluster_id=%s" % live,
                                     "-e", "ovs_purge_confirm=yes")
    assert rc != 0 and "it holds 1 vDisk(s): %s/%s" % (VPOOL, VDISK) in output
    assert changed_hosts(recap) == []
    assert cluster_host("ctl01").service("ovs-webapp-api").is_running


def test_purge_then_build_again(inventory, cluster_host):
    ctl01 = cluster_host("ctl01")
    live = json.loads(ctl01.check_output("ovs config get /ovs/framework/cluster_id"))
    rc, output, recap = timed("purge", "purge.yml", inventory.path, "-e", "ovs_purge_cluster_id=%s" % live,
                              "-e", "ovs_purge_confirm=yes", "-e", "ovs_purge_vdisks=true")
    assert rc == 0, output[-6000:]
    for name in RUNNER.get_hosts("cluster"):
        node = cluster_host(name)
        assert not node.package("openvstorage").is_installed and not node.package("openvstorage-sdm").is_installed
        assert not node.file("/opt/OpenvStorage/config").exists
        assert node.run("systemctl list-units --all --plain 'ovs-*' 'alba-*' 'asd-*' | grep -c service").stdout.strip() \
            in ("", "0")
    rc, output, recap = timed("build again after the purge", "hyperscale.yml", inventory.path)
    assert rc == 0, output[-6000:]
    fresh = json.loads(ctl01.check_output("ovs config get /ovs/framework/cluster_id"))
    assert fresh != live
    assert failed_tests(ctl01) == []


def test_report_timings():
    print("day2 timings: " + json.dumps(TIMINGS))
