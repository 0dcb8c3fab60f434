"""The "not served" record of the vDisks.

While a volume driver (``ovs-volumedriver_<vpool>``) is down, the vDisks it serves get no IO.
The volume driver unit records it on its node, append-only, one JSON object a line in
``/var/log/ovs/vdisk_io.log``:

    {"time": <epoch seconds>, "vpool": <name>, "vdisk": <name>, "vdisk_guid": <guid>, "served": false}

when it stops (for every vDisk it served at that moment) and the same with ``"served": true``
when it starts (for every vDisk it serves then). A vDisk moved away before the stop is not
listed, so it has no unserved time. ``intervals(lines)`` pairs them: {vdisk_guid: [[from, to]]}
(``to`` null while still unserved).
"""
import json
import os
import time

from ovs_emulator import paths, store

VOLUMEDRIVER_PREFIX = "ovs-volumedriver_"


def served_vdisks(config_store, machine_id, vpool):
    """The vDisks of ``vpool`` served by the storage router ``machine_id`` (model objects)."""
    routers = [g for g in config_store.list("/ovsdb/storagerouter")
               if (config_store.get(f"/ovsdb/storagerouter/{g}") or {}).get("machine_id") == machine_id]
    vpools = [g for g in config_store.list("/ovsdb/vpool")
              if (config_store.get(f"/ovsdb/vpool/{g}") or {}).get("name") == vpool]
    found = []
    for guid in config_store.list("/ovsdb/vdisk"):
        vdisk = config_store.get(f"/ovsdb/vdisk/{guid}")
        if isinstance(vdisk, dict) and vdisk.get("storagerouter_guid") in routers \
                and vdisk.get("vpool_guid") in vpools:
            found.append(vdisk)
    return found


def record(vpool, vdisks, served, now=None):
    """Append one line per vDisk to the node's record."""
    path = paths.VDISK_IO_LOG
    os.makedirs(os.path.dirname(path), exist_ok=True)
    now = time.time() if now is None else now
    with open(path, "a", encoding="utf-8") as handle:
        for vdisk in vdisks:
            handle.write(json.dumps({"time": now, "vpool": vpool, "vdisk": vdisk.get("name"),
                                     "vdisk_guid": vdisk.get("guid"), "served": served}) + "\n")


def volumedriver_event(service, machine_id, served, cached=None):
    """Called by the ``ovs-volumedriver_<vpool>`` unit when it starts (served) or stops; the
    vDisks are read from the model (``cached``, the last list seen, when the store is down).
    Returns the vDisks recorded."""
    vpool = service[len(VOLUMEDRIVER_PREFIX):]
    try:
        vdisks = served_vdisks(store.open_store(), machine_id, vpool)
    except store.StoreError:
        vdisks = list(cached or [])
    record(vpool, vdisks, served)
    return vdisks


def read(path=None):
    text = ""
    try:
        with open(path or paths.VDISK_IO_LOG, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        pass
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def intervals(lines):
    """{vdisk_guid: [[from, to|None], ...]} of the unserved time in ``lines``."""
    found = {}
    for line in sorted(lines, key=lambda item: item["time"]):
        spans = found.setdefault(line["vdisk_guid"], [])
        if not line["served"] and (not spans or spans[-1][1] is not None):
            spans.append([line["time"], None])
        elif line["served"] and spans and spans[-1][1] is None:
            spans[-1][1] = line["time"]
    return {guid: spans for guid, spans in found.items() if spans}


def unserved_seconds(lines, now=None):
    """{vdisk_guid: total unserved seconds} (an open interval counts until ``now``)."""
    now = time.time() if now is None else now
    return {guid: sum((end if end is not None else now) - start for start, end in spans)
            for guid, spans in intervals(lines).items()}
