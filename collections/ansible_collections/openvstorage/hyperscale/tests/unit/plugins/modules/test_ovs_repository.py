# -*- coding: utf-8 -*-
"""ovs_repository: the key read from a real HTTP server on 127.0.0.1, the files in a temporary directory,
apt-get update faked (and recorded)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import ovs_apt_source
from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_repository
from ansible_collections.openvstorage.hyperscale.tests.unit.http_files import FileServer
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, run_module

KEY = u'-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGaaaaAA\nxsFN\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n'
ROTATED = KEY.replace('mQINBGaaaaAA', 'mQINBGbbbbAA')
# what gpg --dearmor writes for KEY: the base64 body without the checksum line
KEY_BINARY = base64.b64decode('mQINBGaaaaAAxsFN')
APT_VERSION = ['-W', '-f=${Version}', 'apt']


@pytest.fixture
def server():
    """The repository's key at <url>/openvstorage.asc (server.files changes it)."""
    srv = FileServer({'/debian/openvstorage.asc': KEY})
    srv.url += '/debian'
    yield srv
    srv.close()


@pytest.fixture
def node(tmp_path):
    host = FakeHost(bins={'apt-get': '/usr/bin/apt-get'}).on(['update'], (0, 'Reading package lists...', ''))
    host.on(APT_VERSION, (0, '2.6.1', ''))  # Debian 12
    host.paths = dict(keyring=str(tmp_path / 'keyrings' / 'openvstorage.asc'),
                      source_file=str(tmp_path / 'sources.list.d' / 'openvstorage.sources'))
    (tmp_path / 'sources.list.d').mkdir()
    return host


def run(node, server, check_mode=False, diff=False, **options):
    args = dict(url=server.url, release='fargo')
    args.update(node.paths)
    args.update(options)
    return run_module(ovs_repository.main, args, node, check_mode=check_mode, diff=diff)


def updates(node):
    return node.calls.count(['apt-get', 'update'])


def read(path):
    with open(path) as handle:
        return handle.read()


def test_first_run_writes_key_and_source_and_refreshes_once(node, server):
    status, result, dummy = run(node, server)
    assert status == 'exit', result
    assert result['changed'] and result['key_changed'] and result['source_changed'] and result['cache_updated']
    assert read(node.paths['keyring']) == KEY
    source = read(node.paths['source_file'])
    assert 'URIs: %s\nSuites: fargo\nComponents: main\nSigned-By: %s\n' % (server.url, node.paths['keyring']) in source
    assert updates(node) == 1


def test_rerun_changes_nothing_and_runs_no_command(node, server):
    run(node, server)
    status, result, dummy = run(node, server)
    assert status == 'exit' and not result['changed'] and not result['cache_updated'], result
    assert updates(node) == 1


def test_check_mode_predicts_and_writes_nothing(node, server):
    status, result, dummy = run(node, server, check_mode=True, diff=True)
    assert status == 'exit' and result['changed'] and not result['cache_updated'], result
    assert [d['after_header'] for d in result['diff']] == [node.paths['keyring'], node.paths['source_file']]
    assert updates(node) == 0
    with pytest.raises(IOError):
        read(node.paths['keyring'])


def test_a_rotated_key_is_written_again_and_only_the_key(node, server):
    run(node, server)
    server.files['/debian/openvstorage.asc'] = ROTATED
    status, result, dummy = run(node, server, diff=True)
    assert result['changed'] and result['key_changed'] and not result['source_changed'], result
    assert read(node.paths['keyring']) == ROTATED
    assert [d['before'] for d in result['diff']] == [KEY]
    assert updates(node) == 2


def test_a_changed_release_rewrites_the_source(node, server):
    run(node, server)
    status, result, dummy = run(node, server, release='ginger', components=['main', 'extra'])
    assert result['source_changed'] and not result['key_changed'], result
    assert 'Suites: ginger\nComponents: main extra\n' in read(node.paths['source_file'])


def test_a_given_key_is_not_downloaded(node, server):
    status, result, dummy = run(node, server, signing_key=ROTATED.rstrip('\n'))
    assert status == 'exit' and server.requests == [], result
    assert read(node.paths['keyring']) == ROTATED


def test_an_unreachable_key_fails_naming_the_url_and_changes_nothing(node, server):
    status, result, dummy = run(node, server, key_url=server.url + '/missing.asc')
    assert status == 'fail' and server.url + '/missing.asc' in result['msg'] and 'status 404' in result['msg'], result
    assert updates(node) == 0


def test_a_key_that_is_not_a_public_key_is_refused(node, server):
    status, result, dummy = run(node, server, signing_key='<html>not found</html>')
    assert status == 'fail' and 'BEGIN PGP PUBLIC KEY BLOCK' in result['msg'], result


def test_a_failed_apt_update_fails_with_its_output(node, server):
    node.on(['update'], (100, '', 'E: The repository is not signed.'))
    status, result, dummy = run(node, server)
    assert status == 'fail' and 'exit code 100' in result['msg'] and 'not signed' in result['msg'], result


@pytest.mark.parametrize('option, value, text', [
    ('url', 'apt.openvstorage.org', "url is 'apt.openvstorage.org'"),
    ('release', 'fargo main', "release is 'fargo main'"),
    ('components', [], 'components is []'),
    ('timeout', 0, 'timeout is 0'),
])
def test_bad_options_fail_before_anything(node, server, option, value, text):
    status, result, dummy = run(node, server, **{option: value})
    assert status == 'fail' and text in result['msg'] and result['msg'].startswith('Invalid options'), result
    assert server.requests == [] and node.calls == []


def test_apt_older_than_1_1_gets_a_one_line_source_and_a_binary_keyring(node, server, tmp_path):
    node.on(APT_VERSION, (0, '1.0.1ubuntu2', ''))  # Ubuntu 14.04
    # check mode with the default paths: what would be written where (nothing is written on this machine)
    status, result, dummy = run(node, server, check_mode=True, keyring=None, source_file=None)
    assert status == 'exit' and result['format'] == 'one_line', result
    assert result['keyring'] == '/etc/apt/trusted.gpg.d/openvstorage.gpg'
    assert result['source_file'] == '/etc/apt/sources.list.d/openvstorage.list'
    assert result['source'].endswith('\ndeb %s fargo main\n' % server.url)
    source = tmp_path / 'sources.list.d' / 'openvstorage.list'
    run(node, server, source_file=str(source))
    assert read(str(source)) == result['source']


def test_the_one_line_keyring_is_the_dearmoured_key_and_a_rerun_keeps_it(node, server, tmp_path):
    node.on(APT_VERSION, (0, '1.0.1ubuntu2', ''))
    keyring = tmp_path / 'trusted.gpg.d' / 'openvstorage.gpg'
    status, result, dummy = run(node, server, diff=True, keyring=str(keyring))
    assert status == 'exit' and keyring.read_bytes() == KEY_BINARY, result
    assert result['diff'][0]['after'] == '<binary keyring, %d bytes>\n' % len(KEY_BINARY)
    status, result, dummy = run(node, server, keyring=str(keyring))
    assert not result['changed'] and updates(node) == 1, result


def test_armour_headers_are_not_part_of_the_key():
    armoured = KEY.replace('BLOCK-----\n\n', 'BLOCK-----\nVersion: GnuPG v1\nComment: OVS\n\n')
    assert ovs_apt_source.dearmor(armoured) == KEY_BINARY


def test_an_explicit_format_asks_apt_nothing(node, server):
    status, result, dummy = run(node, server, format='deb822')
    assert status == 'exit' and result['format'] == 'deb822', result
    assert ['dpkg-query'] + APT_VERSION not in node.calls


def test_apt_whose_version_cannot_be_read_fails_naming_the_way_out(node, server):
    node.on(APT_VERSION, (1, '', "dpkg-query: no packages found matching apt"))
    status, result, dummy = run(node, server)
    assert status == 'fail' and 'set format to deb822 or one_line' in result['msg'], result
