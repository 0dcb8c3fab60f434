# -*- coding: utf-8 -*-
# Copyright (c) 2025, the openvstorage.hyperscale contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runner for the Open vStorage command line tools.

One runner for ``ovs``, ``asd-manager`` and ``alba``, built on
``module.run_command`` with argument lists (never a shell).

The framework and the ASD manager print their messages in boxes
(``Interactive.boxed_message``)::

    ++++++++++++++++++++++++++++++++++++++++
    +++  An unexpected error occurred:  +++
    +++  <text, wrapped at 80 columns>  +++
    ++++++++++++++++++++++++++++++++++++++++

:func:`parse_boxes` finds them, :func:`failure_text` extracts the error text
of a failed command, and :class:`OvsCommandError` carries it with the
command and its exit code.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

from ansible.module_utils.common.text.converters import to_native

# binary -> Debian package that provides it
PACKAGE_OF = {
    'ovs': 'openvstorage',
    'asd-manager': 'openvstorage-sdm',
    'alba': 'alba',
}

_BORDER = re.compile(r'^\s*\+{5,}\s*$')
_MISSING_KEY = re.compile(r'(\bkey\b.*\b(does not exist|not found)|NotFoundException)', re.IGNORECASE)

# First lines of boxes that are banners or progress, not results.
BANNERS = (
    'Open vStorage Setup',
    'ASD Manager setup',
    'ASD Manager removal',
    'Open vStorage Remove',
)
FAILURE_HEADERS = (
    'An unexpected error occurred:',
    'Errors found while verifying pre-configuration:',
)


def parse_boxes(text):
    """Return the boxes found in ``text``: a list of lists of stripped lines.

    A box starts and ends with a line made only of ``+``; inner lines are
    ``+++  <text>  +++``.  Lines of a multi-line message that were printed
    inside a box without the ``+++`` frame (the tools embed ``\\n`` in a box
    line) are kept as they are.
    """
    boxes = []
    current = None
    for raw in to_native(text or '').splitlines():
        line = raw.rstrip('\r')
        if _BORDER.match(line):
            if current is None:
                current = []
            else:
                boxes.append(current)
                current = None
            continue
        if current is None:
            continue
        # '+++  text  +++'; a message with embedded newlines spreads over
        # lines that carry only the opening or only the closing '+++'.
        text = line.strip()
        if text.startswith('+++'):
            text = text[3:]
        if text.endswith('+++'):
            text = text[:-3]
        current.append(text.strip())
    if current:  # unterminated box (output cut): keep what we have
        boxes.append(current)
    return boxes


def box_text(lines):
    """Join the lines of a box into one text (wrapped lines are re-joined)."""
    return ' '.join(line for line in lines if line).strip()


def failure_text(stdout, stderr=''):
    """Best error text of a failed ``ovs``/``asd-manager`` command.

    Preference: the box that starts with ``An unexpected error occurred:``
    (its remaining lines); else the last box that is not a banner; else the
    last non-empty line of stderr, then of stdout.
    """
    boxes = parse_boxes(stdout) + parse_boxes(stderr)
    for lines in reversed(boxes):
        if lines and lines[0] in FAILURE_HEADERS:
            rest = box_text(lines[1:])
            return rest or lines[0]
    for lines in reversed(boxes):
        text = box_text(lines)
        if text and not any(text.startswith(banner) for banner in BANNERS):
            return text
    for stream in (stderr, stdout):
        tail = [line.strip() for line in to_native(stream or '').splitlines() if line.strip()]
        if tail:
            return tail[-1]
    return 'no output'


def success_box(stdout, first_line):
    """True when a box whose first line starts with ``first_line`` was printed."""
    return any(lines and lines[0].startswith(first_line) for lines in parse_boxes(stdout))


class OvsCommandError(Exception):
    """A command of the OVS tools failed (or is missing)."""

    def __init__(self, message, cmd=None, rc=None, stdout=None, stderr=None):
        super(OvsCommandError, self).__init__(message)
        self.message = message
        self.cmd = cmd
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr

    def to_dict(self):
        result = dict(msg=self.message)
        if self.cmd is not None:
            result['cmd'] = self.cmd
        for key in ('rc', 'stdout', 'stderr'):
            value = getattr(self, key)
            if value is not None:
                result[key] = value
        return result


class OvsRunner:
    """Runs ``ovs`` / ``asd-manager`` / ``alba`` through ``module.run_command``."""

    def __init__(self, module, environ_update=None):
        self.module = module
        self.environ_update = dict(environ_update or {})
        self._paths = {}

    def binary(self, name, required=True):
        """Absolute path of the tool, or OvsCommandError naming its package."""
        if name not in self._paths:
            self._paths[name] = self.module.get_bin_path(name, required=False)
        path = self._paths[name]
        if path is None and required:
            raise OvsCommandError(
                'The command {0!r} was not found on this host: install the package {1!r} first'.format(
                    name, PACKAGE_OF.get(name, name)))
        return path

    def has(self, name):
        return self.binary(name, required=False) is not None

    def run(self, name, args, check=True, data=None, what=None):
        """Run ``name args...``; return (rc, stdout, stderr).

        With ``check``, a non-zero exit raises OvsCommandError whose message is
        ``<what> failed (rc N): <error text from the output>``.
        """
        cmd = [self.binary(name)] + [to_native(arg) for arg in args]
        kwargs = dict(check_rc=False)
        if data is not None:
            kwargs['data'] = data
        if self.environ_update:
            kwargs['environ_update'] = self.environ_update
        rc, stdout, stderr = self.module.run_command(cmd, **kwargs)
        if check and rc != 0:
            raise OvsCommandError(
                '{0} failed (rc {1}): {2}'.format(what or ' '.join(cmd), rc, failure_text(stdout, stderr)),
                cmd=cmd, rc=rc, stdout=stdout, stderr=stderr)
        return rc, stdout, stderr

    # ------------------------------------------------ configuration store
    def config_get(self, key, raw=False):
        """``ovs config get <key>``: the parsed JSON value, the raw text, or None.

        The framework prints nothing (exit 0) for a missing key; an answer that
        says the key does not exist (exit 1) is taken as missing too.
        """
        rc, stdout, stderr = self.run('ovs', ['config', 'get', key], check=False)
        if rc != 0:
            if _MISSING_KEY.search(stderr or '') or _MISSING_KEY.search(stdout or ''):
                return None
            raise OvsCommandError(
                'ovs config get {0} failed (rc {1}): {2}'.format(key, rc, failure_text(stdout, stderr)),
                cmd=[self.binary('ovs'), 'config', 'get', key], rc=rc, stdout=stdout, stderr=stderr)
        return parse_config_value(stdout, raw=raw)

    def config_list(self, path='/', recursive=False):
        """``ovs config list[-recursive] <path>``: the printed names, one a line."""
        sub = 'list-recursive' if recursive else 'list'
        dummy, stdout, dummy = self.run('ovs', ['config', sub, path], what='ovs config {0} {1}'.format(sub, path))
        return [line.strip() for line in stdout.splitlines() if line.strip()]


def parse_config_value(stdout, raw=False):
    """Value printed by ``ovs config get``: None when empty, JSON when it parses."""
    text = to_native(stdout or '')
    if not text.strip():
        return None
    if raw:
        return text.rstrip('\n')
    try:
        return json.loads(text)
    except ValueError:
        return text.rstrip('\n')


def fail_from_command_error(module, exc, **extra):
    result = exc.to_dict() if isinstance(exc, OvsCommandError) else dict(msg=to_native(exc))
    result.update(extra)
    module.fail_json(**result)
