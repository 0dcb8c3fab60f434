# -*- coding: utf-8 -*-
"""ovs_ssh_login against a real SSH server (paramiko's server side) on the loopback."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket
import threading

import paramiko
import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_ssh_login

from module_harness import FakeHost, run_module

ROOT_PASSWORD = 'rooter'


class _PasswordServer(paramiko.ServerInterface):
    def check_auth_password(self, username, password):
        if username == 'root' and password == ROOT_PASSWORD:
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def get_allowed_auths(self, username):
        return 'password'


@pytest.fixture()
def sshd():
    """An SSH server on 127.0.0.1 that accepts root/rooter, for as many logins as a test makes."""
    host_key = paramiko.RSAKey.generate(2048)
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(5)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, dummy = listener.accept()
            except socket.timeout:
                continue
            transport = paramiko.Transport(conn)
            transport.add_server_key(host_key)
            try:
                transport.start_server(server=_PasswordServer())
                transport.accept(2)
            except (paramiko.SSHException, EOFError):
                pass
            finally:
                transport.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    listener.close()


def test_the_right_password_opens_a_session(sshd):
    outcome, result, dummy = run_module(ovs_ssh_login.main, {
        'host': '127.0.0.1', 'port': sshd, 'password': ROOT_PASSWORD, 'timeout': 5}, FakeHost())
    assert outcome == 'exit'
    assert result == {'changed': False, 'authenticated': True}


def test_a_wrong_password_fails_and_names_the_variable(sshd):
    outcome, result, dummy = run_module(ovs_ssh_login.main, {
        'host': '127.0.0.1', 'port': sshd, 'password': 'wrong', 'timeout': 5}, FakeHost())
    assert outcome == 'fail'
    assert result['authenticated'] is False
    assert 'SSH login as root on 127.0.0.1:%d failed: the password is refused' % sshd in result['msg']
    assert 'cluster_password' in result['msg']
    assert 'wrong' not in result['msg']


def test_no_ssh_server_fails_with_the_reason():
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there any more
    outcome, result, dummy = run_module(ovs_ssh_login.main, {
        'host': '127.0.0.1', 'port': port, 'password': ROOT_PASSWORD, 'timeout': 3}, FakeHost())
    assert outcome == 'fail'
    assert 'no SSH session could be opened' in result['msg']


def test_check_mode_still_checks(sshd):
    outcome, result, dummy = run_module(ovs_ssh_login.main, {
        'host': '127.0.0.1', 'port': sshd, 'password': 'wrong', 'timeout': 5}, FakeHost(), check_mode=True)
    assert outcome == 'fail'
    assert result['authenticated'] is False
