#!/usr/bin/env bash
# Installs everything mlnb needs on a fresh machine (npm + pip), building the JS from source.
# Idempotent: safe to run again; each run rebuilds the JS so no stale bundle is ever shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${MLNB_VENV:-.venv}"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "JavaScript: npm ci + build (widgets -> python/mlnb/static, sidebar -> python/mlnb/labextension)"
npm ci --no-audit --no-fund
npm run build:prod

step "Python: virtual environment at $VENV"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
# torch first and pinned on every line: any other torch version pulls gigabytes of CUDA wheels.
"$VENV/bin/python" -m pip install -q "torch==2.13.0"
"$VENV/bin/python" -m pip install -q ".[all,test]" "torch==2.13.0"

step "Check: the JupyterLab extension and the server extension are installed"
"$VENV/bin/jupyter" labextension list 2>&1 | tee /dev/stderr | grep -E "mlnb .*enabled.*OK" >/dev/null
"$VENV/bin/jupyter" server extension list 2>&1 | grep -E "mlnb .*enabled" >/dev/null
echo "mlnb installed in $VENV"
