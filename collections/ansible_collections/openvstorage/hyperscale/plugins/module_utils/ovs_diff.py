# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare what a module wants with what the cluster has; diffs of only the changed keys.

Every module that manages a cluster object reads its current state first, asks
``changed_keys`` which of the wanted settings differ, and reports ``object_diff``
(``before``/``after`` restricted to those keys) in ``--diff`` mode.  A wanted value of
``None`` means "not managed by this task" and is never a difference.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def _normalise(value):
    """Lists of lists compare as lists, whatever the JSON gave (tuples, nested lists)."""
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return dict((k, _normalise(v)) for k, v in value.items())
    return value


def changed_keys(current, wanted):
    """Names of the keys of ``wanted`` (not None) whose value differs from ``current``.

    ``current`` may be None (the object does not exist): then every wanted key changes.
    Nested dicts compare key by key on the keys of the wanted dict only.
    """
    current = current or {}
    keys = []
    for key in sorted(wanted):
        value = wanted[key]
        if value is None:
            continue
        have = current.get(key)
        if isinstance(value, dict) and isinstance(have, dict):
            if changed_keys(have, value):
                keys.append(key)
        elif _normalise(have) != _normalise(value):
            keys.append(key)
    return keys


def object_diff(current, wanted, keys=None, name=None):
    """``{'before': ..., 'after': ...}`` of only the changed keys (all wanted keys when absent).

    ``current`` None renders as ``before: {}`` (creation); ``wanted`` None as ``after: {}``
    (removal).  ``name`` (for example the backend name) is added to both sides when given, so
    a diff of several objects stays readable.
    """
    if wanted is None:
        before = dict(current or {})
        after = {}
    else:
        if keys is None:
            keys = changed_keys(current, wanted)
        before = dict((k, (current or {}).get(k)) for k in keys) if current is not None else {}
        after = dict((k, wanted[k]) for k in keys)
    if name is not None:
        if current is not None:
            before['name'] = name
        if wanted is not None:
            after['name'] = name
    return dict(before=before, after=after)


def merge_diffs(diffs):
    """One diff from several ``(label, diff)`` pairs: ``before``/``after`` keyed by label."""
    before, after = {}, {}
    for label, diff in diffs:
        if diff['before'] != diff['after']:
            before[label] = diff['before']
            after[label] = diff['after']
    return dict(before=before, after=after)
