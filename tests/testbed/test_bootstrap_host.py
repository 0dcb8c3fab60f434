"""testbed/bootstrap-host's decisions, run against a PATH of fake commands only.

Nothing on this machine is installed, started or written: `apt-get`, `docker`, `dockerd`,
`systemctl`, `sudo`, `id` and the other tools the script looks for are small scripts in a
temporary directory that record how they were called; the virtualenv is a fake one that is up to
date. The real tools the script needs to run at all (bash, sha256sum, ...) are linked in.
"""
import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT / "testbed" / "bootstrap-host"
REAL_TOOLS = ("bash", "sh", "env", "cat", "cut", "awk", "seq", "sleep", "sha256sum", "tail", "nohup",
              "dirname", "touch", "cp")
# commands the script installs when missing; docker and dockerd are set up per case
PRESENT = ("debootstrap", "apt-ftparchive", "gpg", "gpgconf", "curl", "git", "gzip", "sshpass")
KEYRING_MISSING = not os.path.exists("/usr/share/keyrings/debian-archive-keyring.gpg")

RECORD = '#!/bin/sh\necho "${{0##*/}} $*" >> "{state}/calls"\n'
FAKES = {
    # records the call; `install` of docker.io brings the client and the engine
    "apt-get": RECORD + 'case " $* " in *" install "*" docker.io "*)\n'
                        '  cp "{bin}/.docker" "{bin}/docker"; cp "{bin}/.dockerd" "{bin}/dockerd";; esac\n',
    # the client: `info` answers only once an engine runs
    ".docker": RECORD + 'case "$1" in\n'
                        '  info) [ -e "{state}/engine" ] || {{ echo "Cannot connect to the Docker daemon" >&2; exit 1; }};;\n'
                        '  version) echo "docker 26.1.5";;\nesac\n',
    ".dockerd": RECORD + 'touch "{state}/engine"\n',
    "systemctl": RECORD + 'case "$1" in\n'
                          '  is-system-running) cat "{state}/systemd";;\n'
                          '  start) [ -x "{bin}/dockerd" ] && touch "{state}/engine";;\nesac\n',
    "sudo": RECORD + 'exec "$@"\n',
    "id": '#!/bin/sh\ncat "{state}/uid"\n',
    "python3": '#!/bin/sh\necho "Python 3.11.2"\n',
    "make": RECORD,
}


@pytest.fixture
def host(tmp_path):
    """A fake machine: bin/ (the only PATH), state/ (what the fakes saw), venv/ (up to date)."""
    fake_bin, state, venv = tmp_path / "bin", tmp_path / "state", tmp_path / "venv"
    for path in (fake_bin, state, venv / "bin"):
        path.mkdir(parents=True)
    for tool in REAL_TOOLS:
        (fake_bin / tool).symlink_to(shutil.which(tool))
    for name, text in FAKES.items():
        write_exec(fake_bin / name, text.format(bin=fake_bin, state=state))
    for name in PRESENT:
        write_exec(fake_bin / name, RECORD.format(state=state))
    write_exec(venv / "bin" / "python", "#!/bin/sh\n")
    write_exec(venv / "bin" / "ansible", '#!/bin/sh\necho "ansible [core 2.19.14]"\n')
    digest = hashlib.sha256((PROJECT / "requirements.txt").read_bytes()).hexdigest()
    (venv / ".requirements.sha256").write_text(digest + "\n")
    (state / "uid").write_text("0\n")
    (state / "systemd").write_text("offline\n")
    return Host(fake_bin, state, tmp_path)


def write_exec(path, text):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


class Host:
    def __init__(self, fake_bin, state, root):
        self.bin, self.state, self.root = fake_bin, state, root

    def with_client_only(self):
        shutil.copy(self.bin / ".docker", self.bin / "docker")

    def with_engine(self):
        """An engine that answers although no dockerd is on the PATH (installed some other way)."""
        self.with_client_only()
        (self.state / "engine").touch()

    def as_user(self, uid, sudo=True):
        (self.state / "uid").write_text("%d\n" % uid)
        if not sudo:
            (self.bin / "sudo").unlink()

    def run(self, *args):
        env = {"PATH": str(self.bin), "HOME": str(self.root), "VENV": str(self.root / "venv"),
               "DOCKERD_LOG": str(self.root / "dockerd.log")}
        return subprocess.run(["bash", str(SCRIPT)] + list(args), env=env, cwd=str(self.root),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60,
                              check=False)

    def calls(self):
        path = self.state / "calls"
        return path.read_text().splitlines() if path.exists() else []

    def installed(self):
        """The packages of every `apt-get install`, in call order."""
        found = []
        for call in self.calls():
            words = call.split()
            if words[:2] == ["apt-get", "install"]:
                found += [word for word in words[2:] if not word.startswith("-")]
        return found


def test_a_client_without_engine_installs_docker_io_and_starts_dockerd_as_root(host):
    host.with_client_only()
    done = host.run()
    assert done.returncode == 0, done.stdout
    assert "docker.io" in host.installed()
    assert "dockerd " in host.calls(), "the engine is started in the background"
    assert not [call for call in host.calls() if call.startswith("sudo ")], "root needs no sudo"
    assert "host ready: docker 26.1.5" in done.stdout


def test_an_engine_that_answers_is_kept_without_dockerd(host):
    host.with_engine()
    done = host.run()
    assert done.returncode == 0, done.stdout
    assert host.installed() == (["debian-archive-keyring"] if KEYRING_MISSING else [])
    assert "dockerd " not in host.calls()


def test_no_docker_at_all_installs_docker_io_once(host):
    done = host.run()
    assert done.returncode == 0, done.stdout
    assert host.installed().count("docker.io") == 1


def test_missing_tools_are_installed_with_their_packages(host):
    host.with_engine()
    for name in ("debootstrap", "apt-ftparchive", "gpgconf"):
        (host.bin / name).unlink()
    done = host.run()
    assert done.returncode == 0, done.stdout
    assert {"debootstrap", "apt-utils", "gpgconf"} <= set(host.installed())
    assert "apt-get update -qq" in host.calls()


def test_a_running_systemd_starts_docker_service(host):
    host.with_client_only()
    (host.state / "systemd").write_text("degraded\n")
    done = host.run()
    assert done.returncode == 0, done.stdout
    assert "systemctl start docker.service" in host.calls()
    assert "dockerd " not in host.calls()


def test_a_user_without_sudo_is_told_and_nothing_is_installed(host):
    host.with_client_only()
    host.as_user(1000, sudo=False)
    done = host.run("make", "demo")
    assert done.returncode == 1
    assert "ERROR: run this as root, or install sudo" in done.stdout
    assert host.calls() == []


def test_a_user_with_sudo_installs_and_starts_the_engine_through_sudo(host):
    host.with_client_only()
    host.as_user(1000)
    done = host.run()
    assert done.returncode == 0, done.stdout
    calls = host.calls()
    assert any(call.startswith("sudo apt-get install ") and "docker.io" in call for call in calls), calls
    assert "sudo docker info" in calls
    assert any(call.startswith("sudo sh -c nohup dockerd") for call in calls), calls


@pytest.mark.parametrize("uid, runner", [(0, "make demo"), (1000, "sudo make demo")])
def test_the_readme_command_runs_as_root(host, uid, runner):
    host.with_engine()
    host.as_user(uid)
    done = host.run("make", "demo")
    assert done.returncode == 0, done.stdout
    assert host.calls()[-1] == "make demo"
    assert runner in host.calls()
    assert host.calls().count("make demo") == 1


def test_without_a_command_nothing_runs_after_the_bootstrap(host):
    host.with_engine()
    done = host.run()
    assert done.returncode == 0, done.stdout
    assert not [call for call in host.calls() if call.startswith("make")]
