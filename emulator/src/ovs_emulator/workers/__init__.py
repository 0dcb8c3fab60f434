"""``ovs-workers``: the node-local half of the framework's tasks (the dispatcher).

``Worker`` serves the job queue of one node (``ovs_emulator.actions``: ``/ovsdb/queue/
<machine_id>/``): every ``POLL`` seconds it runs the queued jobs one by one, in order, each by
looking its action up in ``actions.ACTIONS``.  It does not import the domain modules whose
actions it runs: ``python3 -m ovs_emulator.workers`` (``__main__``, the unit) imports them, and
they register their actions when imported.
"""
import logging
import signal
import sys
import threading
import traceback

from ovs_emulator import actions, paths, store, system

LOG = logging.getLogger("ovs_emulator.workers")


class Worker:
    """Serves the queue of one node."""

    def __init__(self, config_store, machine_id):
        self.store = config_store
        self.machine_id = machine_id
        self.stopped = threading.Event()

    def run_once(self):
        """Run every queued job once; returns how many ran."""
        count = 0
        for name in self.store.list(f"{actions.ROOT}/{self.machine_id}"):
            key = f"{actions.ROOT}/{self.machine_id}/{name}"
            job = self.store.get(key)
            if not isinstance(job, dict) or job.get("status") != "QUEUED":
                continue
            job["status"] = "STARTED"
            self.store.set(key, job)
            try:
                function = actions.ACTIONS.get(job.get("action"))
                if function is None:
                    raise RuntimeError(f"Unknown action {job.get('action')}")
                job.update(status="SUCCESS",
                           result=function(self.store, self.machine_id, **job.get("kwargs", {})))
            except Exception as exc:  # the job reports the text, as a failed SSH call would
                LOG.error("Job %s failed: %s", job.get("action"), traceback.format_exc())
                job.update(status="FAILURE", result=str(exc))
            if self.store.exists(key):  # the caller may have given up (and deleted it)
                self.store.set(key, job)
            count += 1
        return count

    def serve(self):
        while not self.stopped.is_set():
            try:
                self.run_once()
            except store.StoreError as exc:
                LOG.warning("Configuration store: %s", exc)
            self.stopped.wait(actions.POLL)

    def start(self):
        """Serve in a background thread (tests)."""
        thread = threading.Thread(target=self.serve, name=f"worker-{self.machine_id}", daemon=True)
        thread.start()
        return thread

    def stop(self):
        self.stopped.set()


def main():
    """Serve this node's queue (/etc/openvstorage_id) until SIGTERM; the caller imported the
    modules whose actions the jobs name."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(levelname)s] %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    machine_id = (system.read_text(paths.OVS_ID) or "").strip()
    if not machine_id:
        print(f"ovs-workers: {paths.OVS_ID} not found", file=sys.stderr)
        return 1
    print(f"ovs-workers started for {machine_id}", flush=True)
    Worker(store.open_store(), machine_id).serve()
    return 0
