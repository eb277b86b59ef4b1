"""The application factory: config, database, blueprints, error handlers — nothing else."""

import logging
import logging.handlers
from datetime import timedelta

from flask import Flask, g, redirect, render_template, request, url_for
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.routing import IntegerConverter

from xgapp import (__version__, campus, db, forms, htmx, i18n, migrate, nav, pagecache, paths, policy, printing,
                   security, settings, submissions, validation)
from xgapp.accounts.domain import IpThrottle
from xgapp.policy import can

csrf = CSRFProtect()
# Everything is local: scripts, styles, fonts and images only from this server, no inline script, style or handler
# (htmx is told not to inject its indicator styles and never to eval); data: for the logo preview and QR images.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
babel = Babel()


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: only numbers a database id can hold (bigger ones are a 404, not a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", validation.MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def create_app(test_config=None):
    """Build the app for one data folder; migrations run (after a backup) before it serves."""
    test_config = dict(test_config or {})
    data = paths.DataPaths(paths.data_dir(test_config.pop("DATA_DIR", None))).ensure()
    values, sources = settings.load(data, overrides=test_config.pop("SETTINGS", None))
    resources = paths.resource_dir()
    app = Flask("xgapp", template_folder=str(resources / "templates"), static_folder=str(resources / "static"))
    app.url_map.converters["int"] = RowIdConverter  # before any route: /x/99999999999999999999 is a 404
    app.config.update(
        SECRET_KEY=settings.secret_key(data),
        XGAPP=values,
        XGAPP_SOURCES=sources,
        XGAPP_PATHS=data,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="xgapp_session",
        PERMANENT_SESSION_LIFETIME=timedelta(days=1),
        SESSION_REFRESH_EACH_REQUEST=False,  # the cookie is written when the session changes (its last-seen time
                                             # at most every 15 s: security.COOKIE_SEEN_STEP), not on every request
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,
        BABEL_TRANSLATION_DIRECTORIES=str(paths.package_dir() / "translations"),
        BABEL_DEFAULT_LOCALE="zh_CN",
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
    )
    app.config.update(test_config)
    _logging(app, data, values["log_level"], app.config.get("XGAPP_LOG", "xgapp.log"))
    _database(app, data, values)
    db.set_guard(submissions.Guard())
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    app.before_request(forms.read_body)  # before the CSRF check, which reads every field's name
    csrf.init_app(app)
    app.extensions["xgapp_throttle"] = IpThrottle()
    _blueprints(app)
    _hooks(app)
    _errors(app)
    _jinja(app)
    return app


def _logging(app, data, level, name):
    """Log to a rotating file in the data folder (one handler per process, replaced on re-creation; the job
    worker, a process of its own, writes its own file: two processes never rotate one file)."""
    if app.testing:
        return
    root = logging.getLogger()
    target = str(data.logs / name)
    for old in [h for h in root.handlers if getattr(h, "xgapp", False)]:
        if old.baseFilename == target:
            return
        root.removeHandler(old)
        old.close()
    handler = logging.handlers.RotatingFileHandler(target, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.xgapp = True
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    for chatty in ("weasyprint", "fontTools"):  # seven INFO lines per PDF (steps and font subsetting) otherwise
        logging.getLogger(chatty).setLevel(logging.WARNING)


def _database(app, data, values):
    database = db.bind(db.open_database(values["database_url"]))
    database.connect(reuse_if_open=True)
    try:
        migrate.upgrade(database, backup_dir=data.backups)
    finally:
        database.close()


def _blueprints(app):
    from xgapp.accounts.views import bp as accounts_bp
    from xgapp.attendance.views import bp as attendance_bp
    from xgapp.audit.views import bp as audit_bp
    from xgapp.backup.views import bp as backup_bp
    from xgapp.auth import bp as auth_bp
    from xgapp.campus.views import bp as campus_bp
    from xgapp.changes.views import bp as changes_bp
    from xgapp.classes.views import bp as classes_bp
    from xgapp.complaints.views import bp as complaints_bp
    from xgapp.connect.views import bp as connect_bp
    from xgapp.contracts.views import bp as contracts_bp
    from xgapp.export.views import bp as export_bp
    from xgapp.followups.views import bp as followups_bp
    from xgapp.home.views import bp as home_bp
    from xgapp.hours.views import bp as hours_bp
    from xgapp.leads.views import bp as leads_bp
    from xgapp.meetings.views import bp as meetings_bp
    from xgapp.notices.views import bp as notices_bp
    from xgapp.numbers.views import bp as numbers_bp
    from xgapp.prints.views import bp as prints_bp
    from xgapp.scores.views import bp as scores_bp
    from xgapp.selfstudy.views import bp as selfstudy_bp
    from xgapp.students.views import bp as students_bp
    from xgapp.timetable.views import bp as timetable_bp

    for bp in (auth_bp, home_bp, students_bp, leads_bp, followups_bp, meetings_bp, contracts_bp, hours_bp,
               classes_bp, timetable_bp, attendance_bp, changes_bp, scores_bp, selfstudy_bp, notices_bp, accounts_bp,
               audit_bp, campus_bp, connect_bp, backup_bp, prints_bp, numbers_bp, export_bp, complaints_bp):
        app.register_blueprint(bp)


def _hooks(app):
    @app.before_request
    def gate():
        endpoint = request.endpoint
        if endpoint in ("static", "home.healthz"):
            return None
        db.ensure_connection()
        security.check_origin()
        i18n.wants_lang_param()
        reason = security.load_user()
        if not app.config.get("XGAPP_SET_UP"):
            if campus.needs_setup():
                return None if endpoint == "auth.setup" else redirect(url_for("auth.setup"))
            app.config["XGAPP_SET_UP"] = True
        if g.user is None and not security.is_public(endpoint):
            return security.login_redirect(reason)
        return security.kiosk_gate(endpoint, url_for("selfstudy.kiosk"))

    app.before_request(pagecache.lookup)  # after the gate: a kept page is sent only to whom it was drawn for

    @app.after_request
    def headers(response):
        submissions.remember(response)
        htmx.add_vary(response)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.after_request(pagecache.store)  # registered last, so it runs first: before the headers above are set


def _errors(app):
    def page(code, reason=None):
        return render_template("errors/error.html", code=code, reason=reason), code

    app.register_error_handler(400, lambda e: page(400))
    app.register_error_handler(403, lambda e: page(403))
    app.register_error_handler(404, lambda e: page(404))
    app.register_error_handler(405, lambda e: page(405))
    app.register_error_handler(CSRFError, lambda e: page(403, "csrf"))
    app.register_error_handler(submissions.AlreadySubmitted, submissions.answer)

    app.register_error_handler(validation.Invalid, lambda e: (render_template(
        "errors/error.html", code=422, messages=list(e.errors.values())), 422))  # a view that did not expect it
    app.register_error_handler(500, lambda e: page(500))


def _jinja(app):
    app.jinja_env.filters["localtime"] = i18n.datetime_filter
    app.jinja_env.filters["word"] = i18n.word
    app.jinja_env.filters["stored"] = i18n.stored_text
    app.jinja_env.filters["stored_words"] = i18n.stored_words
    app.jinja_env.filters["yuan"] = i18n.yuan
    app.jinja_env.filters["css_string"] = printing.css_string
    app.jinja_env.globals.update(
        can=lambda permission: can(g.get("user"), permission),
        in_kiosk=security.in_kiosk,
        nav_items=lambda: nav.items_for(g.get("user")),
        nav_current=nav.current,
        locale_code=i18n.select_locale,
        roles=policy.ROLES,
        languages=i18n.LANGUAGES,
        current_campus=_current_campus,
        app_version=__version__,
        submission_key=submissions.new_key,
        submission_field=submissions.FIELD,
    )


def _current_campus():
    if "campus" not in g:
        g.campus = campus.current()
    return g.campus
