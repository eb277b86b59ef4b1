"""The numbers pages: 日报 (an advisor's day counted from the records, plus what she taps in by hand, and the
campus's day), 业绩目标, 周报 / 月报 and the monthly 排名. Leaders see every advisor; an advisor sees her own."""

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import htmx, nav
from xgapp.accounts.models import User
from xgapp.audit.views import register_table
from xgapp.web import parse_date
from xgapp.i18n import campus_today
from xgapp.numbers import charts, daily, manual, periods, rates, report, targets, trends
from xgapp.security import require
from xgapp.students import domain as students
from xgapp.web import xlsx
from xgapp.validation import Invalid, row_id

bp = Blueprint("numbers", __name__, url_prefix="/numbers")
nav.register("numbers.index", _l("Daily report"), "numbers.view", order=26)
register_table("manual_count", _l("Manual counter"))
register_table("target", _l("Monthly target"))
register_table("month_report", _l("Monthly report"))
LEADERS = {"supervisor", "principal"}


def _day():
    day = parse_date(request.args.get("day", "")) if request.args.get("day") else campus_today()
    if day is None:
        abort(404)
    return day


def _is_leader():
    return bool(g.user.role_set & LEADERS)


def _advisor_or_404(advisor_id):
    advisor = User.get_or_none(User.id == advisor_id) if advisor_id else None
    if advisor is None or "advisor" not in advisor.role_set:
        abort(404)
    if advisor.id != g.user.id and not _is_leader():
        abort(404)  # an advisor sees her own numbers, not another's
    return advisor


@bp.route("/")
@require("numbers.view")
def index():
    """Leaders land on the campus's day; an advisor on her own."""
    day = request.args.get("day") or None
    if _is_leader():
        return redirect(url_for("numbers.campus", day=day))
    return redirect(url_for("numbers.advisor", advisor_id=g.user.id, day=day))


def _nav_days(day):
    today = campus_today()
    return {"day": day, "previous": day - timedelta(days=1), "following": day + timedelta(days=1) if day < today
            else None, "today": today}


@bp.route("/advisor/<int:advisor_id>")
@require("numbers.view")
def advisor(advisor_id):
    """One advisor's day: the figures counted from the records, her manual counters, follow-ups, classes ending."""
    person = _advisor_or_404(advisor_id)
    day = _day()
    figures = daily.advisor_day(person, day)
    month_progress = targets.progress(day.replace(day=1), advisor=person)
    return render_template("numbers/advisor.html", person=person, figures=figures,
                           columns=report.SCREEN_COLUMNS,
                           value=report.value, month_progress=month_progress, target_kinds=targets.KINDS,
                           kinds=manual.KINDS, may_tap=manual.may_tap(g.user, person, day),
                           leader=_is_leader(), **_nav_days(day))


@bp.route("/advisor/<int:advisor_id>.xlsx")
@require("numbers.view")
def advisor_xlsx(advisor_id):
    """One advisor's day as .xlsx (hers, or any advisor's for a leader)."""
    person = _advisor_or_404(advisor_id)
    day = _day()
    body = report.advisor_xlsx(person, daily.advisor_day(person, day))
    return xlsx(body, "学管师日报_%s_%s.xlsx" % (person.display_name, day.isoformat()))


@bp.route("/campus")
@require("numbers.view")
def campus():
    """The supervisor's campus 日报: every advisor's figures and the campus total, to send to the branch."""
    if not _is_leader():
        abort(403)
    day = _day()
    figures = daily.campus_day(day)
    return render_template("numbers/campus.html", campus_day=figures, columns=report.SCREEN_COLUMNS,
                           value=report.value,
                           **_nav_days(day))


@bp.route("/campus.xlsx")
@require("numbers.view")
def campus_xlsx():
    if not _is_leader():
        abort(403)
    day = _day()
    return xlsx(report.xlsx(day, daily.campus_day(day)), "校区日报_%s.xlsx" % day.isoformat())


@bp.route("/tap", methods=["POST"])
@require("numbers.view")
def tap():
    """+1 / −1 on a manual counter (htmx swaps the counter; without htmx the page reloads)."""
    person = _advisor_or_404(request.form.get("advisor", type=row_id))
    day = parse_date(request.form.get("day", "")) or abort(404)
    kind = request.form.get("kind", "")
    error, status = None, 200
    try:
        manual.tap(g.user, person, day, kind, request.form.get("delta", type=int))
    except Invalid as exc:
        error, status = next(iter(exc.errors.values())), 422
    if not htmx.is_request():
        if error is not None:
            abort(422)
        return redirect(url_for("numbers.advisor", advisor_id=person.id, day=day.isoformat()), code=303)
    if kind not in manual.KINDS:
        abort(422)
    count = manual.counts(day, person).get(person.id, {}).get(kind, 0)
    return render_template("numbers/_counter.html", person=person, day=day, kind=kind, label=manual.KINDS[kind],
                           count=count, may_tap=manual.may_tap(g.user, person, day), error=error), status


def _month():
    try:
        return targets.month_of(request.values.get("month"))
    except ValueError:
        abort(404)


@bp.route("/targets", methods=["GET", "POST"])
@require("numbers.view")
def target_page():
    """业绩目标: the supervisor enters the branch's targets and splits them per advisor; everyone sees progress
    (an advisor only her own)."""
    month = _month()
    leader = _is_leader()
    errors, status, raw = {}, 200, {}
    if request.method == "POST":
        if not leader:
            abort(403)
        people = [None] + [a.id for a in students.advisors()]
        raw = {(who, kind): request.form.get("%s-%s" % (kind, who or "campus"), "")
               for who in people for kind in targets.KINDS}
        try:
            changed = targets.save(g.user, month, raw)
        except Invalid as exc:
            errors, status = exc.errors, 422
        else:
            flash(_("Targets saved (%(n)d changed).", n=changed), "success")
            return redirect(url_for("numbers.target_page", month=month.strftime("%Y-%m")), code=303)
    data = targets.progress(month, advisor=None if leader else g.user)
    previous, following = targets.months_around(month)
    return render_template("numbers/targets.html", month=month, data=data, kinds=targets.KINDS, leader=leader,
                           values=targets.load(month) if leader else {}, raw=raw, errors=errors,
                           mismatches=targets.mismatches(month) if leader else {}, previous=previous,
                           following=following), status


@bp.route("/targets.xlsx")
@require("numbers.view")
def targets_xlsx():
    """The month's targets and progress as .xlsx (an advisor gets only her own row)."""
    month = _month()
    data = targets.progress(month, advisor=None if _is_leader() else g.user)
    return xlsx(report.targets_xlsx(data), "业绩目标_%s.xlsx" % month.strftime("%Y-%m"))


@bp.route("/ranking")
@require("numbers.view")
def ranking():
    """The month's ranking of advisors, the signing and renewal rates, and the excellent-team criteria."""
    month = _month()
    data = rates.month_ranking(month)
    previous, following = targets.months_around(month)
    chart = None
    if _is_leader():
        series = trends.renewal_by_month(month)
        chart = charts.bars([(first.strftime("%y-%m"), rate) for first, rate, _r, _e in series],
                            _("Renewal rate by month"), "%", colour="#7c3aed", label_every=1)
    return render_template("numbers/ranking.html", data=data, month=month, leader=_is_leader(), previous=previous,
                           chart=chart,
                           following=following, renew_window=(rates.RENEW_BEFORE, rates.RENEW_AFTER),
                           team_classes=rates.TEAM_CLASSES, me=g.user.id)


@bp.route("/ranking.xlsx")
@require("numbers.view")
def ranking_xlsx():
    if not _is_leader():
        abort(403)
    month = _month()
    return xlsx(report.ranking_xlsx(rates.month_ranking(month)), "学管师排名_%s.xlsx" % month.strftime("%Y-%m"))


def _period():
    """('week', Monday, Sunday, label) or ('month', first, last, label) from the query string (404 on nonsense)."""
    if request.values.get("kind") == "week":
        day = _day()
        first, last = periods.week_of(day)
        return "week", first, last, "%s – %s" % (first.isoformat(), last.isoformat())
    month = _month()
    return "month", month, periods.month_last(month), month.strftime("%Y-%m")


@bp.route("/period", methods=["GET", "POST"])
@require("numbers.view")
def period():
    """周报 / 月报: the figures of a week or a month; for a month also the rates, the targets and the texts."""
    kind, first, last, label = _period()
    leader = _is_leader()
    mine = None if leader else g.user  # leaders write the campus's report, an advisor her own
    errors, status = {}, 200
    if request.method == "POST":
        if kind != "month":
            abort(404)
        try:
            periods.save_text(g.user, first, mine, request.form.get("summary"), request.form.get("plan"))
        except Invalid as exc:
            errors, status = exc.errors, 422
        else:
            flash(_("Monthly report saved."), "success")
            return redirect(url_for("numbers.period", month=label), code=303)
    data = periods.figures(first, last, mine)
    context = {"kind": kind, "first": first, "last": last, "label": label, "leader": leader, "data": data,
               "columns": report.SCREEN_COLUMNS, "value": report.value, "errors": errors, "mine": mine,
               "form": request.form if errors else None}
    if kind == "month":
        previous, following = targets.months_around(first)
        context.update(previous=previous.strftime("%Y-%m"), following=following.strftime("%Y-%m"),
                       rates=periods.month_rates(first, mine), goals=periods.target_rows(first, mine, data),
                       text=periods.text_of(first, mine))
        if leader:
            written = periods.texts(first)
            context["advisor_texts"] = [(a, written.get(a.id)) for a, _ in data["by_advisor"]]
    else:
        context.update(previous=(first - timedelta(days=7)).isoformat(), following=(last + timedelta(days=1))
                       .isoformat())
    return render_template("numbers/period.html", **context), status


@bp.route("/period.xlsx")
@require("numbers.view")
def period_xlsx():
    if not _is_leader():
        abort(403)
    kind, first, last, label = _period()
    title = "校区周报" if kind == "week" else "校区月报"
    body = report.xlsx(first, periods.figures(first, last), title=title, period=label)
    return xlsx(body, "%s_%s.xlsx" % (title, label.replace(" – ", "_")))
