# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The common ground of the resource layer: what every object family's finders and views use.

Each OVS object family has one module_utils file that finds its objects through the API and
renders them (``storagerouter``, ``domain``, ``alba`` (backends, presets), ``alba_nodes``,
``vpool`` (vPools, storage drivers), ``vdisk``); the state modules and ``ovs_cluster_info``
call those, so an object looks the same whichever module returns it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.six import string_types


def pick(item, fields):
    """``{field: item[field]}`` of ``fields`` (None for a field the object lacks)."""
    return dict((field, item.get(field)) for field in fields)


def named(items, name):
    """The first object of ``items`` called ``name``, or None."""
    for item in items or []:
        if isinstance(item, dict) and item.get('name') == name:
            return item
    return None


def guid_names(items):
    """``{guid: name}`` of ``items``."""
    return dict((item['guid'], item.get('name')) for item in items or [] if isinstance(item, dict))


def sorted_by_name(items):
    return sorted(items, key=lambda item: item.get('name') or '')


def name_list(items):
    """The sorted names of ``items``, ``none`` when there are none (for refusals)."""
    return ', '.join(sorted(item.get('name') or '' for item in items or [])) or 'none'


def run_action(client, path, data, timeout=1800):
    """POST an action; wait for the task when the answer is a task id; return the result."""
    answer = client.post(path, data=data)
    if isinstance(answer, string_types) and answer:
        return client.wait_for_task(answer, timeout=timeout)
    return answer
