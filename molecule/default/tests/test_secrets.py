"""No secret in what the scenario's own playbook runs printed.

molecule.yml logs every ansible-playbook run of the scenario into one file on the control
machine (ANSIBLE_LOG_PATH: the log holds what the runs printed); `make molecule-test` runs the
scenario at -vvv (ANSIBLE_VERBOSITY=3). The log therefore holds the cold build of the 8 nodes
(converge: node setup with the master password, ASD manager setup, ASD registration with the
ASD manager passwords, every API call with its OAuth token) and its rerun (idempotence) at
-vvv, where Ansible prints every module's arguments. None of the secrets of that run, read back
from the cluster, may be in it, nor in a file the runs left in Ansible's directory on the control
machine (~/.ansible: local temporary files, molecule's state, caches).
"""
import os

import pytest

from conftest import RECAP, RUNNER, SCENARIO_LOG, SCENARIO_VERBOSITY, run_secrets

NO_LOG_VALUE = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


@pytest.fixture(scope="module")
def scenario_log():
    assert SCENARIO_LOG, "molecule.yml sets ANSIBLE_LOG_PATH for the scenario's runs"
    assert os.path.isfile(SCENARIO_LOG), SCENARIO_LOG
    with open(SCENARIO_LOG, encoding="utf-8", errors="replace") as handle:
        return handle.read()


@pytest.fixture(scope="module")
def secrets(install_master):
    return run_secrets(install_master)


def recaps(log):
    """Each PLAY RECAP of the log as {host: changed}."""
    found = []
    for block in log.split("PLAY RECAP")[1:]:
        found.append({host: int(changed) for host, changed, _unreachable, _failed
                      in RECAP.findall(block.split("PLAY [")[0])})
    return found


def test_the_log_holds_the_cold_build_and_its_rerun(scenario_log):
    cluster = set(RUNNER.get_hosts("cluster"))
    runs = [recap for recap in recaps(scenario_log) if cluster <= set(recap)]
    # converge: every node changed; idempotence: none
    assert any(all(recap[host] > 0 for host in cluster) for recap in runs), runs
    assert any(all(recap[host] == 0 for host in cluster) for recap in runs), runs


def test_the_log_is_at_vvv(scenario_log):
    if SCENARIO_VERBOSITY < 3:
        pytest.skip("the scenario ran at verbosity %d; make molecule-test runs it at -vvv" % SCENARIO_VERBOSITY)
    # at -vvv Ansible prints each module's arguments ("invocation"), the secret ones censored
    assert '"module_args"' in scenario_log or "module_args:" in scenario_log
    assert NO_LOG_VALUE in scenario_log


def test_no_secret_in_the_log(scenario_log, secrets):
    leaks = sorted(name for name, value in secrets.items() if value in scenario_log)
    assert not leaks, "secrets printed into %s: %s" % (SCENARIO_LOG, leaks)


def test_no_secret_in_the_files_left_on_the_control_machine(secrets):
    top = os.path.expanduser("~/.ansible")
    read = 0
    for root, dirs, files in os.walk(top):
        if root == top:
            # the installed collections (the demo inventory holds the demo's cluster password)
            # and ansible-test's virtual environments are not left by a run
            dirs[:] = [d for d in dirs if d not in ("collections", "test")]
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path) or not os.path.isfile(path) or path == SCENARIO_LOG:
                continue
            with open(path, "rb") as handle:
                data = handle.read()
            read += 1
            leaked = sorted(key for key, value in secrets.items() if value.encode() in data)
            assert not leaked, (path, leaked)
    assert read, "molecule keeps the scenario's state under %s" % top
