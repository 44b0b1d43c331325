"""Fixes as a diff of the user's own line (thesis §3.8.2, participant P13: "suggested code changes in
context of actual source code, similar to GitHub PR suggested changes").

For a finding with a location, :func:`suggest_fix` reads the line the finding points at (and, for
findings about the optimizer, the loss or ``fit``, the other lines of that cell) and derives a
concrete edit where one is safe: it parses the call with :mod:`ast`, changes one argument and
leaves the rest of the line exactly as written (spacing, quotes, comments). Where no safe edit
exists it says why, and the card shows the catalog's generic snippet instead.

Edits, by finding (Keras and PyTorch):

- ``missing-activation``: ``Dense(64)`` -> ``Dense(64, activation="relu")``; in an ``nn.Sequential``
  list ``nn.Linear(784, 64),`` -> ``nn.Linear(784, 64), nn.ReLU(),``.
- ``missing-softmax``: the output layer gets ``activation="softmax"`` (``"sigmoid"`` under a binary
  loss); a PyTorch ``nn.Sequential`` output before ``NLLLoss`` gets ``nn.LogSoftmax(dim=1)``.
- ``double-activation``: ``from_logits=True`` -> ``False`` on a probability output; a redundant
  ``Activation("softmax")`` / ``nn.Softmax(dim=1)`` element of a Sequential list is removed.
- ``high-dropout``: ``Dropout(0.8)`` -> ``Dropout(0.2)`` (the keep probability written as the rate).
- ``lr-out-of-range``: the literal learning rate in the optimizer call -> 0.001 (adaptive) / 0.01 (SGD).
- ``input-not-normalized``: ``model.fit(x, y, ...)`` -> ``model.fit(x / 255.0, y, ...)`` (and the
  validation data likewise) for non-negative data up to 255.

Example
-------
>>> from types import SimpleNamespace
>>> f = SimpleNamespace(key="high-dropout", severity="warning", title="Dropout rate 0.8", epochs=[-1],
...     context={"layer": "dropout", "rate": 0.8, "dropout_max": 0.5}, subject="dropout",
...     location=SimpleNamespace(file="<cell>", line=3, cell_id="c1", execution_count=2,
...                              notebook_path=None, code="layers.Dropout(0.8),"))
>>> fix = suggest_fix(f, source="import keras\\nmodel = keras.Sequential([\\n    layers.Dropout(0.8),\\n])")
>>> fix.old, fix.new
('layers.Dropout(0.8),', 'layers.Dropout(0.2),')
"""

from __future__ import annotations

import ast
import linecache
import re
from dataclasses import dataclass, fields
from typing import Any, Iterator, Mapping

__all__ = ["Fix", "suggest_fix"]

_ADAPTIVE = ("adam", "adamw", "adamax", "nadam", "rmsprop", "adagrad", "adadelta", "adafactor", "lion", "ftrl", "lamb")
_OPTIMIZERS = _ADAPTIVE + ("sgd",)
_CALL_START = re.compile(r"[A-Za-z_][\w.]*\s*\(")


@dataclass(frozen=True)
class Fix:
    """A suggested edit of one line of the user's code, or the reason there is none.

    ``safe``: a concrete edit was derived; ``old``/``new`` are the line before and after (without
    its indentation), ``line`` its 1-based number in the cell (counting a ``%%umlaut`` line) or
    file, ``cell_id``/``notebook_path``/``file`` where it is. ``note`` says what the edit does or
    why none is safe; ``snippet`` is the catalog's generic fix for the framework.
    """

    key: str
    safe: bool
    note: str
    snippet: str
    old: str | None = None
    new: str | None = None
    line: int | None = None
    cell_id: str | None = None
    execution_count: int | None = None
    notebook_path: str | None = None
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # every field is a str/int/bool/None: a shallow copy (asdict deep-copies, 10x slower, and a
        # dashboard builds thousands of these)
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def diff(self) -> str:
        """The edit as a two-line unified diff (``- old`` / ``+ new``), or '' when there is none."""
        return f"- {self.old}\n+ {self.new}" if self.safe else ""


class _NoFix(Exception):
    """Raised by a rule with the reason no safe edit exists."""


# ------------------------------------------------------------------------------------ parsing a line
@dataclass
class _Call:
    start: int  # character offsets of the call in the line
    end: int
    name: str  # the callee as written, e.g. "layers.Dense"
    node: ast.Call
    text: str  # line[start:end]

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def prefix(self) -> str:
        return self.name[: len(self.name) - len(self.short)]

    def span(self, node: ast.AST) -> tuple[int, int]:
        """Character offsets in the line of a node of this call (ast counts UTF-8 bytes)."""
        raw = self.text.encode()
        return (self.start + len(raw[: node.col_offset].decode()), self.start + len(raw[: node.end_col_offset].decode()))


def _closing(line: str, open_at: int) -> int | None:
    """Index of the parenthesis closing the one at ``open_at`` (strings skipped), or None."""
    depth, quote, i = 0, None, open_at
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\":
                i += 1
            elif line.startswith(quote, i):
                i += len(quote) - 1
                quote = None
        elif c in "\"'":
            quote = line[i : i + 3] if line[i : i + 3] in ('"""', "'''") else c
            i += len(quote) - 1
        elif c == "#":
            return None
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _calls(line: str) -> Iterator[_Call]:
    """Every complete call expression written on ``line`` (outermost first)."""
    for match in _CALL_START.finditer(line):
        if match.start() > 0 and (line[match.start() - 1].isalnum() or line[match.start() - 1] in "_."):
            continue
        close = _closing(line, match.end() - 1)
        if close is None:
            continue
        text = line[match.start() : close + 1]
        try:
            node = ast.parse(text, mode="eval").body
        except SyntaxError:
            continue
        if isinstance(node, ast.Call):
            name = re.sub(r"\s+", "", match.group(0)[:-1])
            yield _Call(match.start(), close + 1, name, node, text)


def _find_call(line: str, names: tuple[str, ...]) -> _Call | None:
    wanted = {n.lower() for n in names}
    return next((c for c in _calls(line) if c.short.lower() in wanted), None)


def _quote(line: str) -> str:
    return "'" if line.count("'") > line.count('"') else '"'


def _set_arg(line: str, call: _Call, name: str, value: str, position: int | None = None) -> str:
    """``line`` with argument ``name`` of ``call`` set to the source ``value`` (formatting kept)."""
    for kw in call.node.keywords:
        if kw.arg == name:
            a, b = call.span(kw.value)
            return line[:a] + value + line[b:]
    if position is not None and len(call.node.args) > position:
        a, b = call.span(call.node.args[position])
        return line[:a] + value + line[b:]
    items = [*call.node.args, *call.node.keywords]
    if not items:
        at = call.end - 1
        return line[:at] + f"{name}={value}" + line[at:]
    last = max(items, key=lambda n: n.end_col_offset)
    _, at = call.span(last.value if isinstance(last, ast.keyword) and last.arg is None else last)
    return line[:at] + f", {name}={value}" + line[at:]


def _arg(call: _Call, name: str, position: int | None = None) -> ast.AST | None:
    for kw in call.node.keywords:
        if kw.arg == name:
            return kw.value
    if position is not None and len(call.node.args) > position:
        return call.node.args[position]
    return None


def _literal(node: ast.AST | None) -> Any:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return _NOT_LITERAL


_NOT_LITERAL = object()


def _in_sequence(line: str, call: _Call) -> bool:
    """Whether the call is an element of an argument/list literal on this line (``[A(), B()]``,
    a Sequential's argument), so another element can be put next to it."""
    before, after = line[: call.start].rstrip(), line[call.end :].lstrip()
    return (before == "" or before[-1] in "([,") and (after == "" or after[0] in ",)]")


# ------------------------------------------------------------------------------------ the source
def _field(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


class _Source:
    """The lines of the cell/file a location is in, and the offset between the location's line
    numbers (which count a ``%%umlaut`` line) and these lines."""

    def __init__(self, location: Any, source: str | None) -> None:
        self.location = location
        file = _field(location, "file")
        text = source if source is not None else ("".join(linecache.getlines(file)) if file else "")
        self.lines = text.splitlines()
        code = (_field(location, "code") or "").strip()
        line = _field(location, "line")
        self.offset = 0
        if code and line:
            for k in (0, 1, 2, -1):
                i = line - 1 - k
                if 0 <= i < len(self.lines) and self.lines[i].strip() == code:
                    self.offset = k
                    break
            else:
                if self.lines:
                    self.lines = []  # the source changed since: only the recorded line is trusted
        if not self.lines and code and line:
            self.lines = [""] * (line - 1) + [code]  # only the recorded line is known
            self.offset = 0

    def at(self, line: int | None) -> str | None:
        if not line:
            return None
        i = line - 1 - self.offset
        return self.lines[i] if 0 <= i < len(self.lines) else None

    def numbered(self) -> Iterator[tuple[int, str]]:
        for i, text in enumerate(self.lines):
            yield i + 1 + self.offset, text


# ------------------------------------------------------------------------------------ the rules
def _layer_edit(src: _Source, finding: Any, framework: str) -> tuple[int, str, str, str]:
    key, ctx = _field(finding, "key"), _field(finding, "context") or {}
    line_no = _field(_field(finding, "location"), "line")
    line = src.at(line_no)
    if line is None:
        raise _NoFix("the line that created the layer is not known")
    q = _quote(line if ("'" in line or '"' in line) else "\n".join(src.lines))  # the cell's quote style
    if key == "missing-activation":
        layer_type = ctx.get("layer_type") or ""
        call = _find_call(line, (layer_type,)) if layer_type else None
        if call is None:
            raise _NoFix(f"the {layer_type or 'layer'} call is not on the recorded line (a multi-line call?)")
        if framework == "keras":
            return line_no, line, _set_arg(line, call, "activation", f"{q}relu{q}", 1 if call.short == "Dense" else None), (
                f"Adds a ReLU to {ctx.get('layer')}, so it and {ctx.get('next_layer')} no longer collapse into one linear map.")
        return line_no, line, _insert_after(line, call, "ReLU()", src, line_no), (
            f"Puts an nn.ReLU() after {ctx.get('layer')} ({layer_type}) in the Sequential, so it and the next layer are no longer one linear map.")
    if key == "missing-softmax":
        loss = str(ctx.get("loss") or "")
        if framework == "keras":
            call = next((c for c in _calls(line) if c.short in ("Dense", "Conv1D", "Conv2D", "Conv3D", "EinsumDense")), None)
            if call is None:
                raise _NoFix("the output layer's call is not on the recorded line")
            units = _literal(_arg(call, "units", 0))
            act = "sigmoid" if "binary" in loss.lower() or units == 1 else "softmax"
            return line_no, line, _set_arg(line, call, "activation", f"{q}{act}{q}", 1 if call.short == "Dense" else None), (
                f"Makes the output {act} probabilities, which {loss} expects (alternatively: keep the logits and "
                "pass from_logits=True to the loss).")
        if ctx.get("loss_expects") != "log_probabilities":
            raise _NoFix("PyTorch losses that take probabilities need a sigmoid in forward(); no single-line edit is safe")
        call = next((c for c in _calls(line) if c.short in ("Linear", "Conv1d", "Conv2d", "Conv3d")), None)
        if call is None:
            raise _NoFix("the output module's call is not on the recorded line")
        return line_no, line, _insert_after(line, call, "LogSoftmax(dim=1)", src, line_no), (
            f"Adds log_softmax after the output, which {loss} expects (or use nn.CrossEntropyLoss on the raw outputs).")
    if key == "high-dropout":
        call = _find_call(line, ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout",
                                 "Dropout1d", "Dropout2d", "Dropout3d"))
        if call is None:
            raise _NoFix("the dropout call is not on the recorded line")
        name = "rate" if framework == "keras" else "p"
        rate = _literal(_arg(call, name, 0))
        if not isinstance(rate, (int, float)):
            raise _NoFix("the dropout rate is not a literal number on that line")
        limit = float(ctx.get("dropout_max") or 0.5)
        new = round(1 - rate, 4) if 0 < 1 - rate <= limit else limit
        return line_no, line, _set_arg(line, call, name, f"{new:g}", 0), (
            f"A rate of {rate:g} drops {rate:.0%} of the units; {new:g} keeps {1 - new:.0%} "
            "(a keep probability is often written where the drop rate belongs).")
    if key == "double-activation" and not str(_field(finding, "subject") or "").startswith("loss:"):
        call = _find_call(line, ("Activation", "Softmax", "Sigmoid", "ReLU", "LogSoftmax"))
        if call is None or not _sequential_element(line, call, src, line_no):
            raise _NoFix("the second activation is not a list element on the recorded line; remove it where it is applied")
        return line_no, line, _remove_element(line, call), (
            f"Removes the second {ctx.get('activation')}: {ctx.get('previous_layer')} already applies {ctx.get('previous_activation')}.")
    raise _NoFix("no rule")


def _enclosing(src: _Source, line_no: int, col: int) -> str:
    """The callee whose argument list (or a list literal inside it) holds position ``col`` of
    ``line_no``: ``"nn.Sequential("`` or ``"keras.Sequential(["``; '' at statement level."""
    text = "\n".join(t for n, t in src.numbered() if n < line_no) + "\n" + (src.at(line_no) or "")[:col]
    depth, brackets = 0, ""
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if c in ")]}":
            depth += 1
        elif c in "([{":
            if depth:
                depth -= 1
                continue
            if c == "(":
                name = re.search(r"([A-Za-z_][\w.]*)\s*$", text[:i])
                return (name.group(1) if name else "") + "(" + brackets
            if c == "{":
                return "{"
            brackets = "[" + brackets
    return ""


def _sequential_element(line: str, call: _Call, src: _Source, line_no: int) -> bool:
    """Whether the call is an element of a Sequential's layers (``nn.Sequential(a, b)``,
    ``keras.Sequential([a, b])``), where another element can safely be put next to it."""
    callee = _enclosing(src, line_no, call.start)
    return _in_sequence(line, call) and callee.split("(")[0].endswith("Sequential") and callee.count("[") <= 1


def _insert_after(line: str, call: _Call, module: str, src: _Source, line_no: int) -> str:
    if not call.prefix:
        raise _NoFix(f"{call.name} is imported without a module prefix; add the activation module by hand")
    if not _sequential_element(line, call, src, line_no):
        raise _NoFix(f"{call.name} is not an element of an nn.Sequential; apply the activation in forward()")
    return line[: call.end] + f", {call.prefix}{module}" + line[call.end :]


def _remove_element(line: str, call: _Call) -> str:
    after = line[call.end :]
    if after.lstrip().startswith(","):
        rest = after.lstrip()[1:]
        return line[: call.start] + rest.lstrip() if line[: call.start].strip() else line[: call.start] + rest.lstrip()
    before = line[: call.start].rstrip()
    if before.endswith(","):
        return before[:-1] + after
    return line[: call.start] + after


def _search_edit(src: _Source, finding: Any, framework: str) -> tuple[int, str, str, str]:
    """Edits of lines other than the finding's own: the optimizer, the loss, the fit call."""
    key, ctx = _field(finding, "key"), _field(finding, "context") or {}
    if not src.lines:
        raise _NoFix("the source of the cell is not available")
    if key == "lr-out-of-range":
        lr = ctx.get("learning_rate")
        optimizer = str(ctx.get("optimizer") or "").lower()
        candidates = []
        for number, text in src.numbered():
            for call in _calls(text):
                if call.short.lower() not in _OPTIMIZERS:
                    continue
                for name, position in (("learning_rate", 0 if framework == "keras" else None), ("lr", None if framework == "keras" else 1)):
                    value = _literal(_arg(call, name, position))
                    if isinstance(value, (int, float)) and lr is not None and abs(value - float(lr)) <= 1e-9 + 1e-6 * abs(float(lr)):
                        candidates.append((number, text, call, name, position))
                        break
        if len(candidates) != 1:
            raise _NoFix("the learning rate is not a literal in one optimizer call of this cell" if not candidates
                         else "several optimizer calls in this cell set that learning rate")
        number, text, call, name, position = candidates[0]
        new = 1e-3 if (optimizer or call.short.lower()) in _ADAPTIVE else 1e-2
        return number, text, _set_arg(text, call, name, f"{new:g}", position), (
            f"Sets the learning rate of {call.short} to {new:g}, a usual starting point (tune from there).")
    if key == "double-activation":
        found = []
        for number, text in src.numbered():
            for call in _calls(text):
                if _literal(_arg(call, "from_logits")) is True:
                    found.append((number, text, call))
        if len(found) != 1:
            raise _NoFix("no single loss call with from_logits=True in this cell")
        number, text, call = found[0]
        return number, text, _set_arg(text, call, "from_logits", "False"), (
            f"The model already outputs {ctx.get('output_activation')} probabilities: the loss must not apply it again.")
    if key == "input-not-normalized":
        if framework != "keras":
            raise _NoFix("PyTorch inputs are scaled in the Dataset/transforms, not on one line")
        lo, hi = ctx.get("min"), ctx.get("max")
        if not isinstance(lo, (int, float)) or not isinstance(hi, (int, float)) or lo < 0 or hi <= 1:
            raise _NoFix("the data has negative values or another scale: standardise it with statistics of the training set")
        divisor = "255.0" if 127 < hi <= 255 else repr(float(hi))
        line_no = _field(_field(finding, "location"), "line")
        text = src.at(line_no)
        call = next((c for c in _calls(text or "") if c.short == "fit"), None) if text else None
        if call is None:
            raise _NoFix("the fit call is not on one line")
        x = _arg(call, "x", 0)
        if x is None:
            raise _NoFix("fit has no x argument on that line")
        new = _wrap(text, call, x, divisor)
        val = _arg(call, "validation_data")
        if val is not None:
            if not isinstance(val, ast.Tuple) or not val.elts:
                raise _NoFix("the validation data is passed as one object; scale it the same way where it is made")
            call2 = next(c for c in _calls(new) if c.short == "fit")
            new = _wrap(new, call2, _arg(call2, "validation_data").elts[0], divisor)
        return line_no, text, new, (
            f"Scales the inputs (values 0 to {hi:g}) into [0, 1] where they are passed to fit"
            + (" (the validation data likewise)." if val is not None else "."))
    raise _NoFix("no rule")


def _wrap(line: str, call: _Call, node: ast.AST, divisor: str) -> str:
    a, b = call.span(node)
    expr = line[a:b]
    simple = isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call))
    return line[:a] + (f"{expr} / {divisor}" if simple else f"({expr}) / {divisor}") + line[b:]


_LAYER_RULES = ("missing-activation", "missing-softmax", "high-dropout")


def suggest_fix(finding: Any, framework: str = "keras", source: str | None = None) -> Fix:
    """The fix of ``finding`` as an edit of the user's line, or the reason there is none.

    ``finding`` is a :class:`~mlnb.umlaut.findings.Finding` or a store row; ``source`` is the text
    of the cell/file its location is in (default: read from :mod:`linecache`, where IPython keeps
    every executed cell). ``framework`` is 'keras' or 'torch' (the snippet and the rules).

    Example
    -------
    >>> fix = suggest_fix(session.findings[0])        # doctest: +SKIP
    >>> print(fix.diff())                              # doctest: +SKIP
    - layers.Dense(64),
    + layers.Dense(64, activation="relu"),
    """
    from mlnb.umlaut.catalog import entry
    from mlnb.umlaut.explain import _framework

    fw = _framework(framework)
    key = _field(finding, "key")
    snippet = entry(key).snippets[fw]
    location = _field(finding, "location")
    base = dict(key=key, snippet=snippet)
    if location is None:
        return Fix(safe=False, note="No safe edit: the finding has no location in your code. The generic fix:", **base)
    where = dict(cell_id=_field(location, "cell_id"), execution_count=_field(location, "execution_count"),
                 notebook_path=_field(location, "notebook_path"), file=_field(location, "file"))
    src = _Source(location, source)
    try:
        is_loss_level = key == "double-activation" and str(_field(finding, "subject") or "").startswith("loss:")
        if key in _LAYER_RULES or (key == "double-activation" and not is_loss_level):
            line_no, old, new, note = _layer_edit(src, finding, fw)
        elif key in ("lr-out-of-range", "input-not-normalized") or is_loss_level:
            line_no, old, new, note = _search_edit(src, finding, fw)
        else:
            raise _NoFix("this finding has no single-line fix")
    except _NoFix as reason:
        return Fix(safe=False, note=f"No safe edit: {reason}. The generic fix:", **base, **where)
    if new == old:
        return Fix(safe=False, note="No safe edit: the line already reads as the fix would make it. The generic fix:",
                   **base, **where)
    return Fix(safe=True, note=note, old=old.strip(), new=new.strip(), line=line_no, **base, **where)
