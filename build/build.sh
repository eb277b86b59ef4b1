#!/usr/bin/env bash
# Build the one-file executable:
#   bash build/build.sh           → dist/xgapp      (Linux, this machine)
#   bash build/build.sh windows   → dist/xgapp.exe  (Windows, built on this Linux machine under Wine: see
#                                   build/windows/build.sh and README)
# PyInstaller's work folders go to build/work/ and build/work-win/, the results to dist/, all ignored by git.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = windows ]; then
  exec bash build/windows/build.sh
fi
bash build/dev.sh setup "[build]"
PY=.venv/bin/python
[ -x "$PY" ] || PY=.venv/Scripts/python.exe
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --workpath build/work --distpath dist build/xgapp.spec
ls -l dist/
