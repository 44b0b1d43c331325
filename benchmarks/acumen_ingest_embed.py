"""ACUMEN ingest and embedding throughput on real code: installed ML libraries treated as projects.

    .venv/bin/python benchmarks/acumen_ingest_embed.py [--minilm-files 200] [--packages keras torch transformers sklearn]

Prints files/s for ingest (cold, then from the ingest cache) and for each embedder (cold, no vector cache), plus
the executor speed-up. MiniLM runs on a random subsample (it is a 6-layer transformer on a 2-core CPU).
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
CLOCK = {"cpu": 0.0}
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", nargs="+", default=["keras", "torch", "transformers", "sklearn"])
    ap.add_argument("--minilm-files", type=int, default=60)
    args = ap.parse_args()
    import numpy as np
    import torch

    torch.set_num_threads(1)
    from mlnb import acumen

    site = Path(sysconfig.get_paths()["purelib"])
    paths = [site / p for p in args.packages]
    cache = tempfile.mkdtemp(prefix="acumen-bench-")
    os.environ["MLNB_CACHE"] = cache
    print(f"{'step':<66} {'files':>7} {'wall s':>9} {'files/s':>9} {'cpu s':>8} {'files/cpu-s':>9}  "
          "(wall includes waiting for a core on this shared box)")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other jobs share this box)")
    class Rows(list):  # print each measurement as it comes (a long run still reports what it finished)
        def append(self, row):
            name, count, secs = row
            cpu = time.process_time() - CLOCK["cpu"]
            print(f"{name:<66} {count:>7} {secs:>9.2f} {count / secs:>9.1f} {cpu:>8.2f} {count / max(cpu, 1e-9):>9.1f}", flush=True)
            super().append(row)

    rows = Rows()

    t = time.perf_counter(); CLOCK['cpu'] = time.process_time()
    corpus = acumen.Corpus.from_paths(paths, cache=True, progress=False)
    cold = time.perf_counter() - t
    n = len(corpus.files)
    mb = corpus.files["n_bytes"].sum() / 1e6
    rows.append(("ingest (cold: read, decode, parse, metadata)", n, cold))
    t = time.perf_counter(); CLOCK['cpu'] = time.process_time()
    acumen.Corpus.from_paths(paths, cache=True, progress=False)
    rows.append(("ingest (unchanged projects, from cache)", n, time.perf_counter() - t))
    print(corpus.projects[["project", "n_files", "n_skipped", "libraries", "domain", "task", "year"]].to_string(max_colwidth=45))
    print("skipped:", dict(corpus.skipped_summary()))
    print(f"syntax errors recorded: {int((corpus.files['syntax_error'] != '').sum())}; {mb:.1f} MB of source\n")

    t = time.perf_counter(); CLOCK['cpu'] = time.process_time()
    tf = corpus.embed("tfidf", progress=False, cache=False)
    rows.append((f"tfidf, serial ({tf.shape[1]}-d)", n, time.perf_counter() - t))
    with ThreadPoolExecutor(2) as pool:
        t = time.perf_counter(); CLOCK['cpu'] = time.process_time()
        corpus.embed("tfidf", progress=False, cache=False, executor=pool)
        rows.append(("tfidf, ThreadPoolExecutor(2)", n, time.perf_counter() - t))
    t = time.perf_counter(); CLOCK['cpu'] = time.process_time()
    corpus.embed("tfidf", progress=False)
    corpus.embed("tfidf", progress=False)
    rows.append(("tfidf, second call (cache hit; incl. first write)", n, time.perf_counter() - t))

    rng = np.random.default_rng(0)
    sample = [corpus.texts[i] for i in rng.choice(n, min(args.minilm_files, n), replace=False)]
    from mlnb.acumen.embed import embed

    embed(sample[:2], "minilm", progress=False, cache=False)  # model load, not throughput
    t = time.perf_counter(); CLOCK['cpu'] = time.process_time()
    vm = embed(sample, "minilm", progress=False, cache=False)
    rows.append((f"minilm mean-pool, serial, 1 torch thread (sample, {vm.shape[1]}-d)", len(sample), time.perf_counter() - t))
    with ThreadPoolExecutor(2) as pool:
        t = time.perf_counter(); CLOCK['cpu'] = time.process_time()
        embed(sample, "minilm", progress=False, cache=False, executor=pool)
        rows.append(("minilm mean-pool, ThreadPoolExecutor(2)", len(sample), time.perf_counter() - t))
    t = time.perf_counter(); CLOCK['cpu'] = time.process_time()
    embed(sample, "minilm", progress=False, cache=False, pooling="function-max")
    rows.append(("minilm with the CodeT5 recipe (function mean, file max)", len(sample), time.perf_counter() - t))
    embed(sample, "minilm", progress=False)
    t = time.perf_counter(); CLOCK['cpu'] = time.process_time()
    embed(sample, "minilm", progress=False)
    rows.append(("minilm, second call (vector cache hit)", len(sample), time.perf_counter() - t))

    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
