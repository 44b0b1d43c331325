#!/usr/bin/env bash
# Installs everything, then opens JupyterLab on the tour notebook (offline, embedded defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VENV="${MLNB_VENV:-.venv}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
exec "$VENV/bin/jupyter" lab notebooks/tour.ipynb "${extra[@]}" "$@"
