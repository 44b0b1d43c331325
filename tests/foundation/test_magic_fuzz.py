"""Fuzz the four magics with generated bad invocations in a real IPython shell.

Each invocation takes a valid one and breaks one to three of its arguments (bad values, empty and
whitespace names, unknown options, extra words, unbalanced quotes, undefined or wrong-typed
variables, NaN images, NaN models ...). Every one must fail as one red ``mlnb:`` line that names
one of the broken arguments or values: no traceback from inside mlnb, no silent acceptance (the
cell fails, a ``%%umlaut`` body does not run), and no hang (a 30 s alarm per invocation).
"""

from __future__ import annotations

import random
import re
import signal

import pytest
from IPython.core.interactiveshell import InteractiveShell

N_CASES = 300  # at least 250, spread over the four magics

SETUP = """
import numpy as np
_rng = np.random.default_rng(0)
x_ok = _rng.random((20, 16, 16, 3)).astype('float32'); y_ok = _rng.integers(0, 3, 20)
_W = _rng.normal(size=(3, 3))
def model_ok(x): return x.mean(axis=(1, 2)) @ _W
def model_4(x): return x.mean(axis=(1, 2)) @ np.ones((3, 4))
def model_nan(x): return np.full((len(x), 3), np.nan)
def model_flat(x): return np.zeros(len(x))
x_nan = x_ok.copy(); x_nan[0, 0, 0, 0] = np.nan
x_inf = x_ok.copy(); x_inf[1, 2, 3, 0] = np.inf
x_255 = x_ok * 255; x_3d = x_ok[..., 0]; x_int = (x_ok * 9).astype('int64'); x_nchw = x_ok.transpose(0, 3, 1, 2)
x_empty = x_ok[:0]
y_short = y_ok[:5]; y_half = y_ok + 0.5; y_str = np.array(['a'] * 20); y_onehot = np.eye(3)[y_ok]; y_big = y_ok + 10
not_a_model = 3; a_string = 'abc'; a_list = [1, 2]
body_ran = False
"""

# (slot, bad value, hints: substrings one of which the error line must contain)
IMACS_BAD = {
    "model_a": ["undefined_model", "not_a_model", "a_string", "None", "model_nan", "model_flat", "model_4", "model_ok(",
                "a_list[5]"],
    "model_b": ["undefined_model", "not_a_model", "None", "model_nan", "model_flat", "1/0"],
    "images": ["x_nan", "x_inf", "x_255", "x_3d", "x_int", "x_nchw", "x_empty", "None", "a_string", "a_list",
               "undefined_x", "x_ok[", "x_ok[:5]"],
    "labels": ["y_short", "y_half", "y_str", "y_onehot", "y_big", "None", "undefined_y", "a_string"],
    "--target": ["99", "-1", "''", "'  '", "dog", "3.5"],
    "--clusters": ["0", "-1", "abc", "1.5", "100000", "5000", "''"],
    "--per-model": ["0", "-3", "abc", "2.5", "10**30", "1e3", "999", "''"],
    "--sampling": ["bogus", "''", "BALANCED", "all,balanced"],
    "--segmentation": ["bogus", "''", "Grid", "slic2"],
}
IMACS_OK = {"model_a": "model_ok", "model_b": "model_ok", "images": "x_ok", "labels": "y_ok", "--target": "0",
            "--clusters": "2", "--per-model": "8", "--sampling": None, "--segmentation": None}
IMACS_HINTS = {"model_a": ["model_a", "model_b"], "model_b": ["model_b", "model_a"], "images": ["images"],
               "labels": ["labels"]}

UMLAUT_LINE_BAD = [
    ("bogus", ["bogus"]), ("ON", ["'ON'"]), ("list extra", ["extra"]), ("off now", ["now"]), ("on foo", ["foo"]),
    ("show", ["show"]), ("show ''", ["session"]), ("show '   '", ["session"]), ("show no-such-session", ["no-such-session"]),
    ("show 999999", ["999999"]), ("show a b", ["b"]), ("on --input bogus", ["--input"]), ("on --output ''", ["--output"]),
    ("on --name ''", ["--name"]), ("on --name '  '", ["--name"]), ("on --input", ["--input"]), ("on --foo", ["--foo"]),
    ("on -x", ["-x"]), ("list --input image", ["--input"]), ("off --name n", ["--name"]), ("show x --output regression", ["--output"]),
    ("--input image", ["--input"]), ("'unclosed", ["quote", "unclosed"]), ('on --name "a', ["quote", "--name"]),
    ("on --input image --input 'te xt'", ["--input"]), ("list -- extra", ["extra"]), ("on --name=", ["--name"]),
    ("'' ", ["''", "command"]), ("on\\", ["escape", "on"]), ("show --name x", ["--name"]),
]
UMLAUT_CELL_BAD = [
    ("list", ["list"]), ("on", ["on"]), ("show fit-1", ["show"]), ("--input bogus", ["--input"]),
    ("--output", ["--output"]), ("--name ''", ["--name"]), ("--name ' '", ["--name"]), ("--bogus", ["--bogus"]),
    ("'unclosed", ["quote"]), ("--input image extra", ["extra"]),
]

ACUMEN_BAD = {
    "path": [("/no/such/project", ["/no/such/project"]), ("''", ["''"]), ("'  '", ["'  '"]), ("{file}", ["is not a folder"]),
             ("{tmp}/nothing-*", ["nothing-*"]), ("/dev/null", ["/dev/null"]), ("'/no such/dir'", ["/no such/dir"]),
             ("{tmp}/missing[", ["missing["]), ("~no_such_user_xyz/p", ["no_such_user_xyz"])],
    "--model": [("bogus-model", ["--model"]), ("''", ["--model"]), ("'  '", ["--model"]), ("{file}", ["--model"]),
                ("{tmp}", ["--model"]), ("TFIDF", ["--model"]), ("mini-lm", ["--model"]), ("/no/such/model", ["--model"])],
    "--neighbors": [("0", ["--neighbors"]), ("1", ["--neighbors"]), ("-5", ["--neighbors"]), ("abc", ["--neighbors"]),
                    ("''", ["--neighbors"]), ("1.5", ["--neighbors"]), ("1000000000", ["--neighbors"]), ("nan", ["--neighbors"])],
    "extra": [("--bogus", ["--bogus"]), ("--model", ["--model"]), ("'unclosed", ["quote"]), ("--neighbors", ["--neighbors"])],
}


def _imacs_case(rng: random.Random) -> tuple[str, str, list[str]]:
    slots = rng.sample(sorted(IMACS_BAD), rng.choice([1, 1, 2, 3]))
    values = dict(IMACS_OK)
    hints: list[str] = []
    for slot in slots:
        bad = rng.choice(IMACS_BAD[slot])
        values[slot] = bad
        hints += IMACS_HINTS.get(slot, [slot]) + [bad.strip("'")]
    words = [values[k] for k in ("model_a", "model_b", "images", "labels")]
    words += [f"{k} {v}" for k, v in values.items() if k.startswith("--") and v is not None]
    if rng.random() < 0.1:  # an extra positional, or a missing one
        if rng.random() < 0.5:
            words.insert(4, "extra_word")
            hints.append("extra_word")
        else:
            words.pop(3)
            hints.append("labels")
    return "%imacs " + " ".join(words), "", hints


def _umlaut_case(rng: random.Random) -> tuple[str, str, list[str]]:
    if rng.random() < 0.3:
        args, hints = rng.choice(UMLAUT_CELL_BAD)
        return f"%%umlaut {args}", "body_ran = True\n", hints
    if rng.random() < 0.3:  # a made-up command or session name
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz-_0123456789é") for _ in range(rng.randint(1, 12)))
        if word in ("on", "off"):
            word += "x"
        return (f"%umlaut show {word}-unknown", "", [f"{word}-unknown"]) if rng.random() < 0.5 else (
            f"%umlaut {word}", "", [word])
    args, hints = rng.choice(UMLAUT_LINE_BAD)
    if rng.random() < 0.3:  # also a bad option on top
        extra, more = rng.choice([("--input nope", ["--input"]), ("--zzz", ["--zzz"]), ("--name ''", ["--name"])])
        args, hints = f"{args} {extra}", hints + more
    return f"%umlaut {args}", "", hints


def _acumen_case(rng: random.Random, tmp: str, project: str, file: str) -> tuple[str, str, list[str]]:
    slots = rng.sample(sorted(ACUMEN_BAD), rng.choice([1, 1, 2]))
    words, hints = [project], []
    for slot in slots:
        bad, more = rng.choice(ACUMEN_BAD[slot])
        bad = bad.format(tmp=tmp, file=file)
        hints += [h.format(tmp=tmp, file=file) for h in more]
        if slot == "path":
            words = [bad] if rng.random() < 0.5 else [project, bad]
            hints.append("paths")
        elif slot != "extra":
            words.append(f"{slot} {bad}")
    rng.shuffle(words)
    if "extra" in slots:  # an unknown option, an option without its value, an unbalanced quote: at the end
        words.append(bad_extra := rng.choice(ACUMEN_BAD["extra"])[0])
        hints += [bad_extra, "quote"]
    return "%acumen " + " ".join(words), "", hints


class _Hang(BaseException):
    pass


def _alarm(signum, frame):
    raise _Hang()


@pytest.fixture
def shell(tmp_path):
    sh = InteractiveShell.instance()
    assert sh.run_cell("%load_ext mlnb").success
    assert sh.run_cell(SETUP).success
    yield sh
    sh.run_cell("%umlaut off")
    sh.run_cell("%unload_ext mlnb")


def test_bad_invocations_fail_as_one_line(shell, tmp_path):
    pytest.importorskip("sklearn")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "train.py").write_text("import numpy as np\nprint(np.zeros(3))\n")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a project folder")
    rng = random.Random(20261127)
    cases = []
    for i in range(N_CASES):
        kind = i % 3
        if kind == 0:
            cases.append(_imacs_case(rng))
        elif kind == 1:
            cases.append(_umlaut_case(rng))
        else:
            cases.append(_acumen_case(rng, str(tmp_path), str(project), str(a_file)))
    assert len({c[0] for c in cases}) >= 200, "the generator should give mostly distinct invocations"

    failures = []
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for line, body, hints in cases:
            shown: list[list[str]] = []
            shell.user_ns["body_ran"] = False
            shell._showtraceback = lambda etype, value, stb, shown=shown: shown.append(list(stb))
            signal.alarm(30)
            try:
                result = shell.run_cell(line + ("\n" + body if body else ""), store_history=True)
            finally:
                signal.alarm(0)
                del shell._showtraceback
            error = result.error_before_exec or result.error_in_exec
            text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join("\n".join(s) for s in shown))
            if isinstance(error, _Hang):
                failures.append((line, "hang (over 30 s)"))
            elif error is None:
                failures.append((line, "accepted silently"))
            elif type(error).__name__ != "MagicError" or len(shown) != 1 or "\n" in text.strip() \
                    or not text.startswith("mlnb: "):
                failures.append((line, f"not one line: {type(error).__name__}: {text[-600:]}"))
            elif not any(h.lower() in text.lower() for h in hints):
                failures.append((line, f"does not name the argument or value ({hints}): {text}"))
            elif shell.user_ns.get("body_ran"):
                failures.append((line, "the cell body ran"))
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert not failures, f"{len(failures)} of {len(cases)} bad invocations misbehaved:\n" + "\n".join(
        f"{line!r}: {why}" for line, why in failures[:40])


@pytest.mark.parametrize("line, expected", [
    ("%umlaut", "%umlaut on [--input TYPE]"),
    ("%umlaut?", "UMLAUT: check model structure"),
    ("%acumen?", "ACUMEN: index ML projects"),
    ("%imacs?", "IMACS: compare two image models"),
])
def test_usage_and_help_read_as_text(shell, capsys, line, expected):
    shell.run_cell(line)
    payload = shell.user_ns.get("_", None)
    out = capsys.readouterr().out
    help_text = out + "".join(str(p) for p in getattr(shell, "_mlnb_pages", []))
    if line.endswith("?"):
        from IPython.core import oinspect

        info = shell._object_find(line[1:-1])
        help_text = oinspect.getdoc(info.obj) or ""
    assert expected in help_text, (line, help_text[:500], payload)
    assert "``" not in help_text and "::" not in help_text and "command=None" not in help_text


def test_quoted_paths_work(shell, tmp_path):
    """A folder with a space in its name, quoted like a shell, is one path (it gets past validation)."""
    folder = tmp_path / "my project"
    folder.mkdir()
    shown: list = []
    shell._showtraceback = lambda etype, value, stb: shown.append(stb)
    try:
        result = shell.run_cell(f"%acumen '{folder}' --model bogus-model")
    finally:
        del shell._showtraceback
    text = "".join(shown[0])
    assert not result.success and "--model='bogus-model'" in text and "paths" not in text


def test_mlnb_warnings_in_a_magic_are_plain_lines(capsys):
    import warnings

    from mlnb import magics

    with pytest.warns(UserWarning, match="from elsewhere"):  # other warnings go the usual way
        with magics._plain_warnings("%imacs"):
            warnings.warn_explicit("model A: only 1 FP image(s)", UserWarning, magics.__file__, 1)
            warnings.warn_explicit("from elsewhere", UserWarning, "/somewhere/else.py", 7)
    err = capsys.readouterr().err
    assert err == "%imacs: model A: only 1 FP image(s)\n"
