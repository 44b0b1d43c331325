"""A training script run outside any notebook (by the browser test): one run, one finding."""

from mlnb.notebook import location_of_frame
from mlnb.store import default_store

store = default_store()
run = store.start_run("umlaut", "script-run", notebook_path="")
store.log_metrics(run, 0, {"loss": 0.9})
store.log_metrics(run, 1, {"loss": 0.7})
store.record_finding(run, key="high-dropout", severity="warning", title="Dropout rate 0.8 in dropout", epochs=[-1], location=location_of_frame().to_dict())
store.end_run(run)
