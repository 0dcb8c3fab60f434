"""testbed/bench-tool (`make bench`): the inventories of the two beds and the report.

The report reads logs in the shape ansible-playbook writes them with the default stdout callback
and ansible.posix.profile_tasks (PLAY RECAP, TASKS RECAP); a rerun that changed something makes
it fail loudly.
"""
import json
import subprocess
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
TOOL = PROJECT / "testbed" / "bench-tool"

RECAP_LINE = ("{host:<27}: ok={ok:<4} changed={changed:<4} unreachable=0    failed=0    "
              "skipped={skipped:<4} rescued=0    ignored=0   ")


def tool(*args):
    return subprocess.run([str(TOOL), *map(str, args)], capture_output=True, text=True, check=False)


def inventory(tmp_path, bed):
    result = tool("inventory", bed, tmp_path / bed)
    assert result.returncode == 0, result.stderr
    hosts = yaml.safe_load((tmp_path / bed / "hosts.yml").read_text())["all"]["children"]
    cluster = yaml.safe_load((tmp_path / bed / "group_vars" / "cluster.yml").read_text())
    nodes = dict(line.split() for line in result.stdout.splitlines())
    return hosts, cluster, nodes


def test_hs15_is_the_original_inventory_on_the_bench_network(tmp_path):
    hosts, cluster, nodes = inventory(tmp_path, "hs15")
    groups = dict((group, list(values["hosts"])) for group, values in hosts["cluster"]["children"].items())
    assert groups == {"controllers": ["ctl01", "ctl02", "ctl03"],
                      "computenodes": ["cmp0%d" % i for i in range(1, 6)],
                      "storagenodes": ["str0%d" % i for i in range(1, 8)]}
    assert nodes["ctl01"] == "172.30.251.30" and nodes["cmp05"] == "172.30.251.44"
    assert nodes["str07"] == "172.30.251.106" and nodes["repo"] == "172.30.251.10"
    storage = hosts["cluster"]["children"]["storagenodes"]["hosts"]
    assert [storage[h]["excellerated_backend"] for h in sorted(storage)] == [False] * 6 + [True]
    assert storage["str07"]["emulated_disks"][0]["serial"] == "STR07SDBSSD"
    ctl01 = hosts["cluster"]["children"]["controllers"]["hosts"]["ctl01"]
    assert (ctl01["ansible_connection"], ctl01["ansible_user"], ctl01["ansible_become"]) == ("ssh", "ovsadmin", True)
    assert cluster["install_master_ip"] == "172.30.251.30"
    assert cluster["ovs_repository_url"] == "http://172.30.251.10/debian"
    assert cluster["ovs_vpools"][0]["storagerouters"] == groups["computenodes"]
    assert "ansible_connection" not in cluster


def test_demo_is_the_demo_inventory_on_the_bench_network(tmp_path):
    hosts, cluster, nodes = inventory(tmp_path, "demo")
    assert len(nodes) == 10  # 9 nodes and repo
    assert nodes["ctl01"] == "172.30.251.11" and nodes["str05"] == "172.30.251.35"
    storage = hosts["cluster"]["children"]["storagenodes"]["hosts"]
    assert storage["str05"]["excellerated_backend"] is True
    assert cluster["ovs_vpools"][0]["storagerouters"] == ["cmp01", "cmp02"]


def write_run(path, run, seconds, changed):
    recap = [RECAP_LINE.format(host=host, ok=ok, changed=changed, skipped=skipped)
             for host, ok, skipped in (("ctl01", 34, 11), ("ctl02", 22, 13), ("cmp01", 18, 9),
                                       ("str01", 15, 9), ("str02", 14, 9))]
    tasks = ["openvstorage.hyperscale.controller : Install the framework packages ---- %.2fs" % (seconds / 2),
             "Run the health check on the install master (a cluster not set up yet passes) -- 1.50s"]
    (path / ("%s.log" % run)).write_text("\n".join(
        ["PLAY RECAP ****"] + recap + ["", "TASKS RECAP ****", "Friday (0:00:01.732) 0:04:27.750 ***",
                                       "=" * 79] + tasks) + "\n")
    (path / ("%s.seconds" % run)).write_text("%f\n" % seconds)


def report(tmp_path, rerun_changed):
    bed = tmp_path / "demo"
    bed.mkdir()
    (bed / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": {"cluster": {"children": {
        "controllers": {"hosts": {"ctl01": {}, "ctl02": {}}}, "computenodes": {"hosts": {"cmp01": {}}},
        "storagenodes": {"hosts": {"str01": {}, "str02": {}}}}}}}}))
    write_run(bed, "cold", 200.0, 3)
    write_run(bed, "rerun", 50.0, rerun_changed)
    return tool("report", tmp_path, "demo")


def test_report_table_and_json(tmp_path):
    result = report(tmp_path, 0)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "bench.json").read_text())["results"]["demo"]
    assert (data["cold_seconds"], data["rerun_seconds"], data["rerun_over_cold"]) == (200.0, 50.0, 0.25)
    assert data["rerun_tasks_per_host"] == {
        "first controller": {"min": 45, "max": 45}, "other controllers": {"min": 35, "max": 35},
        "compute": {"min": 27, "max": 27}, "storage": {"min": 23, "max": 24}}
    assert data["top10_cold"][0] == {"task": "openvstorage.hyperscale.controller : Install the framework packages",
                                     "seconds": 100.0}
    assert "rerun changed" in result.stdout and "23-24" in result.stdout


def test_a_rerun_that_changes_something_fails_the_bench(tmp_path):
    result = report(tmp_path, 1)
    assert result.returncode == 1
    assert "BENCH FAILED" in result.stderr
    assert json.loads((tmp_path / "bench.json").read_text())["results"]["demo"]["rerun_changed"] == 5
