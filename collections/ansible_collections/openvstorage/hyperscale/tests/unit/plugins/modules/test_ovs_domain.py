# -*- coding: utf-8 -*-
"""ovs_domain against the emulated framework API (tests/unit/emulator_api.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_domain
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import run_api_module


@pytest.fixture
def server(emulator):
    """The emulated cluster with domain rack0, primary domain of ctl01."""
    emulator.other = emulator.add_domain('rack0', routers=['ctl01'])
    return emulator


def run(server, tmp_path, **options):
    return run_api_module(ovs_domain.main, server, tmp_path, **options)


def posts(server):
    """(path, data) of the writes the module sent."""
    return [(path, data) for dummy, path, data in server.writes()]


def test_create_and_assign_then_idempotent(server, tmp_path):
    status, result, dummy = run(server, tmp_path, diff=True, name='rack1', storagerouters=['ctl01', '172.30.250.12'],
                                recovery_storagerouters=['ctl03'])
    assert status == 'exit', result
    assert result['changed'] is True
    domain = result['domain']
    assert domain['name'] == 'rack1' and domain['guid']
    assert domain['storagerouters'] == ['ctl01', 'ctl02'] and domain['recovery_storagerouters'] == ['ctl03']
    assert result['diff'] == {'before': {}, 'after': {'name': 'rack1', 'storagerouters': ['ctl01', 'ctl02'],
                                                      'recovery_storagerouters': ['ctl03']}}
    assert posts(server)[0][0] == '/api/domains/'
    set_domains = [d for p, d in posts(server)
                   if p == '/api/storagerouters/{0}/set_domains/'.format(server.router('ctl01')['guid'])]
    # the other domain of ctl01 is kept
    assert set_domains == [dict(domain_guids=[server.other, domain['guid']], recovery_domain_guids=[])]
    assert server.junctions('ctl03') == [(domain['guid'], True)]
    count = len(posts(server))
    status, result, dummy = run(server, tmp_path, name='rack1', storagerouters=['ctl01', 'ctl02'],
                                recovery_storagerouters=['ctl03'])
    assert status == 'exit' and result['changed'] is False and 'diff' not in result
    assert result['domain'] == domain
    assert len(posts(server)) == count


def test_check_mode_makes_no_post(server, tmp_path):
    status, result, dummy = run(server, tmp_path, check_mode=True, name='rack1', storagerouters=['ctl02'])
    assert status == 'exit' and result['changed'] is True
    assert result['domain'] == dict(guid=None, name='rack1', storagerouters=['ctl02'], recovery_storagerouters=[])
    assert posts(server) == []


def test_move_recovery_to_primary_diff(server, tmp_path):
    server.add_domain('rack0', recovery=['ctl02'])
    status, result, dummy = run(server, tmp_path, diff=True, name='rack0', storagerouters=['ctl02'])
    assert status == 'exit' and result['changed'] is True
    assert result['diff'] == {'before': {'name': 'rack0', 'storagerouters': ['ctl01'],
                                         'recovery_storagerouters': ['ctl02']},
                              'after': {'name': 'rack0', 'storagerouters': ['ctl01', 'ctl02'],
                                        'recovery_storagerouters': []}}
    assert server.junctions('ctl02') == [(server.other, False)]


def test_validation(server, tmp_path):
    status, result, dummy = run(server, tmp_path, name='rack1', storagerouters=['ctl01'],
                                recovery_storagerouters=['172.30.250.11'])
    assert status == 'fail' and result['msg'] == ('storage router(s) ctl01 cannot have domain rack1 both as primary '
                                                  '(storagerouters) and as recovery domain (recovery_storagerouters)')
    status, result, dummy = run(server, tmp_path, name='rack1', storagerouters=['nope'])
    assert status == 'fail' and result['msg'].startswith("storagerouters: no storage router named or with IP 'nope'")
    status, result, dummy = run(server, tmp_path, name='rack1', state='absent', storagerouters=['ctl01'])
    assert status == 'fail' and 'cannot be given with state=absent' in result['msg']
    assert posts(server) == []


def test_absent_refused_while_used(server, tmp_path):
    server.add_backend('be1', domains=[server.other])
    status, result, dummy = run(server, tmp_path, name='rack0', state='absent')
    assert status == 'fail'
    assert result['msg'] == ('domain rack0 is in use by storage routers (primary) ctl01; backends be1; '
                             'remove it from them first')
    assert posts(server) == []


def test_absent(server, tmp_path):
    guid = server.add_domain('spare')
    status, result, dummy = run(server, tmp_path, check_mode=True, diff=True, name='spare', state='absent')
    assert status == 'exit' and result['changed'] is True and posts(server) == []
    assert result['diff'] == {'before': {'name': 'spare', 'guid': guid}, 'after': {}}
    status, result, dummy = run(server, tmp_path, name='spare', state='absent')
    assert status == 'exit' and result['changed'] is True
    assert posts(server) == [('/api/domains/{0}/'.format(guid), {})]
    status, result, dummy = run(server, tmp_path, name='spare', state='absent')
    assert status == 'exit' and result['changed'] is False


# ------------------------------------------------------------ planning, without the API

def router(name, regular=(), recovery=()):
    return dict(guid='g-' + name, name=name, regular_domains=list(regular), recovery_domains=list(recovery))


def test_plan_new_domain_sets_every_named_router():
    ctl01, ctl02 = router('ctl01', regular=['other']), router('ctl02')
    plan = ovs_domain.plan_domain('rack1', None, [], [], [ctl01], [ctl02])
    assert plan['changed'] is True
    assert plan['to_set'] == [ctl01, ctl02]
    assert plan['wanted'] == dict(storagerouters=['ctl01'], recovery_storagerouters=['ctl02'])
    assert plan['diff'] == dict(before={}, after=dict(name='rack1', storagerouters=['ctl01'],
                                                      recovery_storagerouters=['ctl02']))


def test_plan_existing_domain_in_place_changes_nothing():
    ctl01, ctl02 = router('ctl01', regular=['d1']), router('ctl02', recovery=['d1'])
    plan = ovs_domain.plan_domain('rack1', 'd1', ['ctl01'], ['ctl02'], [ctl01], [ctl02])
    assert plan['changed'] is False and plan['to_set'] == []
    assert plan['wanted'] == dict(storagerouters=['ctl01'], recovery_storagerouters=['ctl02'])


def test_plan_moves_a_router_from_recovery_to_primary_and_keeps_unnamed_ones():
    ctl01, ctl02 = router('ctl01', recovery=['d1']), router('ctl02', regular=['d1'])
    plan = ovs_domain.plan_domain('rack1', 'd1', ['ctl02'], ['ctl01'], [ctl01], [])
    assert plan['changed'] is True and plan['to_set'] == [ctl01]
    assert plan['wanted'] == dict(storagerouters=['ctl01', 'ctl02'], recovery_storagerouters=[])
    assert plan['diff'] == dict(before=dict(name='rack1', storagerouters=['ctl02'], recovery_storagerouters=['ctl01']),
                                after=dict(name='rack1', storagerouters=['ctl01', 'ctl02'], recovery_storagerouters=[]))


def test_removal_users_names_routers_and_backends_of_the_domain_only():
    backends = [dict(name='b2', regular_domains=['d1']), dict(name='b1', regular_domains=['d1', 'x']),
                dict(name='b3', regular_domains=['x']), dict(name='b4', regular_domains=None)]
    assert ovs_domain.removal_users('d1', ['ctl01'], ['ctl02', 'ctl03'], backends) == [
        'storage routers (primary) ctl01', 'storage routers (recovery) ctl02, ctl03', 'backends b1, b2']
    assert ovs_domain.removal_users('d1', [], [], backends[2:]) == []


def test_wanted_routers_refuses_a_router_in_both_lists():
    routers = [router('ctl01'), router('ctl02')]
    with pytest.raises(ovs_domain.StorageError) as err:
        ovs_domain.wanted_routers(routers, dict(name='rack1', storagerouters=['ctl01', 'ctl02'],
                                                recovery_storagerouters=['ctl02']))
    assert str(err.value) == ('storage router(s) ctl02 cannot have domain rack1 both as primary (storagerouters) '
                              'and as recovery domain (recovery_storagerouters)')
