# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of package lists: which packages a node still needs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_packages import missing


def packages_missing(specs, installed):
    """The entries of ``specs`` that ``installed`` ({name: version}, or None) does not satisfy."""
    if isinstance(specs, str) or not isinstance(specs, (list, tuple)):
        raise TypeError('packages_missing: the input must be a list of package names, got %r' % (specs,))
    if installed is not None and not isinstance(installed, dict):
        raise TypeError('packages_missing: installed must be a dict of name: version or none, got %r'
                        % (installed,))
    return missing([str(spec) for spec in specs], installed)


class FilterModule(object):
    """HyperScale package filters."""

    def filters(self):
        return {'packages_missing': packages_missing}
