"""Figures over time for the charts: the last 30 days of signings and revenue, the renewal rate month by month."""

from datetime import timedelta
from decimal import Decimal

from peewee import fn

from xgapp import clock
from xgapp.contracts.models import Contract, Payment
from xgapp.db import money_sum
from xgapp.numbers import rates


def daily_series(first, last):
    """[(day, amount signed, money taken)] for every day from `first` to `last` (two grouped queries)."""
    signed = {day: money_sum(total) for day, total in
              Contract.select(Contract.signed_on, fn.SUM(Contract.amount))
              .where(Contract.signed_on.between(first, last)).group_by(Contract.signed_on).tuples()}
    taken = {day: money_sum(total) for day, total in
             Payment.select(Payment.day, fn.SUM(Payment.amount))
             .where(Payment.day.between(first, last)).group_by(Payment.day).tuples()}
    zero = Decimal("0.00")
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [(day, signed.get(day, zero), taken.get(day, zero)) for day in days]


def renewal_by_month(month, count=12):
    """[(first day of month, rate or None, renewed, ended)] for the `count` months up to `month`."""
    months = [month]
    while len(months) < count and months[-1].year * 12 + months[-1].month > 2000 * 12 + 1:  # the app's dates start in 2000
        months.append(clock.previous_month(months[-1]))
    series = []
    for first in reversed(months):
        last = clock.month_last(first)
        per_advisor = rates.renewal(first, last)
        renewed = sum(v[0] for v in per_advisor.values())
        ended = sum(v[1] for v in per_advisor.values())
        series.append((first, rates.ratio(renewed, ended), renewed, ended))
    return series
