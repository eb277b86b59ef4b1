#!/usr/bin/env bash
# Build the one-file executable: dist/xgapp (Linux) or dist/xgapp.exe (Windows, from an MSYS2 shell: see README).
# PyInstaller's work folder goes to build/work/ and the result to dist/, both ignored by git.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/dev.sh setup "[build]"
PY=.venv/bin/python
[ -x "$PY" ] || PY=.venv/Scripts/python.exe
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --workpath build/work --distpath dist build/xgapp.spec
ls -l dist/
