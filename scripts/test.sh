#!/usr/bin/env bash
# Installs everything (apt, npm, pip), builds the JS from source and runs every test suite:
# pytest (Python), vitest (TypeScript units), Playwright (real JupyterLab in Debian Chromium).
# Fails when any suite fails or runs no test. The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
VENV="${MLNB_VENV:-.venv}"

if ! command -v chromium >/dev/null 2>&1; then
    echo "== Installing Debian's chromium for the browser tests"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null || { echo "apt-get install chromium failed"; exit 1; }
fi
bash scripts/setup.sh || { echo "set-up failed"; exit 1; }

export PATH="$PWD/$VENV/bin:$PATH" MLNB_PYTHON="$PWD/$VENV/bin/python"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
REPORTS="$(mktemp -d)"
status=0

echo; echo "== lint and types (ruff, tsc): fast, before the slow suites"
"$VENV/bin/ruff" check python tests benchmarks ui-tests scripts || { echo "ruff failed"; exit 1; }
npx tsc -p tsconfig.widgets.json && npx tsc -p tsconfig.json --noEmit || { echo "TypeScript type check failed"; exit 1; }

echo; echo "== pytest"
"$VENV/bin/python" -m pytest tests --junitxml="$REPORTS/pytest.xml" -q -p no:cacheprovider || status=1

echo; echo "== vitest"
npx vitest run --reporter=default --reporter=junit --outputFile.junit="$REPORTS/vitest.xml" || status=1

echo; echo "== Playwright (JupyterLab in Chromium)"
PLAYWRIGHT_JUNIT_OUTPUT_NAME="$REPORTS/ui.xml" npx playwright test --config ui-tests/playwright.config.ts --reporter=list,junit || status=1

echo
"$VENV/bin/python" scripts/summarize_junit.py pytest="$REPORTS/pytest.xml" vitest="$REPORTS/vitest.xml" ui="$REPORTS/ui.xml" || status=1
exit $status
