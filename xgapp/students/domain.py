"""Student rules: validation, duplicate families, status history, search, reassignment (who may see what: policy)."""

import itertools

from flask_babel import lazy_gettext as _l
from pypinyin import Style, pinyin

from xgapp import audit, clock, policy, validation
from xgapp.accounts.models import User, UserRole
from xgapp.db import newest, write
from xgapp.i18n import stored_text
from xgapp.students.models import Guardian, StatusChange, Student
from xgapp.validation import Invalid

GENDERS = {"M": _l("Boy"), "F": _l("Girl")}
GRADES = ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二", "初三", "高一", "高二", "高三"]
SOURCES = {
    "hotline": _l("Hotline call"), "walkin": _l("Walk-in"), "street": _l("Street promotion"),
    "referral": _l("Referral"), "event": _l("Event"), "online": _l("Online"), "other": _l("Other"),
}
STATUSES = {
    "prospect": _l("Prospect"), "trial": _l("Trial"), "active": _l("Enrolled"), "paused": _l("Paused"),
    "finished": _l("Finished"), "refunded": _l("Refunded"),
}
RELATIONS = ["父亲", "母亲", "爷爷", "奶奶", "外公", "外婆", "其他"]
MAX_GUARDIANS = 3
NAME_MAX = 40  # a student's or guardian's name: longer is refused with a message, never cut

# Who sees what of a student file is decided in policy; these names stay for callers outside students until the merge.


def advisors():
    """Active users holding the advisor role (who can own students)."""
    return (User.select().join(UserRole).where(UserRole.role == "advisor", User.active == True)  # noqa: E712
            .order_by(User.display_name))


def search_text(name, school=""):
    """Name, every pinyin reading (surnames have several: 曾 zeng/ceng) and initials, lower case."""
    readings = pinyin(name, style=Style.NORMAL, heteronym=True, errors="ignore")
    readings = [r[:2] for r in readings] or [[""]]
    keys = {name.lower(), school.lower()}
    for combo in itertools.islice(itertools.product(*readings), 8):
        keys.add("".join(combo))
        keys.add("".join(part[:1] for part in combo))
    return " ".join(sorted(k for k in keys if k))[:400]


def search(user, term, limit=20):
    """Students matching a name, pinyin (full or initials), school or guardian phone tail, visible to `user`."""
    term = validation.search_term(term).lower()
    if not term:
        return []
    query = policy.students_visible_to(user)
    if term.isdigit() and len(term) >= 3:
        tails = Guardian.select(Guardian.student).where(Guardian.mobile.endswith(term))
        query = query.where(Student.id.in_(tails))
    else:
        query = query.where(Student.search_text.contains(term))
    return list(query.order_by(Student.status == "finished", Student.name).limit(limit))


def check_student(data, today=None):
    """The student file's values checked and tidied: (values, {field: message}) with every problem at once."""
    errors, values = {}, {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = _l("Enter the student's name.")
    elif validation.too_long(name, NAME_MAX):
        errors["name"] = validation.too_long(name, NAME_MAX)
    values["name"] = name
    values["gender"] = data.get("gender") if data.get("gender") in GENDERS else ""
    values["birthday"] = data.get("birthday") or None
    if values["birthday"] and values["birthday"] > (today or clock.today()):
        errors["birthday"] = _l("The birthday cannot be in the future.")
    values["school"] = (data.get("school") or "").strip()[:60]
    grade = (data.get("grade") or "").strip()
    if grade and grade not in GRADES:
        errors["grade"] = _l("Choose a grade from the list.")
    values["grade"] = grade
    source = data.get("source") or ""
    if source and source not in SOURCES:
        errors["source"] = _l("Choose a source from the list.")
    values["source"] = source
    advisor = data.get("advisor")
    if advisor is not None and not advisors().where(User.id == getattr(advisor, "id", advisor)).exists():
        errors["advisor"] = _l("Choose an active advisor.")
    values["advisor"] = advisor
    values["referrer"] = data.get("referrer")
    values["referrer_note"] = (data.get("referrer_note") or "").strip()[:60]
    values["special_attention"] = bool(data.get("special_attention"))
    values["attention_note"] = (data.get("attention_note") or "").strip()[:200]
    values["may_leave_alone"] = bool(data.get("may_leave_alone"))
    values["notes"] = (data.get("notes") or "").strip()
    return values, errors


def check_guardians(rows):
    """The guardian rows checked (empty rows skipped): (rows to save, {field: message}) with every problem."""
    errors, cleaned = {}, []
    for i, row in enumerate(rows):
        if not any((row.get(k) or "").strip() for k in ("name", "mobile", "wechat")):
            continue
        prefix = "guardians-%d-" % i
        name = (row.get("name") or "").strip()
        if not name:
            errors[prefix + "name"] = _l("Enter the guardian's name.")
        elif validation.too_long(name, NAME_MAX):
            errors[prefix + "name"] = validation.too_long(name, NAME_MAX)
        relation = row.get("relation") or ""
        if relation not in RELATIONS:
            errors[prefix + "relation"] = _l("Choose a relation.")
        try:
            mobile = validation.mobile(row.get("mobile"))
        except ValueError as exc:
            errors[prefix + "mobile"] = exc.args[0]
            mobile = ""
        cleaned.append({"name": name, "relation": relation, "mobile": mobile,
                        "wechat": (row.get("wechat") or "").strip()[:40],
                        "can_pickup": bool(row.get("can_pickup")), "position": i})
    if not cleaned and not errors:
        errors["guardians-0-mobile"] = _l("Enter at least one guardian with a mobile number.")
    return cleaned, errors


def families_with(mobiles, exclude=None):
    """Students already on file with a guardian holding one of these mobiles: {mobile: [student, ...]}."""
    query = (Guardian.select(Guardian, Student).join(Student).where(Guardian.mobile.in_(list(mobiles))))
    if exclude is not None:
        query = query.where(Student.id != exclude.id)
    found = {}
    for guardian in query:
        found.setdefault(guardian.mobile, []).append(guardian.student)
    return found


def _check_duplicates(guardians, confirmed, exclude=None):
    if confirmed:
        return
    found = families_with({g["mobile"] for g in guardians if g["mobile"]}, exclude)
    if found:
        errors = {}
        for i, g in enumerate(guardians):
            if g["mobile"] in found:
                names = "、".join(s.name for s in found[g["mobile"]][:3])
                errors["guardians-%d-mobile" % g["position"]] = _l(
                    "This mobile is already on file for %(names)s. If it is the same family, tick "
                    "'Same family' below to save anyway.", names=names)
        raise Invalid(errors, warning=True)


def _snapshot(student):
    data = audit.snapshot(student)
    data["guardians"] = [{"name": g.name, "relation": g.relation, "mobile": g.mobile, "wechat": g.wechat,
                          "can_pickup": g.can_pickup} for g in student.guardians.order_by(Guardian.position)]
    data.pop("search_text", None)
    return data


def create(by, data, guardians, confirm_duplicate=False, today=None):
    """Open a student file (status 意向 unless given) with its guardians, in one audited transaction."""
    values, errors = check_student(data, today)
    rows, guardian_errors = check_guardians(guardians)
    errors.update(guardian_errors)
    if values["advisor"] is None:
        errors.setdefault("advisor", _l("Choose the advisor who owns this student."))
    if errors:
        raise Invalid(errors)
    today = today or clock.today()
    status = data.get("status") if data.get("status") in STATUSES else "prospect"
    with write():
        _check_duplicates(rows, confirm_duplicate)
        now = clock.now()
        student = Student.create(search_text=search_text(values["name"], values["school"]), status=status,
                                 status_since=today, created_at=now, updated_at=now, **values)
        for row in rows:
            Guardian.create(student=student, **row)
        StatusChange.create(student=student, status=status, effective=today, at=now, by=by)
        audit.record(by, "create", "student", student.id, after=_snapshot(student), summary=student.name)
    return student


def update(by, student, data, guardians, confirm_duplicate=False):
    """Change a student's file and guardians (audited); status and advisor change through their own actions."""
    values, errors = check_student(dict(data, advisor=student.advisor_id))
    rows, guardian_errors = check_guardians(guardians)
    errors.update(guardian_errors)
    if errors:
        raise Invalid(errors)
    values.pop("advisor")
    with write():
        student = Student.get_by_id(student.id)
        _check_duplicates(rows, confirm_duplicate, exclude=student)
        before = _snapshot(student)
        for key, value in values.items():
            setattr(student, key, value)
        student.search_text = search_text(student.name, student.school)
        student.updated_at = clock.now()
        student.save()
        Guardian.delete().where(Guardian.student == student).execute()
        for row in rows:
            Guardian.create(student=student, **row)
        audit.record(by, "update", "student", student.id, before=before, after=_snapshot(student),
                     summary=student.name)
    return student


def change_status(by, student, status, effective=None, reason=""):
    """Move a student to another status from a date (the history keeps every change)."""
    if status not in STATUSES:
        raise Invalid({"status": _l("Unknown status.")})
    effective = effective or clock.today()
    with write():
        student = Student.get_by_id(student.id)
        if student.status == status:
            return student
        before = {"status": student.status, "status_since": student.status_since.isoformat()}
        student.status, student.status_since, student.updated_at = status, effective, clock.now()
        student.save()
        StatusChange.create(student=student, status=status, effective=effective, at=clock.now(), by=by,
                            reason=(reason or "")[:200])
        audit.record(by, "update", "student", student.id, before=before,
                     after={"status": status, "status_since": effective.isoformat()}, summary=reason or "")
    return student


def change_advisor(by, student, advisor):
    """The student file's part of a reassignment (audited); `students.handover.reassign` moves the rest with it."""
    if not advisors().where(User.id == advisor.id).exists():
        raise Invalid({"advisor": _l("Choose an active advisor.")})
    with write():
        student = Student.get_by_id(student.id)
        before = {"advisor": student.advisor_id}
        student.advisor = advisor
        student.updated_at = clock.now()
        student.save()
        audit.record(by, "reassign", "student", student.id, before=before, after={"advisor": advisor.id},
                     summary="%s → %s" % (student.name, advisor.display_name))
    return student


def status_events(student, limit=None, before=None):
    """Every change of status (the newest `limit`), for the student timeline."""
    return [(c.at, "status", STATUSES.get(c.status, c.status), stored_text(c.reason))  # 新签 written by a signing
            for c in newest(student.status_changes, StatusChange.at, limit, before)]
