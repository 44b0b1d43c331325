"""Locations of code in notebook cells, in a real ipykernel driven by nbclient (no cell ids sent)."""

from __future__ import annotations

import nbclient
import nbformat


def test_frames_map_to_cell_id_execution_count_and_line(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext mlnb"),
        nbformat.v4.new_code_cell(
            "from IPython.core.magic import register_cell_magic\n"
            "from mlnb.notebook import registry, location_of_frame\n"
            "@register_cell_magic\n"
            "def body(line, cell):\n"
            "    with registry.cell_body(line_offset=1):\n"
            "        get_ipython().run_cell(cell, store_history=False)\n"
        ),
        nbformat.v4.new_code_cell("x = 1\n\nloc = location_of_frame()\nprint(loc.cell_id, loc.execution_count, loc.line)"),
        nbformat.v4.new_code_cell("%%body\ny = 2\nloc = location_of_frame()\nprint(loc.cell_id, loc.execution_count, loc.line)"),
    ]
    path = tmp_path / "where.ipynb"
    nbformat.write(nb, path)
    nbclient.NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    plain, magic = nb.cells[2], nb.cells[3]
    assert plain.outputs[0]["text"].split() == [plain.id, str(plain.execution_count), "3"]
    assert magic.outputs[0]["text"].split() == [magic.id, str(magic.execution_count), "3"]
