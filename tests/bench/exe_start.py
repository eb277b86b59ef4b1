"""Size of dist/xgapp and time from start to /healthz answering (median of 5 cold starts, each a new process
on a new data folder, so each run unpacks the one-file bundle and creates and migrates a database).

    bash build/build.sh && .venv/bin/python -m tests.bench.exe_start
"""

import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

EXE = Path(__file__).resolve().parents[2] / "dist" / "xgapp"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_start():
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        started = time.perf_counter()
        proc = subprocess.Popen([str(EXE), "serve", "--data", folder + "/data", "--host", "127.0.0.1",
                                 "--port", str(port), "--no-browser"], cwd=folder,
                                env={"PATH": "/usr/bin:/bin", "HOME": folder},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=1).close()
                    return time.perf_counter() - started
                except OSError:
                    time.sleep(0.02)
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def main():
    times = [one_start() for _ in range(5)]
    print("executable: %s, %.1f MiB" % (EXE, EXE.stat().st_size / 2**20))
    print("start to /healthz: median %.2f s (runs: %s)" % (statistics.median(times),
                                                          ", ".join("%.2f" % t for t in times)))


if __name__ == "__main__":
    main()
