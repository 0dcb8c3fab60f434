"""Asynchronous work of the API ("celery tasks"), kept at ``/ovsdb/task/<id>``.

A task runs in a background thread of the API process that launched it; its state goes
PENDING -> STARTED -> SUCCESS (result = return value) or FAILURE (result = error text).
"""
import logging
import threading
import time
import uuid

from .errors import ApiError

LOG = logging.getLogger("ovs_emulator.webapi.tasks")
READY = ("SUCCESS", "FAILURE", "REVOKED")


class TaskRunner:
    def __init__(self, model):
        self.model = model
        self.threads = []

    def _set(self, task):
        self.model.store.set(f"/ovsdb/task/{task['id']}", task)

    def launch(self, name, function, *args, **kwargs):
        """Start ``function(*args, **kwargs)`` in the background; returns the task id."""
        task = {"id": str(uuid.uuid4()), "name": name, "status": "PENDING", "result": None,
                "created": time.time()}
        self._set(task)
        thread = threading.Thread(target=self._run, args=(task, function, args, kwargs),
                                  name=f"task-{name}", daemon=True)
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()
        return task["id"]

    def _run(self, task, function, args, kwargs):
        task.update(status="STARTED", started=time.time())
        self._set(task)
        try:
            result = function(*args, **kwargs)
            task.update(status="SUCCESS", result=result)
        except ApiError as exc:
            task.update(status="FAILURE", result=exc.description)
        except Exception as exc:  # the real task reports str(exception)
            LOG.exception("Task %s failed", task["name"])
            task.update(status="FAILURE", result=str(exc))
        task["finished"] = time.time()
        self._set(task)

    def wait(self, timeout=10.0):
        """Tests: wait for all background tasks of this runner."""
        for thread in list(self.threads):
            thread.join(timeout)

    def status(self, task_id):
        """The answer of ``GET /api/tasks/<id>/``; unknown ids are PENDING, as in celery."""
        task = self.model.store.get(f"/ovsdb/task/{task_id}") or {
            "id": task_id, "status": "PENDING", "result": None}
        status = task.get("status", "PENDING")
        successful = status == "SUCCESS"
        result = task.get("result")
        if not successful and result is not None:
            result = str(result)
        return {"id": task.get("id", task_id), "status": status, "successful": successful,
                "failed": status == "FAILURE", "ready": status in READY, "result": result}
