"""Service objects of the framework model (framework: ovs/dal/hybrids/service.py,
servicetype.py): ``service`` {name, type (a ServiceType name), ports, storagerouter_guid} at
``/ovsdb/service/<guid>``.

The emulator models the services a framework rule reads: the volume driver's Arakoon cluster,
``arakoon-voldrv`` (type ``Arakoon``), one per master with a DB partition, made when a vPool is
added (StorageDriverController._voldrv_arakoon_checkup, run by add_vpool) and dropped when its
node is demoted (StorageDriverController._on_demote).  StorageRouterController.get_partition_info
counts the DB role of a storage router in use while an internal ``Arakoon`` service other than
``arakoon-ovsdb``, or a ``MetadataServer`` service, runs there (``db_in_use``).  The ABM and NSM
clusters of ALBA backends are services of the types ``AlbaManager`` and ``NamespaceManager``
(framework-alba-plugin: alba_arakoon_installer.py): that rule does not count them.

The emulated voldrv cluster itself runs on every master from ``ovs setup`` on (arakoon.py); these
objects follow the real framework's model only.
"""
from ovs_emulator import model
from ovs_emulator.units import ARAKOON_PORTS

ARAKOON = "Arakoon"
MD_SERVER = "MetadataServer"
VOLDRV = "arakoon-voldrv"
OVSDB = "arakoon-ovsdb"


def on_router(config_store, router_guid):
    return model.find(config_store, "service", storagerouter_guid=router_guid)


def db_in_use(config_store, router_guid):
    """Whether a service of the storage router uses its DB role (get_partition_info)."""
    for service in on_router(config_store, router_guid):
        if service.get("type") == ARAKOON and service.get("name") != OVSDB:
            return True
        if service.get("type") == MD_SERVER:
            return True
    return False


def db_masters(config_store):
    """The masters with a DB partition, sorted by IP."""
    routers = [r for r in model.find(config_store, "storagerouter", node_type="MASTER")
               if (r.get("partition_config") or {}).get("DB")]
    return sorted(routers, key=lambda r: [int(x) for x in r["ip"].split(".")])


def voldrv_checkup(config_store):
    """StorageDriverController.manual_voldrv_arakoon_checkup: the cluster's ``arakoon-voldrv``
    service on every master with a DB partition (none at all: the real error)."""
    masters = db_masters(config_store)
    current = {s.get("storagerouter_guid") for s in model.find(config_store, "service", name=VOLDRV)}
    if not current and not masters:
        raise RuntimeError("Could not find any Storage Router with a DB role")
    for router in masters:
        if router["guid"] not in current:
            model.create(config_store, "service", name=VOLDRV, type=ARAKOON,
                         ports=list(ARAKOON_PORTS["voldrv"]), storagerouter_guid=router["guid"])
    return True


def remove_voldrv(config_store, machine_id):
    """StorageDriverController._on_demote: the node's ``arakoon-voldrv`` service goes."""
    for router in model.find(config_store, "storagerouter", machine_id=machine_id):
        for service in model.find(config_store, "service", name=VOLDRV,
                                  storagerouter_guid=router["guid"]):
            model.delete(config_store, "service", service["guid"])
