# -*- coding: utf-8 -*-
"""ovs_update: every refusal before a change, check mode, the update followed to its end (API answers in the
shapes of the framework's update API: tasks whose results are the metadata, merged packages and information)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsApiUnreachable
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_packages import compare_versions
from ansible_collections.openvstorage.hyperscale.plugins.modules import ovs_update
from ansible_collections.openvstorage.hyperscale.plugins.modules.ovs_update import UpdateError
from ansible_collections.openvstorage.hyperscale.tests.unit.fake_ovs_api import (
    TASK_PENDING,
    TASK_SUCCESS,
    FakeApiServer,
    Handler,
)
from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import expect_fail, run_api_module

ROUTERS = [dict(guid='g-ctl01', name='ctl01', ip='10.0.0.11', node_type='MASTER'),
           dict(guid='g-cmp01', name='cmp01', ip='10.0.0.21', node_type='EXTRA')]
OLD, NEW = '2.7.20-1', '2.7.21-1'


def merged(installed, candidate):
    """merge_package_information: the routers and a storage node (ALBA plugin part)."""
    pair = dict(installed=installed, candidate=candidate)
    alba = dict(installed='1.5.37-1', candidate='1.5.38-1' if installed != candidate else '1.5.37-1')
    return {'10.0.0.11': {'framework': {'openvstorage': dict(pair)}, 'alba': {'alba': dict(alba)}},
            '10.0.0.21': {'framework': {'openvstorage': dict(pair)},
                          'storagedriver': {'volumedriver-no-dedup-server': dict(pair)}},
            '10.0.0.31': {'alba': {'openvstorage-sdm': dict(pair)}}}


def information(downtime=(), prerequisites=()):
    info = dict((c, dict(downtime=[], prerequisites=[])) for c in ('framework', 'storagedriver', 'alba'))
    info['storagedriver']['downtime'] = [list(d) for d in downtime]
    info['framework']['prerequisites'] = [list(p) for p in prerequisites]
    return info


class FakeCluster(object):
    """The update API of a cluster; ``update_components`` runs an update over the next polls and logs it."""

    def __init__(self, log_path, packages=None, info=None, metadata=None, fails=False):
        self.packages = packages if packages is not None else merged(OLD, NEW)
        self.info = info if info is not None else information()
        self.metadata = metadata or dict((r['guid'], dict(at_ok=True, reachable=True, update_ongoing=False))
                                         for r in ROUTERS)
        self.log_path, self.fails = log_path, fails
        self.calls, self.tasks, self.phase, self.timeouts = [], {}, None, []

    def list(self, resource, contents=None):
        self.calls.append(('list', resource))
        return copy.deepcopy(ROUTERS)

    def _task(self, result):
        task_id = 'task-{0}'.format(len(self.tasks))
        self.tasks[task_id] = copy.deepcopy(result)
        return task_id

    def get(self, path):
        guid, action = path.split('/')[1:3]
        self.calls.append(('get', action))
        if self.phase is not None:
            self.advance()
        answers = dict(get_update_metadata=lambda: self.metadata[guid],
                       refresh_package_information=lambda: None,
                       merge_package_information=lambda: self.packages,
                       get_update_information=lambda: self.info)
        return self._task(answers[action]())

    def wait_for_task(self, task_id, timeout):
        self.timeouts.append(timeout)
        return self.tasks.pop(task_id)

    def post(self, path, data=None):
        self.calls.append(('post', path.split('/')[-1], data))
        self.phase = 0
        return self._task(None)

    def _log(self, *lines):
        with open(self.log_path, 'a') as handle:
            handle.write(''.join('2026-11-28 14:00:00 - update - {0}\n'.format(line) for line in lines))

    def advance(self):
        """Phase 0: starting (API down once); 1: running; 2: done (log written, versions at candidate)."""
        self.phase += 1
        if self.phase == 1:
            self._log('+++ Starting update +++')
            for meta in self.metadata.values():
                meta['update_ongoing'] = True
            raise OvsApiUnreachable('API down while the update runs')
        if self.phase == 20:
            for meta in self.metadata.values():
                meta['update_ongoing'] = False
            if self.fails:
                self._log('Error during update: Installing the packages failed on 1 or more nodes',
                          'Failed to update. Please check all the logs for more information')
            else:
                self.packages = merged(NEW, NEW)
                self._log('+++ Finished updating +++')

    def changes(self):
        return [call for call in self.calls if call[0] == 'post']


class FakeModule(object):
    def __init__(self, tmp_path, check_mode=False, **params):
        self.params = dict(state='updated', components=['framework', 'storagedriver', 'alba'], accept_downtime=False,
                           refresh=True, task_timeout=60, poll_interval=1, update_log=str(tmp_path / 'update.log'))
        self.params.update(params)
        self.check_mode = check_mode


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(ovs_update.time, 'sleep', lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    monkeypatch.setattr(ovs_update.time, 'time', lambda: clock[0])


def refused(tmp_path, cluster, text, **params):
    with pytest.raises(UpdateError) as exc:
        ovs_update.run(FakeModule(tmp_path, **params), cluster)
    assert text in str(exc.value), str(exc.value)
    assert cluster.changes() == []
    return str(exc.value)


@pytest.mark.parametrize('left, right, order', [
    ('2.7.20-1', '2.7.21-1', -1), ('2.7.21-1', '2.7.20-1', 1), ('1.0-1', '1.0-1', 0), ('1:0.9', '2.0', 1),
    ('1.0~rc1', '1.0', -1), ('1.0a', '1.0+', -1), ('1.10', '1.9', 1), ('1.0-10', '1.0-9', 1), ('1.0', '1.0-0', 0),
])
def test_debian_version_order(left, right, order):
    assert compare_versions(left, right) == order


def test_checked_reports_and_changes_nothing(tmp_path):
    cluster = FakeCluster(str(tmp_path / 'update.log'), info=information(downtime=[('voldrv', 'vpool01')]))
    result = ovs_update.run(FakeModule(tmp_path, state='checked'), cluster)
    assert result['changed'] is False and cluster.changes() == []
    assert result['components_pending'] == ['framework', 'storagedriver', 'alba']
    assert result['downtime'] == ['vPool vpool01 will be unavailable']
    assert result['packages']['10.0.0.31'] == {'openvstorage-sdm': dict(installed=OLD, candidate=NEW)}
    assert result['diff']['before']['10.0.0.11'] == {'openvstorage': OLD, 'alba': '1.5.37-1'}
    assert result['diff']['after']['10.0.0.11'] == {'openvstorage': NEW, 'alba': '1.5.38-1'}
    assert sorted(result['metadata']) == ['cmp01', 'ctl01']


def test_components_narrow_the_report(tmp_path):
    cluster = FakeCluster(str(tmp_path / 'update.log'))
    result = ovs_update.run(FakeModule(tmp_path, state='checked', components=['storagedriver']), cluster)
    assert result['packages'] == {'10.0.0.21': {'volumedriver-no-dedup-server': dict(installed=OLD, candidate=NEW)}}
    assert result['components_pending'] == ['storagedriver']


def test_downtime_refused_unless_accepted(tmp_path):
    cluster = FakeCluster(str(tmp_path / 'update.log'),
                          info=information(downtime=[('voldrv', 'vpool01'), ('backend', 'be-local'), ('ovsdb', None)]))
    text = refused(tmp_path, cluster, 'Refusing to update without accept_downtime')
    assert text.endswith('vPool vpool01 will be unavailable; Backend be-local will be unavailable; the framework '
                         'model (ovsdb) will be unavailable')
    result = ovs_update.run(FakeModule(tmp_path, accept_downtime=True), cluster)
    assert result['changed'] is True and result['downtime'][0] == 'vPool vpool01 will be unavailable'


def test_prerequisite_refused_even_with_downtime_accepted(tmp_path):
    cluster = FakeCluster(str(tmp_path / 'update.log'),
                          info=information(prerequisites=[('node_down', 'ctl02'), ('alba_node_unresponsive', '10.0.0.33')]))
    refused(tmp_path, cluster, 'not all prerequisites have been met: framework: node ctl02 is down; framework: '
            'ALBA node 10.0.0.33 does not respond', accept_downtime=True)


@pytest.mark.parametrize('field, value, text', [
    ('update_ongoing', True, 'an update is ongoing (/etc/update_ongoing on cmp01)'),
    ('at_ok', False, 'the command at does not work on cmp01'),
    ('reachable', False, 'storage router(s) cmp01 cannot be reached'),
])
def test_metadata_refusals(tmp_path, field, value, text):
    cluster = FakeCluster(str(tmp_path / 'update.log'))
    cluster.metadata['g-cmp01'][field] = value
    refused(tmp_path, cluster, text, accept_downtime=True)


def test_downgrade_refused(tmp_path):
    packages = merged(OLD, NEW)
    packages['10.0.0.21']['framework']['openvstorage'] = dict(installed='2.7.22-1', candidate=NEW)
    refused(tmp_path, FakeCluster(str(tmp_path / 'update.log'), packages=packages),
            'packages would be downgraded: 10.0.0.21: openvstorage 2.7.22-1 is installed, the target has the older '
            '2.7.21-1', accept_downtime=True)


def test_unknown_component_and_bad_numbers_are_invalid_options():
    errors = ovs_update.validate(dict(components=['framework', 'gui'], task_timeout=0, poll_interval=1))
    assert errors == ["components: 'gui' is not a component of the framework; allowed: alba, framework, "
                      "storagedriver", 'task_timeout: 0 is not allowed; allowed is an integer of at least 1']
    assert ovs_update.validate(dict(components=['alba'], task_timeout=1, poll_interval=1)) == []


def test_check_mode_predicts_and_changes_nothing(tmp_path):
    cluster = FakeCluster(str(tmp_path / 'update.log'))
    result = ovs_update.run(FakeModule(tmp_path, check_mode=True), cluster)
    assert result['changed'] is True and cluster.changes() == []
    assert result['diff']['after']['10.0.0.21'] == {'openvstorage': NEW, 'volumedriver-no-dedup-server': NEW}


def test_update_runs_waits_and_a_rerun_is_unchanged(tmp_path):
    log = tmp_path / 'update.log'
    log.write_text(u'2026-11-01 older run\n+++ Finished updating +++\n')
    cluster = FakeCluster(str(log))
    result = ovs_update.run(FakeModule(tmp_path, task_timeout=900), cluster)
    assert result['changed'] is True
    assert cluster.changes() == [('post', 'update_components', dict(components=['framework', 'storagedriver',
                                                                                 'alba']))]
    assert result['update_log'][0].endswith('+++ Starting update +++')
    assert 'older run' not in ' '.join(result['update_log'])
    # tasks waited for: 600 s to read, a short look (30 s) while the update runs, the module's timeout to start it
    assert set(cluster.timeouts) == {600, 30, 900}
    assert result['msg'].startswith('Updated framework, storagedriver, alba: ') and 'Finished updating' in result['msg']
    again = ovs_update.run(FakeModule(tmp_path), cluster)
    assert again['changed'] is False and again['msg'].startswith('Nothing to update')
    assert len(cluster.changes()) == 1


def test_a_failed_update_fails_with_the_log_text(tmp_path):
    cluster = FakeCluster(str(tmp_path / 'update.log'), fails=True)
    with pytest.raises(UpdateError) as exc:
        ovs_update.run(FakeModule(tmp_path), cluster)
    assert str(exc.value) == ('The update of framework, storagedriver, alba failed: 2026-11-28 14:00:00 - update - '
                              'Error during update: Installing the packages failed on 1 or more nodes | 2026-11-28 '
                              '14:00:00 - update - Failed to update. Please check all the logs for more information')


def test_without_the_log_on_this_host_the_versions_tell(tmp_path):
    cluster = FakeCluster(str(tmp_path / 'elsewhere.log'))
    result = ovs_update.run(FakeModule(tmp_path, update_log=str(tmp_path / 'none' / 'update.log')), cluster)
    assert result['changed'] is True and result['msg'].endswith('packages at candidate')
    cluster = FakeCluster(str(tmp_path / 'elsewhere2.log'), fails=True)
    with pytest.raises(UpdateError, match='ended but packages are not at their candidate: 10.0.0.11 alba'):
        ovs_update.run(FakeModule(tmp_path, update_log=str(tmp_path / 'none' / 'update.log')), cluster)


def test_an_update_that_does_not_end_times_out(tmp_path):
    cluster = FakeCluster(str(tmp_path / 'update.log'))
    cluster.advance = lambda: None  # never starts
    with pytest.raises(UpdateError, match='did not end within 60 s'):
        ovs_update.run(FakeModule(tmp_path), cluster)


class UpdateHandler(Handler):
    """The fake framework API with the update calls of a storage router, answered as tasks (as the framework
    does); the answers come from ``server.ovs.update``, a :class:`FakeCluster`."""

    def _api(self, method, path, query, body):
        parts = path.strip('/').split('/')
        if len(parts) == 4 and parts[1] == 'storagerouters' and parts[3] in UPDATE_CALLS:
            cluster = self.ovs.update
            answer = cluster.post(path) if method == 'POST' else cluster.get('storagerouters/{0}/{1}'.format(
                parts[2], parts[3]))
            self.ovs.tasks[answer] = [TASK_PENDING, dict(TASK_SUCCESS, result=cluster.tasks.pop(answer))]
            return self._send(200, answer)
        return super(UpdateHandler, self)._api(method, path, query, body)


UPDATE_CALLS = ('get_update_metadata', 'refresh_package_information', 'merge_package_information',
                'get_update_information', 'update_components')


@pytest.fixture
def server(tmp_path):
    srv = FakeApiServer(str(tmp_path), handler=UpdateHandler)
    guids = srv.ovs.add_controllers(2)
    srv.ovs.update = FakeCluster(str(tmp_path / 'update.log'), info=information(downtime=[('voldrv', 'vpool01')]))
    srv.ovs.update.metadata = dict((g, dict(at_ok=True, reachable=True, update_ongoing=False)) for g in guids)
    srv.start()
    yield srv
    srv.stop()


def test_main_reports_through_the_api_tasks(server, tmp_path):
    status, result, dummy = run_api_module(ovs_update.main, server, tmp_path, diff=True)
    assert status == 'exit' and result['changed'] is False, result
    assert sorted(result['metadata']) == ['ctl01', 'ctl02']
    assert result['downtime'] == ['vPool vpool01 will be unavailable']
    assert result['diff']['after']['10.0.0.31'] == {'openvstorage-sdm': NEW}
    assert ('GET', 'refresh_package_information') in [(m, p.split('/')[4]) for m, p, h in server.ovs.requests
                                                        if p.startswith('/api/storagerouters/') and p.count('/') > 4]


def test_main_refuses_downtime_and_unknown_components(server, tmp_path):
    expect_fail(lambda s, t, **o: run_api_module(ovs_update.main, s, t, **o), server, tmp_path,
                'Refusing to update without accept_downtime: the update brings downtime: vPool vpool01 will be '
                'unavailable', state='updated')
    assert server.ovs.update.changes() == []
    result = expect_fail(lambda s, t, **o: run_api_module(ovs_update.main, s, t, **o), server, tmp_path,
                         "Invalid options: components: 'gui' is not a component", components=['gui'])
    assert result['errors']
