"""The node's disks, from the test bed's /etc/ovs-emulator/hardware.json
(``{"disks": [{"name": "sdb", "size": <bytes>, "is_ssd": <bool>, "serial": "<id>"}]}``).

A disk that already holds data carries ``"has_data": true`` (or a non-empty ``"partitions"``
list, e.g. ``[{"filesystem": "ext4", "mountpoint": "/data"}]``): the ASD manager shows its slot
as not available and never makes an ASD on it."""
import json

from ovs_emulator import paths, system


def disks():
    """[{name, device, size, is_ssd, serial, aliases, slot_id[, has_data]}] sorted by name.

    ``aliases`` are /dev/disk/by-id names; ``slot_id`` is the last part of the first one
    (as the real ASD manager names its slots).
    """
    text = system.read_text(paths.HARDWARE_JSON)
    result = []
    for disk in json.loads(text).get("disks", []) if text else []:
        by_id = f"ata-QEMU_HARDDISK_{disk['serial']}"
        result.append({"name": disk["name"], "device": f"/dev/{disk['name']}",
                       "size": int(disk["size"]), "is_ssd": bool(disk.get("is_ssd", False)),
                       "serial": disk["serial"], "aliases": [f"/dev/disk/by-id/{by_id}"],
                       "slot_id": by_id})
        if disk.get("has_data") or disk.get("partitions"):
            result[-1]["has_data"] = True
    return sorted(result, key=lambda disk: disk["name"])


def slots():
    """{slot_id: disk} of all disks."""
    return {disk["slot_id"]: disk for disk in disks()}


# --- the node's partition table --------------------------------------------------------
# ``{disk name: [{number, offset, size, filesystem, mountpoint}]}`` in /var/lib/ovs-emulator/partitions.json;
# written only on the node itself (by its ovs-workers, see ovs_emulator.workers).

def partition_table():
    text = system.read_text(paths.PARTITIONS_JSON)
    return json.loads(text) if text else {}


def save_partition_table(table):
    system.write_text(paths.PARTITIONS_JSON, json.dumps(table, indent=4, sort_keys=True))


def partitions(disk, table=None):
    """The partitions of ``disk`` (a ``disks()`` entry), sorted by offset, with name and aliases."""
    table = partition_table() if table is None else table
    result = []
    for index, part in enumerate(sorted(table.get(disk["name"], []), key=lambda p: p["offset"]), 1):
        number = part.get("number", index)
        result.append(dict(part, name=f"{disk['name']}{number}",
                           aliases=[f"{alias}-part{number}" for alias in disk["aliases"]]))
    return result
