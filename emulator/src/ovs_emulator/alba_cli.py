"""The ``alba`` command (package alba): command line contract of the real OCaml CLI.

Form: ``alba <command> --config=<url> --to-json [--flag=value ...] [args]``.  With
``--to-json`` stdout carries only JSON and a failure still exits 0; without it a failure
exits 2; a bad command line exits 1 with the usage text.
"""
import json
import sys
import time

from ovs_emulator import albamgr

VERSION = "1.5.37"
COMMANDS = ["add-osd", "claim-osd", "create-preset", "decommission-osd", "delete-preset",
            "get-alba-id", "get-disk-safety", "list-all-osds", "list-available-osds",
            "list-nsm-hosts", "list-osds", "list-presets", "maintenance", "preset-set-default", "purge-osd",
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
    for arg in argv[1:]:
        if arg.startswith("--"):
            name, _, value = arg[2:].partition("=")
            options[name] = value
        else:
            args.append(arg)
    if command != "version" and not options.get("config"):
        raise UsageError("required option --config is missing")
    return command, options, args


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
    raise AlbaError(f'Failure("{command} is not available in this build")')


def maintenance(options, interval=30.0, rounds=None):
    """``alba maintenance --config=<maintenance config url>``: the maintenance agent of one
    backend (a long-running process; it needs its config and the backend's ABM)."""
    from urllib.parse import parse_qs, unquote, urlsplit
    from ovs_emulator import paths, store
    url = options.get("config")
    parts = urlsplit(url)
    ini = parse_qs(parts.query).get("ini", [None])[0]
    done = 0
    while rounds is None or done < rounds:
        try:
            config_store = store.EtcdStore(paths.real(unquote(ini)) if ini else None)
            config = config_store.get(parts.path)
            if not isinstance(config, dict):
                raise AlbaError(f'Failure("Could not retrieve the maintenance config at {url}")')
            albamgr.AlbaManager.from_url(config.get("albamgr_cfg_url"), config_store)
        except (AlbaError, store.StoreError) as exc:
            print(f"alba maintenance: {exc}", file=sys.stderr, flush=True)
            if done == 0:
                return 2
        done += 1
        time.sleep(interval)
    return 0


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
    elif result:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
