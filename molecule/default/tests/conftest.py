"""Testinfra set-up of the default scenario: one marker per node kind, the order of the test
files, and the helpers of the tests that change the cluster.

A test marked ``controllers``, ``computenodes``, ``storagenodes`` or ``framework`` (controllers
and compute nodes) runs only on the hosts of that kind; unmarked tests run on every node.

One cluster build serves every file: first the checks of the cold build, then the day-2
operations (test_day2.py, which end with a purge and a new build of the same layout), then the
layout change of test_update_layout.py on that rebuilt cluster, then the rolling upgrade to the
next release (test_upgrade.py), then GeoScale with a second cluster (test_geoscale.py) (see
FILE_ORDER).
"""
import json
import os
import re
import shutil
import subprocess

import pytest
import testinfra.utils.ansible_runner
import yaml

KINDS = ("controllers", "computenodes", "storagenodes", "framework")
# The log of the scenario's playbook runs (molecule.yml) and their verbosity (`make molecule-test`:
# 3). The tests' own Ansible calls (testinfra, the playbook runs of the tests) neither write
# into that log nor inherit the verbosity: they run as a user would run them.
SCENARIO_LOG = os.environ.pop("ANSIBLE_LOG_PATH", None)
SCENARIO_VERBOSITY = int(os.environ.pop("ANSIBLE_VERBOSITY", "0") or 0)
PROJECT = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.getcwd())
# a PLAY RECAP line: host, changed, unreachable, failed (after the prefix of a log file line, if any)
RECAP = re.compile(r"^.*?(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
# molecule's inventory directory: its own file plus the linked group tree and variables
INVENTORY = os.path.dirname(os.environ.get("MOLECULE_INVENTORY_FILE", ""))
RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(INVENTORY) if INVENTORY else None


def cluster_hosts():
    return RUNNER.get_hosts("cluster") if RUNNER else []


def host_groups(host):
    return set(host.ansible.get_variables().get("group_names", []))


# Files that change the cluster run last, in this order; the others (checks of the cold build)
# run first, in pytest's order.
FILE_ORDER = ("test_day2.py", "test_update_layout.py", "test_upgrade.py", "test_geoscale.py")


def pytest_collection_modifyitems(items):
    def rank(item):
        name = os.path.basename(str(item.fspath))
        return FILE_ORDER.index(name) + 1 if name in FILE_ORDER else 0
    items.sort(key=rank)  # stable: the order inside each file stays


def pytest_configure(config):
    for kind in KINDS:
        config.addinivalue_line("markers", "%s: runs only on the %s" % (kind, kind))


@pytest.fixture(autouse=True)
def _only_on_marked_kind(request):
    markers = [kind for kind in KINDS if request.node.get_closest_marker(kind)]
    if not markers or "host" not in request.fixturenames:
        return
    groups = host_groups(request.getfixturevalue("host"))
    if "controllers" in groups or "computenodes" in groups:
        groups.add("framework")
    if not groups.intersection(markers):
        pytest.skip("not a node of kind %s" % "/".join(markers))


class Api(object):
    """The framework API of the install master, called with curl on the install master itself. The
    token is requested again when the API refuses it (the day-2 tests purge and rebuild the cluster:
    the new cluster knows no token of the old one)."""

    def __init__(self, host, address, ca_path, username, password):
        self.host = host
        self.base = "https://%s/api" % address
        self.ca_path = ca_path
        self.credentials = (username, password)
        self.token = None
        self._login()

    def _login(self):
        token = self._curl(
            "-X", "POST", "--data-urlencode", "grant_type=password",
            "--data-urlencode", "username=%s" % self.credentials[0],
            "--data-urlencode", "password=%s" % self.credentials[1],
            "%s/oauth2/token/" % self.base)
        self.token = token["access_token"]

    def _run(self, *args):
        return self.host.run(
            "curl -sS --fail-with-body --cacert %s %s" % (
                self.ca_path, " ".join("'%s'" % a for a in args)))

    def _curl(self, *args):
        cmd = self._run(*args)
        assert cmd.rc == 0, cmd.stderr + cmd.stdout
        return json.loads(cmd.stdout)

    def _bearer(self):
        return ("-H", "Accept: application/json; version=9", "-H", "Authorization: Bearer %s" % self.token)

    def _authorized(self, *args):
        cmd = self._run(*(self._bearer() + args))
        if cmd.rc == 22 and "401" in cmd.stderr:  # curl: "The requested URL returned error: 401"
            self._login()
            cmd = self._run(*(self._bearer() + args))
        assert cmd.rc == 0, cmd.stderr + cmd.stdout
        return json.loads(cmd.stdout)

    def get(self, path):
        return self._authorized("%s/%s" % (self.base, path.lstrip("/")))

    def post(self, path, data):
        return self._authorized("-X", "POST", "-H", "Content-Type: application/json", "--data", json.dumps(data),
                                "%s/%s" % (self.base, path.lstrip("/")))


@pytest.fixture(scope="session")
def cluster_host():
    """A testinfra host of the scenario by its inventory name."""
    return lambda name: testinfra.get_host("ansible://%s?ansible_inventory=%s" % (name, INVENTORY))


@pytest.fixture(scope="session")
def install_master(cluster_host):
    return cluster_host(RUNNER.get_hosts("controllers")[0])


@pytest.fixture(scope="session")
def cluster_vars(install_master):
    return install_master.ansible.get_variables()


@pytest.fixture(scope="session")
def api(install_master, cluster_vars):
    return Api(install_master, cluster_vars["install_master_ip"],
               cluster_vars.get("ovs_api_ca_path", "/opt/OpenvStorage/config/ssl/server.crt"),
               "admin", "admin")


def run_secrets(install_master):
    """Every secret a run of hyperscale.yml handles, read from the cluster, by name: the cluster
    (master) password, the OAuth tokens cached on the install master, the ASD manager passwords."""
    found = {"cluster_password": install_master.ansible.get_variables()["cluster_password"]}
    cache = install_master.run("cat /root/.cache/openvstorage.hyperscale/api_tokens.json")
    for number, token in enumerate(re.findall(r'"access_token"\s*:\s*"([^"]+)"', cache.stdout)):
        found["oauth_token_%d" % number] = token
    assert "oauth_token_0" in found, "the run caches its API token on the install master"
    for node_id in install_master.check_output("ovs config list /ovs/alba/asdnodes").split():
        main = json.loads(install_master.check_output("ovs config get /ovs/alba/asdnodes/%s/config/main" % node_id))
        found["asd_manager_password_%s" % node_id] = main["password"]
    assert len([k for k in found if k.startswith("asd_manager_password_")]) == len(RUNNER.get_hosts("storagenodes"))
    return found


def run_playbook(name, inventory, *args):
    """``ansible-playbook -i inventory <name> args...``, the top-level playbook of the clone:
    (exit code, output, {host: (changed, unreachable, failed)} of its recap)."""
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    done = subprocess.run(["ansible-playbook", "-i", inventory, os.path.join(PROJECT, name)] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, timeout=1200,
                          check=False)
    recap = {host: (int(changed), int(unreachable), int(failed))
             for host, changed, unreachable, failed in RECAP.findall(done.stdout)}
    return done.returncode, done.stdout, recap


class Inventory(object):
    """A copy of molecule's inventory that a step changes: hosts moved between groups, variables
    of the cluster and of hosts set (written back at once)."""

    def __init__(self, path):
        self.path = str(path)

    def _load(self, relative):
        full = os.path.join(self.path, relative)
        if not os.path.exists(full):
            return {}
        with open(full) as handle:
            return yaml.safe_load(handle) or {}

    def _dump(self, relative, data):
        with open(os.path.join(self.path, relative), "w") as handle:
            yaml.safe_dump(data, handle)

    def move_host(self, host, group):
        """Move ``host`` (from spares or its group) into ``group`` of cluster, or into spares."""
        tree = self._load("hosts")
        children = tree["all"]["children"]
        groups = dict(children["cluster"]["children"], spares=children.setdefault("spares", {"hosts": {}}))
        entry = None
        for members in groups.values():
            hosts = (members or {}).get("hosts") or {}
            if host in hosts:
                entry = hosts.pop(host)
        assert entry is not None, host
        target = groups[group]
        target.setdefault("hosts", {})[host] = entry
        self._dump("hosts", tree)

    def cluster_vars(self):
        return self._load("group_vars/cluster.yml")

    def set_cluster_vars(self, **values):
        data = self.cluster_vars()
        data.update(values)
        self._dump("group_vars/cluster.yml", data)

    def set_host_vars(self, host, **values):
        relative = "host_vars/%s.yml" % host
        data = self._load(relative)
        for key, value in values.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        self._dump(relative, data)


def copy_inventory(work, **connection):
    """Copy molecule's inventory with its linked files into the new directory ``work``; ``connection``:
    variables that replace or join each host's own (how molecule connects: the docker connection)."""
    shutil.copytree(INVENTORY, str(work), symlinks=False)
    # molecule's own file also puts the hosts into flat groups (controllers, storagenodes, ...):
    # keep only its hosts and their connection there, so that the group tree of the linked
    # testbed file (copied as "hosts") is the only one
    own = os.path.join(str(work), "ansible_inventory.yml")
    with open(own) as handle:
        data = yaml.safe_load(handle)
    hosts = {name: dict(entry or {}, **connection) for name, entry in data["all"]["hosts"].items()}
    with open(own, "w") as handle:
        yaml.safe_dump({"all": {"hosts": hosts, "vars": data["all"].get("vars", {})}}, handle)
    return work


@pytest.fixture(scope="session")
def inventory(tmp_path_factory):
    """Molecule's inventory with its linked files copied (so that the steps can change them)."""
    return Inventory(copy_inventory(tmp_path_factory.mktemp("day2") / "inventory"))


def storagerouters(api):
    """{name: node_type} of the storage routers, from the API."""
    return {r["name"]: r["node_type"] for r in api.get("storagerouters/?contents=name,node_type")["data"]}


def health(node, module=None):
    """The health check report of a framework node: {test: state}."""
    out = node.check_output("ovs healthcheck --to-json %s" % (module or ""))
    report = json.loads(out[out.index("{"):])
    return {name: test["state"] for name, test in report.items()}


def failed_tests(node):
    return sorted(name for name, state in health(node).items() if state in ("FAILED", "EXCEPTION"))


def changed_hosts(recap):
    """The nodes a run changed (localhost's changes are the report files on the control machine)."""
    return sorted(host for host, counts in recap.items() if counts[0] and host != "localhost")


def disk_safety(node, backend, long_ids):
    """{good, critical, lost} of removing the OSDs ``long_ids`` of ``backend`` together, as the framework
    counts ``alba get-disk-safety --include-decommissioning-as-dead`` (read on a controller)."""
    ini = node.file("/opt/OpenvStorage/config/arakoon_cacc.ini").content_string
    cluster_id = next(line.split("=", 1)[1].strip() for line in ini.splitlines() if line.startswith("cluster_id"))
    url = ("arakoon://%s/ovs/arakoon/%s-abm/config?ini=%%2Fopt%%2FOpenvStorage%%2Fconfig%%2Farakoon_cacc.ini"
           % (cluster_id, backend))
    answer = json.loads(node.check_output("alba get-disk-safety --config '%s' --to-json "
                                          "--include-decommissioning-as-dead %s"
                                          % (url, " ".join("--long-id=%s" % i for i in long_ids))))
    assert answer["success"], answer
    counts = {"good": 0, "critical": 0, "lost": 0}
    for namespace in answer["result"]:
        safety = namespace["safety"]
        counts["good" if safety is None or safety > 0 else "critical" if safety == 0 else "lost"] += 1
    return counts
