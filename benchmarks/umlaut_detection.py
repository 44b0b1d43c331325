"""Detection quality of UMLAUT on the validation zoo (tests/umlaut/programs.py).

Runs every program of the zoo once with UMLAUT attached (real training, a few seconds each) and prints:
- per program: framework, expected key, what UMLAUT found, hit/miss, wrong keys;
- detection rate: buggy programs whose expected key was found;
- wrong-key rate: buggy programs where an error/critical key appeared that the bug does not explain
  (strict: any error/critical key other than the expected one; and excluding the keys the program
  lists as honest consequences of its bug, e.g. a NaN loss after a learning rate of 2.0);
- false findings on clean programs: error/critical findings and warnings, counted separately.

    .venv/bin/python benchmarks/umlaut_detection.py            # whole zoo, about 2-3 minutes
    .venv/bin/python benchmarks/umlaut_detection.py --only missing-softmax,clean-torch-mlp-digits
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "umlaut"))

import programs as zoo  # noqa: E402

SERIOUS = ("critical", "error")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma list of program names (default: all)")
    parser.add_argument("--store", default="", help="session store file (default: a temporary file)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(zoo.PROGRAMS)
    unknown = [n for n in names if n not in zoo.PROGRAMS]
    if unknown:
        parser.error(f"--only: unknown program(s) {unknown}; known: {', '.join(zoo.PROGRAMS)}")
    if args.store:
        os.environ["MLNB_STORE"] = args.store
    else:  # never write benchmark sessions into the user's store
        import tempfile

        os.environ.setdefault("MLNB_STORE", str(Path(tempfile.mkdtemp(prefix="mlnb-bench-")) / "store.sqlite"))

    print(f"{'program':42} {'fw':5} {'expected':24} {'result':6} {'s':>5}  found (c=critical e=error w=warning)")
    rows = []
    for name in names:
        program = zoo.PROGRAMS[name]
        start = time.perf_counter()
        try:
            run = program.run()
            error = None
        except Exception as exc:  # an engine crash is a result too
            run, error = zoo.Run([], [], time.perf_counter() - start), f"{type(exc).__name__}: {exc}"
        keys = run.keys
        serious = run.keys_of(*SERIOUS)
        if error:
            result = "CRASH"
        elif program.clean:
            result = "clean" if not serious else "FALSE+"
        else:
            result = "hit" if program.expected in keys else "MISS"
        found = ", ".join(f"{f.severity[0]}:{f.key}" for f in sorted(
            {(f.severity, f.key): f for f in run.findings}.values(), key=lambda f: ("critical", "error", "warning").index(f.severity)))
        wrong_strict = sorted(serious - {program.expected})
        wrong = sorted(serious - {program.expected, *program.related})
        print(f"{name:42} {program.framework:5} {program.expected or '-':24} {result:6} {run.seconds:5.1f}  "
              f"{error or found or '-'}" + (f"   [wrong: {', '.join(wrong)}]" if wrong and not program.clean else ""),
              flush=True)
        rows.append((program, run, error, wrong_strict, wrong))

    buggy = [r for r in rows if not r[0].clean]
    clean = [r for r in rows if r[0].clean]
    print()
    if buggy:
        hits = [r for r in buggy if r[0].expected in r[1].keys]
        print(f"detection rate: {len(hits)}/{len(buggy)} = {len(hits) / len(buggy):.0%} buggy programs raised their key")
        misses = [f"{r[0].name} (expected {r[0].expected}; got {sorted(r[1].keys) or 'nothing'})"
                  for r in buggy if r[0].expected not in r[1].keys]
        for m in misses:
            print(f"  missed: {m}")
        strict = [r for r in buggy if r[3]]
        loose = [r for r in buggy if r[4]]
        print(f"wrong-key rate (any other error/critical key):        {len(strict)}/{len(buggy)} = {len(strict) / len(buggy):.0%}")
        print(f"wrong-key rate (excluding consequences of the bug):   {len(loose)}/{len(buggy)} = {len(loose) / len(buggy):.0%}")
        for r in loose:
            print(f"  wrong: {r[0].name}: {', '.join(r[4])}")
        covered = {r[0].expected for r in hits}
        print(f"catalog keys detected at least once: {len(covered)}/{len({r[0].expected for r in buggy})}"
              f" (not programmable: {', '.join(zoo.NOT_PROGRAMMABLE)})")
    crashed = [r for r in rows if r[2] or "internal-check-error" in r[1].keys]
    print(f"programs where UMLAUT crashed or a check raised internal-check-error: {len(crashed)}/{len(rows)}")
    for r in crashed:
        why = r[2] or "; ".join(f.title for f in r[1].findings if f.key == "internal-check-error")
        print(f"  {r[0].name}: {why}")
    if clean:
        n_serious = sum(len([f for f in r[1].findings if f.severity in SERIOUS]) for r in clean)
        n_warn = sum(len([f for f in r[1].findings if f.severity == "warning"]) for r in clean)
        flagged = [r for r in clean if r[1].keys_of(*SERIOUS)]
        print(f"clean programs: {len(clean)}; with an error/critical finding: {len(flagged)}; "
              f"error/critical findings: {n_serious}; warnings: {n_warn}")
        for r in clean:
            if r[1].findings:
                print(f"  {r[0].name}: " + ", ".join(f"{f.severity}:{f.key} ({f.title})" for f in r[1].findings))
    print(f"total time: {sum(r[1].seconds for r in rows):.0f} s for {len(rows)} programs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
