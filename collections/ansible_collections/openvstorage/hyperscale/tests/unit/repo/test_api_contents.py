# -*- coding: utf-8 -*-
"""Every API read of the modules names its ``contents`` (see api_contents.py for the allow-lists).

Two checks: a static scan of every ``client.get/list/find`` call in plugins/, and, at run time,
every GET the modules send in the whole unit test suite (the ``api_reads`` fixture of conftest.py).
The fake APIs answer with only the fields a read names (``restrict``), so a module that reads a
field it did not name fails its own tests.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import os

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsApiClient
from ansible_collections.openvstorage.hyperscale.tests.unit.fake_ovs_api import restrict
from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTION
from ansible_collections.openvstorage.hyperscale.tests.unit.api_contents import (
    ALLOWED_CALLS,
    EVERYTHING,
    allowed_path,
)

PLUGINS = os.path.join(COLLECTION, 'plugins')
READS = ('get', 'list', 'find')


def receiver(node):
    """``client`` / ``self.client`` / ``self`` (inside OvsApiClient) of a call, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == 'self':
        return 'self.' + node.attr
    return None


class ReadScanner(ast.NodeVisitor):
    """Collects (function, line, contents node or None) of each API read in one file."""

    def __init__(self):
        self.scope = []
        self.reads = []
        self.constants = {}

    def visit_Assign(self, node):
        if not self.scope and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.constants[target.id] = node.value.value
        self.generic_visit(node)

    def _scoped(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = _scoped

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in READS:
            who = receiver(func.value)
            in_client = self.scope[:1] == ['OvsApiClient'] and who == 'self'
            if who in ('client', 'self.client') or in_client:
                contents = [k.value for k in node.keywords if k.arg == 'contents']
                self.reads.append(('.'.join(self.scope), node.lineno, contents[0] if contents else None))
        self.generic_visit(node)


def scan():
    """{(file, function): [(line, contents value or None)]} of every API read in plugins/."""
    found = {}
    for folder in ('modules', 'module_utils'):
        for name in sorted(os.listdir(os.path.join(PLUGINS, folder))):
            if not name.endswith('.py'):
                continue
            path = os.path.join(PLUGINS, folder, name)
            with open(path) as handle:
                scanner = ReadScanner()
                scanner.visit(ast.parse(handle.read(), path))
            for function, line, node in scanner.reads:
                value = node
                if isinstance(node, ast.Constant):
                    value = node.value
                elif isinstance(node, ast.Name):
                    value = scanner.constants.get(node.id, node.id)
                found.setdefault(('{0}/{1}'.format(folder, name), function), []).append((line, value))
    return found


def test_every_read_in_plugins_names_its_contents():
    reads = scan()
    assert len(reads) > 20  # the scan sees the modules' reads
    missing = ['{0}:{1} in {2}()'.format(where[0], line, where[1])
               for where, calls in sorted(reads.items()) if where not in ALLOWED_CALLS
               for line, contents in calls if contents is None]
    assert missing == [], 'API reads without contents= (name the fields the code uses): ' + ', '.join(missing)


def test_no_read_asks_for_every_dynamic_or_relation():
    wide = ['{0}:{1} ({2})'.format(where[0], line, contents)
            for where, calls in sorted(scan().items()) for line, contents in calls
            if isinstance(contents, str) and set(contents.split(',')) & set(EVERYTHING)]
    assert wide == [], 'reads that compute every dynamic/relation: ' + ', '.join(wide)


def test_allow_list_is_current():
    reads = scan()
    stale = [where for where in ALLOWED_CALLS
             if not any(contents is None for dummy, contents in reads.get(where, []))]
    assert stale == [], 'allowed calls that no longer exist (drop them from api_contents.ALLOWED_CALLS)'


@pytest.mark.parametrize('path, allowed', [
    ('', True), ('tasks/0f1e-22/', True), ('alba/backends/g-1/calculate_safety/', True),
    ('alba/backends/g-1/', False), ('storagerouters/', False), ('vdisks/v-1', False),
])
def test_allowed_paths(path, allowed):
    assert allowed_path(path) is allowed
    assert allowed_path('/api/' + path) is allowed


def test_scan_catches_a_read_without_contents():
    scanner = ReadScanner()
    scanner.visit(ast.parse("def f(client):\n    client.get('alba/backends/x')\n    client.list('vpools', contents='name')\n"))
    assert [(f, line, c is None) for f, line, c in scanner.reads] == [('f', 2, True), ('f', 3, False)]


def test_runtime_check_sees_a_read_without_contents(api_reads):
    """The conftest instrumentation records a module's GET without contents (and allows a task read)."""
    sent = []
    client = OvsApiClient('ctl01', username='admin', password='admin', token_cache=None)
    client._request_once = lambda method, path, data, params, auth: sent.append(path)
    api_reads.inspect = lambda: True  # as if called from a module
    client.get('alba/backends/g-1')
    client.get('tasks/t-1')
    client.get('vpools/v-1', contents='name')
    assert api_reads.violations == [('alba/backends/g-1', None)]
    api_reads.violations[:] = []  # handled here: the fixture's own check must pass


def test_fake_api_answers_only_what_contents_names():
    """The fake APIs answer a read with only the fields its contents names (relations by their names)."""
    vdisk = dict(guid='v-1', name='disk01', size=1, vpool_guid='vp-1', child_vdisks_guids=[], snapshots=[])
    assert restrict(vdisk, 'name,vpool') == dict(guid='v-1', name='disk01', vpool_guid='vp-1')
    assert restrict(vdisk, 'snapshots,child_vdisks') == dict(guid='v-1', snapshots=[], child_vdisks_guids=[])
    assert restrict(vdisk, '_dynamics,_relations') == vdisk
    assert restrict(vdisk, None) == vdisk
