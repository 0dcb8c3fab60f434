"""Invalid inventories and variables fail before anything changes (issues 2, 3 and 10).

Each case runs the clone's hyperscale.yml against the scenario's nodes with one invalid input and
checks three things: the run fails, its output names the variable, the bad value and what is
allowed, and no node was touched (no OVS apt source, no OVS package, no node id).
"""
import copy
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


LAYOUT_VARS = ("ovs_domains", "ovs_backends", "ovs_vpools", "ovs_vdisks")
# A valid storage layout for the scenario's three nodes; each storage case breaks one thing.
LAYOUT = {
    "ovs_domains": [{"name": "room1", "storagerouters": ["cmp01"]}],
    "ovs_backends": [
        {"name": "be-local", "scaling": "LOCAL", "asds": [{"disks": ["sdb"], "asds_per_disk": 1}],
         "presets": [{"name": "single", "policies": [[1, 0, 1, 1]], "compression": "snappy",
                      "encryption": "none", "fragment_size": "4MiB"}]},
        {"name": "be-global", "scaling": "GLOBAL", "linked_backends": [{"name": "be-local", "preset": "single"}],
         "presets": [{"name": "gsingle", "policies": [[1, 0, 1, 1]]}]},
    ],
    "ovs_vpools": [{"name": "vpool01", "backend": "be-local", "preset": "single", "storagerouters": ["cmp01"],
                    "sco_size": 64, "cluster_size": 4, "dtl_mode": "a_sync", "dtl_transport": "tcp",
                    "write_buffer": 128, "proxies": 2, "writecache_size": 20}],
    "ovs_vdisks": [{"name": "disk01", "vpool": "vpool01", "storagerouter": "cmp01", "size": "1GiB"}],
}
DISK_ROLES = {"cmp01": [{"disk": "sdb", "roles": ["DB", "DTL", "WRITE"]}, {"disk": "sdc", "roles": ["SCRUB"]}],
              "ctl01": [{"disk": "sdb", "roles": ["DB"]}]}


def inventory(kinds=None, drop_vars=(), layout=None, disk_roles=None, host_vars=None):
    """A YAML inventory of the scenario's nodes: the demo's cluster variables (its storage layout
    replaced by ``layout``, none by default), the given groups, ``disk_roles`` per host."""
    with open(DEMO_VARS) as handle:
        cluster_vars = yaml.safe_load(handle)
    for name in tuple(drop_vars) + LAYOUT_VARS:
        cluster_vars.pop(name, None)
    cluster_vars.update(layout or {})
    disk_roles = DISK_ROLES if disk_roles is None else disk_roles
    children = {}
    for kind, hosts in (KINDS if kinds is None else kinds).items():
        children[kind] = {"hosts": {h: dict({"ovs_node_ip": ADDRESSES[h]},
                                            **dict({"ovs_disk_roles": disk_roles[h]} if h in disk_roles else {},
                                                   **(host_vars or {}).get(h, {})))
                                    for h in hosts}} if hosts else None
    return {"all": {"children": {"cluster": {"children": children, "vars": cluster_vars}}}}


def broken(path, value, disk_roles=None):
    """Inventory arguments of the valid LAYOUT with the value at ``path`` (keys and indexes) set."""
    layout = copy.deepcopy(LAYOUT)
    target = layout
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return {"layout": layout, "disk_roles": disk_roles}


DELETE = object()
PRESET = ("ovs_backends", 0, "presets", 0)
VPOOL = ("ovs_vpools", 0)


def run_playbook(tmp_path, inv, extra_vars=None, playbook="hyperscale.yml"):
    inv_file = tmp_path / "hosts.yml"
    inv_file.write_text(yaml.safe_dump(inv))
    cmd = ["ansible-playbook", "-i", str(inv_file), os.path.join(PROJECT, playbook)]
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
        ["ovs_preconfig_extra of ctl01 is {\"hypervisor_ip\": \"172.30.250.21\"}", "unknown key(s) hypervisor_ip",
         "allowed keys and types: enable_heartbeats (bool)"]),
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
    # --- storage layout (issue 3): every case fails in the inventory check on the control machine
    "deleting the default preset": (
        broken(PRESET, {"name": "default", "state": "absent"}), None,
        ["ovs_backends[0].presets[0] is 'default': Cannot delete the default preset"]),
    "policy k > c": (
        broken(PRESET + ("policies",), [[2, 1, 1, 1]]), None,
        ["ovs_backends[0].presets[0].policies[0] is [2, 1, 1, 1]", "k <= c <= (k + m)"]),
    "policy c > k + m": (
        broken(PRESET + ("policies",), [[1, 1, 3, 1]]), None,
        ["ovs_backends[0].presets[0].policies[0] is [1, 1, 3, 1]", "k <= c <= (k + m)"]),
    "policy k = 0": (
        broken(PRESET + ("policies",), [[0, 1, 1, 1]]), None,
        ["policies[0] is [0, 1, 1, 1]", "k, c and x must be at least 1"]),
    "policy x = 0": (
        broken(PRESET + ("policies",), [[1, 0, 1, 0]]), None,
        ["policies[0] is [1, 0, 1, 0]", "k, c and x must be at least 1"]),
    "policy of three numbers": (
        broken(PRESET + ("policies",), [[1, 0, 1]]), None,
        ["policies[0] is [1, 0, 1]", "exactly 4 integers [k, m, c, x]"]),
    "preset without policy": (
        broken(PRESET + ("policies",), DELETE), None,
        ["ovs_backends[0].presets[0].policies is None", "At least 1 policy must be defined"]),
    "policy the storage nodes cannot honour": (
        broken(PRESET + ("policies",), [[2, 1, 2, 1]]), None,
        ["no policy can be honoured: the layout gives 1 storage node(s)", "ceil((k + m) / x)"]),
    "compression gzip": (
        broken(PRESET + ("compression",), "gzip"), None,
        ["ovs_backends[0].presets[0].compression is 'gzip': allowed: snappy, bz2, none"]),
    "encryption aes-256": (
        broken(PRESET + ("encryption",), "aes-256"), None,
        ["ovs_backends[0].presets[0].encryption is 'aes-256': allowed: aes-cbc-256, aes-ctr-256, none"]),
    "fragment size 8": (
        broken(PRESET + ("fragment_size",), 8), None,
        ["ovs_backends[0].presets[0].fragment_size is 8", "from 16 to 1 GiB"]),
    "preset name with a space": (
        broken(PRESET + ("name",), "my preset"), None,
        ["ovs_backends[0].presets[0].name is 'my preset': Invalid preset name specified"]),
    "preset name of 21 characters": (
        broken(PRESET + ("name",), "p" * 21), None,
        ["ovs_backends[0].presets[0].name is '%s': Invalid preset name specified" % ("p" * 21)]),
    "sco size 5": (
        broken(VPOOL + ("sco_size",), 5), None,
        ["ovs_vpools[0].sco_size is 5: allowed: 4, 8, 16, 32, 64, 128"]),
    "cluster size 3": (
        broken(VPOOL + ("cluster_size",), 3), None,
        ["ovs_vpools[0].cluster_size is 3: allowed: 4, 8, 16, 32, 64"]),
    "dtl mode async": (
        broken(VPOOL + ("dtl_mode",), "async"), None,
        ["ovs_vpools[0].dtl_mode is 'async': allowed: no_sync, a_sync, sync"]),
    "dtl transport udp": (
        broken(VPOOL + ("dtl_transport",), "udp"), None,
        ["ovs_vpools[0].dtl_transport is 'udp': allowed: tcp, rdma"]),
    "write buffer 100": (
        broken(VPOOL + ("write_buffer",), 100), None,
        ["ovs_vpools[0].write_buffer is 100: an integer from 128 to 10240"]),
    "vpool name with capitals": (
        broken(VPOOL + ("name",), "VPool01"), None,
        ["ovs_vpools[0].name is 'VPool01': 3 to 22 lower-case letters, digits or dashes"]),
    "vpool on a storage node": (
        broken(VPOOL + ("storagerouters",), ["str01"]), None,
        ["ovs_vpools[0].storagerouters is [\"str01\"]", "str01 not in controllers or computenodes"]),
    "vpool on a controller without a WRITE partition": (
        broken(VPOOL + ("storagerouters",), ["ctl01"], disk_roles=dict(DISK_ROLES, ctl01=[{"disk": "sdb", "roles": ["DB", "DTL"]}])), None,
        ["ovs_vpools[0].storagerouters is 'ctl01'", "ovs_disk_roles of ctl01 has no WRITE"]),
    "unknown backend": (
        broken(VPOOL + ("backend",), "nope"), None,
        ["ovs_vpools[0].backend is 'nope': a backend of ovs_backends: be-local, be-global"]),
    "unknown preset": (
        broken(VPOOL + ("preset",), "nope"), None,
        ["ovs_vpools[0].preset is 'nope': a preset of backend be-local: default, single"]),
    "disk role READ": (
        {"layout": LAYOUT, "disk_roles": dict(DISK_ROLES, cmp01=[{"disk": "sdb", "roles": ["DB", "DTL", "WRITE", "READ"]},
                                                                {"disk": "sdc", "roles": ["SCRUB"]}])}, None,
        ["ovs_disk_roles of cmp01[0].roles[3] is 'READ': READ no longer exists"]),
    "DB on two partitions of one storage router": (
        {"layout": LAYOUT, "disk_roles": dict(DISK_ROLES, cmp01=[{"disk": "sdb", "roles": ["DB", "DTL", "WRITE"]},
                                                                {"disk": "sdc", "roles": ["DB", "SCRUB"]}])}, None,
        ["role DB may be on one partition per storage router only, here on sdb, sdc"]),
    "removing a vpool that holds vdisks": (
        broken(VPOOL + ("state",), "absent"), None,
        ["ovs_vpools[0].state is 'absent': vPool vpool01 cannot be removed while vDisk disk01 lives on it"]),
    "shrinking a vpool from the storage router of a vdisk": (
        broken(("ovs_vdisks", 0, "storagerouter"), "ctl01"), None,
        ["ovs_vdisks[0].storagerouter is 'ctl01': a storage router of vPool vpool01: cmp01",
         "cannot be shrunk from a storage router that serves vDisks"]),
    "global backend linking an unknown backend": (
        broken(("ovs_backends", 1, "linked_backends", 0, "name"), "nope"), None,
        ["ovs_backends[1].linked_backends[0].name is 'nope': a LOCAL backend of ovs_backends: be-local"]),
    "backend without a controller with a DB partition": (
        {"layout": LAYOUT, "disk_roles": {"cmp01": DISK_ROLES["cmp01"]}}, None,
        ["ovs_disk_roles gives no controller the DB role: the ABM and NSM Arakoon clusters"]),
    "vdisk of 65 TiB": (
        broken(("ovs_vdisks", 0, "size"), "65TiB"), None,
        ["ovs_vdisks[0].size is '65TiB'", "at most 64 TiB"]),
    # --- nested options (issue 10): the argument specs of the roles, checked in the first play
    "fragment cache quota -1": (
        broken(VPOOL + ("fragment_cache",), {"quota": -1}), None,
        ["ovs_vpools[0].fragment_cache.quota is -1: a positive number of bytes"]),
    "block cache on read sometimes": (
        broken(VPOOL + ("block_cache",), {"on_read": "sometimes"}), None,
        ["ovs_vpools[0].block_cache.on_read is 'sometimes': a boolean (true or false)"]),
    "fragment cache with an unknown key": (
        broken(VPOOL + ("fragment_cache",), {"size": 5}), None,
        ["ovs_vpools[0].fragment_cache is {\"size\": 5}: unknown key(s) size",
         "allowed keys and types: backend (str), cluster (dict), on_read (bool), on_write (bool), preset (str), quota (int)"]),
    # --- Accelerated ALBA (issue 14): the cache backend of a vPool, the inventory flag
    "fragment cache on the vPool's own backend": (
        broken(VPOOL + ("fragment_cache",), {"backend": "be-local"}), None,
        ["ovs_vpools[0].fragment_cache.backend is 'be-local': the vPool's own backend",
         "Backend and fragment cache backend cannot be the same"]),
    "fragment cache on an unknown backend": (
        broken(VPOOL + ("fragment_cache",), {"backend": "be-ssd"}), None,
        ["ovs_vpools[0].fragment_cache.backend is 'be-ssd': a backend of ovs_backends: be-local, be-global"]),
    "fragment cache with a preset its backend lacks": (
        broken(VPOOL + ("fragment_cache",), {"backend": "be-global", "preset": "gold"}), None,
        ["ovs_vpools[0].fragment_cache.preset is 'gold': a preset of backend be-global: default, gsingle"]),
    "excellerated_backend on a compute node": (
        dict(broken(VPOOL + ("proxies",), 2), host_vars={"cmp01": {"excellerated_backend": True}}), None,
        ["excellerated_backend of cmp01 is true: cmp01 is not in storagenodes: only storage nodes give their disks"]),
    "excellerated_backend without an accelerated backend": (
        dict(broken(VPOOL + ("proxies",), 2), host_vars={"str01": {"excellerated_backend": True}}), None,
        ["excellerated_backend is true on str01 but no LOCAL backend of ovs_backends has accelerated: true"]),
    "mds safety 0": (
        broken(VPOOL + ("mds_safety",), 0), None,
        ["ovs_vpools[0].mds_safety is 0: an integer from 1 to 5"]),
    "17 proxies": (
        broken(VPOOL + ("proxies",), 17), None,
        ["ovs_vpools[0].proxies is 17: an integer from 1 to 16"]),
    "asds per disk 0": (
        broken(("ovs_backends", 0, "asds", 0, "asds_per_disk"), 0), None,
        ["ovs_backends[0].asds[0].asds_per_disk is 0: an integer from 1 to 24"]),
    "asds without disks": (
        broken(("ovs_backends", 0, "asds", 0, "disks"), DELETE), None,
        ["ovs_backends[0].asds[0].disks is missing: it is required (a list of strings)"]),
    "linked backend without preset": (
        broken(("ovs_backends", 1, "linked_backends", 0, "preset"), DELETE), None,
        ["ovs_backends[1].linked_backends[0].preset is missing: it is required (a string)"]),
    "backend scaling REGIONAL": (
        broken(("ovs_backends", 0, "scaling"), "REGIONAL"), None,
        ["ovs_backends[0].scaling is 'REGIONAL': allowed: LOCAL, GLOBAL"]),
    "domain state gone": (
        broken(("ovs_domains", 0, "state"), "gone"), None,
        ["ovs_domains[0].state is 'gone': allowed: present, absent"]),
    "vdisk snapshots not a list of names": (
        broken(("ovs_vdisks", 0, "snapshots"), [["daily"]]), None,
        ["ovs_vdisks[0].snapshots[0] is [\"daily\"]: a string"]),
    "disk role CACHE": (
        {"layout": LAYOUT, "disk_roles": dict(DISK_ROLES, cmp01=[{"disk": "sdb", "roles": ["DB", "DTL", "WRITE"]},
                                                                {"disk": "sdc", "roles": ["CACHE"]}])}, None,
        ["ovs_disk_roles of cmp01[1].roles[0] is 'CACHE': allowed: DB, DTL, SCRUB, WRITE"]),
    "a login that is not root, without become": (
        {"host_vars": {"cmp01": {"ansible_user": "nobody"}}}, None,
        ["cmp01: the tasks run as nobody (uid 65534), and installing and setting up Open vStorage needs root",
         "ansible_become: true"]),
    "logging target syslog": (
        {}, {"ovs_preconfig_extra": {"logging_target": {"type": "syslog"}}},
        ["ovs_preconfig_extra of ctl01.logging_target.type is 'syslog': allowed: console, file, redis"]),
}


# Day 2 (issue 8): node types and the day-2 playbooks; the cases that need a live cluster (vDisks
# served, data safety, the live cluster id of a purge) are in molecule/default/tests/test_day2.py.
DAY2_CASES = {
    "node type Master (capital)": (
        {"host_vars": {"ctl01": {"ovs_node_type": "Master"}}}, None, "hyperscale.yml",
        ["ovs_node_type", "Master", "master, extra"]),
    "node type on a storage node (promote a storage node)": (
        {"host_vars": {"str01": {"ovs_node_type": "master"}}}, None, "hyperscale.yml",
        ["str01: ovs_node_type is 'master' on a storage node: only controllers and compute nodes"]),
    "demote the last master": (
        {"host_vars": {"ctl01": {"ovs_node_type": "extra"}}}, None, "hyperscale.yml",
        ["ovs_node_type declares 0 master(s) (none) for 1 controllers: a majority, at least 1, must stay masters"]),
    "remove an unknown host": (
        {}, {"ovs_remove_node": "cmp09"}, "remove_node.yml",
        ["ovs_remove_node is cmp09: not a host of the inventory group cluster; allowed: cmp01, ctl01, str01"]),
    "remove without naming the node": (
        {}, None, "remove_node.yml",
        ["ovs_remove_node is not set: name the host to remove, e.g. -e ovs_remove_node=cmp03"]),
    "remove the install master, the only controller": (
        {}, {"ovs_remove_node": "ctl01"}, "remove_node.yml",
        ["ovs_remove_node is ctl01: it is the only controller"]),
    "replace a disk not in the layout": (
        {"layout": LAYOUT}, {"ovs_replace_host": "str01", "ovs_replace_disk": "sdz"}, "replace_disk.yml",
        ["ovs_replace_disk=sdz: is not a disk of the ASDs of str01 in ovs_backends", "allowed for str01: sdb"]),
    "replace a disk of a compute node": (
        {"layout": LAYOUT}, {"ovs_replace_host": "cmp01", "ovs_replace_disk": "sdb"}, "replace_disk.yml",
        ["ovs_replace_host=cmp01: is not a storage node (group storagenodes)"]),
    # --- upgrades (issue 9): the variables on the control machine, the release on the nodes (private apt lists)
    "upgrade in an unknown mode": (
        {}, {"ovs_upgrade_mode": "parallel"}, "upgrade.yml",
        ['ovs_upgrade_mode: "parallel" is not a mode; allowed: cluster, rolling']),
    "upgrade an unknown component": (
        {}, {"ovs_upgrade_components": ["framework", "gui"]}, "upgrade.yml",
        ['ovs_upgrade_components: ["framework", "gui"] is not allowed: unknown gui; allowed: a non-empty list of '
         'framework, storagedriver, alba']),
    "upgrade to a release the repository does not have": (
        {}, {"ovs_upgrade_release": "nosuchrelease"}, "upgrade.yml",
        ["The release nosuchrelease of the repository http://172.30.250.10/debian cannot be read"]),
}


@pytest.mark.parametrize("case", sorted(DAY2_CASES))
def test_day2_bad_input_fails_before_any_change(tmp_path, case):
    inv_args, extra_vars, playbook, expected = DAY2_CASES[case]
    rc, output = run_playbook(tmp_path, inventory(**inv_args), extra_vars, playbook=playbook)
    assert rc != 0, output[-3000:]
    for text in expected:
        assert text in output, "%r not in output: %s" % (text, output[-3000:])
    assert_untouched()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_fails_before_any_change(tmp_path, case):
    inv_args, extra_vars, expected = CASES[case]
    rc, output = run_playbook(tmp_path, inventory(**inv_args), extra_vars)
    assert rc != 0, output[-3000:]
    for text in expected:
        assert text in output, "%r not in output: %s" % (text, output[-3000:])
    assert_untouched()


def test_healthcheck_without_controllers_group_fails_naming_it(tmp_path):
    rc, output = run_playbook(tmp_path, inventory(kinds={"computenodes": ["cmp01"], "storagenodes": ["str01"]}),
                              playbook="healthcheck.yml")
    assert rc != 0
    assert "The inventory group 'controllers' is missing" in output, output[-3000:]
    assert "cmp01" not in output.split("PLAY RECAP")[-1], "no node is contacted"
