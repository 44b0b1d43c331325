"""A fast subset of the real-program suite (benchmarks/umlaut_real.py, one file per program in
benchmarks/umlaut_real/): official examples must train with UMLAUT attached without a crash or an
error/critical finding, and buggy programs from public bug benchmarks (defects4ML, TheDeepChecker)
must get a finding that names their bug. The whole suite, with its totals against the targets, is
``benchmarks/umlaut_real.py``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "benchmarks"

pytest.importorskip("keras")
pytest.importorskip("torch")
pytest.importorskip("sklearn")


def _runner():
    spec = importlib.util.spec_from_file_location("umlaut_real_runner", ROOT / "umlaut_real.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _runner()

CLEAN = ["clean_tf_basic_classification", "clean_tf_text_classification", "clean_keras_timeseries_classification",
         "clean_torch_mnist", "clean_torch_regression", "heldout_clean_tf_load_csv_abalone"]
BUGGY = ["d4ml_084_so34311586_softmax_one_unit_mse", "d4ml_100_so55328966_unnormalized_mnist",
         "tdc_ips5_linear_regression_high_lr", "tdc_ips7_bce_on_linear_output", "tdc_ips14_log_of_softmax_nan",
         "tdc_ips11_relu_on_logits", "heldout_d4ml_003_dlt726b371_unclipped_bce"]


def _describe(findings) -> str:
    return "; ".join(f"{f.severity} {f.key}: {f.title}" for f in findings) or "no findings"


def test_every_program_declares_its_provenance():
    for name in runner.programs():
        module = runner.load(name)
        assert module.KIND in ("clean", "buggy"), name
        assert module.SOURCE and module.__doc__ and "Provenance:" in module.__doc__, name
        assert "Substitutions:" in module.__doc__, name
        if module.KIND == "buggy":
            assert module.BUG and module.NAMES and "Fix" in module.__doc__, name
        else:
            assert not module.BUG and not module.NAMES, name


@pytest.mark.parametrize("name", CLEAN)
def test_official_example_gets_no_error_and_no_crash(name):
    module, findings, error, _ = runner.run_one(name)
    assert error is None, f"{name} crashed under UMLAUT: {error}"
    assert runner.judge(module, findings, error) in ("ok", "warn"), f"{name}: {_describe(findings)}"


@pytest.mark.parametrize("name", BUGGY)
def test_real_bug_is_named(name):
    module, findings, error, _ = runner.run_one(name)
    assert error is None, f"{name} crashed under UMLAUT: {error}"
    assert runner.judge(module, findings, error) == "named", \
        f"{name} ({module.BUG}): expected one of {module.NAMES}, got {_describe(findings)}"
