#!/usr/bin/env bash
# One entry point for a fresh machine: it sets everything up, then runs what you asked for.
#   bash build/dev.sh demo [xgapp demo options]   set up, build a demo campus in ./demo-data, serve it on the LAN
#   bash build/dev.sh serve [xgapp serve options]  set up and serve the real campus (default data folder)
#   bash build/dev.sh test [pytest options]        set up (packages, Chromium, CJK fonts, poppler) and run all tests
#   bash build/dev.sh setup ["[extras]"]           only set up the virtual environment (used by build/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"

die() { echo "error: $*" >&2; exit 1; }

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate" && { echo "$candidate"; return; }
  done
  die "xgapp needs Python 3.11 or newer (install python3 from your system's packages)"
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "please install these system packages: $*"
  if [ -z "${XGAPP_APT_UPDATED:-}" ]; then as_root apt-get update -qq; export XGAPP_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

setup_python() {
  local extras=$1 stamp="$VENV/.xgapp-installed-$1"
  if [ ! -x "$VENV/bin/python" ]; then
    "$(find_python)" -m venv "$VENV"
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  local want; want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".$extras"
    echo "$want" > "$stamp"
  fi
}

setup_system_for_tests() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  # ingest tests start a throwaway PostgreSQL server (tests/pg.py): Debian keeps its binaries off PATH
  command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  # WeasyPrint subsets fonts with HarfBuzz's subsetter; without it, it warns (an error under the tests' warning filter).
  ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so.0" || missing+=(libharfbuzz-subset0)
  # the outside judges (tests/judges.py): axe-core, acorn and the Nu validator come from npm; Nu needs Java
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing system packages: ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  demo)
    setup_python ""
    DATA="${XGAPP_DATA:-$ROOT/demo-data}"
    if [ ! -f "$DATA/xgapp.sqlite3" ]; then
      "$VENV/bin/xgapp" demo --data "$DATA" "$@"
    else
      echo "Using the demo campus in $DATA (its password was printed when it was made; delete the folder to start over)."
    fi
    exec "$VENV/bin/xgapp" serve --data "$DATA"
    ;;
  setup)
    setup_python "${1:-}"
    ;;
  serve)
    setup_python ""
    exec "$VENV/bin/xgapp" serve "$@"
    ;;
  test)
    setup_python "[test,hq]"
    setup_system_for_tests
    if [ -n "${XGAPP_TEST_CLOCK:-}" ]; then
      # Run the whole suite as if this PC's clock read XGAPP_TEST_CLOCK ("2026-12-01 00:05:00", this machine's
      # time zone) and ran on from there: CI may start at any hour of the campus day, on the 1st, on New Year's Eve.
      command -v faketime >/dev/null 2>&1 || apt_install faketime
      export FAKETIME_DONT_RESET=1  # servers the tests start run on the same fake clock
      exec faketime -f "@$XGAPP_TEST_CLOCK" "$VENV/bin/python" -m pytest "$@"
    fi
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
