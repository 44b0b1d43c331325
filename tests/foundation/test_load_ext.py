"""%load_ext mlnb: magics registered, cell-id hook installed, no heavy framework imported."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HEAVY = ("tensorflow", "keras", "torch", "umap", "transformers", "captum", "sklearn", "numba")


def _ipython(code: str) -> dict:
    """Run ``code`` in a fresh IPython shell in a fresh process; it must print one JSON line last."""
    script = textwrap.dedent(
        """
        from IPython.testing.globalipapp import start_ipython
        ip = start_ipython()
        """
    ) + textwrap.dedent(code)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_mlnb_is_light():
    code = "import sys, json, mlnb, mlnb.store, mlnb.magics, mlnb.notebook; print(json.dumps(sorted(m for m in %r if m in sys.modules)))" % (HEAVY,)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_load_ext_registers_magics_and_hook_without_heavy_imports():
    out = _ipython(
        f"""
        import sys, json
        ip.run_line_magic("load_ext", "mlnb")
        from mlnb.notebook import registry
        magics = ip.magics_manager.magics
        print(json.dumps({{
            "line": sorted(m for m in ("umlaut", "acumen", "imacs") if m in magics["line"]),
            "cell": sorted(m for m in ("umlaut",) if m in magics["cell"]),
            "hook": registry.pre_run_cell in ip.events.callbacks["pre_run_cell"],
            "heavy": sorted(m for m in {HEAVY!r} if m in sys.modules),
        }}))
        """
    )
    assert out == {"line": ["acumen", "imacs", "umlaut"], "cell": ["umlaut"], "hook": True, "heavy": []}


def test_unload_removes_the_hook():
    out = _ipython(
        """
        import json
        ip.run_line_magic("load_ext", "mlnb")
        ip.run_line_magic("unload_ext", "mlnb")
        from mlnb.notebook import registry
        print(json.dumps(registry.pre_run_cell in ip.events.callbacks["pre_run_cell"]))
        """
    )
    assert out is False


def test_magics_have_argparse_help():
    out = _ipython(
        """
        import json
        ip.run_line_magic("load_ext", "mlnb")
        magics = ip.magics_manager.magics["line"]
        print(json.dumps({name: magics[name].__doc__ for name in ("umlaut", "acumen", "imacs")}))
        """
    )
    assert "--input" in out["umlaut"] and "{image,text,tabular}" in out["umlaut"]
    assert "--model" in out["acumen"] and "--neighbors" in out["acumen"]
    assert "--target" in out["imacs"] and "--per-model" in out["imacs"]


def test_bad_magic_arguments_are_one_clear_line():
    out = _ipython(
        """
        import json
        from mlnb.magics import MagicError
        ip.run_line_magic("load_ext", "mlnb")
        errors = {}
        for line in ("umlaut --input audio", "umlaut bogus", "imacs a b c d", "imacs nope b c d --target 1", "acumen /no/such/dir*"):
            name, _, rest = line.partition(" ")
            try:
                ip.run_line_magic(name, rest)
            except MagicError as exc:
                errors[line] = str(exc)
        print(json.dumps(errors))
        """
    )
    assert "invalid choice: 'audio'" in out["umlaut --input audio"]
    assert "command='bogus' is not valid" in out["umlaut bogus"]
    assert "--target" in out["imacs a b c d"]
    assert "MODEL_A='nope'" in out["imacs nope b c d --target 1"]
    assert "matches no folder" in out["acumen /no/such/dir*"]


def test_cell_registry_maps_code_to_cell_and_line():
    out = _ipython(
        """
        import json
        ip.run_line_magic("load_ext", "mlnb")
        ip.run_cell("x = 1", store_history=True)
        ip.run_cell("from mlnb.notebook import location_of_frame\\n\\nloc = location_of_frame()", store_history=True)
        loc = ip.user_ns["loc"]
        print(json.dumps({"line": loc.line, "count": loc.execution_count, "str": str(loc)}))
        """
    )
    assert out["line"] == 3
    assert out["count"] == 2
    assert out["str"] == "cell [2], line 3"


def test_cell_magic_body_maps_to_its_cell_in_plain_ipython():
    out = _ipython(
        """
        import json
        from IPython.core.magic import register_cell_magic
        from mlnb.notebook import registry, location_of_frame
        ip.run_line_magic("load_ext", "mlnb")

        @register_cell_magic
        def body(line, cell):
            with registry.cell_body(line_offset=1):
                ip.run_cell(cell, store_history=False)

        ip.run_cell("from mlnb.notebook import location_of_frame", store_history=True)
        ip.run_cell("%%body\\ny = 2\\nloc = location_of_frame()", store_history=True)
        loc = ip.user_ns["loc"]
        print(json.dumps({"line": loc.line, "count": loc.execution_count}))
        """
    )
    assert out == {"line": 3, "count": 2}
