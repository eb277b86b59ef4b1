"""Connecting tablets: the LAN addresses of this server as links and QR codes (the pages are in `connect.views`)."""

import ipaddress

import segno
from flask import current_app, request
from markupsafe import Markup

from xgapp import serve as server


def this_pc_only():
    """True when the server listens on a loopback address (the `host` setting): no tablet can reach it."""
    host = current_app.config["XGAPP"]["host"]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def lan_urls():
    """The addresses tablets can open: this PC's LAN addresses (or the one it listens on) on the port this request
    came in on; none when it listens on this PC only."""
    if this_pc_only():
        return []
    host = request.host
    port = ":" + host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    bound = current_app.config["XGAPP"]["host"]
    addresses = server.lan_addresses() if bound in ("0.0.0.0", "", "::") else [bound]
    urls = ["http://%s%s/" % (address, port) for address in addresses]
    return urls or [request.host_url]


def qr_svg(url, scale=5):
    """An inline SVG QR code for `url`."""
    return Markup(segno.make(url, error="m").svg_inline(scale=scale, border=2, title=url))


def is_server_pc():
    """True when the browser runs on the server PC itself."""
    return request.remote_addr in ("127.0.0.1", "::1")
