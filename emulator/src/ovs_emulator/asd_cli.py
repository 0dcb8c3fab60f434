"""The ``asd-manager`` command (package openvstorage-sdm)."""
import sys

from ovs_emulator import asd_setup, monitor, units

USAGE = """Usage:
    asd-manager setup
    asd-manager remove [--force-yes]
    asd-manager monitor services"""


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["setup"]:
        return asd_setup.main()
    if argv == ["monitor", "services"]:
        print("\n".join(monitor.services_report(units.SDM_SERVICES)))
        return 0
    if argv[:1] == ["remove"] and argv[1:] in ([], ["--force-yes"]):
        return asd_setup.remove_main(force_yes=argv[1:] == ["--force-yes"])
    print(USAGE, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
