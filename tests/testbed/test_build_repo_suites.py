"""testbed/build-repo's pool and index steps on a temporary repository, without Docker.

The script's own `sync_dir` and `index_suite` functions and suite table are cut out of it and run
on the packages build-debs makes for each suite (the Debian dependency closure, which needs the
node image, is left out: its pool stays empty). apt then reads each suite through its signature.
"""
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT / "testbed" / "build-repo"
TOOLS = ("dpkg-deb", "apt-ftparchive", "gpg", "gpgconf", "apt-get", "apt-cache")
pytestmark = pytest.mark.skipif(not all(shutil.which(tool) for tool in TOOLS),
                                reason="needs " + ", ".join(TOOLS))

HARNESS = r"""
set -euo pipefail
log() { echo "LOG: $*"; }
die() { echo "DIE: $*"; exit 1; }
eval "$(sed -n '/^sync_dir() {/,/^}/p; /^index_suite() {/,/^}/p' "$SCRIPT")"
eval "$(grep -E '^(declare -A OVS_RELEASE=|OVS_SUITES=|COMPONENT=)' "$SCRIPT")"
ARCH=amd64 REPO=$T/repo WORK=$T/work DEBS_DIR=$T/debs
export GNUPGHOME=$T/gnupg
mkdir -p "$WORK" "$REPO/pool/$COMPONENT/debian"
if [ ! -d "$GNUPGHOME" ]; then
    mkdir -m 700 "$GNUPGHOME"
    gpg --batch --quiet --passphrase '' --quick-gen-key "test <test@test.invalid>" rsa2048 sign never
    gpg --batch --armor --export > "$T/key.asc"
fi
fingerprint=$(gpg --batch --with-colons --list-keys | awk -F: '/^fpr:/{print $10; exit}')
for suite in "${OVS_SUITES[@]}"; do
    rm -rf "$DEBS_DIR/$suite"
    "$BUILD_DEBS" --release "${OVS_RELEASE[$suite]}" "$DEBS_DIR/$suite" >/dev/null
    mkdir -p "$REPO/pool/$COMPONENT/ovs/$suite"
    # shellcheck disable=SC2046
    sync_dir "$DEBS_DIR/$suite" "$REPO/pool/$COMPONENT/ovs/$suite" $(cd "$DEBS_DIR/$suite" && ls -- *.deb)
done
for suite in "${OVS_SUITES[@]}"; do index_suite "$suite"; done
gpgconf --kill gpg-agent 2>/dev/null || true
"""
APT_CONF = """Dir::State "{t}/apt"; Dir::State::Lists "{t}/apt/lists"; Dir::State::status "{t}/status";
Dir::Cache "{t}/apt/cache"; Dir::Etc::SourceList "{t}/sources.list"; Dir::Etc::SourceParts "{t}/none";
Dir::Etc::Preferences "{t}/none/p"; Dir::Etc::PreferencesParts "{t}/none"; APT::Architecture "amd64";
Debug::NoLocking "true"; Acquire::Languages "none"; APT::Sandbox::User "root";
"""


def build_repo_steps(tmp_path):
    env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "T": str(tmp_path), "SCRIPT": str(SCRIPT),
           "BUILD_DEBS": str(PROJECT / "emulator" / "build-debs"), "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run(["bash", "-c", HARNESS], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return [line[5:] for line in done.stdout.splitlines() if line.startswith("LOG: ")]


def apt_versions(tmp_path, suite):
    """{package: version} that apt sees in the suite, read through its signature."""
    for directory in ("apt/lists/partial", "apt/cache", "none"):
        (tmp_path / directory).mkdir(parents=True, exist_ok=True)
    shutil.rmtree(tmp_path / "apt" / "lists")
    (tmp_path / "apt" / "lists" / "partial").mkdir(parents=True)
    (tmp_path / "status").write_text("")
    (tmp_path / "sources.list").write_text(
        "deb [signed-by={t}/key.asc] file://{t}/repo {suite} main\n".format(t=tmp_path, suite=suite))
    (tmp_path / "apt.conf").write_text(APT_CONF.format(t=tmp_path))
    env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "APT_CONFIG": str(tmp_path / "apt.conf")}
    update = subprocess.run(["apt-get", "-q", "update"], env=env, capture_output=True, text=True, check=False)
    assert update.returncode == 0 and "W: GPG" not in update.stderr, update.stdout + update.stderr
    dump = subprocess.run(["apt-cache", "dumpavail"], env=env, capture_output=True, text=True, check=True)
    versions = {}
    for stanza in dump.stdout.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line)
        if "Package" in fields:
            versions[fields["Package"]] = fields["Version"]
    return versions


def test_every_suite_is_signed_and_carries_its_release(tmp_path):
    assert build_repo_steps(tmp_path) == ["indexing and signing fargo (release 1)",
                                          "indexing and signing ginger (release 2)",
                                          "indexing and signing hazel (release 3)"]
    fargo, ginger, hazel = (apt_versions(tmp_path, suite) for suite in ("fargo", "ginger", "hazel"))
    assert len(fargo) == len(ginger) == len(hazel) == 6
    assert (fargo["openvstorage"], ginger["openvstorage"], hazel["openvstorage"]) == (
        "2.7.20-1", "2.7.21-1", "2.7.22-1")
    assert (fargo["alba"], ginger["alba"], hazel["alba"]) == ("1.5.37-1", "1.5.38-1", "1.5.39-1")
    release = (tmp_path / "repo" / "dists" / "ginger" / "Release").read_text()
    assert "Suite: ginger" in release and "Components: main" in release


def test_an_unchanged_pool_is_not_signed_again(tmp_path):
    build_repo_steps(tmp_path)
    in_release = (tmp_path / "repo" / "dists" / "fargo" / "InRelease").read_bytes()
    assert build_repo_steps(tmp_path) == ["fargo unchanged", "ginger unchanged", "hazel unchanged"]
    assert (tmp_path / "repo" / "dists" / "fargo" / "InRelease").read_bytes() == in_release
