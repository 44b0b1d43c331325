"""``mlnb umlaut run SCRIPT.py [args]``: run a training script with UMLAUT attached, headless;
``mlnb umlaut list``: the recorded sessions; ``mlnb umlaut delete SESSION`` deletes one.

Every Keras ``fit`` in the script gets an :class:`UmlautCallback`; ``TorchMonitor`` and Hugging Face
callbacks the script creates itself are reported too. At the end the findings are printed, one
section per session. Exit status: the script's own if it failed, else 1 when a critical or error
finding was raised, else 0.

Example::

    mlnb umlaut run train.py --epochs 3
    mlnb umlaut run --input image --output classification --explain train.py
    mlnb umlaut list
    mlnb umlaut show fit-1            # a recorded session; findings dismissed as false alarms are left out
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import traceback

from mlnb.umlaut.session import INPUT_TYPES, OUTPUT_TYPES


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mlnb umlaut", description="Run a training script with UMLAUT attached.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run SCRIPT.py with UMLAUT attached to every Keras fit")
    run.add_argument("--input", dest="input_type", choices=INPUT_TYPES, default=None, help="what the model's inputs are")
    run.add_argument("--output", dest="output_type", choices=OUTPUT_TYPES, default=None, help="what the model predicts")
    run.add_argument("--name", default=None, help="session name (default: the model's name)")
    run.add_argument("--explain", action="store_true", help="print the full explanation of every finding")
    run.add_argument("script", help="the Python training script")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    sub.add_parser("list", help="list the recorded UMLAUT sessions")
    show = sub.add_parser("show", help="print a recorded session's findings (dismissed ones left out)")
    show.add_argument("session", help="the session name or id (see %%umlaut list)")
    show.add_argument("--all", action="store_true", help="include findings dismissed as false alarms")
    delete = sub.add_parser("delete", help="delete a recorded session (not one that is still running)")
    delete.add_argument("session", help="the session name or id (see %%umlaut list)")
    return p


def _delete(args: argparse.Namespace) -> int:
    from mlnb.store import StoreError, default_store
    from mlnb.umlaut.api import _find_run

    try:
        store = default_store()
        run = _find_run(store, args.session)
        store.delete_run(run["id"])
    except KeyError as exc:
        print(f"mlnb umlaut delete: {exc.args[0]}", file=sys.stderr)
        return 2
    except (ValueError, StoreError) as exc:
        print(f"mlnb umlaut delete: {exc}", file=sys.stderr)
        return 1
    print(f"Deleted session {run['id']} ({run['name']}).")
    return 0


def _list() -> int:
    from mlnb.store import StoreError
    from mlnb.umlaut.api import list_sessions

    try:
        table = list_sessions()
    except StoreError as exc:
        print(f"mlnb umlaut list: {exc}", file=sys.stderr)
        return 1
    print(table.to_string() if len(table) else "No UMLAUT session recorded yet.")
    return 0



def _show(args: argparse.Namespace) -> int:
    from mlnb.store import StoreError
    from mlnb.umlaut.api import load_session
    from mlnb.umlaut.report import Report

    try:
        session = load_session(args.session)
    except KeyError as exc:
        print(f"mlnb umlaut show: {exc.args[0]}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"mlnb umlaut show: {exc}", file=sys.stderr)
        return 1
    report = session.report()
    if args.all:
        report = Report(report.name, list(session.findings), session.framework, session.thresholds,
                        status=session.status, history=session.history)
    print(repr(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "list":
        return _list()
    if args.command == "show":
        return _show(args)
    if args.command == "delete":
        return _delete(args)
    if not os.path.isfile(args.script):
        print(f"mlnb umlaut run: SCRIPT={args.script!r} is not a file", file=sys.stderr)
        return 2
    from mlnb.umlaut import api, session as session_module

    before = len(session_module.STARTED)
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [args.script, *args.args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
    code = 0
    try:
        with api.instrument(input_type=args.input_type, output_type=args.output_type, name=args.name):
            runpy.run_path(args.script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # noqa: BLE001 - report the script's error like Python would, then the findings
        traceback.print_exc()
        code = 1
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    sessions = session_module.STARTED[before:]
    _report(sessions, explain=args.explain)
    if code:
        return int(code)
    return 1 if any(f.severity in ("critical", "error") for s in sessions for f in s.findings) else 0


def _report(sessions: list, explain: bool) -> None:
    from mlnb.umlaut.explain import explain as explain_card, summary_line

    out = sys.stdout
    if not sessions:
        print("\nUMLAUT: no training session ran (no Keras fit, TorchMonitor or Trainer callback).", file=out)
        return
    for s in sessions:
        findings = sorted(s.findings, key=lambda f: (f.rank, min(f.epochs or [0])))
        print(f"\n== UMLAUT session {s.name!r} ({s.framework}, {s.status}): {len(findings)} finding(s)", file=out)
        for f in findings:
            print(explain_card(f, framework=s.framework, thresholds=s.thresholds) if explain else summary_line(f), file=out)
            if explain:
                print(file=out)
    print("\nRun with --explain for the why and how-to-fix of each finding." if not explain else "", file=out)


if __name__ == "__main__":
    sys.exit(main())
