"""Serialising model objects and the list envelope of the framework API.

Rules of the real API (webapps/api/backend/decorators.py, serializers.py):
- properties are always serialised, except any field with "password" in its name;
- without ``contents`` a single object is complete (properties, dynamics, relations) and a
  list holds guids;
- with ``contents`` (comma separated): ``_dynamics`` / ``_relations`` add all dynamics /
  relations, a field name adds that one, ``-name`` drops it;
- relations are ``<name>_guid`` / ``<name>_guids``; ``contents`` names a relation by its name
  (``vpool`` for ``vpool_guid``, ``storagedrivers`` for ``storagedrivers_guids``), as the real
  serializer does; the ``<name>_guid(s)`` spelling is accepted too.
"""
import math

from . import errors

# Dynamic (computed) fields per object type; everything else is a property or a relation.
DYNAMICS = {
    "storagerouter": {"statistics", "status", "partition_config", "regular_domains",
                      "recovery_domains", "features", "vdisks_guids", "vpools_guids",
                      "vaai"},
    "client": {"client_id"},
    "albanode": {"stack", "ips", "maintenance_services", "node_metadata",
                 "supported_osd_types", "read_only_mode", "local_summary", "ipmi_info"},
    "user": set(),
    "backendtype": set(),
    "disk": set(),
    "diskpartition": {"usage", "folder"},
    "domain": {"storage_router_layout"},
    "backend": {"linked_guid", "available", "regular_domains", "access_rights", "live_status"},
    "albabackend": {"local_stack", "statistics", "ns_data", "usages", "presets", "available",
                    "name", "osd_statistics", "linked_backend_guids", "remote_stack",
                    "local_summary", "live_status"},
}


def scrub(value):
    """``value`` without any (nested) field whose name contains "password"."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if "password" not in str(k)}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def is_relation(name):
    return name.endswith("_guid") or name.endswith("_guids")


def parse_contents(value):
    if value is None:
        return None
    return [part for part in value.split(",")]


class Serializer:
    """Serialise objects of one type; ``dynamics`` maps a dynamic name to fn(obj) -> value."""

    def __init__(self, object_type, dynamics=None):
        self.object_type = object_type
        self.dynamic_names = set(DYNAMICS.get(object_type, set()))
        self.computed = dynamics or {}
        # computed reverse relations (``<name>_guids``) show with ``_relations``, as relations
        self.dynamic_names |= {name for name in self.computed if not is_relation(name)}

    def wanted(self, name, contents):
        if contents is None:
            return True
        names = {name}
        if is_relation(name) and name not in self.dynamic_names:
            names.add(name.rsplit("_", 1)[0])
        if any(f"-{each}" in contents for each in names):
            return False
        if any(each in contents for each in names):
            return True
        if name in self.dynamic_names:
            return "_dynamics" in contents
        if is_relation(name):
            return "_relations" in contents
        return True

    def dynamic(self, obj, name):
        """The value of a computed dynamic, computed once per object and answer."""
        cache = obj.setdefault("_computed", {})
        if name not in cache:
            cache[name] = self.computed[name](obj)
        return cache[name]

    def value(self, obj, path):
        """The value of a (dotted) field, dynamics included; None when absent."""
        first, _, rest = path.partition(".")
        value = self.dynamic(obj, first) if first in self.computed else obj.get(first)
        return _field(value, rest) if rest else value

    def serialize(self, obj, contents=None):
        data = {"guid": obj["guid"]}
        for name, value in obj.items():
            if "password" in name or name.startswith("_") or name in self.computed:
                continue
            if self.wanted(name, contents):
                data[name] = scrub(value)
        for name in self.computed:
            if "password" not in name and self.wanted(name, contents):
                data[name] = scrub(self.dynamic(obj, name))
        return data


# --- queries -------------------------------------------------------------------------

def _field(obj, path):
    value = obj
    for part in path.split(".") if path else []:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _evaluate(obj, item, serializer):
    if not isinstance(item, (list, tuple)) or len(item) < 3:
        raise errors.internal("Query is not valid: invalid query item")
    value = serializer.value(obj, item[0])
    operator, expected = item[1], item[2]
    ignore_case = len(item) == 4 and item[3] is False
    if ignore_case:
        value = _lower(value)
        expected = [_lower(x) for x in expected] if isinstance(expected, list) else _lower(expected)
    try:
        if operator == "EQUALS":
            return value == expected
        if operator == "NOT_EQUALS":
            return value != expected
        if operator == "GT":
            return value is not None and value > expected
        if operator == "LT":
            return value is not None and value < expected
        if operator == "IN":
            return value in expected
        if operator == "CONTAINS":
            return value is not None and expected in value
    except TypeError:
        return False
    raise errors.internal("Invalid operator specified")


def matches(obj, query, serializer):
    where = query.get("type")
    if where not in ("AND", "OR"):
        raise errors.internal("Invalid where operator specified")
    items = query.get("items") or []
    if not items:
        return True
    wanted = where == "OR"
    for item in items:
        if isinstance(item, dict):
            result = matches(obj, item, serializer)
        else:
            result = _evaluate(obj, item, serializer)
        if result == wanted:
            return wanted
    return not wanted


def validate_query(query):
    if query is None or (isinstance(query, dict) and "type" in query and "items" in query):
        return
    raise errors.internal("Query is not valid: 'Query can be None or a dict containing "
                          "'type' and 'items''")


# --- the list envelope ----------------------------------------------------------------

def _sort_key(field, serializer):
    def key(obj):
        value = serializer.value(obj, field)
        return (value is not None, value if value is not None else 0)
    return key


def _int(value):
    if value is None:
        return None
    return int(value) if str(value).isdigit() else None


def list_response(objects, params, serializer, default_sort=None, query=None):
    """The ``{data, _paging, _contents, _sorting}`` answer of a list call.

    ``objects`` are full (stored) objects, already computed dynamics included as needed;
    ``params`` the query parameters (single values).  ``query`` is the parsed ``?query=``.
    """
    sort = params.get("sort") or default_sort
    sort_fields = sort.split(",") if sort else None
    contents = parse_contents(params.get("contents"))
    page = _int(params.get("page"))
    page_size = _int(params.get("page_size"))
    if query is not None:
        validate_query(query)
        objects = [obj for obj in objects if matches(obj, query, serializer)]
    if sort_fields:
        for field in reversed(sort_fields):
            desc = field.startswith("-")
            name = field[1:] if desc else field
            objects = sorted(objects, key=_sort_key(name, serializer), reverse=desc)
    total = len(objects)
    paging = {"total_items": total, "current_page": 1, "max_page": 1,
              "page_size": page_size, "start_number": min(1, total), "end_number": total}
    if page is not None and page_size:
        max_page = int(math.ceil(total / float(page_size)))
        page = min(page, max_page)
        if page == 0:
            start, end = -1, 0
        else:
            start = (page - 1) * page_size
            end = start + page_size
        objects = objects[start:end] if start >= 0 else []
        paging.update({"current_page": max(1, page), "max_page": max(1, max_page),
                       "start_number": start + 1, "end_number": min(total, end)})
    else:
        paging["page_size"] = total
    if contents is not None:
        data = [serializer.serialize(obj, contents) for obj in objects]
    else:
        data = [obj["guid"] for obj in objects]
    return {"data": data, "_paging": paging, "_contents": contents,
            "_sorting": sort_fields}
