# -*- coding: utf-8 -*-
"""``task_timeout``: the one name of the option that bounds a module's wait for the framework's tasks.

The names it replaced (``wait_timeout`` of alba_backend, ``timeout`` of ovs_update) still work, as
deprecated aliases: the value reaches ``task_timeout`` and a deprecation (removed in 2.0.0 of this
collection) is recorded for the module result.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import os

import pytest
import yaml

from ansible.module_utils.common import warnings

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import (
    ovs_api_module,
    task_timeout_option,
)
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import patch_module_args
from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTION

MODULES = os.path.join(COLLECTION, 'plugins', 'modules')
API = dict(api_host='127.0.0.1', api_username='admin', api_password='admin')
# module, its required options, the old name, the default
RENAMED = [
    ('alba_backend', dict(name='be1'), 'wait_timeout', 600),
    ('ovs_update', dict(), 'timeout', 3600),
]
# timeouts that bound no wait for a task: the SSH connection of ovs_ssh_login, the HTTP requests to the apt
# repository of ovs_node_facts and ovs_repository
NOT_TASK_WAITS = {'ovs_ssh_login.timeout', 'ovs_node_facts.timeout', 'ovs_repository.timeout'}


@pytest.fixture(autouse=True)
def no_deprecations_left():
    # the deprecations of a module run are kept by module_utils until the module exits
    warnings._global_deprecations.clear()
    yield
    warnings._global_deprecations.clear()


def build(name, options):
    """The AnsibleModule of module ``name`` for ``options`` (with the API options)."""
    module = importlib.import_module('ansible_collections.openvstorage.hyperscale.plugins.modules.' + name)
    with patch_module_args(dict(API, **options)):
        return ovs_api_module(module.argument_spec())


def deprecations():
    return [(d.get('msg'), d.get('version'), d.get('collection_name')) for d in warnings.get_deprecation_messages()]


@pytest.mark.parametrize('name, required, old, default', RENAMED)
def test_old_name_still_sets_task_timeout_and_is_deprecated(name, required, old, default):
    module = build(name, dict(required, **{old: 7}))
    assert module.params['task_timeout'] == 7
    (msg, version, collection), = deprecations()
    assert "Alias '{0}' is deprecated".format(old) in msg
    assert (version, collection) == ('2.0.0', 'openvstorage.hyperscale')


@pytest.mark.parametrize('name, required, old, default', RENAMED)
def test_task_timeout_is_not_deprecated_and_keeps_its_default(name, required, old, default):
    assert build(name, dict(required, task_timeout=7)).params['task_timeout'] == 7
    assert build(name, required).params['task_timeout'] == default
    assert deprecations() == []


def test_option_without_old_names_has_no_alias():
    assert task_timeout_option(1800) == dict(type='int', default=1800)


def module_names():
    return sorted(f[:-3] for f in os.listdir(MODULES) if f.endswith('.py') and not f.startswith('_'))


@pytest.mark.parametrize('name', module_names())
def test_a_task_wait_is_named_task_timeout_in_every_module(name):
    """No module documents another name for a task wait; an old name is only a documented alias."""
    module = importlib.import_module('ansible_collections.openvstorage.hyperscale.plugins.modules.' + name)
    options = yaml.safe_load(module.DOCUMENTATION).get('options') or {}
    for option, doc in options.items():
        if 'timeout' in option and '{0}.{1}'.format(name, option) not in NOT_TASK_WAITS:
            assert option == 'task_timeout', '{0}: {1}'.format(name, option)
    if 'task_timeout' in options:
        spec = module.argument_spec()['task_timeout']
        assert options['task_timeout'].get('aliases', []) == spec.get('aliases', [])
        assert [d['name'] for d in spec.get('deprecated_aliases', [])] == spec.get('aliases', [])
        assert options['task_timeout']['default'] == spec['default']
