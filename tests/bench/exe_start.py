"""Size of the executable and time from start to /healthz answering (median of 5 cold starts, each a new process
on a new data folder, so each run unpacks the one-file bundle and creates and migrates a database).

    bash build/build.sh && .venv/bin/python -m tests.bench.exe_start
    bash build/build.sh windows && .venv/bin/python -m tests.bench.exe_start --windows   (xgapp.exe under Wine)

Wine is not Windows: it adds its own start (about a second once wineserver runs), and files and processes cost
more than on Windows, so the Windows figure is an upper bound for a PC of the same speed.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

DIST = Path(__file__).resolve().parents[2] / "dist"
CACHE = Path(os.environ.get("XGAPP_BUILD_CACHE") or Path.home() / ".cache" / "xgapp-build")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def command(windows, folder, port):
    if windows:
        data = "Z:" + (folder + "/data").replace("/", "\\")
        return ["wine", str(DIST / "xgapp.exe"), "serve", "--data", data, "--host", "127.0.0.1", "--port", str(port),
                "--no-browser"], {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "WINEDEBUG": "-all",
                                  "WINEPREFIX": str(CACHE / "wine")}
    return [str(DIST / "xgapp"), "serve", "--data", folder + "/data", "--host", "127.0.0.1", "--port", str(port),
            "--no-browser"], {"PATH": "/usr/bin:/bin", "HOME": folder}


def one_start(windows):
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        cmd, env = command(windows, folder, port)
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while True:
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=1).close()
                    return time.perf_counter() - started
                except OSError:
                    time.sleep(0.02)
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=30)


def main():
    windows = "--windows" in sys.argv
    exe = DIST / ("xgapp.exe" if windows else "xgapp")
    if windows:  # wineserver up before the first measured start, as on a PC where Windows is running
        subprocess.run(["wine", "cmd", "/c", "exit"], env=command(True, "/tmp", 0)[1], stdin=subprocess.DEVNULL,
                       capture_output=True)
    times = [one_start(windows) for _ in range(5)]
    print("executable: %s, %.1f MiB" % (exe, exe.stat().st_size / 2**20))
    print("start to /healthz: median %.2f s (runs: %s)" % (statistics.median(times),
                                                          ", ".join("%.2f" % t for t in times)))


if __name__ == "__main__":
    main()
