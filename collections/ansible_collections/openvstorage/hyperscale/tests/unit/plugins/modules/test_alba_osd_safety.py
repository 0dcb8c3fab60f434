# -*- coding: utf-8 -*-
"""alba_osd_safety with the emulator's alba command on a controller (tests/unit/emulator_alba.py, the store of
``asds_cluster``): be1 claims 2 ASDs of str01 on sdc, 1 on sdd and 2 of another node (``other``, ``spare``); its
namespaces ns-a (sdc, sdd, other: survives 3 lost OSDs), ns-b (sdd, other: survives 1) and ns-empty; backends
other-be and global (which links be1) too."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import alba_safety
from ansible_collections.openvstorage.hyperscale.plugins.modules import alba_osd_safety

from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_alba import Layout, controller_host
from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_api import MemoryStore
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import run_module


@pytest.fixture
def ovs(asds_cluster, cacc):
    """be1's OSDs (emulator_alba.Layout) in a copy of the configuration store of the cluster (no API: the module
    runs the alba command only)."""
    return Layout(MemoryStore(dict(asds_cluster[0])))


def run(ovs, check_mode=False, **options):
    host = controller_host(ovs.store)
    status, result, warnings = run_module(alba_osd_safety.main, options, host, check_mode=check_mode)
    return status, result, warnings, host


def safety_calls(host):
    return [c for c in host.calls if c[1] == 'get-disk-safety']


def test_one_disk_is_safe(ovs):
    status, result, warnings, host = run(ovs, osds=list(ovs.sdc), backends=['be1'])
    assert status == 'exit', result
    assert result['changed'] is False and result['at_risk'] is False
    assert result['backends'] == {'be1': dict(good=3, critical=0, lost=0, osds=sorted(ovs.sdc), unknown=[])}
    call = safety_calls(host)[0]
    assert call[:5] == ['/usr/bin/alba', 'get-disk-safety', '--config=arakoon://config/ovs/arakoon/be1-abm/config'
                        '?ini=%2Fopt%2FOpenvStorage%2Fconfig%2Farakoon_cacc.ini', '--to-json',
                        '--include-decommissioning-as-dead']
    assert sorted(call[5:]) == sorted('--long-id=' + i for i in ovs.sdc)
    assert warnings == []


def test_whole_node_at_risk_refused_then_allowed(ovs):
    status, result, dummy, dummy = run(ovs, node_ids=[ovs.node_id])
    assert status == 'fail'
    osds = sorted(ovs.sdc + [ovs.sdd])
    assert result['msg'] == (
        'Removing OSD(s) {0} from ALBA backend be1 would bring data at risk (lost 0, critical 2, good 1 '
        'namespace(s); a critical namespace loses data with one more failed disk): refused. Wait until the '
        'maintenance agents have repaired earlier removals (health check alba-disk-safety-test) or add ASDs first; '
        'to remove them anyway allow at_risk'.format(', '.join(osds)))
    assert result['backends']['be1'] == dict(good=1, critical=2, lost=0, osds=osds, unknown=[])
    status, result, dummy, host = run(ovs, node_ids=[ovs.node_id], allow='at_risk')
    assert status == 'exit' and result['at_risk'] is True
    assert result['backends']['be1']['critical'] == 2
    # the backends be1, global and other-be of /ovs/arakoon, each asked for its OSDs; only be1 has some there
    assert [c[1] for c in host.calls] == ['config', 'list-osds', 'list-osds', 'list-osds', 'get-disk-safety']


def test_lost_always_refused(ovs):
    ovs.purge(ovs.other)
    status, result, dummy, dummy = run(ovs, node_ids=[ovs.node_id], backends=['be1'], allow='at_risk')
    assert status == 'fail'
    assert result['msg'] == (
        'Removing OSD(s) {0} from ALBA backend be1 would lose data (lost 2, critical 0, good 1 namespace(s)): '
        'refused. Add ASDs to the backend, or bring back the OSDs that are down, and wait until the maintenance '
        'agents have repaired the namespaces (health check alba-disk-safety-test) before removing them'.format(
            ', '.join(sorted(ovs.sdc + [ovs.sdd]))))


def test_purging_osd_counts_as_dead(ovs):
    ovs.purge(ovs.other)
    status, result, dummy, dummy = run(ovs, osds=[ovs.sdc[0]], backends=['be1'])
    assert status == 'fail' and '(lost 0, critical 1, good 2 namespace(s);' in result['msg']
    ovs.repair()
    status, result, dummy, dummy = run(ovs, osds=[ovs.sdc[0]], backends=['be1'])
    assert status == 'exit' and result['backends']['be1']['good'] == 3


def test_backends_discovered_and_unknown_osd_left_out(ovs):
    status, result, warnings, host = run(ovs, osds=[ovs.sdc[0], 'nOsUcHoSd'])
    assert status == 'exit', result
    assert result['backends']['be1'] == dict(good=3, critical=0, lost=0, osds=sorted([ovs.sdc[0], 'nOsUcHoSd']),
                                             unknown=['nOsUcHoSd'])
    for other in ('global', 'other-be'):
        assert result['backends'][other] == dict(good=0, critical=0, lost=0, osds=sorted([ovs.sdc[0], 'nOsUcHoSd']),
                                                 unknown=sorted([ovs.sdc[0], 'nOsUcHoSd']))
    assert warnings == ['OSD nOsUcHoSd is claimed by none of the ALBA backends be1, global, other-be; it is left out '
                        'of the check']
    assert ['/usr/bin/ovs', 'config', 'list', '/ovs/arakoon'] in host.calls


def test_node_without_osds(ovs):
    status, result, dummy, dummy = run(ovs, node_ids=['NoOsDsHeRe000000'], backends=['be1'])
    assert status == 'exit' and result['backends'] == {} and result['at_risk'] is False


def test_check_mode_reads_only(ovs):
    status, result, dummy, host = run(ovs, check_mode=True, osds=list(ovs.sdc), backends=['be1'])
    assert status == 'exit' and result['changed'] is False
    assert all(c[1] in ('get-disk-safety',) for c in host.calls)


def test_unknown_backend_fails_with_alba_message(ovs):
    status, result, dummy, dummy = run(ovs, osds=[ovs.sdd], backends=['nope'])
    assert status == 'fail'
    assert result['msg'].startswith('alba get-disk-safety failed: Failure("Could not retrieve the Arakoon config at '
                                    'arakoon://config/ovs/arakoon/nope-abm/config')


def test_not_on_a_controller(ovs, cacc):
    cacc.unlink()
    status, result, dummy, dummy = run(ovs, osds=[ovs.sdd], backends=['be1'])
    assert status == 'fail'
    assert result['msg'].endswith('is missing or has no [global] cluster_id: the safety of a removal is read with '
                                  'the alba command on a controller; run this task there (delegate_to the install '
                                  'master)')


@pytest.mark.parametrize('options, text', [
    (dict(), 'osds: [] and node_ids: [] - allowed: at least one OSD long id or ASD node id to check'),
    (dict(osds=[' ']), "osds[0]: ' ' - allowed: a non-empty name or id"),
    (dict(osds=['x'], allow='all'), 'value of allow must be one of: none, at_risk'),
])
def test_validation(ovs, options, text):
    status, result, dummy, host = run(ovs, **options)
    assert status == 'fail' and text in result['msg'], result
    assert host.calls == []


def test_count_safety_rule():
    assert alba_safety.count_safety([{'safety': None}, {'safety': 1}, {'safety': 0}, {'safety': -2}]) == dict(
        good=2, critical=1, lost=1)
