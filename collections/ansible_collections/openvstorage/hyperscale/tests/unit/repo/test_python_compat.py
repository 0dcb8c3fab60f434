# -*- coding: utf-8 -*-
"""Every module and module_util compiles under the oldest node Pythons: a real 2.7 (Ubuntu 14.04 and
16.04, the Open vStorage platforms) and 3.6.

The interpreter is ``$OVS_PYTHON27`` / ``$OVS_PYTHON36`` when set (a command line, e.g.
``docker exec -i legacy01 /usr/bin/python2.7``: the sources go over stdin), else pyenv's
(``$PYENV_ROOT/versions/<v>.*``), else ``python<v>`` on PATH. A missing interpreter fails the test.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import io
import json
import os
import shlex
import shutil
import subprocess

import pytest

from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTION
NODE_CODE = ('plugins/modules', 'plugins/module_utils')

# runs under the interpreter tested: 2.7 syntax; prints "file:line: message" per file that fails
COMPILE_ALL = r'''
import json, sys
failed = []
for name, source in sorted(json.load(sys.stdin).items()):
    try:
        compile(source.encode("utf-8"), name, "exec")
    except SyntaxError as exc:
        failed.append("%s:%s: %s" % (name, exc.lineno, exc.msg))
sys.stdout.write("\n".join(failed))
'''


def interpreter(version):
    """The command line of a Python `version` (e.g. '2.7'), or None."""
    override = os.environ.get('OVS_PYTHON' + version.replace('.', ''))
    if override:
        return shlex.split(override)
    pyenv = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    found = sorted(glob.glob(os.path.join(pyenv, 'versions', version + '.*', 'bin', 'python' + version)))
    found = found or [p for p in [shutil.which('python' + version)] if p]
    return found[-1:] or None


def node_sources():
    sources = {}
    for folder in NODE_CODE:
        for path in sorted(glob.glob(os.path.join(COLLECTION, folder, '*.py'))):
            with io.open(path, encoding='utf-8') as handle:
                sources[os.path.relpath(path, COLLECTION)] = handle.read()
    return sources


def compile_errors(command, sources):
    done = subprocess.run(command + ['-c', COMPILE_ALL], input=json.dumps(sources), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert done.returncode == 0, 'the compile check failed under {0}: {1}'.format(command, done.stderr)
    return [line for line in done.stdout.splitlines() if line]


@pytest.mark.parametrize('version', ['2.7', '3.6'])
def test_node_code_compiles(version):
    command = interpreter(version)
    assert command, ('no Python {0} on this machine: install it with pyenv or name one in $OVS_PYTHON{1}'
                     .format(version, version.replace('.', '')))
    sources = node_sources()
    assert len(sources) > 20
    assert compile_errors(command, sources) == []


def test_a_syntax_error_is_named():
    """The check can fail: an f-string is named with its file and line under 2.7."""
    command = interpreter('2.7')
    if not command:
        pytest.skip('no Python 2.7 (test_node_code_compiles fails for it)')
    broken = {'plugins/modules/broken.py': u'x = 1\ny = f"{x}"\n', 'plugins/modules/fine.py': u'z = 2\n'}
    assert compile_errors(command, broken) == ['plugins/modules/broken.py:2: invalid syntax']
