#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: alba_backend
short_description: Manage an ALBA backend of Open vStorage
version_added: 0.1.0
description:
  - Creates an ALBA backend through the framework API - C(POST /api/backends/) with the backend type of code
    C(alba), then C(POST /api/alba/backends/) with its scaling - and waits until its ABM/NSM Arakoon clusters
    and maintenance agents are deployed (status C(RUNNING)).
  - A V(GLOBAL) backend takes V(LOCAL) backends as its OSDs (O(linked_backends)), through
    C(link_alba_backends) and C(unlink_alba_backends) - backends of this cluster, or with O(linked_backends[].cluster)
    of another Open vStorage cluster (GeoScale), read through that cluster's API.
  - Removes a backend (C(DELETE /api/alba/backends/<guid>/)), but never one that a vPool uses, that still holds
    claimed OSDs or linked backends, or that is linked into a V(GLOBAL) backend.
  - The scaling of an existing backend cannot be changed; a difference fails.
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
options:
  name:
    description:
      - Name of the backend.
    type: str
    required: true
  scaling:
    description:
      - V(LOCAL) backends hold the ASDs of storage nodes; V(GLOBAL) backends hold other (LOCAL) backends.
      - Cannot be changed on an existing backend.
    type: str
    choices: [LOCAL, GLOBAL]
    default: LOCAL
  state:
    description:
      - V(present) creates the backend; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  linked_backends:
    description:
      - The V(LOCAL) backends this V(GLOBAL) backend takes as OSDs, each with the preset through which it is used.
        Backends linked but not listed are unlinked; an empty list unlinks all. Not given, the links are not
        managed.
      - Each linked backend must be C(RUNNING) and its preset available (enough OSDs claimed for one policy).
      - The link metadata carries C(backend_connection_info), the API credentials of this cluster - with
        O(api_client_id) and an IP address as O(api_host), that client (the secret is never returned or logged);
        otherwise an empty host, for which the framework uses its own internal client and the IP of the
        controller that serves the call.
      - The preset of an existing link cannot be changed in place; a difference fails (it needs an unlink and a
        new link).
      - Only with O(scaling=GLOBAL).
      - A link is recognised by the name of the backend and, for a backend of another cluster, the address of that
        cluster's API the link stores; its result and diff label is the name, C(<name>@<api_host>) for a backend of
        another cluster.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the LOCAL backend (of the cluster of O(linked_backends[].cluster) when given).
        type: str
        required: true
      preset:
        description: Preset of that backend the GLOBAL backend uses.
        type: str
        required: true
      cluster:
        description:
          - The other Open vStorage cluster that holds the backend (GeoScale) - its API and an API client of it
            (C(POST /api/clients/) on that cluster, or its GUI, Administration > User Management; the client of a
            user of the Administrators group, as the framework reads the backend's configuration with the roles
            read and manage).
          - The module reads the backend there (its guid, C(alba_id), status and presets; the preset must be
            available, which that cluster computes from the OSDs claimed per node) before any change, in check mode
            too, and links it with C(backend_connection_info) of host O(linked_backends[].cluster.api_host) (an IPv4
            address; a host name is resolved where the module runs), port, and the client id and secret as
            C(username)/C(password) and C(client_id)/C(client_secret).
          - Unlinking needs no access to the other cluster.
          - A link that exists already is recognised from this cluster's data alone (the C(remote_stack) of the
            GLOBAL backend). When this cluster's framework cannot read the linked backend through the other
            cluster's API (C(remote_stack) error C(unknown) - not reachable, C(not_allowed) - the client is refused,
            or C(backend_deleted)), the link stays as it is, unchanged and unchecked, with a warning that names the
            entry, the backend and C(<api_host>:<api_port>); a new link to such a cluster fails before any change.
        type: dict
        suboptions:
          api_host:
            description: IPv4 address or host name of a controller of the other cluster (its API).
            type: str
            required: true
          api_port:
            description: HTTPS port of that API, 1 to 65535.
            type: int
            default: 443
          client_id:
            description: Client id of an API client of the other cluster (client credentials grant).
            type: str
            required: true
          client_secret:
            description: Secret of that client. Never returned or logged; keep it in a vault.
            type: str
            required: true
          validate_certs:
            description: Verify the TLS certificate of the other cluster's API (the module's reads).
            type: bool
            default: true
          ca_path:
            description: PEM file with the CA of the other cluster's API certificate.
            type: path
  linked_backends_var:
    description:
      - How failures and warnings name O(linked_backends) and its entries - the variable the list comes from, e.g.
        V(ovs_backends[2].linked_backends) gives C(ovs_backends[2].linked_backends[1].cluster).
    type: str
    default: linked_backends
  wait:
    description:
      - After creating the backend, wait until its status is C(RUNNING); fail when it becomes C(FAILURE) or
        O(task_timeout) passes. Always waited for when O(linked_backends) has to be linked.
    type: bool
    default: true
  task_timeout:
    description:
      - Seconds to wait for C(RUNNING), and for each link, unlink and removal task.
      - The name C(wait_timeout) is deprecated (removed in 2.0.0 of the collection); it still works, with a
        deprecation warning.
    type: int
    default: 600
    aliases: [wait_timeout]
attributes:
  check_mode:
    description: Reads and compares only; reports what would change without any POST or DELETE.
    support: full
  diff_mode:
    description: Shows the changed keys of the backend (existence, linked backends) before and after.
    support: full
notes:
  - The backend needs a master with a partition that has the C(DB) role (see C(ovs_disk)); otherwise the
    framework cannot deploy its Arakoon clusters and the backend ends in C(FAILURE).
seealso:
  - module: openvstorage.hyperscale.alba_preset
  - module: openvstorage.hyperscale.alba_node
'''

EXAMPLES = r'''
- name: A LOCAL backend
  openvstorage.hyperscale.alba_backend:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    ca_path: /etc/ssl/ovs-ca.pem
    name: local-be1

- name: A GLOBAL backend over two LOCAL backends
  openvstorage.hyperscale.alba_backend:
    api_host: "{{ ovs_api_host }}"
    api_client_id: "{{ ovs_client_id }}"
    api_client_secret: "{{ ovs_client_secret }}"
    name: global-be
    scaling: GLOBAL
    linked_backends:
      - name: local-be1
        preset: default
      - name: local-be2
        preset: default
    task_timeout: 1200

- name: A GLOBAL backend over a LOCAL backend of this cluster and one of another cluster (GeoScale)
  openvstorage.hyperscale.alba_backend:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    name: geo-be
    scaling: GLOBAL
    linked_backends:
      - name: local-be1
        preset: default
      - name: dc2-be1
        preset: default
        cluster:
          api_host: 10.20.0.11
          client_id: "{{ vault_dc2_client_id }}"
          client_secret: "{{ vault_dc2_client_secret }}"
          ca_path: /etc/ssl/dc2-ca.pem

- name: Remove a backend
  openvstorage.hyperscale.alba_backend:
    api_host: "{{ ovs_api_host }}"
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    name: old-be
    state: absent
'''

RETURN = r'''
backend:
  description: The backend after the run (predicted in check mode); empty when it is absent.
  returned: always
  type: dict
  contains:
    guid:
      description: Guid of the (generic) backend; C(null) when it is still to be created in check mode.
      type: str
    alba_backend_guid:
      description: Guid of the ALBA backend; C(null) when it is still to be created in check mode.
      type: str
    name:
      description: Name of the backend.
      type: str
      sample: local-be1
    scaling:
      description: C(LOCAL) or C(GLOBAL).
      type: str
      sample: LOCAL
    status:
      description: C(INSTALLING), C(RUNNING), C(FAILURE), C(WARNING) or C(DELETING).
      type: str
      sample: RUNNING
    presets:
      description: Names of its presets.
      type: list
      elements: str
      sample: [default]
    linked_backends:
      description:
        - Names of the backends linked into it (GLOBAL backends); C(<name>@<address>) for a backend of another
          cluster, with the address of its API the link stores.
      type: list
      elements: str
      sample: [local-be1, dc2-be1@10.20.0.11]
    osds:
      description: Number of OSDs claimed by it (ASDs, or linked backends).
      type: int
      sample: 0
'''

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import (
    AlbaError,
    alba_backend_type_guid,
    backend_names,
    backend_status,
    backend_summary,
    direct_links,
    find_backend,
    find_backend_object,
    link_alba_backend,
    link_label,
    linked_labels,
    list_alba_backends,
    read_alba_backend,
    read_backend_object,
    wait_backend_running,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba_remote import (
    RemoteCluster,
    cluster_errors,
    cluster_option,
    link_address,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ipv4 import is_ipv4
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import (
    run_api_module,
    task_timeout_option,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.vpool import vpools_using


# contents of the ALBA backend reads (alba_id and scaling are properties, always returned):
# presets, remote_stack and linked_backend_guids are dynamics, osds the relation of osds_guids
ALBA_BACKEND_CONTENTS = 'alba_id,scaling,presets,osds,remote_stack,linked_backend_guids'
# of a backend to link: its presets and whether they are available
LINKED_CONTENTS = 'alba_id,scaling,presets'


def argument_spec():
    return dict(
        name=dict(type='str', required=True),
        scaling=dict(type='str', choices=['LOCAL', 'GLOBAL'], default='LOCAL'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        linked_backends=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True),
            preset=dict(type='str', required=True),
            cluster=cluster_option(),
        )),
        linked_backends_var=dict(type='str', default='linked_backends'),
        wait=dict(type='bool', default=True),
        task_timeout=task_timeout_option(600, old_names=('wait_timeout',)),
    )


def link_where(params, index=None):
    """How messages name O(linked_backends) (O(linked_backends_var)), or one entry of it."""
    var = params.get('linked_backends_var') or 'linked_backends'
    return var if index is None else '{0}[{1}]'.format(var, index)


def new_label(link):
    """The label of a wanted link (``<name>@<api_host>`` for a backend of another cluster)."""
    return link_label(link['name'], (link.get('cluster') or {}).get('api_host'))


def validate(params):
    errors = []
    links = params['linked_backends']
    if links:
        if params['scaling'] != 'GLOBAL':
            errors.append('{0}: only a GLOBAL backend takes other backends as OSDs; '
                          'scaling is {1}'.format(link_where(params), params['scaling']))
        labels = [new_label(link) for link in links]
        for label in sorted(set(n for n in labels if labels.count(n) > 1)):
            errors.append('{0}: {1} is listed more than once'.format(link_where(params), label))
        if params['name'] in [link['name'] for link in links if not link.get('cluster')]:
            errors.append('{0}: {1} cannot be linked into itself'.format(link_where(params), params['name']))
        for index, link in enumerate(links):
            if link.get('cluster'):
                errors += cluster_errors(link_where(params, index) + '.cluster', link['cluster'])
    if params['task_timeout'] < 0:
        errors.append('task_timeout: {0} - allowed: 0 or more seconds'.format(params['task_timeout']))
    return errors


def connection_info(params):
    """backend_connection_info of a link: this cluster's API (no secret ever leaves through results).

    The framework checks C(host) (an IP), C(port), C(username), C(password) and reaches the linked
    backend with C(client_id)/C(client_secret); with an empty host it fills in its own internal client
    and the IP of the storage router that serves the call.
    """
    host = params['api_host']
    if params.get('api_client_id') and is_ipv4(host):
        return dict(host=host, port=params['api_port'], username=params['api_client_id'],
                    password=params['api_client_secret'], client_id=params['api_client_id'],
                    client_secret=params['api_client_secret'], local=True)
    return dict(host='', port=params['api_port'], username='', password='', client_id='', client_secret='',
                local=True)


def link_metadata(params, link, linked):
    """The ``metadata`` of ``link_alba_backends``: to a backend of this cluster or, with ``cluster``, of another."""
    cluster = link.get('cluster')
    if cluster:
        connection = dict(host=link['address'], port=cluster['api_port'], username=cluster['client_id'],
                          password=cluster['client_secret'], client_id=cluster['client_id'],
                          client_secret=cluster['client_secret'], local=False)
    else:
        connection = connection_info(params)
    return dict(backend_connection_info=connection,
                backend_info=dict(linked_guid=linked['guid'], linked_name=link['name'], linked_preset=link['preset'],
                                  linked_alba_id=linked['alba_id']))


def wanted_links(params):
    """The links of O(linked_backends), each with its ``index``, the ``address`` its metadata carries (the IPv4
    address of the remote API; None for a backend of this cluster) and the ``hosts`` a current link to it may show as
    ``remote_host``: a link of this cluster made through an O(api_host) that is no storage router IP (a virtual IP)
    shows that host (the framework's ``local_ip`` is false)."""
    local = (None, connection_info(params)['host'] or None)
    result = []
    for index, link in enumerate(params['linked_backends'] or []):
        address = link_address(link_where(params, index) + '.cluster', link['cluster']) if link.get('cluster') else None
        result.append(dict(link, index=index, address=address, hosts=(address,) if link.get('cluster') else local))
    return result


def find_linked(module, client, params, link):
    """``(found, origin, option)`` of the backend a wanted link names, read where it lives."""
    if not link.get('cluster'):
        return find_backend(client, link['name'], contents=LINKED_CONTENTS), '', lambda sub: link_where(params)
    where = link_where(params, link['index'])
    remote = RemoteCluster(params, link['cluster'], where + '.cluster', warn=module.warn)
    found = remote.read(find_backend, link['name'], contents=LINKED_CONTENTS)
    if found is None or found.get('alba_backend') is None:
        others = sorted(n for n in remote.read(backend_names).values() if n)
        raise AlbaError('{0}.name: {1!r} - {2} has no ALBA backend {1}; allowed: one of its backends: {3}'.format(
            where, link['name'], remote.text, ', '.join(others) or '(none)'))
    return found, ' of ' + remote.text, lambda sub: '{0}.{1}'.format(where, sub)


def resolve_links(module, client, params, wanted, check_mode):
    """``{index: alba_backend dict or None}`` of the wanted links, validated (remote ones through their API)."""
    resolved = {}
    for link in wanted:
        name, preset, remote = link['name'], link['preset'], bool(link.get('cluster'))
        found, origin, option = find_linked(module, client, params, link)
        alba_backend = (found or {}).get('alba_backend')
        if alba_backend is None:
            if check_mode:
                module.warn('{0}: ALBA backend {1} does not exist; assuming an earlier task creates '
                            'it'.format(link_where(params), name))
                resolved[link['index']] = None
                continue
            raise AlbaError('{0}: ALBA backend {1} does not exist'.format(link_where(params), name))
        if alba_backend.get('scaling') != 'LOCAL':
            raise AlbaError('{0}: {1}{2} has scaling {3}; only LOCAL backends are linked by this '
                            'module'.format(option('name'), name, origin, alba_backend.get('scaling')))
        status = found['backend'].get('status')
        if status != 'RUNNING' or not alba_backend.get('alba_id'):
            raise AlbaError('{0}: ALBA backend {1}{2} is not running (status {3})'.format(
                option('name'), name, origin, status))
        presets = dict((p.get('name'), p) for p in alba_backend.get('presets') or [] if isinstance(p, dict))
        if preset not in presets:
            raise AlbaError('{0}: ALBA backend {1}{2} has no preset {3}; it has: {4}'.format(
                option('preset'), name, origin, preset, ', '.join(sorted(presets)) or '(none)'))
        if not presets[preset].get('is_available'):
            message = ('{0}: preset {1} of ALBA backend {2}{3} is not available (too few OSDs are claimed for any of '
                       'its policies); claim ASDs {4}'.format(option('preset'), preset, name, origin,
                                                              'on that cluster first' if remote else 'first (alba_node)'))
            if not check_mode or remote:
                raise AlbaError(message)
            module.warn(message)
        resolved[link['index']] = alba_backend
    return resolved


def matching_link(links, link):
    """Guid of the current link that the wanted ``link`` names (its name, and the address of its cluster), or None."""
    for guid, current in links.items():
        if current['name'] == link['name'] and current.get('remote_host') in link['hosts']:
            return guid
    return None


# remote_stack ``error`` of a link (AlbaBackend._remote_stack reads the linked backend through its cluster's API)
REMOTE_STACK_ERRORS = {
    'unknown': 'its API cannot be reached',
    'not_allowed': 'its API refuses the API client of the link',
    'backend_deleted': 'its API no longer knows the linked backend',
}


def warn_unchecked(module, params, links, matched):
    """Warn about each kept link to a backend of another cluster that this cluster's framework cannot read now
    (its ``remote_stack`` entry carries an error): the link stays as it is, nothing of it is checked."""
    for guid, link in sorted(matched.items(), key=lambda item: item[1]['index']):
        error = links[guid].get('error')
        if not link.get('cluster') or not error:
            continue
        module.warn('{0}: the link of ALBA backend {1} of the remote cluster at {2}:{3} into {4} is kept as it is: '
                    '{5} (remote_stack error {6!r}, live_status {7}), so the state of {1} there, its preset {8} and '
                    'the client credentials of the link could not be checked; rerun when that cluster answers'.format(
                        link_where(params, link['index']), link['name'], link['cluster']['api_host'],
                        link['cluster']['api_port'], params['name'],
                        REMOTE_STACK_ERRORS.get(error, 'reading it through its API failed'), error,
                        links[guid].get('live_status'), link['preset']))


def sync_links(module, client, params, found, names):
    """Link/unlink; returns (changed, before labels, after labels)."""
    alba_backend = found['alba_backend']
    links = direct_links(alba_backend, names)
    labels = dict((guid, link_label(link['name'], link['remote_host'])) for guid, link in links.items())
    wanted = wanted_links(params)
    matched = {}
    for link in wanted:
        guid = matching_link(links, link)
        if guid is None:
            continue
        matched[guid] = link
        have = links[guid].get('preset')
        if have is not None and have != link['preset']:
            raise AlbaError('{0}.preset: the preset of the link of {1} into {2} cannot be changed in place '
                            '(current {3}, wanted {4}); unlink it first (leave it out of {5}), then link '
                            'it again'.format(link_where(params, link['index']), labels[guid], params['name'], have,
                                              link['preset'], link_where(params)))
    warn_unchecked(module, params, links, matched)
    to_unlink = sorted((guid for guid in links if guid not in matched), key=lambda guid: labels[guid])
    to_link = [link for link in wanted if matching_link(links, link) is None]
    before = sorted(labels.values())
    if not to_unlink and not to_link:
        return False, before, before
    resolved = resolve_links(module, client, params, to_link, module.check_mode)
    after = sorted([labels[guid] for guid in matched] + [new_label(link) for link in to_link])
    if module.check_mode:
        return True, before, after
    guid = alba_backend['guid']
    for linked_guid in to_unlink:
        task = client.post('alba/backends/{0}/unlink_alba_backends'.format(guid), dict(linked_guid=linked_guid))
        client.wait_for_task(task, timeout=params['task_timeout'])
    for link in to_link:
        metadata = link_metadata(params, link, resolved[link['index']])
        result = link_alba_backend(client, guid, metadata, params['task_timeout'])
        if result is False:
            raise AlbaError('{0}: ALBA backend {1} could not be linked: it is decommissioned in '
                            '{2}'.format(link_where(params, link['index']), new_label(link), params['name']))
    return True, before, after


def present(module, client):
    params = module.params
    name, scaling = params['name'], params['scaling']
    found = find_backend(client, name, contents=ALBA_BACKEND_CONTENTS)
    changed = False
    diff_before, diff_after = {}, {}
    if found is not None and found.get('alba_backend') is not None:
        have = found['alba_backend'].get('scaling')
        if have != scaling:
            raise AlbaError('ALBA backend {0}: scaling cannot be changed in place (current {1}, wanted {2}); '
                            'remove the backend and create it again'.format(name, have, scaling))
        status = found['backend'].get('status')
        if status == 'FAILURE':
            raise AlbaError('ALBA backend {0} is in status FAILURE (its deployment failed); remove it '
                            '(state=absent) and create it again'.format(name))
        if status == 'INSTALLING' and not module.check_mode and (params['wait'] or params['linked_backends']):
            wait_backend_running(client, found['backend']['guid'], name, params['task_timeout'])
            found = find_backend(client, name, contents=ALBA_BACKEND_CONTENTS)
    else:
        changed = True
        diff_after = dict(name=name, scaling=scaling)
        if params['linked_backends'] is not None:
            diff_after['linked_backends'] = sorted(new_label(link) for link in params['linked_backends'])
        if module.check_mode:
            if params['linked_backends']:
                resolve_links(module, client, params, wanted_links(params), True)
            backend = dict(guid=(found or {}).get('backend', {}).get('guid'), alba_backend_guid=None, name=name,
                           scaling=scaling, status='RUNNING', presets=['default'],
                           linked_backends=diff_after.get('linked_backends', []),
                           osds=len(params['linked_backends'] or []))
            return dict(changed=True, backend=backend, diff=dict(before={}, after=diff_after))
        if params['linked_backends']:
            # validate what can be validated before anything is created
            resolve_links(module, client, params, wanted_links(params), False)
        if found is None:
            backend = client.post('backends', dict(name=name, backend_type_guid=alba_backend_type_guid(client)))
        else:
            backend = found['backend']  # a backend left over by an interrupted creation
            if backend.get('backend_type_guid') != alba_backend_type_guid(client):
                raise AlbaError('Backend {0} exists and is not of type alba'.format(name))
        client.post('alba/backends', dict(backend_guid=backend['guid'], scaling=scaling))
        if params['wait'] or params['linked_backends']:
            wait_backend_running(client, backend['guid'], name, params['task_timeout'])
        found = find_backend(client, name, contents=ALBA_BACKEND_CONTENTS)
        if found is None or found.get('alba_backend') is None:
            raise AlbaError('ALBA backend {0} is not listed after its creation'.format(name))

    names = backend_names(client)
    if params['linked_backends'] is not None and not changed:
        links_changed, before, after = sync_links(module, client, params, found, names)
        if links_changed:
            changed = True
            diff_before = dict(name=name, linked_backends=before)
            diff_after = dict(name=name, linked_backends=after)
            if module.check_mode:
                result = backend_summary(found, names)
                result['linked_backends'] = after
                return dict(changed=True, backend=result, diff=dict(before=diff_before, after=diff_after))
    elif params['linked_backends'] and changed:
        sync_links(module, client, params, found, names)
    if changed:
        names = backend_names(client)
        found = dict(backend=read_backend_object(client, found['backend']['guid']),
                     alba_backend=read_alba_backend(client, found['alba_backend']['guid'], ALBA_BACKEND_CONTENTS))
    return dict(changed=changed, backend=backend_summary(found, names), diff=dict(before=diff_before, after=diff_after))


def absent(module, client):
    params = module.params
    name = params['name']
    found = find_backend(client, name, contents=ALBA_BACKEND_CONTENTS)
    if found is None:
        return dict(changed=False, backend={}, diff=dict(before={}, after={}))
    alba_backend = found.get('alba_backend')
    if alba_backend is None:
        raise AlbaError('Backend {0} exists but has no ALBA backend (an interrupted creation); it cannot be removed '
                        'through the ALBA API - create it (state=present) and remove it then'.format(name))
    names = backend_names(client)
    blockers = []
    vpools = vpools_using(client, alba_backend['guid'])
    if vpools:
        blockers.append('vPools use it: {0}'.format(', '.join(vpools)))
    linked = linked_labels(alba_backend, names)
    if linked:
        blockers.append('backends are linked into it: {0} (unlink them with linked_backends: [])'.format(
            ', '.join(linked)))
    osds = len(alba_backend.get('osds_guids') or []) - len(linked)
    if osds > 0:
        blockers.append('it still has {0} claimed OSD(s) (remove them from the backend first)'.format(osds))
    parents = [other.get('name') for other in list_alba_backends(client, 'name,remote_stack,linked_backend_guids')
               if isinstance(other, dict) and other.get('guid') != alba_backend['guid']
               and alba_backend['guid'] in direct_links(other)]
    if parents:
        blockers.append('it is linked into the GLOBAL backend(s) {0}'.format(', '.join(sorted(parents))))
    if blockers:
        raise AlbaError('Cannot remove ALBA backend {0}: {1}'.format(name, '; '.join(blockers)))
    before = backend_summary(found, names)
    diff = dict(before=dict(name=name, scaling=before['scaling']), after={})
    if not module.check_mode:
        task = client.delete('alba/backends/{0}'.format(alba_backend['guid']))
        client.wait_for_task(task, timeout=params['task_timeout'])
        if find_backend_object(client, name) is not None:
            status = backend_status(client, found['backend']['guid'])
            raise AlbaError('ALBA backend {0} still exists after its removal (status {1})'.format(name, status))
    return dict(changed=True, backend={}, diff=diff)


def run(module, client):
    if module.params['state'] == 'absent':
        return absent(module, client)
    return present(module, client)


def main():
    run_api_module(argument_spec(), run, refusals=(AlbaError,), validate=validate)


if __name__ == '__main__':
    main()
