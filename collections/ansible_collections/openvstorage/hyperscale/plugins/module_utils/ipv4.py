# -*- coding: utf-8 -*-
# Copyright (c) 2026, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one rule of the collection for an IPv4 address written as text.

An IPv4 address is a string of four decimal numbers separated by dots, each number 0 to 255,
written with the ASCII digits 0-9 only and without leading zeros (``0`` is a number, ``00``,
``01`` and ``010`` are not), and nothing else: no sign, no white space, no empty part, no prefix
length. It is the rule of Python's ``ipaddress.IPv4Address`` since Python 3.9.5 (which refuses
leading zeros because other tools read them as octal). Only text is an address: a number, bytes
on Python 3 or ``None`` is not. ``ipaddress`` is not used, so the rule is the same on Python 2.7.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.six import string_types

_DIGITS = frozenset('0123456789')


def _is_octet(part):
    if not part or len(part) > 3 or not _DIGITS.issuperset(part):
        return False
    return (part == '0' or part[0] != '0') and int(part) <= 255


def is_ipv4(value):
    """True when ``value`` is an IPv4 address by the rule of this module, else False."""
    if not isinstance(value, string_types):
        return False
    parts = value.split('.')
    return len(parts) == 4 and all(_is_octet(part) for part in parts)
