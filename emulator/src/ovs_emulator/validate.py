"""Parameter validation with the texts of the real framework: ``ExtensionsToolbox.check_type`` and
``ExtensionsToolbox.verify_required_params`` (ovs_extensions/generic/toolbox.py; the framework's and
the ALBA plugin's ``Toolbox.verify_required_params`` are the same code), and the validation patterns
of ``Toolbox`` (``regex_ip``, ``regex_guid``, ``regex_vpool``, ``regex_preset``).

The real code runs on Python 2, where every string that arrives as JSON (the API's parameters, a
pre-configuration file) is ``unicode``: a type error prints ``<type 'unicode'>`` for a given string
and ``<type 'str'>`` for an expected one.
"""
import json
import os
import re
import sys

REGEX_IP = re.compile(r"^(((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}"
                      r"(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))$")
REGEX_GUID = re.compile(r"^[a-f0-9]{8}-(?:[a-f0-9]{4}-){3}[a-f0-9]{12}$")
REGEX_VPOOL = re.compile(r"^[0-9a-z][\-a-z0-9]{1,20}[a-z0-9]$")
REGEX_PRESET = re.compile(r"^[0-9a-zA-Z][a-zA-Z0-9-_]{1,18}[a-zA-Z0-9]$")
MAXINT = sys.maxsize  # Python 2's sys.maxint on a 64-bit node
_PY2_NAMES = {str: "unicode"}  # the Python 2 type of a JSON string


def py2_type(kind):
    """``str(type)`` on Python 2: ``<type 'int'>``; a given string is ``unicode``."""
    return f"<type '{kind.__name__}'>"


def check_type(value, required_type):
    """ExtensionsToolbox.check_type: a str accepts any string, a float an int too (and, as on
    Python 2, ``bool`` is an ``int``)."""
    if required_type is float:
        return isinstance(value, (float, int))
    return isinstance(value, required_type)


def _value_errors(label, key, value, kind, expected):
    """The texts of one present, well-typed value that does not meet ``expected``."""
    if kind is list:
        if isinstance(expected, re.Pattern):
            return [f'{label} param "{key}" has an item "{item}" which does not match regex '
                    f'"{expected.pattern}"' for item in value
                    if not isinstance(item, str) or not expected.match(item)]
        return []
    if kind is dict:
        verify_required_params(expected, value)
        return []
    errors = []
    if isinstance(expected, list) and value not in expected:
        errors.append(f'{label} param "{key}" with value "{value}" should be 1 of the following: '
                      f'{expected}')
    elif kind in (int, float) and isinstance(expected, dict):
        low, high = expected.get("min", -MAXINT), expected.get("max", MAXINT)
        if not low <= value <= high:
            errors.append(f'{label} param "{key}" with value "{value}" should be in range: '
                          f'{low} - {high}')
        if value in expected.get("exclude", []):
            errors.append(f'{label} param "{key}" cannot have value {value}')
    elif kind not in (int, float) and isinstance(expected, re.Pattern) and not expected.match(value):
        errors.append(f'{label} param "{key}" with value "{value}" does not match regex '
                      f'"{expected.pattern}"')
    return errors


def verify_required_params(required_params, actual_params):
    """Raise RuntimeError('\\n' + one line per problem) like the real framework.

    ``required_params``: {key: (type, expected[, False for optional])}; ``expected`` is None, a
    list of allowed values, {"min", "max", "exclude"} for ints and floats, a compiled regex (for a
    string, or for each item of a list) or, for dicts, the required params of the nested dict
    (checked first: its error ends the check, as in the real code).
    """
    if not isinstance(required_params, dict) or not isinstance(actual_params, dict):
        raise RuntimeError("Required and actual parameters must be of type dictionary")
    errors = []
    for key, info in required_params.items():
        kind, expected = info[0], info[1]
        optional = len(info) == 3 and info[2] is False
        if optional and (key not in actual_params or actual_params[key] in ("", None)):
            continue
        if key not in actual_params:
            errors.append(f'Missing required param "{key}" in actual parameters')
            continue
        label = "Optional" if optional else "Mandatory"
        value = actual_params[key]
        if not check_type(value, kind):
            given = _PY2_NAMES.get(type(value), type(value).__name__)
            errors.append(f'{label} param "{key}" is of type "<type \'{given}\'>" '
                          f'but we expected type "{py2_type(kind)}"')
        elif expected is not None:
            errors += _value_errors(label, key, value, kind, expected)
    if errors:
        raise RuntimeError("\n" + "\n".join(errors))


def preconfig_section(filename, section, not_a_dict, error=ValueError):
    """The ``section`` dictionary of the pre-configuration JSON file ``filename`` (``ovs setup``,
    ``asd-manager setup``: json.loads of the file); ``error(text)`` is raised for a missing file,
    contents that are no JSON, or no dictionary under ``section`` (the tool's own ``not_a_dict``)."""
    if not os.path.exists(filename):
        raise error(f"The pre-configuration file {filename} is missing: only the unattended "
                    "setup is supported")
    with open(filename, encoding="utf-8") as handle:
        try:
            config = json.loads(handle.read())
        except ValueError as exc:
            raise error(f"JSON contents could not be retrieved from file {filename}.\n"
                        f"Error message: {exc}") from None
    if not isinstance(config, dict) or not isinstance(config.get(section), dict):
        raise error(not_a_dict)
    return config[section]
