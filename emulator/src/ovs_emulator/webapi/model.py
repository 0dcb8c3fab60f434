"""The framework model (DAL) on top of the configuration store.

Every object is one JSON value at ``/ovsdb/<type>/<guid>`` (docs/design.md); guids are uuid4
strings.  Relations are ``<name>_guid`` / ``<name>_guids`` fields of the stored objects.
"""
import hashlib

from ovs_emulator import model
from ovs_emulator.model import new_guid

__all__ = ["Model", "ROOT", "new_guid", "role_codes", "sha256"]

ROOT = model.Model.ROOT

# Real role codes are read / write / manage; the group model may carry the short forms.
ROLE_ALIASES = {"ro": "read", "rw": "write", "read": "read", "write": "write", "manage": "manage"}


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


class Model(model.Model):
    """The DAL of the API: ``ovs_emulator.model.Model`` plus users, groups and roles."""

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
        """The client's roles (OAuth2Toolbox.generate_tokens: the client's RoleClient junctions, none
        left: a token without roles); a client kept without a role list has its user's."""
        if client.get("roles") is not None:
            return role_codes(client["roles"])
        return self.user_roles(self.get("user", client.get("user_guid")))
