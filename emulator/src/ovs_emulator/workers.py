"""``ovs-workers``: the node-local half of the framework's tasks.

The API (and its tasks) run on a master, but some work must happen on a storage router's own
filesystem or systemd (partitions and mount points, Arakoon services).  The real framework
does that over SSH (``remote(storagerouter.ip, [DiskTools])``); the emulator gives every
framework node a job queue in the configuration store, served by the node's ``ovs-workers``:

- ``/ovsdb/queue/<machine_id>/<job id>`` = ``{id, action, kwargs, status: QUEUED|STARTED|
  SUCCESS|FAILURE, result, created}``;
- ``call(store, machine_id, action, **kwargs)`` (the caller, usually a task on a master)
  queues a job, waits until the node's worker finished it, deletes it and returns its result
  or raises ``RuntimeError(<the job's error text>)``; no answer within ``timeout`` seconds
  (node down, ``ovs-workers`` stopped) raises ``NodeUnreachable``;
- ``python3 -m ovs_emulator.workers`` (the unit) polls the queue of this node
  (/etc/openvstorage_id) every ``POLL`` seconds and runs the jobs one by one, in order.

Actions are registered with ``@action``; each is ``fn(store, machine_id, **kwargs)``.
"""
import logging
import signal
import sys
import threading
import time
import traceback
import uuid

from ovs_emulator import paths, store, system

LOG = logging.getLogger("ovs_emulator.workers")
ROOT = "/ovsdb/queue"
POLL = 0.5
TIMEOUT = 120.0
ACTIONS = {}


class NodeUnreachable(RuntimeError):
    """The node's worker did not take the job in time."""


def action(function):
    ACTIONS[function.__name__] = function
    return function


def call(config_store, machine_id, name, timeout=None, **kwargs):
    """Run action ``name`` on the node ``machine_id``; its result (RuntimeError on failure)."""
    job = {"id": str(uuid.uuid4()), "action": name, "kwargs": kwargs, "status": "QUEUED",
           "result": None, "created": time.time()}
    key = f"{ROOT}/{machine_id}/{job['created']:017.6f}-{job['id']}"
    config_store.set(key, job)
    deadline = time.monotonic() + (TIMEOUT if timeout is None else timeout)
    while True:
        current = config_store.get(key) or {}
        if current.get("status") in ("SUCCESS", "FAILURE"):
            config_store.delete(key)
            if current["status"] == "FAILURE":
                raise RuntimeError(current.get("result"))
            return current.get("result")
        if time.monotonic() > deadline:
            config_store.delete(key)
            router = _router_name(config_store, machine_id)
            raise NodeUnreachable(f"StorageRouter {router} did not answer: ovs-workers is not "
                                  "running on it or the node is unreachable")
        time.sleep(POLL / 5)


def _router_name(config_store, machine_id):
    from ovs_emulator import model
    found = model.find(config_store, "storagerouter", machine_id=machine_id)
    return f"{found[0]['name']} ({found[0]['ip']})" if found else machine_id


class Worker:
    """Serves the queue of one node."""

    def __init__(self, config_store, machine_id):
        self.store = config_store
        self.machine_id = machine_id
        self.stopped = threading.Event()

    def run_once(self):
        """Run every queued job once; returns how many ran."""
        count = 0
        for name in self.store.list(f"{ROOT}/{self.machine_id}"):
            key = f"{ROOT}/{self.machine_id}/{name}"
            job = self.store.get(key)
            if not isinstance(job, dict) or job.get("status") != "QUEUED":
                continue
            job["status"] = "STARTED"
            self.store.set(key, job)
            try:
                function = ACTIONS.get(job.get("action"))
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
            self.stopped.wait(POLL)

    def start(self):
        """Serve in a background thread (tests)."""
        thread = threading.Thread(target=self.serve, name=f"worker-{self.machine_id}", daemon=True)
        thread.start()
        return thread

    def stop(self):
        self.stopped.set()


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(levelname)s] %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # the actions live in these modules
    from ovs_emulator import arakoon_services, disks, noderemoval, nodetype, update  # noqa: F401
    # run as __main__, this module is not ovs_emulator.workers: take the actions registered there
    ACTIONS.update(sys.modules["ovs_emulator.workers"].ACTIONS)
    machine_id = (system.read_text(paths.OVS_ID) or "").strip()
    if not machine_id:
        print(f"ovs-workers: {paths.OVS_ID} not found", file=sys.stderr)
        return 1
    print(f"ovs-workers started for {machine_id}", flush=True)
    Worker(store.open_store(), machine_id).serve()
    return 0


# --- vPools and vDisks (ovs_emulator.vpools, ovs_emulator.vdisks): work on the storage router --

@action
def start_vpool_services(config_store, machine_id, vpool, ports, proxy_ports, directories):
    """/mnt/<vpool>, the storagedriver's directories, units ovs-albaproxy_<vpool>_<n>,
    ovs-dtl_<vpool>, ovs-volumedriver_<vpool> written, enabled and started."""
    from ovs_emulator import vpools
    return vpools.node_start_services(vpool, ports, proxy_ports, directories)


@action
def stop_vpool_services(config_store, machine_id, vpool, proxies):
    from ovs_emulator import vpools
    return vpools.node_stop_services(vpool, proxies)


@action
def create_vdisk_file(config_store, machine_id, vpool, devicename, size):
    from ovs_emulator import vdisks
    return vdisks.node_create_file(vpool, devicename, size)


@action
def extend_vdisk_file(config_store, machine_id, vpool, devicename, size):
    from ovs_emulator import vdisks
    return vdisks.node_extend_file(vpool, devicename, size)


@action
def delete_vdisk_file(config_store, machine_id, vpool, devicename):
    from ovs_emulator import vdisks
    return vdisks.node_delete_file(vpool, devicename)

if __name__ == "__main__":
    sys.exit(main())
