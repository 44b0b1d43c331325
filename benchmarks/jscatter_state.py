"""The widget state of a real jupyter-scatter plot, as JSON, for ``acumen_explorer_browser.mjs``.

The browser benchmark loads jupyter-scatter's own front-end bundle (shipped in its wheel) over a fake anywidget
model; this prints that model's initial state for a categorical scatter made the usual way
(``jscatter.Scatter(data=df, x=..., y=..., color_by=...)``), with its binary arrays left out: the page puts the
same points as the other scatters into ``points``. Needs the ``bench`` extra (``pip install -e .[bench]``).

Example
-------
>>> python benchmarks/jscatter_state.py  # doctest: +SKIP
{"bundle": ".../jscatter/bundle.js", "version": "1.0.1", "state": {...}}
"""

import json
import sys
from pathlib import Path


def main() -> None:
    import jscatter
    import numpy as np
    import pandas as pd

    n = 1000
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "x": rng.normal(size=n), "y": rng.normal(size=n),
        "cat": pd.Categorical([f"lib{i % 12}" for i in range(n)]),
    })
    sc = jscatter.Scatter(data=df, x="x", y="y", color_by="cat")
    sc.mouse(mode="lasso")  # a plain drag lassos, as in the explorer's lasso mode
    state = sc.widget.get_state()
    out = {}
    for key, value in state.items():
        if key.startswith("_"):
            continue
        if isinstance(value, dict) and "view" in value:  # a binary array: the page supplies it
            out[key] = {"dtype": value["dtype"], "shape": list(value["shape"])}
            continue
        out[key] = value
    bundle = Path(jscatter.__file__).parent / "bundle.js"
    json.dump({"bundle": str(bundle), "version": getattr(jscatter, "__version__", ""), "state": out}, sys.stdout,
              default=str)


if __name__ == "__main__":
    main()
