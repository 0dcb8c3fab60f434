"""OSDs of the ALBA backends (framework-alba-plugin ovs/lib/alba.py ``add_osds``,
``link_alba_backends``, ``remove_units``; ovs/lib/albanode.py ``reset_osd``): ASDs of the ASD
nodes and linked ALBA backends, added and claimed through the ``alba`` CLI, modelled as
``albaosd`` objects."""
import os
import tempfile

from ovs_emulator import validate
from ovs_emulator.validate import REGEX_GUID, REGEX_PRESET, REGEX_VPOOL

from .asdclient import InvalidCredentials, ManagerUnreachable, client_for
from .common import (OBJECT_NOT_FOUND, OSD_TYPES, abm_name,
                     alba_cli, albacli_failure, arakoon_config_ini, backend_of, local_host)
from .ovsclient import HttpNotFoundException, OVSClient
from .maintenance import checkup_maintenance_agents, has_maintenance
from .backends import presets_of
from .nodes import node_of as _node
from .safety import calculate_safety, check_expected


def _save_osd(model, alba_backend, osd):
    """An OSD of ``alba_backend`` (its ``osds_guids`` follow from ``alba_backend_guid``)."""
    osd["alba_backend_guid"] = alba_backend["guid"]
    model.save("albaosd", osd)


def _delete_osd(model, osd):
    model.delete("albaosd", osd["guid"])


def add_osds(model, alba_backend_guid, osds, alba_node_guid=None, metadata=None):
    """AlbaController.add_osds: ``alba add-osd`` + ``claim-osd``, model ``albaosd``; returns the
    OSDs that were not claimed (already claimed elsewhere)."""
    backend_osds, generic_osds, reasons = [], [], []
    for osd in osds or []:
        osd = osd if isinstance(osd, dict) else {}
        try:
            required = {"osd_type": (str, OSD_TYPES)}
            target = backend_osds
            if osd.get("osd_type") in ("AD", "ASD", "S3"):
                target = generic_osds
                required.update({"ips": (list, validate.REGEX_IP),
                                 "port": (int, {"min": 1, "max": 65535}),
                                 "slot_id": (str, None)})
            validate.verify_required_params(required, osd)
            target.append(osd)
        except RuntimeError as exc:
            reasons.append(str(exc))
    alba_backend = model.get("albabackend", alba_backend_guid)
    if alba_backend is None:
        raise RuntimeError(f"AlbaBackend with guid {alba_backend_guid} could not be found")
    backend = backend_of(model, alba_backend)
    if not alba_backend.get("alba_id"):
        reasons.append(f"ALBA Backend {backend.get('name')} does not have an ABM cluster registered")
    if not has_maintenance(model, backend):
        reasons.append(f"No maintenance agents have been deployed for ALBA Backend {backend.get('name')}")
    if generic_osds and alba_node_guid is None:
        reasons.append("The OSDs are not linked to an AlbaNode")
    if reasons:
        raise RuntimeError("- {0}".format("\n- ".join(reasons)))
    domain_guid = (metadata or {}).get("backend_info", {}).get("domain_guid") if metadata else None
    failed, unclaimed = [], []
    if generic_osds:
        f, u = _add_generic_osds(model, alba_backend, alba_node_guid, generic_osds, domain_guid,
                                 metadata)
        failed += f
        unclaimed += u
    if backend_osds:
        f, u = _add_backend_osds(model, alba_backend, backend_osds, domain_guid, metadata)
        failed += f
        unclaimed += u
    if failed:
        if len(failed) == len(osds):
            raise RuntimeError("None of the requested OSDs could be claimed")
        raise RuntimeError("Some of the requested OSDs could not be claimed: {0}".format(
            ", ".join(str(f) for f in failed)))
    return unclaimed


def _claim(model, abm, long_id, unclaimed, failed, failure):
    """``alba claim-osd``; False when it failed (already claimed: the id goes to
    ``unclaimed``, else ``failure`` to ``failed``)."""
    try:
        alba_cli(model, "claim-osd", abm, **{"long-id": long_id})
        return True
    except RuntimeError as exc:
        if albacli_failure(exc) == (11, "albamgr_exn"):
            unclaimed.append(long_id)
        else:
            failed.append(failure)
        return False


def _add_generic_osds(model, alba_backend, alba_node_guid, osds, domain_guid, metadata):
    used_ip_ports = []
    for osd in model.all("albaosd"):
        if osd.get("osd_type") in ("AD", "ASD", "S3"):
            used_ip_ports += [f"{ip}:{osd.get('port')}" for ip in osd.get("ips") or []]
    ip_port_map = {}
    for requested in osds:
        requested.update(claimed=False, available=False,
                         all_ip_ports=[f"{ip}:{requested['port']}" for ip in requested["ips"]])
        for ip_port in requested["all_ip_ports"]:
            if ip_port in ip_port_map or ip_port in used_ip_ports:
                raise ValueError("Duplicate IP:port combination requested when trying to add "
                                 f"and / or claim OSDs: {ip_port}")
            ip_port_map[ip_port] = requested
    abm = abm_name(backend_of(model, alba_backend))
    claimed_osds = alba_cli(model, "list-osds", abm)
    available_osds = alba_cli(model, "list-available-osds", abm)
    for osd_list, status in ((claimed_osds, "claimed"), (available_osds, "available")):
        for actual in osd_list:
            if actual["decommissioned"] is True or actual["ips"] is None:
                continue
            for ip in actual["ips"]:
                requested = ip_port_map.get(f"{ip}:{actual['port']}")
                if requested is None or set(actual["ips"]).isdisjoint(requested["ips"]):
                    continue
                requested["osd_id"] = actual["long_id"]
                requested[status] = True
                break
    node = model.get("albanode", alba_node_guid) or {}
    failed, unclaimed, handled = [], [], []
    for ip_port, requested in ip_port_map.items():
        if ip_port in handled:
            continue
        handled += requested["all_ip_ports"]
        ips, port, osd_id = requested["ips"], requested["port"], requested.get("osd_id")
        if not requested["claimed"] and not requested["available"]:
            try:
                osd_id = alba_cli(model, "add-osd", abm, host=ips[0], port=str(port),
                                  **{"node-id": node.get("node_id")})["long_id"]
            except RuntimeError as exc:
                if albacli_failure(exc) == (7, "albamgr_exn"):
                    unclaimed.append(osd_id)
                    continue
                failed.append(f"{ips[0]}:{port}")
                continue
            if len(ips) > 1:
                try:
                    alba_cli(model, "update-osd", abm, **{"long-id": osd_id, "ip": ",".join(ips)})
                except RuntimeError:
                    failed.append(f"{ips[0]}:{port}")
                    continue
        if not requested["claimed"] and not _claim(model, abm, osd_id, unclaimed, failed, port):
            continue
        osd = next((o for o in model.find("albaosd", alba_backend_guid=alba_backend["guid"])
                    if o.get("osd_id") == osd_id), None) or {}
        osd.update(osd_id=osd_id, osd_type=requested["osd_type"], ips=ips, port=port,
                   slot_id=requested["slot_id"], domain_guid=domain_guid, metadata=metadata,
                   alba_node_guid=alba_node_guid, alba_backend_guid=alba_backend["guid"])
        osd["stack_info"] = {"osd_id": osd_id, "claimed_by": alba_backend["guid"], "ips": ips,
                             "port": port, "type": requested["osd_type"],
                             "node_id": node.get("node_id"), "slot_id": requested["slot_id"]}
        _save_osd(model, alba_backend, osd)
    return failed, unclaimed


def _add_backend_osds(model, alba_backend, osds, domain_guid, metadata):
    """An ALBA backend of this cluster as OSD (``Alba2``) of a GLOBAL backend."""
    abm = abm_name(backend_of(model, alba_backend))
    failed, unclaimed = [], []
    for _ in osds:
        info = metadata["backend_info"]
        linked_alba_id = info["linked_alba_id"]
        is_available = is_claimed = False
        for available in alba_cli(model, "list-all-osds", abm):
            if available.get("long_id") == linked_alba_id:
                if available.get("decommissioned") is True:
                    raise DecommissionedError(f"{linked_alba_id} is decommissioned.")
                is_available = True
                is_claimed = available.get("alba_id") is not None
        if not is_claimed and not is_available:
            preset_name = str(info["linked_preset"])
            text = _linked_abm_config(model, metadata, preset_name)
            with tempfile.TemporaryDirectory() as directory:
                ini = os.path.join(directory, "arakoon_config_temp")
                with open(ini, "w", encoding="utf-8") as handle:
                    handle.write(text or "")
                try:
                    alba_cli(model, "add-osd", abm, **{
                        "prefix": alba_backend["guid"], "preset": preset_name,
                        "node-id": info["linked_guid"], "alba-osd-config-url": f"file://{ini}"})
                except RuntimeError as exc:
                    if albacli_failure(exc) == (7, "albamgr_exn"):
                        unclaimed.append(linked_alba_id)
                        continue
                    failed.append(linked_alba_id)
                    continue
        if not is_claimed and not _claim(model, abm, linked_alba_id, unclaimed, failed,
                                         linked_alba_id):
            continue
        osd = next((o for o in model.find("albaosd", alba_backend_guid=alba_backend["guid"])
                    if o.get("osd_id") == linked_alba_id), None)
        if osd is None:
            osd = {"osd_id": linked_alba_id, "osd_type": "ALBA_BACKEND", "metadata": metadata,
                   "domain_guid": domain_guid, "alba_backend_guid": alba_backend["guid"],
                   "alba_node_guid": None, "ips": None, "port": None, "slot_id": None}
            _save_osd(model, alba_backend, osd)
    return failed, unclaimed


def _check_preset(presets, preset_name):
    presets = [p for p in presets if p["name"] == preset_name]
    if len(presets) != 1:
        raise RuntimeError(f"Could not locate preset {preset_name}")
    if presets[0]["is_available"] is False:
        raise RuntimeError(f"Preset {preset_name} is not available")


def _linked_abm_config(model, metadata, preset_name):
    """The ABM config (ini text) of the backend to link, once its preset is found available: as
    the real code reads it through the API named by ``backend_connection_info`` (OVSClient: the
    backend with its presets, then task get_config_metadata); a backend of this cluster is read
    from the model."""
    linked_guid = metadata["backend_info"]["linked_guid"]
    connection_info = metadata["backend_connection_info"]
    if local_host(model, connection_info):
        linked = model.get("albabackend", linked_guid)
        if linked is None:
            raise HttpNotFoundException(OBJECT_NOT_FOUND)
        _check_preset(presets_of(model, linked), preset_name)
        text = model.store.get_raw(f"/ovs/arakoon/{abm_name(backend_of(model, linked))}/config")
        if not text:
            raise RuntimeError(f"Could not load metadata from environment {connection_info.get('host')}")
        return text
    client = OVSClient(connection_info)
    backend_info = client.get(f"/alba/backends/{linked_guid}", params={"contents": "presets"})
    _check_preset(backend_info.get("presets") or [], preset_name)
    task_id = client.get(f"/alba/backends/{linked_guid}/get_config_metadata")
    successful, arakoon_config = client.wait_for_task(task_id, timeout=300)
    if successful is False:
        raise RuntimeError(f"Could not load metadata from environment {client.ip}")
    return arakoon_config_ini(arakoon_config)


class DecommissionedError(Exception):
    pass


def link_alba_backends(model, alba_backend_guid, metadata):
    """AlbaController.link_alba_backends: the LOCAL (or GLOBAL) backend becomes an OSD of this
    GLOBAL one; False when it is decommissioned."""
    validate.verify_required_params({
        "backend_connection_info": (dict, {"host": (str, validate.REGEX_IP),
                                           "port": (int, {"min": 1, "max": 65535}),
                                           "username": (str, None), "password": (str, None)}),
        "backend_info": (dict, {"domain_guid": (str, REGEX_GUID, False),
                                "linked_guid": (str, REGEX_GUID),
                                "linked_name": (str, REGEX_VPOOL),
                                "linked_preset": (str, REGEX_PRESET),
                                "linked_alba_id": (str, REGEX_GUID)})}, metadata)
    try:
        add_osds(model, alba_backend_guid,
                 [{"osd_type": "ALBA_BACKEND", "osd_id": metadata["backend_info"]["linked_alba_id"]}],
                 metadata=metadata)
    except DecommissionedError:
        return False
    checkup_maintenance_agents(model)
    return True


def remove_units(model, alba_backend_guid, osd_ids):
    """AlbaController.remove_units: ``alba purge-osd`` (an unknown OSD is no error)."""
    alba_backend = model.get("albabackend", alba_backend_guid)
    backend = backend_of(model, alba_backend)
    if not alba_backend.get("alba_id"):
        raise ValueError(f"ALBA Backend {backend.get('name')} does not have an ABM cluster registered")
    failed, last = [], None
    for osd_id in osd_ids:
        try:
            alba_cli(model, "purge-osd", abm_name(backend), **{"long-id": osd_id})
        except RuntimeError as exc:
            if "Albamgr_protocol.Protocol.Error.Osd_unknown" not in str(exc):
                failed.append(osd_id)
                last = exc
    if failed:
        if len(osd_ids) == 1:
            raise last
        raise RuntimeError(f"Error processing one or more OSDs: {failed}")


def unlink_alba_backends(model, target_guid, linked_guid):
    """AlbaController.unlink_alba_backends."""
    parent = model.get("albabackend", target_guid)
    if parent is None:
        raise RuntimeError(f"AlbaBackend with guid {target_guid} could not be found")
    linked_osd = next((osd for osd in model.find("albaosd", alba_backend_guid=target_guid)
                       if (osd.get("metadata") or {}).get("backend_info", {}).get("linked_guid")
                       == linked_guid), None)
    if linked_osd is not None:
        remove_units(model, target_guid, [linked_osd["osd_id"]])
        _delete_osd(model, linked_osd)
    checkup_maintenance_agents(model)
    return None


def reset_osd(model, node_guid, osd_id, expected_safety=None):
    """AlbaNodeController.reset_osd for an ASD: safety check (skipped without an expected
    safety), purge it from its backend, remove it, make a new ASD on the same slot (unclaimed)."""
    node = _node(model, node_guid)
    osd = next((o for o in model.find("albaosd", osd_id=osd_id)), None)
    if osd is None:
        raise RuntimeError(f"Could not find OSD {osd_id}")
    if osd.get("alba_node_guid") != node["guid"]:
        raise RuntimeError(f"Could not locate OSD {osd_id} on node {node_guid}")
    if expected_safety is not None:
        current = calculate_safety(model, osd["alba_backend_guid"], [osd_id])
        check_expected(current, expected_safety, osd_id)
    remove_units(model, osd["alba_backend_guid"], [osd_id])
    _delete_osd(model, osd)
    client = client_for(node, timeout=60)
    client.call("DELETE", f"slots/{osd['slot_id']}/asds/{osd_id}")
    client.call("POST", f"slots/{osd['slot_id']}/asds")
    return None


def remove_node(model, node_guid):
    """AlbaNodeController.remove_node: every OSD of the node purged from its backend WITHOUT a
    safety check, its slots cleared and its maintenance agents removed through the ASD manager
    (skipped when it does not answer), the albanode object deleted.  The ASD manager stays."""
    node = _node(model, node_guid)
    for osd in model.find("albaosd", alba_node_guid=node["guid"]):
        if osd.get("alba_backend_guid") and osd.get("osd_id"):
            remove_units(model, osd["alba_backend_guid"], [osd["osd_id"]])
        _delete_osd(model, osd)
    try:
        _clear_node(model, node)
    except (ManagerUnreachable, InvalidCredentials):
        pass
    model.delete("albanode", node["guid"])
    checkup_maintenance_agents(model)
    return None


def _clear_node(model, node):
    client = client_for(node, timeout=60)
    for slot_id, slot in client.get_stack().items():
        if slot.get("mountpoint"):
            client.call("DELETE", f"slots/{slot_id}")
    backends = {backend_of(model, ab).get("name"): ab["guid"] for ab in model.all("albabackend")}
    for name in client.call("GET", "maintenance").get("services", []):
        backend_name = name[len("alba-maintenance_"):].rsplit("-", 1)[0]
        client.call("POST", f"maintenance/{name}/remove",
                    {"alba_backend_guid": backends.get(backend_name)})
