"""Head office: bundles of two campuses merged into one database (SQLite always, PostgreSQL when installed), the
same bundle twice, an older bundle after a newer one, deletions, damaged bundles refused with nothing written, the
cross-campus report (.xlsx and PDF) and the `xgapp ingest` / `xgapp hq-report` commands."""

import io
import json
import re
import shutil
import subprocess
import zipfile
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import peewee
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests import pg
from tests.conftest import PASSWORD, campus_today
from tests.factories import make_contract, make_student
from tests.pg import postgres_url  # noqa: F401 (the session's PostgreSQL server, a fixture)
from xgapp.app import create_app
from xgapp import db as xdb
from xgapp.cli import main
from xgapp.export import hqreport, ingest
from xgapp.export import verify as checks
from xgapp.export.ingest import HqBundle, HqCampus, HqDay, HqRecord


def pdf_text(data, tmp_path, name="report.pdf"):
    """The PDF's text (pdftotext, as tests/test_prints.py reads forms) without the spaces layout adds."""
    path = tmp_path / name
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", text)


# --- bundles from two campuses, built once for the module ---------------------------------------------------------

@contextmanager
def campus_app(folder, name, code):
    """A campus app on its own data folder (as the `app` fixture makes one), its context held open."""
    application = create_app({"DATA_DIR": str(folder), "TESTING": True})
    xdb.ensure_connection()
    try:
        with application.app_context():
            from xgapp import campus

            campus.setup(name, code, "boss", "王校长", PASSWORD)
            yield application
    finally:
        xdb.database.close()


def nightly(day, folder):
    from xgapp.export import bundle

    return folder / bundle.make_nightly(day, folder).name


def rename(student, name):
    """Change a student's name the way the student page does (its guardians are replaced: old rows deleted)."""
    from xgapp.students import domain
    from xgapp.students.models import Guardian

    guardians = [{"name": g.name, "relation": g.relation, "mobile": g.mobile, "can_pickup": g.can_pickup}
                 for g in Guardian.select().where(Guardian.student == student)]
    return domain.update(None, student, {"name": name, "school": student.school, "grade": student.grade,
                                         "source": student.source}, guardians)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """Campus T-01 测试校区: day 1 (张小明 with a contract, 李小红), then 张小明 renamed 张明明 in day 2's bundle.
    Campus T-02 海淀校区: day 1 only (王小虎 with a contract)."""
    root = tmp_path_factory.mktemp("campuses")
    day1 = campus_today()
    made = {"day1": day1, "day2": day1 + timedelta(days=1)}
    with campus_app(root / "a", "测试校区", "T-01"):
        first = make_student(name="张小明")
        make_student(name="李小红")
        make_contract(first, hours="40", unit_price="150", today=day1)
        made["a1"] = nightly(day1, root / "out-a")
        rename(first, "张明明")
        made["a2"] = nightly(made["day2"], root / "out-a")
    with campus_app(root / "b", "海淀校区", "T-02"):
        make_contract(make_student(name="王小虎"), hours="20", unit_price="200", today=day1)
        made["b1"] = nightly(day1, root / "out-b")
    return made


@pytest.fixture(params=["sqlite", "postgresql"])
def hq_url(request, tmp_path):
    """An empty head-office database: a SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return "sqlite:///%s" % (tmp_path / "hq.sqlite3")
    url = request.getfixturevalue("postgres_url")
    pg.reset(url)
    return url


def member(path, name):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(name))


def version_of(path):
    return ingest.version_text(member(path, "manifest.json")["snapshot_at"])


def campus_total(path, day):
    """The campus-total figures of `day` as the campus wrote them in the bundle."""
    rows = member(path, "report/daily.json")["rows"]
    return next(r["figures"] for r in rows if r["day"] == day.isoformat() and r["advisor_id"] is None)


@contextmanager
def hq(url):
    with ingest.open_hq(url) as database:
        yield database


def records(url, code, table, deleted=False):
    """{record id: data} of one campus table at head office."""
    with hq(url):
        query = HqRecord.select().where(HqRecord.campus_code == code, HqRecord.tbl == table,
                                        HqRecord.deleted == deleted)
        return {r.record_id: json.loads(r.data) for r in query}


def names(url, code):
    return sorted(data["name"] for data in records(url, code, "student").values())


def counts(url):
    """Rows per head-office table, and per campus and table in hq_record."""
    with hq(url):
        per_table = {(code, table): n for code, table, n in HqRecord.select(
            HqRecord.campus_code, HqRecord.tbl, peewee.fn.COUNT(1)).group_by(HqRecord.campus_code, HqRecord.tbl)
            .tuples()}
        return {"bundles": HqBundle.select().count(), "campuses": HqCampus.select().count(),
                "days": HqDay.select().count(), "records": HqRecord.select().count(), "per_table": per_table}


# --- merging --------------------------------------------------------------------------------------------------

def test_two_campuses_are_merged(bundles, hq_url, monkeypatch):
    monkeypatch.setattr(ingest, "BATCH", 3)  # several INSERTs per table
    results = ingest.ingest([bundles["a1"], bundles["b1"]], hq_url)

    assert [r.status for r in results] == [ingest.INGESTED, ingest.INGESTED]
    assert [r.campus for r in results] == ["T-01", "T-02"]
    a_manifest, b_manifest = member(bundles["a1"], "manifest.json"), member(bundles["b1"], "manifest.json")
    assert results[0].rows == sum(t["rows"] for t in a_manifest["tables"].values())
    assert names(hq_url, "T-01") == ["张小明", "李小红"]
    assert names(hq_url, "T-02") == ["王小虎"]
    found = counts(hq_url)
    for code, manifest in (("T-01", a_manifest), ("T-02", b_manifest)):
        for table, stats in manifest["tables"].items():
            assert found["per_table"].get((code, table), 0) == stats["rows"], (code, table)
    assert found["per_table"][("T-01", "student")] == 2 and found["per_table"][("T-02", "contract")] == 1
    guardian = next(iter(records(hq_url, "T-02", "guardian").values()))
    assert guardian["name"] == "王妈妈" and guardian["relation"] == "母亲"
    with hq(hq_url):
        assert dict(HqCampus.select(HqCampus.code, HqCampus.name).tuples()) == {"T-01": "测试校区", "T-02": "海淀校区"}
        assert sorted(HqBundle.select(HqBundle.name).tuples()) == [(bundles["a1"].name,), (bundles["b1"].name,)]
        totals = {r.campus_code: json.loads(r.figures) for r in HqDay.select().where(
            HqDay.advisor_id == ingest.TOTAL_ID, HqDay.day == bundles["day1"])}
    assert totals["T-01"] == campus_total(bundles["a1"], bundles["day1"])
    assert totals["T-02"] == campus_total(bundles["b1"], bundles["day1"])
    assert Decimal(totals["T-02"]["new.amount"]) == Decimal("4000.00")


def test_the_same_bundle_twice_adds_nothing(bundles, hq_url, tmp_path):
    first = ingest.ingest([bundles["a1"]], hq_url)
    before = counts(hq_url)
    copy = tmp_path / "renamed-copy.zip"
    shutil.copy(bundles["a1"], copy)
    again = ingest.ingest([bundles["a1"], copy], hq_url)

    assert first[0].status == ingest.INGESTED and first[0].rows > 0
    assert [r.status for r in again] == [ingest.ALREADY, ingest.ALREADY]
    assert counts(hq_url) == before
    assert before["bundles"] == 1 and before["records"] == first[0].rows


def test_an_older_bundle_does_not_overwrite_newer_data(bundles, hq_url):
    newer, older = ingest.ingest([bundles["a2"], bundles["a1"]], hq_url)

    assert (newer.status, older.status) == (ingest.INGESTED, ingest.INGESTED)
    students = records(hq_url, "T-01", "student")
    assert sorted(data["name"] for data in students.values()) == ["张明明", "李小红"]  # not 张小明 again
    with hq(hq_url):
        renamed = HqRecord.get(HqRecord.campus_code == "T-01", HqRecord.tbl == "student", HqRecord.record_id == 1)
        assert renamed.version == version_of(bundles["a2"])
        campus = HqCampus.get_by_id("T-01")
        assert campus.last_snapshot_at == version_of(bundles["a2"])
        days = {r.day: r.version for r in HqDay.select().where(HqDay.advisor_id == ingest.TOTAL_ID)}
    # Each nightly bundle recounts the week before its day: the newer one's figures win wherever both have a day.
    week = [bundles["day1"] - timedelta(days=7 - n) for n in range(9)]
    assert days == {day: version_of(bundles["a1"] if day == week[0] else bundles["a2"]) for day in week}
    assert older.applied < older.rows  # the records a2 also carried were kept as they were
    assert newer.applied == newer.rows + newer.deleted


def test_in_order_the_newer_bundle_wins(bundles, hq_url):
    ingest.ingest([bundles["a1"]], hq_url)
    assert names(hq_url, "T-01") == ["张小明", "李小红"]
    ingest.ingest([bundles["a2"]], hq_url)
    assert names(hq_url, "T-01") == ["张明明", "李小红"]


@pytest.mark.parametrize("order", ["in order", "older last"])
def test_a_deletion_is_kept(bundles, hq_url, order):
    gone = member(bundles["a2"], "data/guardian.json")["deleted"]
    assert gone, "the rename should have deleted the old guardian row"
    paths = [bundles["a1"], bundles["a2"]] if order == "in order" else [bundles["a2"], bundles["a1"]]
    ingest.ingest(paths, hq_url)

    deleted = records(hq_url, "T-01", "guardian", deleted=True)
    alive = records(hq_url, "T-01", "guardian")
    assert sorted(deleted) == gone
    assert not set(gone) & set(alive)
    assert sorted(g["name"] for g in alive.values()) == ["张妈妈", "李妈妈"]  # the new row and 李小红's
    if order == "in order":  # the values before the deletion are kept for the analyst
        assert deleted[gone[0]]["name"] == "张妈妈"


# --- refused bundles ----------------------------------------------------------------------------------------------

def rewrite(source, target, change=None, drop=(), extra=(), fix_manifest=False):
    """Copy a bundle member by member: `change(name, data)` may alter a member, `drop` leaves some out, `extra`
    adds (name, data) members; with `fix_manifest` the manifest's checksums are made to match again."""
    import hashlib

    with zipfile.ZipFile(source) as old:
        members = {info.filename: old.read(info) for info in old.infolist()}
    manifest = json.loads(members.pop("manifest.json"))
    for name in list(members):
        if name in drop:
            del members[name]
        elif change is not None:
            members[name] = change(name, members[name])
    if fix_manifest:
        for entry in manifest["files"]:
            entry["sha256"] = hashlib.sha256(members[entry["name"]]).hexdigest()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in list(members.items()) + list(extra):
            new.writestr(zipfile.ZipInfo(name), data)
        new.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
    return target


def _renamed(name, data):
    return data.replace("张小明".encode(), "张大明".encode()) if name == "data/student.json" else data


def _broken_last_table(name, data):
    """data/user.json (the last table written) no longer an object of the right shape."""
    return b'{"table": "user", "columns": ["name"], "rows": [["x"]]}' if name == "data/user.json" else data


def _repeated_id(name, data):
    """data/student.json carrying its first row twice (one INSERT could not upsert both in PostgreSQL)."""
    if name != "data/student.json":
        return data
    body = json.loads(data)
    body["rows"].append(body["rows"][0])
    return json.dumps(body, ensure_ascii=False).encode()


DAMAGE = {
    "wrong checksum": (dict(change=_renamed), "checksum mismatch"),
    "missing file": (dict(drop={"data/student.csv"}), "Missing file: data/student.csv"),
    "zip-slip member": (dict(extra=[("../evil.csv", b"x")]), "Member name not allowed: '../evil.csv'"),
    "absolute path member": (dict(extra=[("/evil.csv", b"x")]), "Member name not allowed: '/evil.csv'"),
    "malformed table after verifying": (dict(change=_broken_last_table, fix_manifest=True),
                                        "data/user.json has no id column"),
    "repeated record id": (dict(change=_repeated_id, fix_manifest=True), "data/student.json repeats an id"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_bundle_is_refused_and_nothing_is_written(bundles, hq_url, tmp_path, damage):
    options, reason = DAMAGE[damage]
    bad = rewrite(bundles["a1"], tmp_path / "bad.zip", **options)
    results = ingest.ingest([bad], hq_url)

    assert results[0].status == ingest.REFUSED
    assert reason in results[0].message
    assert counts(hq_url) == {"bundles": 0, "campuses": 0, "days": 0, "records": 0, "per_table": {}}


def test_an_oversize_member_is_refused(bundles, hq_url, monkeypatch):
    monkeypatch.setattr(checks, "MEMBER_MAX", 2 << 10)
    results = ingest.ingest([bundles["a1"]], hq_url)

    assert results[0].status == ingest.REFUSED
    assert "unpacks to more than" in results[0].message
    assert counts(hq_url)["records"] == 0


def test_not_a_zip_is_refused_and_the_others_still_go_in(bundles, hq_url, tmp_path):
    junk = tmp_path / "xgapp-T-09-2026-01-01.zip"
    junk.write_bytes(b"PK\x03\x04 this is not a zip")
    results = ingest.ingest([junk, bundles["b1"]], hq_url)

    assert [r.status for r in results] == [ingest.REFUSED, ingest.INGESTED]
    assert "Not a readable zip" in results[0].message
    assert names(hq_url, "T-02") == ["王小虎"]
    assert counts(hq_url)["campuses"] == 1


# --- the cross-campus report --------------------------------------------------------------------------------------

@pytest.fixture
def merged(bundles, hq_url):
    """Both campuses ingested: T-01 for day 1 and day 2, T-02 for day 1 only (its day 2 not received)."""
    results = ingest.ingest([bundles["a1"], bundles["a2"], bundles["b1"]], hq_url)
    assert [r.status for r in results] == [ingest.INGESTED] * 3
    return hq_url


def test_report_rows_and_totals(bundles, merged):
    day1, day2 = bundles["day1"], bundles["day2"]
    report = hqreport.build(merged, day1, day2)
    a, b = campus_total(bundles["a1"], day1), campus_total(bundles["b1"], day1)
    revenue = [key for key, _, _ in report.columns].index("revenue")

    assert [(line.day, line.code, line.missing) for line in report.rows] == [
        (day1, "T-01", False), (day1, "T-02", False), (day2, "T-01", False), (day2, "T-02", True)]
    assert report.rows[0].values[revenue] == Decimal(a["revenue"]) > 0
    assert report.rows[1].values[revenue] == Decimal(b["revenue"]) > 0
    assert report.day_totals[0].values[revenue] == Decimal(a["revenue"]) + Decimal(b["revenue"])
    assert (report.day_totals[1].received, report.day_totals[1].expected) == (1, 2)
    assert [(c.code, c.received, c.expected) for c in report.campus_totals] == [("T-01", 2, 2), ("T-02", 1, 2)]
    assert report.total.values[revenue] == Decimal(a["revenue"]) + Decimal(b["revenue"])


def test_report_xlsx_has_numbers_as_numbers(bundles, merged):
    day1, day2 = bundles["day1"], bundles["day2"]
    book = load_workbook(io.BytesIO(hqreport.xlsx(hqreport.build(merged, day1, day2))))
    a, b = campus_total(bundles["a1"], day1), campus_total(bundles["b1"], day1)

    detail = book["各校区日报"]
    head = [c.value for c in detail[1]]
    assert head[:3] == ["日期", "校区代码", "校区"] and head[-1] == "备注"
    assert {"新签金额", "进账", "课消（课时）", "新签（单）"} <= set(head)
    rows = [[c.value for c in row] for row in detail.iter_rows(min_row=2)]
    assert [(r[0].date(), r[1], r[2]) for r in rows] == [(day1, "T-01", "测试校区"), (day1, "T-02", "海淀校区"),
                                                          (day2, "T-01", "测试校区"), (day2, "T-02", "海淀校区")]
    amount, count, hours = head.index("新签金额"), head.index("新签（单）"), head.index("课消（课时）")
    assert rows[1][amount] == float(Decimal(b["new.amount"])) == 4000.0
    assert isinstance(rows[1][amount], (int, float)) and isinstance(rows[1][count], int)
    assert rows[0][count] == a["new.count"] and rows[1][count] == b["new.count"] == 1
    assert detail.cell(3, amount + 1).number_format == "#,##0.00"
    assert detail.cell(3, hours + 1).number_format == "0.0"
    assert rows[3][-1] == "未收到日报" and rows[3][amount] is None

    summary = book["期间汇总"]
    lines = {row[1]: row for row in ([c.value for c in r] for r in summary.iter_rows(min_row=2))}
    s_head = [c.value for c in summary[1]]
    s_amount = s_head.index("新签金额")
    assert lines["全部校区合计"][s_amount] == float(Decimal(a["new.amount"]) + Decimal(b["new.amount"]))
    assert (lines["测试校区"][2], lines["海淀校区"][2]) == (2, 1)
    daily = [[c.value for c in r] for r in book["每日合计"].iter_rows(min_row=2)]
    assert [(r[0].date(), r[1], r[-1]) for r in daily] == [(day1, 2, None), (day2, 1, "收到 1/2")]


def test_report_pdf(bundles, merged, tmp_path):
    day1, day2 = bundles["day1"], bundles["day2"]
    text = pdf_text(hqreport.pdf(hqreport.build(merged, day1, day2)), tmp_path)
    b = campus_total(bundles["b1"], day1)

    assert "各校区日报汇总" in text
    assert "%s至%s" % (day1, day2) in text
    assert "%sT-01测试校区" % day1 in text and "%sT-02海淀校区" % day1 in text
    assert "%sT-02海淀校区未收到日报" % day2 in text
    assert "4000.00" in text and b["new.amount"] == "4000.00"
    assert "当日合计（收到1/2）" in text and "全部校区合计3/4" in text and "共1个校区日" in text
    assert text.count("当日合计") == 2  # one total per day, after all of that day's campuses
    assert "新签金额" in text and "课消（课时）" in text


def test_report_of_an_empty_period_and_bad_ranges(bundles, merged):
    early = bundles["day1"] - timedelta(days=30)
    report = hqreport.build(merged, early, early + timedelta(days=2))
    assert report.rows == [] and report.total.received == 0
    with pytest.raises(hqreport.ReportError):
        hqreport.build(merged, bundles["day2"], bundles["day1"])
    with pytest.raises(hqreport.ReportError):
        hqreport.build(merged, early, early + timedelta(days=400))


# --- the commands -------------------------------------------------------------------------------------------------

def test_cli_ingest_and_report(bundles, hq_url, tmp_path):
    bad = rewrite(bundles["a1"], tmp_path / "tampered.zip", change=_renamed)
    runner = CliRunner()
    done = runner.invoke(main, ["ingest", str(bundles["a1"]), str(bundles["b1"]), str(bad), "--db", hq_url])

    assert done.exit_code == 1, done.output
    rows = sum(t["rows"] for t in member(bundles["a1"], "manifest.json")["tables"].values())
    assert "ingested %s: %d row(s)" % (bundles["a1"], rows) in done.stdout
    assert "ingested %s" % bundles["b1"] in done.stdout
    assert "REFUSED %s" % bad in done.stderr and "checksum mismatch" in done.stderr
    assert names(hq_url, "T-01") == ["张小明", "李小红"]

    again = runner.invoke(main, ["ingest", str(bundles["a1"]), "--db", hq_url])
    assert again.exit_code == 0, again.output
    assert "already ingested %s" % bundles["a1"] in again.stdout

    newer = runner.invoke(main, ["ingest", str(bundles["a2"])], env={"XGAPP_HQ_DB": hq_url})
    assert newer.exit_code == 0, newer.output
    assert names(hq_url, "T-01") == ["张明明", "李小红"]

    day1, day2 = bundles["day1"].isoformat(), bundles["day2"].isoformat()
    xlsx_file, pdf_file = tmp_path / "hq.xlsx", tmp_path / "hq.pdf"
    made = runner.invoke(main, ["hq-report", "--db", hq_url, "--from", day1, "--to", day2, "-o", str(xlsx_file)])
    assert made.exit_code == 0, made.output
    assert "2 campus(es), 4 campus day(s), 1 not received" in made.output
    sheet = load_workbook(xlsx_file)["各校区日报"]
    assert [sheet.cell(r, 2).value for r in range(2, 6)] == ["T-01", "T-02", "T-01", "T-02"]

    made = runner.invoke(main, ["hq-report", "--db", hq_url, "--from", day1, "--to", day1, "-o", str(pdf_file)])
    assert made.exit_code == 0, made.output
    text = pdf_text(pdf_file.read_bytes(), tmp_path, "read.pdf")
    assert "各校区日报汇总" in text and "T-02海淀校区" in text and "未收到日报" not in text

    wrong = runner.invoke(main, ["hq-report", "--db", hq_url, "--from", day1, "--to", day1, "-o", "x.csv"])
    assert wrong.exit_code == 2 and ".xlsx or .pdf" in wrong.output


def test_cli_hq_report_without_a_database(tmp_path):
    missing = tmp_path / "none.sqlite3"
    done = CliRunner().invoke(main, ["hq-report", "--db", "sqlite:///%s" % missing, "--from", "2026-01-01",
                                     "--to", "2026-01-31", "-o", str(tmp_path / "r.xlsx")])
    assert done.exit_code == 1 and "No head-office database" in done.output
    assert not missing.exists() and not (tmp_path / "r.xlsx").exists()


def test_cli_ingest_refuses_an_unknown_database_url(bundles):
    done = CliRunner().invoke(main, ["ingest", str(bundles["b1"]), "--db", "mysql://x@localhost/hq"])
    assert done.exit_code == 1 and "Unsupported database URL" in done.output


def test_the_branch_ranks_its_campuses_by_the_amount_signed(bundles, merged, tmp_path):
    day1, day2 = bundles["day1"], bundles["day2"]
    report = hqreport.build(merged, day1, day2)
    a, b = campus_total(bundles["a1"], day1), campus_total(bundles["b1"], day1)

    def signed(figures):
        return sum(Decimal(figures[k]) for k in hqreport.SIGNED)

    expected = sorted([("T-01", signed(a)), ("T-02", signed(b))], key=lambda item: -item[1])
    assert [(line.code, amount) for _, line, amount in hqreport.ranking(report)] == expected
    assert [rank for rank, _, _ in hqreport.ranking(report)] == [1, 2]
    sheet = load_workbook(io.BytesIO(hqreport.xlsx(report)))["校区排名"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[1], r[3]) for r in rows] == [(1, expected[0][0], float(expected[0][1])),
                                                  (2, expected[1][0], float(expected[1][1]))]
    text = pdf_text(hqreport.pdf(report), tmp_path)
    assert "校区排名" in text and "1%s" % expected[0][0] in text
