"""Invalid inventories and variables fail before anything changes (issue 2, section 5).

Each case runs playbooks/hyperscale.yml against the scenario's nodes with one invalid input and
checks three things: the run fails, its output names the variable, the bad value and what is
allowed, and no node was touched (no OVS apt source, no OVS package, no node id).
"""
import json
import os
import subprocess

import pytest
import testinfra
import yaml

PROJECT = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.getcwd())
DEMO_VARS = os.path.join(PROJECT, "inventories", "demo", "group_vars", "cluster.yml")
ADDRESSES = {"ctl01": "172.30.250.11", "cmp01": "172.30.250.21", "str01": "172.30.250.31"}
KINDS = {"controllers": ["ctl01"], "computenodes": ["cmp01"], "storagenodes": ["str01"]}


def inventory(kinds=None, drop_vars=()):
    """A YAML inventory of the scenario's nodes: the demo's cluster variables, the given groups."""
    with open(DEMO_VARS) as handle:
        cluster_vars = yaml.safe_load(handle)
    for name in drop_vars:
        cluster_vars.pop(name, None)
    children = {}
    for kind, hosts in (KINDS if kinds is None else kinds).items():
        children[kind] = {"hosts": {h: {"ovs_node_ip": ADDRESSES[h]} for h in hosts}} if hosts else None
    return {"all": {"children": {"cluster": {"children": children, "vars": cluster_vars}}}}


def run_playbook(tmp_path, inv, extra_vars=None):
    inv_file = tmp_path / "hosts.yml"
    inv_file.write_text(yaml.safe_dump(inv))
    cmd = ["ansible-playbook", "-i", str(inv_file), os.path.join(PROJECT, "playbooks", "hyperscale.yml")]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=env, timeout=600, check=False)
    return done.returncode, " ".join(done.stdout.replace('\\"', '"').split())


def assert_untouched():
    for name in ADDRESSES:
        node = testinfra.get_host("docker://%s" % name)
        assert not node.file("/etc/apt/sources.list.d/openvstorage.sources").exists, name
        assert not node.package("openvstorage").is_installed, name
        assert not node.package("openvstorage-sdm").is_installed, name
        assert not node.file("/opt/OpenvStorage/config/arakoon_cacc.ini").exists, name


CASES = {
    "no controllers group": (
        {"kinds": {"computenodes": ["cmp01"], "storagenodes": ["str01"]}}, None,
        ["inventory group 'controllers' is missing", "controllers, computenodes and storagenodes"]),
    "empty controllers group": (
        {"kinds": {"controllers": [], "computenodes": ["cmp01"], "storagenodes": ["str01"]}}, None,
        ["inventory group 'controllers' is empty", "at least one controller"]),
    "install master not a controller": (
        {}, {"install_master_ip": "172.30.250.21"},
        ["install_master_ip is '172.30.250.21'", "must be the address of a controller, one of 172.30.250.11"]),
    "node type other than master or extra": (
        {}, {"ovs_node_type": "witness"},
        ["ovs_node_type", "witness", "master, extra"]),
    "missing cluster password": (
        {"drop_vars": ["cluster_password"]}, None,
        ["cluster_password (or ovs_master_password) is not set"]),
    "unknown preconfig key": (
        {}, {"ovs_preconfig_extra": {"hypervisor_ip": "172.30.250.21"}},
        ["ovs_preconfig_extra is {\"hypervisor_ip\": \"172.30.250.21\"}", "unknown key(s) hypervisor_ip",
         "allowed keys and types"]),
    "api_port inside the ASD port range": (
        {}, {"api_port": 8650},
        ["api_port is '8650'", "outside the ASD port range 8600-8699"]),
    "wrong master password": (
        {}, {"cluster_password": "not-the-root-password"},
        ["SSH login as root on 172.30.250.11:22 failed: the password is refused"]),
    "repository unreachable": (
        {}, {"ovs_repository_url": "http://172.30.250.10/no-such-repository"},
        ["the OVS repository does not answer at http://172.30.250.10/no-such-repository/dists/fargo/InRelease",
         "status 404", "check ovs_repository_url"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_fails_before_any_change(tmp_path, case):
    inv_args, extra_vars, expected = CASES[case]
    rc, output = run_playbook(tmp_path, inventory(**inv_args), extra_vars)
    assert rc != 0, output[-3000:]
    for text in expected:
        assert text in output, "%r not in output: %s" % (text, output[-3000:])
    assert_untouched()
