"""``ovs monitor services`` / ``asd-manager monitor services``: running and non-running services."""
from ovs_emulator import system


def services_report(candidates):
    """Lines of the report over the ``candidates`` that are enabled or active on this node."""
    running, stopped = [], []
    for name in candidates:
        if system.is_active(name):
            running.append(f"    {name:<40} running   (pid {system.main_pid(name)})")
        elif system.is_enabled(name):
            stopped.append(f"    {name:<40} stopped")
    return ["Running processes", *running, "", "Non-running processes", *stopped]
