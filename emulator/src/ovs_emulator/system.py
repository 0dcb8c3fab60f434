"""The local node: systemd services, network identity, packages, files."""
import os
import secrets
import shutil
import socket
import string
import subprocess

from ovs_emulator import paths

ALNUM = string.ascii_letters + string.digits


def random_id(length=16):
    return "".join(secrets.choice(ALNUM) for _ in range(length))


def write_text(path, text, mode=None):
    """Write a file atomically (through a temporary file next to it)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    if mode is not None:
        os.chmod(tmp, mode)
    os.replace(tmp, path)


def read_text(path, default=None):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return default


def systemctl(*args):
    """Run systemctl; returns the CompletedProcess (never raises on a non-zero exit)."""
    return subprocess.run(["systemctl", *args], capture_output=True, text=True, check=False)


def run_later(seconds, *argv):
    """Run ``argv`` in ``seconds`` from now in a transient systemd unit, outside the caller's
    cgroup (a service can restart itself after it has answered); False without systemd-run."""
    if not shutil.which("systemd-run"):
        return False
    done = subprocess.run(["systemd-run", "--quiet", "--collect", f"--on-active={seconds}", *argv],
                          capture_output=True, text=True, check=False)
    return done.returncode == 0


def _checked(*args):
    result = systemctl(*args)
    if result.returncode != 0:
        raise RuntimeError(f"systemctl {' '.join(args)} failed: "
                           f"{(result.stderr or result.stdout).strip()}")


def enable_start(name, restart=False):
    _checked("enable", name)
    _checked("restart" if restart else "start", name)


def disable_stop(name):
    systemctl("disable", "--now", name)


def is_active(name):
    return systemctl("is-active", "--quiet", name).returncode == 0


def is_enabled(name):
    return systemctl("is-enabled", "--quiet", name).returncode == 0


def main_pid(name):
    output = systemctl("show", "--property=MainPID", "--value", name).stdout.strip()
    return int(output) if output.isdigit() else 0


def hostname():
    return socket.gethostname()


def local_ips():
    """IPv4 addresses of this node, without 127.0.0.1 (as the real setup lists them)."""
    output = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True,
                            check=False).stdout
    ips = [line.split()[3].split("/")[0] for line in output.splitlines() if len(line.split()) > 3]
    return [ip for ip in ips if ip != "127.0.0.1"]


def installed_packages():
    """{package: version} of installed packages, from the dpkg status file."""
    packages = {}
    for stanza in (read_text(paths.DPKG_STATUS, "") or "").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines()
                      if ": " in line and not line.startswith(" "))
        if fields.get("Status") == "install ok installed":
            packages[fields["Package"]] = fields.get("Version", "")
    return packages


def port_open(ip, port, timeout=2.0):
    try:
        with socket.create_connection((ip, port), timeout=timeout):
            return True
    except OSError:
        return False


def node_id(path):
    """The 16 alphanumerics id in ``path`` (/etc/openvstorage_id, ...), created if missing."""
    current = (read_text(path) or "").strip()
    if not current:
        current = random_id()
        write_text(path, current + "\n")
    return current


def make_certificate(cert, key, ip, name):
    """A self-signed certificate (SAN: the node IP, its hostname and 127.0.0.1)."""
    os.makedirs(os.path.dirname(cert), exist_ok=True)
    result = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
         "-keyout", key, "-out", cert, "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=IP:{ip},DNS:{name},IP:127.0.0.1"],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"Generating the SSL certificate failed: {result.stderr.strip()}")
    os.chmod(key, 0o600)
