"""Day 2 on the converged demo cluster (runs after the other files: it changes the layout).

1. `--check --diff` of hyperscale.yml reports changed=0 on every node.
2. A runtime refusal: shrinking the vPool away from the storage router that serves the vDisk
   fails in the module and changes nothing.
3. A second pass with changed variables (a policy added to a preset, the vPool extended to one
   more storage router, a second ASD on every backend disk) changes exactly those things;
   4. a further run at -vvv, with an API client (client credentials grant) instead of the API
   user, reports changed=0 and does not print the client's secret.
"""
import json
import re
import shutil

import pytest
import yaml

from conftest import INVENTORY, RUNNER, run_playbook
from test_storage import alba, backend_nodes

def changed_hosts(recap):
    """{node: changed} of the nodes a run changed (localhost's: the report files)."""
    return {host: counts[0] for host, counts in recap.items() if counts[0] and host != "localhost"}


@pytest.fixture(scope="module")
def changed_inventory(tmp_path_factory):
    """Molecule's inventory with the demo variables copied and changed for the second pass."""
    work = tmp_path_factory.mktemp("pass2") / "inventory"
    shutil.copytree(INVENTORY, str(work), symlinks=False)
    return str(work), second_pass(work)


def second_pass(work):
    """Change the inventory copy ``work`` (a pathlib.Path) as the second pass does: the layout of the cluster
    from this file on (test_geoscale.py starts from it); its cluster variables."""
    cluster_file = work / "group_vars" / "cluster.yml"
    cluster = yaml.safe_load(cluster_file.read_text())
    local = cluster["ovs_backends"][0]
    local["asds"][0]["asds_per_disk"] = 2
    preset = next(p for p in local["presets"] if p["name"] == "hs-2-1")
    preset["policies"] = preset["policies"] + [[1, 2, 1, 1]]
    vpool = cluster["ovs_vpools"][0]
    vpool["storagerouters"] = vpool["storagerouters"] + ["ctl01"]
    cluster_file.write_text(yaml.safe_dump(cluster))
    # ctl01 carries the vPool too: its SSD gets DTL and WRITE next to DB
    host_file = work / "host_vars" / "ctl01.yml"
    host = yaml.safe_load(host_file.read_text()) or {}
    host["ovs_disk_roles"] = [{"disk": "sdb", "roles": ["DB", "DTL", "WRITE"]}]
    host_file.write_text(yaml.safe_dump(host))
    return cluster


def test_check_mode_reports_no_change():
    rc, output, recap = run_playbook("hyperscale.yml", INVENTORY, "--check", "--diff")
    assert rc == 0, output[-4000:]
    assert len(recap) == len(RUNNER.get_hosts("cluster")) + 1  # + localhost
    assert changed_hosts(recap) == {}, output[-4000:]
    # localhost may change: its report files beside this inventory show the cluster of the converge,
    # which the day-2 tests purged and rebuilt since (another cluster id); check mode only shows it


def test_tag_layout_changes_nothing_and_runs_no_package_task():
    """Rerun one phase (issue 10): --tags layout on the converged cluster applies the layout objects
    only; no repository, package or node set-up task runs, nothing changes."""
    rc, output, recap = run_playbook("hyperscale.yml", INVENTORY, "--tags", "layout")
    assert rc == 0, output[-4000:]
    assert changed_hosts(recap) == {}, output[-4000:]
    # (each role's argument spec validation is tagged always by Ansible: not a task of the role)
    tasks = re.findall(r"^TASK \[(?:openvstorage\.hyperscale\.)?([\w-]+) : (?!Validating arguments)", output, re.M)
    assert tasks and not set(tasks) & {"repository", "controller", "compute", "storage", "host_tuning"}, \
        sorted(set(tasks))
    assert {"backend", "vpool"} <= set(tasks), sorted(set(tasks))


def test_shrinking_the_vpool_from_the_storage_router_of_a_vdisk_is_refused(install_master, cluster_vars):
    """ovs_vdisks says nothing here (the preflight would refuse it first): the module itself sees
    the vDisk on cmp01 and refuses before any change."""
    vpool = cluster_vars["ovs_vpools"][0]
    vdisk = cluster_vars["ovs_vdisks"][0]
    keep = [r for r in vpool["storagerouters"] if r != vdisk["storagerouter"]]
    result = install_master.ansible(
        "openvstorage.hyperscale.ovs_vpool",
        "name=%s shrink=true storagerouters=%s api_host=%s api_username=admin api_password=admin ca_path=%s"
        % (vpool["name"], ",".join(keep), cluster_vars["install_master_ip"], cluster_vars["ovs_api_ca_path"]),
        check=False)
    # testinfra drops the failed flag of a module result; the refusal is the message
    assert not result.get("changed") and "vpool" not in result, result
    assert "cannot remove vPool %s from storage router %s" % (vpool["name"], vdisk["storagerouter"]) in result["msg"]
    assert vdisk["name"] in result["msg"], result["msg"]
    drivers = vpool_routers(install_master, cluster_vars)
    assert sorted(drivers) == sorted(vpool["storagerouters"])


def vpool_routers(install_master, cluster_vars):
    """Names of the storage routers the vPool runs on, from the API (ovs_cluster_info)."""
    info = install_master.ansible(
        "openvstorage.hyperscale.ovs_cluster_info",
        "gather=vpools,storagerouters api_host=%s api_username=admin api_password=admin ca_path=%s"
        % (cluster_vars["install_master_ip"], cluster_vars["ovs_api_ca_path"]), check=False)
    vpool = next(v for v in info["vpools"] if v["name"] == cluster_vars["ovs_vpools"][0]["name"])
    return [d["storagerouter"] for d in vpool["storagedrivers"]]


def test_second_pass_changes_exactly_what_changed(changed_inventory, install_master, cluster_vars, cluster_host,
                                                  api):
    inventory, layout = changed_inventory
    rc, output, recap = run_playbook("hyperscale.yml", inventory)
    assert rc == 0, output[-4000:]
    local = layout["ovs_backends"][0]
    storage_nodes = backend_nodes(local)  # not str05: its SSDs are in the accelerated backend
    # ctl01: its disk roles, the preset, the vPool extension; each storage node of the backend: its new ASDs
    assert changed_hosts(recap) == dict({"ctl01": 3}, **{node: 1 for node in storage_nodes}), output[-6000:]
    assert recap["localhost"][0] >= 1, output[-6000:]  # the report of the changed cluster

    osds = alba(install_master, "list-osds", local["name"])
    assert len(osds) == 2 * len(local["asds"][0]["disks"]) * len(storage_nodes)
    presets = {p["name"]: p for p in alba(install_master, "list-presets", local["name"])}
    assert presets["hs-2-1"]["policies"] == [[2, 1, 2, 1], [1, 2, 1, 1]]
    assert sorted(vpool_routers(install_master, cluster_vars)) == ["cmp01", "cmp02", "ctl01"]
    ctl01 = cluster_host("ctl01")
    name = layout["ovs_vpools"][0]["name"]
    assert ctl01.service("ovs-volumedriver_%s" % name).is_running
    assert ctl01.file("/mnt/%s" % name).is_directory

    # an operator's API client for automation (POST /api/clients/), given as extra variables
    admin = next(u for u in api.get("users/?contents=username")["data"] if u["username"] == "admin")
    client = api.post("clients/", {"name": "ansible-second-pass", "ovs_type": "USER", "user_guid": admin["guid"]})
    secrets = json.dumps({"ovs_api_client_id": client["client_id"], "ovs_api_client_secret": client["client_secret"]})
    rc, output, recap = run_playbook("hyperscale.yml", inventory, "-vvv", "-e", secrets)
    assert rc == 0, output[-4000:]
    assert changed_hosts(recap) == {} and recap["localhost"][0] == 0, output[-4000:]
    assert len(recap) == len(RUNNER.get_hosts("cluster")) + 1
    assert client["client_secret"] not in output
