# -*- coding: utf-8 -*-
"""The finders and views of storage routers (module_utils/storagerouter.py) and domains (module_utils/domain.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import domain, storagerouter
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError
from ansible_collections.openvstorage.hyperscale.tests.unit.plugins.module_utils.resource_client import RecordingClient

ROUTERS = [
    dict(guid='r1', name='ctl01', ip='10.0.0.11', machine_id='m1', node_type='MASTER', status='OK', rdma_capable=False,
         regular_domains=['d1'], recovery_domains=['d2']),
    dict(guid='r2', name='ctl02', ip='10.0.0.12', machine_id='m2', node_type='MASTER', status='OK', rdma_capable=False,
         regular_domains=['d2', 'd1'], recovery_domains=[]),
    dict(guid='r3', name='cmp01', ip='10.0.0.21', machine_id='m3', node_type='EXTRA', status='OK', rdma_capable=False,
         regular_domains=None, recovery_domains=['d1']),
]
DOMAINS = [dict(guid='d1', name='rack1'), dict(guid='d2', name='rack2'), dict(guid='d3', name='empty')]


def test_list_storagerouters_names_its_contents():
    client = RecordingClient(lists=dict(storagerouters=ROUTERS))
    assert [r['name'] for r in storagerouter.list_storagerouters(client)] == ['ctl01', 'ctl02', 'cmp01']
    assert storagerouter.list_storagerouters(client, 'name,ip,partition_config')
    assert [(r[1], r[2]) for r in client.reads] == [('storagerouters', 'name,ip'),
                                                     ('storagerouters', 'name,ip,partition_config')]


def test_a_storage_router_is_found_by_name_or_ip():
    assert storagerouter.find_storagerouter(ROUTERS, 'ctl02')['guid'] == 'r2'
    assert storagerouter.find_storagerouter(ROUTERS, '10.0.0.21')['guid'] == 'r3'
    assert storagerouter.find_storagerouter(ROUTERS, 'str01') is None
    assert storagerouter.storagerouter_names(ROUTERS) == dict(r1='ctl01', r2='ctl02', r3='cmp01')


def test_resolving_names_every_missing_router_and_those_there_are():
    assert [r['guid'] for r in storagerouter.resolve_storagerouters(ROUTERS, ['ctl02', '10.0.0.12', 'ctl01'])] == [
        'r2', 'r1']
    with pytest.raises(StorageError) as exc:
        storagerouter.resolve_storagerouters(ROUTERS, ['str01', 'ctl01', 'x'], 'recovery_storagerouters')
    assert str(exc.value) == ("recovery_storagerouters: no storage router named or with IP 'str01', 'x'; storage "
                              "routers: ctl01 (10.0.0.11), ctl02 (10.0.0.12), cmp01 (10.0.0.21)")
    with pytest.raises(StorageError) as exc:
        storagerouter.resolve_storagerouter([], 'ctl01')
    assert str(exc.value) == "storagerouter: no storage router named or with IP 'ctl01'; storage routers: none"


def test_storage_router_view_with_and_without_its_domains():
    plain = storagerouter.storagerouter_view(ROUTERS[0])
    assert plain == dict(guid='r1', name='ctl01', ip='10.0.0.11', machine_id='m1', node_type='MASTER', status='OK',
                         rdma_capable=False)
    names = dict((d['guid'], d['name']) for d in DOMAINS)
    view = storagerouter.storagerouter_view(ROUTERS[1], names)
    assert (view['domains'], view['recovery_domains']) == (['rack1', 'rack2'], [])
    # a domain guid that the domain list does not know stands for itself
    assert storagerouter.storagerouter_view(ROUTERS[0], {})['domains'] == ['d1']


def test_domain_layout_and_view():
    assert domain.domain_layout(ROUTERS, 'd1') == (['ctl01', 'ctl02'], ['cmp01'])
    assert domain.domain_layout(ROUTERS, None) == ([], [])
    assert domain.domain_view('d2', 'rack2', ROUTERS) == dict(guid='d2', name='rack2', storagerouters=['ctl02'],
                                                              recovery_storagerouters=['ctl01'])
    assert [(v['name'], v['storagerouters']) for v in domain.domain_views(DOMAINS, ROUTERS)] == [
        ('empty', []), ('rack1', ['ctl01', 'ctl02']), ('rack2', ['ctl02'])]


def test_domain_finders_read_names_only():
    client = RecordingClient(lists=dict(domains=DOMAINS, backends=[
        dict(guid='b1', name='hdd', regular_domains=['d1']), dict(guid='b2', name='abc', regular_domains=['d1', 'd2']),
        dict(guid='b3', name='ssd', regular_domains=None)]))
    assert domain.find_domain(domain.list_domains(client), 'rack2')['guid'] == 'd2'
    assert domain.find_domain(domain.list_domains(client), 'rack9') is None
    assert domain.backends_in_domain(domain.list_domain_backends(client), 'd1') == ['abc', 'hdd']
    assert [(r[1], r[2]) for r in client.reads] == [('domains', 'name'), ('domains', 'name'),
                                                     ('backends', 'name,regular_domains')]


def test_ovs_domain_and_ovs_cluster_info_show_a_domain_alike():
    """The domain a state module returns is the view ovs_cluster_info lists for it."""
    listed = [v for v in domain.domain_views(DOMAINS, ROUTERS) if v['name'] == 'rack1'][0]
    primary, recovery = domain.domain_layout(ROUTERS, 'd1')
    assert listed == dict(guid='d1', name='rack1', storagerouters=primary, recovery_storagerouters=recovery)
