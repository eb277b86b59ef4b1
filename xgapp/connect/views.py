"""The tablet-connection page and its printed sheet (principal)."""

from flask import Blueprint, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l

from xgapp import campus, clock, nav, printing
from xgapp.connect import lan_urls, qr_svg, this_pc_only
from xgapp.security import require

bp = Blueprint("connect", __name__, url_prefix="/connect")
nav.register("connect.index", _l("Connect tablets"), "campus.edit", order=88)


@bp.route("/")
@require("campus.edit")
def index():
    """Addresses and QR codes to open xgapp on a tablet."""
    urls = lan_urls(request.host, request.host_url)
    return render_template("connect/index.html", urls=urls, qr=qr_svg, this_pc_only=this_pc_only(),
                           host=current_app.config["XGAPP"]["host"])


@bp.route("/sheet.pdf")
@require("campus.edit")
def sheet():
    """The A4 sheet to pin up beside the campus Wi-Fi password: scan, open, log in."""
    now = clock.local_now()
    pdf = printing.render_pdf("print/connect.html", campus=campus.current(), urls=lan_urls(request.host, request.host_url), qr=qr_svg,
                              printed_by=g.user.display_name, printed_at=now.strftime("%Y-%m-%d %H:%M"),
                              form_date=now.strftime("%Y-%m-%d"), form_no="XG-CONNECT", logo=campus.logo_uri(),
                              port=current_app.config["XGAPP"]["port"], this_pc_only=this_pc_only(),
                              host=current_app.config["XGAPP"]["host"])
    return printing.pdf_response(pdf, "平板连接说明.pdf")
