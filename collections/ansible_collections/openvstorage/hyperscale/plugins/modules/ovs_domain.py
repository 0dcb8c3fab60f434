#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_domain
short_description: Manage an Open vStorage failure domain and its storage routers
version_added: 0.1.0
description:
  - Creates a domain (C(POST /api/domains/)) and makes it a primary (regular) or recovery domain of storage routers
    (C(POST /api/storagerouters/<guid>/set_domains/)). The other domains of each storage router are kept.
  - Storage routers not listed keep whatever domains they have.
  - With O(state=absent) the domain is deleted (C(DELETE /api/domains/<guid>/)); refused while a storage router or a
    backend uses it (they are named).
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
options:
  name:
    description: Name of the domain.
    type: str
    required: true
  state:
    description: Whether the domain exists.
    type: str
    choices: [present, absent]
    default: present
  storagerouters:
    description:
      - Storage routers (host names or IPs) that must have this domain as a primary domain.
      - A storage router that has it as a recovery domain gets it as a primary domain instead.
    type: list
    elements: str
  recovery_storagerouters:
    description:
      - Storage routers (host names or IPs) that must have this domain as a recovery domain.
      - A storage router cannot be in both O(storagerouters) and O(recovery_storagerouters).
    type: list
    elements: str
attributes:
  check_mode:
    description: Reads and compares; reports what would change without any POST.
    support: full
  diff_mode:
    description: Shows the primary and recovery storage routers that change.
    support: full
seealso:
  - module: openvstorage.hyperscale.ovs_cluster_info
'''

EXAMPLES = r'''
- name: Domain of the first rack, primary for its controllers, recovery for the second rack
  openvstorage.hyperscale.ovs_domain:
    api_host: 172.30.250.11
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    ca_path: /etc/ssl/ovs-ca.pem
    name: rack1
    storagerouters: [ctl01, ctl02]
    recovery_storagerouters: [ctl03]

- name: Remove a domain no longer used
  openvstorage.hyperscale.ovs_domain:
    api_host: 172.30.250.11
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    name: old-rack
    state: absent
'''

RETURN = r'''
domain:
  description: The domain (in check mode, what it would be; C(guid) is null for a new one). Empty after removal.
  returned: success
  type: dict
  contains:
    guid:
      description: Guid of the domain.
      type: str
    name:
      description: Name of the domain.
      type: str
    storagerouters:
      description: Names of the storage routers that have the domain as a primary domain, sorted.
      type: list
      elements: str
    recovery_storagerouters:
      description: Names of the storage routers that have the domain as a recovery domain, sorted.
      type: list
      elements: str
'''

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.domain import (
    ROUTER_DOMAIN_CONTENTS,
    backends_in_domain,
    domain_layout,
    domain_view,
    find_domain,
    list_domain_backends,
    list_domains,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import run_api_module
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_diff import object_diff
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import run_action
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.storagerouter import (
    list_storagerouters,
    resolve_storagerouters,
)

ROUTER_CONTENTS = 'name,ip,' + ROUTER_DOMAIN_CONTENTS


def argument_spec():
    return dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        storagerouters=dict(type='list', elements='str'),
        recovery_storagerouters=dict(type='list', elements='str'),
    )


def wanted_routers(routers, params):
    """(primary, recovery) storage routers the options name; StorageError when one is named in both."""
    primary_wanted = resolve_storagerouters(routers, params['storagerouters'], 'storagerouters')
    recovery_wanted = resolve_storagerouters(routers, params['recovery_storagerouters'], 'recovery_storagerouters')
    both = sorted(set(r['name'] for r in primary_wanted) & set(r['name'] for r in recovery_wanted))
    if both:
        raise StorageError('storage router(s) {0} cannot have domain {1} both as primary (storagerouters) and as '
                           'recovery domain (recovery_storagerouters)'.format(', '.join(both), params['name']))
    return primary_wanted, recovery_wanted


def removal_users(guid, primary, recovery, backends):
    """What keeps the domain ``guid`` from being removed: texts naming its storage routers and backends."""
    users = []
    if primary:
        users.append('storage routers (primary) {0}'.format(', '.join(primary)))
    if recovery:
        users.append('storage routers (recovery) {0}'.format(', '.join(recovery)))
    names = backends_in_domain(backends, guid)
    if names:
        users.append('backends {0}'.format(', '.join(names)))
    return users


def plan_domain(name, guid, primary, recovery, primary_wanted, recovery_wanted):
    """What ``state=present`` changes, from the current layout (no API call).

    guid:             the domain's guid, None when it does not exist yet.
    primary/recovery: names of the storage routers that have it now (``domain_layout``).
    *_wanted:         the storage routers the options name (:func:`wanted_routers`).
    Returns ``changed``, the storage routers whose domains are set (``to_set``), the domain's storage
    routers afterwards (``wanted``) and the ``diff``.
    """
    primary_names = [r['name'] for r in primary_wanted]
    recovery_names = [r['name'] for r in recovery_wanted]
    new_primary = [n for n in sorted(set(primary) | set(primary_names)) if n not in recovery_names]
    new_recovery = [n for n in sorted(set(recovery) | set(recovery_names)) if n not in primary_names]
    wanted = dict(storagerouters=new_primary, recovery_storagerouters=new_recovery)
    if guid is None:
        diff = object_diff(None, dict(name=name, **wanted))
    else:
        diff = object_diff(dict(storagerouters=primary, recovery_storagerouters=recovery), wanted, name=name)
    to_set = [r for r in primary_wanted if guid is None or guid not in (r.get('regular_domains') or [])
              or guid in (r.get('recovery_domains') or [])]
    to_set += [r for r in recovery_wanted if guid is None or guid not in (r.get('recovery_domains') or [])
               or guid in (r.get('regular_domains') or [])]
    return dict(changed=guid is None or bool(to_set), to_set=to_set, wanted=wanted, diff=diff)


def apply_domain(client, name, guid, plan, primary_wanted):
    """Create the domain (guid None) and set the domains of the planned storage routers: (guid, its layout)."""
    if guid is None:
        guid = client.post('domains', data=dict(name=name))['guid']
    for router in plan['to_set']:
        regular = [g for g in router.get('regular_domains') or [] if g != guid]
        backup = [g for g in router.get('recovery_domains') or [] if g != guid]
        if router in primary_wanted:
            regular.append(guid)
        else:
            backup.append(guid)
        run_action(client, 'storagerouters/{0}/set_domains'.format(router['guid']),
                   dict(domain_guids=regular, recovery_domain_guids=backup))
    if not plan['to_set']:
        return guid, plan['wanted']
    view = domain_view(guid, name, list_storagerouters(client, ROUTER_CONTENTS))
    return guid, dict(storagerouters=view['storagerouters'], recovery_storagerouters=view['recovery_storagerouters'])


def remove_domain(module, client, name, guid, primary, recovery):
    """``state=absent``: delete the domain unless a storage router or a backend uses it."""
    result = dict(changed=False, domain={})
    if guid is None:
        return result
    users = removal_users(guid, primary, recovery, list_domain_backends(client))
    if users:
        raise StorageError('domain {0} is in use by {1}; remove it from them first'.format(name, '; '.join(users)))
    result['changed'] = True
    if module._diff:
        result['diff'] = object_diff(dict(name=name, guid=guid), None)
    if not module.check_mode:
        client.delete('domains/{0}'.format(guid))
    return result


def run(module, client):
    params = module.params
    name = params['name']
    if not name.strip():
        raise StorageError('name: must not be empty')
    if params['state'] == 'absent' and (params['storagerouters'] or params['recovery_storagerouters']):
        raise StorageError('storagerouters and recovery_storagerouters cannot be given with state=absent')
    routers = list_storagerouters(client, ROUTER_CONTENTS)
    primary_wanted, recovery_wanted = wanted_routers(routers, params)
    domain = find_domain(list_domains(client), name)
    guid = domain['guid'] if domain else None
    primary, recovery = domain_layout(routers, guid)
    if params['state'] == 'absent':
        return remove_domain(module, client, name, guid, primary, recovery)
    plan = plan_domain(name, guid, primary, recovery, primary_wanted, recovery_wanted)
    result = dict(changed=plan['changed'])
    if plan['changed'] and module._diff:
        result['diff'] = plan['diff']
    wanted = plan['wanted']
    if not module.check_mode:
        guid, wanted = apply_domain(client, name, guid, plan, primary_wanted)
    result['domain'] = dict(guid=guid, name=name, **wanted)
    return result


def main():
    run_api_module(argument_spec(), run, refusals=(StorageError,))


if __name__ == '__main__':
    main()
