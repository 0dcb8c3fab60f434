# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data safety of removing OSDs from ALBA backends (shared by alba_osd_safety and alba_node).

The API computes the safety of removing ONE OSD (``calculate_safety``); the safety of removing
several OSDs at once (a whole disk, a whole node) only comes from the ``alba`` CLI on a
controller::

    alba get-disk-safety --config=<ABM config URL> --to-json --include-decommissioning-as-dead
                         --long-id=<id> [--long-id=<id> ...]

which answers, per namespace, its ``safety`` (the number of further disks it may lose; None when
the namespace holds no object). The framework (AlbaController.calculate_safety) counts a
namespace *good* when the safety is None or > 0, *critical* when it is 0 (no spare fragment
left: one more lost disk loses data) and *lost* when it is < 0; an OSD the ALBA manager does
not know (``unknown osd <id>``) is left out and the call repeated. OSDs being purged count as
dead in ALBA itself, so a removal started earlier is taken into account until maintenance has
repaired its namespaces.

A removal is refused when it loses data (lost > 0), and when it brings data at risk
(critical > 0) unless the caller allows that (``allow: at_risk``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

from ansible.module_utils.six.moves import configparser
from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba import AlbaError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import OvsCommandError

CACC_INI = '/opt/OpenvStorage/config/arakoon_cacc.ini'
SAFETY_KEYS = ('good', 'critical', 'lost')
ALLOW_CHOICES = ('none', 'at_risk')
_UNKNOWN_OSD = re.compile(r'unknown osd ([^\s"\\)]+)')


def cacc_cluster_id(path=None):
    """Cluster id of the configuration store from its client file; AlbaError when unreadable."""
    path = path or CACC_INI
    parser = configparser.ConfigParser()
    try:
        if parser.read(path):
            return parser.get('global', 'cluster_id').strip()
    except configparser.Error:
        pass
    raise AlbaError('{0} (the client file of the configuration store) is missing or has no [global] '
                    'cluster_id: the safety of a removal is read with the alba command on a controller; '
                    'run this task there (delegate_to the install master)'.format(path))


def abm_config_url(backend_name, cluster_id, ini=CACC_INI):
    """The ``alba --config`` URL of the ALBA manager (Arakoon cluster ``<backend>-abm``) of a backend."""
    return 'arakoon://{0}/ovs/arakoon/{1}-abm/config?ini={2}'.format(cluster_id, backend_name, quote(ini, safe=''))


def count_safety(namespaces):
    """``{good, critical, lost}`` of a ``get-disk-safety`` result (AlbaController.calculate_safety)."""
    result = dict((key, 0) for key in SAFETY_KEYS)
    for namespace in namespaces or []:
        safety = namespace.get('safety') if isinstance(namespace, dict) else None
        if safety is None or safety > 0:
            result['good'] += 1
        elif safety == 0:
            result['critical'] += 1
        else:
            result['lost'] += 1
    return result


def run_alba_json(runner, command, config_url, extra=()):
    """``alba <command> --config=<url> --to-json <extra>``: the ``result``; AlbaError with ALBA's message."""
    args = [command, '--config={0}'.format(config_url), '--to-json'] + list(extra)
    try:
        dummy, stdout, dummy = runner.run('alba', args, what='alba {0}'.format(command))
    except OvsCommandError as exc:
        raise AlbaError(exc.message)
    try:
        answer = json.loads(stdout)
    except ValueError:
        raise AlbaError('alba {0} printed no JSON: {1}'.format(command, (stdout or '').strip()[:200] or 'no output'))
    if not isinstance(answer, dict) or answer.get('success') is not True:
        error = (answer.get('error') if isinstance(answer, dict) else None) or {}
        raise AlbaError('alba {0} failed: {1}'.format(command, error.get('message', answer)))
    return answer.get('result')


def claimed_osds(runner, config_url, node_ids):
    """Long ids of the OSDs this ALBA claimed on the ASD nodes ``node_ids`` (``alba list-osds``)."""
    osds = run_alba_json(runner, 'list-osds', config_url) or []
    return sorted(o.get('long_id') for o in osds
                  if isinstance(o, dict) and o.get('node_id') in node_ids and o.get('long_id'))


def disk_safety(runner, config_url, long_ids):
    """(``{good, critical, lost}``, long ids the ALBA manager does not know) when ``long_ids`` go."""
    wanted = list(long_ids)
    unknown = []
    while True:
        extra = ['--include-decommissioning-as-dead'] + ['--long-id={0}'.format(i) for i in wanted]
        try:
            return count_safety(run_alba_json(runner, 'get-disk-safety', config_url, extra)), unknown
        except AlbaError as exc:
            match = _UNKNOWN_OSD.search(str(exc))
            if not match or match.group(1) not in wanted:
                raise
            wanted.remove(match.group(1))
            unknown.append(match.group(1))


def refusal(backend, osds, safety, allow):
    """Why removing ``osds`` from ``backend`` is refused (None when it is not)."""
    numbers = 'lost {0}, critical {1}, good {2} namespace(s)'.format(safety['lost'], safety['critical'],
                                                                     safety['good'])
    what = 'Removing OSD(s) {0} from ALBA backend {1}'.format(', '.join(osds), backend)
    if safety['lost'] > 0:
        return ('{0} would lose data ({1}): refused. Add ASDs to the backend, or bring back the OSDs that are '
                'down, and wait until the maintenance agents have repaired the namespaces (health check '
                'alba-disk-safety-test) before removing them'.format(what, numbers))
    if safety['critical'] > 0 and allow != 'at_risk':
        return ('{0} would bring data at risk ({1}; a critical namespace loses data with one more failed disk): '
                'refused. Wait until the maintenance agents have repaired earlier removals (health check '
                'alba-disk-safety-test) or add ASDs first; to remove them anyway allow at_risk'.format(what, numbers))
    return None


def evaluate_removal(runner, osds_by_backend, allow, cluster_id=None):
    """(results, refusals) of removing, per backend, all its listed OSDs at once.

    ``osds_by_backend``: ``{backend name: [long id, ...]}``. ``results``: ``{backend name: {good,
    critical, lost, osds, unknown}}`` (``unknown``: long ids the ALBA manager does not know, left
    out); ``refusals``: the texts of :func:`refusal`.
    """
    if cluster_id is None:
        cluster_id = cacc_cluster_id()
    results = {}
    refusals = []
    for backend in sorted(osds_by_backend):
        osds = sorted(set(osds_by_backend[backend]))
        if not osds:
            continue
        safety, unknown = disk_safety(runner, abm_config_url(backend, cluster_id), osds)
        results[backend] = dict(safety, osds=osds, unknown=unknown)
        known = [o for o in osds if o not in unknown]
        text = refusal(backend, known, safety, allow) if known else None
        if text:
            refusals.append(text)
    return results, refusals


def check_removal(runner, osds_by_backend, allow, cluster_id=None):
    """:func:`evaluate_removal`'s results; AlbaError naming every refusal."""
    results, refusals = evaluate_removal(runner, osds_by_backend, allow, cluster_id)
    if refusals:
        raise AlbaError('; '.join(refusals))
    return results
