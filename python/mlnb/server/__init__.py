"""Jupyter Server extension: the REST API that the mlnb sidebar reads.

The sidebar must keep working while a kernel is busy training, so it never talks to kernels: it
reads the session store through these endpoints, and the server adds what only it knows (which
kernels are alive, which notebook each kernel belongs to).
"""

from __future__ import annotations

from typing import Any

from mlnb.server.handlers import setup_handlers


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "mlnb.server"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    setup_handlers(server_app.web_app)
    server_app.log.info("mlnb: REST API at %smlnb/api/", server_app.web_app.settings.get("base_url", "/"))


# Older spelling, still looked up by some launchers.
load_jupyter_server_extension = _load_jupyter_server_extension
