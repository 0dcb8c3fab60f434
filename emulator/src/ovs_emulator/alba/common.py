"""What every part of the ALBA plugin domain shares: the ``alba`` CLI as the framework runs it
(``AlbaCLI.run``), the names of a backend's Arakoon clusters and maintenance agents, and the
validation patterns of the plugin."""
import configparser
import io
import re

from ovs_emulator import alba_cli as albacli, albamgr

BACKEND_CONFIG_ROOT = "/ovs/alba/backends"
ASD_NODE_ROOT = "/ovs/alba/asdnodes"
OSD_TYPES = ["ASD", "ALBA_BACKEND", "AD", "S3"]
OBJECT_NOT_FOUND = "The requested object could not be found (object_not_found)"  # OVSClient's 404


def alba_cli(model, command, cluster, args=(), **options):
    """AlbaCLI.run: the ``alba`` command's own code on the configuration store; an ALBA
    failure raises RuntimeError with the framework's AlbaError text."""
    options = dict({"config": albamgr.config_url(cluster), "to-json": ""}, **options)
    try:
        return albacli.execute(command, options, list(args), config_store=model.store)
    except albamgr.AlbaFailure as exc:
        raise RuntimeError(f"{exc} - code: {exc.exception_code} - type: {exc.exception_type}") \
            from None


def albacli_failure(exc):
    """(code, type) of an alba_cli RuntimeError text ``<message> - code: <n> - type: <t>``."""
    match = re.search(r" - code: (\d+) - type: (\S+)$", str(exc))
    return (int(match.group(1)), match.group(2)) if match else (0, "unknown")


def abm_name(backend):
    return f"{backend['name']}-abm"


def nsm_names(backend):
    return [f"{backend['name']}-nsm_0"]


def backend_of(model, alba_backend):
    return model.get("backend", (alba_backend or {}).get("backend_guid")) or {}


def alba_backend_named(model, name):
    """The albabackend whose backend is called ``name`` (None if there is none)."""
    for alba_backend in model.all("albabackend"):
        if backend_of(model, alba_backend).get("name") == name:
            return alba_backend
    return None


def set_status(model, backend_guid, status):
    backend = model.get("backend", backend_guid)
    if backend is not None:
        backend["status"] = status
        model.save("backend", backend)


def maintenance_re(backend_name):
    return re.compile(f"^alba-maintenance_{re.escape(backend_name)}-[a-zA-Z0-9]{{16}}$")


def computed(obj, name, function):
    """``function(obj)`` once per object (cached in ``obj['_computed']``)."""
    cache = obj.setdefault("_computed", {})
    if name not in cache:
        cache[name] = function(obj)
    return cache[name]


def local_host(model, connection_info):
    """Whether ``connection_info`` names this cluster's API (a storage router's IP: the
    ``local_ip`` of the real ``remote_stack``); else another cluster (GeoScale)."""
    return (connection_info or {}).get("host") in {r.get("ip") for r in model.all("storagerouter")}


def arakoon_config_dict(text):
    """ArakoonClusterConfig.convert_config_to(INI -> DICT) of an Arakoon ini text (ports as ints;
    an empty ``plugins`` left out as export_dict does)."""
    parser = configparser.RawConfigParser()
    parser.read_file(io.StringIO(text))
    converted = {}
    for section in parser.sections():
        converted[section] = {}
        for option in parser.options(section):
            if option in ("client_port", "messaging_port"):
                converted[section][option] = parser.getint(section, option)
            elif not (section == "global" and option == "plugins" and not parser.get(section, option)):
                converted[section][option] = parser.get(section, option)
    return converted


def arakoon_config_ini(config):
    """ArakoonClusterConfig.convert_config_to(DICT -> INI)."""
    parser = configparser.RawConfigParser()
    for section, values in config.items():
        parser.add_section(section)
        for key, value in values.items():
            parser.set(section, key, str(value))
    output = io.StringIO()
    parser.write(output)
    return output.getvalue()


def osd_guids(model, alba_backend_guid):
    """The relation ``osds_guids`` of an ALBA backend, from its OSDs' ``alba_backend_guid`` (the DAL's
    foreign key; a list kept on the backend lost OSDs claimed by concurrent tasks)."""
    return [osd["guid"] for osd in model.find("albaosd", alba_backend_guid=alba_backend_guid)]
