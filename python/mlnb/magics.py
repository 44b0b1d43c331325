"""IPython magics: thin front doors that parse arguments and call the engines.

Every magic has argparse-style help (``%umlaut?``). The engines are imported inside each magic,
so ``%load_ext mlnb`` stays cheap; a missing optional dependency is reported with the extra that
installs it.
"""

from __future__ import annotations

import importlib
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from mlnb.schema import INPUT_TYPES, OUTPUT_TYPES

# Which pip extra brings the heavy dependencies of each tool.
_EXTRAS = {"umlaut": "mlnb[tf] or mlnb[torch]", "acumen": "mlnb[acumen]", "imacs": "mlnb[imacs]"}


class MagicError(Exception):
    """A usage error shown to the user as one clear line (no traceback)."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[31mmlnb: {self}\x1b[0m"]


def _engine(tool: str) -> Any:
    try:
        return importlib.import_module(f"mlnb.{tool}")
    except ImportError as exc:
        raise MagicError(
            f"%{tool} is not available: {exc}. Install its dependencies with `pip install {_EXTRAS[tool]}`."
        ) from None


def _parse(magic: Any, line: str) -> Any:
    try:
        return parse_argstring(magic, line)
    except Exception as exc:  # UsageError from argparse: show it as ours, with the usage line
        raise MagicError(str(exc)) from None


@magics_class
class MlnbMagics(Magics):
    # ------------------------------------------------------------------------------------------
    @magic_arguments()
    @argument(
        "command",
        nargs="?",
        default=None,
        help="Line magic only: 'on' (instrument every Keras fit in the notebook), 'off', "
        "'list' (sessions) or 'show' (one session's findings).",
    )
    @argument("session", nargs="?", default=None, help="For 'show': the session name or id.")
    @argument("--input", dest="input_type", choices=INPUT_TYPES, default=None, help="What the model's inputs are.")
    @argument("--output", dest="output_type", choices=OUTPUT_TYPES, default=None, help="What the model predicts.")
    @argument("--name", default=None, help="Session name (default: derived from the cell).")
    @line_cell_magic
    def umlaut(self, line: str = "", cell: str | None = None) -> Any:
        """UMLAUT: check model structure, data and training against expert heuristics.

        As a cell magic, every Keras ``fit`` in the cell is instrumented with no code change:

            %%umlaut --input image --output classification
            model.fit(x, y, validation_split=0.2, epochs=5)

        As a line magic: ``%umlaut on`` / ``%umlaut off`` instrument every ``fit`` of the notebook,
        ``%umlaut list`` prints the recorded sessions, ``%umlaut show NAME`` one session's findings.
        """
        args = _parse(self.umlaut, line)
        umlaut = _engine("umlaut")
        options = {"input_type": args.input_type, "output_type": args.output_type, "name": args.name}
        if cell is not None:
            if args.command is not None:
                raise MagicError(f"%%umlaut takes only options, got {args.command!r}; use %umlaut {args.command} on its own line")
            from mlnb.notebook import registry

            with umlaut.instrument(**options), registry.cell_body(line_offset=1):
                self.shell.run_cell(cell, store_history=False)
            return None
        commands = ("on", "off", "list", "show")
        if args.command not in commands:
            raise MagicError(f"%umlaut command={args.command!r} is not valid; expected one of {', '.join(commands)}")
        if args.command == "on":
            umlaut.enable_notebook(**options)
        elif args.command == "off":
            umlaut.disable_notebook()
        elif args.command == "list":
            return umlaut.list_sessions()
        else:
            if args.session is None:
                raise MagicError("%umlaut show needs a session name or id, e.g. `%umlaut show fit-1`")
            return umlaut.show_session(args.session)
        return None

    # ------------------------------------------------------------------------------------------
    @magic_arguments()
    @argument("paths", nargs="+", help="Project folders (one project each) or git URLs.")
    @argument("--model", default="tfidf", help="Embedder: tfidf, minilm, or a Hugging Face name/path.")
    @argument("--neighbors", type=int, default=15, help="UMAP n_neighbors.")
    @line_magic
    def acumen(self, line: str) -> Any:
        """ACUMEN: index ML projects and explore their files as a scatter linked to a table.

            %acumen ~/src/ml-projects/* --model minilm
        """
        import glob
        import os

        args = _parse(self.acumen, line)
        paths: list[str] = []
        for p in args.paths:
            expanded = os.path.expanduser(p)
            matches = sorted(glob.glob(expanded)) if any(c in expanded for c in "*?[") else [expanded]
            if not matches:
                raise MagicError(f"paths: {p!r} matches no folder")
            paths.extend(matches)
        acumen = _engine("acumen")
        corpus = acumen.Corpus.from_paths(paths)
        embeddings = corpus.embed(model=args.model)
        return acumen.Explorer(corpus, embeddings=embeddings, n_neighbors=args.neighbors)

    # ------------------------------------------------------------------------------------------
    @magic_arguments()
    @argument("model_a", help="First model: a variable or expression in the notebook.")
    @argument("model_b", help="Second model.")
    @argument("images", help="Images, NHWC (uint8, or float in [0, 1]).")
    @argument("labels", help="Integer class labels, one per image.")
    @argument("--target", required=True, help="Target class: an index or a class name.")
    @argument("--clusters", type=int, default=5, help="Number of concept clusters (k-means k).")
    @argument("--per-model", dest="per_model", type=int, default=100, help="Images sampled per model.")
    @argument(
        "--sampling",
        default="balanced",
        choices=("balanced", "all", "false-positives", "confident-disagreement"),
        help="How images are sampled per model.",
    )
    @argument("--segmentation", default="grid", choices=("grid", "slic"), help="How images are split into segments.")
    @argument("--class-names", dest="class_names", default=None,
              help="Class names: a variable or expression in the notebook (then --target may be a name).")
    @line_magic
    def imacs(self, line: str) -> Any:
        """IMACS: compare two image models by the image regions each relies on.

            %imacs model_a model_b x_val y_val --target 3 --clusters 5
            %imacs model_a model_b x_val y_val --target cat --class-names names
        """
        args = _parse(self.imacs, line)
        values = {name: self._evaluate(name, getattr(args, name)) for name in ("model_a", "model_b", "images", "labels")}
        target: Any = args.target
        if target.lstrip("-").isdigit():
            target = int(target)
        class_names = None if args.class_names is None else self._evaluate("class_names", args.class_names)
        imacs = _engine("imacs")
        # The viewer shows each stage's progress while the run goes, then the result in place.
        from IPython.display import display

        from mlnb.widgets.imacs_viewer import ImacsViewer

        viewer = ImacsViewer()
        shown = display(viewer, display_id=True)
        try:
            result = imacs.compare(
                values["model_a"],
                values["model_b"],
                values["images"],
                values["labels"],
                target=target,
                n_clusters=args.clusters,
                n_per_model=args.per_model,
                sampling=args.sampling,
                segmentation=args.segmentation,
                class_names=class_names,
                on_progress=viewer.set_progress,
            )
        except Exception as exc:
            viewer.set_error(str(exc))
            raise
        viewer.result = result
        if shown is not None:  # re-render in place: the saved output's static fallback shows the result
            shown.update(viewer)
        return result.shown_in(viewer)

    def _evaluate(self, argument_name: str, expression: str) -> Any:
        try:
            return self.shell.ev(expression)
        except NameError as exc:
            raise MagicError(f"{argument_name.upper()}={expression!r}: {exc} in the notebook") from None
        except SyntaxError:
            raise MagicError(f"{argument_name.upper()}={expression!r} is not a Python expression") from None

