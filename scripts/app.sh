#!/usr/bin/env bash
# Set up .venv if needed, then start ConvLab at http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m streamlit run app.py "$@"
