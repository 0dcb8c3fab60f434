# -*- coding: utf-8 -*-
"""packages_missing: what the package tasks of the roles still need on a node, as apt state=present judges."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.filter.packages import packages_missing
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_packages import installed_versions

INSTALLED = {'openvstorage-backend': '2.7.9-1', 'alba': '1.5.8'}


def test_a_node_with_every_package_needs_none():
    assert packages_missing(['openvstorage-backend', 'alba'], INSTALLED) == []


def test_a_package_not_installed_is_missing():
    assert packages_missing(['openvstorage-backend', 'openvstorage-hc'], INSTALLED) == ['openvstorage-hc']


def test_a_pinned_version_counts_only_when_it_is_the_installed_one():
    assert packages_missing(['alba=1.5.8', 'openvstorage-backend=2.7.10-1'], INSTALLED) == ['openvstorage-backend=2.7.10-1']


@pytest.mark.parametrize('spec', ['alba*', 'alba/fargo', 'alba>=1.5', 'Alba', ''])
def test_anything_else_is_left_to_apt(spec):
    assert packages_missing([spec], INSTALLED) == [spec]


def test_a_node_not_read_needs_everything():
    assert packages_missing(['alba', 'openvstorage-backend'], None) == ['alba', 'openvstorage-backend']


@pytest.mark.parametrize('specs, installed', [('alba', INSTALLED), (['alba'], ['alba'])])
def test_bad_input_is_refused_naming_it(specs, installed):
    with pytest.raises(TypeError, match='packages_missing'):
        packages_missing(specs, installed)


def test_only_installed_or_held_packages_count():
    lines = ('alba\t1.5.8\tinstall ok installed\n'
             'openvstorage-hc\t2.7.9\tdeinstall ok config-files\n'
             'volumedriver-no-dedup-server\t6.18.0\thold ok installed\n'
             'openvstorage\t2.7.9\tinstall ok half-configured\n'
             'broken line\n')
    assert installed_versions(lines) == {'alba': '1.5.8', 'volumedriver-no-dedup-server': '6.18.0'}


def test_the_preflight_reads_the_packages_the_roles_install():
    """preflight_packages names the defaults of controller_packages and storage_packages (a package it does not
    read only costs the skip of the package task, but the skip is the point)."""
    import os
    import yaml
    roles = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles')

    def defaults(role):
        with open(os.path.join(roles, role, 'defaults', 'main.yml')) as handle:
            return yaml.safe_load(handle)
    preflight = defaults('preflight')['preflight_packages']
    for role, name in (('controller', 'controller_packages'), ('storage', 'storage_packages')):
        assert "%s | default(%s)" % (name, defaults(role)[name]) in preflight.replace('\n     ', ' '), (role, preflight)
