"""JupyterLab server for mlnb's browser tests (started by playwright.config.ts's webServer).

A real server with the mlnb server extension, a fresh root folder holding a copy of
ui-tests/notebooks, and a fresh session store (MLNB_STORE) that the server and its kernels share.
Never use this configuration outside tests: Galata's helper turns security features off.
"""

import os
import shutil
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file
configure_jupyter_server(c)

root = Path(tempfile.mkdtemp(prefix="mlnb-ui-root-"))
shutil.copytree(Path(__file__).parent / "notebooks", root, dirs_exist_ok=True)
# Kernels inherit the server's environment, so both read and write this one fresh store.
os.environ["MLNB_STORE"] = str(Path(tempfile.mkdtemp(prefix="mlnb-ui-store-")) / "sessions.sqlite")
print(f"mlnb ui-tests: root_dir={root} MLNB_STORE={os.environ['MLNB_STORE']}", flush=True)

c.ServerApp.root_dir = str(root)
c.ServerApp.port = int(os.environ.get("MLNB_UI_PORT", "8899"))
c.ServerApp.allow_root = True
c.ServerApp.open_browser = False
# The REST API must be authenticated: a token is required, and the tests send it.
c.IdentityProvider.token = os.environ.get("MLNB_UI_TOKEN", "mlnb-ui-test-token")
# Enabled here too, so the tests also run from a source checkout not installed with pip.
c.ServerApp.jpserver_extensions.update({"mlnb": True})
