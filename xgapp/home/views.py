"""The first screen after login, and the health check."""

from flask import Blueprint, current_app, g, jsonify, render_template
from flask_babel import lazy_gettext as _l

from xgapp import __version__, clock, db, migrate, nav, policy
from xgapp.pagecache import cached
from xgapp.home import panels
from xgapp.security import public

bp = Blueprint("home", __name__)
nav.register("home.index", _l("Home"), order=0)


@bp.route("/")
@cached
def index():
    """The user's start page: the panels policy gives them (today's lessons, hour alerts, their numbers, ...) and
    the modules open to them."""
    user, today = g.user, clock.today()
    return render_template("home/index.html", user=user, today=today, panels=panels.for_user(user, today),
                           role_codes=policy.role_codes(user),
                           may_print_daily_report=policy.may_print_own_daily_report(user))


@bp.route("/favicon.ico")
@public
def favicon():
    """The icon browsers ask for at the root before they read a page's <link rel="icon"> (no login)."""
    return current_app.send_static_file("img/favicon.ico")


@bp.route("/healthz")
@public
def healthz():
    """Liveness and database check for monitors and the launcher (no login)."""
    database_ok, schema = True, None
    try:
        db.ensure_connection()
        schema = migrate.db_version(db.database.obj)
        db.database.execute_sql("SELECT 1").fetchone()
    except Exception:  # report, don't raise: this endpoint exists to say what is wrong
        current_app.logger.exception("health check failed")
        database_ok = False
    body = {
        "status": "ok" if database_ok else "error",
        "version": __version__,
        "schema": schema,
        "schema_expected": migrate.code_version(),
        "database": "ok" if database_ok else "error",
    }
    return jsonify(body), 200 if database_ok else 503
