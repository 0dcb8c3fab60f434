"""GeoScale on the test bed (issue 14): a second cluster in another "data centre" and a GLOBAL
backend of the demo cluster over a LOCAL backend of each cluster (runs last: it changes the layout).

1. The second cluster (inventories/geo: dc2-ctl01, dc2-str01, backend dc2-hdd) is built by the same
   playbook from its own inventory.
2. An operator makes an API client on it; a layout pass of the demo cluster links dc2-hdd into the
   GLOBAL backend demo-global through that client, puts a vPool on demo-global and a vDisk on it.
   A rerun and a run in check mode change nothing.
3. A new link refused before any change: the other cluster unreachable, a wrong client secret, a
   backend name the other cluster does not know.
4. The other cluster's API stopped: a rerun changes nothing and says which link it could not
   check; its ALBA manager stopped too: the health check reports the GLOBAL backend's data unsafe.
"""
import json
import os
import shutil

import pytest
import yaml

from conftest import INVENTORY, PROJECT, Api, health, run_playbook
from test_update_layout import second_pass

GEO_INVENTORY = os.path.join(PROJECT, "inventories", "geo")
DC2_IP = "172.30.250.41"
DC2_CA = "/root/dc2-api.crt"  # the other cluster's self-signed API certificate, copied to the install master
# one data and one parity fragment, one on each linked backend: each data centre holds a fragment
GEO_PRESET = {"name": "geo-1-1", "policies": [[1, 1, 2, 1]]}
GEO_VPOOL = {"name": "vpool-geo", "backend": "demo-global", "preset": "geo-1-1", "storagerouters": ["cmp01"],
             "sco_size": 64, "cluster_size": 4, "dtl_mode": "a_sync", "dtl_transport": "tcp", "proxies": 1,
             "writecache_size": 10}
SECRET_MARK = "CLIENT_SECRET_PLACEHOLDER"  # yaml dumps it unquoted
GEO_VDISK = {"name": "geo-disk01", "vpool": "vpool-geo", "storagerouter": "cmp01", "size": "2GiB"}


class UnsafeLoader(yaml.SafeLoader):
    """Reads the !unsafe tag of Ansible's YAML as a plain string."""


UnsafeLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def dc2_api(dc2):
    """The API of the second cluster, as its admin, called on its install master."""
    return Api(dc2, DC2_IP, "/opt/OpenvStorage/config/ssl/server.crt", "admin", "admin")


def changed_hosts(recap):
    return {host: counts[0] for host, counts in recap.items() if counts[0] and host != "localhost"}


@pytest.fixture(scope="module")
def dc2(cluster_host):
    """The second cluster, built from inventories/geo: its install master (testinfra host)."""
    rc, output, recap = run_playbook("hyperscale.yml", GEO_INVENTORY)
    assert rc == 0, output[-4000:]
    assert set(changed_hosts(recap)) == {"dc2-ctl01", "dc2-str01"}, output[-4000:]
    return cluster_host("dc2-ctl01")


@pytest.fixture(scope="module")
def dc2_client(dc2, install_master):
    """An API client of the second cluster (client credentials), made as an operator makes one, and its
    certificate authority on the install master of the demo cluster."""
    api = dc2_api(dc2)
    admin = next(u for u in api.get("users/?contents=username")["data"] if u["username"] == "admin")
    client = api.post("clients/", {"name": "geoscale-demo", "ovs_type": "USER", "user_guid": admin["guid"]})
    pem = dc2.file("/opt/OpenvStorage/config/ssl/server.crt").content_string
    written = install_master.ansible("ansible.builtin.copy", json.dumps({"dest": DC2_CA, "mode": "0644", "content": pem}),
                                     check=False)
    assert not written.get("failed"), written
    return {"api_host": DC2_IP, "api_port": 443, "client_id": client["client_id"],
            "client_secret": client["client_secret"], "ca_path": DC2_CA}


def geo_inventory(tmp_path_factory, name, client, **link_changes):
    """Molecule's inventory copied with the second pass of test_update_layout.py (the cluster's layout when this
    file runs), plus dc2-hdd linked into demo-global, vpool-geo and its vDisk."""
    work = tmp_path_factory.mktemp(name) / "inventory"
    shutil.copytree(INVENTORY, str(work), symlinks=False)
    second_pass(work)  # the layout test_update_layout.py gave the cluster before this file runs
    cluster_file = work / "group_vars" / "cluster.yml"
    cluster = yaml.safe_load(cluster_file.read_text())
    glob = next(b for b in cluster["ovs_backends"] if b["name"] == "demo-global")
    link = {"name": "dc2-hdd", "preset": "dc2-1-0", "cluster": dict(client)}
    link.update(link_changes)
    glob["linked_backends"] = glob["linked_backends"] + [link]
    glob["presets"] = glob["presets"] + [GEO_PRESET]
    cluster["ovs_vpools"] = cluster["ovs_vpools"] + [GEO_VPOOL]
    cluster["ovs_vdisks"] = cluster.get("ovs_vdisks", []) + [GEO_VDISK]
    # an OVS client secret has characters of every kind ({{, %, ...): the inventory marks it !unsafe
    # (docs/operations.md, GeoScale), else Ansible would read it as a template
    secret = link["cluster"].pop("client_secret")
    link["cluster"]["client_secret"] = SECRET_MARK
    text = yaml.safe_dump(cluster).replace(SECRET_MARK, "!unsafe %s" % json.dumps(secret))
    cluster_file.write_text(text)
    assert yaml.load(text, Loader=UnsafeLoader)["ovs_backends"]  # the file still reads
    return str(work)


@pytest.fixture(scope="module")
def linked(tmp_path_factory, dc2_client):
    """The layout pass that links the other cluster's backend (only the layout: --tags layout)."""
    inventory = geo_inventory(tmp_path_factory, "geo", dc2_client)
    rc, output, recap = run_playbook("hyperscale.yml", inventory, "--tags", "layout")
    assert rc == 0, output[-4000:]
    assert changed_hosts(recap), output[-4000:]
    return inventory


def test_the_second_cluster_has_its_own_backend(dc2):
    api = dc2_api(dc2)
    names = {b["name"]: b for b in api.get("alba/backends/?contents=name,scaling,available")["data"]}
    assert set(names) == {"dc2-hdd"} and names["dc2-hdd"]["scaling"] == "LOCAL", names
    assert names["dc2-hdd"]["available"] is True, names


def test_the_global_backend_links_a_backend_of_each_cluster(linked, api):
    backends = {b["name"]: b for b in api.get("alba/backends/?contents=name,remote_stack,linked_backend_guids")["data"]}
    remote_stack = backends["demo-global"]["remote_stack"]
    by_name = {entry["name"]: entry for entry in remote_stack.values()}
    assert set(by_name) == {"demo-hdd", "dc2-hdd"}, remote_stack
    assert by_name["dc2-hdd"]["remote_host"] == DC2_IP and by_name["dc2-hdd"]["local_ip"] is False, by_name
    assert by_name["demo-hdd"]["local_ip"] is True, by_name
    assert {entry["error"] for entry in by_name.values()} == {""}, by_name


def test_a_vdisk_lives_on_the_vpool_of_the_global_backend(linked, api):
    vpools = {v["name"]: v for v in api.get("vpools/?contents=name,status,vdisks_guids")["data"]}
    assert vpools["vpool-geo"]["status"] == "RUNNING", vpools["vpool-geo"]
    vdisks = [api.get("vdisks/%s/?contents=name" % guid)["name"] for guid in vpools["vpool-geo"]["vdisks_guids"]]
    assert vdisks == ["geo-disk01"], vdisks


def test_rerun_and_check_mode_change_nothing(linked):
    for extra in ((), ("--check", "--diff")):
        rc, output, recap = run_playbook("hyperscale.yml", linked, "--tags", "layout", *extra)
        assert rc == 0, output[-4000:]
        assert changed_hosts(recap) == {}, (extra, output[-4000:])


@pytest.mark.parametrize("case, cluster_changes, expected", [
    ("unreachable", {"api_host": "172.30.250.49"}, "172.30.250.49"),
    ("wrong secret", {"client_secret": "not-the-secret"}, "client"),
    ("unknown backend", {}, "no-such-backend"),
])
def test_a_new_remote_link_is_refused_before_any_change(install_master, cluster_vars, dc2_client, api, case,
                                                        cluster_changes, expected):
    """A new GLOBAL backend over the other cluster: refused, and the backend is not created."""
    remote = dict(dc2_client, **cluster_changes)
    link = {"name": "no-such-backend" if case == "unknown backend" else "dc2-hdd", "preset": "dc2-1-0",
            "cluster": remote}
    args = {"name": "geo-refused", "scaling": "GLOBAL", "linked_backends": [link],
            "api_host": cluster_vars["install_master_ip"], "api_username": "admin", "api_password": "admin",
            "ca_path": cluster_vars["ovs_api_ca_path"]}
    result = install_master.ansible("openvstorage.hyperscale.alba_backend", json.dumps(args), check=False)
    # testinfra drops the failed flag of a module result; the refusal is the message
    assert not result.get("changed") and "alba_backend" not in result, result
    assert "linked_backends[0]" in result["msg"] and expected in result["msg"], result["msg"]
    assert "not-the-secret" not in json.dumps(result)
    names = [b["name"] for b in api.get("alba/backends/?contents=name")["data"]]
    assert "geo-refused" not in names, names


def test_with_the_other_data_centre_down_a_rerun_and_the_health_check_say_so(linked, dc2, install_master):
    """The other cluster's API stops: a rerun keeps the link, changes nothing and names the cluster it
    could not read (the data stays safe: the health check, as the real one, has no test of a link).
    Then its ALBA manager stops too (the whole data centre): the vPool's namespace on the GLOBAL
    backend loses the fragment kept there, its disk safety drops to zero (ALBA0302). Both start
    again: all safe."""
    try:
        dc2.check_output("systemctl stop ovs-webapp-api.service")
        rc, output, recap = run_playbook("hyperscale.yml", linked, "--tags", "layout")
        assert rc == 0, output[-4000:]
        assert changed_hosts(recap) == {}, output[-4000:]
        warnings = " ".join(line for line in output.splitlines() if "WARNING" in line)
        assert "%s:443" % DC2_IP in warnings and "dc2-hdd" in warnings, output[-4000:]
        assert health(install_master, "alba")["alba-disk-safety-test"] == "SUCCESS"
        dc2.check_output("systemctl stop ovs-arakoon-dc2-hdd-abm.service")
        report = install_master.check_output("ovs healthcheck --to-json alba")
        safety = json.loads(report[report.index("{"):])["alba-disk-safety-test"]
        assert safety["state"] == "FAILED", safety
        assert [m["code"] for m in safety["messages"]["error"]] == ["ALBA0302"], safety
    finally:
        dc2.check_output("systemctl start ovs-arakoon-dc2-hdd-abm.service ovs-webapp-api.service")
    assert health(install_master, "alba")["alba-disk-safety-test"] == "SUCCESS"
