#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_update
short_description: Report or run the framework's update of a whole Open vStorage cluster
version_added: 0.1.0
description:
  - Reads what an update of the cluster would do through the framework API (any storage router serves it),
    C(refresh_package_information) (apt candidates re-read on every node, unless O(refresh=false)),
    C(get_update_metadata) of every storage router (C(at) works, reachable, update ongoing),
    C(merge_package_information) (installed and candidate version per node, component and package, for the storage
    routers and the ASD nodes) and C(get_update_information) (downtime and prerequisites per component).
  - With O(state=checked) it only reports; it changes nothing.
  - With O(state=updated) it refuses, before anything changes and naming the reason, when an update is ongoing,
    a storage router is unreachable or C(at) does not work on it, a prerequisite of a component to update is
    listed (a node down, an ALBA node that does not answer), a package would be downgraded, or downtime is listed
    and O(accept_downtime=false) (the message lists the downtime). Then it starts the update
    (C(POST update_components), which runs C(ovs update <components>) in the background), waits until no update
    is ongoing and the packages are at their candidate, reads the outcome from C(/var/log/ovs/update.log) when
    the file is on this host and fails with its text when the update failed.
  - The framework updates every node at once (it supports no mixed versions); its API and workers are down while the
    update runs; the module polls through that.
  - A cluster whose packages are at their candidate reports C(changed=false).
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.ovs_api
  - openvstorage.hyperscale.attributes
options:
  state:
    description:
      - V(checked) reports; V(updated) updates the components that have packages to update.
    type: str
    choices: [checked, updated]
    default: checked
  components:
    description:
      - The components to update; the framework knows V(framework), V(storagedriver) and V(alba).
    type: list
    elements: str
    default: [framework, storagedriver, alba]
  accept_downtime:
    description:
      - Update even when the framework lists downtime (vPools, backends or the model unavailable for a while).
    type: bool
    default: false
  refresh:
    description: Ask the framework to re-read the apt candidates of every node before reading them.
    type: bool
    default: true
  task_timeout:
    description:
      - Seconds to wait for the end of the update (and for the task that starts it).
      - The name C(timeout) is deprecated (removed in 2.0.0 of the collection); it still works, with a
        deprecation warning.
    type: int
    default: 3600
    aliases: [timeout]
  poll_interval:
    description: Seconds between two looks at the update while it runs.
    type: int
    default: 10
  update_log:
    description:
      - The framework's update log on this host; its lines written during this run tell the outcome.
      - When it is not on this host (the update ran on another master), the outcome is judged from the versions.
    type: path
    default: /var/log/ovs/update.log
notes:
  - Run it on the master the API is reached on (the playbooks delegate it to the install master), so that the
    update log of the run can be read.
  - Gate the update on the health check (M(openvstorage.hyperscale.ovs_healthcheck)) before and after;
    C(playbooks/upgrade.yml) does.
seealso:
  - module: openvstorage.hyperscale.ovs_local_update
  - module: openvstorage.hyperscale.ovs_healthcheck
'''

EXAMPLES = r'''
- name: What an update would do
  openvstorage.hyperscale.ovs_update:
    api_host: 172.30.250.11
    api_username: admin
    api_password: "{{ ovs_api_password }}"
  register: ovs_update_report

- name: Update the whole cluster, vPools unavailable for a while
  openvstorage.hyperscale.ovs_update:
    api_host: 172.30.250.11
    api_username: admin
    api_password: "{{ ovs_api_password }}"
    state: updated
    accept_downtime: true
    task_timeout: 7200
'''

RETURN = r'''
metadata:
  description: C(get_update_metadata) of every storage router, by name.
  returned: always
  type: dict
  sample: {ctl01: {at_ok: true, reachable: true, update_ongoing: false}}
packages:
  description: Installed and candidate version per node (IP) and package, for the components asked.
  returned: always
  type: dict
  sample: {172.30.250.11: {openvstorage: {installed: 2.7.20-1, candidate: 2.7.21-1}}}
components_pending:
  description: The components asked that have packages to update (before the update).
  returned: always
  type: list
  elements: str
downtime:
  description: The downtime the framework lists for the components asked, as texts.
  returned: always
  type: list
  elements: str
  sample: [vPool vpool01 will be unavailable]
prerequisites:
  description: The prerequisites not met for the components asked, as texts.
  returned: always
  type: list
  elements: str
  sample: ['framework: node ctl02 is down']
downgrades:
  description: The packages whose candidate is older than the installed version, as texts (refused by O(state=updated)).
  returned: always
  type: list
  elements: str
update_log:
  description: The lines the update wrote to O(update_log) during this run.
  returned: when the update ran
  type: list
  elements: str
'''

import os
import time

from ansible.module_utils.six import string_types

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsApiError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import (
    run_api_module,
    task_timeout_option,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_packages import (
    downgrades,
    pending,
    version_diff,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import run_action
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.storagerouter import list_storagerouters

COMPONENTS = ('framework', 'storagedriver', 'alba')
TASK_TIMEOUT = 600
SUCCESS_LINE = '+++ Finished updating +++'
FAILURE_LINES = ('Failed to update. Please check all the logs for more information',
                 'Not all prerequisites have been met to update component',
                 'Another update is currently in progress!')
# kind -> (text with the name the framework gives, text without a name)
DOWNTIME_TEXTS = {
    'gui': ('the GUI of {0} will be unavailable', 'the GUI will be unavailable'),
    'api': ('the API of {0} will be unavailable', 'the API will be unavailable'),
    'ovsdb': ('the framework model (ovsdb) will be unavailable', 'the framework model (ovsdb) will be unavailable'),
    'voldrv': ('vPool {0} will be unavailable', 'the vPools will be unavailable'),
    'proxy': ('the ALBA proxies of vPool {0} will restart', 'the ALBA proxies will restart'),
    'backend': ('Backend {0} will be unavailable', 'the ALBA backends will be unavailable'),
}
PREREQUISITE_TEXTS = {
    'node_down': ('node {0} is down', 'a node is down'),
    'alba_node_unresponsive': ('ALBA node {0} does not respond', 'an ALBA node does not respond'),
}


class UpdateError(Exception):
    """A refusal or a failed update; the text is the module's ``msg``."""


def argument_spec():
    return dict(
        state=dict(type='str', choices=['checked', 'updated'], default='checked'),
        components=dict(type='list', elements='str', default=list(COMPONENTS)),
        accept_downtime=dict(type='bool', default=False),
        refresh=dict(type='bool', default=True),
        task_timeout=task_timeout_option(3600, old_names=('timeout',)),
        poll_interval=dict(type='int', default=10),
        update_log=dict(type='path', default='/var/log/ovs/update.log'),
    )


def validate(params):
    errors = []
    unknown = [c for c in params['components'] if c not in COMPONENTS]
    if unknown:
        errors.append('components: {0} {1} not a component of the framework; allowed: {2}'.format(
            ', '.join(repr(c) for c in unknown), 'is' if len(unknown) == 1 else 'are', ', '.join(sorted(COMPONENTS))))
    if not params['components']:
        errors.append('components: an empty list is not allowed; allowed: {0}'.format(', '.join(sorted(COMPONENTS))))
    for name in ('task_timeout', 'poll_interval'):
        if params[name] < 1:
            errors.append('{0}: {1} is not allowed; allowed is an integer of at least 1'.format(name, params[name]))
    return errors


def item_text(texts, item):
    """The text of one ``[kind, name|null]`` item of the update information."""
    kind, name = (list(item) + [None, None])[:2]
    named, unnamed = texts.get(kind, ('{0} {{0}}'.format(kind), str(kind)))
    return named.format(name) if name else unnamed


def call(client, router_guid, action, timeout):
    """``GET storagerouters/<guid>/<action>/``; a task id is waited for (the framework answers with tasks)."""
    answer = client.get('storagerouters/{0}/{1}'.format(router_guid, action))
    if isinstance(answer, string_types) and answer:
        return client.wait_for_task(answer, timeout=timeout)
    return answer


def read_state(client, routers, components, refresh, timeout=TASK_TIMEOUT):
    """Metadata, version table and update information of the cluster, for ``components``."""
    guid = routers[0]['guid']
    if refresh:
        call(client, guid, 'refresh_package_information', timeout)
    metadata = dict((r.get('name') or r.get('ip'), call(client, r['guid'], 'get_update_metadata', timeout))
                    for r in routers)
    merged = call(client, guid, 'merge_package_information', timeout) or {}
    information = call(client, guid, 'get_update_information', timeout) or {}
    table, by_component = {}, {}
    for ip, node_components in merged.items():
        for component, packages in (node_components or {}).items():
            if component not in components or not isinstance(packages, dict):
                continue
            table.setdefault(ip, {}).update(packages)
            if pending({ip: packages}):
                by_component[component] = True
    return dict(metadata=metadata, table=table, information=information,
                components_pending=[c for c in components if by_component.get(c)],
                downtime=[item_text(DOWNTIME_TEXTS, i) for c in components
                          for i in (information.get(c) or {}).get('downtime') or []],
                prerequisites=['{0}: {1}'.format(c, item_text(PREREQUISITE_TEXTS, i)) for c in components
                               for i in (information.get(c) or {}).get('prerequisites') or []])


def metadata_refusal(metadata):
    """None, or the text refusing an update because of a storage router's metadata."""
    ongoing = sorted(n for n, m in metadata.items() if (m or {}).get('update_ongoing'))
    if ongoing:
        return 'Refusing to update: an update is ongoing (/etc/update_ongoing on {0}); wait for its end and read ' \
               '/var/log/ovs/update.log'.format(', '.join(ongoing))
    unreachable = sorted(n for n, m in metadata.items() if not (m or {}).get('reachable'))
    if unreachable:
        return 'Refusing to update: storage router(s) {0} cannot be reached by the framework; every node must be ' \
               'online for an update'.format(', '.join(unreachable))
    no_at = sorted(n for n, m in metadata.items() if not (m or {}).get('at_ok'))
    if no_at:
        return 'Refusing to update: the command at does not work on {0} (the update runs through it); install and ' \
               'start the at daemon there'.format(', '.join(no_at))
    return None


def refusal(state, accept_downtime):
    """None, or the text refusing the update (pure: the state read by :func:`read_state`)."""
    text = metadata_refusal(state['metadata'])
    if text:
        return text
    if state['prerequisites']:
        return 'Refusing to update: not all prerequisites have been met: {0}'.format('; '.join(state['prerequisites']))
    if state['downtime'] and not accept_downtime:
        return 'Refusing to update without accept_downtime: the update brings downtime: {0}'.format(
            '; '.join(state['downtime']))
    return None


def log_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return None


def log_lines(path, offset):
    """The lines written to the update log since ``offset`` (all of it after a rotation); None without a log."""
    size = log_size(path)
    if size is None:
        return None
    with open(path, 'rb') as handle:
        handle.seek(offset if offset is not None and offset <= size else 0)
        return handle.read().decode('utf-8', 'replace').splitlines()


def outcome(lines):
    """None (no result yet), or (ok, text) from the last result line of the update log."""
    for index in range(len(lines or []) - 1, -1, -1):
        line = lines[index]
        if SUCCESS_LINE in line:
            return True, line.strip()
        if any(marker in line for marker in FAILURE_LINES):
            errors = [entry.strip() for entry in lines[:index] if 'rror' in entry][-5:]
            return False, ' | '.join(errors + [line.strip()])
    return None


class Update(object):
    """Start the update and follow it until it ends (the API is down for a while during it)."""

    def __init__(self, module, client, routers, components, sleep=None, now=None):
        self.module, self.client, self.routers, self.components = module, client, routers, components
        self.sleep, self.now = sleep or time.sleep, now or time.time
        self.path = module.params['update_log']
        self.offset = None

    def start(self):
        self.offset = log_size(self.path)
        run_action(self.client, 'storagerouters/{0}/update_components'.format(self.routers[0]['guid']),
                   dict(components=self.components), timeout=self.module.params['task_timeout'])

    def poll(self):
        """(ongoing, packages pending) through the API, or None while it does not answer."""
        try:
            # the workers are down for a while during the update: a task that does not end is a failed look
            state = read_state(self.client, self.routers, self.components, refresh=False,
                               timeout=max(30, 3 * self.module.params['poll_interval']))
        except OvsApiError:
            return None
        ongoing = any((m or {}).get('update_ongoing') for m in state['metadata'].values())
        return ongoing, bool(pending(state['table']))

    def wait(self):
        """The outcome read from the update log (None when this host has no log of the run)."""
        deadline = self.now() + self.module.params['task_timeout']
        seen_ongoing = False
        while True:
            self.sleep(self.module.params['poll_interval'])
            result = outcome(log_lines(self.path, self.offset))
            if result is not None:
                return result
            polled = self.poll()
            if polled is not None:
                ongoing, left = polled
                if not ongoing and (seen_ongoing or not left):
                    return outcome(log_lines(self.path, self.offset))
                seen_ongoing = seen_ongoing or ongoing
            if self.now() >= deadline:
                raise UpdateError('The update of {0} did not end within {1} s; look at /var/log/ovs/update.log on '
                                  'the masters'.format(', '.join(self.components), self.module.params['task_timeout']))


def report(state):
    return dict(metadata=state['metadata'], packages=state['table'], components_pending=state['components_pending'],
                downtime=state['downtime'], prerequisites=state['prerequisites'], downgrades=downgrades(state['table']))


def update(module, client, routers, state):
    """Run the update of the pending components; the result, or UpdateError with the log's text."""
    components = state['components_pending']
    follow = Update(module, client, routers, components)
    follow.start()
    result = follow.wait()
    lines = log_lines(follow.path, follow.offset) or []
    if result is not None and not result[0]:
        raise UpdateError('The update of {0} failed: {1}'.format(', '.join(components), result[1]))
    after = read_state(client, routers, module.params['components'], refresh=True)
    left = pending(after['table'])
    if left:
        raise UpdateError('The update of {0} ended but packages are not at their candidate: {1}'.format(
            ', '.join(components), '; '.join('{0} {1} {2} -> {3}'.format(ip, name, v.get('installed'), v.get('candidate'))
                                             for ip in sorted(left) for name, v in sorted(left[ip].items()))))
    return dict(report(state), changed=True, diff=version_diff(pending(state['table'])), update_log=lines,
                msg='Updated {0}: {1}'.format(', '.join(components), result[1] if result else 'packages at candidate'))


def run(module, client):
    params = module.params
    routers = list_storagerouters(client, 'name,ip,node_type')
    if not routers:
        raise UpdateError('No storage router in the cluster: nothing to update')
    state = read_state(client, routers, params['components'], params['refresh'])
    result = dict(report(state), changed=False)
    if params['state'] == 'checked':
        return dict(result, diff=version_diff(pending(state['table'])))
    if result['downgrades']:
        raise UpdateError('Refusing to update: packages would be downgraded: {0}'.format(
            '; '.join(result['downgrades'])))
    if not state['components_pending']:
        return dict(result, msg='Nothing to update: the packages of {0} are at their candidate'.format(
            ', '.join(params['components'])))
    text = refusal(state, params['accept_downtime'])
    if text:
        raise UpdateError(text)
    if module.check_mode:
        return dict(result, changed=True, diff=version_diff(pending(state['table'])))
    return update(module, client, routers, state)


def main():
    run_api_module(argument_spec(), run, refusals=(UpdateError,), validate=validate)


if __name__ == '__main__':
    main()
