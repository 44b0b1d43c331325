"""Materialise the labelled ACUMEN benchmark repositories from local git mirrors into plain folders.

The repositories' files are never committed to mlnb: ``data/acumen_metadata_repos.csv`` names each repository and
the commit that was labelled; this script copies that commit's README, Python sources, notebooks and packaging
files (``requirements*.txt``, ``setup.py``, ``pyproject.toml``) and shell scripts (``*.sh``: the commands that train
on a dataset) out of bare mirrors into ``--out``.

A mirror is a bare git directory at ``<mirrors>/<owner>+<name>/repo`` (or ``.../repo/.git``); make one with
``git clone --mirror <url> <mirrors>/<owner>+<name>/repo`` where the network allows.

Usage::

    python benchmarks/acumen_metadata_export.py --mirrors /work/.mirror --out /tmp/acumen-bench
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOS = HERE / "data" / "acumen_metadata_repos.csv"
KEEP = re.compile(r"(^|/)(readme[^/]*|requirements[^/]*\.txt|setup\.py|setup\.cfg|pyproject\.toml)$|\.(py|ipynb|sh)$", re.IGNORECASE)
MAX_BYTES = 4_000_000


def git_dir(mirrors: Path, url: str) -> Path:
    owner, name = url.rstrip("/").split("/")[-2:]
    base = mirrors / f"{owner}+{name}" / "repo"
    return base / ".git" if (base / ".git").is_dir() else base


def export(mirrors: Path, out: Path, only: set[str] | None = None) -> list[Path]:
    """Write each listed repository's files at its labelled commit under ``out/<name>``; returns the folders."""
    roots = []
    with open(REPOS, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if only and row["name"] not in only:
            continue
        gd, dest = git_dir(mirrors, row["url"]), out / row["name"]
        roots.append(dest)
        stamp = dest / ".acumen-commit"
        done = f"{row['commit']}\n{KEEP.pattern}\n"  # a changed file selection re-exports
        if stamp.exists() and stamp.read_text() == done:
            continue
        listing = subprocess.run(["git", "--git-dir", str(gd), "ls-tree", "-r", "-l", row["commit"]],
                                 capture_output=True, text=True, check=True).stdout
        wanted = []
        for line in listing.splitlines():
            meta, path = line.split("\t", 1)
            mode, kind, sha, size = meta.split()
            if kind == "blob" and mode != "120000" and size.isdigit() and int(size) <= MAX_BYTES and KEEP.search(path):
                wanted.append((sha, path))
        batch = subprocess.run(["git", "--git-dir", str(gd), "cat-file", "--batch"], input="".join(f"{s}\n" for s, _ in wanted).encode(),
                               capture_output=True, check=True).stdout
        pos = 0
        for _sha, path in wanted:
            header_end = batch.index(b"\n", pos)
            header = batch[pos:header_end].split()
            if header[-1] == b"missing":  # a snapshot may lack some blobs
                pos = header_end + 1
                continue
            size = int(header[2])
            data = batch[header_end + 1:header_end + 1 + size]
            pos = header_end + 1 + size + 1
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        stamp.write_text(done)
    return roots


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirrors", default="/work/.mirror", type=Path)
    ap.add_argument("--out", default=Path("/tmp/acumen-bench"), type=Path)
    args = ap.parse_args(argv)
    roots = export(args.mirrors, args.out)
    print(f"exported {len(roots)} repositories to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
