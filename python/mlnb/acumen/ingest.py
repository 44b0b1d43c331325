"""Ingest ML projects: every ``.py`` file and the code cells of every ``.ipynb``, without executing anything.

Shell scripts (``train.sh``: the commands that train on a dataset) and the READMEs of sub-folders are read too, for
the project's metadata only: they are not rows of ``files``.

A :class:`Corpus` holds one row per project (``projects``), one row per source file (``files``, carrying its
project's attributes) and what was skipped and why (``skipped``). Ingesting is cached per project under the
cache dir, keyed by the project's path and its files' sizes and modification times.
"""

from __future__ import annotations

import ast
import errno
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import stat
import subprocess
import threading
import tokenize
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mlnb._lazy import LazyModule

from . import metadata as md

pd = LazyModule("pandas")  # a cached corpus shows its first view without pandas (1-4 s to import with pyarrow)

__all__ = ["Corpus", "IngestError", "cache_root", "is_git_url"]

MAX_FILE_BYTES = 1_000_000  # larger sources are generated code or data dumps, not something to read
MAX_NOTEBOOK_BYTES = 20_000_000  # notebooks carry outputs (images); only their code must stay under MAX_FILE_BYTES
SOURCE_SUFFIXES = (".py", ".ipynb")
SCRIPT_SUFFIXES = (".sh", ".bash")  # read for metadata only (datasets named in training commands)
_SUB_README = re.compile(r"readme(\.(md|rst|txt|markdown))?", re.IGNORECASE)  # a sub-folder's README, for metadata only
VENV_DIRS = {"venv", ".venv", "virtualenv", ".virtualenv", ".conda", "conda-env"}
VENDORED_DIRS = {"site-packages", "dist-packages", "node_modules", "vendor", "vendored", "_vendor", "third_party",
                 "thirdparty", "external", "externals"}
IGNORED_DIRS = {".git", ".hg", ".svn", "__pycache__", ".ipynb_checkpoints", ".tox", ".nox", ".eggs",
                ".mypy_cache", ".pytest_cache", ".ruff_cache", ".idea", ".vscode"}
_GIT_URL = re.compile(r"^(https?://|git://|ssh://|file://|git@[\w.-]+:)")
CORPUS_VERSION = 3  # bump when the cached per-project record changes shape (3: contents in their own file)
_LOADABLE_VERSIONS = (2, 3)  # Corpus.save files: version 2 has the same shape


class IngestError(ValueError):
    """A path or URL given to :meth:`Corpus.from_paths` cannot be ingested."""


def cache_root() -> Path:
    """ACUMEN's cache folder: ``$MLNB_CACHE/acumen`` if set, else ``~/.cache/mlnb/acumen``."""
    base = os.environ.get("MLNB_CACHE")
    return (Path(base) if base else Path.home() / ".cache" / "mlnb") / "acumen"


def is_git_url(path: str) -> bool:
    """Whether ``path`` names a git remote (https, ssh, git@host:..., file://) rather than a local folder."""
    return bool(_GIT_URL.match(str(path)))


# ---------------------------------------------------------------------------------------------- reading files
def decode_source(data: bytes) -> str:
    """Decode Python source the way the interpreter does (UTF-8, BOM, or a PEP 263 coding cookie).

    Raises UnicodeDecodeError/SyntaxError/LookupError when the bytes are not text in the declared encoding."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def notebook_code(data: bytes, markdown: list[str] | None = None) -> tuple[str, int]:
    """Code cells of a notebook joined with ``# %%`` separators, and how many code cells there were. The markdown
    cells' text is appended to ``markdown`` when it is given (it describes the project, for its metadata)."""
    nb = json.loads(data.decode("utf-8"))
    if not isinstance(nb, dict) or not isinstance(nb.get("cells", nb.get("worksheets")), list):
        raise ValueError("no 'cells' list")
    cells = nb.get("cells")
    if cells is None:  # nbformat 3
        cells = [c for ws in nb["worksheets"] for c in ws.get("cells", [])]
    code = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            src = cell.get("source", cell.get("input", ""))
            code.append("".join(src) if isinstance(src, list) else str(src))
        elif markdown is not None and isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            src = cell.get("source", "")
            markdown.append("".join(src) if isinstance(src, list) else str(src))
    return "\n\n# %%\n".join(code), len(code)


def parseable(source: str, notebook: bool) -> str:
    """Source with IPython-only lines (``%magic``, ``!shell``, ``x?``) turned into comments, so ``ast`` can read it."""
    if not notebook:
        return source
    return re.sub(r"^(\s*)([%!].*|.*\?\s*)$", r"\1# \2", source, flags=re.M)


@dataclass
class _Project:
    """What ingesting one project folder produces; cached on disk as is."""

    name: str
    root: str
    url: str
    signature: str
    files: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    # In the cache the file rows carry no "content": the contents are one UTF-8 blob in ``content_file`` (next to
    # the pickle), file i being bytes ``content_offsets[i]:content_offsets[i + 1]``. Loading a cached corpus then
    # reads only the small metadata; the contents (276 MB for 16k files) are read when something needs them.
    content_file: str = ""
    content_offsets: Any = None


class _ContentFile:
    """The contents of one cached project's files, read from its blob on demand (one file: a seek and a read)."""

    def __init__(self, path: Path, offsets: np.ndarray):
        self.path = path
        self.offsets = np.asarray(offsets, np.int64)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, j: int) -> str:
        a, b = int(self.offsets[j]), int(self.offsets[j + 1])
        with open(self.path, "rb") as fh:
            fh.seek(a)
            return fh.read(b - a).decode("utf-8", "surrogatepass")

    def read_all(self) -> list[str]:
        with open(self.path, "rb") as fh:
            data = fh.read()
        if len(data) != int(self.offsets[-1]):
            raise IngestError(f"the content cache {str(self.path)!r} is incomplete; run %acumen again to re-read the project")
        off = self.offsets.tolist()
        return [data[a:b].decode("utf-8", "surrogatepass") for a, b in zip(off[:-1], off[1:])]


class _Contents(Sequence):
    """File contents in the order of ``Corpus.files``, loaded when first needed: one file's content (a code preview)
    is read alone; everything (search, embedding, keywords) is read once and kept. Parts are in-memory lists (freshly
    ingested projects) or cached projects' blobs (:class:`_ContentFile`)."""

    def __init__(self, parts: list[Any]):
        self._parts = parts
        self._starts = np.concatenate([[0], np.cumsum([len(p) for p in parts], dtype=np.int64)]).astype(np.int64)
        self._all: list[str] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return int(self._starts[-1])

    @property
    def loaded(self) -> bool:
        """Whether every content is in memory (searching then costs no disk read)."""
        return self._all is not None or all(isinstance(p, list) for p in self._parts)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice) or self._all is not None:
            return self.all()[i]
        i = int(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"file index {i} out of range (0..{len(self) - 1})")
        k = int(np.searchsorted(self._starts, i, side="right")) - 1
        return self._parts[k][i - int(self._starts[k])]

    def __iter__(self) -> Any:
        return iter(self.all())

    def all(self) -> list[str]:
        """Every content, as a list (read from the cache once, then kept)."""
        if self._all is None:
            with self._lock:
                if self._all is None:
                    out: list[str] = []
                    for p in self._parts:
                        out.extend(p.read_all() if isinstance(p, _ContentFile) else p)
                    self._all = out
        return self._all


def _walk(root: Path, skipped: list[dict[str, Any]], extras: list[str] | None = None) -> list[str]:
    """Candidate source files under ``root`` (absolute path strings, in ``os.walk`` order: a folder's files, then its
    sub-folders, each sorted by name): regular files only, pruning virtualenv, vendored and tool folders.
    Shell scripts and sub-folder READMEs found on the way are appended to ``extras`` when it is given (they are
    metadata, not sources).

    Nothing outside the project is read: folder links are not followed, a file link is followed only to a
    regular file inside ``root``. Devices, FIFOs and sockets (a FIFO named ``x.py`` would block a read forever;
    ``/dev/zero`` never ends), links that leave the project, broken links and link loops are skipped, each with
    its reason.

    Strings and ``os.scandir`` entries, not ``pathlib``: the cache check walks every project on every
    ``%acumen`` (16k files: 0.3 s instead of 4.5 s); a regular file's type comes from the directory entry, no stat.
    """
    found: list[str] = []
    real_root = os.path.realpath(root)
    base = str(root).rstrip(os.sep) + os.sep

    def visit(dirpath: str, top: bool = False) -> None:
        try:
            with os.scandir(dirpath) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            return  # as os.walk: an unreadable folder is passed over
        dirs, files = [], []
        for e in entries:
            try:
                is_dir = e.is_dir()  # follows links, as os.walk does: a link to a folder is reported, not entered
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(e)
        keep = []
        for e in dirs:
            d, full = e.name, e.path
            rel = full[len(base):]
            if d in IGNORED_DIRS:
                continue
            if e.is_symlink():
                # Links may point anywhere (even at the project itself): follow none.
                skipped.append({"path": rel + "/", "reason": "link to a folder (not followed)", "bytes": None})
            elif d in VENV_DIRS or os.path.exists(os.path.join(full, "pyvenv.cfg")) or os.path.isdir(os.path.join(full, "conda-meta")):
                skipped.append({"path": rel + "/", "reason": "virtualenv folder", "bytes": None})
            elif d in VENDORED_DIRS:
                skipped.append({"path": rel + "/", "reason": "vendored folder", "bytes": None})
            else:
                keep.append(full)
        for e in files:
            if e.name.endswith(SOURCE_SUFFIXES):
                regular = not e.is_symlink() and e.is_file(follow_symlinks=False)
                reason = None if regular else _not_a_safe_file(Path(e.path), real_root)
                if reason is None:
                    found.append(e.path)
                else:
                    skipped.append({"path": e.path[len(base):], "reason": reason, "bytes": None})
            elif extras is not None and (e.name.endswith(SCRIPT_SUFFIXES) or not top and _SUB_README.fullmatch(e.name)):
                if _not_a_safe_file(Path(e.path), real_root) is None:
                    extras.append(e.path)
        for full in keep:
            visit(full)

    visit(str(root), top=True)
    return found


def _not_a_safe_file(path: Path, real_root: str) -> str | None:
    """Why ``path`` must not be read (``None``: a regular file inside the project, possibly through a link)."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            try:
                target = Path(path).resolve(strict=True)
            except RuntimeError:  # Python < 3.13 reports a loop this way
                return "symlink loop"
            except OSError as exc:
                return "symlink loop" if exc.errno == errno.ELOOP else "broken link"
            if not (str(target) == real_root or str(target).startswith(real_root.rstrip(os.sep) + os.sep)):
                return "link out of the project"
            st = os.stat(target)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    return _file_type_reason(st.st_mode)


def _file_type_reason(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "not a regular file"


def _read_bounded(path: Path, limit: int) -> tuple[bytes | None, str | None]:
    """The whole file, streamed in chunks, or ``(None, reason)`` when it is not a regular file or longer than
    ``limit`` bytes. The size is counted while reading, never trusted from ``stat`` (``/proc`` files say 0)."""
    # O_NONBLOCK: should the file have become a FIFO since the walk, opening must not wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        reason = _file_type_reason(os.fstat(fd).st_mode)
        if reason is not None:
            return None, reason
        chunks, total = [], 0
        while True:
            chunk = fh.read(min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                return None, "too large"
    return b"".join(chunks), None


def _signature(root: Path, paths: list[str], options: dict[str, Any]) -> str:
    h = hashlib.sha1(json.dumps([str(root), CORPUS_VERSION, md.METADATA_VERSION, options], sort_keys=True).encode())
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            continue
        h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _read_file(root: Path, p: Path, max_bytes: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """One file -> (file row, None) or (None, skipped row)."""
    rel = str(p.relative_to(root))
    notebook = p.suffix == ".ipynb"
    limit = MAX_NOTEBOOK_BYTES if notebook else max_bytes
    try:
        size = p.stat().st_size
        if size > limit:
            return None, {"path": rel, "reason": "too large", "bytes": size}
        data, reason = _read_bounded(p, limit)
    except OSError as exc:
        return None, {"path": rel, "reason": f"unreadable: {exc.strerror or exc}", "bytes": None}
    if data is None:
        return None, {"path": rel, "reason": reason, "bytes": size if reason == "too large" and size else None}
    size = len(data)
    if b"\0" in data[:8192]:
        return None, {"path": rel, "reason": "binary", "bytes": size}
    n_cells = 0
    markdown: list[str] = []
    if notebook:
        try:
            text, n_cells = notebook_code(data, markdown)
        except (ValueError, UnicodeDecodeError) as exc:
            return None, {"path": rel, "reason": f"broken notebook: {str(exc)[:120]}", "bytes": size}
        if len(text.encode("utf-8")) > max_bytes:
            return None, {"path": rel, "reason": "too large", "bytes": size}
    else:
        try:
            text = decode_source(data)
        except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
            return None, {"path": rel, "reason": f"undecodable: {str(exc)[:120]}", "bytes": size}
    error = ""
    tree = None
    try:
        tree = ast.parse(parseable(text, notebook))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None)
        error = f"{type(exc).__name__}" + (f" line {line}" if line else "") + f": {getattr(exc, 'msg', exc)}"
    imports = md.top_level_imports(text)
    docstring = ast.get_docstring(tree) if tree is not None else None
    return {
        "path": rel,
        "kind": "notebook" if notebook else "python",
        "content": text,
        "sha1": hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest(),
        "n_lines": text.count("\n") + 1,
        "n_bytes": size,
        "n_cells": n_cells,
        "syntax_error": error,
        "file_libraries": md.libraries_of(imports, text),
        "_imports": sorted(imports),
        "_docstring": docstring or "",
        "_markdown": "\n\n".join(markdown),
        "_mtime": p.stat().st_mtime,
    }, None


def _ingest_project(root: Path, name: str, url: str, max_bytes: int) -> _Project:
    skipped: list[dict[str, Any]] = []
    extra_paths: list[str] = []
    walked = _walk(root, skipped, extra_paths)
    paths = [Path(p) for p in walked]
    proj = _Project(name=name, root=str(root), url=url,
                    signature=_signature(root, walked + extra_paths, {"max_bytes": max_bytes}))
    for p in paths:
        row, skip = _read_file(root, p, max_bytes)
        if row is not None:
            proj.files.append(row)
        else:
            skipped.append(skip)
    proj.skipped = skipped
    proj.attributes = _project_attributes(root, proj.files, _read_extras(root, [Path(p) for p in extra_paths], max_bytes))
    for row in proj.files:  # only needed for the attributes; keep the cache small
        row.pop("_docstring")
        row.pop("_imports")
        row.pop("_markdown")
    return proj


def _read_extras(root: Path, paths: list[Path], max_bytes: int) -> list[dict[str, Any]]:
    """Shell scripts and sub-folder READMEs as ``{path, content}`` (whole, bounded like sources; unreadable or binary
    ones are left out)."""
    out = []
    for p in paths:
        try:
            data, _ = _read_bounded(p, max_bytes)
        except OSError:
            continue
        if data is not None and b"\0" not in data[:8192]:
            out.append({"path": str(p.relative_to(root)), "content": data.decode("utf-8", errors="replace")})
    return out


def _project_attributes(root: Path, files: list[dict[str, Any]], extras: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    # All metadata (with evidence and confidence) comes from metadata.py; ingest only reads the files.
    return md.project_attributes(root, files, extras)


def _clone(url: str, dest_root: Path, timeout: float = 300) -> Path:
    name = re.sub(r"\.git$", "", url.rstrip("/").split("/")[-1].split(":")[-1]) or "repo"
    dest = dest_root / f"{name}-{hashlib.sha1(url.encode()).hexdigest()[:10]}"
    if (dest / ".git").exists():
        return dest
    if shutil.which("git") is None:
        raise IngestError(f"paths: cannot clone {url!r}: the `git` program is not installed")
    dest_root.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="true")
    try:
        out = subprocess.run(["git", "clone", "--quiet", "--depth", "1", url, str(tmp)],
                             capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        shutil.rmtree(tmp, ignore_errors=True)
        raise IngestError(f"paths: cloning {url!r} timed out after {timeout:.0f} s; clone it yourself and pass the folder") from None
    if out.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        reason = (out.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise IngestError(
            f"paths: could not clone {url!r} ({reason}). Cloning needs network access to the git host; "
            "without it, clone the repository elsewhere and pass its folder instead."
        )
    tmp.rename(dest)
    return dest


def _contents_ok(folder: Path, proj: _Project) -> bool:
    """Whether a cached project's content blob is there, whole (a stat: its size is the last offset)."""
    if proj.files and "content" in proj.files[0]:
        return True  # the old format: contents in the rows
    if not proj.content_file or proj.content_offsets is None:
        return not proj.files
    try:
        return os.stat(folder / proj.content_file).st_size == int(proj.content_offsets[-1])
    except OSError:
        return False


def _write_cache(path: Path, key: str, proj: _Project) -> None:
    """Cache ``proj``: its contents as one blob (``<key>.<signature>.contents``), the rest pickled without them.
    ``proj`` keeps its contents in memory (this kernel needs no reread). Blobs of earlier signatures are removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = [f["content"].encode("utf-8", "surrogatepass") for f in proj.files]
    offsets = np.zeros(len(data) + 1, np.int64)
    offsets[1:] = np.cumsum([len(d) for d in data])
    blob = path.with_name(f"{key}.{proj.signature[:16]}.contents")
    tmp = blob.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        for d in data:
            fh.write(d)
    os.replace(tmp, blob)
    stored = _Project(name=proj.name, root=proj.root, url=proj.url, signature=proj.signature,
                      files=[{k: v for k, v in f.items() if k != "content"} for f in proj.files],
                      skipped=proj.skipped, attributes=proj.attributes, content_file=blob.name, content_offsets=offsets)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(stored, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    for old in path.parent.glob(f"{key}.*.contents"):
        if old != blob:
            try:
                old.unlink()
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------- the corpus
_PROJECT_COLUMNS = ["project", "description", "libraries", "datasets", "domain", "task", "tasks", "arxiv", "year",
                    "year_source", "has_readme", "n_files", "n_skipped", "root", "url", "evidence", "confidence"]
_ATTRIBUTES = ["libraries", "datasets", "domain", "task", "arxiv", "year", "description"]
_EMPTY_FILE_COLUMNS = ["project", "path", "kind", "sha1", "n_lines", "n_bytes", "n_cells", "syntax_error",
                       "file_libraries", "library", *_ATTRIBUTES]


class Corpus:
    """Source files of ML projects with their projects' metadata.

    Example:
        >>> corpus = Corpus.from_paths(["~/src/yolo-keras", "https://github.com/user/repo.git"])  # doctest: +SKIP
        >>> corpus.projects[["project", "libraries", "domain"]]                                    # doctest: +SKIP
        >>> emb = corpus.embed(model="tfidf")                                                      # doctest: +SKIP

    Attributes:
        projects: one row per project: description, libraries, datasets, domain, task(s), arxiv, year, counts.
        files: one row per source file: ``project``, ``path`` (inside the project), ``kind`` (python/notebook),
            ``content``, ``sha1`` of the content, sizes, ``syntax_error`` ('' when it parses), ``file_libraries``
            and ``library`` (the file's own imports) plus its project's attributes.
        skipped: files and folders not ingested: ``project``, ``path``, ``reason``, ``bytes``.
        meta: ``files`` without ``content`` (what a view needs).

    A corpus read from the ingest cache is lazy: the contents stay on disk until something needs them
    (:meth:`content` reads one file, :attr:`texts` all, once), and the three DataFrames are built (pandas imported)
    on first access; :meth:`column`, :meth:`column_array`, :meth:`project_row` give the same data as plain lists
    meanwhile. That is how ``%acumen`` on a cached 16k-file corpus shows its first scatter without reading 276 MB
    or importing pandas (``benchmarks/acumen_first_scatter.py``).
    """

    def __init__(self, projects: pd.DataFrame, files: pd.DataFrame, skipped: pd.DataFrame,
                 contents: Sequence[str] | None = None):
        self._projects: pd.DataFrame | None = projects
        self._skipped: pd.DataFrame | None = skipped
        # From the ingest cache, the three frames are built only when asked for: until then the rows are plain
        # lists (see _lazy), which is all a first view needs (Explorer reads them through column()).
        self._project_rows: list[dict[str, Any]] | None = None
        self._skipped_rows: list[dict[str, Any]] | None = None
        self._columns: dict[str, list[Any]] | None = None
        self._n = len(files)
        if contents is None:  # ``files`` carries its "content" column (a subset, a saved corpus, one made by hand)
            self._files: pd.DataFrame | None = files
            self._meta: pd.DataFrame | None = files
            self._contents: Sequence[str] | None = None
        else:  # ``files`` without contents; they are read on demand (a cached corpus: only what is needed)
            if len(contents) != len(files):
                raise ValueError(f"contents: expected one per file ({len(files)}), got {len(contents)}")
            self._files = None
            self._meta = files
            self._contents = contents

    @classmethod
    def _lazy(cls, project_rows: list[dict[str, Any]], columns: dict[str, list[Any]],
              skipped_rows: list[dict[str, Any]], contents: Sequence[str]) -> "Corpus":
        """A corpus over plain rows and columns; its DataFrames are built (pandas imported) on first access."""
        self = cls.__new__(cls)
        self._projects = self._skipped = self._files = self._meta = None
        self._project_rows, self._skipped_rows, self._columns = project_rows, skipped_rows, columns
        self._n = len(contents)
        self._contents = contents
        return self

    @property
    def projects(self) -> pd.DataFrame:
        """One row per project: description, libraries, datasets, domain, task(s), arxiv, year, counts, root."""
        if self._projects is None:
            self._projects = pd.DataFrame(self._project_rows, columns=_PROJECT_COLUMNS)
        return self._projects

    @projects.setter
    def projects(self, value: pd.DataFrame) -> None:
        self._projects, self._project_rows = value, None

    @property
    def skipped(self) -> pd.DataFrame:
        """Files and folders not ingested: ``project``, ``path``, ``reason``, ``bytes``."""
        if self._skipped is None:
            self._skipped = pd.DataFrame(self._skipped_rows, columns=["project", "path", "reason", "bytes"])
        return self._skipped

    @skipped.setter
    def skipped(self, value: pd.DataFrame) -> None:
        self._skipped, self._skipped_rows = value, None

    @property
    def files(self) -> pd.DataFrame:
        """One row per source file, with its ``content`` (read from the cache when first asked for)."""
        if self._files is None:
            df = self.meta.copy(deep=False)
            at = df.columns.get_loc("kind") + 1 if "kind" in df.columns else len(df.columns)
            df.insert(at, "content", pd.Series(self.texts, index=df.index, dtype=object))
            self._files = self._meta = df
            self._columns = None
        return self._files

    @files.setter
    def files(self, value: pd.DataFrame) -> None:
        self._files = self._meta = value
        self._contents = self._columns = None
        self._n = len(value)

    @property
    def meta(self) -> pd.DataFrame:
        """The files' rows without needing their contents: :attr:`files` once the contents are loaded, else the same
        columns except ``content``. What a view needs (table, colours, filters) without reading 100s of MB."""
        if self._meta is None:
            cols = self._columns or {}
            self._meta = pd.DataFrame(cols) if self._n else pd.DataFrame(columns=_EMPTY_FILE_COLUMNS)
            self._columns = None  # from now on the frame is the truth (it may be edited)
        return self._meta

    # Plain-list access, without pandas while the frames are not built (a first view of a cached corpus).
    @property
    def column_names(self) -> list[str]:
        """The columns of :attr:`meta` (the file columns except ``content``), in order."""
        if self._columns is not None:
            return list(self._columns)
        return [c for c in self.meta.columns if c != "content"]

    def column(self, name: str) -> list[Any]:
        """Column ``name`` of :attr:`meta` as a list (one value per file)."""
        if self._columns is not None:
            return self._columns[name]
        return self.meta[name].tolist()

    def column_array(self, name: str) -> np.ndarray:
        """Column ``name`` as a numpy array: numbers as a numeric dtype, anything else as objects."""
        if self._columns is None:
            values = self.meta[name]
            kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else "O"
            return values.to_numpy() if kind in "iufb" else values.to_numpy(dtype=object)
        values = self._columns[name]
        # As pandas infers a column: numbers (missing ones as NaN, then float) are numeric, anything else objects.
        numbers = [v for v in values if v is not None]
        if numbers and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
                           for v in numbers):
            return np.asarray([np.nan if v is None else v for v in values]) if len(numbers) < len(values) else np.asarray(values)
        return np.fromiter(values, dtype=object, count=len(values))

    def project_column(self, name: str) -> list[Any]:
        """Column ``name`` of :attr:`projects` as a list."""
        if self._projects is None:
            return [r.get(name) for r in self._project_rows or []]
        return self.projects[name].tolist()

    def project_row(self, name: str) -> dict[str, Any] | None:
        """The row of :attr:`projects` named ``name`` as a dict (its columns, in order), or None."""
        if self._projects is None:
            for r in self._project_rows or []:
                if r.get("project") == name:
                    return {c: r.get(c) for c in _PROJECT_COLUMNS}
            return None
        hit = self._projects[self._projects["project"] == name]
        return hit.iloc[0].to_dict() if len(hit) else None

    @property
    def n_projects(self) -> int:
        return len(self._project_rows) if self._projects is None else len(self._projects)

    def skipped_reasons(self) -> list[tuple[str, int]]:
        """How many files/folders were skipped per reason, most first (as :meth:`skipped_summary`, without pandas)."""
        rows = self._skipped_rows if self._skipped is None else self._skipped.to_dict("records")
        return Counter(str(r["reason"]).split(":")[0] for r in rows or []).most_common()

    def content(self, index: int) -> str:
        """The content of file ``index`` (row of :attr:`files`); reads that file alone from the cache."""
        if self._contents is not None and self._files is None:
            return self._contents[index]
        return str(self.files["content"].iloc[index])

    @property
    def contents_loaded(self) -> bool:
        """Whether all contents are in memory (full-text search then needs no disk read)."""
        return self._files is not None or self._contents is None or getattr(self._contents, "loaded", True)

    def __repr__(self) -> str:
        return f"Corpus({self.n_projects} projects, {self._n} files, {len(self.skipped)} skipped)"

    def __len__(self) -> int:
        return self._n

    @property
    def texts(self) -> list[str]:
        """File contents, in the order of ``files`` (what embedders see: content only, never the path)."""
        if self._contents is not None:
            return self._contents.all() if isinstance(self._contents, _Contents) else list(self._contents)
        return self.files["content"].tolist()

    def skipped_summary(self) -> pd.Series:
        """How many files/folders were skipped, per reason (broken notebooks' messages folded into one reason)."""
        if self.skipped.empty:
            return pd.Series(dtype=int, name="count")
        return self.skipped["reason"].str.split(":").str[0].value_counts()

    @classmethod
    def from_paths(
        cls,
        paths: str | os.PathLike | Sequence[str | os.PathLike],
        *,
        names: Sequence[str] | None = None,
        cache: bool = True,
        cache_dir: str | os.PathLike | None = None,
        max_file_bytes: int = MAX_FILE_BYTES,
        progress: bool = True,
    ) -> "Corpus":
        """Ingest each path as one project: a local folder or a git URL (cloned shallowly; needs network).

        Args:
            paths: project root folders and/or git URLs (``https://…``, ``git@host:…``, ``file://…``).
            names: project names (default: the folder or repository name, made unique).
            cache: reuse a project's previous ingest when none of its files changed (size and mtime).
            cache_dir: where clones and the ingest cache live (default :func:`cache_root`).
            max_file_bytes: larger sources are skipped as "too large".
            progress: show a progress bar over projects.

        Example:
            >>> corpus = Corpus.from_paths(["./my-project"])  # doctest: +SKIP
        """
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        paths = list(paths)
        if not paths:
            raise IngestError("paths: expected at least one project folder or git URL, got an empty list")
        if names is not None and len(names) != len(paths):
            raise IngestError(f"names: expected {len(paths)} names (one per path), got {len(names)}")
        if not isinstance(max_file_bytes, int) or max_file_bytes <= 0:
            raise IngestError(f"max_file_bytes: expected a positive int, got {max_file_bytes!r}")
        root_cache = Path(cache_dir) if cache_dir is not None else cache_root()
        # Validate every path before any slow work, so a typo fails in a second, not after an hour of cloning.
        roots: list[tuple[str, str]] = []
        for p in paths:
            s = str(p)
            if is_git_url(s):
                roots.append(("", s))
                continue
            local = Path(os.path.expanduser(s))
            if not local.exists():
                raise IngestError(f"paths: {s!r} does not exist (expected a project folder or a git URL)")
            if not local.is_dir():
                raise IngestError(f"paths: {s!r} is a file; expected a project folder (each path is one project's root)")
            roots.append((str(local.resolve()), ""))
        from tqdm.auto import tqdm

        records: list[_Project] = []
        used: Counter = Counter()
        for i, (local, url) in enumerate(tqdm(roots, desc="ingest", unit="project", disable=not progress or len(roots) < 2)):
            root = _clone(url, root_cache / "repos") if url else Path(local)
            name = names[i] if names is not None else (re.sub(r"-[0-9a-f]{10}$", "", root.name) if url else root.name)
            used[name] += 1
            if used[name] > 1:
                name = f"{name}-{used[name]}"
            records.append(cls._project(root, name, url, root_cache if cache else None, max_file_bytes))
        return cls._assemble(records, root_cache)

    @staticmethod
    def _project(root: Path, name: str, url: str, cache_dir: Path | None, max_bytes: int) -> _Project:
        if cache_dir is None:
            return _ingest_project(root, name, url, max_bytes)
        key = hashlib.sha1(f"{root}\0{max_bytes}".encode()).hexdigest()[:20]
        path = cache_dir / "corpus" / f"{key}.pkl"
        extra_paths: list[str] = []
        signature = _signature(root, _walk(root, [], extra_paths) + extra_paths, {"max_bytes": max_bytes})
        if path.exists():
            try:
                with open(path, "rb") as fh:
                    cached: _Project = pickle.load(fh)
                if cached.signature == signature and _contents_ok(path.parent, cached):
                    cached.name, cached.url = name, url
                    return cached
            except Exception:  # a truncated or stale-format cache file is rebuilt, never fatal
                pass
        proj = _ingest_project(root, name, url, max_bytes)
        _write_cache(path, key, proj)
        return proj

    @classmethod
    def _assemble(cls, records: list[_Project], cache_dir: Path | None = None) -> "Corpus":
        prows, srows = [], []
        # Files column by column (16k files: 0.3 s less than a dict per row): the file keys of the first file,
        # then "library", then the project attributes, as the row-wise frame had them. Contents stay out of the
        # frame (see _Contents): ``Corpus.files`` adds them when first asked for.
        first = next((f for r in records for f in r.files), None)
        keys = [k for k in first if not k.startswith("_") and k != "content"] if first is not None else []
        columns: dict[str, list[Any]] = {k: [] for k in ["project", *keys, "library", *_ATTRIBUTES]}
        parts: list[Any] = []
        for r in records:
            if r.files and "content" not in r.files[0]:
                parts.append(_ContentFile((cache_dir or cache_root()) / "corpus" / r.content_file, r.content_offsets))
            else:  # ingested now, or a cache entry of the old format: contents in the rows
                parts.append([f.get("content", "") for f in r.files])
            attrs = r.attributes
            prows.append({"project": r.name, **attrs, "n_files": len(r.files), "n_skipped": len(r.skipped),
                          "root": r.root, "url": r.url})
            n = len(r.files)
            columns["project"].extend([r.name] * n)
            for k in keys:
                columns[k].extend(f.get(k) for f in r.files)
            columns["library"].extend(f["file_libraries"][0] if len(f["file_libraries"]) == 1 else (
                "several" if f["file_libraries"] else "none") for f in r.files)
            for k in _ATTRIBUTES:
                columns[k].extend([attrs[k]] * n)
            srows.extend({"project": r.name, **s} for s in r.skipped)
        return cls._lazy(prows, columns if first is not None else None, srows, _Contents(parts))

    # ------------------------------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike) -> Path:
        """Write the corpus to one pickle file; :meth:`load` reads it back."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            pickle.dump({"version": CORPUS_VERSION, "projects": self.projects, "files": self.files,
                         "skipped": self.skipped}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Corpus":
        """Read a corpus written by :meth:`save`."""
        with open(path, "rb") as fh:
            data = pickle.load(fh)
        if not isinstance(data, dict) or data.get("version") not in _LOADABLE_VERSIONS:
            raise IngestError(f"path: {str(path)!r} is not an ACUMEN corpus file of version {CORPUS_VERSION}")
        return cls(data["projects"], data["files"], data["skipped"])

    def subset(self, mask: Iterable[bool] | np.ndarray) -> "Corpus":
        """A corpus of the files where ``mask`` is true (projects without files are dropped)."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(self.files),):
            raise ValueError(f"mask: expected {len(self.files)} booleans (one per file), got shape {mask.shape}")
        files = self.files[mask].reset_index(drop=True)
        keep = set(files["project"])
        return Corpus(self.projects[self.projects["project"].isin(keep)].reset_index(drop=True), files,
                      self.skipped[self.skipped["project"].isin(keep)].reset_index(drop=True))

    # ------------------------------------------------------------------------------------------ embeddings
    def embed(self, model: str = "tfidf", *, executor: Any = None, cache_dir: str | os.PathLike | None = None,
              batch_size: int | None = None, progress: bool = True, **options: Any) -> np.ndarray:
        """Embed every file's content: an array (n_files, d), row i for ``files.iloc[i]``.

        ``model`` is ``"tfidf"`` (identifier-aware TF-IDF + LSA), ``"minilm"`` (the packaged all-MiniLM-L6-v2) or a
        Hugging Face model name or local folder (T5-family models use the CodeT5 recipe). See :func:`embed`.

        Example:
            >>> emb = corpus.embed("minilm", executor=ThreadPoolExecutor(2))  # doctest: +SKIP
        """
        from .embed import embed

        sha1 = self.column("sha1") if "sha1" in self.column_names else None
        hashes = sha1 if sha1 is not None and all(isinstance(h, str) for h in sha1) else None  # ingest hashed each
        # Lazily: with cached vectors and the hashes, embedding reads no content at all.
        texts = self._contents if self._files is None and self._contents is not None and hashes else self.texts
        return embed(texts, model=model, executor=executor, cache_dir=cache_dir, batch_size=batch_size,
                     progress=progress, hashes=hashes, **options)
