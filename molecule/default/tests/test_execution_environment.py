"""The collection in its execution environment, as AWX / Automation Platform runs it: a container of
the image `make ee` builds (openvstorage-hyperscale-ee:<galaxy.yml version>, execution-environment.yml)
on the scenario's network runs `openvstorage.hyperscale.hyperscale` by its FQCN against the converged
cluster (changed=0 on every cluster node) with what the image holds only: its ansible-core, the
collection it installed, paramiko for the probe of the master password.

The nodes are reached as an AWX machine credential reaches them: OpenSSH as root with the cluster
password (sshpass), not molecule's docker connection, which would need the docker CLI, the
community.docker collection and the host's docker socket (root on the host) inside the image.
"""
import os
import subprocess

import pytest
import yaml

from conftest import PROJECT, RECAP, cluster_hosts, copy_inventory

COLLECTION = os.path.join(PROJECT, "collections", "ansible_collections", "openvstorage", "hyperscale")
NETWORK = "ovs-hyperscale"
# the connection of an AWX machine credential; the password is the inventory's, never on a command line
SSH = {"ansible_connection": "ansible.builtin.ssh", "ansible_user": "root",
       "ansible_password": "{{ cluster_password }}",
       "ansible_host": "{{ ovs_node_ip | default(inventory_hostname) }}"}


def ee_image():
    with open(os.path.join(COLLECTION, "galaxy.yml")) as handle:
        return "openvstorage-hyperscale-ee:%s" % yaml.safe_load(handle)["version"]


def docker_run(*args, **kwargs):
    """``docker run --rm`` of the execution environment: (exit code, output)."""
    done = subprocess.run(["docker", "run", "--rm"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False, **kwargs)
    return done.returncode, done.stdout


@pytest.fixture(scope="module")
def image():
    name = ee_image()
    found = subprocess.run(["docker", "image", "inspect", name], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
    if found.returncode != 0:
        pytest.skip("no image %s: `make ee` builds it (`make test` does before molecule-default)" % name)
    return name


@pytest.fixture(scope="module")
def ee_run(image, tmp_path_factory):
    """hyperscale.yml by FQCN inside the execution environment: (exit code, output)."""
    inventory = copy_inventory(tmp_path_factory.mktemp("ee") / "inventory", **SSH)
    return docker_run(
        "--network", NETWORK, "-v", "%s:/runner/inventory:ro" % inventory,
        "-e", "ANSIBLE_HOST_KEY_CHECKING=False", "-e", "ANSIBLE_PIPELINING=True", "-e", "ANSIBLE_FORKS=12",
        "-e", "ANSIBLE_TIMEOUT=60", "-e", "ANSIBLE_NOCOLOR=1",
        image, "ansible-playbook", "-i", "/runner/inventory", "-e", "ovs_report_dir=/runner/report",
        "openvstorage.hyperscale.hyperscale", timeout=1800)


def test_image_holds_the_pinned_ansible_and_the_collection(image):
    with open(os.path.join(PROJECT, "requirements.txt")) as handle:
        core = [line.split("==")[1].strip() for line in handle if line.startswith("ansible-core==")][0]
    rc, output = docker_run(image, "ansible-playbook", "--version")
    assert rc == 0 and "[core %s]" % core in output, output
    rc, output = docker_run(image, "ansible-galaxy", "collection", "list", "openvstorage.hyperscale")
    assert rc == 0 and "/usr/share/ansible/collections" in output, output


def test_collection_converges_inside_the_execution_environment_with_no_change(ee_run):
    rc, output = ee_run
    assert rc == 0, output[-6000:]
    recap = {host: (int(changed), int(unreachable), int(failed))
             for host, changed, unreachable, failed in RECAP.findall(output)}
    assert set(recap) >= set(cluster_hosts()), recap
    assert {host: counts for host, counts in recap.items()
            if host in cluster_hosts() and counts != (0, 0, 0)} == {}, output[-6000:]
