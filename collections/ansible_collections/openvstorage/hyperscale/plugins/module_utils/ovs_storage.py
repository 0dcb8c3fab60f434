# -*- coding: utf-8 -*-
# Copyright: (c) 2026, openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the storage modules (ovs_disk, ovs_domain, ovs_vpool, ovs_vdisk, ovs_node_removal) share besides
the object families: :class:`StorageError`, a validation or refusal message for ``fail_json``, and size
parsing (``10GiB``, ``500MiB``, ``1TB``, ``4096``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible.module_utils.six import string_types, integer_types

SIZE_UNITS = {
    '': 1, 'b': 1,
    'k': 1024, 'kib': 1024, 'kb': 1000,
    'm': 1024 ** 2, 'mib': 1024 ** 2, 'mb': 1000 ** 2,
    'g': 1024 ** 3, 'gib': 1024 ** 3, 'gb': 1000 ** 3,
    't': 1024 ** 4, 'tib': 1024 ** 4, 'tb': 1000 ** 4,
    'p': 1024 ** 5, 'pib': 1024 ** 5, 'pb': 1000 ** 5,
}
SIZE_PATTERN = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$')


class StorageError(Exception):
    """A validation failure or a refusal; the text is the module's ``msg``."""


def parse_size(value, option='size'):
    """Bytes of ``value``: an int, or a string with a unit (KiB/MiB/GiB/TiB/PiB binary,
    KB/MB/GB/TB/PB decimal, K/M/G/T/P binary, B or nothing for bytes)."""
    if isinstance(value, bool):
        raise StorageError('{0}: {1!r} is not a size; give bytes as an integer or a string such as '
                           '10GiB or 500MiB'.format(option, value))
    if isinstance(value, integer_types):
        size = value
    elif isinstance(value, float):
        size = int(value)
        if size != value:
            raise StorageError('{0}: {1!r} is not a whole number of bytes'.format(option, value))
    elif isinstance(value, string_types):
        match = SIZE_PATTERN.match(value)
        unit = match.group(2).lower() if match else None
        if not match or unit not in SIZE_UNITS:
            raise StorageError('{0}: {1!r} is not a size; give bytes as an integer or a number with a unit '
                               '(B, KiB, MiB, GiB, TiB, PiB, KB, MB, GB, TB, PB), e.g. 10GiB or 500MiB'
                               .format(option, value))
        number = float(match.group(1)) * SIZE_UNITS[unit]
        size = int(number)
        if size != number:
            raise StorageError('{0}: {1!r} is not a whole number of bytes'.format(option, value))
    else:
        raise StorageError('{0}: {1!r} is not a size'.format(option, value))
    if size <= 0:
        raise StorageError('{0}: {1!r} must be more than 0 bytes'.format(option, value))
    return size
