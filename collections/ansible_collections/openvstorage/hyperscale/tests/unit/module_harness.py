# -*- coding: utf-8 -*-
"""Run a module's main() in-process with faked commands (and, for the API modules, a fake API server)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import json

from unittest import mock

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19: the arguments are read from basic._ANSIBLE_ARGS
    @contextlib.contextmanager
    def patch_module_args(args):
        payload = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8')
        with mock.patch.object(basic, '_ANSIBLE_ARGS', payload):
            yield


class ModuleExit(Exception):
    def __init__(self, result):
        super(ModuleExit, self).__init__(json.dumps(result, default=str))
        self.result = result


class ModuleFail(Exception):
    def __init__(self, result):
        super(ModuleFail, self).__init__(json.dumps(result, default=str))
        self.result = result


def boxed(lines, maxlength=80, character='+'):
    """The box format of Interactive.boxed_message of the OVS tools (word-wrapped at 80)."""
    corrected = []
    for line in lines:
        if len(line) > maxlength:
            part = ''
            for word in line.split(' '):
                if len(part + ' ' + word) <= maxlength:
                    part += word + ' '
                elif len(word) >= maxlength:
                    if part:
                        corrected.append(part.strip())
                        part = ''
                    corrected.append(word.strip())
                else:
                    if part:
                        corrected.append(part.strip())
                    part = word + ' '
            if part:
                corrected.append(part.strip())
        else:
            corrected.append(line)
    width = len(max(corrected, key=len))
    out = [character * (width + 10)]
    for line in corrected:
        out.append('{0}  {1}{2}  {0}'.format(character * 3, line, ' ' * (width - len(line))))
    out.append(character * (width + 10))
    return '\n'.join(out)


class FakeHost(object):
    """Binaries present and the answers of commands, by argv tail."""

    def __init__(self, bins=None):
        self.bins = dict(bins or {})
        self.answers = []  # (predicate(argv), callable(argv, kwargs) or tuple)
        self.calls = []

    def on(self, argv_tail, answer):
        tail = list(argv_tail)
        self.answers.append((lambda argv: argv[1:] == tail, answer))
        return self

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return self.bins.get(name)

    def run_command(self, args, **kwargs):
        argv = list(args)
        self.calls.append(argv)
        for predicate, answer in reversed(self.answers):
            if predicate(argv):
                return answer(argv, kwargs) if callable(answer) else answer
        raise AssertionError('unexpected command {0}'.format(argv))


def run_module(main, args, host, check_mode=False, diff=False):
    """Run ``main`` and return ('exit'|'fail', result, warnings)."""
    module_args = dict(args)
    if check_mode:
        module_args['_ansible_check_mode'] = True
    if diff:
        module_args['_ansible_diff'] = True
    warnings = []

    def exit_json(self, **kwargs):
        raise ModuleExit(kwargs)

    def fail_json(self, **kwargs):
        raise ModuleFail(kwargs)

    def warn(self, message):
        warnings.append(message)

    with patch_module_args(module_args), \
            mock.patch.object(basic.AnsibleModule, 'exit_json', exit_json), \
            mock.patch.object(basic.AnsibleModule, 'fail_json', fail_json), \
            mock.patch.object(basic.AnsibleModule, 'warn', warn), \
            mock.patch.object(basic.AnsibleModule, 'get_bin_path',
                              lambda self, name, required=False, opt_dirs=None: host.get_bin_path(name)), \
            mock.patch.object(basic.AnsibleModule, 'run_command',
                              lambda self, args, **kw: host.run_command(args, **kw)):
        try:
            main()
        except ModuleExit as exc:
            return 'exit', exc.result, warnings
        except ModuleFail as exc:
            return 'fail', exc.result, warnings
    raise AssertionError('module neither exited nor failed')


def api_args(server, tmp_path, **extra):
    """Options of an API module for a fake API server (fake_ovs_api): admin, its CA, a token cache in tmp_path."""
    args = dict(api_host='127.0.0.1', api_port=server.port, api_username='admin', api_password='admin',
                ca_path=server.cert_path, api_token_cache=str(tmp_path / 'tokens.json'))
    args.update(extra)
    return args


def run_api_module(main, server, tmp_path, check_mode=False, diff=False, **options):
    """``run_module`` of an API module against a fake API server, with ``api_args`` and ``options``."""
    return run_module(main, api_args(server, tmp_path, **options), FakeHost(), check_mode=check_mode, diff=diff)


def expect_fail(run, server, tmp_path, text, **options):
    """``run(server, tmp_path, **options)`` fails with ``text`` in its ``msg``; returns the result."""
    status, result, dummy = run(server, tmp_path, **options)
    assert status == 'fail' and text in result['msg'], result
    return result
