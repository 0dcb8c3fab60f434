"""Parameter validation with the texts of the real framework (Toolbox.verify_required_params)."""
import re

REGEX_IP = re.compile(r"^(((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}"
                      r"(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))$")


def _type_name(kind):
    """The Python 2 spelling the real framework prints (``<type 'str'>``)."""
    return f"<type '{kind.__name__}'>"


def _is_type(value, kind):
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def verify_required_params(required_params, actual_params):
    """Raise RuntimeError('\\n' + one line per problem) like the real framework.

    ``required_params``: {key: (type, expected, mandatory=True)}; ``expected`` is None,
    a compiled regex, a list of allowed values, {"min", "max"} for ints or, for dicts, the
    required params of the nested dict.
    """
    errors = []
    for key, info in required_params.items():
        kind, expected = info[0], info[1]
        optional = len(info) == 3 and info[2] is False
        if optional and actual_params.get(key) in ("", None):
            continue
        if key not in actual_params:
            errors.append(f'Missing required param "{key}" in actual parameters')
            continue
        label = "Optional" if optional else "Mandatory"
        value = actual_params[key]
        if not _is_type(value, kind):
            errors.append(f'{label} param "{key}" is of type "{_type_name(type(value))}" '
                          f'but we expected type "{_type_name(kind)}"')
            continue
        if expected is None:
            continue
        if kind is dict and isinstance(expected, dict):
            verify_required_params(expected, value)
        elif kind is list and isinstance(expected, re.Pattern):
            errors += [f'{label} param "{key}" has an item "{item}" which does not match regex '
                       f'"{expected.pattern}"' for item in value
                       if not isinstance(item, str) or not expected.match(item)]
        elif kind is int and isinstance(expected, dict):
            low, high = expected["min"], expected["max"]
            if not low <= value <= high:
                errors.append(f'{label} param "{key}" with value "{value}" should be in range: '
                              f'{low} - {high}')
        elif isinstance(expected, list) and value not in expected:
            errors.append(f'{label} param "{key}" with value "{value}" should be 1 of the '
                          f'following: {expected}')
        elif isinstance(expected, re.Pattern) and not expected.match(value):
            errors.append(f'{label} param "{key}" with value "{value}" does not match regex '
                          f'"{expected.pattern}"')
    if errors:
        raise RuntimeError("\n" + "\n".join(errors))
