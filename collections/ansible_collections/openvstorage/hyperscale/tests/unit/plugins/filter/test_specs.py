# -*- coding: utf-8 -*-
"""The nested argument specs of the roles: what they declare agrees with the modules, the shipped inventories
pass them, every nested option is checked with its whole path, value and what is allowed, and
playbooks/hyperscale.yml stops in its first play (on the control machine) before any node is contacted."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.openvstorage.hyperscale.plugins.filter import specs
from test_storage import changed  # the same deep-copy-and-set helper
from ansible_collections.openvstorage.hyperscale.plugins.modules import (
    alba_backend, alba_preset, ovs_disk, ovs_domain, ovs_node, ovs_vdisk, ovs_vpool,
)

from ansible_collections.openvstorage.hyperscale.tests.unit.paths import COLLECTION, COLLECTIONS_PATH, REPO
BIN = os.path.dirname(sys.executable)


def role_option(role, name, entry='main'):
    with open(os.path.join(COLLECTION, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        return yaml.safe_load(handle)['argument_specs'][entry]['options'][name]


LAYOUT_OPTIONS = dict((name, role_option(role, name)) for role, name in (
    ('domain', 'ovs_domains'), ('backend', 'ovs_backends'), ('vpool', 'ovs_vpools'), ('vdisk', 'ovs_vdisks')))
ROUTER_OPTIONS = {'ovs_disk_roles': role_option('disk', 'ovs_disk_roles'),
                  'ovs_preconfig_extra': role_option('controller', 'ovs_preconfig_extra')}
LAYOUT = {
    'ovs_domains': [{'name': 'room1', 'storagerouters': ['cmp01']}],
    'ovs_backends': [
        {'name': 'hdd', 'asds': [{'disks': ['sdb', 'sdc'], 'asds_per_disk': 2}],
         'presets': [{'name': 'hs-2-1', 'policies': [[1, 0, 1, 1]], 'fragment_size': '4MiB'}]},
        {'name': 'world', 'scaling': 'GLOBAL', 'linked_backends': [
            {'name': 'hdd', 'preset': 'hs-2-1'},
            # GeoScale: a LOCAL backend of another cluster, through an API client of that cluster
            {'name': 'far-hdd', 'preset': 'default', 'cluster': {'api_host': '10.20.0.11', 'client_id': 'c-far',
                                                                 'client_secret': 'FarSecret0123456789'}}]},
    ],
    'ovs_vpools': [{'name': 'vpool01', 'backend': 'hdd', 'preset': 'hs-2-1', 'storagerouters': ['cmp01'],
                    'sco_size': 64, 'writecache_size': 20, 'fragment_cache': {'on_read': True, 'quota': 10 ** 9}}],
    'ovs_vdisks': [{'name': 'disk01', 'vpool': 'vpool01', 'storagerouter': 'cmp01', 'size': '10GiB'}],
}
ROUTER = {'ovs_disk_roles': [{'disk': 'sdb', 'roles': ['DB', 'DTL', 'WRITE']}, {'disk': 'sdc', 'roles': ['SCRUB']}],
          'ovs_preconfig_extra': {'rdma': False, 'logging_target': {'type': 'console'}}}


def errors(layout=None, router=None):
    hostvars = {'ctl01': LAYOUT if layout is None else layout, 'cmp01': ROUTER if router is None else router}
    return (specs.argument_spec_errors(hostvars, LAYOUT_OPTIONS, ['ctl01'], False)
            + specs.argument_spec_errors(hostvars, ROUTER_OPTIONS, ['cmp01']))


def test_the_valid_layout_has_no_errors():
    assert errors() == []


# path in LAYOUT (or ROUTER for ovs_disk_roles / ovs_preconfig_extra), bad value, the whole message
CASES = [
    (('ovs_vpools', 0, 'fragment_cache', 'quota'), -1,
     "ovs_vpools[0].fragment_cache.quota is -1: a positive number of bytes (no quota: leave it out)"),
    (('ovs_vpools', 0, 'block_cache'), {'on_read': 'sometimes'},
     "ovs_vpools[0].block_cache.on_read is 'sometimes': a boolean (true or false)"),
    (('ovs_vpools', 0, 'fragment_cache'), {'size': 5},
     "ovs_vpools[0].fragment_cache is {\"size\": 5}: unknown key(s) size; allowed keys and types: backend (str), "
     "cluster (dict), on_read (bool), on_write (bool), preset (str), quota (int)"),
    (('ovs_vpools', 0, 'fragment_cache'), {'backend': 'far-ssd', 'cluster': {'api_host': '10.20.0.11',
                                                                            'client_id': 'c-far'}},
     "ovs_vpools[0].fragment_cache.cluster.client_secret is missing: it is required (a string)"),
    (('ovs_vpools', 0, 'block_cache'), {'backend': 'far-ssd', 'on_read': True, 'cluster': {
        'api_host': 'far cluster', 'client_id': 'c-far', 'client_secret': 'FarSecret0123456789'}},
     "ovs_vpools[0].block_cache.cluster.api_host is 'far cluster': an IPv4 address or a host name of a controller "
     "of the remote cluster"),
    (('ovs_vpools', 0, 'block_cache'), {'backend': 'far-ssd', 'on_read': True, 'cluster': {
        'api_host': '10.20.0.11', 'api_port': 0, 'client_id': 'c-far', 'client_secret': 'FarSecret0123456789'}},
     "ovs_vpools[0].block_cache.cluster.api_port is 0: an integer from 1 to 65535"),
    (('ovs_vpools', 0, 'block_cache'), {'backend': ['ssd']},
     "ovs_vpools[0].block_cache.backend is [\"ssd\"]: a string"),
    (('ovs_backends', 0, 'accelerated'), 'sometimes',
     "ovs_backends[0].accelerated is 'sometimes': a boolean (true or false)"),
    (('ovs_vpools', 0, 'mds_safety'), 0, "ovs_vpools[0].mds_safety is 0: an integer from 1 to 5"),
    (('ovs_vpools', 0, 'proxies'), 17, "ovs_vpools[0].proxies is 17: an integer from 1 to 16"),
    (('ovs_vpools', 0, 'mds_maxload'), 5, "ovs_vpools[0].mds_maxload is 5: an integer of at least 10"),
    (('ovs_vpools', 0, 'write_buffer'), 'big', "ovs_vpools[0].write_buffer is 'big': an integer"),
    (('ovs_vpools', 0, 'sco_size'), 5, "ovs_vpools[0].sco_size is 5: allowed: 4, 8, 16, 32, 64, 128"),
    (('ovs_vpools', 0, 'name'), None, "ovs_vpools[0].name is missing: it is required (a string)"),
    (('ovs_backends', 0, 'asds', 0, 'asds_per_disk'), 0,
     "ovs_backends[0].asds[0].asds_per_disk is 0: an integer from 1 to 24"),
    (('ovs_backends', 0, 'asds', 0, 'disks'), [],
     "ovs_backends[0].asds[0].disks is []: a non-empty list of disk names of the storage nodes"),
    (('ovs_backends', 0, 'asds', 0, 'disk'), 'sdb',
     "ovs_backends[0].asds[0] is {\"asds_per_disk\": 2, \"disk\": \"sdb\", \"disks\": [\"sdb\", \"sdc\"]}: "
     "unknown key(s) disk; allowed keys and types: asds_per_disk (int), disks (list), hosts (list)"),
    (('ovs_backends', 0, 'name'), 'HDD', "ovs_backends[0].name is 'HDD': 3 to 50 lower-case letters, digits or dashes"),
    (('ovs_backends', 0, 'scaling'), 'REGIONAL', "ovs_backends[0].scaling is 'REGIONAL': allowed: LOCAL, GLOBAL"),
    (('ovs_backends', 1, 'linked_backends', 0, 'preset'), None,
     "ovs_backends[1].linked_backends[0].preset is missing: it is required (a string)"),
    (('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'api_port'), 0,
     "ovs_backends[1].linked_backends[1].cluster.api_port is 0: an integer from 1 to 65535"),
    (('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'api_port'), 'https',
     "ovs_backends[1].linked_backends[1].cluster.api_port is 'https': an integer"),
    (('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'api_host'), 'far cluster',
     "ovs_backends[1].linked_backends[1].cluster.api_host is 'far cluster': an IPv4 address or a host name of a "
     "controller of the remote cluster"),
    (('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'api_host'), '10.20.0.256',
     "ovs_backends[1].linked_backends[1].cluster.api_host is '10.20.0.256': an IPv4 address or a host name"),
    (('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'client_secret'), None,
     "ovs_backends[1].linked_backends[1].cluster.client_secret is missing: it is required (a string)"),
    (('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'client_id'), None,
     "ovs_backends[1].linked_backends[1].cluster.client_id is missing: it is required (a string)"),
    (('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'client_secret'), ['FarSecret0123456789'],
     "ovs_backends[1].linked_backends[1].cluster.client_secret is ********: a string"),
    (('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'validate_certs'), 'perhaps',
     "ovs_backends[1].linked_backends[1].cluster.validate_certs is 'perhaps': a boolean (true or false)"),
    (('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'user'), 'admin',
     "ovs_backends[1].linked_backends[1].cluster is {\"api_host\": \"10.20.0.11\", \"client_id\": \"c-far\", "
     "\"client_secret\": \"********\", \"user\": \"admin\"}: unknown key(s) user; allowed keys and types: "
     "api_host (str), api_port (int), ca_path (path), client_id (str), client_secret (str), validate_certs (bool)"),
    (('ovs_backends', 1, 'linked_backends', 1, 'cluster'), 'far',
     "ovs_backends[1].linked_backends[1].cluster is 'far': a dictionary with the keys api_host, api_port"),
    (('ovs_backends', 0, 'presets', 0, 'policies'), [[3, 0, 2, 1]],
     "ovs_backends[0].presets[0].policies[0] is [3, 0, 2, 1]: Policy [k, m, c, x] does not match: "
     "it does not match the requirement k <= c <= (k + m)"),
    (('ovs_backends', 0, 'presets', 0, 'policies'), [[1, 0, True, 1]],
     "ovs_backends[0].presets[0].policies[0] is [1, 0, true, 1]: Policy [k, m, c, x] does not match: "
     "a policy is exactly 4 integers [k, m, c, x]"),
    (('ovs_backends', 0, 'presets', 0, 'fragment_size'), '2GiB',
     "ovs_backends[0].presets[0].fragment_size is '2GiB': bytes (or a size such as 4MiB) from 16 to 1 GiB"),
    (('ovs_backends',), {'name': 'x'}, "ovs_backends is {\"name\": \"x\"}: a list of dictionaries with the keys"),
    (('ovs_domains', 0, 'name'), ' ', "ovs_domains[0].name is ' ': a non-empty name"),
    (('ovs_domains', 0, 'state'), 'gone', "ovs_domains[0].state is 'gone': allowed: present, absent"),
    (('ovs_vdisks', 0, 'name'), 'a', "ovs_vdisks[0].name is 'a': letters, digits, - or _, at least 3"),
    (('ovs_vdisks', 0, 'size'), '65TiB', "ovs_vdisks[0].size is '65TiB': bytes or a size such as 10GiB, more than 0 "
                                         "and at most 64 TiB"),
    (('ovs_vdisks', 0, 'snapshots'), [['a']], "ovs_vdisks[0].snapshots[0] is [\"a\"]: a string"),
    (('ovs_vdisks', 0, 'clone_from'), {'vdisk': 'x'},
     "ovs_vdisks[0] is {\"clone_from\": {\"vdisk\": \"x\"}, \"name\": \"disk01\", \"size\": \"10GiB\", "
     "\"storagerouter\": \"cmp01\", \"vpool\": \"vpool01\"}: unknown key(s) clone_from; allowed keys and types: "
     "name (str), size (raw), snapshots (list), state (str), storagerouter (str), vpool (str)"),
    (('ovs_disk_roles', 0, 'roles'), ['DB', 'READ'],
     "ovs_disk_roles of cmp01[0].roles[1] is 'READ': READ no longer exists (since late 2016); allowed: DB, DTL, "
     "SCRUB, WRITE"),
    (('ovs_disk_roles', 0, 'roles'), ['BACKEND'], "ovs_disk_roles of cmp01[0].roles[0] is 'BACKEND': BACKEND is set "
                                                  "by the system, not by users"),
    (('ovs_disk_roles', 0, 'roles'), ['CACHE'],
     "ovs_disk_roles of cmp01[0].roles[0] is 'CACHE': allowed: DB, DTL, SCRUB, WRITE"),
    (('ovs_disk_roles', 1, 'disk'), None, "ovs_disk_roles of cmp01[1].disk is missing: it is required (a string)"),
    (('ovs_preconfig_extra', 'logging_target', 'type'), 'syslog',
     "ovs_preconfig_extra of cmp01.logging_target.type is 'syslog': allowed: console, file, redis"),
    (('ovs_preconfig_extra', 'hypervisor_ip'), '10.0.0.1',
     "ovs_preconfig_extra of cmp01 is {\"hypervisor_ip\": \"10.0.0.1\", \"logging_target\": {\"type\": \"console\"}, "
     "\"rdma\": false}: unknown key(s) hypervisor_ip; allowed keys and types: enable_heartbeats (bool), "
     "external_config (str), logging_target (dict), rdma (bool)"),
    (('ovs_preconfig_extra', 'rdma'), 'perhaps', "ovs_preconfig_extra of cmp01.rdma is 'perhaps': a boolean"),
]


@pytest.mark.parametrize('path, value, message', CASES, ids=['.'.join(str(p) for p in c[0]) + '=' + repr(c[1])
                                                               for c in CASES])
def test_each_nested_option_is_named_with_its_value_and_what_is_allowed(path, value, message):
    if path[0] in ROUTER:
        found = errors(router=changed(path, value, ROUTER))
    else:
        found = errors(layout=changed(path, value, LAYOUT))
    assert len(found) == 1 and found[0].startswith(message), found


def test_no_error_shows_the_secret_of_a_remote_cluster():
    secret = LAYOUT['ovs_backends'][1]['linked_backends'][1]['cluster']['client_secret']
    found = []
    for path, value, dummy in CASES:
        if path[0] not in ROUTER:
            found += errors(layout=changed(path, value, LAYOUT))
    found += errors(layout=changed(('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'client_secret'),
                                   {'a': secret}, LAYOUT))
    assert found and not [e for e in found if secret in e]


def test_ansible_conversions_are_accepted():
    """What Ansible itself converts ('yes', '64') passes, as it does for the modules."""
    layout = changed(('ovs_vpools', 0, 'shrink'), 'yes', changed(('ovs_vpools', 0, 'sco_size'), '64', LAYOUT))
    assert errors(layout=layout) == []


# role option -> (module argument spec, options that differ on purpose: the role converts them)
AGREEMENT = [
    (LAYOUT_OPTIONS['ovs_domains']['options'], ovs_domain.argument_spec(), ()),
    (LAYOUT_OPTIONS['ovs_vpools']['options'], ovs_vpool.argument_spec(), ()),
    (LAYOUT_OPTIONS['ovs_vdisks']['options'], ovs_vdisk.argument_spec(), ()),
    (LAYOUT_OPTIONS['ovs_backends']['options'], alba_backend.argument_spec(), ()),
    (LAYOUT_OPTIONS['ovs_backends']['options']['presets']['options'], alba_preset.argument_spec(),
     ('fragment_size',)),  # a size such as 4MiB, converted to bytes by the role
    (ROUTER_OPTIONS['ovs_disk_roles']['options'], ovs_disk.argument_spec(), ()),
    (ROUTER_OPTIONS['ovs_preconfig_extra']['options'], ovs_node.argument_spec(), ()),
]


def _agreement_problems(role_options, module_options, converted, where=''):
    problems = []
    for name, spec in role_options.items():
        module = module_options.get(name)
        if module is None or name in converted:
            continue
        for key in ('type', 'elements', 'choices'):
            if spec.get(key) is not None and module.get(key) is not None and spec[key] != list(module[key]) \
                    and spec[key] != module[key]:
                problems.append('{0}{1}.{2}: role {3!r}, module {4!r}'.format(where, name, key, spec[key], module[key]))
        if spec.get('options') and module.get('options'):
            problems += _agreement_problems(spec['options'], module['options'], (), where + name + '.')
    return problems


@pytest.mark.parametrize('index', range(len(AGREEMENT)))
def test_the_role_specs_agree_with_the_modules(index):
    role_options, module_options, converted = AGREEMENT[index]
    assert set(role_options) & set(module_options), 'nothing compared'
    assert _agreement_problems(role_options, module_options, converted) == []


def test_every_nested_option_is_documented():
    def undocumented(options, where):
        missing = []
        for name, spec in options.items():
            if not spec.get('description'):
                missing.append(where + name)
            missing += undocumented(spec.get('options') or {}, where + name + '.')
        return missing
    assert undocumented(dict(LAYOUT_OPTIONS, **ROUTER_OPTIONS), '') == []


def inventory(path):
    out = subprocess.run([os.path.join(BIN, 'ansible-inventory'), '-i', path, '--list'],
                         stdout=subprocess.PIPE, check=True, universal_newlines=True).stdout
    data = json.loads(out)
    groups = dict((g, data[g]['hosts']) for g in ('controllers', 'computenodes', 'storagenodes'))
    return groups, data['_meta']['hostvars']


@pytest.mark.parametrize('name', ['demo', 'example'])
def test_the_shipped_inventories_pass_the_nested_specs(name):
    groups, hostvars = inventory(os.path.join(REPO, 'inventories', name))
    framework = groups['controllers'] + groups['computenodes']
    assert specs.argument_spec_errors(hostvars, LAYOUT_OPTIONS, groups['controllers'][:1], False) == []
    assert specs.argument_spec_errors(hostvars, ROUTER_OPTIONS, framework) == []


# ---- playbooks/hyperscale.yml on the control machine only ---------------------------------------------------
# The hosts use the local connection, addresses on the loopback, no SSH probe and a repository URL that
# refuses connections: a run that got past the first play would stop at the read-only repository probe of
# the preflight, and each case checks that the run never got there.
NODE_VARS = {'ctl01': {'ovs_node_ip': '127.0.0.11', 'hypervisor_name': 'mas01',
                       'ovs_disk_roles': [{'disk': 'sdb', 'roles': ['DB']}]},
             'cmp01': {'ovs_node_ip': '127.0.0.21', 'hypervisor_name': 'hyp01', 'ovs_disk_roles': ROUTER['ovs_disk_roles']},
             'str01': {'ovs_node_ip': '127.0.0.31', 'api_port': 8500, 'excellerated_backend': False}}
CLUSTER_VARS = {'ansible_connection': 'local', 'cluster_password': 'secret', 'cluster_type': 'KVM',
                'install_master_ip': '127.0.0.11', 'ovs_check_master_login': False,
                'ovs_repository_url': 'http://127.0.0.1:9/'}


def write_inventory(tmp_path, layout, node_vars=None):
    kinds = {'controllers': 'ctl01', 'computenodes': 'cmp01', 'storagenodes': 'str01'}
    node_vars = node_vars or NODE_VARS
    children = dict((kind, {'hosts': {host: node_vars[host]}}) for kind, host in kinds.items())
    cluster_vars = dict(CLUSTER_VARS, **layout)
    path = tmp_path / 'hosts.yml'
    # localhost is named so that --limit localhost can run the first play alone
    path.write_text(yaml.safe_dump({'all': {'hosts': {'localhost': {'ansible_connection': 'local'}},
                                            'children': {'cluster': {'children': children, 'vars': cluster_vars}}}}))
    return str(path)


def run_playbook(inventory_path, *args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0', ANSIBLE_CALLBACK_RESULT_FORMAT='json', ANSIBLE_RETRY_FILES_ENABLED='0')
    cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory_path,
           os.path.join(COLLECTION, 'playbooks', 'hyperscale.yml')] + list(args)
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, env=env,
                          timeout=300, check=False)
    return done.returncode, done.stdout


NODE_PLAY = 'PLAY [Validate the nodes'


def case(path):
    return next(c for c in CASES if c[0] == path)


@pytest.mark.parametrize('path, value, message', [
    case(('ovs_vpools', 0, 'fragment_cache', 'quota')), case(('ovs_backends', 0, 'name')),
    case(('ovs_disk_roles', 0, 'roles')), case(('ovs_backends', 1, 'linked_backends', 1, 'cluster', 'user'))],
    ids=['fragment cache quota -1', 'backend name', 'READ disk role', 'unknown key of a remote cluster'])
def test_hyperscale_stops_in_the_first_play_naming_the_nested_option(tmp_path, path, value, message):
    if path[0] in ROUTER:
        node_vars = dict(NODE_VARS, cmp01=changed(path, value, NODE_VARS['cmp01']))
        rc, output = run_playbook(write_inventory(tmp_path, LAYOUT, node_vars))
    else:
        rc, output = run_playbook(write_inventory(tmp_path, changed(path, value, LAYOUT)))
    assert rc != 0, output[-3000:]
    assert message in output.replace('\\"', '"'), output[-3000:]
    assert LAYOUT['ovs_backends'][1]['linked_backends'][1]['cluster']['client_secret'] not in output
    assert NODE_PLAY not in output, 'a node play started: ' + output[-3000:]


@pytest.mark.parametrize('flag, message', [
    ('maybe', "excellerated_backend of str01 is 'maybe': a boolean (true or false)"),
    (True, 'excellerated_backend is true on str01 but no LOCAL backend of ovs_backends has accelerated: true'),
])
def test_hyperscale_stops_in_the_first_play_on_the_excellerated_backend_flag(tmp_path, flag, message):
    node_vars = dict(NODE_VARS, str01=dict(NODE_VARS['str01'], excellerated_backend=flag))
    rc, output = run_playbook(write_inventory(tmp_path, LAYOUT, node_vars))
    assert rc != 0, output[-3000:]
    assert message in output.replace('\\"', '"'), output[-3000:]
    assert NODE_PLAY not in output, 'a node play started: ' + output[-3000:]


def test_a_valid_inventory_passes_the_first_play_and_reports_the_unused_variables_once(tmp_path):
    rc, output = run_playbook(write_inventory(tmp_path, LAYOUT), '--limit', 'localhost')
    assert rc == 0, output[-3000:]
    assert NODE_PLAY not in output or 'skipping: no hosts matched' in output
    # hosts in the order of the inventory's group cluster (the YAML lists computenodes first)
    for name, hosts in (('cluster_type', 'cmp01, ctl01, str01'), ('hypervisor_name', 'cmp01, ctl01')):
        assert output.count('NOTE: {0} (set on {1})'.format(name, hosts)) == 1, output
    # excellerated_backend is used (Accelerated ALBA): not reported
    assert 'NOTE: excellerated_backend' not in output
    # passing checks are labelled with what was checked, not with a failure text
    assert '(item=at least one controller)' in output and 'is empty' not in output
