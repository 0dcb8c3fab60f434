#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2025, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_asd_manager
short_description: Set up (unattended C(asd-manager setup)) or remove the ASD manager of an Open vStorage storage node
version_added: 0.1.0
description:
  - Runs the unattended C(asd-manager setup) of a storage node through C(/opt/asd-manager/config/preconfig.json),
    once. The node then appears in the cluster as a discoverable ASD node.
  - A storage node has no C(ovs) command, so the module decides from the node itself, as the ASD manager does
    (it refuses a second setup with C(The ASD Manager is already installed.)) - the setup is done when the
    C(asd-manager) service has been added and enabled (C(systemctl is-enabled asd-manager); without systemctl,
    when its unit file exists). C(/etc/openvstorage_sdm_id) (the node id) is written by the
    C(openvstorage-sdm) package at install time; the setup registers the node under
    C(/ovs/alba/asdnodes/<node_id>/config/main) in the configuration store.
  - On a set-up node, differences between the options and the settings the node was set up with are reported
    as warnings; they cannot be changed without C(asd-manager remove).
  - All options are validated before anything changes, including the rule of the ASD manager that O(api_port)
    may not lie in [O(asd_start_port), O(asd_start_port) + 100).
  - The preconfiguration file is written with mode C(0600) and kept, because C(asd-manager remove) reads it.
  - O(state=absent) runs C(asd-manager remove --force-yes) - it removes the node's ASDs and disks, the services
    C(alba-maintenance*), C(asd-watcher) and C(asd-manager) and C(/ovs/alba/asdnodes/<node_id>) from the
    configuration store (box C(ASD Manager removal completed)). It does NOT purge the OSDs from their backends -
    remove the ALBA node first (O(openvstorage.hyperscale.alba_node#module:state=absent), which purges them after a
    safety check). With O(ovs_api) the module checks that through the API and refuses while the node is registered
    with claimed OSDs. A manager already removed (C(The ASD Manager has already been removed), or neither its
    service nor its database C(/opt/asd-manager/db/main.db)) is left as it is.
author:
  - Open vStorage HyperScale developers (@openvstorage)
extends_documentation_fragment:
  - openvstorage.hyperscale.attributes
options:
  state:
    description:
      - V(present) sets the ASD manager up once; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  api_ip:
    description:
      - IPv4 address of this node on which the ASD manager API listens. Must be an address of this host.
      - Required with O(state=present).
    type: str
  api_port:
    description:
      - Port of the ASD manager API (1025-65535).
    type: int
    default: 8500
  asd_ips:
    description:
      - IPv4 addresses of this host on which the ASDs listen. Empty means all addresses.
    type: list
    elements: str
    default: []
  asd_start_port:
    description:
      - First port of the ASDs (1025-65435); the ASDs use the 100 ports from it.
    type: int
    default: 8600
  ipmi:
    description:
      - IPMI access of the node, stored by the ASD manager.
    type: dict
    suboptions:
      ip:
        description: IPv4 address of the IPMI interface.
        type: str
        required: true
      username:
        description: IPMI user.
        type: str
        required: true
      pwd:
        description: IPMI password.
        type: str
        required: true
  preconfig_path:
    description:
      - Path of the preconfiguration file read by C(asd-manager setup).
    type: path
    default: /opt/asd-manager/config/preconfig.json
  config_client:
    description:
      - The client configuration of the configuration store (the content of a controller's
        C(/opt/OpenvStorage/config/arakoon_cacc.ini)), through which the ASD manager finds the cluster. With
        O(state=present) it is written to this node when it differs (predicted in check mode), before the setup;
        without it the file must be there already.
    type: str
  ovs_api:
    description:
      - With O(state=absent), the framework API through which the module checks that this node is no longer an
        ALBA node with claimed OSDs (C(GET /api/alba/nodes/)). Without it the caller must have removed the ALBA
        node first.
      - The same options as the API modules of the collection (doc fragment C(openvstorage.hyperscale.ovs_api)).
    type: dict
    suboptions:
      api_host:
        description: Address or name of a controller that serves the API.
        type: str
        required: true
      api_port:
        description: HTTPS port of the API.
        type: int
        default: 443
      api_version:
        description: API version of the C(Accept) header.
        type: int
        default: 9
        choices: [6, 7, 8, 9, 10]
      api_username:
        description: User for the OAuth2 password grant; or O(ovs_api.api_client_id).
        type: str
      api_password:
        description: Password of O(ovs_api.api_username).
        type: str
      api_client_id:
        description: Client id for the OAuth2 client credentials grant.
        type: str
      api_client_secret:
        description: Secret of O(ovs_api.api_client_id).
        type: str
      validate_certs:
        description: Verify the TLS certificate of the API.
        type: bool
        default: true
      ca_path:
        description: PEM file with the CA certificate(s) of the API.
        type: path
      api_timeout:
        description: Timeout in seconds of each HTTP request.
        type: int
        default: 60
      api_token_cache:
        description: File on this host where the access token is cached (mode C(0600)).
        type: path
        default: ~/.cache/openvstorage.hyperscale/api_tokens.json
notes:
  - The client file of the configuration store, C(/opt/OpenvStorage/config/arakoon_cacc.ini), must have been
    copied from a controller before; the module fails when it is missing.
  - Remove a storage node in this order - O(openvstorage.hyperscale.alba_node#module:state=absent) (delegated to
    a controller), then this module with O(state=absent) on the node.
seealso:
  - module: openvstorage.hyperscale.ovs_node
  - module: openvstorage.hyperscale.ovs_cluster_info
  - module: openvstorage.hyperscale.alba_node
'''

EXAMPLES = r'''
- name: Set up the ASD manager of a storage node
  openvstorage.hyperscale.ovs_asd_manager:
    api_ip: "{{ ovs_node_ip }}"
    api_port: "{{ api_port | default(8500) }}"

- name: ASDs on one storage network only, with IPMI access
  openvstorage.hyperscale.ovs_asd_manager:
    api_ip: 172.30.250.31
    asd_ips:
      - 10.10.0.31
    asd_start_port: 8600
    ipmi:
      ip: 10.20.0.31
      username: admin
      pwd: "{{ ipmi_password }}"

- name: Remove the ASD manager (after alba_node state=absent), checked through the API
  openvstorage.hyperscale.ovs_asd_manager:
    state: absent
    ovs_api:
      api_host: 172.30.250.11
      api_username: admin
      api_password: "{{ ovs_api_password }}"
      ca_path: /etc/ssl/ovs-ca.pem
'''

RETURN = r'''
node_id:
  description: Id of the ASD node (C(/etc/openvstorage_sdm_id)), the C(node_id) to register through the API.
  returned: when the openvstorage-sdm package is installed
  type: str
  sample: aB3dE5fG7hJ9kL1m
config_client_written:
  description: Whether O(config_client) was written to this node (predicted in check mode), on a node set up already.
  returned: when the ASD manager was set up before
  type: bool
  sample: false
setup_completed:
  description: Whether the ASD manager is set up (after the run; predicted in check mode; false after O(state=absent)).
  returned: always
  type: bool
  sample: true
service_active:
  description: Whether the C(asd-manager) service is active (C(null) when it cannot be told).
  returned: when the ASD manager is set up (not in check mode before the setup)
  type: bool
  sample: true
api_ip:
  description: IP of the ASD manager API, as set up.
  returned: when the ASD manager is set up
  type: str
  sample: 172.30.250.31
api_port:
  description: Port of the ASD manager API, as set up.
  returned: when the ASD manager is set up
  type: int
  sample: 8500
asd_ips:
  description: IPs of the ASDs, as set up (empty means all).
  returned: when the ASD manager is set up
  type: list
  elements: str
  sample: []
asd_start_port:
  description: First ASD port, as set up.
  returned: when the ASD manager is set up
  type: int
  sample: 8600
stdout:
  description: Output of C(asd-manager setup) or C(asd-manager remove --force-yes).
  returned: when the setup or the removal ran
  type: str
'''

import json
import os

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.alba_nodes import find_alba_node, read_node_stack
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_api import (
    OvsApiClient,
    OvsApiError,
    fail_from_api_error,
    ovs_api_dict_option,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_command import (
    OvsCommandError,
    fail_from_command_error,
    failure_text,
    parse_boxes,
    success_box,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_host import (
    install_file,
    ipv4_error,
    read_json,
    read_text,
)
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_setup import NodeSetup, run_setup_module

SDM_ID_FILE = '/etc/openvstorage_sdm_id'
CACC_INI = '/opt/OpenvStorage/config/arakoon_cacc.ini'
SERVICE_NAME = 'asd-manager'
# Where the ASD manager's service manager installs its unit (systemd, then upstart).
SERVICE_FILES = (
    '/lib/systemd/system/asd-manager.service',
    '/usr/lib/systemd/system/asd-manager.service',
    '/etc/systemd/system/asd-manager.service',
    '/etc/init/asd-manager.conf',
)
SETTING_KEYS = ('api_ip', 'api_port', 'asd_ips', 'asd_start_port')
# The ASD manager's database (Setting.DATABASE_FOLDER); ``asd-manager remove`` deletes it.
DATABASE_FILE = '/opt/asd-manager/db/main.db'
REMOVED_TEXT = 'The ASD Manager has already been removed'
REMOVAL_DONE = 'ASD Manager removal completed'


def argument_spec():
    return dict(
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        ovs_api=ovs_api_dict_option(),
        api_ip=dict(type='str'),
        api_port=dict(type='int', default=8500),
        asd_ips=dict(type='list', elements='str', default=[]),
        asd_start_port=dict(type='int', default=8600),
        ipmi=dict(type='dict', options=dict(
            ip=dict(type='str', required=True),
            username=dict(type='str', required=True),
            pwd=dict(type='str', required=True, no_log=True),
        )),
        preconfig_path=dict(type='path', default='/opt/asd-manager/config/preconfig.json'),
        config_client=dict(type='str'),
    )


def validate(params):
    """Errors of the input, each naming the option, the value and what is allowed."""
    errors = []
    if params.get('state') == 'absent':
        return errors
    error = ipv4_error('api_ip', params['api_ip'])
    if error:
        errors.append(error)
    for index, address in enumerate(params.get('asd_ips') or []):
        error = ipv4_error('asd_ips[{0}]'.format(index), address)
        if error:
            errors.append(error)
    api_port, start = params['api_port'], params['asd_start_port']
    if not 1025 <= api_port <= 65535:
        errors.append('api_port: {0} is out of range; allowed 1025-65535'.format(api_port))
    if not 1025 <= start <= 65435:
        errors.append('asd_start_port: {0} is out of range; allowed 1025-65435'.format(start))
    if start <= api_port < start + 100:
        errors.append('api_port: {0} lies in the ASD port range [{1}, {2}) given by asd_start_port {1}; '
                      'choose an api_port outside it or another asd_start_port'.format(api_port, start, start + 100))
    ipmi = params.get('ipmi')
    if ipmi:
        error = ipv4_error('ipmi.ip', ipmi.get('ip'))
        if error:
            errors.append(error)
    return errors


def settings(params):
    return dict(api_ip=params['api_ip'], api_port=params['api_port'],
                asd_ips=list(params.get('asd_ips') or []), asd_start_port=params['asd_start_port'])


def build_preconfig(params):
    """The ``{"asdmanager": {...}}`` document for ``asd-manager setup``."""
    config = settings(params)
    if params.get('ipmi'):
        config['ipmi'] = dict(ip=params['ipmi']['ip'], username=params['ipmi']['username'],
                              pwd=params['ipmi']['pwd'])
    return dict(asdmanager=config)


def service_installed(module, exists=os.path.exists):
    """Whether the setup installed the asd-manager service.

    The setup adds and enables the service; ``systemctl is-enabled`` tells it on
    systemd hosts (a unit file alone may be shipped by a package). Without
    systemctl, the unit files the ASD manager writes are looked for.
    """
    systemctl = module.get_bin_path('systemctl', required=False)
    if systemctl is not None:
        rc, stdout, dummy = module.run_command([systemctl, 'is-enabled', SERVICE_NAME], check_rc=False)
        return rc == 0 and stdout.strip() in ('enabled', 'enabled-runtime', 'linked', 'alias')
    return any(exists(path) for path in SERVICE_FILES)


def service_active(module):
    systemctl = module.get_bin_path('systemctl', required=False)
    if systemctl is None:
        return None
    dummy, stdout, dummy = module.run_command([systemctl, 'is-active', SERVICE_NAME], check_rc=False)
    return stdout.strip() == 'active'


def read_state(module, runner, preconfig_path, exists=os.path.exists, read=read_text, read_config=read_json):
    state = dict(installed=False, node_id=None, setup_completed=False)
    node_id = read(SDM_ID_FILE)
    if not node_id or not runner.has('asd-manager'):
        return state
    state.update(installed=True, node_id=node_id)
    if not service_installed(module, exists):
        return state
    state['setup_completed'] = True
    # The ASD manager rewrites its preconfiguration with the values it used.
    config = read_config(preconfig_path)
    current = config.get('asdmanager') if isinstance(config, dict) else None
    if isinstance(current, dict):
        state['settings'] = dict(api_ip=current.get('api_ip'), api_port=current.get('api_port', 8500),
                                 asd_ips=current.get('asd_ips', []),
                                 asd_start_port=current.get('asd_start_port', 8600))
    return state


def drift(wanted, current):
    """Keys whose set-up value differs from the wanted one."""
    if not current:
        return {}
    result = {}
    for key in SETTING_KEYS:
        have, want = current.get(key), wanted.get(key)
        if key == 'asd_ips':
            same = sorted(have or []) == sorted(want or [])
        else:
            same = have == want
        if not same:
            result[key] = dict(current=have, wanted=want)
    return result


def drift_warnings(wanted, current):
    """The warnings of a set-up node whose settings differ from the wanted ones (they are not applied)."""
    return ['The ASD manager is set up with {0}={1}; the requested {2} is not applied (that needs asd-manager '
            'remove and a new setup)'.format(key, json.dumps(values['current']), json.dumps(values['wanted']))
            for key, values in sorted(drift(wanted, current).items())]


def local_ip_error(params, local):
    """Why an address of the options is not one of this host (``local``: its IPv4s, None when unknown), or None."""
    if local is None:
        return None
    for option, address in [('api_ip', params['api_ip'])] + [
            ('asd_ips[{0}]'.format(i), a) for i, a in enumerate(params['asd_ips'] or [])]:
        if address not in local:
            return '{0}: {1} is not an IPv4 address of this host; allowed: {2}'.format(
                option, address, ', '.join(local) or '(none found)')
    return None


class AsdManagerSetup(NodeSetup):
    """``asd-manager setup`` of a storage node (see run_setup_module) and ``state=absent``."""

    binary = 'asd-manager'
    id_key = 'node_id'

    package = 'openvstorage-sdm'
    install_hint = 'openvstorage-sdm'
    local_ip_error = staticmethod(local_ip_error)
    preconfig = staticmethod(build_preconfig)

    def id_file(self):
        return SDM_ID_FILE

    def read(self, module, runner):
        return read_state(module, runner, module.params['preconfig_path'])

    def prepare(self, module, state):
        """O(config_client) written when it differs (predicted in check mode), before anything else."""
        written = False
        if module.params['config_client'] is not None:
            written = install_file(module, CACC_INI, module.params['config_client'])[0]
        state['config_client_written'] = written

    def keep(self, module, runner, state):
        wanted, current = settings(module.params), state.get('settings')
        for warning in drift_warnings(wanted, current):
            module.warn(warning)
        written = state['config_client_written']
        result = dict(changed=written, config_client_written=written, node_id=state['node_id'],
                      setup_completed=True, service_active=service_active(module))
        result.update(current or wanted)
        return result

    def planned(self, params):
        return dict(before=dict(setup_completed=False), after=dict(setup_completed=True, **settings(params)))

    def expected(self, params, diff):
        return dict(setup_completed=True, **settings(params))

    def assumed(self, params, state):
        if os.path.exists(CACC_INI) or state['config_client_written']:
            return []
        return [('{0} is missing; assuming an earlier task copies it from a controller'.format(CACC_INI),
                 '{0} is missing: copy the client configuration of the configuration store from a '
                 'controller to this node before the ASD manager setup'.format(CACC_INI))]

    def not_set_up(self, state):
        return 'the asd-manager service is not installed'

    def finish(self, module, runner, state, diff, stdout):
        # the node id may be rewritten by the setup
        return dict(diff=diff, node_id=state['node_id'], setup_completed=True,
                    service_active=service_active(module), **settings(module.params))

    def remove(self, module, runner):
        return remove(module, runner)


def check_not_an_alba_node(module, api, node_id):
    """Refuse while ``node_id`` is a registered ALBA node with claimed OSDs (warn when registered without)."""
    try:
        client = OvsApiClient.from_params(api, warn=module.warn)
        node = find_alba_node(client, node_id, contents='node_id,name')
        stack = read_node_stack(client, node) if node is not None else {}
    except OvsApiError as exc:
        fail_from_api_error(module, exc)
    if node is None:
        return
    claimed = sorted(asd_id for slot in stack.values() for asd_id, osd in (slot.get('osds') or {}).items()
                     if osd.get('claimed_by'))
    if claimed:
        module.fail_json(msg='ASD node {0} is still registered as ALBA node {1} ({2}) with claimed OSDs {3}: remove '
                             'the ALBA node first (openvstorage.hyperscale.alba_node with state=absent, which purges '
                             'its OSDs after a safety check); asd-manager remove does not purge OSDs from their '
                             'backends'.format(node_id, node.get('name'), node.get('guid'), ', '.join(claimed)),
                         node_id=node_id)
    module.warn('ASD node {0} is still registered as ALBA node {1} ({2}) without claimed OSDs; remove it with '
                'openvstorage.hyperscale.alba_node state=absent'.format(node_id, node.get('name'), node.get('guid')))


def remove(module, runner, exists=os.path.exists):
    """``state=absent``: ``asd-manager remove --force-yes`` unless already removed; the result of the module."""
    state = read_state(module, runner, module.params['preconfig_path'])
    if not state['installed'] or not (state['setup_completed'] or exists(DATABASE_FILE)):
        return dict(changed=False, node_id=state['node_id'], setup_completed=False)
    if module.params['ovs_api']:
        check_not_an_alba_node(module, module.params['ovs_api'], state['node_id'])
    diff = dict(before=dict(setup_completed=True, node_id=state['node_id']), after=dict(setup_completed=False))
    if module.check_mode:
        return dict(changed=True, diff=diff, node_id=state['node_id'], setup_completed=False)
    try:
        rc, stdout, stderr = runner.run('asd-manager', ['remove', '--force-yes'], check=False)
    except OvsCommandError as exc:
        fail_from_command_error(module, exc)
    if rc != 0 and any(REMOVED_TEXT in ' '.join(box) for box in parse_boxes(stdout) + parse_boxes(stderr)):
        return dict(changed=False, node_id=state['node_id'], setup_completed=False, stdout=stdout)
    if rc != 0 or not success_box(stdout, REMOVAL_DONE):
        module.fail_json(msg='asd-manager remove --force-yes failed (rc {0}): {1}'.format(
            rc, failure_text(stdout, stderr)), rc=rc, stdout=stdout, stderr=stderr, node_id=state['node_id'])
    return dict(changed=True, diff=diff, node_id=state['node_id'], setup_completed=False, stdout=stdout)


def main():
    run_setup_module(argument_spec(), AsdManagerSetup(), validate=validate,
                     required_if=[('state', 'present', ['api_ip'])])


if __name__ == '__main__':
    main()
