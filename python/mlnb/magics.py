"""IPython magics: thin front doors that parse arguments and call the engines.

Every magic has argparse-style help (``%umlaut?``). Arguments are split like a shell does
(``%acumen '/data/my project'``), and every argument is checked before any long work starts.
A user's mistake is shown as one red line naming the argument, the value and what is allowed;
errors raised by the user's own code keep their normal traceback. The engines are imported inside
each magic, so ``%load_ext mlnb`` stays cheap; a missing optional dependency is reported with the
extra that installs it.
"""

from __future__ import annotations

import importlib
import os
import shlex
import sys
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Iterator

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from mlnb.schema import INPUT_TYPES, OUTPUT_TYPES

# Which pip extra brings the heavy dependencies of each tool.
_EXTRAS = {"umlaut": "mlnb[tf] or mlnb[torch]", "acumen": "mlnb[acumen]", "imacs": "mlnb[imacs]"}

UMLAUT_COMMANDS = ("on", "off", "list", "show", "compare")
UMLAUT_USAGE = """\
%umlaut on [--input TYPE] [--output TYPE] [--name NAME]   check every Keras fit of the notebook
%umlaut off                                               stop checking
%umlaut list                                              the recorded sessions
%umlaut show NAME_OR_ID                                   one session's dashboard: curves, timeline, findings
%umlaut compare A B                                       what changed from session A to B
%%umlaut [--input TYPE] [--output TYPE] [--name NAME]     (first line of a cell) check the fits of that cell
TYPE: --input one of {inputs}; --output one of {outputs}. Help: %umlaut?""".format(
    inputs=", ".join(INPUT_TYPES), outputs=", ".join(OUTPUT_TYPES)
)


class MagicError(Exception):
    """A usage error shown to the user as one clear line (no traceback)."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[31mmlnb: {self}\x1b[0m"]


class _BodySyntaxError(Exception):
    """A syntax error in a ``%%umlaut`` body, shown exactly as IPython showed it for the body."""

    def __init__(self, message: str, stb: list[str]):
        super().__init__(message)
        self._stb = stb

    def _render_traceback_(self) -> list[str]:
        return self._stb


_BodySyntaxError.__name__ = _BodySyntaxError.__qualname__ = "SyntaxError"  # the name the kernel reports


def _engine(tool: str) -> Any:
    try:
        return importlib.import_module(f"mlnb.{tool}")
    except ImportError as exc:
        raise MagicError(
            f"%{tool} is not available: {exc}. Install its dependencies with `pip install {_EXTRAS[tool]}`."
        ) from None


def _split(line: str, magic: str, posix: bool = True) -> list[str]:
    """``line`` split like a shell (quotes group words). ``posix=False`` keeps the quotes, for
    arguments that are Python expressions."""
    try:
        if posix:
            return shlex.split(line)
        lexer = shlex.shlex(line, posix=False)
        lexer.whitespace_split = True
        lexer.commenters = ""
        return list(lexer)
    except ValueError as exc:  # "No closing quotation", "No escaped character"
        raise MagicError(f"{magic}: cannot split the arguments {line!r}: {exc}; quote like a shell ('...' or \"...\")") from None


def _parse(magic: Any, argv: list[str], name: str) -> Any:
    try:
        return magic.parser.parse_args(argv)
    except (UsageError, SystemExit) as exc:  # argparse's complaint, with our prefix and a pointer to help
        raise MagicError(f"{name}: {exc}; see {name}? for usage") from None


def _unquote(value: str | None) -> str | None:
    if value is not None and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _has_user_frame(tb: TracebackType | None) -> bool:
    """Whether the traceback passes through the user's own code (a cell or a file of theirs)."""
    from mlnb.notebook import user_frame

    while tb is not None:
        frame = tb.tb_frame
        if user_frame(frame) is frame:
            return True
        tb = tb.tb_next
    return False


@contextmanager
def _one_line_errors(magic: str) -> Iterator[None]:
    """Errors raised by mlnb's engines become one :class:`MagicError` line; errors that come out of
    the user's own code (a custom layer, a generator) keep their traceback."""
    try:
        yield
    except (MagicError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - classified below
        if _has_user_frame(exc.__traceback__.tb_next if exc.__traceback__ else None):
            raise
        raise MagicError(f"{magic}: {_describe(exc)}") from None


def _describe(exc: BaseException) -> str:
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    text = " ".join(str(text).split()) or "(no message)"
    from mlnb.store import StoreError

    if isinstance(exc, (ValueError, TypeError, KeyError, FileNotFoundError, NotADirectoryError, StoreError)):
        return text
    return f"{type(exc).__name__}: {text}"


@contextmanager
def _plain_warnings(magic: str) -> Iterator[None]:
    """mlnb's own warnings (e.g. too few images of a kind) as plain lines, without the source line of
    mlnb that raised them; other libraries' warnings are shown as usual."""
    import warnings

    package = os.path.dirname(os.path.abspath(__file__))
    with warnings.catch_warnings():
        show = warnings.showwarning

        def showwarning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
            if os.path.abspath(filename).startswith(package + os.sep):
                print(f"{magic}: {message}", file=file or sys.stderr)
            else:
                show(message, category, filename, lineno, file, line)

        warnings.showwarning = showwarning
        yield


def _nonempty(name: str, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise MagicError(f"{name}={value!r} is not valid; expected a non-empty name")
    return value


@contextmanager
def _override(obj: Any, name: str, value: Any) -> Iterator[None]:
    """Set the instance attribute ``obj.name`` while the block runs, then put back what was there."""
    missing = object()
    previous = obj.__dict__.get(name, missing)
    setattr(obj, name, value)
    try:
        yield
    finally:
        if previous is missing:
            delattr(obj, name)
        else:
            setattr(obj, name, previous)


def _calling_cell_number(shell: Any) -> int | None:
    """The prompt number of the cell that called this magic (``In[11]``), from IPython's own map."""
    names = getattr(getattr(shell, "compile", None), "_filename_map", None) or {}
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename in names:
            return int(names[frame.f_code.co_filename])
        frame = frame.f_back
    return None


@magics_class
class MlnbMagics(Magics):
    # ------------------------------------------------------------------------------------------
    @magic_arguments()
    @argument(
        "command",
        nargs="?",
        default=None,
        help="Line magic only: 'on' (check every Keras fit in the notebook), 'off', "
        "'list' (recorded sessions), 'show' (one session's dashboard) or 'compare' (two sessions).",
    )
    @argument("session", nargs="?", default=None, help="For 'show' and 'compare': the session name or id.")
    @argument("other", nargs="?", default=None, help="For 'compare': the second session (after the change).")
    @argument("--input", dest="input_type", choices=INPUT_TYPES, default=None, help="What the model's inputs are.")
    @argument("--output", dest="output_type", choices=OUTPUT_TYPES, default=None, help="What the model predicts.")
    @argument("--name", default=None, help="Session name (default: derived from the model).")
    @line_cell_magic
    def umlaut(self, line: str = "", cell: str | None = None) -> Any:
        """UMLAUT: check model structure, data and training against expert heuristics.

        As a cell magic on the first line of a cell, every Keras fit in the cell is checked,
        with no change to the code:

            %%umlaut --input image --output classification
            model.fit(x, y, validation_split=0.2, epochs=5)

        The cell behaves as it would without the magic: an error in it fails the cell (and
        stops Run All), an interrupt interrupts it; the session is recorded as failed or
        interrupted with the epochs it ran.

        As a line magic: '%umlaut on' and '%umlaut off' check every fit of the notebook,
        '%umlaut list' shows the recorded sessions, '%umlaut show NAME' one session's dashboard,
        '%umlaut compare A B' what changed from session A to B (fixed, new and persisting findings).
        """
        name = "%%umlaut" if cell is not None else "%umlaut"
        args = _parse(self.umlaut, _split(line, name), name)
        _nonempty("--name", args.name)
        options = {"input_type": args.input_type, "output_type": args.output_type, "name": args.name}
        given = [f"--{k.split('_')[0]}" for k, v in options.items() if v is not None]
        if cell is not None:
            if args.command is not None:
                words = " ".join(w for w in (args.command, args.session, args.other) if w)
                raise MagicError(f"%%umlaut takes only options (--input, --output, --name), got {words!r}; "
                                 f"for a command use %umlaut {args.command} on a line of its own")
            umlaut = _engine("umlaut")
            # The magic's line stays in the body as a comment, so line numbers match the cell's.
            return self._run_checked_cell(umlaut, options, f"# %%umlaut {line}".rstrip() + "\n" + cell)
        if args.command is None:
            if given:
                raise MagicError(f"%umlaut {' '.join(given)} needs a command; expected %umlaut on {' '.join(given)} ...")
            print(UMLAUT_USAGE)
            return None
        if args.command not in UMLAUT_COMMANDS:
            raise MagicError(f"%umlaut command={args.command!r} is not valid; expected one of "
                             f"{', '.join(UMLAUT_COMMANDS)} (%umlaut alone prints the usage)")
        if args.command not in ("show", "compare") and args.session is not None:
            raise MagicError(f"%umlaut {args.command} takes no further words, got {args.session!r}")
        if args.command != "compare" and args.other is not None:
            raise MagicError(f"%umlaut {args.command} takes at most one session, got {args.other!r}")
        if args.command != "on" and given:
            raise MagicError(f"%umlaut {args.command} takes no options, got {', '.join(given)}; "
                             "options apply to %umlaut on and %%umlaut")
        if args.command == "compare":
            if args.session is None or args.other is None:
                raise MagicError("%umlaut compare needs two session names or ids, e.g. %umlaut compare buggy fixed")
            _nonempty("session", args.session)
            _nonempty("other", args.other)
        if args.command == "show":
            if args.session is None:
                raise MagicError("%umlaut show needs a session name or id, e.g. %umlaut show fit-1 (see %umlaut list)")
            _nonempty("session", args.session)
        umlaut = _engine("umlaut")
        with _one_line_errors(f"%umlaut {args.command}"):
            if args.command == "on":
                umlaut.enable_notebook(**options)
            elif args.command == "off":
                umlaut.disable_notebook()
            elif args.command == "list":
                return umlaut.list_sessions()
            elif args.command == "compare":
                return umlaut.compare(args.session, args.other).view()
            else:
                return umlaut.show_session(args.session)
        return None

    def _run_checked_cell(self, umlaut: Any, options: dict[str, Any], cell: str) -> None:
        """Run a ``%%umlaut`` body as the cell itself: same output, same traceback (named after the
        cell's own prompt number), and the cell fails if the body does."""
        from mlnb.notebook import registry

        shell = self.shell
        number = _calling_cell_number(shell)
        shown: list[list[str]] = []
        compiler = shell.compile
        original_cache = compiler.cache

        def cache(transformed_code: str, number_: int = 0, raw_code: str | None = None) -> str:
            # IPython has already counted the outer cell: compile the body under its prompt number.
            return original_cache(transformed_code, number if number is not None else number_, raw_code)

        with _one_line_errors("%%umlaut"):
            instrumented = umlaut.instrument(**options)
            instrumented.__enter__()
        try:
            # The nested run displays its own traceback; keep it to show once, as the cell's error.
            with _override(shell, "_showtraceback", lambda etype, value, stb: shown.append(stb)), \
                    _override(compiler, "cache", cache), registry.cell_body(line_offset=0, execution_count=number):
                result = shell.run_cell(cell, store_history=False)
        finally:
            instrumented.__exit__(None, None, None)
        error = result.error_before_exec or result.error_in_exec
        if error is None:
            return None
        if not shown:
            raise error
        stb = shown[-1]
        if isinstance(error, SyntaxError):
            # IPython formats a SyntaxError raised from a magic with the magic's frames and ignores
            # _render_traceback_: show the body's own message under the same name instead.
            raise _BodySyntaxError(str(error), stb) from None
        try:
            error._render_traceback_ = lambda: stb  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - an exception without attributes: IPython formats it anew
            pass
        raise error

    # ------------------------------------------------------------------------------------------
    @magic_arguments()
    @argument("paths", nargs="*", help="Project folders (one project each, shell wildcards allowed) or git URLs.")
    @argument("--model", default="tfidf", help="Embedder: tfidf, minilm, a local Hugging Face model folder or a downloaded hub name.")
    @argument("--neighbors", default="15", help="UMAP n_neighbors: an integer >= 2.")
    @line_magic
    def acumen(self, line: str) -> Any:
        """ACUMEN: index ML projects and explore their files as a scatter linked to a table.

            %acumen ~/src/ml-projects/* --model minilm
            %acumen '/data/my project' https://github.com/user/repo.git
        """
        import glob

        args = _parse(self.acumen, _split(line, "%acumen"), "%acumen")
        if not args.paths:
            raise MagicError("%acumen needs at least one project folder or git URL, e.g. %acumen ~/src/my-project")
        neighbors = _int_option("--neighbors", args.neighbors, low=2, high=10_000)
        paths: list[str] = []
        for p in args.paths:
            if not p.strip():
                raise MagicError(f"paths: {p!r} is not valid; expected a project folder or a git URL")
            if _is_url(p):
                paths.append(p)
                continue
            expanded = os.path.expanduser(p)
            matches = sorted(glob.glob(expanded)) if any(c in expanded for c in "*?[") else [expanded]
            matches = [m for m in matches if os.path.isdir(m)]
            if not matches:
                what = "matches no folder" if any(c in expanded for c in "*?[") else (
                    "is not a folder" if os.path.exists(expanded) else "does not exist")
                raise MagicError(f"paths: {p!r} {what}; expected project folders or git URLs")
            paths.extend(matches)
        model = _acumen_model(args.model)
        acumen = _engine("acumen")
        with _one_line_errors("%acumen"):
            corpus = acumen.Corpus.from_paths(paths)
            embeddings = corpus.embed(model=model)
            return acumen.Explorer(corpus, embeddings=embeddings, n_neighbors=neighbors)

    # ------------------------------------------------------------------------------------------
    @magic_arguments()
    @argument("model_a", help="First model: a variable or expression in the notebook.")
    @argument("model_b", help="Second model.")
    @argument("images", help="Images, NHWC (uint8, or float in [0, 1]).")
    @argument("labels", help="Integer class labels, one per image.")
    @argument("--target", required=True, help="Target class: an index or a class name.")
    @argument("--clusters", default="5", help="Number of concept clusters (k-means k), an integer >= 1.")
    @argument("--per-model", dest="per_model", default="100", help="Images sampled per model, an integer >= 1.")
    @argument(
        "--sampling",
        default="balanced",
        help="How images are sampled per model: balanced, all, false-positives or confident-disagreement.",
    )
    @argument("--segmentation", default="grid", help="How images are split into segments: grid or slic.")
    @argument("--class-names", dest="class_names", default=None,
              help="Class names: a variable or expression in the notebook (then --target may be a name).")
    @line_magic
    def imacs(self, line: str) -> Any:
        """IMACS: compare two image models by the image regions each relies on.

            %imacs model_a model_b x_val y_val --target 3 --clusters 5
            %imacs model_a model_b x_val y_val --target cat --class-names names
        """
        from mlnb._validation import check_choice

        args = _parse(self.imacs, _split(line, "%imacs", posix=False), "%imacs")
        target: Any = _unquote(args.target)
        if not target or not target.strip():
            raise MagicError(f"--target={target!r} is not valid; expected a class index or a class name")
        if target.lstrip("-").isdigit():
            target = int(target)
        clusters = _int_option("--clusters", _unquote(args.clusters), low=1, high=10_000)
        per_model = _int_option("--per-model", _unquote(args.per_model), low=1, high=1_000_000)
        options = {}
        for option, value, allowed in (
            ("--sampling", args.sampling, ("balanced", "all", "false-positives", "confident-disagreement")),
            ("--segmentation", args.segmentation, ("grid", "slic")),
        ):
            try:
                options[option] = check_choice(option, _unquote(value), allowed)
            except ValueError as exc:
                raise MagicError(str(exc)) from None
        values = {name: self._evaluate(name, getattr(args, name)) for name in ("model_a", "model_b", "images", "labels")}
        class_names = None if args.class_names is None else self._evaluate("class_names", args.class_names)
        imacs = _engine("imacs")
        # The viewer shows each stage's progress while the run goes, then the result in place.
        from IPython.display import display

        from mlnb.widgets.imacs_viewer import ImacsViewer

        viewer = ImacsViewer()
        shown = display(viewer, display_id=True)
        with _one_line_errors("%imacs"), _plain_warnings("%imacs"):
            try:
                result = imacs.compare(
                    values["model_a"],
                    values["model_b"],
                    values["images"],
                    values["labels"],
                    target=target,
                    n_clusters=clusters,
                    n_per_model=per_model,
                    sampling=options["--sampling"],
                    segmentation=options["--segmentation"],
                    class_names=class_names,
                    on_progress=viewer.set_progress,
                )
            except Exception as exc:
                viewer.set_error(str(exc))
                if shown is not None:
                    shown.update(viewer)
                raise
        viewer.result = result
        if shown is not None:  # re-render in place: the saved output's static fallback shows the result
            shown.update(viewer)
        return result.shown_in(viewer)

    def _evaluate(self, argument_name: str, expression: str) -> Any:
        label = argument_name.upper()
        try:
            return self.shell.ev(expression)
        except NameError as exc:
            raise MagicError(f"{label}={expression!r}: {exc} in the notebook") from None
        except SyntaxError:
            raise MagicError(f"{label}={expression!r} is not a Python expression") from None
        except Exception as exc:  # noqa: BLE001 - the expression itself failed: say which one
            raise MagicError(f"{label}={expression!r} could not be evaluated: {type(exc).__name__}: {exc}") from None


def _int_option(option: str, value: str | None, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise MagicError(f"{option}={value!r} is not valid; expected an integer >= {low} and <= {high}")
    return number


def _is_url(path: str) -> bool:
    return "://" in path or (path.startswith("git@") and ":" in path)


def _acumen_model(model: str) -> str:
    """``--model`` checked before any ingest: a built-in embedder or a local model folder (offline)."""
    if model in ("tfidf", "minilm"):
        return model
    folder = os.path.expanduser(model)
    if model.strip() and os.path.isfile(os.path.join(folder, "config.json")):
        return folder
    if model.strip() and not os.path.isabs(folder) and _in_hub_cache(model):
        return model
    where = "is not a folder here" if not os.path.exists(folder) else "is a folder without a Hugging Face config.json"
    raise MagicError(f"--model={model!r} is not valid ({where}, and no downloaded Hugging Face model has that "
                     "name); expected tfidf, minilm, a local Hugging Face model folder or a downloaded hub name")


def _in_hub_cache(name: str) -> bool:
    """Whether the Hugging Face hub model ``name`` was downloaded before (so it loads offline)."""
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:  # noqa: BLE001 - not a valid repo id, or no huggingface_hub: not cached
        return False


def _plain_help(func: Any) -> None:
    """IPython's generated magic help is reStructuredText (``::`` before the usage, double
    backticks); ``%umlaut?`` shows it as plain text, so say it plainly."""
    doc = func.__doc__ or ""
    if doc.startswith("::"):
        doc = "Usage:" + doc[2:]
    func.__doc__ = doc.replace("``", "'").replace("::\n", ":\n")


for _magic in (MlnbMagics.umlaut, MlnbMagics.acumen, MlnbMagics.imacs):
    _plain_help(_magic)

