"""``python3 -m ovs_emulator.workers`` (the ``ovs-workers`` unit): the modules whose node
actions this node runs are imported here (they register with ``actions.action``), then the
node's queue is served."""
import sys

from ovs_emulator import arakoon_services, disks, noderemoval, nodetype, update, vdisks, vpools  # noqa: F401
from ovs_emulator.workers import main

if __name__ == "__main__":
    sys.exit(main())
