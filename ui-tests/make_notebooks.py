"""Writes ui-tests/notebooks/widgets.ipynb and injection.ipynb (kept in git): `python ui-tests/make_notebooks.py`."""
import nbformat

def nb(cells, name):
    book = nbformat.v4.new_notebook()
    book.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    book.cells = [nbformat.v4.new_code_cell(src, id=f"{name}-cell-{i}") for i, src in enumerate(cells)]
    nbformat.write(book, f"ui-tests/notebooks/{name}.ipynb")

IMACS_SETUP = (
    "import numpy as np\n"
    "from mlnb import imacs\n"
    "rng = np.random.default_rng(0)\n"
    "x = rng.random((60, 16, 16, 3)).astype('float32')\n"
    "x[:20, :4, :4] = 1.0  # a bright corner that model B relies on\n"
    "y = rng.integers(0, 3, 60)\n"
    "w1, w2 = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))\n"
    "model_a = lambda b: b.mean(axis=(1, 2)) @ w1\n"
    "model_b = lambda b: b.mean(axis=(1, 2)) @ w2 + 3 * b[:, :4, :4].mean(axis=(1, 2, 3))[:, None] * np.eye(3)[1]\n"
    "embed = lambda crops: np.array([np.r_[c.reshape(-1, 3).mean(0), c.reshape(-1, 3).std(0)] for c in crops])\n"
)


# The findings widget, %umlaut show, and an mlnb chart, all offline.
nb([
    "%load_ext mlnb",
    "from mlnb.notebook import location_of_frame\nhere = location_of_frame().to_dict()  # this line is where the findings point",
    "from mlnb.widgets import FindingsWidget\n"
    "FindingsWidget.from_findings([\n"
    "    {'key': 'missing-activation', 'severity': 'error', 'title': 'Missing activation after dense_1', 'subject': 'dense_1',\n"
    "     'epochs': [-1], 'location': here, 'context': {'layer': 'dense_1', 'units': 64}},\n"
    "    {'key': 'nan-loss', 'severity': 'critical', 'title': 'Loss became NaN at epoch 3', 'epochs': [3, 4],\n"
    "     'context': {'loss': float('nan')}},\n"
    "    {'key': 'overfitting', 'severity': 'warning', 'title': 'Validation loss rises while training loss falls',\n"
    "     'epochs': [5, 6, 7], 'context': {'val_loss': 0.91, 'loss': 0.12}}])",
    "from mlnb.store import default_store\n"
    "store = default_store()\n"
    "rid = store.start_run('umlaut', 'widget-demo', config={'framework': 'keras'})\n"
    "store.record_finding(rid, key='high-dropout', severity='warning', title='Dropout rate 0.8 in dropout_1', epochs=[-1],\n"
    "                     context={'rate': 0.8}, location=here, subject='dropout_1')\n"
    "store.end_run(rid)",
    "%umlaut show widget-demo",
    IMACS_SETUP + "result = imacs.compare(model_a, model_b, x, y, target='square', class_names=['circle', 'square', 'star'],\n"
    "                       n_per_model=20, n_clusters=4, embedder=embed, record=False)\n"
    "result.chart()",
], "widgets")

# Every user-controlled string mlnb shows, set to payloads that would run script if parsed as HTML.
nb([
    "%load_ext mlnb",
    "PAYLOAD = '</script><script>window.__mlnbPwned=1</script><img src=x onerror=\"window.__mlnbPwned=2\">{{7*7}}'\n"
    "LINK = 'javascript:window.__mlnbPwned=3'",
    "# An ACUMEN project whose file path, README and file contents carry the payload (a path can hold '/'\n"
    "# as nested folders, as a cloned repository can).\n"
    "import pathlib, tempfile\n"
    "root = pathlib.Path(tempfile.mkdtemp()) / 'evil-project'\n"
    "evil = root / PAYLOAD\n"
    "evil.parent.mkdir(parents=True, exist_ok=True)\n"
    "evil.with_suffix('.py').write_text('import numpy\\n# ' + PAYLOAD + '\\nx = \"</script><script>window.__mlnbPwned=4</script>\"\\n')\n"
    "(root / 'README.md').write_text('# ' + PAYLOAD + '\\n\\n' + PAYLOAD + ' trains a classifier on MNIST. [x](' + LINK + ')\\n')\n"
    "for i in range(3):\n"
    "    (root / f'mod{i}.py').write_text(f'import torch\\nclass Net{i}(torch.nn.Module):\\n    pass\\n')\n"
    "sorted(str(p.relative_to(root)) for p in root.rglob('*.py'))",
    "%acumen {str(root)}",
    IMACS_SETUP + "result = imacs.compare(model_a, model_b, x, y, target=PAYLOAD, class_names=['cat', PAYLOAD, 'other ' + PAYLOAD],\n"
    "                       n_per_model=20, n_clusters=4, embedder=embed, record=False)\n"
    "display(result.chart())\n"
    "result",
    "from mlnb.notebook import location_of_frame\n"
    "from mlnb.store import default_store\n"
    "store = default_store()\n"
    "rid = store.start_run('umlaut', PAYLOAD, config={'framework': 'keras', 'note': PAYLOAD})\n"
    "store.record_finding(rid, key='missing-activation', severity='error', title='Missing activation after ' + PAYLOAD,\n"
    "    epochs=[-1, 1], context={'layer': PAYLOAD, PAYLOAD: LINK}, location=location_of_frame().to_dict(), subject=PAYLOAD)\n"
    "store.log_metrics(rid, 0, {'loss': 0.5})\n"
    "store.end_run(rid)",
    "%umlaut show {rid}",
    "from mlnb.widgets import FindingsWidget\n"
    "FindingsWidget(findings=[{'key': PAYLOAD, 'severity': 'warning', 'title': PAYLOAD, 'epochs': [0], 'description': PAYLOAD,\n"
    "    'fix': PAYLOAD, 'snippet': PAYLOAD, 'links': [{'label': PAYLOAD, 'url': LINK}], 'context': {PAYLOAD: PAYLOAD},\n"
    "    'location': {'file': PAYLOAD, 'line': 1, 'code': PAYLOAD}}])",
], "injection")

# The sidebar's filter, search, delete and wrapping (sidebar.spec.ts): runs of several tools and
# statuses in one notebook, one with a very long name and a finding with a long title.
nb([
    "from mlnb.notebook import location_of_frame\n"
    "from mlnb.store import default_store\n"
    "store = default_store()\n"
    "long_name = 'cnn-with-a-very-long-experiment-name-that-has-to-wrap-inside-the-sidebar-' + 'x' * 40\n"
    "done = store.start_run('umlaut', long_name, config={'framework': 'keras'})\n"
    "for epoch in range(4):\n"
    "    store.log_metrics(done, epoch, {'loss': 1.0 / (epoch + 1)})\n"
    "store.record_finding(done, key='overfitting', severity='warning', epochs=[2, 3], location=location_of_frame().to_dict(),\n"
    "    title='Validation loss rises while training loss falls: a deliberately long title to check wrapping in the panel')\n"
    "store.end_run(done)\n"
    "imacs = store.start_run('imacs', 'IMACS class square', config={'model_a': 'SmallCNN', 'model_b': 'ResNet18',\n"
    "    'target': 'square', 'n_images': 60, 'n_clusters': 4})\n"
    "store.end_run(imacs)\n"
    "failed = store.start_run('umlaut', 'failed-mlp')\n"
    "store.log_metrics(failed, 0, {'loss': float('nan')})\n"
    "store.record_finding(failed, key='nan-loss', severity='critical', title='Loss became NaN at epoch 0', epochs=[0])\n"
    "store.end_run(failed, 'failed')\n"
    "live = store.start_run('umlaut', 'still-training')  # this kernel is alive: running, not deletable\n"
    "store.log_metrics(live, 0, {'loss': 0.9})\n"
    "print('runs', done, imacs, failed, live)",
], "manage")
