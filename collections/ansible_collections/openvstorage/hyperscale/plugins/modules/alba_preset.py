#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: alba_preset
short_description: Manage a preset of an ALBA backend of Open vStorage
version_added: 0.1.0
description:
  - Adds, updates or removes a preset of an ALBA backend through the framework API
    (C(POST /api/alba/backends/<guid>/add_preset/), C(update_preset), C(delete_preset); each a task).
  - All options are checked before any call, with the rules and texts of the framework
    (C(ovs/lib/albapreset.py)) - the name, at least one policy, 4 integers per policy,
    C(k <= c <= k + m), no zero k, c or x, the fragment size range.
  - The policies of an existing preset are updated in place. Its compression, encryption and fragment size
    cannot be changed in place; a difference fails.
  - The encryption key (32 random characters made by the framework) is never returned.
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
options:
  backend:
    description:
      - Name of the ALBA backend that holds the preset. It must be C(RUNNING).
    type: str
    required: true
  name:
    description:
      - Name of the preset, 3 to 20 letters, digits, C(-) and C(_), starting and ending with a letter or digit.
    type: str
    required: true
  policies:
    description:
      - Policies of the preset, in order of preference, each C([k, m, c, x]) - data fragments, parity fragments,
        minimum number of fragments to acknowledge a write, maximum number of fragments per node.
      - At least one; C(k <= c <= k + m); k, c and x not zero.
      - Needed to add a preset; not given, the policies of an existing preset are not managed.
      - Compared as an ordered list; a difference updates the preset in place.
    type: list
    elements: list
  compression:
    description:
      - Compression of the fragments. Cannot be changed on an existing preset.
    type: str
    choices: [snappy, bz2, none]
    default: snappy
  encryption:
    description:
      - Encryption of the fragments; the framework makes the key. Cannot be changed on an existing preset.
    type: str
    choices: [aes-cbc-256, aes-ctr-256, none]
    default: none
  fragment_size:
    description:
      - Size of a fragment in bytes, 16 to 1073741824 (1 GiB).
      - When not given, a new preset gets the default of the framework, 16 MiB (16777216), and the size of an
        existing preset is not compared.
      - Cannot be changed on an existing preset.
    type: int
  state:
    description:
      - V(present) adds the preset or updates its policies; V(absent) deletes it.
      - The default preset and a preset in use (by a vPool or any ALBA namespace) are never deleted.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Reads and compares only; reports what would change without adding, updating or deleting.
    support: full
  diff_mode:
    description: Shows the changed keys of the preset before and after.
    support: full
seealso:
  - module: openvstorage.hyperscale.alba_backend
  - module: openvstorage.hyperscale.alba_node
'''

EXAMPLES = r'''
- name: A preset of 2 data and 1 parity fragments, falling back to 1 + 1
  openvstorage.hyperscale.alba_preset:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    ca_path: /etc/ssl/ovs-ca.pem
    backend: local-be1
    name: fast
    policies:
      - [2, 1, 3, 1]
      - [1, 1, 1, 1]
    compression: none

- name: Encrypted preset with 4 MiB fragments
  openvstorage.hyperscale.alba_preset:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    backend: global-be
    name: secure
    policies: [[5, 4, 8, 3]]
    encryption: aes-cbc-256
    fragment_size: 4194304

- name: Remove a preset no vPool uses
  openvstorage.hyperscale.alba_preset:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    backend: local-be1
    name: fast
    state: absent
'''

RETURN = r'''
preset:
  description: The preset after the run (predicted in check mode); empty when it is absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the preset.
      type: str
      sample: fast
    policies:
      description: Policies C([k, m, c, x]), in order.
      type: list
      elements: list
      sample: [[2, 1, 3, 1], [1, 1, 1, 1]]
    compression:
      description: Compression (C(snappy), C(bz2) or C(none)).
      type: str
      sample: none
    encryption:
      description: Encryption algorithm (C(aes-cbc-256), C(aes-ctr-256) or C(none)); never the key.
      type: str
      sample: none
    fragment_size:
      description: Fragment size in bytes.
      type: int
      sample: 16777216
    in_use:
      description: Whether an ALBA namespace (a vPool) uses the preset.
      type: bool
      sample: false
    is_default:
      description: Whether it is the default preset of the backend.
      type: bool
      sample: false
    is_available:
      description: Whether one of its policies can be met by the OSDs of the backend.
      type: bool
      sample: true
backend:
  description: The ALBA backend of the preset.
  returned: when the backend exists
  type: dict
  contains:
    name:
      description: Name of the backend.
      type: str
      sample: local-be1
    alba_backend_guid:
      description: Guid of the ALBA backend.
      type: str
'''

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import (
    DEFAULT_FRAGMENT_SIZE,
    AlbaError,
    alba_backend_usable,
    find_backend,
    find_preset,
    fragment_size_error,
    normalise_policies,
    preset_name_error,
    read_alba_backend,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_diff import changed_keys, object_diff
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import fail_if_invalid, run_api_module

FIXED_KEYS = ('compression', 'encryption', 'fragment_size')
TASK_TIMEOUT = 300


def argument_spec():
    return dict(
        backend=dict(type='str', required=True),
        name=dict(type='str', required=True),
        policies=dict(type='list', elements='list'),
        compression=dict(type='str', choices=['snappy', 'bz2', 'none'], default='snappy'),
        encryption=dict(type='str', choices=['aes-cbc-256', 'aes-ctr-256', 'none'], default='none'),
        fragment_size=dict(type='int'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )


def validate(params):
    """(wanted policies, errors) - every error names the option, the value and what is allowed."""
    errors = []
    error = preset_name_error(params['name'])
    if error:
        errors.append(error)
    policies = None
    if params['state'] == 'present':
        if params['policies'] is not None:
            policies, policy_errors = normalise_policies(params['policies'])
            errors.extend(policy_errors)
        error = fragment_size_error(params['fragment_size'])
        if error:
            errors.append(error)
    return policies, errors


def wanted_preset(params, policies):
    return dict(name=params['name'], policies=policies, compression=params['compression'],
                encryption=params['encryption'], fragment_size=params['fragment_size'])


def public(preset):
    return dict((k, preset.get(k)) for k in ('name', 'policies', 'compression', 'encryption', 'fragment_size',
                                             'in_use', 'is_default', 'is_available'))


def current_preset(alba_backend, name):
    return find_preset(alba_backend, name)


def run(module, client):
    params = module.params
    name, backend_name = params['name'], params['backend']
    policies, errors = validate(params)
    fail_if_invalid(module, errors)

    found = find_backend(client, backend_name, contents='alba_id,scaling,presets')
    if found is None and module.check_mode and params['state'] == 'present':
        if policies is None:
            raise AlbaError('policies: needed to add preset {0} to ALBA backend {1} (which does not exist yet) - '
                            'At least 1 policy must be defined when adding/updating a preset'.format(
                                name, backend_name))
        module.warn('ALBA backend {0} does not exist; assuming an earlier task creates it'.format(backend_name))
        preset = dict(wanted_preset(params, policies), in_use=False, is_default=False, is_available=False)
        preset['fragment_size'] = preset['fragment_size'] or DEFAULT_FRAGMENT_SIZE
        return dict(changed=True, preset=public(preset), diff=dict(before={}, after=wanted_after(params, policies)))
    if found is None and params['state'] == 'absent':
        return dict(changed=False, preset={}, diff=dict(before={}, after={}))
    alba_backend = alba_backend_usable(found, backend_name)
    backend_info = dict(name=backend_name, alba_backend_guid=alba_backend['guid'])
    guid = alba_backend['guid']
    current = current_preset(alba_backend, name)

    if params['state'] == 'absent':
        if current is None:
            return dict(changed=False, preset={}, backend=backend_info, diff=dict(before={}, after={}))
        if current['is_default'] or name == 'default':
            raise AlbaError('Cannot delete the default preset: {0} is the default preset of ALBA backend {1}'.format(
                name, backend_name))
        if current['in_use']:
            raise AlbaError('Cannot delete preset {0} of ALBA backend {1}: it is in use (an ALBA namespace, e.g. of '
                            'a vPool, uses it); remove what uses it first'.format(name, backend_name))
        diff = object_diff(dict((k, current[k]) for k in ('name', 'policies', 'compression', 'encryption',
                                                          'fragment_size')), None)
        if not module.check_mode:
            task = client.post('alba/backends/{0}/delete_preset'.format(guid), dict(name=name))
            client.wait_for_task(task, timeout=TASK_TIMEOUT)
        return dict(changed=True, preset={}, backend=backend_info, diff=diff)

    wanted = wanted_preset(params, policies)
    if current is None:
        if policies is None:
            raise AlbaError('policies: needed to add preset {0} to ALBA backend {1} - At least 1 policy must be '
                            'defined when adding/updating a preset'.format(name, backend_name))
        after = wanted_after(params, policies)
        if not module.check_mode:
            data = dict(name=name, compression=params['compression'], policies=policies,
                        encryption=params['encryption'])
            if params['fragment_size'] is not None:
                data['fragment_size'] = params['fragment_size']
            task = client.post('alba/backends/{0}/add_preset'.format(guid), data)
            client.wait_for_task(task, timeout=TASK_TIMEOUT)
            preset = reread(client, guid, name, backend_name)
        else:
            preset = dict(wanted, in_use=False, is_default=False, is_available=False)
            preset['fragment_size'] = preset['fragment_size'] or DEFAULT_FRAGMENT_SIZE
        return dict(changed=True, preset=public(preset), backend=backend_info, diff=object_diff(None, after))

    for key in changed_keys(current, dict((k, wanted[k]) for k in FIXED_KEYS)):
        raise AlbaError('Preset {0} of ALBA backend {1}: {2} cannot be changed in place (current {3!r}, '
                        'wanted {4!r}); create a preset with another name, or delete and re-create it'.format(
                            name, backend_name, key, current[key], wanted[key]))
    if not changed_keys(current, dict(policies=policies)):
        return dict(changed=False, preset=public(current), backend=backend_info, diff=dict(before={}, after={}))
    diff = object_diff(current, dict(policies=policies), name=name)
    if module.check_mode:
        preset = dict(current, policies=policies)
    else:
        task = client.post('alba/backends/{0}/update_preset'.format(guid), dict(name=name, policies=policies))
        client.wait_for_task(task, timeout=TASK_TIMEOUT)
        preset = reread(client, guid, name, backend_name)
    return dict(changed=True, preset=public(preset), backend=backend_info, diff=diff)


def wanted_after(params, policies):
    return dict(name=params['name'], policies=policies, compression=params['compression'],
                encryption=params['encryption'],
                fragment_size=params['fragment_size'] or DEFAULT_FRAGMENT_SIZE)


def reread(client, guid, name, backend_name):
    alba_backend = read_alba_backend(client, guid, 'presets')
    preset = current_preset(alba_backend, name)
    if preset is None:
        raise AlbaError('Preset {0} is not listed by ALBA backend {1} after the change'.format(name, backend_name))
    return preset


def main():
    run_api_module(argument_spec(), run, refusals=(AlbaError,))


if __name__ == '__main__':
    main()
