# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check inventory variables against the argument specs of the roles that use them, nested options included.

Ansible's own validator names neither the list index nor always the value (``value of sco_size must be one
of: ... found in ovs_vpools``); ``argument_spec_errors`` walks the same specs (types through Ansible's own
converters, ``choices``, ``required``, unknown keys, ``elements``, nested ``options``) and names the whole
path, e.g. ``ovs_vpools[0].fragment_cache.quota is -1: ...``. What a spec cannot say (ranges, name
patterns, sizes, the shape of a policy) comes from :func:`option_rules`, built from the rules the modules use.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.common.parameters import DEFAULT_TYPE_VALIDATORS
from ansible_collections.openvstorage.hyperscale.plugins.filter.storage import (
    BACKEND_NAME, DISK_ROLES, HIDDEN, policy_problem, show_value, size_bytes,
)

TYPE_TEXT = {'str': 'a string', 'int': 'an integer', 'bool': 'a boolean (true or false)', 'list': 'a list',
             'dict': 'a dictionary', 'float': 'a number', 'path': 'a path', 'raw': 'any value'}
ELEMENTS_TEXT = {'str': 'strings', 'int': 'integers', 'bool': 'booleans', 'list': 'lists', 'dict': 'dictionaries',
                 'float': 'numbers', 'path': 'paths', 'raw': 'values'}
RETIRED_DISK_ROLES = {'BACKEND': 'BACKEND is set by the system, not by users',
                      'READ': 'READ no longer exists (since late 2016)'}


def _pattern(regex, allowed):
    regex = re.compile(regex) if isinstance(regex, str) else regex
    return lambda value: None if regex.match(value) else allowed


def _int_range(low, high, unit=''):
    unit = ' ' + unit if unit else ''
    allowed = ('an integer from {0} to {1}{2}'.format(low, high, unit) if high is not None
               else 'an integer of at least {0}{1}'.format(low, unit))
    return lambda value: None if low <= value and (high is None or value <= high) else allowed


def _size(low, high, allowed):
    def rule(value):
        size = size_bytes(value)
        return None if size is not None and low <= size <= high else allowed
    return rule


def _not_empty(allowed):
    return lambda value: None if value and (not isinstance(value, str) or value.strip()) else allowed


def _disk_role(value):
    if value in RETIRED_DISK_ROLES:
        return '{0}; allowed: {1}'.format(RETIRED_DISK_ROLES[value], ', '.join(DISK_ROLES))
    return None


def _policy(value):
    problem = policy_problem(value)
    return 'Policy [k, m, c, x] does not match: {0}'.format(problem) if problem else None


def _quota(value):
    return None if value > 0 else 'a positive number of bytes (no quota: leave it out)'


# Rules of single options that an argument spec cannot express, by path: option names joined with dots,
# ``[]`` for each element of a list of values. They run after the type check, before ``choices``.
# Built on first use: Ansible loads every filter file of the collection in each worker process that
# resolves any of its filters (a task per node), and the module_utils these rules come from import the
# REST client (ansible.module_utils.urls, cryptography) - about 60 ms per task for nothing.
_OPTION_RULES = {}


def option_rules():
    """The rules by option path (see above), built once per process."""
    if _OPTION_RULES:
        return _OPTION_RULES
    from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import (
        FRAGMENT_SIZE_MAX, FRAGMENT_SIZE_MIN, PRESET_NAME_RE,
    )
    from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba_remote import api_host_problem
    from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vdisk import VDISK_MAX_SIZE, VDISK_NAME
    from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vpool import RANGES, VPOOL_NAME
    rules = {
        'ovs_domains.name': _not_empty('a non-empty name'),
        'ovs_disk_roles.disk': _not_empty('a disk name such as sdb or a /dev/disk/by-id alias'),
        'ovs_disk_roles.roles': _not_empty('a non-empty list of {0}'.format(', '.join(DISK_ROLES))),
        'ovs_disk_roles.roles[]': _disk_role,
        'ovs_backends.name': _pattern(BACKEND_NAME, '3 to 50 lower-case letters, digits or dashes, starting and '
                                                    'ending with a letter or digit'),
        'ovs_backends.asds.disks': _not_empty('a non-empty list of disk names of the storage nodes, such as [sdb, sdc]'),
        'ovs_backends.asds.disks[]': _not_empty('a disk name of the storage nodes, such as sdb'),
        'ovs_backends.asds.asds_per_disk': _int_range(1, 24),
        'ovs_backends.presets.name': _pattern(PRESET_NAME_RE, 'Invalid preset name specified: 3 to 20 letters, '
                                                              'digits, - or _, starting and ending with a letter or digit'),
        'ovs_backends.presets.fragment_size': _size(FRAGMENT_SIZE_MIN, FRAGMENT_SIZE_MAX,
                                                    'bytes (or a size such as 4MiB) from 16 to 1 GiB'),
        'ovs_backends.presets.policies[]': _policy,
        'ovs_backends.linked_backends.cluster.api_host': api_host_problem,
        'ovs_backends.linked_backends.cluster.api_port': _int_range(1, 65535),
        'ovs_vpools.name': _pattern(VPOOL_NAME, '3 to 22 lower-case letters, digits or dashes, starting and '
                                                'ending with a letter or digit'),
        'ovs_vpools.fragment_cache.quota': _quota,
        'ovs_vpools.block_cache.quota': _quota,
        'ovs_vpools.fragment_cache.cluster.api_host': api_host_problem,
        'ovs_vpools.fragment_cache.cluster.api_port': _int_range(1, 65535),
        'ovs_vpools.block_cache.cluster.api_host': api_host_problem,
        'ovs_vpools.block_cache.cluster.api_port': _int_range(1, 65535),
        'ovs_vdisks.name': _pattern(VDISK_NAME, 'letters, digits, - or _, at least 3, starting and ending with a '
                                                'letter or digit'),
        'ovs_vdisks.size': _size(1, VDISK_MAX_SIZE, 'bytes or a size such as 10GiB, more than 0 and at most 64 TiB'),
    }
    rules.update(('ovs_vpools.' + option, _int_range(low, high, unit)) for option, low, high, unit in RANGES)
    _OPTION_RULES.update(rules)
    return _OPTION_RULES


def _type_text(spec):
    """What a value of ``spec`` is: 'an integer', 'a list of strings', 'a dictionary with keys ...'."""
    kind = spec.get('type', 'str')
    if kind == 'list' and spec.get('elements'):
        text = 'a list of {0}'.format(ELEMENTS_TEXT.get(spec['elements'], spec['elements']))
    else:
        text = TYPE_TEXT.get(kind, kind)
    if spec.get('options'):
        text += ' with the keys {0}'.format(', '.join(sorted(spec['options'])))
    return text


def _convert(value, kind):
    """``(converted, None)`` or ``(None, reason)`` with Ansible's own converter of ``kind``."""
    if kind == 'raw' or kind not in DEFAULT_TYPE_VALIDATORS:
        return value, None
    if kind in ('str', 'path') and isinstance(value, (list, dict)):
        return None, 'a list or dictionary is no string'
    try:
        return DEFAULT_TYPE_VALIDATORS[kind](value), None
    except (TypeError, ValueError) as exc:
        return None, str(exc)


class _Walk(object):
    def __init__(self):
        self.errors = []

    def error(self, where, value, allowed):
        self.errors.append('{0} is {1}: {2}'.format(where, show_value(value), allowed))

    def options(self, where, rule_path, value, options):
        """The keys of the dictionary ``value`` against ``options``: unknown keys, then each option."""
        unknown = sorted(str(key) for key in value if key not in options)
        if unknown:
            self.error(where, value, 'unknown key(s) {0}; allowed keys and types: {1}'.format(
                ', '.join(unknown), ', '.join('{0} ({1})'.format(k, options[k].get('type', 'str'))
                                              for k in sorted(options))))
        for key in sorted(options):
            spec = options[key]
            if value.get(key) is None:
                if spec.get('required'):
                    self.errors.append('{0}.{1} is missing: it is required ({2})'.format(where, key, _type_text(spec)))
                continue
            self.value('{0}.{1}'.format(where, key), '{0}.{1}'.format(rule_path, key), value[key], spec)

    def value(self, where, rule_path, value, spec):
        """One value: its type, the rule of its path, its choices, then its elements or nested options.
        The value of a ``no_log`` option is never shown."""
        if spec.get('no_log'):
            converted, reason = _convert(value, spec.get('type', 'str'))
            if reason is not None:
                self.errors.append('{0} is {1}: {2}'.format(where, HIDDEN, _type_text(spec)))
            return
        kind = spec.get('type', 'str')
        converted, reason = _convert(value, kind)
        if reason is not None:
            self.error(where, value, _type_text(spec) + self._choices_text(spec))
            return
        if kind == 'list':
            self.elements(where, rule_path, converted, spec)
        rules = option_rules()
        problem = rules[rule_path](converted) if rule_path in rules else None
        if problem:
            self.error(where, value, problem)
        elif kind != 'list' and spec.get('choices') and converted not in spec['choices']:
            self.error(where, value, 'allowed: {0}'.format(', '.join(str(c) for c in spec['choices'])))
        elif kind == 'dict' and spec.get('options'):
            self.options(where, rule_path, converted, spec['options'])

    def elements(self, where, rule_path, items, spec):
        element = dict((k, spec[k]) for k in ('options', 'choices') if k in spec)
        element['type'] = spec.get('elements', 'raw')
        # rules of the options of dictionaries go by option names; those of other elements by ``[]``
        element_path = rule_path if element['type'] == 'dict' else rule_path + '[]'
        for index, item in enumerate(items):
            if item is None:
                self.error('{0}[{1}]'.format(where, index), item, _type_text(element))
                continue
            self.value('{0}[{1}]'.format(where, index), element_path, item, element)

    @staticmethod
    def _choices_text(spec):
        choices = spec.get('choices')
        return '; allowed: {0}'.format(', '.join(str(c) for c in choices)) if choices else ''


def argument_spec_errors(hostvars, options, hosts, per_host=True):
    """Problems of the variables of ``hosts`` (``hostvars[host]``) that ``options`` (the ``options`` of a role's
    argument spec) declares, each naming the path (``<var> of <host>`` when ``per_host``), value and what is
    allowed. Variables a host does not have are not checked."""
    walk = _Walk()
    for host in hosts:
        values = hostvars[host]
        for name in sorted(options):
            if name in values and values[name] is not None:
                where = '{0} of {1}'.format(name, host) if per_host else name
                walk.value(where, name, values[name], options[name])
    return walk.errors


class FilterModule(object):
    """Argument spec checks of inventory variables."""

    def filters(self):
        return {'argument_spec_errors': argument_spec_errors}
