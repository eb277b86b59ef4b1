"""Connecting tablets: the LAN addresses of this server as links and QR codes (the pages are in `connect.views`)."""

import ipaddress

import segno
from flask import current_app
from markupsafe import Markup

from xgapp import serve as server


def this_pc_only():
    """True when the server listens on a loopback address (the `host` setting): no tablet can reach it."""
    host = current_app.config["XGAPP"]["host"]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def lan_urls(host, host_url):
    """The addresses tablets can open: this PC's LAN addresses (or the one it listens on) on the port of `host`
    (the request's Host header, e.g. 192.168.1.5:8080); none when it listens on this PC only."""
    if this_pc_only():
        return []
    port = ":" + host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    bound = current_app.config["XGAPP"]["host"]
    addresses = server.lan_addresses() if bound in ("0.0.0.0", "", "::") else [bound]
    urls = ["http://%s%s/" % (address, port) for address in addresses]
    return urls or [host_url]


def qr_svg(url, scale=5):
    """An inline SVG QR code for `url`."""
    return Markup(segno.make(url, error="m").svg_inline(scale=scale, border=2, title=url))


def is_server_pc(remote_addr):
    """True when the browser (at `remote_addr`) runs on the server PC itself."""
    return remote_addr in ("127.0.0.1", "::1")
