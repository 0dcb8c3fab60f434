# -*- coding: utf-8 -*-
"""docs/design.md stays true: every path its layout table names exists, in the collection or in the repository."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTION, REPO


def layout_paths():
    with open(os.path.join(REPO, 'docs', 'design.md')) as handle:
        text = handle.read()
    table = text.split('## Repository layout', 1)[1].split('\n## ', 1)[0]
    paths = []
    for line in table.splitlines():
        if not line.startswith('| `'):
            continue
        paths.extend(re.findall(r'`([^`]+)`', line.split('|')[1]))
    return paths


def test_every_path_of_the_layout_table_exists():
    paths = layout_paths()
    assert len(paths) > 30
    missing = [p for p in paths if not any(os.path.exists(os.path.join(base, p)) for base in (COLLECTION, REPO))]
    assert missing == []
