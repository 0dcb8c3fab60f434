#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_ssh_login
short_description: Check that a password opens an SSH session on a node
version_added: 0.1.0
description:
  - Opens an SSH session with password authentication and closes it again, the way C(ovs setup)
    reaches the install master with C(master_password).
  - Run it on the control machine (delegated to C(localhost)) before anything changes, so that a
    wrong password fails the play while every node is still untouched.
  - Nothing is changed, on the node or locally; the host key is not stored.
requirements:
  - paramiko on the host that runs the module
author:
  - Open vStorage HyperScale developers (@openvstorage)
options:
  host:
    description: Address of the node.
    type: str
    required: true
  port:
    description: SSH port of the node.
    type: int
    default: 22
  username:
    description: User to log in as; C(ovs setup) uses C(root).
    type: str
    default: root
  password:
    description: The password to check.
    type: str
    required: true
  timeout:
    description: Seconds to wait for the connection and the login.
    type: int
    default: 15
attributes:
  check_mode:
    description: Changes nothing, so it runs the same in check mode.
    support: full
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: none
seealso:
  - module: openvstorage.hyperscale.ovs_node
'''

EXAMPLES = r'''
- name: Check the master password before anything changes
  openvstorage.hyperscale.ovs_ssh_login:
    host: "{{ install_master_ip }}"
    password: "{{ cluster_password }}"
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
authenticated:
  description: Whether the password opened a session (the module fails when it did not).
  returned: always
  type: bool
  sample: true
'''

import socket
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

PARAMIKO_IMPORT_ERROR = None
try:
    import paramiko
except ImportError:
    PARAMIKO_IMPORT_ERROR = traceback.format_exc()


def login(host, port, username, password, timeout):
    """None when the password opens a session, else the reason it does not."""
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # a probe: nothing is stored
    try:
        client.connect(host, port=port, username=username, password=password, timeout=timeout,
                       auth_timeout=timeout, banner_timeout=timeout, allow_agent=False,
                       look_for_keys=False)
        return None
    except paramiko.AuthenticationException:
        return 'the password is refused'
    except (paramiko.SSHException, socket.error) as exc:
        return 'no SSH session could be opened ({0})'.format(exc)
    finally:
        client.close()


def main():
    module = AnsibleModule(
        argument_spec=dict(
            host=dict(type='str', required=True),
            port=dict(type='int', default=22),
            username=dict(type='str', default='root'),
            password=dict(type='str', required=True, no_log=True),
            timeout=dict(type='int', default=15),
        ),
        supports_check_mode=True,
    )
    if PARAMIKO_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib('paramiko'), exception=PARAMIKO_IMPORT_ERROR)
    params = module.params
    problem = login(params['host'], params['port'], params['username'], params['password'],
                    params['timeout'])
    if problem:
        module.fail_json(
            msg='SSH login as {0} on {1}:{2} failed: {3}. `ovs setup` joins the install master '
                'with this password (cluster_password / ovs_master_password).'.format(
                    params['username'], params['host'], params['port'], problem),
            authenticated=False)
    module.exit_json(changed=False, authenticated=True)


if __name__ == '__main__':
    main()
