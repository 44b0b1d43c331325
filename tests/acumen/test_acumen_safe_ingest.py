"""Ingest reads only regular files inside the project, each whole and within the size limit.

A project (as a clone may deliver it) with a link to /dev/zero, a FIFO and a socket named ``*.py``, a link
loop, a link out of the root and a link to a folder: each is skipped with its reason, nothing hangs, nothing
outside the project is read; a long file is read whole, not its first 20,000 characters.
"""

from __future__ import annotations

import os
import signal
import socket

import pytest

from mlnb.acumen import Corpus


class _Hang(BaseException):
    pass


def _raise_hang(signum, frame):
    raise _Hang()


@pytest.fixture
def hostile_project(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("SECRET = 'must never be ingested'\n")
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "train.py").write_text("import numpy as np\n\ndef train():\n    return np.zeros(3)\n")
    long_lines = "".join(f"value_{i} = {i}  # a long file, read whole\n" for i in range(2000))
    (root / "pkg" / "long.py").write_text(long_lines + "LAST_LINE = 'the end'\n")
    os.symlink("/dev/zero", root / "zero.py")
    os.mkfifo(root / "fifo.py")
    os.symlink(root / "loop_b.py", root / "loop_a.py")
    os.symlink(root / "loop_a.py", root / "loop_b.py")
    os.symlink(outside / "secret.py", root / "escape.py")
    os.symlink("../../outside/secret.py", root / "pkg" / "relative_escape.py")
    os.symlink("train.py", root / "alias.py")  # a link inside the project is fine
    os.symlink(outside, root / "linked_folder")
    os.symlink(root / "missing.py", root / "dangling.py")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(root / "sock.py"))
    yield root
    server.close()


def test_hostile_files_are_skipped_with_their_reason(hostile_project):
    previous = signal.signal(signal.SIGALRM, _raise_hang)
    signal.alarm(60)  # a FIFO read would block forever, /dev/zero would never end
    try:
        corpus = Corpus.from_paths([hostile_project], cache=False, progress=False)
    except _Hang:
        pytest.fail("ingest hung on a FIFO or a device")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    reasons = dict(zip(corpus.skipped["path"], corpus.skipped["reason"]))
    assert reasons == {
        "zero.py": "link out of the project",  # /dev/zero is outside the root
        "fifo.py": "FIFO",
        "sock.py": "socket",
        "loop_a.py": "symlink loop",
        "loop_b.py": "symlink loop",
        "escape.py": "link out of the project",
        os.path.join("pkg", "relative_escape.py"): "link out of the project",
        "dangling.py": "broken link",
        "linked_folder/": "link to a folder (not followed)",
    }
    assert sorted(corpus.files["path"]) == ["alias.py", os.path.join("pkg", "long.py"), "train.py"]
    assert not corpus.files["content"].str.contains("must never be ingested").any()
    counts = corpus.skipped_summary()
    assert counts["link out of the project"] == 3 and counts["FIFO"] == 1


def test_a_device_inside_the_root_is_skipped(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "ok.py").write_text("x = 1\n")
    os.symlink(root / "dev", root / "via_link.py")
    os.symlink("/dev", root / "dev")  # a folder link: not followed, so /dev/zero is unreachable
    from mlnb.acumen.ingest import _not_a_safe_file

    assert _not_a_safe_file(root / "ok.py", os.path.realpath(root)) is None
    assert _not_a_safe_file(root / "via_link.py", os.path.realpath("/")) == "not a regular file"  # a folder
    os.symlink("/dev/null", root / "null.py")
    assert _not_a_safe_file(root / "null.py", "/") == "device file"  # were the root '/', still not read


def test_long_files_are_read_whole_and_bounded_by_the_limit(hostile_project):
    corpus = Corpus.from_paths([hostile_project], cache=False, progress=False)
    row = corpus.files.set_index("path").loc[os.path.join("pkg", "long.py")]
    assert len(row["content"]) > 60_000 and row["content"].rstrip().endswith("LAST_LINE = 'the end'")
    assert row["n_lines"] == 2002
    small = Corpus.from_paths([hostile_project], cache=False, progress=False, max_file_bytes=20_000)
    reasons = dict(zip(small.skipped["path"], small.skipped["reason"]))
    assert reasons[os.path.join("pkg", "long.py")] == "too large"


def test_reading_counts_bytes_instead_of_trusting_stat(tmp_path):
    from mlnb.acumen.ingest import _read_bounded

    path = tmp_path / "f.py"
    path.write_bytes(b"a" * 5000)
    assert _read_bounded(path, 5000) == (b"a" * 5000, None)
    assert _read_bounded(path, 4999) == (None, "too large")
    # /proc files report size 0 and would pass a stat-based check: the streamed count stops them
    assert os.stat("/proc/self/maps").st_size == 0
    data, reason = _read_bounded("/proc/self/maps", 10)
    assert data is None and reason == "too large"


def test_a_readme_link_out_of_the_project_or_to_a_fifo_is_not_read(tmp_path):
    from mlnb.acumen.metadata import read_readme

    secret = tmp_path / "secret.txt"
    secret.write_text("outside the project")
    project = tmp_path / "p"
    project.mkdir()
    (project / "README.md").symlink_to(secret)
    assert read_readme(project) == ""
    (project / "README.md").unlink()
    os.mkfifo(project / "README.md")  # would block a plain read forever
    assert read_readme(project) == ""
    (project / "README.md").unlink()
    (project / "README.md").write_text("# A classifier")
    assert read_readme(project) == "# A classifier"
