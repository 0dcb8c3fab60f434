"""The framework model (DAL) on top of the configuration store.

Every object is one JSON value at ``/ovsdb/<type>/<guid>`` (docs/design.md); guids are uuid4
strings.  Relations are ``<name>_guid`` / ``<name>_guids`` fields of the stored objects.
"""
import hashlib
import uuid

ROOT = "/ovsdb"

# Real role codes are read / write / manage; the group model may carry the short forms.
ROLE_ALIASES = {"ro": "read", "rw": "write", "read": "read", "write": "write", "manage": "manage"}


def new_guid():
    return str(uuid.uuid4())


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def role_codes(codes):
    """Normalise role codes to the framework's read / write / manage."""
    result = []
    for code in codes or []:
        code = ROLE_ALIASES.get(code, code)
        if code not in result:
            result.append(code)
    return result


class Model:
    """Typed access to ``/ovsdb/<type>/<guid>`` objects."""

    def __init__(self, store):
        self.store = store

    @staticmethod
    def key(object_type, guid):
        return f"{ROOT}/{object_type}/{guid}"

    def get(self, object_type, guid):
        if not guid or "/" in guid:
            return None
        value = self.store.get(self.key(object_type, guid))
        if not isinstance(value, dict):
            return None
        value.setdefault("guid", guid)
        return value

    def guids(self, object_type):
        return self.store.list(f"{ROOT}/{object_type}")

    def all(self, object_type):
        objects = []
        for guid in self.guids(object_type):
            obj = self.get(object_type, guid)
            if obj is not None:
                objects.append(obj)
        return objects

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

    # --- users, groups, roles --------------------------------------------------------

    def user_roles(self, user):
        """Role codes of a user (from its group)."""
        group = self.get("group", user.get("group_guid")) if user else None
        if group is None:
            return []
        codes = group.get("role_codes")
        if codes is None:  # a group that links role objects instead
            codes = []
            for role_guid in group.get("roles_guids", []):
                role = self.get("role", role_guid)
                if role:
                    codes.append(role.get("code"))
        return role_codes(codes)

    def client_roles(self, client):
        if client.get("roles"):
            return role_codes(client["roles"])
        return self.user_roles(self.get("user", client.get("user_guid")))
