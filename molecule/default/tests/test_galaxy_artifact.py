"""The collection as users get it: the Galaxy artifact, installed into an empty collections path
of a fresh virtualenv, runs `openvstorage.hyperscale.hyperscale` by its FQCN against the
converged cluster (changed=0 everywhere), and no secret shows in its -vvv output or in the
files the run leaves on the control machine.
"""
import glob
import os
import re
import subprocess

import pytest

from conftest import INVENTORY, cluster_hosts, run_secrets

PROJECT = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.getcwd())
COLLECTION = os.path.join(PROJECT, "collections", "ansible_collections", "openvstorage", "hyperscale")
PINNED = ("ansible-core", "ansible", "paramiko")


def run(cmd, **kwargs):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, **kwargs)
    assert done.returncode == 0, "%s failed:\n%s" % (" ".join(cmd), done.stdout[-4000:])
    return done.stdout


def pinned_requirements():
    with open(os.path.join(PROJECT, "requirements.txt")) as handle:
        lines = [line.split("#")[0].strip() for line in handle]
    return [line for line in lines if line.split("==")[0] in PINNED]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The artifact, a fresh virtualenv and an empty collections path with only the artifact."""
    work = tmp_path_factory.mktemp("galaxy")
    run(["ansible-galaxy", "collection", "build", "--output-path", str(work), COLLECTION])
    artifact = glob.glob(str(work / "openvstorage-hyperscale-*.tar.gz"))[0]
    venv = work / "venv"
    run(["python3", "-m", "venv", str(venv)])
    run([str(venv / "bin" / "pip"), "install", "-q"] + pinned_requirements())
    collections = work / "collections"
    collections.mkdir()
    home = work / "ansible-home"
    # nothing of the caller's Ansible set-up: only the venv, the empty collections path and a
    # private ANSIBLE_HOME (so no collection installed elsewhere on this machine is seen)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_"))}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_HOME=str(home),
               ANSIBLE_LOCAL_TEMP=str(home / "tmp"), ANSIBLE_NOCOLOR="1",
               PATH="%s:%s" % (venv / "bin", env["PATH"]))
    run(["ansible-galaxy", "collection", "install", "-p", str(collections), artifact], env=env)
    return {"work": work, "artifact": artifact, "venv": venv, "collections": collections, "env": env,
            "home": home}


@pytest.fixture(scope="module")
def fqcn_run(installed):
    """hyperscale.yml by FQCN from the installed artifact, at -vvv."""
    env = dict(installed["env"], ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    output = run(["ansible-playbook", "-vvv", "-i", INVENTORY, "openvstorage.hyperscale.hyperscale"],
                 env=env, cwd=str(installed["work"]))
    return {"output": output}


def test_artifact_ships_no_test_bed(installed):
    listing = run(["tar", "-tzf", installed["artifact"]])
    for path in ("emulator/", "testbed/", "molecule/", ".venv/", "build/", "Makefile"):
        assert not re.search(r"(^|/)%s" % re.escape(path), listing, re.M), path
    for path in ("playbooks/hyperscale.yml", "roles/preflight/tasks/main.yml", "plugins/modules/ovs_node.py",
                 "meta/runtime.yml"):
        assert path in listing


def test_installed_artifact_converges_by_fqcn_with_no_change(installed, fqcn_run):
    path = installed["collections"] / "ansible_collections" / "openvstorage" / "hyperscale"
    assert (path / "MANIFEST.json").is_file()
    assert str(path) in fqcn_run["output"], "roles and modules must come from the installed artifact"
    recap = re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0", fqcn_run["output"], re.M)
    assert {host for host, _ in recap} >= set(cluster_hosts())
    assert all(changed == "0" for _, changed in recap), recap


def test_no_secret_in_the_vvv_output_or_left_on_the_control_machine(fqcn_run, install_master, installed):
    found = run_secrets(install_master)
    leaks = [name for name, value in found.items() if value in fqcn_run["output"]]
    assert not leaks, leaks
    for root, _dirs, files in os.walk(str(installed["work"])):
        if root.startswith(str(installed["venv"])):
            continue
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                data = handle.read()
            leaked = [key for key, value in found.items() if value.encode() in data]
            assert not leaked, (os.path.join(root, name), leaked)
