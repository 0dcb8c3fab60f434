"""Disk safety of an ALBA backend (framework-alba-plugin ovs/lib/alba.py
``AlbaController.calculate_safety``)."""
import re

from .backends import albabackend_dynamics
from .common import abm_name, alba_cli, backend_of

ERRORED = ("error", "unknown")  # stack states of an OSD counted as dead (unknown: node down)


def errored_osds(model, alba_backend):
    """OSD ids of the backend's local stack in error, or not answering (their node down)."""
    found = []
    for slots in albabackend_dynamics(model)["local_stack"](alba_backend).values():
        for slot in slots.values():
            for osd_id, osd in slot.get("osds", {}).items():
                if osd.get("status") in ERRORED:
                    found.append(osd_id)
    return found


def calculate_safety(model, alba_backend_guid, removal_osd_ids):
    """``{"good", "critical", "lost"}``: namespaces that keep redundancy / keep no spare /
    lose data if ``removal_osd_ids`` (and the errored OSDs) went away."""
    alba_backend = model.get("albabackend", alba_backend_guid)
    if alba_backend is None:
        raise RuntimeError(f"AlbaBackend with guid {alba_backend_guid} could not be found")
    backend = backend_of(model, alba_backend)
    if not alba_backend.get("alba_id"):
        raise ValueError(f"ALBA Backend {backend.get('name')} does not have an ABM cluster registered")
    error_disks = errored_osds(model, alba_backend)
    long_ids = [osd["osd_id"] for osd in model.find("albaosd", alba_backend_guid=alba_backend_guid)
                if osd.get("osd_id") in removal_osd_ids or osd.get("osd_id") in error_disks]
    while True:
        options = {"include-decommissioning-as-dead": "", "long-ids": long_ids}
        try:
            safety_data = alba_cli(model, "get-disk-safety", abm_name(backend), **options)
            break
        except RuntimeError as exc:
            match = re.search(r'unknown osd ([^ "]*)', str(exc))
            if match is None or match.group(1) not in long_ids:
                raise
            long_ids.remove(match.group(1))
    result = {"good": 0, "critical": 0, "lost": 0}
    for namespace in safety_data:
        safety = namespace.get("safety")
        if safety is None or safety > 0:
            result["good"] += 1
        elif safety == 0:
            result["critical"] += 1
        else:
            result["lost"] += 1
    return result


def check_expected(current, expected, osd_id):
    """AlbaNodeController's refusal when the safety got worse than the caller accepted."""
    expected = expected if isinstance(expected, dict) else {}
    if (current["critical"] != 0 or current["lost"] != 0) and (
            current["critical"] != expected.get("critical") or current["lost"] != expected.get("lost")):
        raise RuntimeError(f"Cannot remove OSD {osd_id} as the current safety is not as expected "
                           f"({current} vs {expected})")
