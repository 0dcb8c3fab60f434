"""The collection as a new user meets it, with nothing of this machine's Ansible set-up.

A fresh `git clone` of the repository's HEAD (commit before running this), made without symbolic
links (`core.symlinks=false`, as some Windows set-ups and copying tools do), runs the top-level
playbooks with an empty collections path and ANSIBLE_HOME: the roles and modules resolve through
the clone's collections/ directory beside them. Installed into an empty collections path from the Galaxy
artifact built from that clone, or from git, it runs the same playbooks by their FQCN. Nothing here contacts a node.
"""
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
COLLECTION = "collections/ansible_collections/openvstorage/hyperscale"
BIN = Path(sys.executable).parent
INVENTORY = "inventories/example"
TOP_LEVEL = ("hyperscale.yml", "healthcheck.yml", "remove_node.yml", "replace_disk.yml", "purge.yml", "upgrade.yml")
# tasks of play 2 that install or configure packages
PACKAGE_TASKS = ("Install the framework packages", "Install the storage node packages",
                 "repository : Configure the OVS apt repository", "host_tuning : Install the host packages")
LAYOUT_TASKS = ("domain : Create the failure domains", "disk : Give the disks of this storage router",
                "backend : Create the LOCAL ALBA backends", "backend : Register this ASD node",
                "backend : Create or update the presets", "backend : Create the GLOBAL backends",
                "vpool : Create the vPools", "vdisk : Create the vDisks")
LAYOUT_TAGS = ("layout", "domains", "disks", "backends", "asds", "presets", "vpools", "vdisks")
# what a user of the artifact does not have
NOT_SHIPPED = ("molecule/", "testbed/", "emulator/", "shared/")


def run(cmd, check=True, **kwargs):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, timeout=600, **kwargs)
    if check:
        assert done.returncode == 0, "%s failed:\n%s" % (" ".join(cmd), done.stdout[-4000:])
    return done


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A clone of HEAD and an environment with an empty collections path and ANSIBLE_HOME."""
    work = tmp_path_factory.mktemp("clone")
    run(["git", "-c", "core.symlinks=false", "clone", "-q", str(PROJECT), str(work / "repo")])
    empty = work / "collections"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_"))}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(empty), ANSIBLE_HOME=str(work / "home"),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_LOCAL_TEMP=str(work / "tmp"),
               ANSIBLE_NOCOLOR="1", PATH="%s:%s" % (BIN, env["PATH"]))
    return {"work": work, "repo": work / "repo", "collections": empty, "env": env}


def playbook(clone, *args, **kwargs):
    cwd = kwargs.pop("cwd", clone["repo"])
    return run([str(BIN / "ansible-playbook")] + list(args), env=clone["env"], cwd=str(cwd), **kwargs)


def list_tasks(clone, name, *args):
    return playbook(clone, "-i", INVENTORY, name, "--list-tasks", *args).stdout


def test_the_repository_tracks_no_symbolic_link():
    """A checkout without symbolic links must work: git records none (mode 120000)."""
    listing = run(["git", "-C", str(PROJECT), "ls-files", "-s"]).stdout.splitlines()
    assert [line for line in listing if line.startswith("120000 ")] == []


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_the_top_level_playbooks_pass_the_syntax_check_from_the_clone(clone, name):
    assert not list(clone["collections"].iterdir()), "nothing is installed"
    playbook(clone, "-i", INVENTORY, name, "--syntax-check")


def test_hyperscale_yml_resolves_the_roles_from_the_clone(clone):
    tasks = list_tasks(clone, "hyperscale.yml")
    for role in ("preflight", "repository", "host_tuning", "controller", "compute", "storage",
                 "domain", "disk", "backend", "vpool", "vdisk"):
        assert "openvstorage.hyperscale.%s : " % role in tasks, role
    assert "play #11 (controllers): Report the cluster" in tasks


def test_healthcheck_yml_resolves_its_module_from_the_clone(clone):
    tasks = list_tasks(clone, "healthcheck.yml")
    assert "Health check of the framework nodes" in tasks
    assert "Run the health check" in tasks


def test_the_example_inventory_reads_the_cluster_password_from_its_vault(clone, tmp_path):
    """The documented flow: copy the example, encrypt its vault.yml, run with the vault password."""
    inventory = tmp_path / "inventory"
    run(["cp", "-r", str(clone["repo"] / INVENTORY), str(inventory)])
    vault, secret = inventory / "group_vars" / "cluster" / "vault.yml", tmp_path / "vault-pass"
    secret.write_text("a vault password\n")
    run([str(BIN / "ansible-vault"), "encrypt", "--vault-password-file", str(secret), str(vault)],
        env=clone["env"])
    assert vault.read_text().startswith("$ANSIBLE_VAULT;") and "rooter" not in vault.read_text()
    show = [str(BIN / "ansible"), "-i", str(inventory), "ctl01", "-m", "ansible.builtin.debug",
            "-a", "var=cluster_password"]
    shown = run(show + ["--vault-password-file", str(secret)], env=clone["env"], cwd=str(tmp_path))
    assert '"cluster_password": "rooter"' in shown.stdout
    refused = run(show, check=False, env=clone["env"], cwd=str(tmp_path))
    assert refused.returncode != 0 and "vault" in refused.stdout.lower(), refused.stdout


def test_tag_layout_lists_the_layout_and_no_package_task(clone):
    tasks = list_tasks(clone, "hyperscale.yml", "--tags", "layout")
    for task in LAYOUT_TASKS:
        assert task in tasks, task
    for task in PACKAGE_TASKS + ("controller : Set up the install master first",):
        assert task not in tasks, task
    assert "preflight : Validate the variables of this node" in tasks


def test_tag_packages_lists_no_layout_task(clone):
    tasks = list_tasks(clone, "hyperscale.yml", "--tags", "packages")
    for task in PACKAGE_TASKS:
        assert task in tasks, task
    for task in LAYOUT_TASKS:
        assert task not in tasks, task


@pytest.mark.parametrize("tag", LAYOUT_TAGS)
def test_every_layout_tag_runs_the_layout_check_first(clone, tag):
    """Only the control machine's plays run (--limit localhost); a bad vDisk stops the run."""
    bad = '{"ovs_vdisks": [{"name": "vd01", "vpool": "no-such-vpool", "size": "1GiB"}]}'
    done = playbook(clone, "-i", INVENTORY, "-i", "localhost,", "-c", "local", "--limit", "localhost",
                    "hyperscale.yml", "--tags", tag, "-e", bad, check=False)
    assert done.returncode == 2, done.stdout[-3000:]
    assert "Check the nested variables and the storage layout" in done.stdout
    assert "no-such-vpool" in done.stdout


def galaxy(clone, *args):
    return run([str(BIN / "ansible-galaxy"), "collection"] + list(args), env=clone["env"])


@pytest.fixture(scope="module")
def artifact(clone):
    """The Galaxy artifact built from the clone."""
    out = clone["work"] / "dist"
    galaxy(clone, "build", "--output-path", str(out), str(clone["repo"] / COLLECTION))
    return next(out.glob("openvstorage-hyperscale-*.tar.gz"))


@pytest.fixture(scope="module", params=["artifact", "git"])
def installed(request, clone, artifact):
    """The collection installed into an empty collections path: from the artifact, or from git."""
    source = str(artifact) if request.param == "artifact" else "git+file://%s#/%s/" % (clone["repo"], COLLECTION)
    path = clone["work"] / ("installed-" + request.param)
    galaxy(clone, "install", "-p", str(path), source)
    return {"path": path / "ansible_collections" / "openvstorage" / "hyperscale",
            "env": dict(clone["env"], ANSIBLE_COLLECTIONS_PATH=str(path))}


def test_the_installed_collection_runs_the_playbooks_by_their_fqcn(clone, installed, tmp_path):
    assert (installed["path"] / "MANIFEST.json").is_file()
    assert not (installed["path"] / "collections").exists()
    inventory = str(clone["repo"] / INVENTORY)
    done = run([str(BIN / "ansible-playbook"), "-i", inventory, "openvstorage.hyperscale.hyperscale",
                "--list-tasks"], env=installed["env"], cwd=str(tmp_path))
    assert "openvstorage.hyperscale.preflight : Validate the variables of this node" in done.stdout
    run([str(BIN / "ansible-playbook"), "-i", inventory, "openvstorage.hyperscale.healthcheck", "--syntax-check"],
        env=installed["env"], cwd=str(tmp_path))


def test_the_artifact_ships_the_collection_and_no_clone_only_file(artifact):
    with tarfile.open(str(artifact)) as tar:
        names = tar.getnames()
    for path in ("README.md", "meta/runtime.yml", "meta/execution-environment.yml",
                 "playbooks/hyperscale.yml", "playbooks/healthcheck.yml", "docs/operations.md"):
        assert path in names, path
    for path in ("collections", "hyperscale.yml", "healthcheck.yml", ".ansible-lint", "tests",
                 "docs/development.md", "changelogs/fragments", "Makefile"):
        assert not [name for name in names if name == path or name.startswith(path + "/")], path


def test_no_shipped_file_points_at_a_file_users_do_not_have(artifact):
    found = []
    with tarfile.open(str(artifact)) as tar:
        for member in tar.getmembers():
            # the README's quickstart is for a clone and says so
            if not member.isfile() or member.name.endswith(".json") or member.name == "README.md":
                continue
            text = tar.extractfile(member).read().decode("utf-8", "replace")
            for number, line in enumerate(text.splitlines(), 1):
                if re.search(r"(?<![\w.-])(%s)" % "|".join(map(re.escape, NOT_SHIPPED)), line):
                    found.append("%s:%d: %s" % (member.name, number, line.strip()))
    assert not found, "\n".join(found)
