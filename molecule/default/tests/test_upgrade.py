"""Upgrades of the converged cluster, last of the default scenario's files (conftest.py orders
them), as an operator runs them: first the rolling upgrade from release 1 (suite fargo) to release 2
(ginger), then the framework's update of the whole cluster (cluster mode) to release 3 (hazel).

Rolling:
1. `--check` says what would be upgraded and changes nothing;
2. refused before any change while a controller is stopped (the node named);
3. the rolling upgrade: every node on release 2 afterwards, the vDisk
   served throughout (the volume drivers' record of the nodes, not assumed), the Arakoon clusters
   never below a majority of their nodes (sampled on the controllers during the run), the health
   check green after;
4. a rerun changes nothing.

Cluster mode (the inventory now says ginger, as the operations guide asks after an upgrade):
5. back to release 1 is refused (no downgrade), nothing changes;
6. refused while the health check fails (an Arakoon node of ctl01 stopped), nothing changes;
7. refused while the framework cannot reach a node (ovs-workers of cmp02 stopped: the framework's
   refresh marks it unreachable), the node named, the apt sources put back to ginger;
8. refused while the downtime the framework lists is not accepted (the list printed);
9. accepted: every node on release 3, the release's migration recorded, the update log finished,
   health green; a rerun changes nothing.
"""
import json
import subprocess
import threading
import time

import pytest

from conftest import INVENTORY, RUNNER, changed_hosts, failed_tests, run_playbook

RELEASE_2 = {  # emulator/src/ovs_emulator/release.py, VERSIONS[2]
    "openvstorage": "2.7.21-1", "openvstorage-backend": "1.9.18-1", "openvstorage-hc": "3.4.6-1",
    "openvstorage-sdm": "1.9.14-1", "alba": "1.5.38-1", "volumedriver-no-dedup-server": "6.19.6-1",
}
RELEASE_3 = {  # VERSIONS[3]
    "openvstorage": "2.7.22-1", "openvstorage-backend": "1.9.19-1", "openvstorage-hc": "3.4.7-1",
    "openvstorage-sdm": "1.9.15-1", "alba": "1.5.39-1", "volumedriver-no-dedup-server": "6.19.7-1",
}
UPGRADE = ("upgrade.yml", "-e", "ovs_upgrade_mode=rolling", "-e", "ovs_upgrade_release=ginger")
# after the rolling upgrade the inventory names ginger (ovs_repository_release), as docs/operations.md asks
CLUSTER = ("upgrade.yml", "-e", "ovs_repository_release=ginger", "-e", "ovs_upgrade_mode=cluster",
           "-e", "ovs_upgrade_release=hazel")
TIMINGS = {}


def installed_versions(node):
    """{package: version} of the OVS packages installed on a node."""
    out = node.run("dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\\n' %s" % " ".join(RELEASE_2))
    return {line.split()[0]: line.split()[1] for line in out.stdout.splitlines()
            if len(line.split()) > 2 and line.split()[2].startswith("ii")}


def arakoon_quorum_sample(controllers):
    """{arakoon service: number of controllers where it is active} at one moment."""
    counts = {}
    for name in controllers:
        done = subprocess.run(["docker", "exec", name, "systemctl", "list-units", "--state=active", "--plain",
                               "--no-legend", "ovs-arakoon-*"], stdout=subprocess.PIPE, text=True, check=False)
        for line in done.stdout.splitlines():
            unit = line.split()[0]
            counts[unit] = counts.get(unit, 0) + 1
    return counts


class QuorumSampler(threading.Thread):
    """Samples the Arakoon services of the controllers every few seconds while the upgrade runs."""

    def __init__(self, controllers, members):
        super().__init__(daemon=True)
        self.controllers, self.members = controllers, members
        self.samples, self.below = 0, []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            counts = arakoon_quorum_sample(self.controllers)
            self.samples += 1
            for unit, total in self.members.items():
                if counts.get(unit, 0) <= total // 2:
                    self.below.append((time.strftime("%H:%M:%S"), unit, counts.get(unit, 0), total))
            self.stop.wait(3)


def unserved(node, since):
    """[(vdisk, seconds, or None while still unserved)] since the epoch time ``since``, from the volume
    drivers' record of a node (/var/log/ovs/vdisk_io.log: a line when a vDisk stops or starts being
    served)."""
    lines = node.run("cat /var/log/ovs/vdisk_io.log 2>/dev/null").stdout.splitlines()
    down, gaps = {}, []
    for entry in (json.loads(line) for line in lines if line.strip()):
        if entry["time"] < since:
            continue
        if not entry["served"]:
            down.setdefault(entry["vdisk_guid"], (entry["vdisk"], entry["time"]))
        elif entry["vdisk_guid"] in down:
            name, since = down.pop(entry["vdisk_guid"])
            gaps.append((name, round(entry["time"] - since, 1)))
    return gaps + [(name, None) for name, _ in down.values()]


@pytest.fixture(scope="module")
def nodes(cluster_host):
    return {name: cluster_host(name) for name in RUNNER.get_hosts("cluster")}


def test_check_mode_says_what_would_be_upgraded_and_changes_nothing(nodes):
    before = {name: installed_versions(node) for name, node in nodes.items()}
    rc, output, recap = run_playbook(UPGRADE[0], INVENTORY, "--check", "--diff", *UPGRADE[1:])
    assert rc == 0, output[-6000:]
    assert "openvstorage 2.7.20-1 -> 2.7.21-1" in output and "alba 1.5.37-1 -> 1.5.38-1" in output, output[-4000:]
    assert {name: installed_versions(node) for name, node in nodes.items()} == before


def test_refused_while_a_controller_is_stopped(nodes):
    before = installed_versions(nodes["ctl01"])
    subprocess.run(["docker", "stop", "ctl03"], check=True, stdout=subprocess.DEVNULL)
    try:
        rc, output, recap = run_playbook(UPGRADE[0], INVENTORY, *UPGRADE[1:])
        assert rc != 0
        assert "ctl03" in output and "not answer" in " ".join(output.split()), output[-4000:]
        assert installed_versions(nodes["ctl01"]) == before
    finally:
        subprocess.run(["docker", "start", "ctl03"], check=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while failed_tests(nodes["ctl01"]):
        assert time.monotonic() < deadline, failed_tests(nodes["ctl01"])
        time.sleep(10)


def test_rolling_upgrade_keeps_quorum_and_the_vdisks_served(nodes):
    controllers = RUNNER.get_hosts("controllers")
    members = arakoon_quorum_sample(controllers)
    assert members, "no Arakoon service runs on the controllers"
    sampler = QuorumSampler(controllers, members)
    sampler.start()
    started, since = time.monotonic(), time.time()
    try:
        rc, output, recap = run_playbook(UPGRADE[0], INVENTORY, *UPGRADE[1:])
    finally:
        sampler.stop.set()
        sampler.join()
    TIMINGS["rolling upgrade"] = round(time.monotonic() - started, 1)
    print("upgrade timing: rolling %.1f s, %d quorum samples" % (TIMINGS["rolling upgrade"], sampler.samples))
    assert rc == 0, output[-8000:]
    for name, node in nodes.items():
        versions = installed_versions(node)
        assert versions and all(versions[p] == RELEASE_2[p] for p in versions), (name, versions)
    ctl01 = nodes["ctl01"]
    # the release's framework migration is not asserted here: on a node-by-node update the framework
    # runs its migrations out of band (its scheduled task ovs.migration.migrate, daily); `ovs update`
    # (cluster mode) runs them as part of the update
    assert sampler.samples > 10 and sampler.below == [], sampler.below
    gaps = {name: unserved(node, since) for name, node in nodes.items()}
    assert all(found == [] for found in gaps.values()), gaps  # no vDisk stopped being served
    assert failed_tests(ctl01) == []


def test_rerun_changes_nothing(nodes):
    rc, output, recap = run_playbook(UPGRADE[0], INVENTORY, *UPGRADE[1:])
    assert rc == 0, output[-6000:]
    assert changed_hosts(recap) == [], changed_hosts(recap)


def apt_release(node):
    """The suite the node's OVS apt source names."""
    return node.run("grep -rhoE '(fargo|ginger|hazel)' /etc/apt/sources.list.d/ | sort -u").stdout.split()


def assert_nothing_upgraded(nodes, before, output):
    after = {name: installed_versions(node) for name, node in nodes.items()}
    assert after == before, output[-4000:]
    assert {name: apt_release(node) for name, node in nodes.items() if name in before} == \
        {name: ["ginger"] for name in before}, output[-4000:]


def wait_green(node, seconds=300):
    deadline = time.monotonic() + seconds
    while failed_tests(node):
        assert time.monotonic() < deadline, failed_tests(node)
        time.sleep(10)


def test_a_downgrade_is_refused(nodes):
    before = {name: installed_versions(node) for name, node in nodes.items()}
    rc, output, recap = run_playbook("upgrade.yml", INVENTORY, "-e", "ovs_repository_release=ginger",
                                     "-e", "ovs_upgrade_release=fargo")
    assert rc != 0
    text = " ".join(output.split())
    assert "Refusing to downgrade:" in text, output[-4000:]
    assert "openvstorage 2.7.21-1 is installed, the target has the older 2.7.20-1" in text, output[-4000:]
    assert changed_hosts(recap) == [], changed_hosts(recap)
    assert_nothing_upgraded(nodes, before, output)


def cluster_mode_with_a_service_stopped(node, service):
    """The cluster-mode upgrade (downtime accepted) run while ``service`` is stopped on ``node``:
    (exit code, output, recap), the service started again afterwards."""
    subprocess.run(["docker", "exec", node, "systemctl", "stop", service], check=True)
    try:
        return run_playbook(CLUSTER[0], INVENTORY, *CLUSTER[1:], "-e", "ovs_upgrade_accept_downtime=true")
    finally:
        subprocess.run(["docker", "exec", node, "systemctl", "start", service], check=True)


def test_cluster_mode_is_refused_while_the_health_check_fails(nodes):
    ctl01 = nodes["ctl01"]
    before = {name: installed_versions(node) for name, node in nodes.items()}
    rc, output, recap = cluster_mode_with_a_service_stopped("ctl01", "ovs-arakoon-voldrv")
    assert rc != 0
    text = " ".join(output.split())
    assert "health check test(s) in state FAILED/EXCEPTION" in text and "Arakoon cluster voldrv" in text, \
        output[-4000:]
    assert changed_hosts(recap) == [], changed_hosts(recap)
    assert_nothing_upgraded(nodes, before, output)
    wait_green(ctl01)


def test_cluster_mode_is_refused_while_the_framework_cannot_reach_a_node(nodes):
    before = {name: installed_versions(node) for name, node in nodes.items()}
    rc, output, recap = cluster_mode_with_a_service_stopped("cmp02", "ovs-workers")
    assert rc != 0
    text = " ".join(output.split())
    assert "Refusing to update: storage router(s) cmp02 cannot be reached by the framework" in text, output[-4000:]
    assert "Nothing was updated; the apt sources point at ginger again" in text, output[-4000:]
    assert_nothing_upgraded(nodes, before, output)


def test_cluster_mode_is_refused_until_the_downtime_is_accepted(nodes):
    before = {name: installed_versions(node) for name, node in nodes.items()}
    rc, output, recap = run_playbook(CLUSTER[0], INVENTORY, *CLUSTER[1:])
    assert rc != 0
    text = " ".join(output.split())
    assert "Refusing to update without accept_downtime: the update brings downtime:" in text, output[-4000:]
    assert "vPool vpool01 will be unavailable" in text and "the API will be unavailable" in text, output[-4000:]
    assert_nothing_upgraded(nodes, before, output)


def test_cluster_mode_updates_every_node_with_the_migration(nodes):
    ctl01 = nodes["ctl01"]
    started = time.monotonic()
    rc, output, recap = run_playbook(CLUSTER[0], INVENTORY, *CLUSTER[1:], "-e", "ovs_upgrade_accept_downtime=true")
    TIMINGS["cluster update"] = round(time.monotonic() - started, 1)
    print("upgrade timing: cluster %.1f s" % TIMINGS["cluster update"])
    assert rc == 0, output[-8000:]
    for name, node in nodes.items():
        versions = installed_versions(node)
        assert versions and all(versions[p] == RELEASE_3[p] for p in versions), (name, versions)
        assert apt_release(node) == ["hazel"], name
    assert json.loads(ctl01.check_output("ovs config get /ovs/framework/migrations")) == {"release": 3}
    log = ctl01.check_output("cat /var/log/ovs/update.log").splitlines()
    run = log[max(i for i, line in enumerate(log) if line.endswith("+++ Starting update +++")):]
    assert run[-1].endswith("+++ Finished updating +++"), run[-5:]
    assert [line for line in run if " - ERROR - " in line] == []
    assert failed_tests(ctl01) == []


def test_cluster_mode_rerun_changes_nothing(nodes):
    rc, output, recap = run_playbook(CLUSTER[0], INVENTORY, *CLUSTER[1:], "-e", "ovs_upgrade_accept_downtime=true")
    assert rc == 0, output[-6000:]
    assert changed_hosts(recap) == [], changed_hosts(recap)
