"""The framework model (DAL): JSON objects under /ovsdb/<type>/<guid> in the config store."""
import hashlib
import uuid

from ovs_emulator import system


def create(config_store, kind, **fields):
    obj = {"guid": str(uuid.uuid4()), **fields}
    config_store.set(f"/ovsdb/{kind}/{obj['guid']}", obj)
    return obj


def save(config_store, kind, obj):
    config_store.set(f"/ovsdb/{kind}/{obj['guid']}", obj)
    return obj


def objects(config_store, kind):
    return [config_store.get(f"/ovsdb/{kind}/{guid}") for guid in config_store.list(f"/ovsdb/{kind}")]


def find(config_store, kind, **match):
    return [obj for obj in objects(config_store, kind)
            if all(obj.get(key) == value for key, value in match.items())]


def password_hash(password):
    return hashlib.sha256(password.encode()).hexdigest()


def create_admin(config_store):
    """Group ``administrators``, user admin/admin and its INTERNAL password client."""
    group = create(config_store, "group", name="administrators", role_codes=["ro", "rw", "manage"])
    user = create(config_store, "user", username="admin", password=password_hash("admin"),
                  is_active=True, group_guid=group["guid"])
    create(config_store, "client", name="ovs-internal", ovs_type="INTERNAL", grant_type="PASSWORD",
           client_secret=system.random_id(128), user_guid=user["guid"])


def storagerouter(config_store, name, ip, machine_id, node_type, rdma):
    """Create or update the storage router of ``machine_id``."""
    for obj in find(config_store, "storagerouter", machine_id=machine_id):
        obj.update(name=name, ip=ip, node_type=node_type)
        save(config_store, "storagerouter", obj)
        return obj
    return create(config_store, "storagerouter", name=name, ip=ip, machine_id=machine_id,
                  node_type=node_type, rdma_capable=rdma, status="OK",
                  partition_config={role: [] for role in ("BACKEND", "DB", "DTL", "SCRUB", "WRITE")},
                  disks_guids=[], storagedrivers_guids=[], vpools_guids=[], domains_guids=[],
                  recovery_domains_guids=[])


def get(config_store, kind, guid):
    obj = config_store.get(f"/ovsdb/{kind}/{guid}") if guid else None
    return obj if isinstance(obj, dict) else None


def delete(config_store, kind, guid):
    config_store.delete(f"/ovsdb/{kind}/{guid}")


def new_guid():
    return str(uuid.uuid4())


class Model:
    """Typed access to ``/ovsdb/<type>/<guid>`` objects of one configuration store (the
    framework's DAL; the API's ``webapi.model.Model`` adds users and roles)."""

    ROOT = "/ovsdb"

    def __init__(self, config_store):
        self.store = config_store

    @classmethod
    def key(cls, object_type, guid):
        return f"{cls.ROOT}/{object_type}/{guid}"

    def get(self, object_type, guid):
        if not guid or "/" in guid:
            return None
        value = self.store.get(self.key(object_type, guid))
        if not isinstance(value, dict):
            return None
        value.setdefault("guid", guid)
        return value

    def guids(self, object_type):
        return self.store.list(f"{self.ROOT}/{object_type}")

    def all(self, object_type):
        objects_found = []
        for guid in self.guids(object_type):
            obj = self.get(object_type, guid)
            if obj is not None:
                objects_found.append(obj)
        return objects_found

    def find(self, object_type, **fields):
        return [obj for obj in self.all(object_type)
                if all(obj.get(name) == value for name, value in fields.items())]

    def find_one(self, object_type, **fields):
        found = self.find(object_type, **fields)
        return found[0] if found else None

    def save(self, object_type, obj):
        obj.setdefault("guid", new_guid())
        self.store.set(self.key(object_type, obj["guid"]), obj)
        return obj

    def delete(self, object_type, guid):
        self.store.delete(self.key(object_type, guid))
