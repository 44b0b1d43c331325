"""The ``mlnb`` command: ``mlnb TOOL COMMAND [args]`` runs a tool headless.

Example::

    mlnb umlaut run train.py --epochs 3     # exits non-zero if a critical or error finding was raised
"""

from __future__ import annotations

import importlib
import sys

TOOLS = ("umlaut",)  # tools with a command-line front end (each has mlnb/<tool>/cli.py: main(argv) -> int)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print(f"\ntools: {', '.join(TOOLS)}")
        return 0 if argv else 2
    tool, rest = argv[0], argv[1:]
    if tool not in TOOLS:
        print(f"mlnb: tool={tool!r} is not valid; expected one of {', '.join(TOOLS)}", file=sys.stderr)
        return 2
    return int(importlib.import_module(f"mlnb.{tool}.cli").main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
