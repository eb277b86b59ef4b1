"""Serving the LAN with waitress, and the addresses a tablet can open."""

import socket
import sys


def lan_addresses():
    """IPv4 addresses of this PC that other devices on the LAN can reach (best effort, no traffic sent)."""
    found = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(info[4][0])
    except OSError:
        pass
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # connect() on UDP sends nothing; it only asks the OS which interface would route there.
        probe.connect(("10.255.255.255", 1))
        found.add(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    return sorted(a for a in found if not a.startswith("127."))


def urls(host, port):
    """Every URL the server answers on, local first."""
    if host in ("0.0.0.0", "", "::"):
        hosts = ["127.0.0.1"] + lan_addresses()
    else:
        hosts = [host]
    return ["http://%s:%d/" % (h, port) for h in hosts]


def listen(host, port):
    """A listening socket on host:port that no other program can share, or OSError when the port is taken.

    On Windows, SO_REUSEADDR lets a second socket bind a port that is in use (and waitress sets it), so a second
    xgapp or another program could take the port silently: bind with SO_EXCLUSIVEADDRUSE there. Elsewhere
    SO_REUSEADDR only allows a restart over connections still in TIME_WAIT, as waitress does.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host if host not in ("", "::") else "0.0.0.0", port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def running_xgapp(port):
    """True when an xgapp answers /healthz on this PC's `port` (a second start should open that one)."""
    import json
    import urllib.request

    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=3) as response:
            return "schema_expected" in json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError):
        return False


def server(app, sock, threads):
    """A waitress server for `app` on a socket from listen(); .run() serves until .close()."""
    from waitress.server import create_server

    return create_server(app, sockets=[sock], threads=threads, ident="xgapp", clear_untrusted_proxy_headers=True)


def on_console_close(stop):
    """On Windows, run `stop` when the console window is closed, or the user logs off or shuts down.

    The console window is the server. Windows ends the process a few seconds after such an event, so `stop`
    must be quick: it lets the scheduler's running job (a backup, a bundle) finish — both are written to a
    .part file and renamed only when whole, so even a forced end never leaves half a file under its name.
    Ctrl+C and Ctrl+Break keep Python's own handling (KeyboardInterrupt).
    """
    if not sys.platform.startswith("win"):
        return None
    import ctypes

    close_events = (2, 5, 6)  # CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT

    @ctypes.WINFUNCTYPE(ctypes.c_int, ctypes.c_uint)
    def handler(event):
        if event in close_events:
            stop()
            return 1
        return 0

    ctypes.windll.kernel32.SetConsoleCtrlHandler(handler, 1)
    _handlers.append(handler)  # keep the callback alive as long as the process
    return handler


_handlers = []
