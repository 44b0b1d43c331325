"""REST handlers: ``GET /mlnb/api/runs``, ``GET /mlnb/api/runs/<id>``, and the deletes
``DELETE /mlnb/api/runs/<id>`` (one run) and ``DELETE /mlnb/api/runs?notebook=<path>`` (every
finished run of a notebook, by the path the runs list shows).

Runs come from the session store; each is joined with the server's live kernels and sessions:
``kernel_alive`` says whether the kernel that wrote it still runs, ``status`` becomes ``'dead'``
for a run left 'running' by a kernel that died, and ``notebook_path`` is given relative to the
server's root so the front end can open it. Non-finite floats are sent as the strings "NaN",
"Infinity" and "-Infinity" (JSON has no literal for them).

Every handler asks the server's Authorizer (resource ``mlnb``, action ``read``) after
authentication (deletes: action ``write``). Errors are JSON ``{"message": ...}`` the sidebar shows:
400 for an id that is not a number, 404 for one that names no run, 409 for deleting a run that is
still running (a run whose kernel died may be deleted), 503 when the store is locked, full,
read-only or damaged.
"""

from __future__ import annotations

import os
import socket
from typing import Any

import tornado
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from mlnb.schema import json_dumps
from mlnb.store import Store, StoreError, default_path

AUTH_RESOURCE = "mlnb"


class _StoreHandler(APIHandler):
    auth_resource = AUTH_RESOURCE

    def _store(self) -> Store | None:
        # Opening creates the file; a server with no mlnb run yet should just list nothing.
        path = default_path()
        if not path.exists():
            return None
        store = self.settings.get("mlnb_store")
        if store is None or store.path != str(path):
            store = Store(path)
            self.settings["mlnb_store"] = store
        return store

    async def _live(self) -> tuple[set[str], dict[str, str]]:
        """Ids of live kernels and ``kernel id -> notebook path`` of the server's sessions."""
        kernel_ids = set(self.kernel_manager.list_kernel_ids())
        paths: dict[str, str] = {}
        for session in await self.session_manager.list_sessions():
            kernel = session.get("kernel") or {}
            if kernel.get("id") and session.get("type") == "notebook":
                paths[kernel["id"]] = session["path"]
        return kernel_ids, paths

    def _relative(self, path: str | None) -> str | None:
        """A notebook path relative to the server's root (as the front end opens files)."""
        if not path:
            return path
        root = os.path.realpath(os.path.expanduser(self.settings.get("server_root_dir", os.getcwd())))
        full = os.path.realpath(path) if os.path.isabs(path) else None
        if full is not None and (full == root or full.startswith(root + os.sep)):
            return os.path.relpath(full, root).replace(os.sep, "/")
        return path

    def _join(self, run: dict, kernel_ids: set[str], session_paths: dict[str, str]) -> dict:
        kernel_id = run.get("kernel_id")
        alive = _alive(run, kernel_ids)
        run = dict(run)
        run["kernel_alive"] = alive
        if run["status"] == "running" and alive is False:
            run["status"] = "dead"
        run["notebook_path"] = session_paths.get(kernel_id) if kernel_id in session_paths else self._relative(run.get("notebook_path"))
        return run

    def _send(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json_dumps(payload))

    def _send_store_error(self, exc: StoreError, **extra: Any) -> None:
        self._send({"message": str(exc), "store": exc.path, "problem": exc.kind, **extra}, status=503)

    def _refused_run_id(self, run_id: str) -> bool:
        """Answer 400 and return True when ``run_id`` is not a run id (a non-negative integer)."""
        if run_id.isdigit():
            return False
        self._send({"message": f"run id {run_id!r} is not valid; expected a non-negative integer"}, status=400)
        return True


def _alive(run: dict, kernel_ids: set[str]) -> bool | None:
    """Whether the process that wrote ``run`` is alive (``None`` if this server cannot tell)."""
    if run.get("kernel_id") and run["kernel_id"] in kernel_ids:
        return True
    if run.get("hostname") == socket.gethostname() and run.get("pid"):
        try:
            os.kill(int(run["pid"]), 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # exists, owned by someone else
            return True
        return True
    # Another machine's run: if it named a kernel we would know, the kernel is gone.
    return False if run.get("kernel_id") else None


class RunsHandler(_StoreHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        store = self._store()
        if store is None:
            self._send({"runs": [], "store": str(default_path())})
            return
        try:
            stored = store.runs()
            titles = store.finding_titles()  # the sidebar searches them
        except StoreError as exc:
            self._send_store_error(exc)
            return
        kernel_ids, paths = await self._live()
        runs = [{**self._join(r, kernel_ids, paths), "titles": titles.get(r["id"], [])} for r in stored]
        self._send({"runs": runs, "store": store.path})


    @tornado.web.authenticated
    @authorized
    async def delete(self) -> None:
        notebook = self.get_query_argument("notebook", None)
        if not notebook:
            self._send({"message": "notebook= is missing; expected the notebook path of the runs to delete"}, status=400)
            return
        store = self._store()
        deleted: list[int] = []
        try:
            if store is not None:
                kernel_ids, paths = await self._live()
                for run in store.runs():
                    joined = self._join(run, kernel_ids, paths)
                    if joined["notebook_path"] == notebook and joined["status"] != "running":
                        store.delete_run(run["id"], allow_running=True)  # "dead": its kernel is gone
                        deleted.append(run["id"])
        except KeyError:
            pass  # deleted meanwhile by someone else: gone either way
        except StoreError as exc:
            self._send_store_error(exc, deleted=deleted)
            return
        self._send({"deleted": deleted})


class RunHandler(_StoreHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        if self._refused_run_id(run_id):
            return
        store = self._store()
        try:
            if store is None:
                raise KeyError(run_id)
            run = store.run(int(run_id))  # an id beyond SQLite's 64 bits names no run: KeyError too
            findings = store.findings(run["id"])
            metrics = store.metrics(run["id"])
        except KeyError:
            self._send({"message": f"no run with id {run_id}"}, status=404)
            return
        except StoreError as exc:
            self._send_store_error(exc)
            return
        kernel_ids, paths = await self._live()
        run = self._join(run, kernel_ids, paths)
        for finding in findings:
            location = finding.get("location")
            if location:
                # A finding about a cell lives in the run's notebook; files elsewhere keep their path.
                if location.get("cell_id") or location.get("execution_count") is not None:
                    location["notebook_path"] = run["notebook_path"] or self._relative(location.get("notebook_path"))
                else:
                    location["notebook_path"] = None
        self._send({"run": run, "metrics": metrics, "findings": findings})

    @tornado.web.authenticated
    @authorized
    async def delete(self, run_id: str) -> None:
        if self._refused_run_id(run_id):
            return
        store = self._store()
        try:
            if store is None:
                raise KeyError(run_id)
            kernel_ids, paths = await self._live()
            run = self._join(store.run(int(run_id)), kernel_ids, paths)
            if run["status"] == "running":
                self._send({"message": f"run {run_id} ({run['name']}) is still running; stop its cell first, "
                                       "then delete it"}, status=409)
                return
            store.delete_run(run["id"], allow_running=True)  # a "dead" run's kernel is gone
        except KeyError:
            self._send({"message": f"no run with id {run_id}"}, status=404)
            return
        except StoreError as exc:
            self._send_store_error(exc)
            return
        self._send({"deleted": [run["id"]]})


def setup_handlers(web_app: Any) -> None:
    base = url_path_join(web_app.settings.get("base_url", "/"), "mlnb", "api")
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "runs") + "/?", RunsHandler),
            (url_path_join(base, "runs", r"([^/]+)") + "/?", RunHandler),
        ],
    )
