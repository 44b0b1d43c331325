"""UMLAUT's honesty contract, checked on real training programs (see programs.py).

- every buggy program raises the catalog key of its bug, with the catalog's severity;
- a buggy program raises no error/critical key that its bug does not explain;
- every clean program gets no error or critical finding (warnings are reported, not failed).

Each program trains once (a few seconds); its run is shared by the tests below.
"""

from __future__ import annotations

import pytest

import programs as zoo

# The catalog (DESIGN.md, UMLAUT part): key -> severity. Listed here on purpose, as the contract
# the engine is held to, rather than read back from the engine under test.
SEVERITY = {
    **dict.fromkeys(["nan-loss", "wrong-loss-for-task", "label-encoding-mismatch", "loss-diverging",
                     "weights-unchanged"], "critical"),
    **dict.fromkeys(["input-not-normalized", "nonfinite-input", "unstable-loss", "image-shape", "missing-softmax", "double-activation",
                     "lr-out-of-range", "missing-activation", "vanishing-gradient", "exploding-gradient",
                     "train-val-overlap", "constant-input", "loss-not-decreasing", "bad-initial-loss",
                     "dead-relu"], "error"),
    **dict.fromkeys(["suspicious-val-accuracy", "overfitting", "high-dropout", "saturated-activation",
                     "loss-oscillating", "unshuffled-data", "class-imbalance", "internal-check-error"], "warning"),
}
SERIOUS = ("critical", "error")
# Bugs in how the model is built: the finding should point at the line that built it.
STRUCTURAL = ("missing-softmax", "double-activation", "missing-activation", "high-dropout")

_RUNS: dict[str, zoo.Run] = {}


def run_of(program: zoo.Program) -> zoo.Run:
    if program.name not in _RUNS:
        _RUNS[program.name] = program.run()
    return _RUNS[program.name]


def describe(run: zoo.Run) -> str:
    return "; ".join(f"{f.severity} {f.key} (epochs {f.epochs}): {f.title}" for f in run.findings) or "no findings"


def _ids(programs):
    return [p.name for p in programs]


def test_zoo_covers_the_catalog():
    covered = {p.expected for p in zoo.buggy()}
    missing = set(SEVERITY) - covered - set(zoo.NOT_PROGRAMMABLE)
    assert not missing, f"catalog keys without a buggy program: {sorted(missing)}"
    assert covered <= set(SEVERITY), f"programs expect keys outside the catalog: {sorted(covered - set(SEVERITY))}"
    assert len(zoo.clean()) >= 6
    assert {p.framework for p in zoo.clean()} == {"keras", "torch"}
    assert sum(p.framework == "torch" for p in zoo.PROGRAMS.values()) >= 8
    for p in zoo.buggy():
        assert p.expected not in p.related, p.name
        assert set(p.related) <= set(SEVERITY), p.name


# Programs whose bug UMLAUT does not name today, each with the reason (kept visible as xfail).
KNOWN_GAPS: dict[str, str] = {}


def _marked(programs):
    return [pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN_GAPS[p.name], strict=False))
            if p.name in KNOWN_GAPS else p for p in programs]


@pytest.mark.parametrize("program", _marked(zoo.buggy()), ids=_ids(zoo.buggy()))
def test_bug_is_found(program):
    run = run_of(program)
    hits = [f for f in run.findings if f.key == program.expected]
    assert hits, f"{program.name} ({program.bug}): expected {program.expected!r}, got: {describe(run)}"
    assert {f.severity for f in hits} == {SEVERITY[program.expected]}, describe(run)
    if program.mention:
        text = " ".join(f"{f.title} {f.context}" for f in hits).lower()
        assert program.mention in text, f"{program.expected} should say {program.mention!r}: {describe(run)}"


@pytest.mark.parametrize("program", zoo.buggy(), ids=_ids(zoo.buggy()))
def test_bug_raises_no_unrelated_error(program):
    run = run_of(program)
    allowed = {program.expected, *program.related}
    wrong = sorted(run.keys_of(*SERIOUS) - allowed)
    assert not wrong, f"{program.name} ({program.bug}): unrelated {wrong}; all findings: {describe(run)}"


@pytest.mark.parametrize("program", zoo.clean(), ids=_ids(zoo.clean()))
def test_clean_program_has_no_error(program, record_property):
    run = run_of(program)
    warnings = sorted(run.keys_of("warning"))
    record_property("warnings", ",".join(warnings))
    if warnings:  # allowed, but visible in the -ra summary / JUnit report
        print(f"{program.name}: warnings {warnings}")
    serious = [f for f in run.findings if f.severity in SERIOUS]
    assert not serious, f"{program.name} is clean but got: {describe(run)}"


@pytest.mark.parametrize("program", list(zoo.PROGRAMS.values()), ids=list(zoo.PROGRAMS))
def test_no_check_crashes(program):
    """internal-check-error means one of mlnb's own checks raised: never acceptable on a real program."""
    crashes = [f for f in run_of(program).findings if f.key == "internal-check-error"]
    assert not crashes, f"{program.name}: " + "; ".join(f"{f.title} {f.context}" for f in crashes)


def _file_of(location) -> str:
    if location is None:
        return ""
    if isinstance(location, dict):
        return str(location.get("file") or "")
    return str(getattr(location, "file", "") or "")


@pytest.mark.parametrize("key", STRUCTURAL)
def test_structural_finding_points_at_the_user_line(key):
    program = next(p for p in zoo.buggy() if p.expected == key)
    hits = [f for f in run_of(program).findings if f.key == key]
    assert hits, f"{key} not found"
    assert any(_file_of(f.location).endswith("programs.py") for f in hits), \
        f"{key}: location {[f.location for f in hits]} does not name the program that built the layer"
