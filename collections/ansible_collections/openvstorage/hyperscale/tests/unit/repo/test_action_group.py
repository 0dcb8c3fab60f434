"""The action group of the API modules: every module built on the ovs_api doc fragment is in
``ovs_api`` (so that ``module_defaults`` of the playbooks reaches it), and ``api``, the former
name, stays an alias of it."""
import glob
import os

import yaml

from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTION


def runtime():
    with open(os.path.join(COLLECTION, "meta", "runtime.yml")) as handle:
        return yaml.safe_load(handle)


def api_modules():
    found = set()
    for path in glob.glob(os.path.join(COLLECTION, "plugins", "modules", "*.py")):
        with open(path) as handle:
            if "- openvstorage.hyperscale.ovs_api\n" in handle.read():
                found.add(os.path.basename(path)[:-3])
    return found


def test_every_api_module_is_in_the_group():
    group = runtime()["action_groups"]["ovs_api"]
    assert api_modules() and set(group) == api_modules()


def test_the_former_name_extends_the_group():
    alias = runtime()["action_groups"]["api"]
    assert alias == [{"metadata": {"extend_group": ["openvstorage.hyperscale.ovs_api"]}}]


def test_the_playbooks_use_the_new_name():
    for path in glob.glob(os.path.join(COLLECTION, "playbooks", "*.yml")):
        with open(path) as handle:
            text = handle.read()
        assert "group/openvstorage.hyperscale.api:" not in text, path
