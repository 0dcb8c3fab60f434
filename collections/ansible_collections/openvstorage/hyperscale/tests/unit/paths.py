# -*- coding: utf-8 -*-
"""Where the tests find things.

The collection lives in the repository at collections/ansible_collections/openvstorage/hyperscale
(a real directory, found by the top-level playbooks as their playbook-adjacent collections/).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

# the collection's root (galaxy.yml, plugins/, roles/, playbooks/)
COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
# the unit tests' shared files (fixtures/: recorded answers of the emulated tools)
UNIT = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(UNIT, 'fixtures')
# the directory that holds ansible_collections/: ANSIBLE_COLLECTIONS_PATH of a run from the clone
COLLECTIONS_PATH = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION)))
# the repository's root (inventories/, docs/design.md, the top-level playbooks)
REPO = os.path.dirname(COLLECTIONS_PATH)
