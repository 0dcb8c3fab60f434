# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Package versions of an upgrade: Debian version order, installed -> candidate, downgrades.

* :func:`compare_versions` orders two Debian versions as ``dpkg --compare-versions`` does
  (epoch, upstream version and revision; ``~`` sorts before everything, letters before other
  characters);
* a *version table* is ``{<node>: {<package>: {"installed": v, "candidate": v}}}``, the shape of
  the framework's ``merge_package_information`` without the component level;
  :func:`pending`, :func:`downgrades` and :func:`version_diff` read it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

_DIGITS = re.compile(r'^(\d*)(.*)$')
_NON_DIGITS = re.compile(r'^(\D*)(.*)$')


def _order(char):
    """The weight of one character of a non-digit part (dpkg's order)."""
    if char == '~':
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _compare_part(left, right):
    """Compare an upstream version or a revision: alternating non-digit and digit runs."""
    while left or right:
        left_text, left = _NON_DIGITS.match(left).groups()
        right_text, right = _NON_DIGITS.match(right).groups()
        weights_left = [_order(c) for c in left_text] + [0]
        weights_right = [_order(c) for c in right_text] + [0]
        for index in range(max(len(weights_left), len(weights_right))):
            a = weights_left[index] if index < len(weights_left) else 0
            b = weights_right[index] if index < len(weights_right) else 0
            if a != b:
                return -1 if a < b else 1
        left_number, left = _DIGITS.match(left).groups()
        right_number, right = _DIGITS.match(right).groups()
        if int(left_number or 0) != int(right_number or 0):
            return -1 if int(left_number or 0) < int(right_number or 0) else 1
    return 0


def _split(version):
    version = (version or '').strip()
    epoch, dummy, rest = version.rpartition(':') if ':' in version.split('-')[0] else ('0', '', version)
    upstream, dummy, revision = rest.rpartition('-') if '-' in rest else (rest, '', '')
    return int(epoch or 0), upstream, revision


def compare_versions(left, right):
    """-1, 0 or 1 as Debian version ``left`` sorts before, equal to or after ``right``."""
    left_epoch, left_upstream, left_revision = _split(left)
    right_epoch, right_upstream, right_revision = _split(right)
    if left_epoch != right_epoch:
        return -1 if left_epoch < right_epoch else 1
    return _compare_part(left_upstream, right_upstream) or _compare_part(left_revision, right_revision)


def pending(table):
    """The entries of a version table whose candidate differs from the installed version."""
    result = {}
    for node, packages in table.items():
        changes = dict((name, dict(v)) for name, v in packages.items()
                       if v.get('candidate') and v.get('installed') != v.get('candidate'))
        if changes:
            result[node] = changes
    return result


def downgrades(table):
    """Texts naming each package whose candidate is older than the installed version."""
    texts = []
    for node in sorted(table):
        for name in sorted(table[node]):
            versions = table[node][name]
            if versions.get('installed') and versions.get('candidate') and \
                    compare_versions(versions['candidate'], versions['installed']) < 0:
                texts.append('{0}: {1} {2} is installed, the target has the older {3}'.format(
                    node, name, versions['installed'], versions['candidate']))
    return texts


def package_diff(packages):
    """``diff`` of one node's packages: before = installed, after = candidate."""
    return dict(before=dict((name, v.get('installed')) for name, v in packages.items()),
                after=dict((name, v.get('candidate')) for name, v in packages.items()))


def version_diff(table):
    """``diff`` of a version table: before = installed, after = candidate, per node and package."""
    diffs = dict((node, package_diff(packages)) for node, packages in table.items())
    return dict(before=dict((node, d['before']) for node, d in diffs.items()),
                after=dict((node, d['after']) for node, d in diffs.items()))


# an apt package argument this collection can judge without apt: a name, or name=version
_SPEC = re.compile(r'^([a-z0-9][a-z0-9+.-]+)(?:=(\S+))?$')


def spec_name(spec):
    """The package name of ``name`` or ``name=version``; None for anything else (a pattern, a release, ...)."""
    match = _SPEC.match(spec or '')
    return match.group(1) if match else None


def missing(specs, installed):
    """The entries of ``specs`` (apt's ``name``/``name=version``) that ``installed`` ({name: version}) does not
    satisfy as ``state: present`` would; all of them when ``installed`` is None (not read). An entry that is not
    a plain name or name=version counts as missing: apt decides."""
    if installed is None:
        return list(specs)
    result = []
    for spec in specs:
        match = _SPEC.match(spec or '')
        if not match or match.group(1) not in installed or \
                (match.group(2) is not None and installed[match.group(1)] != match.group(2)):
            result.append(spec)
    return result


def installed_versions(lines):
    """{name: version} of the installed packages in ``dpkg-query -W -f='${Package}\\t${Version}\\t${Status}\\n'``
    output (status ``install ok installed`` or ``hold ok installed``)."""
    result = {}
    for line in lines.splitlines():
        fields = line.split('\t')
        if len(fields) == 3 and fields[2].split()[0:1] in (['install'], ['hold']) and fields[2].endswith(' installed'):
            result[fields[0]] = fields[1]
    return result
