# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one skeleton of the modules that run an unattended OVS setup on a node (``ovs setup``,
``asd-manager setup``) once, as :func:`ovs_module.run_api_module` is for the API modules.

:func:`run_setup_module` builds the module and runs, for ``state=present`` (or modules without ``state``):

1. read the current state of the node (:meth:`NodeSetup.read`, an :class:`OvsCommandError` fails with
   ``Cannot read the setup state of this node: ...``), then :meth:`NodeSetup.prepare`;
2. a node set up already: :meth:`NodeSetup.keep` gives the result (it may change what the setup allows);
3. else :func:`plan_setup`, a pure function of the options, the state, the IPv4 addresses of the host and
   check mode: a refusal, or the diff, the warnings and the result predicted in check mode;
4. apply, never in check mode (:func:`apply_setup`): the preconfiguration file written with mode 0600,
   the setup command run, the node read again, :meth:`NodeSetup.finish` (waits, gates) gives the result.

It owns ``changed``, ``diff`` (dropped unless the task runs with ``--diff``) and check mode. A module with
``state=absent`` gets it through :meth:`NodeSetup.remove`.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import (
    OvsCommandError,
    OvsRunner,
    fail_from_command_error,
    failure_text,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_host import (
    local_ipv4s,
    remove_file,
    write_private_file,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import exit_with, ovs_module


class NodeSetup(object):
    """What a setup module tells the skeleton; subclasses set the attributes and override the methods.

    The state a :meth:`read` returns is a dict with at least ``installed`` and ``setup_completed``.
    """

    binary = None          # the tool, such as 'ovs' or 'asd-manager'
    setup_args = ('setup',)
    id_key = None          # the key of the node's id in the state and the result (machine_id, node_id)
    package = None         # the package that brings the tool and the id file
    install_hint = None    # what to install, in the failure when the package is missing

    def id_file(self):
        """The file the package writes the node's id to (read at run time)."""
        raise NotImplementedError

    def read(self, module, runner):
        """The current state of the node (may raise :class:`OvsCommandError`)."""
        raise NotImplementedError

    def prepare(self, module, state):
        """Done once after the first :meth:`read`, also on a set-up node (check mode aware); updates ``state``."""

    def keep(self, module, runner, state):
        """The result for a node set up already (``changed`` false unless this method changed something)."""
        raise NotImplementedError

    def refusal(self, params, state):
        """Why the setup must not run on this node that is not set up (a broken earlier setup), or None."""
        return None

    def planned(self, params):
        """The diff of the setup: ``before``/``after``."""
        raise NotImplementedError

    def expected(self, params, diff):
        """The facts the setup is expected to give (the result predicted in check mode, but the node's id)."""
        raise NotImplementedError

    def predicted(self, params, state, diff):
        """The result predicted in check mode (without ``changed``/``diff``): the expected facts and the id."""
        result = self.expected(params, diff)
        if state.get(self.id_key) is not None:
            result[self.id_key] = state[self.id_key]
        return result

    def local_ip_error(self, params, local):
        """Why the addresses of the options do not fit this host (``local``: its IPv4s, None unknown), or None."""
        return None

    def assumed(self, params, state):
        """``(warning, failure)`` pairs of what an earlier task provides: a warning in check mode, else a failure."""
        return []

    def preconfig(self, params):
        """The document of the preconfiguration file."""
        raise NotImplementedError

    def keep_preconfig(self, params):
        """Whether the preconfiguration file stays after the setup command."""
        return True

    def not_set_up(self, state):
        """The end of ``<command> exited 0 but ...`` when the node is not set up after the command."""
        raise NotImplementedError

    def finish(self, module, runner, state, diff, stdout):
        """The result after a successful setup (facts, ``diff``); may wait or gate (and fail)."""
        return dict(diff=diff)

    def remove(self, module, runner):
        """The result of ``state=absent``."""
        raise NotImplementedError

    def command(self):
        """``<binary> <setup args>``, as the messages name the command."""
        return ' '.join((self.binary,) + tuple(self.setup_args))

    def id_fact(self, state):
        return {self.id_key: state.get(self.id_key)}

    def package_missing(self):
        """``(warning, failure)`` when the package is not installed: assumed in check mode, else a failure."""
        return ('The {0} package is not installed yet (no {1} or no {2} command); assuming an earlier task '
                'installs it'.format(self.package, self.id_file(), self.binary),
                'The {0} package is not installed on this host: {1} and the {2} command are needed; install the '
                'package {3} first'.format(self.package, self.id_file(), self.binary, self.install_hint))


def plan_setup(setup, params, state, local, check_mode):
    """What to do on a node that is not set up (a pure function).

    Returns a dict: ``refusal`` (the ``msg`` to fail with) and ``extra`` (more keys of the failure); or
    ``diff``, ``warnings``, ``result`` (predicted in check mode) and ``apply`` (whether the setup runs).
    """
    refusal = setup.refusal(params, state)
    if refusal:
        return dict(refusal=refusal, extra=setup.id_fact(state))
    diff = setup.planned(params)
    if not state['installed']:
        warning, failure = setup.package_missing()
        if not check_mode:
            return dict(refusal=failure, extra={})
        return dict(diff=diff, warnings=[warning], apply=False, result=setup.expected(params, diff))
    error = setup.local_ip_error(params, local)
    if error:
        return dict(refusal=error, extra={})
    warnings = []
    for warning, failure in setup.assumed(params, state):
        if not check_mode:
            return dict(refusal=failure, extra={})
        warnings.append(warning)
    return dict(diff=diff, warnings=warnings, apply=not check_mode, result=setup.predicted(params, state, diff))


def apply_setup(module, runner, setup, state, diff):
    """Write the preconfiguration, run the setup command, read the node again; the result (``changed``)."""
    params = module.params
    path = params['preconfig_path']
    try:
        write_private_file(path, json.dumps(setup.preconfig(params), indent=4, sort_keys=True) + '\n')
    except (IOError, OSError) as exc:
        module.fail_json(msg='Cannot write the preconfiguration file {0}: {1}'.format(path, exc))
    try:
        rc, stdout, stderr = runner.run(setup.binary, list(setup.setup_args), check=False)
    except OvsCommandError as exc:
        fail_from_command_error(module, exc)
    finally:
        if not setup.keep_preconfig(params):
            remove_file(path)
    output = dict(stdout=stdout, stderr=stderr, stdout_lines=stdout.splitlines())
    if rc != 0:
        module.fail_json(msg='{0} failed (rc {1}): {2}'.format(setup.command(), rc, failure_text(stdout, stderr)),
                         cmd=[runner.binary(setup.binary)] + list(setup.setup_args), rc=rc,
                         **dict(output, **setup.id_fact(state)))
    try:
        state = setup.read(module, runner)
    except OvsCommandError as exc:
        fail_from_command_error(module, exc, stdout=stdout, msg='{0} finished but its result cannot be read: {1}'
                                .format(setup.command(), exc.message))
    if not state['setup_completed']:
        module.fail_json(msg='{0} exited 0 but {1}'.format(setup.command(), setup.not_set_up(state)), **output)
    result = setup.finish(module, runner, state, diff, stdout)
    result.update(changed=True, stdout=stdout)
    return result


def set_up_node(module, runner, setup):
    """``state=present``: read, plan, apply (not in check mode); the result of the module."""
    try:
        state = setup.read(module, runner)
    except OvsCommandError as exc:
        fail_from_command_error(module, exc, msg='Cannot read the setup state of this node: ' + exc.message)
    setup.prepare(module, state)
    if state['setup_completed']:
        return setup.keep(module, runner, state)
    plan = plan_setup(setup, module.params, state, local_ipv4s(module) if state['installed'] else None,
                      module.check_mode)
    if 'refusal' in plan:
        module.fail_json(msg=plan['refusal'], **plan['extra'])
    for warning in plan['warnings']:
        module.warn(warning)
    if not plan['apply']:
        return dict(plan['result'], changed=True, diff=plan['diff'])
    return apply_setup(module, runner, setup, state, plan['diff'])


def run_setup_module(argument_spec, setup, validate=None, **kwargs):
    """Run a setup module: ``setup`` (a :class:`NodeSetup`) for the node; exits or fails the module.

    argument_spec: the module's options; ``preconfig_path`` among them, ``state`` (present/absent) optional.
    validate:      ``validate(params)`` -> list of errors, checked before anything else.
    kwargs:        more arguments of ``AnsibleModule`` (``required_if``, ...).
    """
    module = ovs_module(argument_spec, validate=validate, **kwargs)
    runner = OvsRunner(module)
    if module.params.get('state') == 'absent':
        result = setup.remove(module, runner)
    else:
        result = set_up_node(module, runner, setup)
    exit_with(module, result)
