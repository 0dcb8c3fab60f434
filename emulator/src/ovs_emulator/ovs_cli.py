"""The ``ovs`` command (package openvstorage)."""
import json
import os
import sys

from ovs_emulator import local_update, monitor, noderemoval, nodetype, ovs_setup, paths, store, units, update
from ovs_emulator.webapi.model import Model

USAGE = """Usage:
    ovs setup [master|extra]
    ovs setup promote [--rollback-on-failure]
    ovs setup demote [<ip>] [--rollback-on-failure]
    ovs remove node <ip> [--force-yes]
    ovs config list [path]
    ovs config list-recursive [path]
    ovs config get <key>[|field.subfield]
    ovs healthcheck [--unattended|--to-json] [module [test]]
    ovs monitor services
    ovs update <components>
    ovs local_update alba|volumedriver"""
# the framework model and the ALBA managers' data live in the same store but are not configuration
HIDDEN = {"ovsdb", "albamgr"}


def config_list(config_store, path="/"):
    names = config_store.list(path)
    return [name for name in names if path.strip("/") or name not in HIDDEN]


def config_list_recursive(config_store, path="/"):
    """Full keys without leading slash, directories (ending in '/') before their contents."""
    base = path.strip("/")
    lines = set()
    for key in config_store.list_recursive(path):
        parts = key.strip("/").split("/")
        if not base and parts[0] in HIDDEN:
            continue
        depth = len(base.split("/")) if base else 0
        for end in range(depth + 1, len(parts)):
            lines.add("/".join(parts[:end]) + "/")
        lines.add("/".join(parts))
    return sorted(lines)


def config_get(config_store, key):
    if "|" in key:
        value = config_store.get(key, default=KeyError)
        return None if value is KeyError else json.dumps(value, indent=4)
    return config_store.get_raw(key)


def config(args):
    if not args or args[0] not in ("list", "list-recursive", "get") or \
            (args[0] == "get" and len(args) != 2) or len(args) > 2:
        print(USAGE, file=sys.stderr)
        return 1
    command, path = args[0], (args[1] if len(args) > 1 else "/")
    config_store = store.open_store()
    if command == "get":
        text = config_get(config_store, path)
        if text is None:
            print(f"Key {path} does not exist", file=sys.stderr)
            return 1
        print(text)
        return 0
    lister = config_list if command == "list" else config_list_recursive
    for line in lister(config_store, path):
        print(line)
    return 0


def healthcheck(args):
    """Runs the health check of the openvstorage-hc package (its own library copy)."""
    if not os.path.isdir(paths.HC_LIB):
        print("The health check is not installed (package openvstorage-hc)", file=sys.stderr)
        return 1
    env = dict(os.environ, PYTHONPATH=paths.HC_LIB)
    os.execve(sys.executable, [sys.executable, "-m", "ovs_emulator.healthcheck", *args], env)
    return 1  # not reached


def setup(args):
    if args in ([], ["master"], ["extra"]):
        return ovs_setup.main(args[0] if args else None)
    rollback = "--rollback-on-failure" in args[1:]
    rest = [arg for arg in args[1:] if arg != "--rollback-on-failure"]
    if args[:1] == ["promote"] and not rest or args[:1] == ["demote"] and len(rest) <= 1:
        return nodetype.main(args[0], ip=rest[0] if rest else None, rollback=rollback)
    print(USAGE, file=sys.stderr)
    return 1


def remove(args):
    """``ovs remove node <ip> [--force-yes]`` (any other 4th word: the questions are asked)."""
    if args[:1] != ["node"] or len(args) not in (2, 3):
        print(USAGE, file=sys.stderr)
        return 1
    return noderemoval.main(args[1], force_yes=args[2:] == ["--force-yes"], dal=Model)


def monitor_services(args):
    if args != ["services"]:
        print(USAGE, file=sys.stderr)
        return 1
    print("\n".join(monitor.services_report(units.DEBIAN_SERVICES + list(
        name for name, unit in units.UNITS.items() if unit.package == "openvstorage"))))
    return 0


def update_command(args):
    """``ovs update <c1,c2>`` (or ``<c1> <c2>``): the run goes on in the background, exit 0; the
    outcome is in /var/log/ovs/update.log."""
    components = args[0].split(",") if len(args) == 1 else args
    components = [component.strip() for component in components if component.strip()]
    if not components:
        print(USAGE, file=sys.stderr)
        return 1
    update.start_background(components)
    return 0


def local_update_command(args):
    if len(args) != 1 or args[0] not in local_update.UPDATERS:
        print(USAGE, file=sys.stderr)
        return 1
    return local_update.do_update(args[0])


COMMANDS = {"setup": setup, "remove": remove, "config": config, "healthcheck": healthcheck,
            "monitor": monitor_services, "update": update_command, "local_update": local_update_command}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        return 1
    try:
        return COMMANDS[argv[0]](argv[1:])
    except store.StoreError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
