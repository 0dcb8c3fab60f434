"""Service objects of the framework model (services.py): the voldrv Arakoon cluster's services
that add_vpool makes on the masters with a DB partition, and the DB role they put in use."""
import pytest

from ovs_emulator import model, services
from ovs_emulator.store import MemoryStore


def router(store, name, ip, node_type, db):
    return model.create(store, "storagerouter", name=name, ip=ip, machine_id=name.upper(), node_type=node_type,
                        partition_config={"DB": ["p-" + name] if db else [], "WRITE": []})


def voldrv(store):
    return sorted(s["storagerouter_guid"] for s in model.find(store, "service", name="arakoon-voldrv"))


def test_voldrv_checkup_on_masters_with_db():
    store = MemoryStore()
    ctl01 = router(store, "ctl01", "10.0.0.1", "MASTER", True)
    router(store, "ctl02", "10.0.0.2", "MASTER", False)
    cmp01 = router(store, "cmp01", "10.0.0.21", "EXTRA", True)
    assert services.voldrv_checkup(store) is True
    assert voldrv(store) == [ctl01["guid"]]
    assert services.db_in_use(store, ctl01["guid"]) is True
    assert services.db_in_use(store, cmp01["guid"]) is False
    # a master that has a DB partition later gets its service at the next checkup, once
    ctl03 = router(store, "ctl03", "10.0.0.3", "MASTER", True)
    services.voldrv_checkup(store)
    services.voldrv_checkup(store)
    assert voldrv(store) == sorted([ctl01["guid"], ctl03["guid"]])
    # demote: the node's service goes
    services.remove_voldrv(store, "CTL01")
    assert voldrv(store) == [ctl03["guid"]] and services.db_in_use(store, ctl01["guid"]) is False


def test_voldrv_checkup_without_db_role():
    store = MemoryStore()
    router(store, "cmp01", "10.0.0.21", "EXTRA", True)
    with pytest.raises(RuntimeError, match="^Could not find any Storage Router with a DB role$"):
        services.voldrv_checkup(store)


@pytest.mark.parametrize("name, kind, in_use", [
    ("arakoon-ovsdb", "Arakoon", False), ("arakoon-voldrv", "Arakoon", True),
    ("arakoon-b1-abm", "AlbaManager", False), ("arakoon-b1-nsm_0", "NamespaceManager", False),
    ("metadataserver_vp1_0", "MetadataServer", True)])
def test_db_in_use_by_service_type(name, kind, in_use):
    store = MemoryStore()
    ctl01 = router(store, "ctl01", "10.0.0.1", "MASTER", True)
    model.create(store, "service", name=name, type=kind, ports=[], storagerouter_guid=ctl01["guid"])
    assert services.db_in_use(store, ctl01["guid"]) is in_use
