# -*- coding: utf-8 -*-
"""The ``alba`` CLI of a controller for the FakeHost of module_harness, on the state of a FakeAlbaOvs.

Answers as ``alba <command> --config=<ABM url> --to-json`` does (reference section 7; alba
ocaml/src/alba.ml): stdout ``{"success": true, "result": ...}``, a failure as
``{"success": false, "error": {"message", "exception_type", "exception_code"}}`` with exit code 0.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

from ansible_collections.openvstorage.hyperscale.tests.unit.module_harness import FakeHost

ABM_URL = re.compile(r'^arakoon://([^/]+)/ovs/arakoon/(.+)-abm/config\?ini=%2Fopt%2FOpenvStorage%2Fconfig%2F'
                     r'arakoon_cacc\.ini$')
BINS = {'alba': '/usr/bin/alba', 'ovs': '/usr/bin/ovs'}


def _options(argv):
    options, long_ids, flags = {}, [], []
    for arg in argv[2:]:
        name, equals, value = arg[2:].partition('=')
        if name == 'long-id':
            long_ids.append(value)
        elif equals:
            options[name] = value
        else:
            flags.append(name)
    return options, long_ids, flags


def _failure(message, kind='unknown', code=0):
    return 0, json.dumps({'success': False, 'error': {'message': message, 'exception_type': kind,
                                                      'exception_code': code}}), ''


def alba_answer(ovs, cluster_id='config'):
    """A FakeHost answer for ``alba ...`` on the backends, nodes and namespaces of ``ovs``."""
    def answer(argv, kwargs):
        options, long_ids, flags = _options(argv)
        match = ABM_URL.match(options.get('config', ''))
        names = dict((ovs.backend_name(ab), guid) for guid, ab in ovs.albabackends.items())
        if 'to-json' not in flags:
            return 1, '', 'alba: --to-json expected by this fake'
        if not match or match.group(1) != cluster_id or match.group(2) not in names:
            return _failure('Failure("Could not retrieve the Arakoon config at {0}")'.format(options.get('config')))
        guid = names[match.group(2)]
        if argv[1] == 'list-osds':
            claimed = ovs.claimed_osds(guid)
            return 0, json.dumps({'success': True, 'result': [
                {'id': index, 'long_id': long_id, 'node_id': node['node_id'], 'kind': 'AsdV1', 'decommissioned': False}
                for index, (long_id, (node, dummy)) in enumerate(sorted(claimed.items()))]}), ''
        if argv[1] == 'get-disk-safety':
            if 'include-decommissioning-as-dead' not in flags:
                return 1, '', 'alba: --include-decommissioning-as-dead expected by this fake'
            try:
                result = ovs.disk_safety(guid, long_ids)
            except RuntimeError as exc:
                return _failure(str(exc))
            return 0, json.dumps({'success': True, 'result': result}), ''
        return 1, '', 'alba: unknown command `{0}\'.'.format(argv[1])
    return answer


def controller_host(ovs, cluster_id='config'):
    """A FakeHost with ``alba`` on ``ovs`` and ``ovs config list /ovs/arakoon`` listing the ABM clusters."""
    host = FakeHost(bins=BINS)
    host.answers.append((lambda argv: argv[0] == BINS['alba'], alba_answer(ovs, cluster_id)))

    def arakoon_clusters(argv, kwargs):
        names = ['config', 'ovsdb'] + ['{0}-abm'.format(ovs.backend_name(ab)) for ab in ovs.albabackends.values()]
        return 0, '\n'.join(sorted(names)) + '\n', ''
    host.on(['config', 'list', '/ovs/arakoon'], arakoon_clusters)
    return host


def safety_layout(ovs):
    """Backend be1 with str01 (2 ASDs on sdc, 1 on sdb) and str02 (1 ASD, ``other``); namespace ns-a spread over
    the four survives 3 lost OSDs, ns-b on sdb and other survives 1, ns-empty holds no object."""
    ovs.be1 = ovs.make_backend('be1')
    ovs.str01 = ovs.add_node('AsDnOdE000000001', '172.30.250.31')
    ovs.str02 = ovs.add_node('StRnOdE000000002', '172.30.250.32')
    sdc, sdb = 'ata-QEMU_HARDDISK_AsDn-sdc', 'ata-QEMU_HARDDISK_AsDn-sdb'
    ovs.sdc = [ovs.make_asd(ovs.str01, sdc, claimed_by=ovs.be1) for dummy in range(2)]
    ovs.sdb = ovs.make_asd(ovs.str01, sdb, claimed_by=ovs.be1)
    ovs.other = ovs.make_asd(ovs.str02, 'ata-QEMU_HARDDISK_StRn-sdb', claimed_by=ovs.be1)
    ovs.add_namespace(ovs.be1, 'ns-a', ovs.sdc + [ovs.sdb, ovs.other], spare=3)
    ovs.add_namespace(ovs.be1, 'ns-b', [ovs.sdb, ovs.other], spare=1)
    ovs.add_namespace(ovs.be1, 'ns-empty', [], spare=2)
    return ovs
