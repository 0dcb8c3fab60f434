"""The node actions and their job queue: the registry the domain fills, and the caller's half.

The API (and its tasks) run on a master, but some work must happen on a storage router's own
filesystem or systemd (partitions and mount points, Arakoon services, vPool services).  The real
framework does that over SSH (``remote(storagerouter.ip, [DiskTools])``); the emulator gives every
framework node a job queue in the configuration store, served by the node's ``ovs-workers``
(``ovs_emulator.workers``):

- ``/ovsdb/queue/<machine_id>/<job id>`` = ``{id, action, kwargs, status: QUEUED|STARTED|
  SUCCESS|FAILURE, result, created}``;
- ``call(store, machine_id, action, **kwargs)`` (the caller, usually a task on a master)
  queues a job, waits until the node's worker finished it, deletes it and returns its result
  or raises ``RuntimeError(<the job's error text>)``; no answer within ``timeout`` seconds
  (node down, ``ovs-workers`` stopped) raises ``NodeUnreachable``.

The domain modules register their node-local halves with ``@action("name")``; each is
``fn(store, machine_id, **kwargs)``.  This module sits below the domain: it imports only the
store's model, so the domain imports it and the workers look the actions up here without
importing the domain (a process that runs actions imports the registering modules itself, as
``python3 -m ovs_emulator.workers`` does).
"""
import time
import uuid

from ovs_emulator import model

ROOT = "/ovsdb/queue"
POLL = 0.5
TIMEOUT = 120.0
ACTIONS = {}


class NodeUnreachable(RuntimeError):
    """The node's worker did not take the job in time."""


def action(name):
    """Register the decorated function as node action ``name``."""
    def register(function):
        ACTIONS[name] = function
        return function
    return register


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
    found = model.find(config_store, "storagerouter", machine_id=machine_id)
    return f"{found[0]['name']} ({found[0]['ip']})" if found else machine_id
