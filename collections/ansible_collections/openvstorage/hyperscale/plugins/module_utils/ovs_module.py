# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection does around its own logic.

* :func:`ovs_module` builds the ``AnsibleModule`` (check mode supported) and fails with
  ``Invalid options: ...`` when the module's own checks of its options find errors;
* :func:`run_api_module` does that for the modules that use the framework API - with the
  API options (doc fragment ``openvstorage.hyperscale.ovs_api``) and their constraints -,
  runs the module's logic with an :class:`OvsApiClient`, turns a refusal of the module
  (such as ``StorageError`` or ``AlbaError``) into ``fail_json(msg=<its text>)`` and an
  :class:`OvsApiError` into ``fail_json`` with the API's fields, drops ``diff`` unless the
  task runs with ``--diff``, and exits with the result;
* :func:`run_node_module` does the same for the modules that run the OVS tools on the node, with an
  :class:`OvsRunner` (a failed command to ``fail_json`` with its command, exit code and output);
* :func:`task_timeout_option` is the one option (``task_timeout``) that bounds how long a module waits
  for the framework's tasks, with the deprecated names it replaced.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import (
    OvsCommandError,
    OvsRunner,
    fail_from_command_error,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import (
    OVS_API_MUTUALLY_EXCLUSIVE,
    OVS_API_REQUIRED_ONE_OF,
    OVS_API_REQUIRED_TOGETHER,
    OvsApiClient,
    OvsApiError,
    fail_from_api_error,
    ovs_api_argument_spec,
)


COLLECTION = 'openvstorage.hyperscale'
TASK_TIMEOUT_ALIASES_REMOVED_IN = '2.0.0'


def task_timeout_option(default, old_names=()):
    """The ``task_timeout`` option: seconds to wait for the framework's tasks (``default``).

    ``old_names`` are the names the option had before it was named alike in every module; they still
    work, as aliases that are deprecated (a deprecation warning, removed in 2.0.0 of the collection).
    """
    option = dict(type='int', default=default)
    if old_names:
        option['aliases'] = list(old_names)
        option['deprecated_aliases'] = [dict(name=name, version=TASK_TIMEOUT_ALIASES_REMOVED_IN,
                                             collection_name=COLLECTION) for name in old_names]
    return option


def fail_if_invalid(module, errors):
    """``fail_json`` listing ``errors`` (texts naming the option, the value and what is allowed), if any."""
    if errors:
        module.fail_json(msg='Invalid options: ' + '; '.join(errors), errors=errors)


def ovs_module(argument_spec, validate=None, **kwargs):
    """The ``AnsibleModule`` (check mode supported) whose options passed ``validate(params)`` -> errors."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **kwargs)
    if validate is not None:
        fail_if_invalid(module, validate(module.params))
    return module


def ovs_api_module(argument_spec, validate=None, required_together=()):
    """:func:`ovs_module` with the API options and their constraints added to the module's own."""
    spec = ovs_api_argument_spec()
    spec.update(argument_spec)
    return ovs_module(spec, validate=validate,
                      required_together=OVS_API_REQUIRED_TOGETHER + list(required_together),
                      mutually_exclusive=OVS_API_MUTUALLY_EXCLUSIVE,
                      required_one_of=OVS_API_REQUIRED_ONE_OF)


def run_api_module(argument_spec, run, refusals=(), validate=None, required_together=()):
    """Run an API module: ``run(module, client)`` returns its result; exits or fails the module.

    argument_spec:     the module's own options (the API options are added).
    run:               the module's logic; its result may carry ``diff`` (dropped without ``--diff``).
    refusals:          exception classes whose text is the ``msg`` of ``fail_json``.
    validate:          ``validate(params)`` -> list of errors, checked before anything else.
    required_together: the module's own pairs, added to those of the API options.
    """
    module = ovs_api_module(argument_spec, validate=validate, required_together=required_together)
    client = OvsApiClient.from_module(module)
    # api_retries: reads sent again after a timeout or a 5xx (each one also a warning)
    try:
        result = run(module, client)
    except refusals as exc:
        module.fail_json(msg=str(exc), api_retries=client.retries)
    except OvsApiError as exc:
        fail_from_api_error(module, exc, api_retries=client.retries)
    result['api_retries'] = client.retries
    exit_with(module, result)


def run_node_module(argument_spec, run, refusals=(), validate=None, environ_update=None):
    """Run a node module: ``run(module, runner)`` (an :class:`OvsRunner`) returns its result; exits or fails.

    refusals:       exception classes whose text is the ``msg`` of ``fail_json``.
    environ_update: environment of the commands the runner runs.
    """
    module = ovs_module(argument_spec, validate=validate)
    try:
        result = run(module, OvsRunner(module, environ_update=environ_update))
    except refusals as exc:
        module.fail_json(msg=str(exc))
    except OvsCommandError as exc:
        fail_from_command_error(module, exc)
    exit_with(module, result)


def exit_with(module, result):
    """``exit_json`` with the result, its ``diff`` dropped unless the task runs with ``--diff``."""
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**result)
