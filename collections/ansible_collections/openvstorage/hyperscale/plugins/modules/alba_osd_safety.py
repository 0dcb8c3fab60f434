#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: alba_osd_safety
short_description: Check that OSDs can leave their ALBA backends together without losing data
version_added: 0.1.0
description:
  - Computes, per ALBA backend, the data safety of removing ALL the given OSDs at once (a whole disk's ASDs,
    a whole storage node) with C(alba get-disk-safety --include-decommissioning-as-dead --long-id=<id> ...) on a
    controller, against the backend's ALBA manager (C(arakoon://<cluster id>/ovs/arakoon/<backend>-abm/config)).
  - Counts the namespaces as the framework does (C(AlbaController.calculate_safety)) - C(good) when their safety
    is unknown or above 0, C(critical) at 0 (one more lost disk loses data), C(lost) below 0.
  - Fails, naming the backend, the OSDs, the numbers and what to do, when the removal would lose data
    (C(lost) > 0, always refused) or bring data at risk (C(critical) > 0, refused unless O(allow=at_risk)).
  - Only reads; never changes anything. OSDs being purged count as dead in ALBA, so an earlier removal is taken
    into account until the maintenance agents have repaired its namespaces.
  - The framework API (C(calculate_safety)) only answers for one OSD at a time; this module is the check before a
    removal of several. The O(openvstorage.hyperscale.alba_node#module:state=absent) and
    O(openvstorage.hyperscale.alba_node#module:remove_disks) options of C(alba_node) run the same check themselves.
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.attributes
options:
  backends:
    description:
      - Names of the ALBA backends to check.
      - Empty means every backend whose ALBA manager cluster (C(<backend>-abm)) is listed under C(/ovs/arakoon) in
        the configuration store (C(ovs config list /ovs/arakoon)).
    type: list
    elements: str
    default: []
  osds:
    description:
      - Long ids of the OSDs that would go (for an ASD, its ASD id). An OSD a backend does not know is left out of
        that backend's check.
    type: list
    elements: str
    default: []
  node_ids:
    description:
      - Ids of ASD nodes that would go (C(/etc/openvstorage_sdm_id), the C(node_id) of C(ovs_asd_manager)); every
        OSD a backend claimed on them is added (from C(alba list-osds)).
    type: list
    elements: str
    default: []
  allow:
    description:
      - V(none) refuses a removal that brings data at risk (a critical namespace); V(at_risk) accepts it.
      - A removal that loses data is always refused.
    type: str
    choices: [none, at_risk]
    default: none
notes:
  - Runs on a controller (the C(alba) command and C(/opt/OpenvStorage/config/arakoon_cacc.ini)); use
    C(delegate_to) the install master from a play on other hosts.
  - One of O(osds) and O(node_ids) is required.
seealso:
  - module: openvstorage.hyperscale.alba_node
'''

EXAMPLES = r'''
- name: Can both ASDs of sdc on str01 go?
  openvstorage.hyperscale.alba_osd_safety:
    backends: [local-be1]
    osds:
      - 0f2c8a4b6d1e4c3aa1b2c3d4e5f60718
      - 7d9e0a1b2c3d4e5f60718293a4b5c6d7
  delegate_to: ctl01

- name: Can the whole storage node go, from every backend? (data at risk accepted)
  openvstorage.hyperscale.alba_osd_safety:
    node_ids: ["{{ asd_node_id }}"]
    allow: at_risk
  delegate_to: ctl01
'''

RETURN = r'''
backends:
  description:
    - Per checked backend with OSDs to remove, the numbers of namespaces C(good), C(critical) and C(lost) after
      the removal, the OSD long ids C(osds) checked and those the backend does not know (C(unknown), left out).
    - Also returned when the check fails.
  returned: always
  type: dict
  sample: {"local-be1": {"good": 3, "critical": 0, "lost": 0, "osds": ["0f2c8a4b6d1e4c3aa1b2c3d4e5f60718"],
           "unknown": []}}
at_risk:
  description: Whether a checked backend would have a critical namespace (only true with O(allow=at_risk)).
  returned: success
  type: bool
  sample: false
'''

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import AlbaError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba_safety import (
    ALLOW_CHOICES,
    abm_config_url,
    cacc_cluster_id,
    claimed_osds,
    evaluate_removal,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_module import run_node_module

ABM_SUFFIX = '-abm'


def argument_spec():
    return dict(
        backends=dict(type='list', elements='str', default=[]),
        osds=dict(type='list', elements='str', default=[]),
        node_ids=dict(type='list', elements='str', default=[]),
        allow=dict(type='str', choices=list(ALLOW_CHOICES), default='none'),
    )


def validate(params):
    errors = []
    if not params['osds'] and not params['node_ids']:
        errors.append('osds: [] and node_ids: [] - allowed: at least one OSD long id or ASD node id to check')
    for option in ('backends', 'osds', 'node_ids'):
        for index, value in enumerate(params[option]):
            if not value or not value.strip():
                errors.append('{0}[{1}]: {2!r} - allowed: a non-empty name or id'.format(option, index, value))
    return errors


def discover_backends(runner):
    """Backend names of the ALBA manager clusters ``<backend>-abm`` in the configuration store."""
    names = [n.strip('/') for n in runner.config_list('/ovs/arakoon')]
    return sorted(n[:-len(ABM_SUFFIX)] for n in names if n.endswith(ABM_SUFFIX) and len(n) > len(ABM_SUFFIX))


def osds_to_check(runner, params, backends, cluster_id):
    """``{backend: [long ids]}``: the given OSDs and every OSD the backend claimed on the given nodes."""
    plan = {}
    for backend in backends:
        osds = list(params['osds'])
        if params['node_ids']:
            osds.extend(claimed_osds(runner, abm_config_url(backend, cluster_id), params['node_ids']))
        plan[backend] = osds
    return plan


def run(module, runner):
    params = module.params
    backends = params['backends'] or discover_backends(runner)
    if not backends:
        raise AlbaError('No ALBA backend found: the configuration store lists no <backend>-abm cluster under '
                        '/ovs/arakoon; name the backends to check with backends')
    cluster_id = cacc_cluster_id()
    plan = osds_to_check(runner, params, backends, cluster_id)
    results, refusals = evaluate_removal(runner, plan, params['allow'], cluster_id)
    for osd in params['osds']:
        if all(osd in result['unknown'] for result in results.values()):
            module.warn('OSD {0} is claimed by none of the ALBA backends {1}; it is left out of the check'.format(
                osd, ', '.join(backends)))
    if refusals:
        module.fail_json(msg='; '.join(refusals), backends=results)
    return dict(changed=False, backends=results, at_risk=any(r['critical'] > 0 for r in results.values()))


def main():
    run_node_module(argument_spec(), run, refusals=(AlbaError,), validate=validate)


if __name__ == '__main__':
    main()
