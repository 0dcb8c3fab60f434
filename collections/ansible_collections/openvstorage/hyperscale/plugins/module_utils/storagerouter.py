# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared helpers of the storage modules (ovs_disk, ovs_domain, ovs_vpool, ovs_vdisk).

* storage router lookup by host name or IP (``GET /api/storagerouters/``);
* size parsing (``10GiB``, ``500MiB``, ``1TB``, ``4096``);
* tasks: an action answer that is a task id is waited for;
* :class:`StorageError`, a validation or refusal message for ``fail_json``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible.module_utils.six import string_types, integer_types

# ``contents`` of the storage router reads: name and ip are properties (always returned);
# partition_config, regular_domains and recovery_domains are dynamics, computed only when named.
ROUTER_CONTENTS = 'name,ip'

SIZE_UNITS = {
    '': 1, 'b': 1,
    'k': 1024, 'kib': 1024, 'kb': 1000,
    'm': 1024 ** 2, 'mib': 1024 ** 2, 'mb': 1000 ** 2,
    'g': 1024 ** 3, 'gib': 1024 ** 3, 'gb': 1000 ** 3,
    't': 1024 ** 4, 'tib': 1024 ** 4, 'tb': 1000 ** 4,
    'p': 1024 ** 5, 'pib': 1024 ** 5, 'pb': 1000 ** 5,
}
SIZE_PATTERN = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$')


class StorageError(Exception):
    """A validation failure or a refusal; the text is the module's ``msg``."""


def parse_size(value, option='size'):
    """Bytes of ``value``: an int, or a string with a unit (KiB/MiB/GiB/TiB/PiB binary,
    KB/MB/GB/TB/PB decimal, K/M/G/T/P binary, B or nothing for bytes)."""
    if isinstance(value, bool):
        raise StorageError('{0}: {1!r} is not a size; give bytes as an integer or a string such as '
                           '10GiB or 500MiB'.format(option, value))
    if isinstance(value, integer_types):
        size = value
    elif isinstance(value, float):
        size = int(value)
        if size != value:
            raise StorageError('{0}: {1!r} is not a whole number of bytes'.format(option, value))
    elif isinstance(value, string_types):
        match = SIZE_PATTERN.match(value)
        unit = match.group(2).lower() if match else None
        if not match or unit not in SIZE_UNITS:
            raise StorageError('{0}: {1!r} is not a size; give bytes as an integer or a number with a unit '
                               '(B, KiB, MiB, GiB, TiB, PiB, KB, MB, GB, TB, PB), e.g. 10GiB or 500MiB'
                               .format(option, value))
        number = float(match.group(1)) * SIZE_UNITS[unit]
        size = int(number)
        if size != number:
            raise StorageError('{0}: {1!r} is not a whole number of bytes'.format(option, value))
    else:
        raise StorageError('{0}: {1!r} is not a size'.format(option, value))
    if size <= 0:
        raise StorageError('{0}: {1!r} must be more than 0 bytes'.format(option, value))
    return size


def list_storagerouters(client, contents=ROUTER_CONTENTS):
    """``GET /api/storagerouters/`` with ``contents`` (what the caller reads besides name and ip)."""
    return client.list('storagerouters', contents=contents)


def find_storagerouter(routers, key):
    """The storage router whose name or IP is ``key`` (None when there is none)."""
    for router in routers:
        if router.get('name') == key or router.get('ip') == key:
            return router
    return None


def describe_routers(routers):
    return ', '.join('{0} ({1})'.format(r.get('name'), r.get('ip')) for r in routers) or 'none'


def resolve_storagerouter(routers, key, option='storagerouter'):
    router = find_storagerouter(routers, key)
    if router is None:
        raise StorageError('{0}: no storage router named or with IP {1!r}; storage routers: {2}'.format(
            option, key, describe_routers(routers)))
    return router


def resolve_storagerouters(routers, keys, option='storagerouters'):
    """Storage routers of ``keys`` (names or IPs) in order, without duplicates."""
    found = []
    missing = []
    for key in keys or []:
        router = find_storagerouter(routers, key)
        if router is None:
            missing.append(key)
        elif router['guid'] not in [r['guid'] for r in found]:
            found.append(router)
    if missing:
        raise StorageError('{0}: no storage router named or with IP {1}; storage routers: {2}'.format(
            option, ', '.join(repr(m) for m in missing), describe_routers(routers)))
    return found


def run_action(client, path, data, timeout=1800):
    """POST an action; wait for the task when the answer is a task id; return the result."""
    answer = client.post(path, data=data)
    if isinstance(answer, string_types) and answer:
        return client.wait_for_task(answer, timeout=timeout)
    return answer


def by_guid(items):
    return dict((item['guid'], item) for item in items)
