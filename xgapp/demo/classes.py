"""Demo classes: a year of weekly tracks simulated day by day (enrolment, roll calls, renewals)."""


from xgapp.clock import fixed as clock
from xgapp.clock import now as utcnow
from xgapp.demo.common import CLASS_WEEKS, instant


ROOMS = ["101教室", "102教室", "103教室", "201教室", "202教室", "203教室"]
CLASS_SUBJECTS = ["数学", "英语", "语文", "物理", "化学"]
TERM = 16  # lessons per class, one a week; classes of a track follow each other back to back




def _tracks(today):
    """Fourteen weekly slots (two a day, so every day has lessons) and the first day of each slot's classes."""
    from datetime import time, timedelta

    start = today - timedelta(weeks=CLASS_WEEKS)
    start -= timedelta(days=start.weekday())
    tracks = []
    for i in range(14):
        weekday, slot = i % 7, i // 7
        clock = ((time(18), time(20)), (time(18, 30), time(20, 30)))[slot] if weekday < 5 else \
            ((time(9), time(11)), (time(14), time(16)))[slot]
        first = start + timedelta(days=weekday)
        if i == 13:  # this track's current class is near its end: 2 lessons (4 hours) left, on the renewal alert
            coming = today + timedelta(days=(weekday - today.weekday()) % 7)  # its next lesson, today or later
            current = coming - timedelta(weeks=TERM - 2)
            first = current - timedelta(weeks=TERM * ((current - first).days // (7 * TERM)))
        tracks.append((i, weekday, slot, clock, first))
    return tracks


def classes(rng, teachers, advisors, principal, today):
    """A year of classes on 14 weekly tracks, simulated day by day: each class is filled at its start (families
    without enough hours renew for the term), every past lesson gets its roll call (hours consumed through the
    ledger), and a class ends after its last lesson. Today's and later lessons stay planned."""
    from datetime import timedelta

    from xgapp.classes import domain as classes
    from xgapp.timetable import domain as timetable

    rooms = [classes.save_classroom(principal, name, rng.choice([15, 18, 20])) for name in ROOMS]
    for month_day, name in (((1, 1), "元旦"), ((5, 1), "劳动节"), ((10, 1), "国庆节")):
        day = today.replace(month=month_day[0], day=month_day[1])
        day = day if day > today else day.replace(year=day.year + 1)
        classes.add_holiday(principal, day, name)
    made, starts = [], {}
    for i, weekday, slot, (begin, finish), first in _tracks(today):
        subject = CLASS_SUBJECTS[i % len(CLASS_SUBJECTS)]
        term = 0
        while first <= today:
            term += 1
            grade = rng.choice(["五年级", "六年级", "初一", "初二", "初三"])
            klass = classes.create(principal, {
                "name": "%s%s班（周%s%s）%d期" % (grade, subject, "一二三四五六日"[weekday],
                                             "上下"[slot] if weekday >= 5 else "AB"[slot], term),
                "subject": subject, "grade": grade, "kind": "group",
                "teacher": teachers[(weekday + slot) % len(teachers)], "advisor": rng.choice(advisors),
                "classroom": rooms[(weekday + slot) % len(rooms)], "capacity": "15", "planned_lessons": str(TERM),
                "lesson_hours": "2", "start_on": first})
            with clock(instant(first) - timedelta(days=14)):  # a term is planned before it starts
                lessons = timetable.schedule(principal, klass, [weekday], begin, finish, first, TERM)
            klass.want = 15 if slot == 0 else rng.randrange(8, 13)  # every day has one full class
            starts.setdefault(first, []).append(klass)
            made.append((klass, lessons[-1].day))
            first = lessons[-1].day + timedelta(weeks=1)
    ends = {}
    for klass, last in made:
        if last < today:
            ends.setdefault(last, []).append(klass)
    day = min(starts)
    while day < today + timedelta(days=1):
        with clock(instant(day, 20) if day < today else utcnow()):
            _simulate_day(rng, day, today, starts, ends)
        day += timedelta(days=1)
    return [klass for klass, _ in made]


def _simulate_day(rng, day, today, starts, ends):
    """One day of the demo's classes: new classes filled, the day's roll calls, finished classes ended."""
    from datetime import datetime, timedelta, timezone

    from xgapp.attendance import domain as attendance
    from xgapp.changes import domain as changes
    from xgapp.classes import domain as classes
    from xgapp.classes.models import Lesson

    for klass in starts.get(day, []):
        _fill(rng, klass, day, today)
    if day < today:
        for lesson in Lesson.select().where(Lesson.day == day, Lesson.status == "planned").order_by(
                Lesson.starts_at):
            _renew_or_leave(rng, lesson, day)
            marks = {}
            for student, _, _ in classes.roster(lesson):
                roll = rng.random()
                mark = "present" if roll < 0.85 else "late" if roll < 0.9 else "leave" if roll < 0.95 else "absent"
                if mark == "leave":
                    early = rng.random() < 0.5
                    at = lesson.starts_at - timedelta(hours=48 if early else 3)
                    attendance.report_leave(lesson.klass.advisor, lesson, student,
                                            "生病请假" if early else "临时有事",
                                            at=max(at, datetime(2000, 1, 1, tzinfo=timezone.utc)))
                marks[student.id] = mark
            if marks:
                attendance.confirm(lesson.teacher, lesson, marks, today=day)
        for klass in ends.get(day, []):
            changes.end_class(klass.advisor, klass, day, "学期结束")


def _renew_or_leave(rng, lesson, day):
    """Before a roll call: a student out of hours renews (most families) or leaves the class."""
    from decimal import Decimal

    from xgapp.changes import domain as changes
    from xgapp.classes import domain as classes
    from xgapp.classes.models import Enrolment
    from xgapp.contracts import domain as contracts
    from xgapp.hours import domain as hours

    klass = lesson.klass
    expected = [(s, kind) for s, kind, _ in classes.roster(lesson) if kind in ("regular", "join")]
    balances = hours.balances_for([s.id for s, _ in expected]) if expected else {}
    for student, _ in expected:
        if balances.get(student.id, {}).get(klass.subject, Decimal(0)) >= lesson.hours:
            continue
        if rng.random() < 0.75:
            price = rng.choice([150, 180])
            contracts.create(klass.advisor, student, {
                "kind": contracts.suggested_kind(student, klass.subject), "subject": klass.subject,
                "hours": str(2 * TERM), "unit_price": str(price), "discount": "0", "free_hours": "0"},
                [{"amount": str(2 * TERM * price), "method": rng.choice(list(contracts.METHODS))}], today=day)
        else:
            enrolment = Enrolment.get(Enrolment.klass == klass, Enrolment.student == student,
                                      Enrolment.status == "active", Enrolment.kind.in_(["regular", "join"]))
            changes.leave_class(klass.advisor, enrolment, day, "课时用完，暂不续费")


def _fill(rng, klass, day, today):
    """Enrol students at a class's start: families with a contract on file; those short of hours renew."""
    from datetime import timedelta
    from decimal import Decimal

    from xgapp.classes import domain as classes
    from xgapp.contracts import domain as contracts
    from xgapp.contracts.models import Contract
    from xgapp.hours import domain as hours
    from xgapp.students.models import Student
    from xgapp.validation import Invalid

    signed = Contract.select(Contract.student).where(Contract.signed_on <= day)
    pool = list(Student.select().where(Student.id.in_(signed), Student.status != "refunded"))
    rng.shuffle(pool)
    balances = hours.balances_for([st.id for st in pool]) if pool else {}
    for student in pool:
        if len(classes.members(klass)) >= klass.want:
            break
        joined = day if rng.random() < 0.85 else day + timedelta(weeks=rng.randrange(1, 4))
        joined = min(joined, today)
        if balances.get(student.id, {}).get(klass.subject, Decimal(0)) < Decimal(2 * TERM):
            price = rng.choice([150, 180])  # the family renews for the term
            try:
                with_clash = classes.clashes_for(klass, student, joined)
                if with_clash:
                    continue
                contracts.create(klass.advisor, student, {
                    "kind": contracts.suggested_kind(student, klass.subject), "subject": klass.subject,
                    "hours": str(2 * TERM), "unit_price": str(price), "discount": "0", "free_hours": "0"},
                    [{"amount": str(2 * TERM * price), "method": rng.choice(list(contracts.METHODS))}],
                    today=joined)
            except Invalid:
                continue
        try:
            classes.enrol(klass.advisor, klass, student, joined)
        except Invalid:  # clashes with the student's other class, or already in it
            continue
