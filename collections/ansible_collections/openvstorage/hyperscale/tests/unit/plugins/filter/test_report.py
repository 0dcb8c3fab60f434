# -*- coding: utf-8 -*-
"""The report of hyperscale.yml: cluster_report_markdown and cluster_topology_svg on the result of
ovs_cluster_info with everything gathered."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import xml.etree.ElementTree as ET

from ansible_collections.openvstorage.hyperscale.plugins.filter import report

GIB = 1024 ** 3
SVG = '{http://www.w3.org/2000/svg}'


def router(name, ip, node_type, domains=(), recovery=()):
    return dict(guid='g-' + name, name=name, ip=ip, machine_id='m-' + name, node_type=node_type, status='OK',
                rdma_capable=False, domains=list(domains), recovery_domains=list(recovery))


def asd(asd_id, claimed_by=None):
    return dict(asd_id=asd_id, status='ok', claimed_by=claimed_by, claimed_by_guid=claimed_by and 'ab-' + claimed_by)


def node(name, ip, asds_sdb, asds_sdc=()):
    def disk(dev, asds):
        return dict(slot_id='ata-QEMU_HARDDISK_%s-%s' % (name, dev), device='/dev/' + dev, size=100 * GIB,
                    mountpoint='/mnt/alba-asd/' + dev if asds else None, status='ok' if asds else 'empty',
                    asds=list(asds))
    return dict(guid='n-' + name, node_id='id' + name, ip=ip, port=8500, type='ASD', name=name,
                disks=[disk('sdb', asds_sdb), disk('sdc', asds_sdc)])


def preset(name, policies, default=False):
    return dict(name=name, policies=policies, compression='snappy', fragment_size=4 * 1024 ** 2,
                is_available=True, is_default=default, in_use=False)


CLUSTER = dict(
    changed=False, cluster_id='Cl0st3rId0123456', release='fargo', api_versions=[9],
    storagerouter_ips=[], plugins={'alba': ['gui', 'api']},
    storagerouters=[router('cmp01', '172.30.250.21', 'EXTRA', ['room1'], ['room2']),
                    router('cmp02', '172.30.250.22', 'EXTRA', ['room2']),
                    router('ctl01', '172.30.250.11', 'MASTER'), router('ctl02', '172.30.250.12', 'MASTER')],
    domains=[dict(guid='d1', name='room1', storagerouters=['cmp01'], recovery_storagerouters=[]),
             dict(guid='d2', name='room2', storagerouters=['cmp02'], recovery_storagerouters=['cmp01'])],
    alba_nodes=[node('str01', '172.30.250.31', [asd('a1', 'hdd'), asd('a2', 'hdd')], [asd('a3')]),
                node('str02', '172.30.250.32', [asd('b1', 'ssd')], [asd('b2', 'hdd')])],
    alba_nodes_discovered=[dict(node_id='idstr03', ip='172.30.250.33', port=8500, type='ASD')],
    backends=[
        dict(guid='ab-hdd', name='hdd', scaling='LOCAL', live_status='running', available=True,
             presets=[preset('default', [[5, 4, 8, 3], [2, 2, 3, 4]], True), preset('hs-2-1', [[2, 1, 2, 1]])],
             osds=['o1', 'o2', 'o3'], usages=dict(free=1, size=2, used=1), linked_backends=[]),
        dict(guid='ab-ssd', name='ssd', scaling='LOCAL', live_status='warning', available=True,
             presets=[preset('default', [[1, 0, 1, 1]], True)], osds=['o4'], usages={}, linked_backends=[]),
        dict(guid='ab-world', name='world', scaling='GLOBAL', live_status='running', available=True,
             presets=[preset('g-1', [[1, 0, 1, 1]], True)], osds=['o5', 'o6'], usages={},
             linked_backends=[dict(guid='ab-hdd', name='hdd', preset='hs-2-1'),
                              dict(guid='ab-ssd', name='ssd', preset='default')]),
    ],
    vpools=[dict(guid='v1', name='vpool01', status='RUNNING', backend='hdd', preset='hs-2-1',
                 configuration=dict(sco_size=128, cluster_size=4, dtl_mode='a_sync', dtl_transport='tcp',
                                    write_buffer=256),
                 storagerouters=['cmp01', 'cmp02'], storagedrivers=[]),
            dict(guid='v2', name='vpool02', status='RUNNING', backend='world', preset='g-1',
                 configuration=dict(sco_size=4, cluster_size=4, dtl_mode='no_sync', dtl_transport='tcp',
                                    write_buffer=128),
                 storagerouters=['cmp02'], storagedrivers=[])],
    vdisks=[dict(guid='vd1', name='disk01', size=10 * GIB, vpool='vpool01', storagerouter='cmp02',
                 snapshots=['gold', ''], parent_vdisk=None, devicename='/disk01.raw'),
            dict(guid='vd2', name='disk02', size=GIB + GIB // 2, vpool='vpool02', storagerouter='cmp02',
                 snapshots=[], parent_vdisk='disk01', devicename='/disk02.raw')],
)


def test_markdown_names_everything():
    text = report.cluster_report_markdown(CLUSTER)
    assert text.startswith('# Open vStorage cluster `Cl0st3rId0123456`\n')
    assert '- Release: fargo\n' in text
    assert '- 4 storage routers, 2 ALBA nodes, 3 backends, 2 vPools, 2 vDisks\n' in text
    assert '| Domain | Storage routers | Recovery storage routers |\n|---|---|---|\n| room1 | cmp01 | - |\n' \
           '| room2 | cmp02 | cmp01 |\n' in text
    assert '| ctl01 | `172.30.250.11` | MASTER | OK | - | - |' in text
    assert '| cmp01 | `172.30.250.21` | EXTRA | OK | room1 | room2 |' in text
    for name in ('str01', 'str02'):
        assert '### %s\n' % name in text
    assert '- disk `ata-QEMU_HARDDISK_str01-sdb` (`/dev/sdb`, 100 GiB): ok\n' \
           '  - ASD `a1`: ok, claimed by hdd\n  - ASD `a2`: ok, claimed by hdd\n' in text
    assert '  - ASD `a3`: ok, not claimed\n' in text
    assert '- disk `ata-QEMU_HARDDISK_str02-sdc` (`/dev/sdc`, 100 GiB): ok\n  - ASD `b2`: ok, claimed by hdd' in text
    assert 'Set up but not registered: `idstr03`' in text
    for backend in ('hdd', 'ssd', 'world'):
        assert '### %s\n' % backend in text
    assert '- Status: warning\n' in text
    assert '- ASDs claimed: 2 on str01, 1 on str02\n' in text
    assert '- Linked backends: hdd (preset hs-2-1), ssd (preset default)\n' in text
    for policies in ('(5, 4, 8, 3), (2, 2, 3, 4)', '(2, 1, 2, 1)', '(1, 0, 1, 1)'):
        assert '| %s | snappy | 4 MiB |' % policies in text
    assert '| vpool01 | RUNNING | hdd | hs-2-1 | cmp01, cmp02 | 128 MiB | 4 KiB | `a_sync` (`tcp`) | 256 MiB |' in text
    assert '| vpool02 | RUNNING | world | g-1 | cmp02 | 4 MiB | 4 KiB | `no_sync` (`tcp`) | 128 MiB |' in text
    # labelled snapshots only (automatic ones have no label)
    assert '| disk01 | vpool01 | 10 GiB | cmp02 | gold | - |' in text
    assert '| disk02 | vpool02 | 1.5 GiB | cmp02 | - | disk01 |' in text
    # nothing volatile: no usage figures
    assert 'free' not in text and 'used' not in text.replace('In use', '')


def test_markdown_of_an_empty_cluster():
    text = report.cluster_report_markdown(dict(cluster_id='x', release='fargo'))
    for empty in ('No domains.', 'No storage routers.', 'No ALBA nodes.', 'No backends.', 'No vPools.', 'No vDisks.'):
        assert '\n%s\n' % empty in text
    assert text.endswith('No vDisks.\n')
    assert '- 0 storage routers, 0 ALBA nodes, 0 backends, 0 vPools, 0 vDisks\n' in text
    one = report.cluster_report_markdown(dict(cluster_id='x', vpools=[dict(name='p')]))
    assert '- 0 storage routers, 0 ALBA nodes, 0 backends, 1 vPool, 0 vDisks\n' in one


def svg_texts(svg):
    root = ET.fromstring(svg.encode('utf-8'))
    assert root.tag == SVG + 'svg'
    return root, [t.text for t in root.iter(SVG + 'text')]


def test_svg_is_valid_stable_and_names_everything():
    first = report.cluster_topology_svg(CLUSTER)
    assert first == report.cluster_topology_svg(copy.deepcopy(CLUSTER))
    root, texts = svg_texts(first)
    for name in ('ctl01', 'ctl02', 'cmp01', 'cmp02', 'str01', 'str02', 'hdd', 'ssd', 'world', 'vpool01', 'vpool02'):
        assert name in texts
    for title in ('Controllers', 'Compute nodes', 'vPools', 'Global backends', 'Local backends', 'Storage nodes'):
        assert title in texts
    # links: vpool01 -> cmp01, cmp02, hdd; vpool02 -> cmp02, world; world -> hdd, ssd; hdd -> str01, str02; ssd -> str02
    edges = [e for e in root.iter() if e.tag in (SVG + 'line', SVG + 'path')]
    assert len(edges) == 10
    assert len([e for e in edges if 'claim' in e.get('class')]) == 3
    # the backends linked into a GLOBAL one: arcs beside their column
    assert [e.tag for e in edges if 'linked' in e.get('class')] == [SVG + 'path'] * 2
    assert 'href' not in first  # self-contained


def test_svg_of_an_empty_cluster_parses():
    root, texts = svg_texts(report.cluster_topology_svg({}))
    assert texts == []


def test_names_are_escaped():
    cluster = copy.deepcopy(CLUSTER)
    cluster['storagerouters'][0]['name'] = 'a<&>"b'
    cluster['vpools'][0]['storagerouters'] = ['a<&>"b', 'cmp02']
    svg = report.cluster_topology_svg(cluster)
    assert 'a&lt;&amp;&gt;"b' in svg
    root, texts = svg_texts(svg)
    assert 'a<&>"b' in texts
    # the renamed storage router keeps its link to vpool01
    assert len([e for e in root.iter() if e.tag in (SVG + 'line', SVG + 'path')]) == 10
    text = report.cluster_report_markdown(cluster)
    assert '| a\\<&amp;\\>"b | `172.30.250.21` |' in text
    assert '| vpool01 | RUNNING | hdd | hs-2-1 | a\\<&amp;\\>"b, cmp02 |' in text


def test_human_size():
    assert report.human_size(0) == '0 B'
    assert report.human_size(1536) == '1.5 KiB'
    assert report.human_size(128, 2) == '128 MiB'
    assert report.human_size(None) == '-'


def geoscale_cluster():
    """CLUSTER with a LOCAL backend of another cluster linked into world (as ovs_cluster_info returns it)."""
    cluster = copy.deepcopy(CLUSTER)
    cluster['backends'][2]['linked_backends'].append(dict(guid='ab-far', name='far-hdd', preset='default',
                                                          remote_host='10.20.0.11'))
    return cluster


def test_markdown_names_a_backend_of_another_cluster_with_its_api_host():
    text = report.cluster_report_markdown(geoscale_cluster())
    assert ('- Linked backends: hdd (preset hs-2-1), ssd (preset default), far-hdd (preset default, cluster at '
            '10.20.0.11)\n') in text
    assert '- 4 storage routers, 2 ALBA nodes, 3 backends,' in text  # not one of this cluster's backends


def test_svg_draws_a_backend_of_another_cluster_under_the_local_ones():
    root, texts = svg_texts(report.cluster_topology_svg(geoscale_cluster()))
    assert 'Backends of other clusters' in texts and 'far-hdd' in texts and 'cluster at 10.20.0.11' in texts
    edges = [e for e in root.iter() if e.tag in (SVG + 'line', SVG + 'path')]
    # world -> hdd, ssd and far-hdd: arcs beside the column of the backends
    assert [e.tag for e in edges if 'linked' in e.get('class')] == [SVG + 'path'] * 3
