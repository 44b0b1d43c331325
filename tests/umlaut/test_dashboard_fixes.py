"""Fixes as a diff of the user's own line: real models built from cell sources (compiled under
IPython cell filenames, so UMLAUT's locator records the cell and line), real checks, then
:func:`mlnb.umlaut.fixes.suggest_fix` on the findings."""

from __future__ import annotations

import itertools
import linecache

import pytest

from mlnb.notebook import Location
from mlnb.umlaut.findings import Finding
from mlnb.umlaut.fixes import suggest_fix

_counter = itertools.count(900)


def run_cell(source: str) -> dict:
    """Execute ``source`` as IPython would a cell: under a cell filename linecache knows."""
    filename = f"<ipython-input-{next(_counter)}-0123456789ab>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict = {"__cell_file__": filename}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def by_key(findings, key):
    (f,) = [f for f in findings if f.key == key]
    return f


# ------------------------------------------------------------------------------------------ Keras
KERAS_CELL = """\
import keras
from keras import layers
model = keras.Sequential([keras.Input((20,)),
    layers.Dense(64),   # hidden
    layers.Dense(32, activation='relu'),
    layers.Dropout(0.8),
    layers.Dense(10)])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
"""


@pytest.fixture(scope="module")
def keras_findings():
    pytest.importorskip("keras")
    from mlnb.umlaut import check_model

    return check_model(run_cell(KERAS_CELL)["model"])


def test_missing_activation_keras_edits_the_dense_call_and_keeps_the_comment(keras_findings):
    fix = suggest_fix(by_key(keras_findings, "missing-activation"))
    assert fix.safe and fix.line == 4
    assert fix.old == "layers.Dense(64),   # hidden"
    assert fix.new == 'layers.Dense(64, activation="relu"),   # hidden'
    assert fix.diff().splitlines() == ["- " + fix.old, "+ " + fix.new]
    assert "Dense(" in fix.snippet  # the generic snippet travels along


def test_missing_softmax_keras_adds_softmax_to_the_output_layer(keras_findings):
    fix = suggest_fix(by_key(keras_findings, "missing-softmax"))
    assert fix.safe and fix.line == 7
    assert (fix.old, fix.new) == ("layers.Dense(10)])", 'layers.Dense(10, activation="softmax")])')
    assert "from_logits=True" in fix.note  # the alternative is named


def test_high_dropout_keras_turns_the_keep_probability_into_a_rate(keras_findings):
    fix = suggest_fix(by_key(keras_findings, "high-dropout"))
    assert fix.safe and (fix.old, fix.new) == ("layers.Dropout(0.8),", "layers.Dropout(0.2),")


def test_quotes_and_existing_linear_activation_are_respected():
    pytest.importorskip("keras")
    from mlnb.umlaut import check_model

    ns = run_cell("import keras\n"
                  "inp = keras.Input((8,))\n"
                  "h = keras.layers.Dense(16, activation='linear', name='h')(inp)\n"
                  "out = keras.layers.Dense(3, activation='softmax')(keras.layers.Dense(8)(h))\n"
                  "model = keras.Model(inp, out)\n")
    findings = check_model(ns["model"])
    fixes = {f.subject: suggest_fix(f) for f in findings if f.key == "missing-activation"}
    assert fixes["h"].safe
    assert fixes["h"].new == "h = keras.layers.Dense(16, activation='relu', name='h')(inp)"


def test_multiline_layer_call_has_no_safe_edit_and_shows_the_snippet():
    pytest.importorskip("keras")
    from mlnb.umlaut import check_model

    ns = run_cell("import keras\n"
                  "model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(\n"
                  "    16), keras.layers.Dense(4, activation='softmax')])\n")
    fix = suggest_fix(by_key(check_model(ns["model"]), "missing-activation"))
    assert not fix.safe and fix.old is None and fix.new is None
    assert fix.note.startswith("No safe edit") and fix.snippet


def test_learning_rate_in_the_optimizer_call_of_the_fit_cell():
    source = ("opt = keras.optimizers.Adam(learning_rate=5.0)  # too high\n"
              "model.compile(opt, 'sparse_categorical_crossentropy')\n"
              "model.fit(x, y, epochs=3)\n")
    # the location of data/training findings is the fit call; %%umlaut is line 1 of the cell
    loc = Location(file="<cell>", line=4, cell_id="c7", execution_count=7, code="model.fit(x, y, epochs=3)")
    f = Finding("lr-out-of-range", "error", "Learning rate 5 is too high", [-1],
                {"learning_rate": 5.0, "optimizer": "Adam", "lr_min": 1e-6, "lr_max": 0.1, "problem": "high"}, loc)
    fix = suggest_fix(f, source=source)
    assert fix.safe and fix.line == 2 and fix.cell_id == "c7"  # line 1 of the source is line 2 of the cell
    assert fix.new == "opt = keras.optimizers.Adam(learning_rate=0.001)  # too high"


def test_learning_rate_from_a_variable_is_not_edited():
    source = "lr = 5.0\nopt = keras.optimizers.SGD(learning_rate=lr)\nmodel.fit(x, y)\n"
    loc = Location(file="<cell>", line=3, code="model.fit(x, y)")
    f = Finding("lr-out-of-range", "error", "too high", [-1], {"learning_rate": 5.0, "optimizer": "SGD"}, loc)
    fix = suggest_fix(f, source=source)
    assert not fix.safe and "literal" in fix.note


def test_input_normalisation_scales_x_and_the_validation_tuple_in_fit():
    source = "model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=5)\n"
    loc = Location(file="<cell>", line=2, code=source.strip())
    f = Finding("input-not-normalized", "warning", "Input data not normalized (range 0 to 255)", [-1],
                {"min": 0.0, "max": 255.0}, loc)
    fix = suggest_fix(f, source=source)
    assert fix.safe and fix.line == 2
    assert fix.new == "model.fit(x_train / 255.0, y_train, validation_data=(x_val / 255.0, y_val), epochs=5)"
    # an expression is parenthesised; a validation object that is not a tuple is left alone
    loc2 = Location(file="<cell>", line=1, code="model.fit(x * 2, y)")
    fix2 = suggest_fix(Finding("input-not-normalized", "warning", "t", [-1], {"min": 0.0, "max": 16.0}, loc2),
                       source="model.fit(x * 2, y)\n")
    assert fix2.new == "model.fit((x * 2) / 16.0, y)"
    loc3 = Location(file="<cell>", line=1, code="model.fit(x, y, validation_data=val)")
    fix3 = suggest_fix(Finding("input-not-normalized", "warning", "t", [-1], {"min": 0.0, "max": 255.0}, loc3),
                       source="model.fit(x, y, validation_data=val)\n")
    assert not fix3.safe and "validation" in fix3.note
    negative = Finding("input-not-normalized", "warning", "t", [-1], {"min": -500.0, "max": 300.0}, loc3)
    assert not suggest_fix(negative, source="model.fit(x, y, validation_data=val)\n").safe


def test_from_logits_on_a_probability_output_is_turned_off():
    source = ("model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer='adam')\n"
              "model.fit(x, y)\n")
    loc = Location(file="<cell>", line=2, code="model.fit(x, y)")
    f = Finding("double-activation", "error", "softmax output fed to a logits loss", [-1],
                {"output_layer": "dense_1", "output_activation": "softmax", "loss": "sparse_categorical_crossentropy",
                 "loss_expects": "logits"}, loc, subject="loss:dense_1")
    fix = suggest_fix(f, source=source)
    assert fix.safe and fix.line == 1 and "from_logits=False" in fix.new and fix.new.count("from_logits") == 1


def test_findings_without_location_or_rule_say_so():
    f = Finding("overfitting", "warning", "Validation loss rises", [5, 6, 7], {})
    fix = suggest_fix(f)
    assert not fix.safe and "no location" in fix.note and fix.snippet
    loc = Location(file="<cell>", line=1, code="model.fit(x, y)")
    fix2 = suggest_fix(Finding("overfitting", "warning", "t", [5], {}, loc), source="model.fit(x, y)\n")
    assert not fix2.safe and "no single-line fix" in fix2.note


# ------------------------------------------------------------------------------------------ PyTorch
TORCH_CELL = """\
import torch
from torch import nn
model = nn.Sequential(
    nn.Linear(20, 64), nn.Dropout(p=0.9),
    nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=5.0)
"""


@pytest.fixture(scope="module")
def torch_findings():
    torch = pytest.importorskip("torch")
    from mlnb.umlaut import check_model

    ns = run_cell(TORCH_CELL)
    findings = check_model(ns["model"], loss_fn=torch.nn.NLLLoss(), optimizer=ns["opt"])
    return findings


def test_torch_sequential_gets_a_relu_module_after_the_linear(torch_findings):
    fix = suggest_fix(by_key(torch_findings, "missing-activation"), framework="torch")
    assert fix.safe and fix.line == 4
    assert fix.new == "nn.Linear(20, 64), nn.ReLU(), nn.Dropout(p=0.9),"


def test_torch_dropout_p_and_log_softmax_before_nll(torch_findings):
    drop = suggest_fix(by_key(torch_findings, "high-dropout"), framework="torch")
    assert drop.safe and drop.new == "nn.Linear(20, 64), nn.Dropout(p=0.1),"
    soft = suggest_fix(by_key(torch_findings, "missing-softmax"), framework="torch")
    assert soft.safe and soft.new == "nn.Linear(64, 10), nn.LogSoftmax(dim=1))"


def test_torch_learning_rate_keyword(torch_findings):
    f = by_key(torch_findings, "lr-out-of-range")
    f.location = Location(file="<cell>", line=6, code="opt = torch.optim.SGD(model.parameters(), lr=5.0)")
    fix = suggest_fix(f, framework="torch", source=TORCH_CELL)
    assert fix.safe and fix.line == 6  # no magic line above: the location's own numbering
    assert fix.new == "opt = torch.optim.SGD(model.parameters(), lr=0.01)"


def test_torch_module_attribute_has_no_safe_edit():
    torch = pytest.importorskip("torch")
    from mlnb.umlaut import check_model

    ns = run_cell("import torch\nfrom torch import nn\n"
                  "model = nn.Sequential()\n"
                  "model.add_module('fc1', nn.Linear(8, 8))\n"
                  "model.add_module('fc2', nn.Linear(8, 2))\n")
    findings = check_model(ns["model"], loss_fn=torch.nn.CrossEntropyLoss())
    fix = suggest_fix(by_key(findings, "missing-activation"), framework="torch")
    assert not fix.safe and fix.note.startswith("No safe edit")


def test_changed_source_is_not_trusted():
    loc = Location(file="<cell>", line=2, code="layers.Dropout(0.8),")
    f = Finding("high-dropout", "warning", "t", [-1], {"layer": "dropout", "rate": 0.8, "dropout_max": 0.5}, loc,
                subject="dropout")
    # the cell was edited since: the recorded line is still what the edit is based on
    fix = suggest_fix(f, source="x = 1\ny = 2\n")
    assert fix.safe and fix.old == "layers.Dropout(0.8)," and fix.line == 2


def test_keras_redundant_activation_layer_is_removed_from_the_list():
    pytest.importorskip("keras")
    from mlnb.umlaut import check_model

    ns = run_cell("import keras\n"
                  "model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation='relu'),\n"
                  "    keras.layers.Dense(3, activation='softmax'), keras.layers.Activation('softmax')])\n")
    fix = suggest_fix(by_key(check_model(ns["model"]), "double-activation"))
    assert fix.safe and fix.line == 3
    assert fix.new == "keras.layers.Dense(3, activation='softmax')])"
