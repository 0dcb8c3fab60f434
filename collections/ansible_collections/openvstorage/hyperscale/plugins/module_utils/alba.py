# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ALBA backends and their presets: found through the framework API and rendered (alba_backend,
alba_preset, alba_node, ovs_vpool and ovs_cluster_info).

* backend lookup by name: the generic backend with its ALBA backend (``GET /api/backends/`` +
  ``GET /api/alba/backends/<guid>/``, :func:`find_backend`), or an ALBA backend of the list of ALBA
  backends (``GET /api/alba/backends/`` + ``GET /api/alba/backends/<guid>/``, :func:`find_alba_backend`);
* presets as the API renders them (``policies`` as strings ``"(5, 4, 8, 3)"``, encryption
  ``[algorithm, key]``) turned into plain values, the key dropped;
* the preset rules of the framework (framework-alba-plugin ``ovs/lib/albapreset.py``), with
  its texts, checked before any call.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import time

from ansible.module_utils.six import string_types

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsTaskError
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import guid_names, named, pick

# Toolbox.regex_preset of the framework (also the rule for ALBA node names from API version 9).
PRESET_NAME_RE = re.compile(r'^[0-9a-zA-Z][a-zA-Z0-9-_]{1,18}[a-zA-Z0-9]$')
PRESET_NAME_RULE = ('3 to 20 characters: letters, digits, "-" and "_", starting and ending with a letter '
                    'or digit (regex ^[0-9a-zA-Z][a-zA-Z0-9-_]{1,18}[a-zA-Z0-9]$)')
COMPRESSIONS = ('snappy', 'bz2', 'none')
ENCRYPTIONS = ('aes-cbc-256', 'aes-ctr-256', 'none')
FRAGMENT_SIZE_MIN = 16
FRAGMENT_SIZE_MAX = 1024 ** 3
# AlbaPresetController.add_preset without fragment_size
DEFAULT_FRAGMENT_SIZE = 16 * 1024 ** 2
BACKEND_STATUSES_DONE = ('RUNNING', 'FAILURE')
_POLICY_TEXT = re.compile(r'^\s*[\(\[]\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*[\)\]]\s*$')

# Seconds between two reads of a backend's status while waiting (tests make it smaller).
POLL_INTERVAL = 2.0


class AlbaError(Exception):
    """A refusal or a failure of the module itself (not of the API)."""


# ------------------------------------------------------------------ presets
def parse_policy(value):
    """``"(5, 4, 8, 3)"`` / ``[5, 4, 8, 3]`` / ``(5, 4, 8, 3)`` -> ``[5, 4, 8, 3]``."""
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    if isinstance(value, string_types):
        match = _POLICY_TEXT.match(value)
        if match:
            return [int(v) for v in match.groups()]
    raise ValueError('Cannot read the policy {0!r}'.format(value))


def parse_policies(values):
    return [parse_policy(v) for v in values or []]


def policy_view(value):
    """A policy as results show it: ``[k, m, c, x]``, or what the API gave when that is not a policy."""
    try:
        return parse_policy(value)
    except ValueError:
        return value


def preset_from_api(entry):
    """A preset of ``GET /api/alba/backends/<guid>/`` (``presets``) as plain values, without the key: the one
    view of a preset (alba_preset shows it whole, ovs_cluster_info the fields of its RETURN)."""
    encryption = entry.get('fragment_encryption') or ['none']
    if isinstance(encryption, string_types):
        encryption = [encryption]
    return dict(
        name=entry.get('name'),
        policies=[policy_view(v) for v in entry.get('policies') or []],
        compression=entry.get('compression'),
        encryption=encryption[0] if encryption else 'none',
        fragment_size=entry.get('fragment_size'),
        in_use=bool(entry.get('in_use')),
        is_default=bool(entry.get('is_default')),
        is_available=bool(entry.get('is_available')),
    )


def find_preset(alba_backend, name):
    """The preset ``name`` of an ALBA backend read with ``presets`` (:func:`preset_from_api`), or None."""
    entry = named(alba_backend.get('presets'), name)
    return preset_from_api(entry) if entry is not None else None


def preset_name_error(name, option='name'):
    if not isinstance(name, string_types) or not PRESET_NAME_RE.match(name):
        return '{0}: {1!r} - Invalid preset name specified; allowed: {2}'.format(option, name, PRESET_NAME_RULE)
    return None


def normalise_policies(policies, option='policies'):
    """(policies as lists of ints, errors) with the framework's texts (_validate_policies_param).

    Integers given as strings (templated values) are taken as integers.
    """
    errors = []
    result = []
    if not policies:
        errors.append('{0}: {1!r} - At least 1 policy must be defined when adding/updating a preset; '
                      'allowed: a list of [k, m, c, x] lists'.format(option, policies))
        return result, errors
    for index, policy in enumerate(policies):
        where = '{0}[{1}]'.format(option, index)
        if not isinstance(policy, (list, tuple)) or len(policy) != 4:
            errors.append('{0}: {1!r} - Incorrect policy format specified; allowed: exactly 4 integers '
                          '[k, m, c, x] (data fragments, parity fragments, minimum fragments to write, '
                          'maximum fragments per node)'.format(where, policy))
            continue
        values = []
        for value in policy:
            if isinstance(value, bool):
                values = None
                break
            if isinstance(value, int):
                values.append(value)
            elif isinstance(value, string_types) and re.match(r'^\s*\d+\s*$', value):
                values.append(int(value))
            else:
                values = None
                break
        if values is None:
            errors.append('{0}: {1!r} - Policies for a preset should only contain integers'.format(where, list(policy)))
            continue
        k, m, c, x = values
        if k > c or c > (k + m):
            errors.append('{0}: {1} - Policy {1} does not match the requirement: k <= c <= (k + m)'.format(
                where, values))
            continue
        zero = [letter for letter, value in (('k', k), ('c', c), ('x', x)) if value == 0]
        if zero:
            errors.append('{0}: {1} - Policy {1} contains a zero {2} value; allowed: k, c and x of at least 1'.format(
                where, values, zero[0]))
            continue
        if m < 0:
            errors.append('{0}: {1} - m may not be negative'.format(where, values))
            continue
        result.append(values)
    return result, errors


def fragment_size_error(size, option='fragment_size'):
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, int) or not FRAGMENT_SIZE_MIN <= size <= FRAGMENT_SIZE_MAX:
        return ('{0}: {1!r} - Fragment size should be a positive integer smaller than 1 GiB; allowed: {2} to {3} '
                'bytes'.format(option, size, FRAGMENT_SIZE_MIN, FRAGMENT_SIZE_MAX))
    return None


# ----------------------------------------------------------------- backends
def alba_backend_type_guid(client):
    """Guid of the backend type with code ``alba`` (``GET /api/backendtypes/``)."""
    for backend_type in client.list('backendtypes', contents='name,code'):
        if isinstance(backend_type, dict) and backend_type.get('code') == 'alba':
            return backend_type['guid']
    raise AlbaError('The API has no backend type with code alba (GET /api/backendtypes/): '
                    'is the package openvstorage-backend installed on the controllers?')


# ``contents`` of a generic backend read: name and status are properties; alba_backend
# (alba_backend_guid) and backend_type (backend_type_guid) relations; linked_guid a cheap dynamic.
BACKEND_CONTENTS = 'name,status,alba_backend,backend_type,linked_guid'


def find_backend_object(client, name):
    """The generic backend (``GET /api/backends/``) called ``name``, or None."""
    return named(client.find('backends', 'name', name, contents=BACKEND_CONTENTS), name)


def read_backend_object(client, backend_guid, contents=BACKEND_CONTENTS):
    """``GET /api/backends/<guid>/`` with ``contents``."""
    return client.get('backends/{0}'.format(backend_guid), contents=contents)


def read_alba_backend(client, alba_backend_guid, contents):
    """``GET /api/alba/backends/<guid>/`` with ``contents``: its dynamics (presets, remote_stack, ...)
    ask the ALBA manager and the linked clusters, so a caller names only those it reads."""
    return client.get('alba/backends/{0}'.format(alba_backend_guid), contents=contents)


def find_backend(client, name, contents):
    """``{'backend': ..., 'alba_backend': ... or None}`` of the backend ``name``, or None.

    ``contents``: of the ALBA backend read (its properties alba_id and scaling always come).
    """
    backend = find_backend_object(client, name)
    if backend is None:
        return None
    guid = backend.get('alba_backend_guid') or backend.get('linked_guid')
    alba_backend = read_alba_backend(client, guid, contents) if guid else None
    return dict(backend=backend, alba_backend=alba_backend)


def list_alba_backends(client, contents='name'):
    """``GET /api/alba/backends/`` with ``contents`` (name: the list alone, no dynamic computed)."""
    return client.list('alba/backends', contents=contents)


def find_alba_backend(client, name, contents, backends=None):
    """The ALBA backend ``name`` of ``backends`` (:func:`list_alba_backends`, read when None) read with
    ``contents`` (``GET /api/alba/backends/<guid>/``), or None."""
    if backends is None:
        backends = list_alba_backends(client)
    found = named(backends, name)
    return read_alba_backend(client, found['guid'], contents) if found is not None else None


def backend_names(client):
    """``{alba_backend_guid: name}`` of every ALBA backend."""
    return guid_names(list_alba_backends(client, 'name,scaling'))


def backend_status(client, backend_guid):
    return (read_backend_object(client, backend_guid, 'status') or {}).get('status')


def wait_backend_running(client, backend_guid, name, timeout, sleep=None, clock=None):
    """Poll the backend until RUNNING; AlbaError on FAILURE or after ``timeout`` seconds."""
    sleep = sleep or time.sleep
    clock = clock or time.time
    deadline = clock() + timeout
    status = None
    while True:
        status = backend_status(client, backend_guid)
        if status == 'RUNNING':
            return status
        if status == 'FAILURE':
            raise AlbaError('ALBA backend {0} ended in status FAILURE while its ABM/NSM Arakoon clusters and '
                            'maintenance agents were deployed (does a master have a partition with the DB role?); '
                            'look at the ovs-workers logs, remove it (state=absent) and create it again'.format(name))
        if clock() >= deadline:
            raise AlbaError('ALBA backend {0} is not RUNNING after {1} s (status {2}); raise task_timeout or look '
                            'at the ovs-workers logs of the masters'.format(name, timeout, status))
        sleep(POLL_INTERVAL)


# The framework deploys the maintenance agents of a new backend after it is RUNNING, in the background
# (checkup_maintenance_agents); a link sent before that fails in the task's validation and changes nothing.
NO_MAINTENANCE = 'No maintenance agents have been deployed'


def link_alba_backend(client, backend_guid, metadata, timeout, sleep=None, clock=None):
    """``link_alba_backends`` of one backend into ``backend_guid``: the task's result; sent again every POLL_INTERVAL
    while the task fails only because the agents of the backend are not deployed yet (for ``timeout`` s at most)."""
    sleep = sleep or time.sleep
    clock = clock or time.time
    deadline = clock() + timeout
    while True:
        task = client.post('alba/backends/{0}/link_alba_backends'.format(backend_guid), dict(metadata=metadata))
        try:
            return client.wait_for_task(task, timeout=timeout)
        except OvsTaskError as exc:
            if NO_MAINTENANCE not in '{0} {1}'.format(exc.result, exc.message) or clock() >= deadline:
                raise
        sleep(POLL_INTERVAL)


def alba_backend_usable(found, name):
    """Fail unless the backend exists as an ALBA backend that runs."""
    if found is None:
        raise AlbaError('ALBA backend {0} does not exist; create it first with '
                        'openvstorage.hyperscale.alba_backend'.format(name))
    alba_backend = found.get('alba_backend')
    if alba_backend is None:
        raise AlbaError('Backend {0} exists but is not an ALBA backend (no alba_backend_guid)'.format(name))
    status = found['backend'].get('status')
    if status != 'RUNNING' or not alba_backend.get('alba_id'):
        raise AlbaError('ALBA backend {0} is not running (status {1}); wait until it is RUNNING '
                        '(alba_backend with wait=true)'.format(name, status))
    return alba_backend


def direct_links(alba_backend, names=None):
    """``{linked alba_backend_guid: {'name', 'preset', 'remote_host', 'error', 'live_status'}}`` of the backends linked
    straight into this one.

    From ``remote_stack`` (one entry per linked OSD of type ALBA_BACKEND, keyed by the linked
    backend's guid in the framework, carrying ``name``, ``preset``, ``remote_host`` - the host of the
    link's ``backend_connection_info`` - and ``local_ip``, whether that host is a storage router of
    this cluster; ``error`` what reading the linked backend through its cluster's API gave: '' (fine), ``unknown``
    (not reachable), ``not_allowed`` (client refused), ``backend_deleted``); else from ``linked_backend_guids``, which
    the framework computes recursively and with the backend itself. ``remote_host`` is None for a backend of this
    cluster.
    """
    names = names or {}
    own = alba_backend.get('guid')
    links = {}
    remote = alba_backend.get('remote_stack')
    if isinstance(remote, dict) and remote:
        for key, value in remote.items():
            if not isinstance(value, dict):
                continue
            guid = value.get('alba_backend_guid') or key
            remote_host = value.get('remote_host') if value.get('local_ip') is False else None
            links[guid] = dict(name=value.get('name') or names.get(guid, guid), preset=value.get('preset'),
                               remote_host=remote_host or None, error=value.get('error') or '',
                               live_status=value.get('live_status'))
        return links
    for guid in alba_backend.get('linked_backend_guids') or []:
        if guid != own:
            links[guid] = dict(name=names.get(guid, guid), preset=None, remote_host=None, error='', live_status=None)
    return links


def link_label(name, remote_host=None):
    """How results, diffs and reports name a link: the backend's name, ``<name>@<host>`` for one of another cluster."""
    return '{0}@{1}'.format(name, remote_host) if remote_host else name


def linked_labels(alba_backend, names=None):
    """Sorted labels (:func:`link_label`) of the backends linked straight into ``alba_backend``."""
    return sorted(link_label(link['name'], link['remote_host']) for link in direct_links(alba_backend, names).values())


def backend_summary(found, names):
    """A backend (``found``: of :func:`find_backend`) as alba_backend returns it: its guids, name, scaling,
    status, preset names, linked backends (labels) and number of OSDs."""
    backend, alba_backend = found['backend'], found.get('alba_backend') or {}
    return dict(guid=backend.get('guid'), alba_backend_guid=alba_backend.get('guid'), name=backend.get('name'),
                scaling=alba_backend.get('scaling'), status=backend.get('status'),
                presets=sorted(p.get('name') for p in alba_backend.get('presets') or [] if isinstance(p, dict)),
                linked_backends=linked_labels(alba_backend, names), osds=len(alba_backend.get('osds_guids') or []))


# ``contents`` of the list read of ovs_cluster_info's backends, and what backend_status adds: live_status asks every
# ASD node for its maintenance services and each linked backend for its summary; remote_stack names the backends
# linked into a GLOBAL one
BACKEND_VIEW_CONTENTS = 'name,alba_id,scaling,available,presets,osds,usages,backend'
BACKEND_STATUS_CONTENTS = 'live_status,remote_stack'
# what ovs_cluster_info shows of a preset
PRESET_VIEW_FIELDS = ('name', 'compression', 'fragment_size', 'is_available', 'is_default', 'in_use', 'policies')


def linked_backends_view(alba_backend, names):
    """``[{'guid', 'name', 'preset', 'remote_host'}]`` of the backends linked straight into ``alba_backend``."""
    links = direct_links(alba_backend, names)
    return sorted((dict(guid=guid, name=link.get('name'), preset=link.get('preset'), remote_host=link.get('remote_host'))
                   for guid, link in links.items()), key=lambda l: (l['name'], l['remote_host'] or '', l['guid']))


def backend_view(alba_backend, names=None):
    """An ALBA backend of :func:`list_alba_backends` (read with :data:`BACKEND_VIEW_CONTENTS`) as ovs_cluster_info
    shows it; with ``names`` ({alba_backend_guid: name}, the read adding :data:`BACKEND_STATUS_CONTENTS`) also its
    ``live_status`` and ``linked_backends``."""
    view = dict(guid=alba_backend['guid'], backend_guid=alba_backend.get('backend_guid'), name=alba_backend.get('name'),
                scaling=alba_backend.get('scaling'), alba_id=alba_backend.get('alba_id'),
                available=alba_backend.get('available'),
                presets=[pick(preset_from_api(p), PRESET_VIEW_FIELDS) for p in alba_backend.get('presets') or []],
                osds=list(alba_backend.get('osds_guids') or []), usages=alba_backend.get('usages') or {})
    if names is not None:
        view['live_status'] = alba_backend.get('live_status')
        view['linked_backends'] = linked_backends_view(alba_backend, names)
    return view
