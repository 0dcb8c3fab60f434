# -*- coding: utf-8 -*-
"""Box parsing and the command runner, with output in the real format."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import (
    OvsCommandError,
    OvsRunner,
    failure_text,
    parse_boxes,
    parse_config_value,
    success_box,
)

from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost, boxed

SETUP_OK = '\n'.join([
    boxed(['Open vStorage Setup']),
    '',
    '+++ Setting up connections +++',
    '',
    '+++ Collecting cluster information +++',
    '',
    '+++ Preparing node +++',
    '',
    '+++ Setting up first node +++',
    '',
    '+++ Finalizing setup +++',
    '',
    boxed(['Setup complete.', 'Point your browser to https://172.30.250.11 to use Open vStorage']),
    '',
])

LONG_ERROR = ('Incorrect master IP provided, please choose from: 172.30.250.11, 172.30.250.12, 172.30.250.13 '
              'and make sure the node is reachable')


def setup_failure(text):
    return '\n'.join([boxed(['Open vStorage Setup']), '', '+++ Setting up connections +++', '',
                      boxed(['An unexpected error occurred:', text]), ''])


def test_boxes_real_format():
    boxes = parse_boxes(SETUP_OK)
    assert boxes == [['Open vStorage Setup'],
                     ['Setup complete.', 'Point your browser to https://172.30.250.11 to use Open vStorage']]
    assert success_box(SETUP_OK, 'Setup complete.')
    assert not success_box(setup_failure('x'), 'Setup complete.')


def test_failure_text_unexpected_error_wrapped_at_80():
    out = setup_failure(LONG_ERROR)
    assert max(len(line) for line in out.splitlines()) <= 80 + 10
    assert len(parse_boxes(out)[-1]) > 2  # the text was wrapped over several box lines
    assert failure_text(out) == LONG_ERROR


def test_failure_text_already_configured():
    out = setup_failure('This node has already been configured for Open vStorage. '
                        'Re-running the setup is not supported.')
    assert failure_text(out) == ('This node has already been configured for Open vStorage. '
                                 'Re-running the setup is not supported.')


def test_failure_text_embedded_newlines():
    out = setup_failure('Missing files:\n - Could not find file /root/.ssh/id_rsa.pub on node with IP 10.0.0.1')
    assert failure_text(out) == ('Missing files: - Could not find file /root/.ssh/id_rsa.pub on node with IP '
                                 '10.0.0.1')


def test_failure_text_asd_manager_boxes():
    out = '\n'.join([boxed(['ASD Manager setup']), '- Verifying distribution',
                     boxed(['API port cannot be in the range of the ASD port + 100'])])
    assert failure_text(out) == 'API port cannot be in the range of the ASD port + 100'
    out = '\n'.join([boxed(['ASD Manager setup']), '- Verifying distribution', '',
                     boxed(['The ASD Manager is already installed.'])])
    assert failure_text(out) == 'The ASD Manager is already installed.'


def test_failure_text_without_box_uses_stderr_then_stdout():
    assert failure_text('', 'Traceback (most recent call last):\n  ...\nIOError: [Errno 2] No such file\n') == \
        'IOError: [Errno 2] No such file'
    assert failure_text(boxed(['Open vStorage Setup']) + '\nsomething broke\n', '') == 'something broke'
    assert failure_text('', '') == 'no output'


def test_unterminated_box_is_kept():
    out = boxed(['An unexpected error occurred:', 'cut short']).rsplit('\n', 1)[0]
    assert failure_text(out) == 'cut short'


class FakeModule(object):
    def __init__(self, host):
        self.host = host

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return self.host.get_bin_path(name)

    def run_command(self, args, **kwargs):
        assert isinstance(args, list), 'commands are argument lists, never shell strings'
        return self.host.run_command(args, **kwargs)


def test_missing_binary_names_package():
    runner = OvsRunner(FakeModule(FakeHost()))
    assert runner.has('ovs') is False
    with pytest.raises(OvsCommandError, match=r"'asd-manager' was not found.*'openvstorage-sdm'"):
        runner.run('asd-manager', ['setup'])


def test_run_failure_carries_text_cmd_rc():
    host = FakeHost({'ovs': '/usr/bin/ovs'}).on(['setup'], (1, setup_failure('boom happened'), ''))
    runner = OvsRunner(FakeModule(host))
    with pytest.raises(OvsCommandError) as err:
        runner.run('ovs', ['setup'])
    exc = err.value
    assert exc.message == '/usr/bin/ovs setup failed (rc 1): boom happened'
    assert exc.cmd == ['/usr/bin/ovs', 'setup'] and exc.rc == 1
    assert exc.to_dict()['rc'] == 1
    rc, out, dummy = runner.run('ovs', ['setup'], check=False)
    assert rc == 1 and 'boom' in out


def test_config_get_and_list():
    host = FakeHost({'ovs': '/usr/bin/ovs'})
    host.on(['config', 'get', '/ovs/framework/hosts/abc/setupcompleted'], (0, 'true\n', ''))
    host.on(['config', 'get', '/ovs/framework/hosts/abc/type'], (0, '"MASTER"\n', ''))
    host.on(['config', 'get', '/ovs/framework/hosts/abc/ports'],
            (0, '{\n    "arakoon": [\n        26400\n    ]\n}\n', ''))
    host.on(['config', 'get', '/ovs/framework/missing'], (0, '', ''))
    host.on(['config', 'get', '/ovs/arakoon/config/config'], (0, '[global]\ncluster_id = config\n', ''))
    host.on(['config', 'list', '/ovs/framework'], (0, 'cluster_id\nhosts\nmemcache\n', ''))
    host.on(['config', 'list-recursive', '/ovs/framework/hosts'], (0, 'ovs/framework/hosts/abc/\n', ''))
    runner = OvsRunner(FakeModule(host))
    assert runner.config_get('/ovs/framework/hosts/abc/setupcompleted') is True
    assert runner.config_get('/ovs/framework/hosts/abc/type') == 'MASTER'
    assert runner.config_get('/ovs/framework/hosts/abc/ports') == {'arakoon': [26400]}
    assert runner.config_get('/ovs/framework/missing') is None
    assert runner.config_get('/ovs/arakoon/config/config') == '[global]\ncluster_id = config'
    assert runner.config_list('/ovs/framework') == ['cluster_id', 'hosts', 'memcache']
    assert runner.config_list('/ovs/framework/hosts', recursive=True) == ['ovs/framework/hosts/abc/']
    # some builds answer a missing key with an error instead of nothing
    host.on(['config', 'get', '/ovs/framework/gone'], (1, '', 'Key /ovs/framework/gone does not exist\n'))
    assert runner.config_get('/ovs/framework/gone') is None
    host.on(['config', 'get', '/ovs/x'], (1, '', 'Could not connect to the configuration store'))
    with pytest.raises(OvsCommandError, match='ovs config get /ovs/x failed .rc 1.: Could not connect'):
        runner.config_get('/ovs/x')


def test_parse_config_value_raw():
    assert parse_config_value('"x"\n', raw=True) == '"x"'
    assert parse_config_value('  \n') is None
