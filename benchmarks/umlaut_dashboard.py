"""UMLAUT dashboard costs, one run each:

1. Python: building the dashboard of a large session (500 epochs, 2,000 unique findings), and one
   epoch's push (metrics + a changed finding) including the state serialization a comm send does.
2. Browser (headless Chromium, the built bundle): opening that dashboard, and one live update (one
   more epoch of metrics + findings) until the next frame. Targets: open < 1 s, update < 16 ms.
3. ``--overhead``: UMLAUT's share of epoch time on the Keras CNN and MLP of umlaut_overhead.py with a
   dashboard observing every session (its trait updates and their serialization counted inside
   UMLAUT's hooks). Target < 3%.

    .venv/bin/python benchmarks/umlaut_dashboard.py                # 1 and 2 (needs chromium, node)
    .venv/bin/python benchmarks/umlaut_dashboard.py --overhead     # also 3 (a few minutes)
    .venv/bin/python benchmarks/umlaut_dashboard.py --baseline OLD/umlaut_dashboard.js   # and an older build
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MLNB_STORE", str(Path(tempfile.mkdtemp(prefix="mlnb-bench-")) / "store.sqlite"))

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def big_session(epochs: int = 500, findings: int = 2000, seed: int = 0):
    from mlnb.umlaut.catalog import CATALOG
    from mlnb.umlaut.findings import Finding
    from mlnb.umlaut.session import Session

    rng = np.random.default_rng(seed)
    s = Session("big", record=False, echo=False)
    s.start()
    loss = 2.3 * np.exp(-np.arange(epochs) / 120) + 0.05 * rng.random(epochs)
    for e in range(epochs):
        s.history.setdefault("loss", []).append(float(loss[e]))
        s.history.setdefault("val_loss", []).append(float(loss[e] * 1.1 + 0.002 * e))
        s.history.setdefault("accuracy", []).append(float(1 - loss[e] / 2.5))
        s.history.setdefault("val_accuracy", []).append(float(1 - loss[e] / 2.3))
    keys = [k for k in CATALOG if k != "internal-check-error"]
    batch = []
    for i in range(findings):
        key = keys[i % len(keys)]
        start = int(rng.integers(-1, epochs))
        span = [-1] if start < 0 else list(range(start, min(epochs, start + int(rng.integers(1, 6)))))
        batch.append(Finding(key, CATALOG[key].severity, f"{key} in layer_{i}", span, {"value": float(i)}, None,
                             subject=f"layer_{i}"))
    s.add(batch)
    return s


def wire_state(widget) -> dict:
    from mlnb.widgets._testing import state_fixture

    return state_fixture(widget)


def python_side(tmp: Path) -> Path:
    from ipywidgets.widgets.widget import _remove_buffers

    from mlnb.umlaut.findings import Finding
    from mlnb.widgets.umlaut_dashboard import UmlautDashboard

    s = big_session()
    t0 = time.perf_counter()
    w = UmlautDashboard(s)
    build = time.perf_counter() - t0
    state_path = tmp / "state.json"
    state_path.write_text(json.dumps(wire_state(w)))

    # one live epoch: metrics + one changed finding, serialized as a comm send would
    sent = []
    w.observe(lambda ch: sent.append(_remove_buffers(w.get_state(ch["name"]))), names=["metrics", "findings", "findings_delta", "epochs"])
    t0 = time.perf_counter()
    s.log_epoch(500, {"loss": 0.1, "val_loss": 0.2, "accuracy": 0.9, "val_accuracy": 0.88})
    s.add([Finding("overfitting", "warning", "overfitting in layer_x", [500], {}, None, subject="layer_5")])
    for state, _, _ in sent:
        json.dumps(state)
    push = time.perf_counter() - t0
    print(f"python: dashboard of 500 epochs x 2,000 findings built in {build * 1000:.0f} ms; "
          f"one epoch pushed and serialized in {push * 1000:.1f} ms ({len(sent)} trait sends)")
    return state_path


def browser_side(state_path: Path, baseline: str | None = None) -> None:
    script = ROOT / "benchmarks" / "umlaut_dashboard_browser.mjs"
    bundle = ROOT / "python" / "mlnb" / "static" / "umlaut_dashboard.js"
    if not bundle.is_file():
        print(f"browser: skipped ({bundle} not built: node js/build-widgets.mjs)")
        return
    runs = [[str(bundle)]]
    if baseline:  # an older build (whole card list per update), timed in the same run for a ratio
        runs.insert(0, [str(Path(baseline).resolve()), "full"])
    for args in runs:
        out = subprocess.run(["node", str(script), str(state_path), *args], cwd=ROOT, capture_output=True, text=True,
                             timeout=300)
        print(out.stdout.strip() or out.stderr.strip()[-2000:])


def overhead(epochs: int, n: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import statistics

    import umlaut_overhead as bench
    from ipywidgets.widgets.widget import _remove_buffers

    from mlnb.umlaut import session as session_module
    from mlnb.widgets.umlaut_dashboard import UmlautDashboard

    original_start = session_module.Session.start

    dashboard_seconds = [0.0]  # the widget's own share: its event handler incl. the state sends

    def start_with_dashboard(self, config=None):  # every session gets a dashboard, as %%umlaut does
        if self.status == "new":
            w = UmlautDashboard(self)
            handler = w._on_event

            def timed(event, payload, handler=handler):
                t0 = time.perf_counter()
                try:
                    handler(event, payload)
                finally:
                    dashboard_seconds[0] += time.perf_counter() - t0

            listeners = self.__dict__["_listeners"]
            listeners[:] = [(timed if fn == handler else fn, ev) for fn, ev in listeners]
            w.observe(lambda ch: json.dumps(_remove_buffers(w.get_state(ch["name"]))[0]),
                      names=["metrics", "running", "findings", "findings_delta", "epochs", "status"])
            self._bench_widget = w
        return original_start(self, config)

    session_module.Session.start = start_with_dashboard
    print(f"UMLAUT with a dashboard: {epochs - 1} timed epochs, n={n}, batch 32, 1 thread")
    for name, kind in (("keras CNN 28x28", "cnn"), ("keras MLP 64-256-256", "mlp")):
        bench.keras_epochs(kind, False, 2, n)  # warm up
        plain, _, _ = bench.keras_epochs(kind, False, epochs, n)  # (wall, cpu, hook) per epoch
        dashboard_seconds[0] = 0.0
        t0 = time.perf_counter()
        times, _, inside = bench.keras_epochs(kind, True, epochs, n)
        wall = time.perf_counter() - t0
        a, b, c = statistics.mean(plain), statistics.mean(times), statistics.mean(inside)
        print(f"  {name:22} without {a:.3f} s/epoch, with {b:.3f} s/epoch (ratio {b / a:.3f}); "
              f"inside UMLAUT incl. dashboard {c:.4f} s/epoch = {c / b:.2%} of epoch time (target < 3%); "
              f"the dashboard's own part {dashboard_seconds[0] / wall:.2%} of the run", flush=True)
    session_module.Session.start = original_start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--overhead", action="store_true", help="also measure UMLAUT's share of epoch time")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--n", type=int, default=4096)
    parser.add_argument("--baseline", metavar="BUNDLE", help="also time an older umlaut_dashboard.js (whole card lists)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        state = python_side(Path(tmp))
        browser_side(state, args.baseline)
    if args.overhead:
        overhead(args.epochs, args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
