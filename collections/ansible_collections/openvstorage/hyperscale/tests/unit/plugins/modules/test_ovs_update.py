# -*- coding: utf-8 -*-
"""ovs_update against the emulated framework API (tests/unit/emulator_api.py): the update API of the emulator
(refresh_package_information, get_update_metadata, merge_package_information, get_update_information: tasks run
by the ovs-workers of ctl01, ctl02, ctl03 and cmp01 and by the ASD manager of str01) and ``ovs update`` run by
update_components (the emulator's UpdateController.execute_update, in a thread instead of ``at``).  Every refusal
before a change, check mode, the update followed to its end through the update log and the package versions.

The nodes share this process: one package manager (``Apt``, the emulator's seam for it) and one file system
serve all of them, so every storage router has the same packages and the same /etc/update_ongoing."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import threading
import time

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsApiUnreachable
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_packages import compare_versions
from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_update
from ansible_collections.openvstorage.hyperscale.plugins.modules.ovs_update import UpdateError
from ansible_collections.openvstorage.hyperscale.tests.unit import emulator_api
from ansible_collections.openvstorage.hyperscale.tests.unit.emulator_api import ROUTERS, AsdManager
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import expect_fail, run_api_module

from ovs_emulator import packages, paths, system, update  # noqa: E402  (importable once emulator_api is)
from ovs_emulator.model import Model  # noqa: E402

OLD, NEW = '2.7.20-1', '2.7.21-1'
VD_OLD, VD_NEW = '6.19.5-1', '6.19.6-1'
ALBA_OLD, ALBA_NEW = '1.5.37-1', '1.5.38-1'
INSTALLED = {'openvstorage': OLD, 'volumedriver-no-dedup-server': VD_OLD, 'alba': ALBA_OLD}
REPOSITORY = {'openvstorage': NEW, 'volumedriver-no-dedup-server': VD_NEW, 'alba': ALBA_NEW}
STR01 = '127.0.0.1'  # the address of str01's ASD manager (emulator_api.AsdManager)
ROUTER_IPS = sorted(ip for name, ip, machine_id, node_type in ROUTERS)
# the emulator's update information of its cluster: the framework packages stop GUI and API (no vPool, no backend)
DOWNTIME = ['the GUI will be unavailable', 'the API will be unavailable']


class Apt(object):
    """The package manager of the emulated nodes (ovs_emulator.packages.APT): the installed versions and the
    repository's candidates; apt refuses openvstorage without /etc/ready_for_upgrade; an install of a package
    in ``broken`` fails."""

    def __init__(self):
        self.versions, self.repository, self.broken = dict(INSTALLED), dict(REPOSITORY), set()

    def installed(self, names):
        return dict((name, self.versions[name]) for name in names if name in self.versions)

    def candidates(self, names, refresh=True):
        return dict((name, self.repository[name]) for name in names if name in self.repository)

    def install(self, names):
        if not os.path.exists(paths.READY_FOR_UPGRADE) and 'openvstorage' in names:
            return False, ('Please start update through GUI because all nodes in the cluster need to be updated '
                           'simultaneously!!!!!')
        if self.broken & set(names):
            return False, 'E: Sub-process /usr/bin/dpkg returned an error code (1)'
        for name in names:
            self.versions[name] = self.repository[name]
        return True, ''


class Commands(object):
    """``shutil`` of the emulator's update code: the commands the nodes have (``at``, unless taken away)."""

    def __init__(self):
        self.present = set(['at'])

    def which(self, name):
        return '/usr/bin/' + name if name in self.present else None


class Nodes(object):
    """The nodes of the emulated cluster ``api`` for updates: the ovs-workers of every storage router, str01's ASD
    manager, ``apt``; ``ovs update`` (update_components) runs the emulator's execute_update in a thread."""

    def __init__(self, api, directory, patch):
        self.api, self.apt, self.commands, self.runs = api, Apt(), Commands(), []
        patch.setattr(packages, 'APT', self.apt)
        patch.setattr(update, 'shutil', self.commands)
        patch.setattr(update, 'REFRESH_TIMEOUT', 0.3)  # a node whose ovs-workers do not answer
        patch.setattr(update, 'start_background', self.start)
        patch.setattr(update, 'fresh_process', lambda args: update.migrate(api.store))  # the migrations in-process
        patch.setattr(system, 'port_open', lambda ip, port, timeout=2.0: True)  # Arakoon nodes back after a restart
        patch.setattr(system, 'hostname', lambda: 'ctl01')
        self.manager = AsdManager(api, directory)
        self.workers = {}
        for name, ip, machine_id, node_type in ROUTERS:
            self.start_node(name)

    def start(self, components):
        """What ``ovs update`` starts in the background: the run (UpdateController.execute_update)."""
        run = threading.Thread(target=update.execute_update, args=(components, Model(self.api.store)))
        run.start()
        self.runs.append(run)

    def start_node(self, name):
        self.workers[name] = self.api.worker(name).__enter__()

    def stop_node(self, name):
        """The ovs-workers of storage router ``name`` stop: the node does not answer."""
        self.workers.pop(name).__exit__(None, None, None)

    def close(self):
        for run in self.runs:
            run.join(60)
        for name in list(self.workers):
            self.stop_node(name)
        self.manager.stop()


class Clock(object):
    """``time`` of ovs_update: a sleep moves the clock on at once and gives the emulator's threads a moment."""

    def __init__(self):
        self.now = 1000.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        time.sleep(0.02)


class Client(object):
    """The module's API client (``client``): records the timeouts of the tasks it waits for; ``down`` reads
    after update_components do not reach the API (the framework restarts it during the update)."""

    def __init__(self, client, down=0):
        self.client, self.down, self.timeouts = client, down, []
        self.started = False

    def __getattr__(self, name):
        return getattr(self.client, name)

    def get(self, path, **kwargs):
        if self.started and self.down:
            self.down -= 1
            raise OvsApiUnreachable('Cannot reach the Open vStorage API: [Errno 111] Connection refused',
                                    transient=True)
        return self.client.get(path, **kwargs)

    def post(self, path, data=None, **kwargs):
        self.started = self.started or path.endswith('update_components')
        return self.client.post(path, data, **kwargs)

    def wait_for_task(self, task_id, timeout=600, interval=1.0):
        self.timeouts.append(timeout)
        return self.client.wait_for_task(task_id, timeout=timeout, interval=interval)


@pytest.fixture
def nodes(emulator, tmp_path, monkeypatch):
    monkeypatch.setattr(ovs_update, 'time', Clock())
    monkeypatch.setattr(emulator_api, 'POLL', 0.005)
    found = Nodes(emulator, str(tmp_path), monkeypatch)
    yield found
    found.close()


class FakeModule(object):
    def __init__(self, check_mode=False, **params):
        self.params = dict(state='updated', components=['framework', 'storagedriver', 'alba'], accept_downtime=False,
                           refresh=True, task_timeout=60, poll_interval=1, update_log=paths.UPDATE_LOG)
        self.params.update(params)
        self.check_mode = check_mode


def changes(api):
    return [(method, path.split('/')[-2], data) for method, path, data in api.writes()]


def run(nodes, client=None, **params):
    return ovs_update.run(FakeModule(**params), client or nodes.api.api)


def refused(nodes, text, **params):
    with pytest.raises(UpdateError) as exc:
        run(nodes, **params)
    assert text in str(exc.value), str(exc.value)
    assert changes(nodes.api) == []
    return str(exc.value)


@pytest.mark.parametrize('left, right, order', [
    ('2.7.20-1', '2.7.21-1', -1), ('2.7.21-1', '2.7.20-1', 1), ('1.0-1', '1.0-1', 0), ('1:0.9', '2.0', 1),
    ('1.0~rc1', '1.0', -1), ('1.0a', '1.0+', -1), ('1.10', '1.9', 1), ('1.0-10', '1.0-9', 1), ('1.0', '1.0-0', 0),
])
def test_debian_version_order(left, right, order):
    assert compare_versions(left, right) == order


def test_checked_reports_and_changes_nothing(nodes):
    result = run(nodes, state='checked')
    assert result['changed'] is False and changes(nodes.api) == []
    assert result['components_pending'] == ['framework', 'storagedriver', 'alba']
    assert result['downtime'] == DOWNTIME
    # str01 (the ASD manager's own part of alba: alba and openvstorage-sdm, of which alba is installed)
    assert result['packages'][STR01] == {'alba': dict(installed=ALBA_OLD, candidate=ALBA_NEW)}
    assert sorted(result['packages']) == sorted([STR01] + ROUTER_IPS)
    assert result['diff']['before']['172.30.250.11'] == {'openvstorage': OLD, 'alba': ALBA_OLD,
                                                         'volumedriver-no-dedup-server': VD_OLD}
    assert result['diff']['after']['172.30.250.11'] == {'openvstorage': NEW, 'alba': ALBA_NEW,
                                                        'volumedriver-no-dedup-server': VD_NEW}
    assert sorted(result['metadata']) == ['cmp01', 'ctl01', 'ctl02', 'ctl03']
    assert result['metadata']['cmp01'] == dict(at_ok=True, reachable=True, update_ongoing=False)


def test_components_narrow_the_report(nodes):
    result = run(nodes, state='checked', components=['storagedriver'])
    assert result['packages'] == dict((ip, {'volumedriver-no-dedup-server': dict(installed=VD_OLD, candidate=VD_NEW)})
                                      for ip in ROUTER_IPS)
    assert result['components_pending'] == ['storagedriver']


def test_downtime_refused_unless_accepted(nodes):
    text = refused(nodes, 'Refusing to update without accept_downtime')
    assert text.endswith('the update brings downtime: ' + '; '.join(DOWNTIME))
    result = run(nodes, accept_downtime=True)
    assert result['changed'] is True and result['downtime'][0] == 'the GUI will be unavailable'
    assert nodes.apt.versions == REPOSITORY


def test_prerequisite_refused_even_with_downtime_accepted(nodes):
    """The package information of the last refresh (refresh: false) says cmp01 was down and str01 did not answer."""
    nodes.stop_node('cmp01')
    nodes.manager.stop()
    router = nodes.api.router('ctl01')['guid']
    nodes.api.prepare(lambda api: api.wait_for_task(api.get('storagerouters/{0}/refresh_package_information'.format(
        router)), interval=0.02))
    nodes.start_node('cmp01')
    refused(nodes, 'not all prerequisites have been met: framework: node cmp01 is down; alba: ALBA node {0} does not '
            'respond'.format(STR01), accept_downtime=True, refresh=False)


def take_at_away(nodes):
    nodes.commands.present.discard('at')


def stop_cmp01(nodes):
    nodes.stop_node('cmp01')


def an_update_ongoing(nodes):
    system.write_text(paths.UPDATE_ONGOING, '')


@pytest.mark.parametrize('change, text', [
    (an_update_ongoing, 'an update is ongoing (/etc/update_ongoing on cmp01, ctl01, ctl02, ctl03)'),
    (take_at_away, 'the command at does not work on cmp01, ctl01, ctl02, ctl03'),
    (stop_cmp01, 'storage router(s) cmp01 cannot be reached'),
])
def test_metadata_refusals(nodes, change, text):
    change(nodes)
    refused(nodes, text, accept_downtime=True)


def test_downgrade_refused(nodes):
    nodes.apt.versions['openvstorage'] = '2.7.22-1'
    refused(nodes, 'packages would be downgraded: 172.30.250.11: openvstorage 2.7.22-1 is installed, the target has '
            'the older 2.7.21-1', accept_downtime=True)


def test_unknown_component_and_bad_numbers_are_invalid_options():
    errors = ovs_update.validate(dict(components=['framework', 'gui'], task_timeout=0, poll_interval=1))
    assert errors == ["components: 'gui' is not a component of the framework; allowed: alba, framework, "
                      "storagedriver", 'task_timeout: 0 is not allowed; allowed is an integer of at least 1']
    assert ovs_update.validate(dict(components=['alba'], task_timeout=1, poll_interval=1)) == []


def test_check_mode_predicts_and_changes_nothing(nodes):
    result = run(nodes, check_mode=True, accept_downtime=True)
    assert result['changed'] is True and changes(nodes.api) == []
    assert result['diff']['after']['172.30.250.21'] == {'openvstorage': NEW, 'alba': ALBA_NEW,
                                                        'volumedriver-no-dedup-server': VD_NEW}
    assert nodes.runs == [] and nodes.apt.versions == INSTALLED


def test_update_runs_waits_and_a_rerun_is_unchanged(nodes):
    system.write_text(paths.UPDATE_LOG, u'2026-11-01 older run\n+++ Finished updating +++\n')
    client = Client(nodes.api.api, down=1)
    result = run(nodes, client, task_timeout=900, accept_downtime=True)
    assert result['changed'] is True
    assert changes(nodes.api) == [('POST', 'update_components', dict(components=['framework', 'storagedriver',
                                                                                   'alba']))]
    assert result['update_log'][0].endswith(' - ctl01 - {0} - update/lib_update - INFO - +++ Starting update '
                                            '+++'.format(os.getpid()))
    assert 'older run' not in ' '.join(result['update_log'])
    # tasks waited for: 600 s to read, a short look (30 s) while the update runs, the module's timeout to start it
    assert set(client.timeouts) == {600, 30, 900}
    assert result['msg'].startswith('Updated framework, storagedriver, alba: ') and 'Finished updating' in result['msg']
    assert nodes.apt.versions == REPOSITORY
    again = run(nodes, accept_downtime=True)
    assert again['changed'] is False and again['msg'].startswith('Nothing to update')
    assert len(changes(nodes.api)) == 1


LOG_LINE = r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \d{6} \+0000 - ctl01 - \d+ - update/lib_update - ERROR - '


def test_a_failed_update_fails_with_the_log_text(nodes):
    nodes.apt.broken.add('alba')
    with pytest.raises(UpdateError) as exc:
        run(nodes, accept_downtime=True)
    lines = str(exc.value)[len('The update of framework, storagedriver, alba failed: '):].split(' | ')
    assert str(exc.value).startswith('The update of framework, storagedriver, alba failed: ')
    # the last 5 error lines of the run, then its last line
    failed = 'Installing alba failed: E: Sub-process /usr/bin/dpkg returned an error code (1)'
    texts = ['StorageRouter {0}: Updating packages failed: {1}'.format(ip, failed) for ip in ROUTER_IPS[1:]]
    texts += ['ALBA Node {0}: Updating packages failed: {1}'.format(STR01, failed),
              'Error during update: Installing the packages failed on 1 or more nodes',
              'Failed to update. Please check all the logs for more information']
    assert len(lines) == len(texts) and all(re.match(LOG_LINE + re.escape(text) + '$', line)
                                            for line, text in zip(lines, texts)), lines


def test_without_the_log_on_this_host_the_versions_tell(nodes, tmp_path):
    elsewhere = str(tmp_path / 'none' / 'update.log')
    result = run(nodes, update_log=elsewhere, accept_downtime=True)
    assert result['changed'] is True and result['msg'].endswith('packages at candidate')
    nodes.apt.repository.update(alba='1.5.39-1', openvstorage='2.7.22-1')
    nodes.apt.broken.add('alba')
    with pytest.raises(UpdateError, match=r'ended but packages are not at their candidate: 127\.0\.0\.1 alba '
                                          r'1\.5\.38-1 -> 1\.5\.39-1; 172\.30\.250\.11 alba 1\.5\.38-1 -> 1\.5\.39-1'):
        run(nodes, update_log=elsewhere, accept_downtime=True)


def test_an_update_that_does_not_end_times_out(nodes, monkeypatch):
    monkeypatch.setattr(update, 'start_background', lambda components: None)  # the run never starts
    with pytest.raises(UpdateError, match='did not end within 5 s'):
        run(nodes, accept_downtime=True, task_timeout=5)


def run_main(server, tmp_path, **options):
    return run_api_module(ovs_update.main, server, tmp_path, **options)


def test_main_reports_through_the_api_tasks(nodes, tmp_path):
    status, result, dummy = run_main(nodes.api, tmp_path, diff=True)
    assert status == 'exit' and result['changed'] is False, result
    assert sorted(result['metadata']) == ['cmp01', 'ctl01', 'ctl02', 'ctl03']
    assert result['downtime'] == DOWNTIME
    assert result['diff']['after'][STR01] == {'alba': ALBA_NEW}
    assert ('GET', 'refresh_package_information') in [(m, p.split('/')[4]) for m, p, b in nodes.api.requests
                                                        if p.startswith('/api/storagerouters/') and p.count('/') > 4]


def test_main_refuses_downtime_and_unknown_components(nodes, tmp_path):
    expect_fail(run_main, nodes.api, tmp_path, 'Refusing to update without accept_downtime: the update brings '
                'downtime: ' + '; '.join(DOWNTIME), state='updated')
    assert changes(nodes.api) == []
    result = expect_fail(run_main, nodes.api, tmp_path, "Invalid options: components: 'gui' is not a component",
                         components=['gui'])
    assert result['errors']
