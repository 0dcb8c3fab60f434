# -*- coding: utf-8 -*-
"""module_utils/ipv4.py: the one IPv4 rule of the modules, the filters and the preflight."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import sys

import pytest

from ansible_collections.openvstorage.hyperscale.plugins.filter.inventory import FilterModule
from ansible_collections.openvstorage.hyperscale.plugins.module_utils import ovs_host, vpool
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ipv4 import is_ipv4
from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ovs_storage import StorageError

VALID = ['0.0.0.0', '10.0.0.1', '172.30.250.11', '255.255.255.255', '1.2.3.4', '100.200.250.199', u'10.0.0.1']
INVALID = [
    # leading zeros (octal to other tools), also a lone 00
    '010.0.0.1', '10.0.0.01', '10.00.0.1', '00.0.0.0', '1.2.3.004',
    # out of range
    '256.0.0.1', '10.0.0.256', '10.0.0.300', '999.1.1.1', '1.2.3.1000',
    # not four parts
    '1.2.3', '1.2.3.4.5', '1', '', '1.2.3.', '.1.2.3', '1..2.3',
    # white space, signs, other digits, a prefix length, a port, names, IPv6
    ' 10.0.0.1', '10.0.0.1 ', '10.0.0.1\n', '10. 0.0.1', '+1.2.3.4', '1.2.3.-4', u'1.2.3.\u0664',
    '10.0.0.1/24', '10.0.0.1:80', 'a.b.c.d', 'api.example', 'localhost', '::1', '0x7f.0.0.1',
]
NOT_TEXT = [None, 167772161, 1.5, ['10.0.0.1'], {'ip': '10.0.0.1'}, b'10.0.0.1', True]


@pytest.mark.parametrize('value', VALID)
def test_an_address_is_accepted(value):
    assert is_ipv4(value) is True


@pytest.mark.parametrize('value', INVALID)
def test_a_wrong_address_is_refused(value):
    assert is_ipv4(value) is False


@pytest.mark.parametrize('value', NOT_TEXT)
def test_a_value_that_is_not_text_is_refused(value):
    assert is_ipv4(value) is False


@pytest.mark.skipif(sys.version_info < (3, 9, 5), reason="ipaddress accepts leading zeros before Python 3.9.5")
@pytest.mark.parametrize('value', VALID + INVALID)
def test_the_rule_is_that_of_ipaddress(value):
    try:
        ipaddress.IPv4Address(value)
        expected = True
    except ValueError:
        expected = False
    assert is_ipv4(value) is expected


def test_the_filter_is_the_rule():
    assert FilterModule().filters()['is_ipv4'] is is_ipv4


def test_the_module_checks_take_the_rule():
    assert ovs_host.ipv4_error('node_ip', '10.0.0.1') is None
    assert ovs_host.ipv4_error('node_ip', '010.0.0.1') == (
        "node_ip: '010.0.0.1' is not a valid IPv4 address (Open vStorage takes dotted IPv4 addresses such as "
        "10.0.0.11)")
    # the vPool checks took leading zeros before
    with pytest.raises(StorageError, match=r"storage_ip: '010.0.0.1' \(for ctl01\) is not an IPv4 address"):
        vpool.validate_vpool_params(dict(name='pool1', storage_ip={'ctl01': '010.0.0.1'}))
    with pytest.raises(StorageError, match=r"backend_host: '10.0.0.01' is not an IPv4 address"):
        vpool.validate_vpool_params(dict(name='pool1', backend_host='10.0.0.01'))
