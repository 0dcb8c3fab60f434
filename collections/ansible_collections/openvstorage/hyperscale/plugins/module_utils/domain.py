# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Domains: found through ``GET /api/domains/`` and rendered with their layout, the storage routers that
have them as primary (``regular_domains``) or recovery (``recovery_domains``) domain.

Used by ovs_domain and ovs_cluster_info.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_resource import named, sorted_by_name

DOMAIN_CONTENTS = 'name'
# what a storage router read adds for the layout: two dynamics of the storage routers
ROUTER_DOMAIN_CONTENTS = 'regular_domains,recovery_domains'
# of the backends that use a domain (regular_domains is a dynamic of backends too)
BACKEND_DOMAIN_CONTENTS = 'name,regular_domains'


def list_domains(client):
    """``GET /api/domains/`` (names)."""
    return client.list('domains', contents=DOMAIN_CONTENTS)


def find_domain(domains, name):
    """The domain ``name`` of ``domains`` (:func:`list_domains`), or None."""
    return named(domains, name)


def domain_layout(routers, guid):
    """(primary names, recovery names) of the domain ``guid``: its storage routers, read with
    :data:`ROUTER_DOMAIN_CONTENTS`."""
    primary = sorted(r['name'] for r in routers if guid and guid in (r.get('regular_domains') or []))
    recovery = sorted(r['name'] for r in routers if guid and guid in (r.get('recovery_domains') or []))
    return primary, recovery


def domain_view(guid, name, routers):
    """A domain as results show it: guid, name and its layout (``storagerouters``, ``recovery_storagerouters``)."""
    primary, recovery = domain_layout(routers, guid)
    return dict(guid=guid, name=name, storagerouters=primary, recovery_storagerouters=recovery)


def domain_views(domains, routers):
    """The views of ``domains``, sorted by name."""
    return sorted_by_name(domain_view(d['guid'], d.get('name'), routers) for d in domains)


def list_domain_backends(client):
    """``GET /api/backends/`` with their ``regular_domains`` (what may use a domain)."""
    return client.list('backends', contents=BACKEND_DOMAIN_CONTENTS)


def backends_in_domain(backends, guid):
    """Sorted names of the backends (:func:`list_domain_backends`) whose ``regular_domains`` hold the domain ``guid``."""
    return sorted(b.get('name') for b in backends if guid in (b.get('regular_domains') or []))
