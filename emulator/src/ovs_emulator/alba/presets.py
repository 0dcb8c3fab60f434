"""Presets of the ALBA backends (framework-alba-plugin ovs/lib/albapreset.py and the
``presets`` dynamic of dal/objects/albabackend.py)."""
import json
import os
import random
import tempfile

from ovs_emulator.validate import REGEX_PRESET

from .common import abm_name, alba_cli, backend_of


def validate_policies(policies):
    if not policies:
        raise ValueError("At least 1 policy must be defined when adding/updating a preset")
    for policy in policies:
        if not isinstance(policy, list) or len(policy) != 4:
            raise ValueError("Incorrect policy format specified")
        for value in policy:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError("Policies for a preset should only contain integers")
        k, m, c, x = policy
        if k > c or c > (k + m):
            raise ValueError(f"Policy {policy} does not match the requirement: k <= c <= (k + m)")
        for letter, value in (("k", k), ("c", c), ("x", x)):
            if value == 0:
                raise ValueError(f"Policy {policy} contains a zero {letter} value")


def list_presets(model, alba_backend):
    backend = backend_of(model, alba_backend)
    return alba_cli(model, "list-presets", abm_name(backend))


def add_preset(model, alba_backend_guid, name, compression, policies, encryption,
               fragment_size=None):
    if not isinstance(name, str) or not REGEX_PRESET.match(name):
        raise ValueError("Invalid preset name specified")
    compressions = ["snappy", "bz2", "none"]
    if compression not in compressions:
        raise ValueError('Invalid compression format specified, please choose from: "{0}"'.format(
            '", "'.join(compressions)))
    encryptions = ["aes-cbc-256", "aes-ctr-256", "none"]
    if encryption not in encryptions:
        raise ValueError('Invalid encryption format specified, please choose from: "{0}"'.format(
            '", "'.join(encryptions)))
    if fragment_size is not None and (not isinstance(fragment_size, int)
                                      or not 16 <= fragment_size <= 1024 ** 3):
        raise ValueError("Fragment size should be a positive integer smaller than 1 GiB")
    validate_policies(policies)
    alba_backend = model.get("albabackend", alba_backend_guid)
    if name in [preset["name"] for preset in list_presets(model, alba_backend)]:
        raise RuntimeError(f"Preset with name {name} already exists")
    preset = {"compression": compression,
              "object_checksum": {"default": ["crc-32c"], "verify_upload": True,
                                  "allowed": [["none"], ["sha-1"], ["crc-32c"]]},
              "osds": ["all"],
              "fragment_size": 16 * 1024 ** 2 if fragment_size is None else int(fragment_size),
              "policies": policies, "fragment_checksum": ["crc-32c"],
              "fragment_encryption": ["none"], "in_use": False, "name": name}
    with tempfile.TemporaryDirectory() as directory:
        if encryption != "none":
            key_file = os.path.join(directory, "key")
            with open(key_file, "w", encoding="latin-1") as handle:
                handle.write("".join(chr(random.randint(32, 126)) for _ in range(32)))
            preset["fragment_encryption"] = [encryption, key_file]
        input_file = os.path.join(directory, "preset.json")
        with open(input_file, "w", encoding="utf-8") as handle:
            json.dump(preset, handle)
        alba_cli(model, "create-preset", abm_name(backend_of(model, alba_backend)), [name],
                 **{"input-url": input_file})


def delete_preset(model, alba_backend_guid, name):
    alba_backend = model.get("albabackend", alba_backend_guid)
    defaults = {preset["name"]: preset["is_default"] for preset in list_presets(model, alba_backend)}
    if name not in defaults:
        return None  # the framework only logs a warning
    if defaults[name] is True:
        raise RuntimeError("Cannot delete the default preset")
    alba_cli(model, "delete-preset", abm_name(backend_of(model, alba_backend)), [name])
    return None


def update_preset(model, alba_backend_guid, name, policies):
    validate_policies(policies)
    alba_backend = model.get("albabackend", alba_backend_guid)
    backend = backend_of(model, alba_backend)
    if name not in [preset["name"] for preset in list_presets(model, alba_backend)]:
        raise RuntimeError(f"Could not find a preset with name {name} for ALBA Backend "
                           f"{backend.get('name')}")
    with tempfile.TemporaryDirectory() as directory:
        input_file = os.path.join(directory, "update.json")
        with open(input_file, "w", encoding="utf-8") as handle:
            json.dump({"policies": policies}, handle)
        alba_cli(model, "update-preset", abm_name(backend), [name], **{"input-url": input_file})


def render_presets(presets, scaling, osds_per_node, global_devices=0):
    """AlbaBackend._presets: list-presets entries with availability per policy, policies as
    strings ``"(5, 4, 8, 3)"``."""
    result = []
    for preset in presets:
        preset = dict(preset)
        preset.setdefault("in_use", True)
        preset.setdefault("is_default", False)
        preset["is_available"] = False
        metadata = {}
        active = None
        for policy in [tuple(p) for p in preset["policies"]]:
            available = 0
            if scaling == "GLOBAL":
                available += global_devices
            if scaling == "LOCAL":
                available = sum(min(count, policy[3]) for count in osds_per_node.values())
            is_available = available >= policy[2]
            if is_available and active is None:
                active = policy
            metadata[policy] = {"is_active": False, "in_use": False, "is_available": is_available}
            preset["is_available"] |= is_available
        if active is not None:
            metadata[active]["is_active"] = True
        preset["policies"] = [str(tuple(p)) for p in preset["policies"]]
        preset["policy_metadata"] = {str(policy): value for policy, value in metadata.items()}
        result.append(preset)
    return result
