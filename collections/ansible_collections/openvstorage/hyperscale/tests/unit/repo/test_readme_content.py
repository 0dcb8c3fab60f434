# -*- coding: utf-8 -*-
"""README.md's "Included content" names exactly what the collection ships: every playbook, role,
module, filter and callback, and nothing that does not exist."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import os
import re

from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTION


def readme_names():
    with open(os.path.join(COLLECTION, 'README.md')) as handle:
        table = handle.read().split('## Included content', 1)[1].split('\n## ', 1)[0]
    names = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if len(cells) == 3 and cells[0] not in ('kind', '---'):
            names.setdefault(cells[0], set()).update(re.findall(r'`([^`]+)`', cells[1]))
    return names


def python_files(folder):
    return sorted(name[:-3] for name in os.listdir(os.path.join(COLLECTION, 'plugins', folder))
                  if name.endswith('.py') and not name.startswith('_'))


def filter_names():
    names = set()
    for module in python_files('filter'):
        with open(os.path.join(COLLECTION, 'plugins', 'filter', module + '.py')) as handle:
            tree = ast.parse(handle.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == 'filters':
                for returned in ast.walk(node):
                    if isinstance(returned, ast.Dict):
                        names.update(key.value for key in returned.keys if isinstance(key, ast.Constant))
    return names


def shipped():
    return {
        'playbook': set(name[:-4] for name in os.listdir(os.path.join(COLLECTION, 'playbooks')) if name.endswith('.yml')),
        'role': set(os.listdir(os.path.join(COLLECTION, 'roles'))),
        'module': set(python_files('modules')),
        'filter': filter_names(),
        'callback': set(python_files('callback')),
    }


def test_readme_lists_what_the_collection_ships():
    listed, actual = readme_names(), shipped()
    assert sorted(listed) == sorted(actual)
    for kind in actual:
        assert listed[kind] == actual[kind], (kind, sorted(actual[kind] - listed[kind]),
                                              sorted(listed[kind] - actual[kind]))
