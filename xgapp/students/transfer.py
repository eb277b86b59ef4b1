"""Roster import and .xlsx exports.

A roster comes as a campus keeps it (.xlsx or .csv): title rows above the header are skipped, totals rows too, the
sheet's columns are mapped to fields (guessed from their names, changed once on the preview and remembered for the
next import), values are read the usual ways (`cells`), and every remaining problem is reported at once with its
Excel row and column. Nothing is imported until the whole file is clean; then all of it, in one transaction.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import peewee as pw

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import audit, clock, sheets
from xgapp.accounts.models import User
from xgapp.campus.models import CampusRule
from xgapp.db import write
from xgapp.students import cells, domain
from xgapp.students import sheet as roster
from xgapp.students.models import Guardian, Student
from xgapp.students.sheet import MAX_ROWS, TITLE_ROWS, ImportProblem, blank
from xgapp.validation import Invalid

__all__ = ["ImportProblem", "MAX_ROWS", "preview", "parse", "import_all", "template", "export_students",
           "export_contracts"]


@dataclass(frozen=True)
class Field:
    key: str
    column: str  # its header in the template (and in the export)
    label: object
    synonyms: tuple = ()


FIELDS = [
    Field("name", "姓名", _l("Name"), ("学生姓名", "学员姓名", "学生", "学员", "孩子姓名", "名字", "name")),
    Field("gender", "性别", _l("Gender"), ("gender",)),
    Field("birthday", "出生日期", _l("Birthday"), ("生日", "出生年月日", "出生年月", "出生", "birthday")),
    Field("school", "学校", _l("School"), ("就读学校", "在读学校", "所在学校", "school")),
    Field("grade", "年级", _l("Grade"), ("就读年级", "在读年级", "grade")),
    Field("advisor", "学管师", _l("Advisor"), ("学管", "学管老师", "负责学管师", "负责人", "班主任", "advisor")),
    Field("source", "来源", _l("Source"), ("来源渠道", "渠道", "客户来源", "信息来源", "source")),
    Field("guardian", "监护人姓名", _l("Guardian's name"),
          ("家长姓名", "家长", "监护人", "联系人", "家长名字", "guardian")),
    Field("relation", "关系", _l("Relation"), ("与学生关系", "与学员关系", "家长关系", "监护人关系", "亲属关系", "relation")),
    Field("mobile", "手机", _l("Mobile"), ("手机号", "手机号码", "联系电话", "电话", "家长电话", "家长手机", "联系方式",
                                            "电话号码", "监护人电话", "监护人手机", "mobile", "phone")),
    Field("wechat", "微信", _l("WeChat"), ("微信号", "家长微信", "wechat")),
    Field("can_pickup", "可接送", _l("May pick the child up"), ("接送", "是否可接送")),
    Field("special_attention", "特别关注", _l("Special attention"), ("重点关注", "需特别关注")),
    Field("notes", "备注", _l("Notes"), ("说明", "备注信息", "notes")),
]
# a family's second and third guardian (domain.MAX_GUARDIANS), each in columns of its own after the first one's
OTHER_GUARDIANS = tuple(range(2, domain.MAX_GUARDIANS + 1))
for _n in OTHER_GUARDIANS:
    FIELDS += [
        Field("guardian%d" % _n, "监护人%d姓名" % _n, _l("Guardian %(n)d's name", n=_n),
              ("家长%d姓名" % _n, "家长%d" % _n, "监护人%d" % _n, "联系人%d" % _n)),
        Field("relation%d" % _n, "关系%d" % _n, _l("Relation of guardian %(n)d", n=_n),
              ("监护人%d关系" % _n, "家长%d关系" % _n)),
        Field("mobile%d" % _n, "手机%d" % _n, _l("Mobile of guardian %(n)d", n=_n),
              ("监护人%d手机" % _n, "家长%d手机" % _n, "家长%d电话" % _n, "电话%d" % _n)),
        Field("wechat%d" % _n, "微信%d" % _n, _l("WeChat of guardian %(n)d", n=_n), ("家长%d微信" % _n,)),
        Field("can_pickup%d" % _n, "可接送%d" % _n, _l("Guardian %(n)d may pick the child up", n=_n), ()),
    ]
BY_KEY = {f.key: f for f in FIELDS}
COLUMNS = [f.column for f in FIELDS]
REQUIRED = ("name", "guardian", "mobile")  # the advisor and the relation may also be chosen for the whole import
TOTALS = re.compile(r"^(合计|总计|小计|共计|总数|累计|制表|填表|审核)")  # totals and sign-off rows below the students
REMEMBERED = "import:"  # prefix of the campus rules that remember how this campus's headers map to fields


def header_key(value):
    """A header as compared: full-width made ordinary, no spaces, no asterisk, no (必填)-style note."""
    raw = unicodedata.normalize("NFKC", cells.text(value)).lower()
    raw = re.sub(r"[(\[【].*?[)\]】]", "", raw)
    return re.sub(r"[\s*:_\-/]+", "", raw)[:30]


SYNONYMS = {header_key(s): f.key for f in FIELDS for s in (f.column,) + f.synonyms}


class Problem(str):
    """One problem of a row, as shown; `column` names the sheet's column it is about."""

    def __new__(cls, message, column=""):
        self = super().__new__(cls, message)
        self.column = column
        return self


@dataclass
class Column:
    index: int
    letter: str
    header: str
    samples: list
    field: str = ""  # the field it is imported as ("" = not imported)
    problem: str = ""


@dataclass
class Duplicate:
    number: int
    name: str
    matches: str  # who it may be: students on file, or an earlier row of the file
    choice: str = ""  # "new", "skip" or "" (not chosen yet)
    problem: str = ""


@dataclass
class Preview:
    """What an uploaded roster would import, with everything that still stops it."""

    header_row: int
    columns: list
    title_rows: list = field(default_factory=list)
    total_rows: list = field(default_factory=list)
    mapping_problems: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)  # row number -> [Problem]
    duplicates: dict = field(default_factory=dict)  # row number -> Duplicate
    parsed: list = field(default_factory=list)  # (row number, student data, guardians) to import
    skipped: list = field(default_factory=list)  # row numbers the user chose to skip
    advisor: object = None  # for rows without one
    relation: str = ""
    rows: int = 0  # students' rows below the header

    @property
    def unresolved(self):
        """Rows flagged as possible duplicates with no choice made yet."""
        return [d for d in self.duplicates.values() if not d.choice]

    @property
    def ready(self):
        """True when confirming would import every row (nothing left to fix or choose)."""
        return bool(self.parsed) and not (self.mapping_problems or self.errors or self.unresolved)

    def mapping(self):
        """{column index: field} as used."""
        return {c.index: c.field for c in self.columns if c.field}


def remembered():
    """{header: field} as this campus mapped its sheet's columns at earlier imports ("" = not imported)."""
    rows = CampusRule.select(CampusRule.name, CampusRule.value).where(CampusRule.name.startswith(REMEMBERED))
    return {r.name[len(REMEMBERED):]: r.value if r.value in BY_KEY else "" for r in rows}


def _remember(by, columns):
    stored, seen = remembered(), set()
    for column in columns:
        key = header_key(column.header)
        if not key or key in seen:
            continue
        seen.add(key)
        if stored.get(key, SYNONYMS.get(key, "")) == column.field:
            continue  # what the next import would guess anyway
        name, now = REMEMBERED + key, clock.now()
        CampusRule.insert(name=name, value=column.field, updated_at=now, updated_by=by).on_conflict(
            conflict_target=[CampusRule.name],
            update={CampusRule.value: column.field, CampusRule.updated_at: now, CampusRule.updated_by: by},
        ).execute()
        audit.record(by, "update", "campus_rule", name, before={"value": stored.get(key)},
                     after={"value": column.field}, summary=column.header[:60])


def _find_header(rows, stored):
    best, best_score = None, 1
    for position, row in enumerate(rows[:TITLE_ROWS + 1]):
        keys = [header_key(v) for v in row.values]
        found = {stored[k] if k in stored else SYNONYMS.get(k, "") for k in keys if k}
        found.discard("")
        if len(found) > best_score:
            best, best_score = position, len(found)
    return best


def _guess(header, stored):
    mapping, taken = {}, set()
    for i, value in enumerate(header.values):
        key = header_key(value)
        field_key = (stored[key] if key in stored else SYNONYMS.get(key, "")) if key else ""
        if field_key and field_key not in taken:
            mapping[i] = field_key
            taken.add(field_key)
    return mapping


def _is_totals(row, name_at):
    first = next((v for v in row.values if not blank(v)), "")
    if TOTALS.match(cells.plain(first)):
        return True
    if not row.formulas:
        return False
    name = row.values[name_at] if name_at is not None and name_at < len(row.values) else None
    return name_at is None or name_at in row.formulas or blank(name)


def _columns(header, data_rows, mapping):
    from openpyxl.utils import get_column_letter  # openpyxl loads only when a roster is read

    width = max((i + 1 for i, v in enumerate(header.values) if not blank(v)), default=0)
    columns = []
    for i in range(width):
        samples = []
        for row in data_rows:
            if i < len(row.values) and not blank(row.values[i]):
                samples.append(cells.text(row.values[i])[:20])
                if len(samples) == 3:
                    break
        columns.append(Column(i, get_column_letter(i + 1), cells.text(header.values[i]), samples, mapping.get(i, "")))
    return columns


def _check_mapping(p):
    used = {}
    for column in p.columns:
        if not column.field:
            continue
        if column.field in used:
            column.problem = _("Column %(letter)s is already imported as %(field)s.", letter=used[column.field].letter,
                               field=BY_KEY[column.field].label)
        else:
            used[column.field] = column
    missing = [str(BY_KEY[f].label) for f in REQUIRED if f not in used]
    if missing:
        p.mapping_problems.append(_("The sheet is missing a column for: %(fields)s. Choose the column that holds "
                                    "it, or add it to the sheet.", fields="、".join(missing)))
    if "advisor" not in used and p.advisor is None:
        p.mapping_problems.append(_("The sheet has no advisor column: choose the advisor of these students."))
    if any(c.problem for c in p.columns):
        p.mapping_problems.append(_("Each field can come from one column only."))
    return {f: c.index for f, c in used.items()}


def _on_file(names):
    found, names = {}, sorted(names)
    query = Student.select(Student, User).join(User, pw.JOIN.LEFT_OUTER, on=(Student.advisor == User.id))
    chunks = (query.where(Student.name.in_(names[start:start + 500])) for start in range(0, len(names), 500))
    for s in (s for chunk in chunks for s in chunk):
        details = " · ".join(x for x in (s.grade, s.school, s.advisor.display_name if s.advisor_id else "") if x)
        found.setdefault(s.name, []).append("%s（%s）" % (s.name, details) if details else s.name)
    return found


def _merged_rows(p, merges, index, headers):
    """{row number: [Problem]} for rows whose cell is merged with the row above (a value shown once for two rows)."""
    where = {i: f for f, i in index.items()}
    found = {}
    for m in merges:
        mapped = [where[c] for c in range(m.first_col, m.last_col + 1) if c in where]
        if m.last_row == m.first_row or m.last_row <= p.header_row or not mapped:
            continue
        for number in range(max(m.first_row + 1, p.header_row + 1), m.last_row + 1):
            found.setdefault(number, []).append(Problem(
                _("Merged with the row above (%(ref)s): unmerge the cells and fill in every row.", ref=m.ref),
                headers[mapped[0]]))
    return found


def _check_rows(p, data_rows, index, merges, choices, asked):
    from openpyxl.utils import get_column_letter  # openpyxl loads only when a roster is read

    headers = {f.key: f.column for f in FIELDS}
    headers.update({f: p.columns[i].header or BY_KEY[f].column for f, i in index.items()})
    people = {}
    for person in domain.advisors():
        people[cells.plain(person.username).lower()] = person
        people[cells.plain(person.display_name).lower()] = person
    names = {cells.text(r.values[index["name"]]) for r in data_rows if index["name"] < len(r.values)} \
        if "name" in index else set()
    on_file = _on_file(names - {""})
    known_mobiles = {g.mobile for g in Guardian.select(Guardian.mobile)}
    merged = _merged_rows(p, merges, index, headers)
    seen_names, seen_mobiles, today = {}, {}, clock.today()
    for row in data_rows:
        number = row.number
        raw = {f: row.values[i] if i < len(row.values) else None for f, i in index.items()}
        text = {f: cells.text(v) for f, v in raw.items()}
        name = text.get("name", "")
        matches = list(on_file.get(name, []))
        if name and name in seen_names:
            matches.append(_("row %(row)d of this file", row=seen_names[name]))
        if name:
            seen_names.setdefault(name, number)
        if matches:
            flag = p.duplicates[number] = Duplicate(number, name, "；".join(matches), choices.get(number, ""))
            if flag.choice == "skip":
                p.skipped.append(number)
                continue
            if not flag.choice and asked:
                flag.problem = _("Choose: import as a new student, or skip this row.")
        problems = list(merged.get(number, []))

        def problem(message, key):
            problems.append(Problem(message, headers[key]))

        for key, i in index.items():
            if i in row.formulas:
                problem(_("Cell %(cell)s holds a formula. Paste values only (Paste Special → Values).",
                          cell="%s%d" % (get_column_letter(i + 1), number)), key)
        for key in REQUIRED:
            if key in index and not text[key]:
                problem(_("%(column)s is empty.", column=headers[key]), key)
        advisor = p.advisor
        if text.get("advisor"):
            advisor = people.get(cells.plain(text["advisor"]).lower())
            if advisor is None:
                problem(_("Unknown advisor “%(name)s”.", name=text["advisor"]), "advisor")
        elif "advisor" in index and advisor is None:
            problem(_("%(column)s is empty: fill it in, or choose the advisor for every row without one.",
                      column=headers["advisor"]), "advisor")
        values = {}
        for key, reader, message in (
                ("gender", cells.gender, _("Gender must be 男 or 女.")),
                ("grade", cells.grade, _("Unknown grade “%(value)s”.", value=text.get("grade", ""))),
                ("source", cells.source, _("Unknown source “%(value)s”.", value=text.get("source", "")))):
            try:
                values[key] = reader(raw.get(key))
            except ValueError:
                problem(message, key)
        birthday = None
        if text.get("birthday"):
            try:
                birthday = cells.birthday(raw["birthday"])
            except (ValueError, OverflowError):
                problem(_("Birthday “%(value)s” is not a date like 2015-03-08.", value=text["birthday"]), "birthday")
            else:
                if birthday > today:
                    problem(_("Birthday %(value)s is in the future.", value=birthday.isoformat()), "birthday")

        def guardian(n, fallback_relation=""):
            """The guardian of columns `n` ("" for the first, "2", "3"), or None when those columns are empty."""
            name, typed = text.get("guardian" + n, ""), text.get("mobile" + n, "")
            if n and not (name or typed or text.get("wechat" + n)):
                return None
            mobile = ""
            if typed:
                try:
                    mobile = cells.mobile(raw["mobile" + n])
                except ValueError:
                    problem(_("Mobile “%(value)s” is not an 11-digit mainland number.", value=typed), "mobile" + n)
            elif n:
                problem(_("%(column)s is empty.", column=headers["mobile" + n]), "mobile" + n)
            if mobile and mobile in known_mobiles:
                problem(_("Mobile %(mobile)s is already on file (duplicate family).", mobile=mobile), "mobile" + n)
            elif mobile and mobile in seen_mobiles:
                problem(_("Mobile %(mobile)s is also on row %(row)d.", mobile=mobile, row=seen_mobiles[mobile]),
                        "mobile" + n)
            if mobile:
                seen_mobiles.setdefault(mobile, number)
            relation = ""
            try:
                relation = cells.relation(raw.get("relation" + n), name) or fallback_relation
            except ValueError:
                problem(_("Relation must be one of %(list)s.", list="、".join(domain.RELATIONS)), "relation" + n)
            else:
                if not relation:
                    problem(_("%(column)s is empty: fill it in, or choose the relation for every row without one.",
                              column=headers["relation" + n]) if not n else
                            _("%(column)s is empty.", column=headers["relation" + n]), "relation" + n)
            can_pickup = True
            try:
                can_pickup = cells.yes_no(raw.get("can_pickup" + n), True)
            except ValueError:
                problem(_("%(column)s must be 是 or 否.", column=headers["can_pickup" + n]), "can_pickup" + n)
            return {"name": name, "relation": relation, "mobile": mobile, "wechat": text.get("wechat" + n, ""),
                    "can_pickup": can_pickup}

        guardians = [guardian("", p.relation)] + [g for g in (guardian(str(n)) for n in OTHER_GUARDIANS) if g]
        attention, attention_note = cells.attention(raw.get("special_attention"))
        if problems:
            at = {headers[f]: i for f, i in index.items()}
            p.errors[number] = sorted(problems, key=lambda x: at.get(x.column, -1))  # as the sheet reads, left to right
            continue
        if number in p.duplicates and not p.duplicates[number].choice:
            continue
        p.parsed.append((number, {
            "name": name, "gender": values["gender"], "birthday": birthday, "school": text.get("school", ""),
            "grade": values["grade"], "advisor": advisor, "source": values["source"],
            "special_attention": attention, "attention_note": attention_note, "notes": text.get("notes", ""),
        }, guardians))


def preview(filename, data, mapping=None, advisor_id=None, relation="", choices=None):
    """Read an uploaded roster and check every row: a Preview of what would be imported and what stops it.

    `mapping` ({column index: field}) replaces the guessed one; `advisor_id` and `relation` fill rows without
    them; `choices` ({row: "new" | "skip"}) settles rows flagged as possible duplicates. Raises ImportProblem when
    the file cannot be read at all.
    """
    sheet = roster.read(filename, data)
    stored = remembered()
    position = _find_header(sheet.rows, stored)
    if position is None:
        raise ImportProblem(_("No header row found: none of the first %(n)d rows names two of the columns (姓名, "
                              "家长姓名, 手机…). Download the template to see them.", n=TITLE_ROWS + 1))
    header = sheet.rows[position]
    chosen = _guess(header, stored) if mapping is None else {i: f for i, f in mapping.items() if f in BY_KEY}
    name_at = next((i for i, f in sorted(chosen.items()) if f == "name"), None)
    p = Preview(header.number, [], title_rows=[r.number for r in sheet.rows[:position]])
    data_rows = []
    for row in sheet.rows[position + 1:]:
        if _is_totals(row, name_at):
            p.total_rows.append(row.number)
        else:
            data_rows.append(row)
    if len(data_rows) > MAX_ROWS:
        raise roster.too_many(len(data_rows))
    p.rows = len(data_rows)
    p.columns = _columns(header, data_rows, chosen)
    if advisor_id is not None:
        p.advisor = domain.advisors().where(User.id == advisor_id).first()
    p.relation = relation if relation in domain.RELATIONS else ""
    index = _check_mapping(p)
    _check_rows(p, data_rows, index, sheet.merges, choices or {}, asked=choices is not None)
    return p


def parse(filename, data):
    """(rows to import, {row: problems}) with the columns guessed; raises ImportProblem for a missing column."""
    p = preview(filename, data)
    if p.mapping_problems:
        raise ImportProblem(" ".join(p.mapping_problems))
    return p.parsed, p.errors


def import_all(by, p, filename=""):
    """Create every student of a clean preview in one audited transaction (all or nothing); remember the columns."""
    if not p.ready:
        raise ImportProblem(_("The file no longer imports cleanly; upload it again to see why."))
    with write():
        _remember(by, p.columns)
        made = []
        for number, data, guardians in p.parsed:
            try:
                made.append(domain.create(by, data, guardians, confirm_duplicate=True))
            except Invalid as exc:
                raise ImportProblem(_("Row %(row)d: %(problem)s", row=number,
                                      problem="; ".join(str(m) for m in exc.errors.values()))) from exc
        audit.record(by, "import", "student", None, after={
            "file": filename, "students": [s.id for s in made], "rows": [n for n, _d, _g in p.parsed],
            "skipped_rows": p.skipped, "mapping": {c.header: c.field for c in p.columns}},
            summary=_("%(n)d students imported from %(file)s", n=len(made), file=filename or "—")[:200])
        return made


def template():
    """The import template as .xlsx bytes: the header row and one example row."""

    book = sheets.workbook()
    sheet = book.active
    sheet.title = "学员"
    sheets.append(sheet, COLUMNS)
    sheets.append(sheet, ["张小明", "男", date(2015, 3, 8), "海淀实验小学", "五年级", "advisor1", "热线电话", "张妈妈", "母亲",
                          "13812345678", "zhangmama", "是", "否", "对花生过敏"])
    for column in "ABCDEFGHIJKLMN":
        sheet.column_dimensions[column].width = 14
    return sheets.saved(book)


def export_students(students):
    """Students with all their guardians as .xlsx bytes: the columns of the import template (a family's other
    guardians in their own columns) and the status, so what is exported imports back."""

    book = sheets.workbook()
    sheet = book.active
    sheet.title = "学员"
    sheets.append(sheet, COLUMNS + ["状态"])
    labels = cells.SOURCE_LABELS
    advisors = {u.id: u.display_name for u in User.select(User.id, User.display_name)}
    ids = [s.id for s in students]
    guardians = {}
    for g in Guardian.select().where(Guardian.student.in_(ids)).order_by(Guardian.position):
        guardians.setdefault(g.student_id, []).append(g)

    def columns(g):
        if g is None:
            return ["", "", "", "", ""]
        return [g.name, g.relation, g.mobile, g.wechat, "是" if g.can_pickup else "否"]

    for s in students:
        family = (guardians.get(s.id, []) + [None] * domain.MAX_GUARDIANS)[:domain.MAX_GUARDIANS]
        first = columns(family[0])
        sheets.append(sheet, [
            s.name, {"M": "男", "F": "女"}.get(s.gender, ""), s.birthday, s.school, s.grade,
            advisors.get(s.advisor_id, ""), labels.get(s.source, ""), *first[:4], first[4],
            "是" if s.special_attention else "否", s.notes] + [v for g in family[1:] for v in columns(g)]
            + [str(domain.STATUSES[s.status])])
    return sheets.saved(book)


def export_contracts(contracts, paid):
    """Contracts with amounts and money received as .xlsx bytes."""

    from xgapp.contracts.domain import KINDS

    book = sheets.workbook()
    sheet = book.active
    sheet.title = "合同"
    sheets.append(sheet, ["合同号", "学员", "类型", "科目", "购买课时", "赠送课时", "单价", "优惠", "金额", "已收", "签约日期",
                          "学管师", "状态"])
    for c in contracts:
        sheets.append(sheet, [c.number, c.student.name, str(KINDS[c.kind]), c.subject, c.hours, c.free_hours,
                              c.unit_price, c.discount, c.amount, paid.get(c.id, Decimal("0.00")), c.signed_on,
                              c.advisor.display_name, {"open": "在读", "refunded": "已退费"}.get(c.status, c.status)])
    return sheets.saved(book)
