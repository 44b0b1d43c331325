"""The REST API of the server extension, against a real Jupyter server and a real kernel."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

TOKEN = "mlnb-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(root: Path, store: Path, runtime: Path, args: tuple[str, ...] = (), env: dict | None = None):
    """A real Jupyter server with the mlnb extension, on a free port; returns (process, base URL, env)."""
    port = _free_port()
    env = {**os.environ, "MLNB_STORE": str(store), "JUPYTER_RUNTIME_DIR": str(runtime), **(env or {})}
    cmd = [
        sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", f"--port={port}",
        f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
        '--ServerApp.jpserver_extensions={"mlnb": True}', *args,
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except urllib.error.HTTPError:  # it answers (a deny-all authorizer refuses even this)
            break
        except Exception:
            if proc.poll() is not None:
                pytest.fail(f"jupyter server exited: {proc.stderr.read()}")
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("jupyter server did not start in 60 s")
    return proc, base, env


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("root")
    (root / "sub").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), root / "sub" / "train.ipynb")
    store = tmp_path_factory.mktemp("store") / "store.sqlite"
    proc, base, env = _start_server(root, store, tmp_path_factory.mktemp("runtime"))
    yield {"base": base, "root": root, "store": store, "env": env}
    proc.terminate()
    proc.wait(20)


def _request(server, path, method="GET", body=None, token=TOKEN):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(server["base"] + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            return err.code, json.loads(raw)
        except ValueError:
            return err.code, raw.decode()


def _run_in_store(server, code: str) -> None:
    proc = subprocess.run([sys.executable, "-c", code], env=server["env"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_unauthenticated_requests_are_refused(server):
    assert _request(server, "/mlnb/api/runs", token=None)[0] == 403
    assert _request(server, "/mlnb/api/runs/1", token=None)[0] == 403
    assert _request(server, "/mlnb/api/runs", token="wrong")[0] == 403


def test_empty_store_lists_no_runs(server):
    status, body = _request(server, "/mlnb/api/runs")
    assert status == 200
    assert body["runs"] == [] or all("status" in r for r in body["runs"])


def test_unknown_run_is_404(server):
    status, body = _request(server, "/mlnb/api/runs/424242")
    assert status == 404 and "424242" in body["message"]


def test_a_finished_script_run_with_nan_metrics(server):
    _run_in_store(
        server,
        "from mlnb.store import Store; s = Store(); r = s.start_run('umlaut', 'script-run');"
        "s.log_metrics(r, 0, {'loss': float('nan')}); s.end_run(r, 'failed')",
    )
    runs = _request(server, "/mlnb/api/runs")[1]["runs"]
    run = next(r for r in runs if r["name"] == "script-run")
    assert run["status"] == "failed" and run["kernel_alive"] is False and run["notebook_path"] is None
    status, detail = _request(server, f"/mlnb/api/runs/{run['id']}")
    assert status == 200
    assert detail["metrics"] == [{"epoch": 0, "loss": "NaN"}]


def test_run_of_a_process_that_died_is_dead(server):
    _run_in_store(
        server,
        "from mlnb.store import Store; s = Store(); r = s.start_run('umlaut', 'died-run');"
        "s.log_metrics(r, 0, {'loss': 1.0})",
    )
    run = next(r for r in _request(server, "/mlnb/api/runs")[1]["runs"] if r["name"] == "died-run")
    assert run["status"] == "dead" and run["latest_epoch"] == 0


def test_a_real_kernel_run_is_joined_with_its_notebook(server):
    from jupyter_client import BlockingKernelClient

    status, session = _request(
        server, "/api/sessions", "POST",
        {"path": "sub/train.ipynb", "type": "notebook", "name": "train.ipynb", "kernel": {"name": "python3"}},
    )
    assert status == 201, session
    kernel_id = session["kernel"]["id"]
    client = BlockingKernelClient(connection_file=str(Path(server["env"]["JUPYTER_RUNTIME_DIR"]) / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    client.start_channels(hb=False)  # a 1 s heartbeat deadline fails on a loaded machine; kernel_info proves it is up
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(
            "from mlnb.store import default_store\n"
            "from mlnb.notebook import location_of_frame\n"
            "s = default_store(); r = s.start_run('umlaut', 'kernel-run')\n"
            "s.log_metrics(r, 0, {'loss': 0.5}); s.log_metrics(r, 1, {'loss': 0.4})\n"
            "s.record_finding(r, key='missing-activation', severity='error', title='Missing activation',"
            " epochs=[-1], location=location_of_frame().to_dict())\n",
            timeout=60,
        )
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()

    run = next(r for r in _request(server, "/mlnb/api/runs")[1]["runs"] if r["name"] == "kernel-run")
    assert run["kernel_id"] == kernel_id
    assert run["kernel_alive"] is True and run["status"] == "running"
    assert run["notebook_path"] == "sub/train.ipynb"
    assert run["latest_epoch"] == 1 and run["findings"] == {"critical": 0, "error": 1, "warning": 0}
    detail = _request(server, f"/mlnb/api/runs/{run['id']}")[1]
    (finding,) = detail["findings"]
    assert finding["location"]["notebook_path"] == "sub/train.ipynb"
    assert finding["location"]["line"] == 5

    assert _request(server, f"/api/kernels/{kernel_id}", "DELETE")[0] == 204
    for _ in range(40):  # the kernel process may take a moment to exit
        run = next(r for r in _request(server, "/mlnb/api/runs")[1]["runs"] if r["name"] == "kernel-run")
        if run["status"] == "dead":
            break
        time.sleep(0.25)
    assert run["status"] == "dead" and run["kernel_alive"] is False
    assert run["notebook_path"] == "sub/train.ipynb"  # still known from the kernel's own record
    assert run["epochs"] == 2  # counted once, in the store: epochs 0 and 1
    assert run["titles"] == ["Missing activation"]  # what the sidebar's search looks in
    # a run whose kernel died can be deleted (it will never finish)
    assert _request(server, f"/mlnb/api/runs/{run['id']}", "DELETE") == (200, {"deleted": [run["id"]]})


def test_delete_one_run_and_the_finished_runs_of_a_notebook(server, monkeypatch):
    from mlnb.store import Store

    monkeypatch.setenv("MLNB_STORE", str(server["store"]))
    store = Store(server["store"])  # this live process's runs are "running", not dead
    notebook = str(server["root"] / "sub" / "del.ipynb")
    live = store.start_run("umlaut", "del-live", notebook_path=notebook)
    done = [store.start_run("imacs", f"del-done-{i}", notebook_path=notebook) for i in range(2)]
    other = store.start_run("umlaut", "del-other", notebook_path=str(server["root"] / "keep.ipynb"))
    for run in (*done, other):
        store.end_run(run)

    code, body = _request(server, f"/mlnb/api/runs/{live}", "DELETE")
    assert code == 409 and "still running" in body["message"]
    code, body = _request(server, f"/mlnb/api/runs/{done[0]}", "DELETE")
    assert (code, body) == (200, {"deleted": [done[0]]})
    assert _request(server, f"/mlnb/api/runs/{done[0]}", "DELETE")[0] == 404
    assert _request(server, "/mlnb/api/runs", "DELETE")[0] == 400  # notebook= is required

    store.start_run("umlaut", "del-more", notebook_path=notebook)
    more = store.runs()[0]["id"]
    store.end_run(more)
    code, body = _request(server, "/mlnb/api/runs?notebook=sub/del.ipynb", "DELETE")
    assert code == 200 and sorted(body["deleted"]) == sorted([done[1], more])
    names = {r["name"] for r in _request(server, "/mlnb/api/runs")[1]["runs"]}
    assert {"del-live", "del-other"} <= names and not names & {"del-done-0", "del-done-1", "del-more"}
    store.end_run(live)
    assert _request(server, f"/mlnb/api/runs/{live}", "DELETE")[0] == 200
    store.close()


@pytest.mark.parametrize("run_id, status", [
    ("abc", 400), ("1e3", 400), ("-1", 400), ("%20", 400),
    (str(2**63), 404), (str(2**63 - 1), 404), ("9" * 40, 404),
])
def test_ids_that_are_not_valid(server, run_id, status):
    code, body = _request(server, f"/mlnb/api/runs/{run_id}")
    assert code == status and isinstance(body, dict) and body["message"]


DENY_ALL = """
from jupyter_server.auth.authorizer import Authorizer


class DenyAll(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return False
"""


def test_a_deny_all_authorizer_gets_nothing(tmp_path):
    (tmp_path / "deny_all_authorizer.py").write_text(DENY_ALL)
    store = tmp_path / "store.sqlite"
    subprocess.run([sys.executable, "-c", "from mlnb.store import Store; s = Store(); s.start_run('umlaut', 'private')"],
                   env={**os.environ, "MLNB_STORE": str(store)}, check=True)
    (tmp_path / "root").mkdir()
    proc, base, env = _start_server(tmp_path / "root", store, tmp_path / "runtime",
                                    ("--ServerApp.authorizer_class=deny_all_authorizer.DenyAll",),
                                    {"PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"})
    try:
        srv = {"base": base}
        for path in ("/mlnb/api/runs", "/mlnb/api/runs/1"):
            status, body = _request(srv, path)
            assert status == 403 and "private" not in json.dumps(body)
    finally:
        proc.terminate()
        proc.wait(20)


def test_store_trouble_is_503_with_a_message(tmp_path):
    store = tmp_path / "store.sqlite"
    store.write_bytes(b"not a database " * 500)
    (tmp_path / "root").mkdir()
    proc, base, env = _start_server(tmp_path / "root", store, tmp_path / "runtime")
    try:
        srv = {"base": base}
        for path in ("/mlnb/api/runs", "/mlnb/api/runs/1"):
            status, body = _request(srv, path)
            assert status == 503, body
            assert str(store) in body["message"] and "damaged" in body["message"] and body["problem"] == "damaged"
        store.unlink()  # what the message says to do (move it away); a new store starts
        subprocess.run([sys.executable, "-c", "from mlnb.store import Store; Store().start_run('umlaut', 'fresh')"],
                       env=env, check=True)
        status, body = _request(srv, "/mlnb/api/runs")
        assert status == 200 and [r["name"] for r in body["runs"]] == ["fresh"]
    finally:
        proc.terminate()
        proc.wait(20)
