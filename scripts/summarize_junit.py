"""Sum JUnit XML reports of several suites; fail if any suite failed, is missing or ran no test.

Usage: python scripts/summarize_junit.py NAME=REPORT.xml [NAME=REPORT.xml ...]
Prints one line per suite and, last, the total as "N passed, N failed" (", N skipped").
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def count(path: str) -> tuple[int, int, int]:
    """(passed, failed, skipped) over every <testcase> in a JUnit report."""
    passed = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        if kinds & {"failure", "error"}:
            failed += 1
        elif "skipped" in kinds:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main(argv: list[str]) -> int:
    ok = True
    total = [0, 0, 0]
    for arg in argv:
        name, _, path = arg.partition("=")
        try:
            passed, failed, skipped = count(path)
        except (OSError, ET.ParseError) as exc:
            print(f"{name}: no report ({exc}) — counted as a failed suite")
            ok, total[1] = False, total[1] + 1
            continue
        ran_nothing = passed + failed == 0
        ok = ok and failed == 0 and not ran_nothing
        print(f"{name}: {passed} passed, {failed} failed, {skipped} skipped" + (" — RAN NO TEST" if ran_nothing else ""))
        total = [total[0] + passed, total[1] + failed + ran_nothing, total[2] + skipped]
    print(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
