"""The ALBA plugin's periodic tasks (the real ones are celery beat tasks of the masters):
``alba arakoon checkup`` (``arakoon.checkup``: ABM/NSM clusters extended onto masters with a
DB partition) and ``checkup_maintenance_agents``.

``python3 -m ovs_emulator.alba.scheduled [--once] [--interval SECONDS]`` runs them every
``CHECKUP_INTERVAL`` seconds (the real schedule is hourly); ``--once`` runs them one time and
prints what the Arakoon checkup added as JSON (on demand, e.g. ``docker exec <master> python3
-m ovs_emulator.alba.scheduled --once``).  ``ovs-scheduled-tasks`` on the masters runs it."""
import argparse
import json
import logging
import signal
import sys
import time

from ovs_emulator import store
from ovs_emulator.model import Model

from . import arakoon
from .maintenance import checkup_maintenance_agents

LOG = logging.getLogger("ovs_emulator.alba.scheduled")
CHECKUP_INTERVAL = 60.0


def run_once(config_store):
    """Both checkups once; the clusters extended ``{cluster: [machine ids]}``."""
    model = Model(config_store)
    added = arakoon.checkup(model)
    checkup_maintenance_agents(model)
    return added


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ovs_emulator.alba.scheduled")
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--interval", type=float, default=CHECKUP_INTERVAL)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(levelname)s] %(name)s: %(message)s")
    if args.once:
        print(json.dumps(run_once(store.open_store()), sort_keys=True))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        try:
            added = run_once(store.open_store())
            if added:
                LOG.info("Arakoon checkup extended %s", added)
        except Exception:  # a scheduled task logs its failure and runs again next time
            LOG.exception("ALBA checkup failed")
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
