"""The numbers pages: 日报 (an advisor's day counted from the records, plus what she taps in by hand, and the
campus's day), 业绩目标, 周报 / 月报 and the monthly 排名. Leaders see every advisor; an advisor sees her own."""

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import clock, htmx, nav, policy
from xgapp.accounts.models import User
from xgapp.numbers import charts, daily, forms, manual, periods, rates, report, targets, trends
from xgapp.security import require
from xgapp.students import domain as students
from xgapp.validation import Invalid
from xgapp.web import xlsx

bp = Blueprint("numbers", __name__, url_prefix="/numbers")
nav.register("numbers.index", _l("Daily report"), "numbers.view", order=26)


def _day():
    """The page's ?day= (today when absent); 404 when it is no date."""
    try:
        return forms.parse_day(request.args)
    except Invalid:
        abort(404)


def _is_leader():
    return policy.is_numbers_leader(g.user)


def _advisor_or_404(advisor_id):
    advisor = User.get_or_none(User.id == advisor_id) if advisor_id else None
    if advisor is None or not policy.is_advisor(advisor):
        abort(404)
    if not policy.may_see_advisor_numbers(g.user, advisor):
        abort(404)  # an advisor sees her own numbers, not another's
    return advisor


def _tabs(current):
    """The numbers pages' tabs, with the one shown marked (current: "daily", "targets", "week", "month",
    "ranking")."""
    return {"tab": current}


@bp.route("/")
@require("numbers.view")
def index():
    """Leaders land on the campus's day; an advisor on her own."""
    day = request.args.get("day") or None
    if _is_leader():
        return redirect(url_for("numbers.campus", day=day))
    return redirect(url_for("numbers.advisor", advisor_id=g.user.id, day=day))


def _nav_days(day):
    today = clock.today()
    return {"day": day, "previous": day - timedelta(days=1), "following": day + timedelta(days=1) if day < today
            else None, "today": today}


@bp.route("/advisor/<int:advisor_id>")
@require("numbers.view")
def advisor(advisor_id):
    """One advisor's day: the figures counted from the records, her manual counters, follow-ups, classes ending."""
    person = _advisor_or_404(advisor_id)
    day = _day()
    figures = daily.advisor_day(person, day)
    month_progress = targets.progress(clock.month_start(day), advisor=person)
    return render_template("numbers/advisor.html", person=person, figures=figures,
                           columns=report.SCREEN_COLUMNS,
                           value=report.value, month_progress=month_progress, target_kinds=targets.KINDS,
                           kinds=manual.KINDS, may_tap=manual.may_tap(g.user, person, day),
                           leader=_is_leader(), **_tabs("daily"), **_nav_days(day))


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
                           value=report.value, **_tabs("daily"), **_nav_days(day))


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
    try:
        values = forms.parse_tap(request.form)
    except Invalid as exc:  # no such advisor or day (a hand-made request), or no such counter
        abort(404 if {"advisor", "day"} & set(exc.errors) else 422)
    person, day, kind = _advisor_or_404(values["advisor"]), values["day"], values["kind"]
    error = None
    try:
        manual.tap(g.user, person, day, kind, values["delta"])
    except Invalid as exc:
        error = next(iter(exc.errors.values()))
    if not htmx.is_request():
        if error is not None:
            abort(422)
        return redirect(url_for("numbers.advisor", advisor_id=person.id, day=day.isoformat()), code=303)
    count = manual.counts(day, person).get(person.id, {}).get(kind, 0)
    return render_template("numbers/_counter.html", person=person, day=day, kind=kind, label=manual.KINDS[kind],
                           count=count, may_tap=manual.may_tap(g.user, person, day), error=error), \
        422 if error else 200


def _month():
    """The page's ?month= (or the form's month field; this month when absent); 404 when it is no month."""
    try:
        return forms.parse_month(request.values)
    except Invalid:
        abort(404)


@bp.route("/targets", methods=["GET"])
@require("numbers.view")
def target_page():
    """业绩目标: the supervisor enters the branch's targets and splits them per advisor; everyone sees progress
    (an advisor only her own)."""
    return _targets_page(_month())


def _targets_page(month, errors=None, typed=None):
    leader = _is_leader()
    data = targets.progress(month, advisor=None if leader else g.user)
    previous, following = targets.months_around(month)
    return render_template("numbers/targets.html", month=month, data=data, kinds=targets.KINDS, leader=leader,
                           values=targets.load(month) if leader else {}, raw=typed or {}, errors=errors or {},
                           mismatches=targets.mismatches(month) if leader else {}, previous=previous,
                           following=following, **_tabs("targets")), 422 if errors else 200


@bp.route("/targets", methods=["POST"])
@require("numbers.view")
def save_targets():
    """Save the month's targets (leaders only): all or nothing, every bad box marked at once."""
    month = _month()
    if not _is_leader():
        abort(403)
    advisors = list(students.advisors())
    try:
        changed = targets.save(g.user, month, forms.parse_targets(request.form, advisors))
    except Invalid as exc:
        return _targets_page(month, exc.errors, forms.typed_targets(request.form, advisors))
    flash(_("Targets saved (%(n)d changed).", n=changed), "success")
    return redirect(url_for("numbers.target_page", month=month.strftime("%Y-%m")), code=303)


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
    """The month's ranking of advisors, the signing and renewal rates, and the excellent-team criteria.

    Everyone sees every advisor's position and name; an advisor sees the figures of her own row only
    (policy.may_see_ranking_figures), the leaders every row's and the campus's."""
    month = _month()
    data = rates.month_ranking(month)
    previous, following = targets.months_around(month)
    leader = _is_leader()
    rows = [row if policy.may_see_ranking_figures(g.user, row["advisor"])
            else {"rank": row["rank"], "advisor": row["advisor"], "hidden": True} for row in data["rows"]]
    chart = None
    if leader:
        series = trends.renewal_by_month(month)
        chart = charts.bars([(first.strftime("%y-%m"), rate) for first, rate, _r, _e in series],
                            _("Renewal rate by month"), "%", colour="#7c3aed", label_every=2)
    return render_template("numbers/ranking.html", rows=rows, campus=data if leader else None, month=month,
                           leader=leader, previous=previous, following=following, chart=chart,
                           renew_window=(rates.RENEW_BEFORE, rates.RENEW_AFTER), team_classes=rates.TEAM_CLASSES,
                           me=g.user.id, **_tabs("ranking"))


@bp.route("/ranking.xlsx")
@require("numbers.view")
def ranking_xlsx():
    if not _is_leader():
        abort(403)
    month = _month()
    return xlsx(report.ranking_xlsx(rates.month_ranking(month)), "学管师排名_%s.xlsx" % month.strftime("%Y-%m"))


def _period():
    """('week', Monday, Sunday, label) or ('month', first, last, label) from the query string (404 on nonsense)."""
    try:
        return forms.parse_period(request.values)
    except Invalid:
        abort(404)


@bp.route("/period", methods=["GET"])
@require("numbers.view")
def period():
    """周报 / 月报: the figures of a week or a month; for a month also the rates, the targets and the texts."""
    return _period_page(*_period())


def _period_page(kind, first, last, label, errors=None, typed=None):
    leader = _is_leader()
    mine = None if leader else g.user  # leaders write the campus's report, an advisor her own
    data = periods.figures(first, last, mine)
    context = {"kind": kind, "first": first, "last": last, "label": label, "leader": leader, "data": data,
               "columns": report.SCREEN_COLUMNS, "value": report.value, "errors": errors or {}, "mine": mine,
               "back": request.full_path, **_tabs(kind)}
    if kind == "month":
        previous, following = targets.months_around(first)
        text = periods.text_of(first, mine)
        context.update(previous=previous.strftime("%Y-%m"), following=following.strftime("%Y-%m"),
                       rates=periods.month_rates(first, mine), goals=periods.target_rows(first, mine, data),
                       text=text, values=typed if typed is not None else
                       {"summary": text.summary if text else "", "plan": text.plan if text else ""})
        if leader:
            written = periods.texts(first)
            context["advisor_texts"] = [(a, written.get(a.id)) for a, _ in data["by_advisor"]]
    else:
        context.update(previous=(first - timedelta(days=7)).isoformat(), following=(last + timedelta(days=1))
                       .isoformat())
    return render_template("numbers/period.html", **context), 422 if errors else 200


@bp.route("/period", methods=["POST"])
@require("numbers.view")
def save_period_text():
    """Save the 月报's summary and next month's plan (an advisor's own, or the campus's for a leader)."""
    kind, first, last, label = _period()
    if kind != "month":
        abort(404)
    mine = None if _is_leader() else g.user
    try:
        values = forms.parse_month_text(request.form)
        periods.save_text(g.user, first, mine, values["summary"], values["plan"])
    except Invalid as exc:
        typed = {"summary": request.form.get("summary", ""), "plan": request.form.get("plan", "")}
        return _period_page(kind, first, last, label, exc.errors, typed)
    flash(_("Monthly report saved."), "success")
    return redirect(url_for("numbers.period", month=label), code=303)


@bp.route("/period.xlsx")
@require("numbers.view")
def period_xlsx():
    if not _is_leader():
        abort(403)
    kind, first, last, label = _period()
    title = "校区周报" if kind == "week" else "校区月报"
    body = report.xlsx(first, periods.figures(first, last), title=title, period=label)
    return xlsx(body, "%s_%s.xlsx" % (title, label.replace(" – ", "_")))
