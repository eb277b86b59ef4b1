"""The DLLs WeasyPrint needs on Windows: the closure of its roots over the DLLs the natives build made.

    python3 closure.py BIN_DIR OUT_DIR ROOT...    copies the closure to OUT_DIR, prints one name per line

Every import outside the closure must be a Windows system DLL (listed below); anything else (a stray libgcc,
winpthread or a host library) fails, so the executable never depends on what a campus PC happens to have.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM = {
    "advapi32.dll", "bcrypt.dll", "comctl32.dll", "comdlg32.dll", "crypt32.dll", "dnsapi.dll", "dwrite.dll",
    "gdi32.dll", "imm32.dll", "iphlpapi.dll", "kernel32.dll", "msvcrt.dll", "ntdll.dll", "ole32.dll",
    "oleaut32.dll", "rpcrt4.dll", "secur32.dll", "setupapi.dll", "shell32.dll", "shlwapi.dll", "user32.dll",
    "userenv.dll", "usp10.dll", "version.dll", "winmm.dll", "ws2_32.dll",
}


def imports(dll):
    """Names of the DLLs one DLL imports (from its PE import table)."""
    out = subprocess.run(["x86_64-w64-mingw32-objdump", "-p", str(dll)], check=True, capture_output=True,
                         text=True).stdout
    return re.findall(r"DLL Name: (\S+)", out)


def closure(bin_dir, roots):
    """Every built DLL reachable from the roots, and the system DLLs they import."""
    built = {p.name.lower(): p for p in Path(bin_dir).glob("*.dll")}
    todo, seen, system, stray = [r.lower() + ".dll" for r in roots], set(), set(), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in built:
            raise SystemExit("root %s was not built" % name)
        seen.add(name)
        for dep in imports(built[name]):
            low = dep.lower()
            if low in built:
                todo.append(low)
            elif low in SYSTEM or low.startswith("api-ms-win-"):
                system.add(low)
            else:
                stray.add("%s (imported by %s)" % (dep, name))
    if stray:
        raise SystemExit("imports neither built here nor part of Windows: " + ", ".join(sorted(stray)))
    return [built[n] for n in sorted(seen)], sorted(system)


def main(bin_dir, out_dir, *roots):
    dlls, system = closure(bin_dir, roots)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for dll in dlls:
        shutil.copy2(dll, out / dll.name)
        print(dll.name)
    print("# system: " + " ".join(system), file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:])
