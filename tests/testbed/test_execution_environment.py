"""execution-environment.yml as ansible-builder reads it (no Docker: `ansible-builder create` writes
the build context only): the pins of requirements.txt, the local base image, apt, the collection of
the clone, offline sources only. The image itself is built by `make ee` and run by the default
scenario (molecule/default/tests/test_execution_environment.py).
"""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[2]
EE_FILE = PROJECT / "execution-environment.yml"
COLLECTION = PROJECT / "collections" / "ansible_collections" / "openvstorage" / "hyperscale"
BUILDER = Path(sys.executable).parent / "ansible-builder"


def requirement_lines(path):
    return [line for line in (line.split("#")[0].strip() for line in path.read_text().splitlines()) if line]


def pins():
    return dict(line.split("==", 1) for line in requirement_lines(PROJECT / "requirements.txt") if "==" in line)


def definition():
    return yaml.safe_load(EE_FILE.read_text())


def test_ansible_core_and_paramiko_are_the_pins_of_requirements_txt():
    deps = definition()["dependencies"]
    assert deps["ansible_core"]["package_pip"] == "ansible-core==%s" % pins()["ansible-core"]
    # the collection's Python requirements are built as wheels with the versions of .venv
    meta = yaml.safe_load((COLLECTION / "meta" / "execution-environment.yml").read_text())
    wanted = requirement_lines(COLLECTION / meta["dependencies"]["python"])
    assert set(wanted) <= set(pins()), wanted


def test_the_image_installs_the_collection_of_the_clone_from_local_files_only():
    ee = definition()
    sources = {entry["dest"]: entry["src"] for entry in ee["additional_build_files"]}
    assert (PROJECT / sources["collection"]) == COLLECTION
    assert ee["dependencies"]["galaxy"]["collections"] == [{"name": "/build/collection", "type": "dir"}]
    assert "--offline" in ee["build_arg_defaults"]["ANSIBLE_GALAXY_CLI_COLLECTION_OPTS"]
    assert {"wheels": "build/ee/wheels", "debs": "build/ee/debs"}.items() <= sources.items()


@pytest.mark.skipif(not BUILDER.exists(), reason="ansible-builder is not installed (requirements.txt)")
def test_ansible_builder_writes_a_debian_containerfile(tmp_path):
    done = subprocess.run([str(BUILDER), "create", "-f", str(EE_FILE), "--context", str(tmp_path / "context"),
                           "--output-filename", "Dockerfile"], cwd=str(PROJECT), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
    assert done.returncode == 0, done.stdout
    steps = (tmp_path / "context" / "Dockerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="ovs-hyperscale-base:bookworm"' in steps
    assert 'ARG PKGMGR="/usr/bin/apt-get"' in steps
    # Debian's python3 has no ensurepip: pip is the Debian package, installed from build/ee/debs
    assert "pip_install" not in steps.split("# Builder build stage")[0]
    assert "file:/output/debs" in steps and "no-index = true" in steps
    assert (tmp_path / "context" / "_build" / "collection" / "galaxy.yml").is_file()
