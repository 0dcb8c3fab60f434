"""The node's disks, from the test bed's /etc/ovs-emulator/hardware.json
(``{"disks": [{"name": "sdb", "size": <bytes>, "is_ssd": <bool>, "serial": "<id>"}]}``)."""
import json

from ovs_emulator import paths, system


def disks():
    """[{name, device, size, is_ssd, serial, aliases, slot_id}] sorted by name.

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
    return sorted(result, key=lambda disk: disk["name"])


def slots():
    """{slot_id: disk} of all disks."""
    return {disk["slot_id"]: disk for disk in disks()}
