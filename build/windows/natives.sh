#!/usr/bin/env bash
# Cross-build WeasyPrint's native libraries for Windows (x86_64) from Debian's source packages with mingw-w64.
#
#   bash build/windows/natives.sh        prints the folder holding bin/*.dll when done
#
# The result is cached outside the repository, in $XGAPP_BUILD_CACHE (default ~/.cache/xgapp-build), under a key
# made of the source versions, the toolchain's version and these build files: a second run takes a second.
# The source packages it downloaded are kept there too (src/), since Debian replaces point-release sources.
# Needs the host tools build/windows/build.sh installs (mingw-w64, meson, ninja, cmake, gperf, glib's code
# generators) and a deb-src line for Debian's archive (added by build.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${XGAPP_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xgapp-build}
TRIPLE=x86_64-w64-mingw32
JOBS=$(nproc)
# In build order: each needs only those before it (and Debian's mingw zlib).
PACKAGES=(libffi pcre2 expat freetype fribidi fontconfig glib2.0 harfbuzz pango1.0)
# What WeasyPrint opens with cffi (weasyprint/text/ffi.py); the DLLs shipped are exactly their closure.
ROOTS=(libgobject-2.0-0 libpango-1.0-0 libharfbuzz-0 libharfbuzz-subset-0 libfontconfig-1 libpangoft2-1.0-0)

log() { echo "[natives] $*" >&2; }
die() { echo "[natives] error: $*" >&2; exit 1; }

mkdir -p "$CACHE/src"

# 1. The source packages: the newest version of each that the archive still serves (Debian's security pool may
#    list a version whose files are gone), kept in the cache.
fetch_source() {
  local pkg=$1 version dsc
  for version in $(apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -rV | uniq); do
    dsc="${pkg}_${version#*:}.dsc"
    if [ -f "$CACHE/src/$dsc" ] || (cd "$CACHE/src" && apt-get source --download-only -qq "$pkg=$version" \
          >/dev/null 2>&1 && [ -f "$dsc" ]); then
      echo "$dsc"
      return
    fi
  done
  # Offline, or the archive no longer has any version we know: use the newest one kept in the cache.
  dsc=$(cd "$CACHE/src" && ls -1 "${pkg}"_*.dsc 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$dsc" ] || die "no source package for $pkg (is a deb-src line configured? see build/windows/build.sh)"
  echo "$dsc"
}

declare -A DSC
for pkg in "${PACKAGES[@]}"; do
  DSC[$pkg]=$(fetch_source "$pkg")
done

zlib_version=$(dpkg-query -W -f '${Version}' libz-mingw-w64-dev 2>/dev/null) || die "libz-mingw-w64-dev is missing"
key=$( {
  for pkg in "${PACKAGES[@]}"; do echo "${DSC[$pkg]}"; done
  echo "zlib $zlib_version"
  "$TRIPLE-gcc-win32" -dumpversion
  cat "$HERE/natives.sh" "$HERE/mingw64.cross" "$HERE/mingw64.cmake" "$HERE/pkg-config" "$HERE"/intl/*
} | sha256sum | cut -c1-16)
PREFIX="$CACHE/natives-$key"
if [ -f "$PREFIX/.complete" ]; then
  log "cached: $PREFIX"
  echo "$PREFIX"
  exit 0
fi

# 2. Build into a .part folder, renamed when whole (a killed build is started again, never half used).
#    XGAPP_NATIVES_RESUME=1 keeps the libraries a failed run finished (for working on this script).
#    Half builds of other keys (a killed run, an older version of these files) go too.
[ -n "${XGAPP_NATIVES_RESUME:-}" ] || rm -rf "$CACHE"/natives-*.part "$CACHE"/work-*
export XGAPP_WIN_PREFIX="$PREFIX.part"
P=$XGAPP_WIN_PREFIX
WORK="$CACHE/work-$key"
mkdir -p "$P/bin" "$P/lib" "$P/include" "$WORK"
started=$(date +%s)
cat > "$WORK/prefix.cross" <<EOF
[constants]
prefix = '$P'
here = '$HERE'
EOF

unpack() {  # unpack a source package with Debian's patches applied; prints its folder
  local pkg=$1 dir="$WORK/$1"
  dpkg-source --no-copy -x "$CACHE/src/${DSC[$pkg]}" "$dir" >/dev/null 2>&1 \
    || (cd "$CACHE/src" && dpkg-source -x "${DSC[$pkg]}" "$dir" >/dev/null) \
    || die "cannot unpack ${DSC[$pkg]}"
  echo "$dir"
}

autotools() {  # configure && make && make install for the host triple (shared unless told otherwise)
  local src=$1; shift
  (cd "$src" && ./configure --host=$TRIPLE --prefix="$P" --enable-shared --disable-static \
      CC=$TRIPLE-gcc-win32 CFLAGS="-O2 -I$P/include" LDFLAGS="-L$P/lib -static-libgcc" "$@" \
    && make -j"$JOBS" && make install) >"$src/_build.log" 2>&1 \
    || { tail -40 "$src/_build.log" >&2; die "build failed in $src"; }
}

meson_build() {
  local src=$1; shift
  meson setup "$src/_build" "$src" --cross-file "$WORK/prefix.cross" --cross-file "$HERE/mingw64.cross" \
    --prefix="$P" --libdir=lib --buildtype=release --default-library=shared --wrap-mode=nodownload \
    "$@" >"$src/_build.log" 2>&1 || { tail -40 "$src/_build.log" >&2; die "meson setup failed in $src"; }
  ninja -C "$src/_build" -j"$JOBS" install >>"$src/_build.log" 2>&1 \
    || { tail -40 "$src/_build.log" >&2; die "build failed in $src"; }
}

step() { log "$1 ($(( $(date +%s) - started )) s)"; }
done_before() { [ -f "$P/.done-$1" ]; }
mark_done() { touch "$P/.done-$1"; }

step "zlib ${zlib_version} (Debian's libz-mingw-w64)"
cp /usr/x86_64-w64-mingw32/lib/zlib1.dll "$P/bin/"

step "proxy libintl (build/windows/intl)"
$TRIPLE-gcc-win32 -O2 -shared -static-libgcc -o "$P/bin/libintl-8.dll" "$HERE/intl/libintl.c" \
  -Wl,--out-implib,"$P/lib/libintl.dll.a"
cp "$HERE/intl/libintl.h" "$P/include/"

if ! done_before libffi; then
step "${DSC[libffi]}"
rm -rf "$WORK/libffi"
# Static, linked into GObject: the Windows CPython ships its own libffi-8.dll (for ctypes), and one bundle
# cannot hold two DLLs of that name.
autotools "$(unpack libffi)" --disable-docs --disable-multi-os-directory --disable-shared --enable-static
mark_done libffi
fi

if ! done_before pcre2; then
step "${DSC[pcre2]}"
rm -rf "$WORK/pcre2"
autotools "$(unpack pcre2)" --enable-pcre2-8 --disable-pcre2-16 --disable-pcre2-32 --enable-unicode \
  --disable-pcre2grep-libz --disable-pcre2grep-libbz2
mark_done pcre2
fi

if ! done_before expat; then
step "${DSC[expat]}"
rm -rf "$WORK/expat"
src=$(unpack expat)
[ -f "$src/CMakeLists.txt" ] || src="$src/expat"
cmake -S "$src" -B "$src/_build" -DCMAKE_TOOLCHAIN_FILE="$HERE/mingw64.cmake" -DCMAKE_INSTALL_PREFIX="$P" \
  -DCMAKE_BUILD_TYPE=Release -DEXPAT_BUILD_TOOLS=OFF -DEXPAT_BUILD_EXAMPLES=OFF -DEXPAT_BUILD_TESTS=OFF \
  -DEXPAT_BUILD_DOCS=OFF -DEXPAT_BUILD_FUZZERS=OFF -DEXPAT_SHARED_LIBS=ON >"$src/_build.log" 2>&1 \
  || { tail -30 "$src/_build.log" >&2; die "cmake failed for expat"; }
# Debian's security patches test `#if XML_DTD == 1`, CMake's template writes a bare `#define XML_DTD`.
sed -i -E 's/^#define (XML_DTD|XML_NS|XML_GE)$/#define \1 1/' "$src/_build/expat_config.h"
cmake --build "$src/_build" -j"$JOBS" >>"$src/_build.log" 2>&1 && cmake --install "$src/_build" >/dev/null \
  || { tail -30 "$src/_build.log" >&2; die "expat failed"; }
mark_done expat
fi

if ! done_before freetype; then
step "${DSC[freetype]}"
rm -rf "$WORK/freetype"
meson_build "$(unpack freetype)" -Dzlib=system -Dbzip2=disabled -Dpng=disabled -Dharfbuzz=disabled \
  -Dbrotli=disabled
mark_done freetype
fi

if ! done_before fribidi; then
step "${DSC[fribidi]}"
rm -rf "$WORK/fribidi"
meson_build "$(unpack fribidi)" -Ddocs=false
mark_done fribidi
fi

if ! done_before fontconfig; then
step "${DSC[fontconfig]}"
rm -rf "$WORK/fontconfig"
meson_build "$(unpack fontconfig)" -Ddoc=disabled -Dnls=disabled -Dtests=disabled -Dtools=disabled \
  -Dcache-build=disabled
mark_done fontconfig
fi

if ! done_before glib2.0; then
step "${DSC[glib2.0]}"
rm -rf "$WORK/glib2.0"
meson_build "$(unpack glib2.0)" -Dtests=false -Dnls=disabled -Dman=false -Dgtk_doc=false -Dsysprof=disabled \
  -Dlibmount=disabled -Dselinux=disabled -Dxattr=false -Dinstalled_tests=false -Dlibelf=disabled
mark_done glib2.0
fi

if ! done_before harfbuzz; then
step "${DSC[harfbuzz]}"
rm -rf "$WORK/harfbuzz"
meson_build "$(unpack harfbuzz)" -Dglib=enabled -Dfreetype=enabled -Dcairo=disabled -Dicu=disabled \
  -Dgobject=disabled -Dgraphite2=disabled -Dtests=disabled -Ddocs=disabled -Dintrospection=disabled \
  -Dbenchmark=disabled -Dchafa=disabled
mark_done harfbuzz
fi

if ! done_before pango1.0; then
step "${DSC[pango1.0]}"
rm -rf "$WORK/pango1.0"
meson_build "$(unpack pango1.0)" -Dcairo=disabled -Dfontconfig=enabled -Dfreetype=enabled -Dlibthai=disabled \
  -Dxft=disabled -Dintrospection=disabled -Dgtk_doc=false -Dinstall-tests=false -Dsysprof=disabled

# 3. The shipped set: the closure of WeasyPrint's roots over the DLLs built here, stripped. Anything else a DLL
#    imports must be a Windows system DLL; a stray import fails the build.
mark_done pango1.0
fi

step "closure of ${ROOTS[*]}"
mkdir -p "$P/dlls"
python3 "$HERE/closure.py" "$P/bin" "$P/dlls" "${ROOTS[@]}" > "$P/dlls.txt"
for dll in "$P"/dlls/*.dll; do $TRIPLE-strip --strip-unneeded "$dll"; done
{
  echo "# Source packages (Debian) of the Windows natives, built by build/windows/natives.sh"
  for pkg in "${PACKAGES[@]}"; do echo "${DSC[$pkg]%.dsc}"; done
  echo "libz-mingw-w64_${zlib_version} (Debian's mingw-w64 zlib1.dll)"
  echo "proxy libintl: build/windows/intl (xgapp's own)"
  echo "toolchain: gcc-mingw-w64 $($TRIPLE-gcc-win32 -dumpversion) (win32 threads, static libgcc/libstdc++)"
} > "$P/versions.txt"
(cd "$CACHE/src" && for pkg in "${PACKAGES[@]}"; do
   sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "${DSC[$pkg]}" | sed -n 's/^ \([0-9a-f]\{64\}\) [0-9]* \(.*\)/\1  \2/p'
 done) > "$P/sources.sha256"
rm -rf "$WORK"
touch "$P/.complete"
rm -rf "$PREFIX"
mv "$P" "$PREFIX"
log "done in $(( $(date +%s) - started )) s: $PREFIX"
echo "$PREFIX"
