"""Serving the LAN with waitress, and the addresses a tablet can open."""

import socket


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


def port_free(host, port):
    """True when nothing listens on host:port yet."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host if host not in ("", "::") else "0.0.0.0", port))
        except OSError:
            return False
    return True


def running_xgapp(port):
    """True when an xgapp answers /healthz on this PC's `port` (a second start should open that one)."""
    import json
    import urllib.request

    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=3) as response:
            return "schema_expected" in json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError):
        return False


def run(app, host, port, threads):
    """Serve `app` until interrupted."""
    from waitress import serve

    serve(app, host=host, port=port, threads=threads, ident="xgapp", clear_untrusted_proxy_headers=True)
