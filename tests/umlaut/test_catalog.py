"""The UMLAUT catalog (texts, snippets, links) and its renderings (summary line, text card, HTML card)."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from mlnb.umlaut.catalog import CATALOG, CATEGORIES, CatalogEntry, entry
from mlnb.umlaut.explain import explain, format_epochs, stack_overflow_url, summary_line, to_html

EXPECTED = {
    "critical": {"nan-loss", "wrong-loss-for-task", "label-encoding-mismatch", "loss-diverging", "weights-unchanged"},
    "error": {"input-not-normalized", "nonfinite-input", "unstable-loss", "image-shape", "missing-softmax", "double-activation", "lr-out-of-range",
              "missing-activation", "vanishing-gradient", "exploding-gradient", "train-val-overlap", "constant-input",
              "loss-not-decreasing", "bad-initial-loss", "dead-relu"},
    "warning": {"suspicious-val-accuracy", "overfitting", "high-dropout", "saturated-activation", "loss-oscillating",
                "unshuffled-data", "class-imbalance", "internal-check-error"},
}
THESIS_HEURISTICS = {"input-not-normalized", "nan-loss", "image-shape", "suspicious-val-accuracy", "missing-activation",
                     "missing-softmax", "double-activation", "lr-out-of-range", "overfitting", "high-dropout"}

# Values for every placeholder the catalog uses; kept here so the fill is tested without the engine.
PLACEHOLDER_VALUES = {
    "sample_rows": 2048, "norm_abs_max": 20.0, "norm_mean_max": 3.0, "norm_std_max": 5.0, "overlap_max": 0.05,
    "imbalance_ratio": 0.1, "unshuffled_same_label": 0.9, "dropout_max": 0.5, "lr_min": 1e-7,
    "lr_max_adaptive": 0.01, "lr_max_sgd": 1.0, "overfit_patience": 3, "overfit_min_rise": 0.02,
    "val_acc_min_epoch": 2, "val_acc_margin": 0.1, "val_acc_patience": 3, "val_acc_error_ratio": 0.5, "probe_budget": 0.03, "stall_epochs": 3, "stall_min_rel": 0.01,
    "diverge_patience": 3, "diverge_factor": 1.5, "diverge_jump": 10.0, "oscillation_window": 6,
    "oscillation_min_flips": 4, "oscillation_rel": 0.05, "bad_init_factor": 3.0, "probe_every": 50, "probe_rows": 64,
    "probe_patience": 2, "dead_fraction": 0.7, "saturation_fraction": 0.9, "vanish_ratio": 1e-5, "vanish_abs": 1e-10,
    "explode_norm": 1e4, "unchanged_rel": 1e-8,
}


def _config():
    try:
        return importlib.import_module("mlnb.umlaut.config")
    except ImportError:
        return None


class Loc(SimpleNamespace):
    def __str__(self) -> str:
        return "cell [4], line 3"


def stand_in(key="missing-activation", **kw):
    """A finding of the shape the engine produces (duck-typed)."""
    location = Loc(file="/tmp/ipykernel_1/abc.py", line=3, cell_id="cell-42", code="layers.Dense(64)")
    fields = dict(key=key, severity=entry(key).severity, title="Missing activation after dense_2", epochs=[-1],
                  context={"layer": "dense_2", "next_layer": "dense_3", "learning_rate": 0.123456789},
                  location=location, subject="dense_2")
    fields.update(kw)
    return SimpleNamespace(**fields)


# ------------------------------------------------------------------------------------------ catalog
def test_catalog_has_exactly_the_agreed_keys_and_severities():
    assert set(CATALOG) == set().union(*EXPECTED.values())
    for severity, keys in EXPECTED.items():
        for key in keys:
            assert CATALOG[key].severity == severity, key
    assert THESIS_HEURISTICS <= set(CATALOG)


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_entry_fields_are_complete(key):
    e = CATALOG[key]
    assert isinstance(e, CatalogEntry) and e.key == key and entry(key) is e
    assert e.category in CATEGORIES
    for name in ("title", "description", "heuristic", "fix", "so_query"):
        value = getattr(e, name)
        assert isinstance(value, str) and value.strip(), f"{key}.{name} is empty"
        assert "  " not in value and "\n" not in value, f"{key}.{name} is not normalised prose"
    assert len(e.description) > 150, f"{key}: the description should explain the theory"
    assert set(e.snippets) == {"keras", "torch"}
    assert e.docs, key
    for label, url in e.docs:
        assert label.strip() and re.fullmatch(r"https?://[^\s<>\"']+", url), (key, label, url)
    # every card has at least one link that applies to each framework (besides Stack Overflow)
    assert any(not label.startswith("PyTorch:") for label, _ in e.docs), key
    assert any(not label.startswith("Keras:") for label, _ in e.docs), key


def test_internal_error_blames_mlnb_not_the_user():
    e = entry("internal-check-error")
    assert e.category == "internal"
    assert "bug in mlnb" in e.description and "not in your program" in e.description
    assert "training continued" in e.description
    assert "report" in e.fix.lower()


def test_unknown_key_raises_keyerror_naming_key_and_valid_keys():
    with pytest.raises(KeyError) as err:
        entry("nan_loss")
    message = str(err.value)
    assert "'nan_loss'" in message and "Did you mean 'nan-loss'" in message
    assert all(key in message for key in CATALOG)


# ------------------------------------------------------------------------------------------ snippets
@pytest.mark.parametrize("key", sorted(CATALOG))
@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_snippets_compile(key, framework):
    snippet = CATALOG[key].snippets[framework]
    assert snippet.strip()
    compile(snippet, f"<{key}:{framework}>", "exec")


def _code_only(snippet: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in snippet.splitlines())


def test_torch_snippets_never_put_softmax_before_cross_entropy():
    for key, e in CATALOG.items():
        code = _code_only(e.snippets["torch"])
        assert "nn.Softmax(" not in code and "nn.LogSoftmax(" not in code, key
        if "CrossEntropyLoss" in code:
            assert "softmax(model(" not in code.replace("probs = torch.softmax(model(", ""), key


def test_keras_snippets_never_combine_softmax_output_with_from_logits_true():
    for key, e in CATALOG.items():
        code = _code_only(e.snippets["keras"])
        assert not ('activation="softmax"' in code and "from_logits=True" in code), key
        assert "tf.keras" not in code, f"{key}: use Keras 3's `import keras`"


def _resolve(dotted: str):
    """Import the longest module prefix of ``dotted`` and getattr the rest."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def _api_uses(snippet: str):
    """(dotted name, keyword names) of every call/attribute rooted at an imported name."""
    tree = ast.parse(snippet)
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"

    def dotted(node):
        names = []
        while isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in aliases:
            return ".".join([aliases[node.id], *reversed(names)])
        return None

    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (name := dotted(node.func)):
            uses.append((name, [k.arg for k in node.keywords if k.arg]))
        elif isinstance(node, ast.Attribute) and (name := dotted(node)):
            uses.append((name, []))
    return uses


@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_snippets_use_real_keras3_and_torch2_apis(framework):
    """Every module attribute a snippet uses exists, and named keyword arguments are accepted."""
    pytest.importorskip(framework)
    for key, e in CATALOG.items():
        for name, keywords in _api_uses(e.snippets[framework]):
            if name.split(".")[0] == "mlnb":
                continue
            obj = _resolve(name)  # AttributeError/ImportError here = an API that does not exist
            if not keywords or not callable(obj):
                continue
            try:
                params = inspect.signature(obj).parameters
            except (TypeError, ValueError):
                continue
            if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
                continue
            unknown = [k for k in keywords if k not in params]
            assert not unknown, f"{key}/{framework}: {name}() has no argument(s) {unknown}"


# ------------------------------------------------------------------------------------------ thresholds
def test_every_placeholder_is_known_and_fills():
    used = set().union(*(e.placeholders() for e in CATALOG.values()))
    assert used <= set(PLACEHOLDER_VALUES), f"placeholders without a test value: {used - set(PLACEHOLDER_VALUES)}"
    for e in CATALOG.values():
        text = e.fill_heuristic(PLACEHOLDER_VALUES)
        assert "{" not in text and "}" not in text, e.key
    assert "above 0.5" in entry("high-dropout").fill_heuristic({"dropout_max": 0.5})
    assert "more than 5%" in entry("train-val-overlap").fill_heuristic({"overlap_max": 0.05, "sample_rows": 10})


def test_missing_placeholders_stay_readable():
    text = entry("dead-relu").fill_heuristic({})
    assert "{dead_fraction}" in text and "{probe_patience}" in text


def test_placeholders_are_fields_of_the_engine_thresholds():
    config = _config()
    if config is None:
        pytest.skip("mlnb.umlaut.config is not importable")
    import dataclasses

    names = {f.name for f in dataclasses.fields(config.Thresholds)}
    for e in CATALOG.values():
        assert e.placeholders() <= names, f"{e.key}: {sorted(e.placeholders() - names)} are not Thresholds fields"
    defaults = dataclasses.asdict(config.Thresholds())
    for e in CATALOG.values():
        assert "{" not in e.fill_heuristic(defaults), e.key


def test_explain_fills_thresholds_from_defaults_and_overrides():
    config = _config()
    f = stand_in("high-dropout", title="Dropout rate 0.8 in dropout", context={"rate": 0.8})
    if config is None:
        assert "{dropout_max" in explain(f)
        assert "above 0.3" in explain(f, thresholds={"dropout_max": 0.3})
        return
    assert f"above {config.Thresholds().dropout_max:g}" in explain(f)
    assert "above 0.3" in explain(f, thresholds={"dropout_max": 0.3})
    assert "above 0.25" in explain(f, thresholds=config.Thresholds(dropout_max=0.25))
    with pytest.raises(ValueError, match="dropout_maximum"):
        explain(f, thresholds={"dropout_maximum": 0.3})


# ------------------------------------------------------------------------------------------ rendering
def test_summary_line():
    assert summary_line(stand_in()) == (
        "UMLAUT [error] missing-activation: Missing activation after dense_2 — cell [4], line 3")
    assert summary_line(stand_in(location=None, title="multi\nline  title")) == (
        "UMLAUT [error] missing-activation: multi line title")


@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_explain_card_has_every_part(framework):
    f = stand_in()
    e = entry(f.key)
    card = explain(f, framework=framework)
    assert e.title in card and f.title in card
    assert "[ERROR]" in card
    assert "cell [4], line 3" in card and "layers.Dense(64)" in card
    assert "before training" in card
    assert "layer: dense_2" in card and "next_layer: dense_3" in card and "learning_rate: 0.1235" in card
    assert e.description[:60] in card.replace("\n  ", " ")
    for line in e.snippets[framework].splitlines():
        assert line.rstrip() in card
    assert stack_overflow_url(e, framework) in card
    links = card.split("Learn more\n")[1]
    other = "PyTorch:" if framework == "keras" else "Keras:"
    assert f"  {other}" not in links  # documentation of the other framework is left out
    tag = "%5Bkeras%5D" if framework == "keras" else "%5Bpytorch%5D"
    assert f"https://stackoverflow.com/search?q={tag}+" in card


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_key_renders_in_both_frameworks(key):
    f = stand_in(key, title=f"title of {key}", epochs=[0, 1, 2, 5])
    for framework in ("keras", "torch"):
        card = explain(f, framework)
        assert entry(key).title in card and "epochs 0–2, 5" in card
        if _config() is not None:
            assert not re.search(r"\{[a-z_]+(:[^}]*)?\}", card.split("Fix\n")[0]), f"unfilled threshold in {key}"
        ET.fromstring(to_html(f, framework))  # well-formed


def test_explain_accepts_store_rows_and_real_findings():
    row = {"key": "overfitting", "severity": "warning", "title": "Possible overfitting", "epochs": [4, 5, 6],
           "context": {"val_losses": [0.5, 0.6, 0.7]}, "subject": "",
           "location": {"file": "train.py", "line": 12, "cell_id": None, "execution_count": None,
                        "notebook_path": None, "code": None}}
    card = explain(row)
    assert "train.py:12" in card and "[0.5, 0.6, 0.7]" in card and "epochs 4–6" in card
    try:
        from mlnb.notebook import Location
        from mlnb.umlaut.findings import Finding
    except ImportError:
        pytest.skip("mlnb.umlaut.findings is not importable")
    finding = Finding("high-dropout", "warning", "Dropout rate 0.8 in dropout", epochs=[-1], context={"rate": 0.8},
                      location=Location("x.py", 7, "c1", 5), subject="dropout")
    assert summary_line(finding) == "UMLAUT [warning] high-dropout: Dropout rate 0.8 in dropout — cell [5], line 7"
    assert "rate: 0.8" in explain(finding, "torch") and "nn.Dropout(p=0.2)" in explain(finding, "torch")


def test_bad_framework_is_a_clear_error():
    with pytest.raises(ValueError, match=r"framework='jax' is not valid; expected one of .*keras.*torch"):
        explain(stand_in(), framework="jax")
    assert explain(stand_in(), framework="PyTorch") == explain(stand_in(), framework="torch")


def test_format_epochs():
    assert format_epochs([-1]) == "before training"
    assert format_epochs([-1, 0, 1, 2, 4]) == "before training; epochs 0–2, 4 (counting from 0)"
    assert format_epochs([3]) == "epoch 3 (counting from 0)"
    assert format_epochs([]) == "not recorded"


def test_long_context_values_are_shortened():
    f = stand_in(context={"traceback": "x" * 5000, "counts": {i: i for i in range(3)}})
    card = explain(f)
    assert "more characters)" in card and "counts: 0: 0, 1: 1, 2: 2" in card
    assert len(card) < 12000


# ------------------------------------------------------------------------------------------ HTML
def test_html_card_is_escaped_and_self_contained():
    evil = "<script>alert('x')</script>"
    f = stand_in(title=f"Missing activation after {evil}", subject=evil,
                 context={"layer": evil, "note": 'a "quoted" & <b>bold</b>'})
    page = to_html(f, "keras")
    assert "<script>" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&quot;quoted&quot; &amp; &lt;b&gt;" in page
    root = ET.fromstring(page)  # well-formed: every tag closed, every attribute quoted
    assert root.get("data-key") == "missing-activation" and root.get("data-severity") == "error"
    text = "".join(root.itertext())
    assert entry("missing-activation").title in text and "cell [4], line 3" in text
    assert "#e8590c" in page  # the error colour
    pre = [el for el in root.iter("pre") if el.find("code") is not None]
    assert pre and "keras.layers.Dense(128, activation=\"relu\")" in "".join(pre[0].itertext())
    links = list(root.iter("a"))
    assert links and all(a.get("target") == "_blank" and "noopener" in a.get("rel") for a in links)
    assert stack_overflow_url(entry("missing-activation"), "keras") in [a.get("href") for a in links]
    where = next(el for el in root.iter("span") if el.get("class") == "mlnb-where")
    assert where.get("data-cell-id") == "cell-42" and where.get("data-line") == "3"
    assert "<link" not in page and "<script" not in page and "src=" not in page  # nothing loaded from outside


def test_html_severity_colours_differ():
    colours = {sev: to_html(stand_in(key)).split("border-left:4px solid ")[1][:7]
               for sev, key in (("critical", "nan-loss"), ("error", "dead-relu"), ("warning", "overfitting"))}
    assert len(set(colours.values())) == 3


# ------------------------------------------------------------------------------------------ snippets run
# Every snippet is executed against a tiny program (3 classes, 8 features) so that a snippet that
# compiles but fails at run time (wrong shapes, removed arguments) is caught. Names a snippet may use
# are provided here; per-key overrides give image data where the snippet is about images.
def _keras_namespace(key):
    import numpy as np
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 8)).astype("float32")
    y = np.arange(60) % 3
    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    inputs = keras.Input(shape=(8,))
    ns = dict(np=np, keras=keras, num_classes=3, x=x, y=y, x_train=x, y_train=y, x_val=x[:15], y_val=y[:15],
              model=model, base_model=model.layers[0], inputs=inputs,
              h=keras.layers.Dense(16, activation="relu")(inputs))
    if key == "image-shape":
        ns.update(x_train=rng.random((4, 3, 8, 8)).astype("float32"), x_gray=rng.random((4, 8, 8)))
    return ns


def _torch_namespace(key):
    import torch
    import torch.nn as nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    x, y = torch.randn(60, 8), torch.arange(60) % 3
    train_set, val_set = TensorDataset(x, y), TensorDataset(x[:15], y[:15])
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    loss_fn = nn.CrossEntropyLoss()

    def train_one_epoch(model, loader, optimizer):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()

    @torch.no_grad()
    def evaluate(model, loader):
        return sum(loss_fn(model(xb), yb).item() for xb, yb in loader)

    ns = dict(torch=torch, nn=nn, model=model, loss_fn=loss_fn, x=x, y=y, x_train=x.clone(), y_train=y,
              x_val=x[:15].clone(), y_val=y[:15], train_set=train_set, val_set=val_set,
              train_loader=DataLoader(train_set, batch_size=16, shuffle=True), val_loader=DataLoader(val_set, 16),
              optimizer=torch.optim.Adam(model.parameters(), lr=1e-3), epochs=2, num_epochs=2,
              train_one_epoch=train_one_epoch, evaluate=evaluate)
    if key == "image-shape":
        ns.update(x=torch.rand(4, 8, 8, 3), x_gray=torch.rand(4, 8, 8))
    if key == "missing-softmax":
        ns.update(x=torch.rand(4, 1, 28, 28))
    return ns


def _short(snippet: str) -> str:
    """The snippet with its epoch/step counts cut to 2: the calls and shapes are what is tested."""
    return re.sub(r"range\(\d+\)", "range(2)", re.sub(r"epochs=\d[\d_]*", "epochs=2", snippet))


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_torch_snippets_run(key):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    exec(compile(_short(CATALOG[key].snippets["torch"]), f"<{key}:torch>", "exec"), _torch_namespace(key))


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_keras_snippets_run(key):
    pytest.importorskip("keras")
    exec(compile(_short(CATALOG[key].snippets["keras"]), f"<{key}:keras>", "exec"), _keras_namespace(key))


def test_html_body_collapses_for_long_lists():
    expanded = ET.fromstring(to_html(stand_in()))
    folded = ET.fromstring(to_html(stand_in(), collapsed=True))
    assert expanded.find("details").get("open") == "" and folded.find("details").get("open") is None
    # the header stays visible outside the details element
    header = "".join("".join(el.itertext()) for el in folded if el.tag == "div")
    assert "Missing activation after dense_2" in header and "cell [4], line 3" in header
