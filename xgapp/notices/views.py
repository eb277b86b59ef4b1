"""Dismissing a notice from the home page."""

from flask import Blueprint, g, redirect, url_for

from xgapp.notices import domain

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.route("/<int:notice_id>/read", methods=["POST"])
def read(notice_id):
    """Mark one of my notices as read."""
    domain.mark_read(g.user, notice_id)
    return redirect(url_for("home.index"), code=303)
