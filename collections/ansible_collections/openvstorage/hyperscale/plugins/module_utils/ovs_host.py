# -*- coding: utf-8 -*-
# Copyright (c) 2025, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small helpers for modules that act on an Open vStorage node itself."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import tempfile

from ansible.module_utils.common.text.converters import to_bytes, to_native

from ansible_collections.openvstorage.hyperscale.plugins.module_utils.ipv4 import is_ipv4

_INET = re.compile(r'\binet\s+(\d+\.\d+\.\d+\.\d+)/')


def ipv4_error(option, value):
    """None when ``value`` is an IPv4 address (the rule of ``module_utils.ipv4``), else the message for the option."""
    if is_ipv4(value):
        return None
    return '{0}: {1!r} is not a valid IPv4 address (Open vStorage takes dotted IPv4 addresses such as 10.0.0.11)'.format(
        option, value)


def local_ipv4s(module):
    """IPv4 addresses of this host from ``ip -o -4 addr show`` (None when ``ip`` is missing or fails).

    127.0.0.1 is left out, as the OVS tools do.
    """
    ip_bin = module.get_bin_path('ip', required=False)
    if ip_bin is None:
        return None
    rc, stdout, dummy = module.run_command([ip_bin, '-o', '-4', 'addr', 'show'], check_rc=False)
    if rc != 0:
        return None
    return sorted(set(addr for addr in _INET.findall(stdout) if addr != '127.0.0.1'))


def read_bytes(path):
    """Content of a file as bytes, or None when absent/unreadable."""
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def read_file(path):
    """Content of a file as text, or None when absent/unreadable."""
    data = read_bytes(path)
    return None if data is None else to_native(data, errors='surrogate_or_strict')


def read_text(path):
    """Content of a file stripped of surrounding white space, or None when absent/unreadable."""
    text = read_file(path)
    return None if text is None else text.strip()


def install_file(module, path, content, mode=0o644):
    """Write ``content`` (text or bytes) to ``path`` when its bytes differ (not in check mode): (changed, bytes
    before or None)."""
    before = read_bytes(path)
    if before == to_bytes(content, errors='surrogate_or_strict'):
        return False, before
    if not module.check_mode:
        try:
            write_private_file(path, content, mode=mode)
        except (IOError, OSError) as exc:
            module.fail_json(msg='Cannot write {0}: {1}'.format(path, exc))
    return True, before


def read_json(path):
    """Parsed JSON of a file, or None when absent, unreadable or not JSON."""
    text = read_text(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def write_private_file(path, content, mode=0o600):
    """Write ``content`` atomically to ``path`` with ``mode`` (never readable by others while written).

    The parent directory is created (0755) when missing.
    """
    directory = os.path.dirname(path) or '.'
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp_path = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, 'wb') as handle:
            handle.write(to_bytes(content, errors='surrogate_or_strict'))
        os.rename(tmp_path, path)
    except Exception:
        try:
            os.unlink(tmp_path)
        except OSError:
            pass
        raise


def remove_file(path):
    """Remove a file if present; True when something was removed."""
    try:
        os.unlink(path)
        return True
    except OSError:
        return False
