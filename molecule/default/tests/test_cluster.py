"""What an operator checks by hand after `hyperscale.yml`: services, ports, ids, store, API, health."""
import json
import re

import pytest

from conftest import INVENTORY, RUNNER, cluster_hosts, run_playbook

testinfra_hosts = cluster_hosts()

MASTER_SERVICES = [
    "memcached", "rabbitmq-server", "ovs-scheduled-tasks", "ovs-webapp-api",
    "ovs-volumerouter-consumer", "ovs-arakoon-config", "ovs-arakoon-ovsdb", "ovs-arakoon-voldrv",
]
FRAMEWORK_SERVICES = ["ovs-workers", "ovs-watcher-framework", "ovs-support-agent"]
STORAGE_SERVICES = ["asd-manager", "asd-watcher"]


def listening_ports(host):
    """TCP ports the node listens on, whatever the address (what `ss -ltn` shows)."""
    lines = host.check_output("ss -ltnH").splitlines()
    return {int(line.split()[3].rsplit(":", 1)[1]) for line in lines if line.strip()}


def machine_id(host):
    return host.file("/etc/openvstorage_id").content_string.strip()


def ovs_config_get(host, key):
    return json.loads(host.check_output("ovs config get %s" % key))


@pytest.mark.framework
@pytest.mark.parametrize("service", FRAMEWORK_SERVICES)
def test_framework_services_run(host, service):
    assert host.service(service).is_running
    assert host.service(service).is_enabled


@pytest.mark.controllers
@pytest.mark.parametrize("service", MASTER_SERVICES)
def test_master_services_run(host, service):
    assert host.service(service).is_running


@pytest.mark.computenodes
@pytest.mark.parametrize("service", ["memcached", "rabbitmq-server", "ovs-arakoon-config", "ovs-webapp-api"])
def test_extra_runs_no_master_service(host, service):
    assert not host.service(service).is_running


@pytest.mark.controllers
@pytest.mark.parametrize("port", [443, 26400, 26401, 26402, 26404, 11211, 5672])
def test_master_ports_listen(host, port):
    assert port in listening_ports(host)


@pytest.mark.framework
def test_node_is_set_up_with_its_type(host):
    node_id = machine_id(host)
    assert re.match(r"^[a-zA-Z0-9]{16}$", node_id)
    expected = "MASTER" if "controllers" in host.ansible.get_variables()["group_names"] else "EXTRA"
    assert ovs_config_get(host, "/ovs/framework/hosts/%s/type" % node_id) == expected
    assert ovs_config_get(host, "/ovs/framework/hosts/%s/setupcompleted" % node_id) is True
    assert ovs_config_get(host, "/ovs/framework/hosts/%s/ip" % node_id) == \
        host.ansible.get_variables()["ovs_node_ip"]


@pytest.mark.framework
def test_all_nodes_share_one_cluster(host, install_master):
    assert ovs_config_get(host, "/ovs/framework/cluster_id") == \
        ovs_config_get(install_master, "/ovs/framework/cluster_id")


@pytest.mark.framework
def test_configuration_store_has_the_three_masters(host):
    ini = host.file("/opt/OpenvStorage/config/arakoon_cacc.ini").content_string
    members = re.search(r"^cluster\s*=\s*(.+)$", ini, re.M).group(1).split(",")
    assert len([m for m in members if m.strip()]) == 3


@pytest.mark.framework
def test_healthcheck_is_all_success(host):
    """No test fails; SKIPPED only where a node has nothing to check (Arakoon ports on an extra,
    ALBA processes where no ASD or maintenance agent runs). The core tests, the ALBA backends and,
    on the compute nodes that carry the vPool, the volumedriver tests are SUCCESS."""
    report = json.loads(host.check_output("ovs healthcheck --to-json"))
    failures = {name: result for name, result in report.items() if result["state"] not in ("SUCCESS", "SKIPPED")}
    assert report and not failures, failures
    required = {"ovs-processes-test", "arakoon-nodes-test", "alba-backend-test"}
    groups = host.ansible.get_variables()["group_names"]
    if "controllers" in groups:
        required.add("arakoon-ports-test")
    if "computenodes" in groups:
        required |= {"volumedriver-dtl-test", "volumedriver-halted-volumes-test",
                     "volumedriver-sco-cache-mountpoint-test"}
    assert {name: report.get(name, {}).get("state") for name in required} == dict.fromkeys(required, "SUCCESS")


@pytest.mark.storagenodes
@pytest.mark.parametrize("service", STORAGE_SERVICES)
def test_storage_services_run(host, service):
    assert host.service(service).is_running
    assert host.service(service).is_enabled


@pytest.mark.storagenodes
def test_asd_manager_answers(host):
    node_id = host.file("/etc/openvstorage_sdm_id").content_string.strip()
    assert re.match(r"^[a-zA-Z0-9]{16}$", node_id)
    assert 8500 in listening_ports(host)


def test_api_lists_five_storage_routers(api):
    routers = api.get("storagerouters/?contents=name,ip,node_type")["data"]
    assert len(routers) == 5
    assert sorted(r["node_type"] for r in routers) == ["EXTRA"] * 2 + ["MASTER"] * 3
    assert [r["name"] for r in routers] == ["cmp01", "cmp02", "ctl01", "ctl02", "ctl03"]


def test_api_has_every_asd_node_registered(api, install_master):
    """The ASD managers of the store (one per storage node) are registered; none is left to discover."""
    registered = api.get("alba/nodes/?contents=node_id,ip")["data"]
    sdm_ids = sorted(
        install_master.check_output(
            "ovs config list /ovs/alba/asdnodes").split())
    assert len(sdm_ids) == len(RUNNER.get_hosts("storagenodes"))
    assert sorted(n["node_id"] for n in registered) == sdm_ids
    assert api.get("alba/nodes/?discover=true&contents=node_id")["data"] == []


def test_healthcheck_reports_a_stopped_service(cluster_host):
    node = cluster_host(RUNNER.get_hosts("controllers")[-1])
    node.check_output("systemctl stop ovs-workers")
    try:
        report = json.loads(node.check_output("ovs healthcheck --to-json ovs processes"))
        assert report["ovs-processes-test"]["state"] == "FAILED"
        assert any("ovs-workers" in message["message"]
                   for message in report["ovs-processes-test"]["messages"]["error"])
    finally:
        node.check_output("systemctl start ovs-workers")
    report = json.loads(node.check_output("ovs healthcheck --to-json ovs processes"))
    assert report["ovs-processes-test"]["state"] == "SUCCESS"


def framework_hosts():
    return RUNNER.get_hosts("controllers") + RUNNER.get_hosts("computenodes")


def test_healthcheck_playbook_passes_and_changes_nothing():
    rc, output, recap = run_playbook("healthcheck.yml", INVENTORY)
    assert rc == 0, output[-4000:]
    assert {host: counts for host, counts in recap.items() if host != "localhost"} == \
        dict.fromkeys(framework_hosts(), (0, 0, 0)), output[-4000:]


def test_healthcheck_playbook_names_the_node_and_the_failing_test(cluster_host):
    name = RUNNER.get_hosts("controllers")[-1]
    node = cluster_host(name)
    node.check_output("systemctl stop ovs-workers")
    try:
        rc, output, recap = run_playbook("healthcheck.yml", INVENTORY)
    finally:
        node.check_output("systemctl start ovs-workers")
    assert rc != 0
    # only that node fails, with the test, its state and the message of the health check
    assert {host for host, counts in recap.items() if counts[2]} == {name}, output[-4000:]
    assert "fatal: [%s]: FAILED!" % name in output, output[-4000:]
    words = " ".join(output.split())  # the result's msg may be folded over lines
    assert re.search(r"ovs-processes-test FAILED: [^;]*ovs-workers", words), output[-4000:]
