"""The ``alba`` command (package alba): command line contract of the real OCaml CLI.

Form: ``alba <command> --config=<url> --to-json [--flag=value ...] [args]``.  With
``--to-json`` stdout carries only JSON and a failure still exits 0; without it a failure
exits 2; a bad command line exits 1 with the usage text.
"""
import json
import socket
import sys
import threading
import time

from ovs_emulator import albamgr, store

VERSION = "1.5.37"
COMMANDS = ["add-osd", "asd-start", "claim-osd", "create-preset", "decommission-osd", "delete-preset",
            "get-alba-id", "get-disk-safety", "list-all-osds", "list-available-osds",
            "list-namespaces", "list-nsm-hosts", "list-osds", "list-presets", "maintenance", "preset-set-default", "purge-osd",
            "show-namespaces", "update-osd", "update-preset", "version"]


class UsageError(Exception):
    pass


AlbaError = albamgr.AlbaFailure  # a failure of a command: (message, exception_type, code)


def usage(error):
    return (f"alba: {error}\nUsage: alba COMMAND --config=<url> [--to-json] [OPTION]... [ARG]...\n"
            f"Try `alba --help' for more information.\nCommands: {', '.join(COMMANDS)}")


def parse(argv):
    """(command, {option: value}, [args]) of a command line."""
    if not argv or argv[0].startswith("-"):
        raise UsageError("required COMMAND name is missing, must be one of " + ", ".join(COMMANDS))
    command, options, args = argv[0], {}, []
    if command not in COMMANDS:
        raise UsageError(f"unknown command `{command}'.")
    rest = list(argv[1:])
    while rest:
        arg = rest.pop(0)
        if arg.startswith("--"):
            name, equals, value = arg[2:].partition("=")
            if not equals and name in VALUE_OPTIONS and rest and not rest[0].startswith("--"):
                value = rest.pop(0)  # cmdliner also takes ``--option value``
            if name in REPEATABLE:  # may be repeated (``--host a --host b``)
                options.setdefault(REPEATABLE[name], []).append(value)
            options[name] = value
        else:
            args.append(arg)
    if command != "version" and not options.get("config"):
        raise UsageError("required option --config is missing")
    return command, options, args


VALUE_OPTIONS = {"config", "host", "port", "node-id", "long-id", "input-url", "ip", "prefix",
                 "preset", "alba-osd-config-url", "attempts", "endpoint", "log-sink", "namespace"}
REPEATABLE = {"host": "hosts", "long-id": "long-ids", "node-id": "node-ids"}
MAINTENANCE_INTERVAL = 5.0  # seconds between two rounds of a maintenance agent


def _read(path):
    """An --input-url (a file path or file:// URL) or a key file."""
    path = path[len("file://"):] if path.startswith("file://") else path
    try:
        with open(path, encoding="latin-1") as handle:
            return handle.read()
    except OSError as exc:
        raise AlbaError(f'Unix.Unix_error(Unix.ENOENT, "open", "{path}")' if isinstance(
            exc, FileNotFoundError) else f'Failure("{exc}")') from None


def _name(args):
    if not args:
        raise UsageError("required argument PRESET_NAME is missing")
    return args[0]


def execute(command, options, args, config_store=None):
    """The result of a command (``config_store``: tests; else the one of the --config URL)."""
    if command in PRESET_COMMANDS:
        name = _name(args) if command != "list-presets" else None
        manager = albamgr.AlbaManager.from_url(options.get("config"), config_store)
        if command == "list-presets":
            return manager.list_presets()
        if command == "create-preset":
            manager.create_preset(name, albamgr.parse_preset_input(
                _read(options.get("input-url") or "/dev/stdin"), _read))
        elif command == "update-preset":
            manager.update_preset(name, albamgr.parse_update_input(
                _read(options.get("input-url") or "/dev/stdin")))
        elif command == "delete-preset":
            manager.delete_preset(name)
        else:
            manager.set_default_preset(name)
        return {}
    if command == "get-alba-id":
        return {"id": albamgr.AlbaManager.from_url(options.get("config"), config_store).alba_id()}
    if command in OSD_COMMANDS:
        return osd_command(command, options, config_store)
    if command == "list-namespaces":
        return albamgr.AlbaManager.from_url(options.get("config"), config_store).list_namespaces()
    if command == "get-disk-safety":
        manager = albamgr.AlbaManager.from_url(options.get("config"), config_store)
        return manager.disk_safety(options.get("long-ids", []), options.get("node-ids", []),
                                   "include-decommissioning-as-dead" in options,
                                   "include-errored-as-dead" in options, options.get("namespace"))
    raise AlbaError(f'Failure("{command} is not available in this build")')


def maintenance(options, interval=MAINTENANCE_INTERVAL, rounds=None):
    """``alba maintenance --config=<maintenance config url>``: the maintenance agent of one
    backend (a long-running process; it needs its config and the backend's ABM); every round
    it repairs what the ABM's pace allows (``AlbaManager.repair``). It reads its config and
    finds its ABM once (again after a failure), and looks at the namespaces at most once per
    repair pace (no repair could be due sooner): an idle agent costs its store little."""
    url = options.get("config")
    done, manager, last_scan = 0, None, None
    while rounds is None or done < rounds:
        try:
            manager = manager or _maintained_manager(url)
            now, repaired = time.time(), None
            if last_scan is None or now - last_scan >= manager.repair_pace():
                last_scan, repaired = now, manager.repair(now)
            if repaired:
                print(f"alba maintenance: repaired namespace {repaired}", flush=True)
        except (AlbaError, store.StoreError) as exc:
            print(f"alba maintenance: {exc}", file=sys.stderr, flush=True)
            if done == 0:
                return 2
            manager = None
        done += 1
        time.sleep(interval)
    return 0


def _maintained_manager(url):
    """The ABM of the maintenance config at ``url``."""
    config_store, key = albamgr.store_of(url)
    config = config_store.get(key)
    if not isinstance(config, dict):
        raise AlbaError(f'Failure("Could not retrieve the maintenance config at {url}")')
    return albamgr.AlbaManager.from_url(config.get("albamgr_cfg_url"), config_store)


OSD_COMMANDS = ("add-osd", "claim-osd", "list-osds", "list-all-osds", "list-available-osds",
                "purge-osd", "decommission-osd", "update-osd")


def _long_id(options):
    if not options.get("long-id"):
        raise UsageError("required option --long-id is missing")
    return options["long-id"]


def osd_command(command, options, config_store=None):
    """The OSD commands of cli_osd.ml / cli_mgr.ml on the ABM of --config."""
    manager = albamgr.AlbaManager.from_url(options.get("config"), config_store)
    if command == "list-osds":
        return manager.list_osds()
    if command == "list-all-osds":
        return manager.list_all_osds()
    if command == "list-available-osds":
        return manager.list_available_osds()
    if command == "add-osd":
        return {"long_id": manager.add_osd(_osd_info(manager.store, options))}
    long_id = _long_id(options)
    if command == "claim-osd":
        manager.claim_osd(long_id)
    elif command == "decommission-osd":
        manager.decommission_osd(long_id)
    elif command == "purge-osd":
        manager.purge_osd(long_id)
    else:
        ips = [ip for ip in options["ip"].split(",") if ip] if options.get("ip") else None
        manager.update_osd(long_id, ips, options.get("port") or None)
    return {}


def _osd_info(config_store, options):
    """What ``add-osd`` learns from the device itself (its long id, kind and size)."""
    node_id = options.get("node-id")
    if not node_id:
        raise AlbaError('Failure("A node id is needed here")')
    url = options.get("alba-osd-config-url")
    if url:  # an ALBA backend as OSD (Alba2): the long id is that backend's alba id
        if not options.get("prefix") or not options.get("preset"):
            raise AlbaError('Failure("prefix and preset are needed for an alba osd")')
        text = _arakoon_config(url, config_store)
        cluster_id, _ = store.parse_cacc(text)
        try:
            linked = albamgr.linked_manager(config_store, text)
            alba_id = linked.alba_id()
        except store.StoreError:
            alba_id = None
        if not alba_id:
            raise AlbaError(f'Failure("Could not reach the albamgr of {cluster_id}")')
        return {"kind": "Alba2", "long_id": alba_id, "node_id": node_id,
                "albamgr_cfg": albamgr.arakoon_cfg_json(text), "prefix": options["prefix"],
                "preset": options["preset"], "total": 0, "used": 0}
    hosts = options.get("hosts") or ([options["host"]] if options.get("host") else [])
    port = options.get("port")
    if not hosts or not port:
        raise AlbaError('Failure("A host and a port are needed for an asd")')
    try:
        port = int(port)
    except ValueError:
        raise UsageError(f"option `--port': invalid value `{port}', expected an integer") from None
    config = albamgr.find_asd(config_store, hosts, port)
    if config is None:
        raise AlbaError('Unix.Unix_error(Unix.ECONNREFUSED, "connect", "")')
    return {"kind": "AsdV1", "long_id": config["asd_id"], "node_id": node_id, "ips": hosts,
            "port": port, "use_tls": False, "use_rdma": False,
            "total": int(config.get("capacity") or 0), "used": 0}


def _arakoon_config(url, config_store):
    """The ini text an ``--alba-osd-config-url`` (file:// or arakoon://) points at."""
    if url.startswith("file://") or url.startswith("/"):
        return _read(url)
    return albamgr.arakoon_config(url, config_store)


def asd_start(options):
    """``alba asd-start --config <url>``: the ASD process of an ``alba-asd-<asd_id>`` unit; it
    listens on the port (and ips) of its config in the configuration store."""
    url = options.get("config")
    try:
        config_store, key = albamgr.store_of(url)
        config = config_store.get(key)
    except store.StoreError as exc:
        print(f"alba asd-start: {exc}", file=sys.stderr, flush=True)
        return 2
    if not isinstance(config, dict) or "port" not in config:
        print(f"alba asd-start: no ASD config at {url}", file=sys.stderr, flush=True)
        return 2

    def serve(server):
        while True:
            connection, _ = server.accept()
            connection.close()

    servers = [socket.create_server((ip, int(config["port"])), reuse_port=False)
               for ip in (config.get("ips") or ["0.0.0.0"])]
    for server in servers:
        threading.Thread(target=serve, args=(server,), daemon=True).start()
    print(f"asd {config.get('asd_id')} listening on port {config['port']}", flush=True)
    while True:
        time.sleep(3600)


PRESET_COMMANDS = ("list-presets", "create-preset", "update-preset", "delete-preset",
                   "preset-set-default")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        command, options, args = parse(argv)
    except UsageError as exc:
        print(usage(exc), file=sys.stderr)
        return 1
    if command == "version":
        print(VERSION)
        return 0
    if command == "maintenance":
        return maintenance(options)
    if command == "asd-start":
        return asd_start(options)
    to_json = "to-json" in options
    try:
        result = execute(command, options, args)
    except UsageError as exc:
        print(usage(exc), file=sys.stderr)
        return 1
    except AlbaError as exc:
        if to_json:
            print(json.dumps({"success": False, "error": {
                "message": str(exc), "exception_type": exc.exception_type,
                "exception_code": exc.exception_code}}))
            return 0
        print(str(exc), file=sys.stderr)
        return 2
    if to_json:
        print(json.dumps({"success": True, "result": result}, indent=2))
    elif command == "list-presets":
        print(f"Found {len(result)} presets: {json.dumps(result)}")
    elif command in ("list-osds", "list-all-osds", "list-available-osds"):
        print(f"Found {len(result)} osds: {json.dumps(result)}")
    elif result:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
