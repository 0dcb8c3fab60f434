# -*- coding: utf-8 -*-
"""Make the collection importable as ansible_collections.openvstorage.hyperscale.

The checkout is exposed through a symlink
``build/ansible_collections/openvstorage/hyperscale -> <checkout>`` (build/ is
git-ignored) and ``build/`` is put first on sys.path.  Under ``ansible-test
units`` the collection is already importable and nothing is changed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def _expose_collection():
    parts = ROOT.split(os.sep)
    if len(parts) >= 3 and parts[-3] == 'ansible_collections':
        return  # already in an ansible_collections tree (ansible-test)
    build = os.path.join(ROOT, 'build')
    link = os.path.join(build, 'ansible_collections', 'openvstorage', 'hyperscale')
    if not os.path.lexists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    if build not in sys.path:
        sys.path.insert(0, build)


_expose_collection()


# importable only once the collection is exposed above
from ansible_collections.openvstorage.hyperscale.plugins.module_utils import alba_safety  # noqa: E402


@pytest.fixture
def cacc(tmp_path, monkeypatch):
    """A controller's configuration store client file (cluster id ``config``) for alba_safety."""
    ini = tmp_path / 'arakoon_cacc.ini'
    ini.write_text(u'[global]\ncluster_id = config\ncluster = ctl01\n\n[ctl01]\nip = 172.30.250.11\n')
    monkeypatch.setattr(alba_safety, 'CACC_INI', str(ini))
    return ini
