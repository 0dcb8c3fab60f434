"""The day2 scenario uses the default scenario's test helpers (its conftest, loaded under another
name: both files are called conftest.py) plus what day 2 needs: an inventory that the steps change
and the state of the cluster as an operator reads it."""
import importlib.util
import json
import os
import shutil

import pytest
import yaml

_SPEC = importlib.util.spec_from_file_location(
    "default_scenario_conftest", os.path.join(os.path.dirname(__file__), "..", "..", "default", "tests", "conftest.py"))
_DEFAULT = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_DEFAULT)

INVENTORY = _DEFAULT.INVENTORY
RUNNER = _DEFAULT.RUNNER
RECAP = _DEFAULT.RECAP
run_playbook = _DEFAULT.run_playbook
pytest_configure = _DEFAULT.pytest_configure
cluster_host = _DEFAULT.cluster_host
install_master = _DEFAULT.install_master
cluster_vars = _DEFAULT.cluster_vars
api = _DEFAULT.api


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


@pytest.fixture(scope="session")
def inventory(tmp_path_factory):
    """Molecule's inventory with its linked files copied (so that the steps can change them)."""
    work = tmp_path_factory.mktemp("day2") / "inventory"
    shutil.copytree(INVENTORY, str(work), symlinks=False)
    # molecule's own file also puts the hosts into flat groups (controllers, storagenodes, ...):
    # keep only its hosts and their connection there, so that the group tree of the linked
    # testbed file (copied as "hosts") is the one the steps change
    own = os.path.join(str(work), "ansible_inventory.yml")
    with open(own) as handle:
        data = yaml.safe_load(handle)
    with open(own, "w") as handle:
        yaml.safe_dump({"all": {"hosts": data["all"]["hosts"], "vars": data["all"].get("vars", {})}}, handle)
    return Inventory(work)


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
    return sorted(host for host, counts in recap.items() if counts[0])


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
