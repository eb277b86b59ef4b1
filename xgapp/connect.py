"""Connecting tablets: the LAN addresses of this server as links and QR codes, on screen and as a printed sheet."""

import ipaddress
from datetime import datetime

import segno
from flask import Blueprint, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from xgapp import campus, i18n, nav, printing
from xgapp import serve as server
from xgapp.security import require

bp = Blueprint("connect", __name__, url_prefix="/connect")
nav.register("connect.index", _l("Connect tablets"), "campus.edit", order=88)


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


@bp.route("/")
@require("campus.edit")
def index():
    """Addresses and QR codes to open xgapp on a tablet."""
    urls = lan_urls()
    return render_template("connect/index.html", urls=urls, qr=qr_svg, this_pc_only=this_pc_only(),
                           host=current_app.config["XGAPP"]["host"])


@bp.route("/sheet.pdf")
@require("campus.edit")
def sheet():
    """The A4 sheet to pin up beside the campus Wi-Fi password: scan, open, log in."""
    now = i18n.local(datetime.now().astimezone())
    pdf = printing.render_pdf("print/connect.html", campus=campus.current(), urls=lan_urls(), qr=qr_svg,
                              printed_by=g.user.display_name, printed_at=now.strftime("%Y-%m-%d %H:%M"),
                              form_date=now.strftime("%Y-%m-%d"), form_no="XG-CONNECT", logo=campus.logo_uri(),
                              port=current_app.config["XGAPP"]["port"], this_pc_only=this_pc_only(),
                              host=current_app.config["XGAPP"]["host"])
    return printing.pdf_response(pdf, "平板连接说明.pdf")
