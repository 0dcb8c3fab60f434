"""The ``alba`` command (package alba): command line contract of the real OCaml CLI.

Form: ``alba <command> --config=<url> --to-json [--flag=value ...] [args]``.  With
``--to-json`` stdout carries only JSON and a failure still exits 0; without it a failure
exits 2; a bad command line exits 1 with the usage text.
"""
import json
import sys

VERSION = "1.5.37"
COMMANDS = ["add-osd", "claim-osd", "create-preset", "decommission-osd", "delete-preset",
            "get-alba-id", "get-disk-safety", "list-all-osds", "list-available-osds",
            "list-nsm-hosts", "list-osds", "list-presets", "preset-set-default", "purge-osd",
            "show-namespaces", "update-osd", "update-preset", "version"]


class UsageError(Exception):
    pass


class AlbaError(Exception):
    """A failure of a command: (message, exception_type, exception_code)."""

    def __init__(self, message, exception_type="unknown", exception_code=0):
        super().__init__(message)
        self.exception_type = exception_type
        self.exception_code = exception_code


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


def execute(command, options, args):
    """The result of a command (filled by the ALBA emulation; none is emulated yet)."""
    raise AlbaError(f'Failure("{command} is not available in this build")')


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
    to_json = "to-json" in options
    try:
        result = execute(command, options, args)
    except AlbaError as exc:
        if to_json:
            print(json.dumps({"success": False, "error": {
                "message": str(exc), "exception_type": exc.exception_type,
                "exception_code": exc.exception_code}}))
            return 0
        print(str(exc), file=sys.stderr)
        return 2
    print(json.dumps({"success": True, "result": result}) if to_json else result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
