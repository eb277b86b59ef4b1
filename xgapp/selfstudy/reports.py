"""Study-room figures: attendance per day and week, per advisor's students, per student; course-end students."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from xgapp.accounts.models import User
from xgapp.selfstudy.models import Visit
from xgapp.students.models import Student

MAX_DAYS = 366


@dataclass
class Tally:
    visits: int = 0
    minutes: int = 0
    students: set = field(default_factory=set)
    not_on_file: int = 0  # picked up by someone not in the file
    resolved: int = 0  # closed by staff after closing time

    def add(self, student_id, minutes, not_on_file, resolved):
        self.visits += 1
        self.students.add(student_id)
        self.minutes += minutes
        self.not_on_file += not_on_file
        self.resolved += resolved

    @property
    def average(self):
        return round(self.minutes / self.visits) if self.visits else 0


def _visits(first, last, among=None):
    """(day, student id, advisor id, minutes, picked up by someone not on file, closed by staff) per visit."""
    query = (Visit.select(Visit.day, Visit.student, Student.advisor, Visit.arrived_at, Visit.left_at,
                          Visit.pickup_kind, Visit.resolved_at.is_null(False))
             .join(Student, on=(Visit.student == Student.id))
             .where(Visit.day >= first, Visit.day <= last))
    if among is not None:
        query = query.where(Visit.student.in_(among))
    for day, student, advisor, arrived, left, pickup, resolved in query.tuples():
        minutes = max(0, int((left - arrived).total_seconds() // 60)) if left is not None else 0
        yield day, student, advisor, minutes, int(pickup == "other"), int(bool(resolved))


def summary(first, last, among=None):
    """Per day and per ISO week (Monday) of [first, last], per advisor and per student: one pass over the visits."""
    days, weeks, advisors, pupils, total = defaultdict(Tally), defaultdict(Tally), defaultdict(Tally), \
        defaultdict(Tally), Tally()
    monday = {}
    for day, sid, advisor, *figures in _visits(first, last, among):
        if day not in monday:
            monday[day] = day - timedelta(days=day.weekday())
        for tally in (days[day], weeks[monday[day]], advisors[advisor], pupils[sid], total):
            tally.add(sid, *figures)
    names = {u.id: u.display_name for u in User.select(User.id, User.display_name)
             .where(User.id.in_([a for a in advisors if a is not None]))} if advisors else {}
    students = {s.id: s for s in Student.select(Student.id, Student.name, Student.school, Student.advisor)
                .where(Student.id.in_(list(pupils)))} if pupils else {}
    every_day = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return {
        "days": [(d, days.get(d, Tally())) for d in every_day],
        "weeks": sorted(weeks.items()),
        "advisors": sorted(((names.get(a, "—"), t) for a, t in advisors.items()), key=lambda r: -r[1].visits),
        "students": sorted(((students[s], t) for s, t in pupils.items()), key=lambda r: (-r[1].visits, r[0].name)),
        "total": total,
    }


def course_end(since, until):
    """Students whose course ended (status 结课) since `since`: have they come to the study room since?"""
    finished = list(Student.select(Student, User).join(User, on=(Student.advisor == User.id))
                    .where(Student.status == "finished", Student.status_since >= since,
                           Student.status_since <= until).order_by(Student.status_since.desc()))
    if not finished:
        return []
    seen = defaultdict(list)
    for visit in (Visit.select(Visit.student, Visit.day).where(Visit.student.in_([s.id for s in finished]),
                                                              Visit.day >= since).order_by(Visit.day)):
        seen[visit.student_id].append(visit.day)
    return [(s, [d for d in seen[s.id] if d >= s.status_since]) for s in finished]


def xlsx(first, last, data):
    """The report as .xlsx (Chinese headers, numbers as numbers)."""
    from io import BytesIO

    from xgapp.xlsx import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "每日"
    sheet.append(["日期", "人次", "人数", "平均时长(分钟)", "非登记人员接走", "闭馆后处理"])
    for day, t in data["days"]:
        sheet.append([day, t.visits, len(t.students), t.average, t.not_on_file, t.resolved])
        sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm-dd"
    weeks = book.create_sheet("每周")
    weeks.append(["周一", "人次", "人数", "平均时长(分钟)"])
    for monday, t in data["weeks"]:
        weeks.append([monday, t.visits, len(t.students), t.average])
        weeks.cell(weeks.max_row, 1).number_format = "yyyy-mm-dd"
    advisors = book.create_sheet("按学管师")
    advisors.append(["学管师", "人次", "人数", "平均时长(分钟)"])
    for name, t in data["advisors"]:
        advisors.append([name, t.visits, len(t.students), t.average])
    pupils = book.create_sheet("按学员")
    pupils.append(["学员", "学校", "人次", "总时长(分钟)"])
    for student, t in data["students"]:
        pupils.append([student.name, student.school, t.visits, t.minutes])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
