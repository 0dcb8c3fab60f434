"""The one verify_required_params: the answers of the real ExtensionsToolbox for one bad input."""
import pytest

from ovs_emulator import validate
from ovs_emulator.validate import REGEX_IP, verify_required_params


@pytest.mark.parametrize("required, actual, text", [
    ({"a": (int, None)}, {"a": "5"},
     '\nMandatory param "a" is of type "<type \'unicode\'>" but we expected type "<type \'int\'>"'),
    ({"a": (str, None, False)}, {"a": 5},
     '\nOptional param "a" is of type "<type \'int\'>" but we expected type "<type \'str\'>"'),
    ({"a": (float, {"min": 0.5, "max": 2})}, {"a": 3},
     '\nMandatory param "a" with value "3" should be in range: 0.5 - 2'),
    ({"a": (int, {"min": 1, "exclude": [7]})}, {"a": 7}, '\nMandatory param "a" cannot have value 7'),
    ({"a": (int, {"max": 2})}, {"a": 3},
     f'\nMandatory param "a" with value "3" should be in range: {-validate.MAXINT} - 2'),
    ({"a": (str, ["x", "y"])}, {"a": "z"},
     '\nMandatory param "a" with value "z" should be 1 of the following: [\'x\', \'y\']'),
    ({"a": (str, REGEX_IP)}, {"a": "1.2.3"},
     f'\nMandatory param "a" with value "1.2.3" does not match regex "{REGEX_IP.pattern}"'),
    ({"a": (list, REGEX_IP)}, {"a": ["1.2.3.4", "x"]},
     f'\nMandatory param "a" has an item "x" which does not match regex "{REGEX_IP.pattern}"'),
    ({"a": (dict, {"b": (int, None)})}, {"a": {}}, '\nMissing required param "b" in actual parameters'),
    ({"a": (int, None)}, [], "Required and actual parameters must be of type dictionary"),
])
def test_texts(required, actual, text):
    with pytest.raises(RuntimeError) as exc:
        verify_required_params(required, actual)
    assert str(exc.value) == text


@pytest.mark.parametrize("required, actual", [
    ({"a": (float, None)}, {"a": 3}),         # a float accepts an int
    ({"a": (int, {"min": 0})}, {"a": True}),  # Python 2: a bool is an int
    ({"a": (int, REGEX_IP)}, {"a": 3}),       # a regex only checks strings and list items
    ({"a": (str, None, False)}, {"a": ""}),   # an empty optional value is not checked
])
def test_accepted(required, actual):
    verify_required_params(required, actual)
