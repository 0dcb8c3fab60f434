"""Testinfra set-up of the default scenario: one marker per node kind.

A test marked ``controllers``, ``computenodes``, ``storagenodes`` or ``framework`` (controllers
and compute nodes) runs only on the hosts of that kind; unmarked tests run on every node.
"""
import json
import os

import pytest
import testinfra.utils.ansible_runner

KINDS = ("controllers", "computenodes", "storagenodes", "framework")
# molecule's inventory directory: its own file plus the linked group tree and variables
INVENTORY = os.path.dirname(os.environ.get("MOLECULE_INVENTORY_FILE", ""))
RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(INVENTORY) if INVENTORY else None


def cluster_hosts():
    return RUNNER.get_hosts("cluster") if RUNNER else []


def host_groups(host):
    return set(host.ansible.get_variables().get("group_names", []))


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
    """The framework API of the install master, called with curl on the install master itself."""

    def __init__(self, host, address, ca_path, username, password):
        self.host = host
        self.base = "https://%s/api" % address
        self.ca_path = ca_path
        token = self._curl(
            "-X", "POST", "--data-urlencode", "grant_type=password",
            "--data-urlencode", "username=%s" % username,
            "--data-urlencode", "password=%s" % password,
            "%s/oauth2/token/" % self.base)
        self.token = token["access_token"]

    def _curl(self, *args):
        cmd = self.host.run(
            "curl -sS --fail-with-body --cacert %s %s" % (
                self.ca_path, " ".join("'%s'" % a for a in args)))
        assert cmd.rc == 0, cmd.stderr + cmd.stdout
        return json.loads(cmd.stdout)

    def get(self, path):
        return self._curl(
            "-H", "Accept: application/json; version=9",
            "-H", "Authorization: Bearer %s" % self.token,
            "%s/%s" % (self.base, path.lstrip("/")))

    def post(self, path, data):
        return self._curl(
            "-X", "POST", "-H", "Content-Type: application/json",
            "-H", "Accept: application/json; version=9",
            "-H", "Authorization: Bearer %s" % self.token,
            "--data", json.dumps(data),
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
