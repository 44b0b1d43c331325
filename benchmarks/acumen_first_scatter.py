"""ACUMEN: the first scatter of an already-cached 16k-file corpus in a fresh kernel (target: under 2 s).

Corpus: real Python files, each of the largest top-level packages of this environment's site-packages as one project,
until ``--files`` files (default 16,000). ``--prepare`` ingests and embeds them once into the cache (minutes); every
measurement then runs in a fresh Python process, as a fresh kernel does: IPython shell, ``%load_ext mlnb``,
``%acumen <projects>``, and the widget's first state (coordinates, colours, table size) as the front end receives it.
Prints the seconds of each stage, the total, and the heavy modules imported on that path (there should be none).
Nothing is deferred to a background thread: the measured state is complete (all points, colours, table size), and
the file contents and pandas are simply not needed for it (read on the first search / DataFrame access).

    PYTHONPATH=python python benchmarks/acumen_first_scatter.py --prepare   # once (fills the cache)
    PYTHONPATH=python python benchmarks/acumen_first_scatter.py [--profile]  # fresh process, 3 runs
"""

from __future__ import annotations

import argparse
import json
import os
import site
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

CACHE = Path(os.environ.get("ACUMEN_BENCH_CACHE", Path(tempfile.gettempdir()) / "mlnb-bench-first-scatter"))
HEAVY = ("altair", "umap", "numba", "sklearn", "torch", "tensorflow", "transformers", "pynndescent", "scipy")


def projects(n_files: int) -> list[str]:
    """The largest packages of site-packages (by .py files) until ``n_files`` files."""
    sp = Path(site.getsitepackages()[0])
    sizes = []
    for d in sp.iterdir():
        if d.is_dir() and d.name.isidentifier():
            sizes.append((sum(1 for _ in d.rglob("*.py")), str(d)))
    out, total = [], 0
    for n, d in sorted(sizes, reverse=True):
        if total >= n_files:
            break
        out.append(d)
        total += n
    return sorted(out)


RUN = textwrap.dedent("""
    import sys, time, json
    t0 = time.perf_counter()
    marks = {}
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    marks['ipython'] = time.perf_counter() - t0
    shell.run_line_magic('load_ext', 'mlnb')
    marks['load_ext'] = time.perf_counter() - t0
    ex = shell.run_line_magic('acumen', ' '.join(PATHS))
    marks['%acumen'] = time.perf_counter() - t0
    w = ex.view()
    marks['widget'] = time.perf_counter() - t0
    state = w.get_state()   # what the front end receives first: coordinates, colours, table size
    bundle = w._repr_mimebundle_()  # what display() sends
    marks['first state'] = time.perf_counter() - t0
    print('RESULT', json.dumps({'marks': marks, 'files': len(ex.corpus), 'points': int(state['layout_info']['n']),
          'method': state['layout_info']['method'], 'heavy': [m for m in HEAVY if m in sys.modules]}))
    if PREPARE:
        ex.wait()  # the UMAP layout, which a later kernel then reads from the cache
""")


def run(paths: list[str], profile: bool, prepare: bool = False) -> dict:
    code = f"PATHS = {paths!r}\nHEAVY = {HEAVY!r}\nPREPARE = {prepare!r}\n" + RUN
    env = dict(os.environ, MLNB_CACHE=str(CACHE))
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(code)
    cmd = [sys.executable] + (["-m", "cProfile", "-s", "cumtime"] if profile else []) + [fh.name]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    finally:
        os.unlink(fh.name)
    if done.returncode != 0:
        sys.exit(f"the measured process failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    out = done.stdout
    if profile:
        print("\n".join(out.splitlines()[:90]))
    return json.loads(out.split("RESULT ", 1)[1].splitlines()[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=16_000)
    ap.add_argument("--prepare", action="store_true", help="ingest and embed into the cache (slow, once)")
    ap.add_argument("--profile", action="store_true", help="one run under cProfile (prints the top functions)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    paths = projects(args.files)
    if args.prepare:
        r = run(paths, False, prepare=True)
        print(f"prepared: {r['files']:,} files in {len(paths)} projects, cache {CACHE}")
        return
    if args.profile:
        run(paths, True)
        return
    results = [run(paths, False) for _ in range(args.runs)]
    r = results[-1]
    print(f"first scatter, fresh process, cached corpus of {r['files']:,} files ({len(paths)} projects from "
          f"site-packages); load {os.getloadavg()[0]:.2f}")
    for name in r["marks"]:
        print(f"  {name:>12}: " + ", ".join(f"{x['marks'][name]:.2f}" for x in results) + " s (cumulative)")
    best = min(x["marks"]["first state"] for x in results)
    print(f"  first widget state: best {best:.2f} s; shown first: {r['method']} of {r['points']:,} points; "
          f"heavy modules imported: {', '.join(r['heavy']) or 'none'}")


if __name__ == "__main__":
    main()
