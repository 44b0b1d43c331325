"""The session store shared by mlnb's kernels and its server extension (SQLite, WAL mode)."""

from mlnb.store.sqlite import RUN_STATUSES, SEVERITIES, Store, StoreError, default_path

_default: Store | None = None


def default_store() -> Store:
    """The process-wide store at :func:`default_path` (opened on first use)."""
    global _default
    if _default is None or _default.path != str(default_path()):
        _default = Store()
    return _default


__all__ = ["Store", "StoreError", "default_store", "default_path", "RUN_STATUSES", "SEVERITIES"]
