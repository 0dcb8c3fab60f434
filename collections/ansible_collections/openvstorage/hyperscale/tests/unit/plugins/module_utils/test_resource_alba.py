# -*- coding: utf-8 -*-
"""The finders and views of ALBA backends and presets (module_utils/alba.py) and ALBA nodes (module_utils/alba_nodes.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.module_utils import alba, alba_nodes
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import OvsTaskError
from ansible_collections.openvstorage.hyperscale.tests.unit.plugins.module_utils.resource_client import RecordingClient

PRESET = dict(name='default', policies=['(5, 4, 8, 3)', '(2, 2, 3, 4)'], compression='snappy',
              fragment_encryption=['aes-cbc-256', 'ff' * 32], fragment_size=1048576, in_use=True, is_default=True,
              is_available=True)
LOCAL = dict(guid='a1', name='local1', backend_guid='b1', scaling='LOCAL', alba_id='id-1', available=True,
             presets=[PRESET], osds_guids=['o1', 'o2'], usages=dict(free=1, size=2, used=1))
GLOBAL = dict(guid='a2', name='global1', backend_guid='b2', scaling='GLOBAL', alba_id='id-2', available=True,
              presets=[], osds_guids=['o3'], linked_backend_guids=['a2', 'a1'], live_status='running')


def test_policy_view_reads_the_api_text_and_keeps_what_is_not_a_policy():
    assert alba.policy_view('(5, 4, 8, 3)') == [5, 4, 8, 3]
    assert alba.policy_view([1, 2, 3, 4]) == [1, 2, 3, 4]
    assert alba.policy_view('garbage(') == 'garbage('


def test_a_preset_is_one_view_without_its_key():
    view = alba.find_preset(LOCAL, 'default')
    assert view == dict(name='default', policies=[[5, 4, 8, 3], [2, 2, 3, 4]], compression='snappy',
                        encryption='aes-cbc-256', fragment_size=1048576, in_use=True, is_default=True,
                        is_available=True)
    assert 'ff' * 32 not in str(view)
    assert alba.find_preset(LOCAL, 'other') is None
    # ovs_cluster_info shows the fields of its RETURN of that same view
    shown = alba.backend_view(LOCAL)['presets'][0]
    assert shown == dict((k, v) for k, v in view.items() if k in alba.PRESET_VIEW_FIELDS)


def test_find_alba_backend_reads_the_list_once_and_the_backend_with_contents():
    client = RecordingClient(lists={'alba/backends': [LOCAL, GLOBAL]},
                             objects={'alba/backends/a1': dict(guid='a1', name='local1', presets=[PRESET])})
    backends = alba.list_alba_backends(client)
    assert alba.find_alba_backend(client, 'local1', 'name,presets', backends)['presets'] == [PRESET]
    assert alba.find_alba_backend(client, 'none1', 'name,presets', backends) is None
    assert [(r[0], r[1], r[2]) for r in client.reads] == [('list', 'alba/backends', 'name'),
                                                          ('get', 'alba/backends/a1', 'name,presets')]
    assert alba.find_alba_backend(client, 'local1', 'presets') is not None  # the list read when not given
    assert client.reads[2][:3] == ('list', 'alba/backends', 'name')


def test_find_backend_reads_the_generic_backend_then_its_alba_backend():
    backend = dict(guid='b1', name='local1', status='RUNNING', alba_backend_guid='a1', backend_type_guid='t1')
    client = RecordingClient(lists=dict(backends=[backend, dict(guid='b9', name='bare', status='NEW')]),
                             objects={'alba/backends/a1': dict(guid='a1', alba_id='id-1', scaling='LOCAL')})
    found = alba.find_backend(client, 'local1', 'alba_id,scaling')
    assert found['backend']['guid'] == 'b1' and found['alba_backend']['guid'] == 'a1'
    assert alba.find_backend(client, 'bare', 'alba_id,scaling') == dict(
        backend=dict(guid='b9', name='bare', status='NEW'), alba_backend=None)
    assert alba.find_backend(client, 'gone', 'alba_id') is None
    assert [(r[0], r[1], r[2]) for r in client.reads] == [
        ('find', 'backends', alba.BACKEND_CONTENTS), ('get', 'alba/backends/a1', 'alba_id,scaling'),
        ('find', 'backends', alba.BACKEND_CONTENTS), ('find', 'backends', alba.BACKEND_CONTENTS)]


def test_backend_views():
    names = dict(a1='local1', a2='global1')
    view = alba.backend_view(GLOBAL, names)
    assert view['linked_backends'] == [dict(guid='a1', name='local1', preset=None, remote_host=None)]
    assert view['live_status'] == 'running' and view['osds'] == ['o3']
    assert 'linked_backends' not in alba.backend_view(GLOBAL)
    summary = alba.backend_summary(dict(backend=dict(guid='b2', name='global1', status='RUNNING'), alba_backend=GLOBAL),
                                   names)
    assert summary == dict(guid='b2', alba_backend_guid='a2', name='global1', scaling='GLOBAL', status='RUNNING',
                           presets=[], linked_backends=['local1'], osds=1)


STACK = {
    'slot-b': dict(device='/dev/sdc', size=10, mountpoint=None, status='empty', osds={}),
    'slot-a': dict(device='/dev/sdb', size=10, mountpoint='/mnt/alba-asd/x', status='ok', available=False,
                   osds={'asd-2': dict(status='ok', claimed_by='a1'), 'asd-1': dict(state='warning', claimed_by=None)}),
}
NODE = dict(guid='n1', node_id='sdm1', ip='10.0.0.31', port=8500, type='ASD', name='str01', stack=STACK)


def test_find_alba_node_registered_or_discovered():
    client = RecordingClient(lists={'alba/nodes': [NODE]})
    assert alba_nodes.find_alba_node(client, 'sdm1')['guid'] == 'n1'
    assert alba_nodes.find_alba_node(client, 'sdm9', discover=True, contents='node_id,ip') is None
    assert [(r[2], r[3]) for r in client.reads] == [(alba_nodes.ALBA_NODE_CONTENTS, None),
                                                     ('node_id,ip', {'discover': True})]


def test_read_node_stack_reads_only_what_the_node_lacks():
    client = RecordingClient(objects={'alba/nodes/n1': dict(guid='n1', stack=STACK)})
    assert alba_nodes.read_node_stack(client, NODE) is STACK
    assert client.reads == []
    assert alba_nodes.read_node_stack(client, dict(guid='n1')) == STACK
    assert client.reads == [('get', 'alba/nodes/n1', 'stack', None)]
    assert alba_nodes.read_node_stack(client, dict(guid=None)) == {}


def test_node_views():
    names = dict(a1='local1')
    view = alba_nodes.alba_node_view(NODE, names)
    assert [d['slot_id'] for d in view['disks']] == ['slot-a', 'slot-b']
    assert view['disks'][0]['asds'] == [
        dict(asd_id='asd-1', status='warning', claimed_by=None, claimed_by_guid=None),
        dict(asd_id='asd-2', status='ok', claimed_by='local1', claimed_by_guid='a1')]
    assert 'disks' not in alba_nodes.alba_node_view(NODE)
    assert alba_nodes.discovered_view(NODE) == dict(node_id='sdm1', ip='10.0.0.31', port=8500, type='ASD')
    assert alba_nodes.node_summary(NODE, STACK, names) == dict(guid='n1', node_id='sdm1', ip='10.0.0.31', slots={
        'slot-a': dict(device='/dev/sdb', asds=2, claimed_by=['local1']),
        'slot-b': dict(device='/dev/sdc', asds=0, claimed_by=[])})


class LinkClient(object):
    """POSTs of link_alba_backends; each task fails with the next text of ``failures`` (the emulator's task text of
    add_osds), then succeeds."""

    def __init__(self, failures):
        self.failures = list(failures)
        self.posts = []

    def post(self, path, data):
        self.posts.append(path)
        return 'task-{0}'.format(len(self.posts))

    def wait_for_task(self, task, timeout):
        if self.failures:
            text = self.failures.pop(0)
            raise OvsTaskError('Open vStorage task {0} ended in FAILURE: {1}'.format(task, text), task_id=task,
                               task_status='FAILURE', result=text)
        return True


NOT_YET = '- No maintenance agents have been deployed for ALBA Backend global'


def test_a_link_is_sent_again_while_the_agents_of_a_new_backend_are_not_deployed():
    client, slept = LinkClient([NOT_YET, NOT_YET]), []
    assert alba.link_alba_backend(client, 'g1', {}, 60, sleep=slept.append, clock=lambda: 0) is True
    assert client.posts == ['alba/backends/g1/link_alba_backends'] * 3 and slept == [alba.POLL_INTERVAL] * 2


def test_a_link_that_fails_otherwise_or_too_long_is_not_sent_again():
    client = LinkClient(['- ALBA Backend global does not have an ABM cluster registered'])
    with pytest.raises(OvsTaskError, match='ABM cluster'):
        alba.link_alba_backend(client, 'g1', {}, 60, sleep=lambda s: None, clock=lambda: 0)
    assert len(client.posts) == 1
    times = iter([0, 30, 61])
    client = LinkClient([NOT_YET] * 5)
    with pytest.raises(OvsTaskError, match='No maintenance agents'):
        alba.link_alba_backend(client, 'g1', {}, 60, sleep=lambda s: None, clock=lambda: next(times))
    assert len(client.posts) == 2
