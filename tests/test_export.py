"""The nightly bundle on the campus side: change tracking, full then incremental bundles, catch-up, never a partial
bundle under its final name, verify, and the command line."""

import csv
import errno
import io
import json
import os
import time
import zipfile
from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from tests import factories
from tests.conftest import campus_today
from xgapp import db as xdb
from xgapp.export import bundle, jobs, tracking
from xgapp.export.models import ExportBundle
from xgapp.export.verify import BundleInvalid, verify
from xgapp import clock as xgapp_clock

ZONE_OFFSET = timedelta(hours=8)  # Asia/Shanghai, the default campus zone


def at_campus(day, hour=12):
    """A UTC instant at `hour` o'clock campus time on `day`."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc) - ZONE_OFFSET


def stamp_changes(after_seq, day, hour=12):
    """Date the change-log entries after `after_seq` to `day` (triggers stamp them with the real clock)."""
    xdb.database.execute_sql("UPDATE change_log SET at = ? WHERE seq > ?",
                             (bundle.utc_text(at_campus(day, hour)), after_seq))


def members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def table_json(path, table):
    return json.loads(members(path)["data/%s.json" % table])


def names_in(path):
    data = table_json(path, "student")
    at = data["columns"].index("name")
    return sorted(row[at] for row in data["rows"])


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def folder(ctx):
    return ctx.config["XGAPP_PATHS"].exports


def test_every_table_is_tracked_or_deliberately_kept_home(ctx):
    tables = set(xdb.database.get_tables()) - {"sqlite_sequence"}
    tracked = set(tracking.tracked_tables(xdb.database))
    assert tables - tracked == set(tracking.NOT_EXPORTED) & tables
    assert set(bundle.exported_models()) == tracked


def test_triggers_log_inserts_updates_and_deletes_of_any_code_path(ctx):
    start = bundle.position()
    student = factories.make_student(name="李雷")
    xdb.database.execute_sql("UPDATE student SET school = '外校' WHERE id = ?", (student.id,))  # not via a model
    xdb.database.execute_sql("DELETE FROM guardian WHERE student_id = ?", (student.id,))
    rows = xdb.database.execute_sql("SELECT tbl, row_id, op FROM change_log WHERE seq > ?", (start,)).fetchall()
    assert ("student", student.id, "I") in rows and ("student", student.id, "U") in rows
    assert any(t == "guardian" and op == "I" for t, _, op in rows) and any(
        t == "guardian" and op == "D" for t, _, op in rows)


def test_logging_in_does_not_mark_the_user_changed(ctx, client):
    from tests.conftest import login

    start = bundle.position()
    assert login(client).status_code == 303
    assert bundle.touched_between(start, bundle.position()).get("user") is None


def test_first_bundle_carries_every_record_with_checksums_bom_and_no_secrets(ctx, folder):
    factories.make_student(name="张小明")
    factories.make_student(name="王𠮷")
    made = bundle.make_nightly(date(2026, 11, 27), folder)
    path = folder / made.name
    assert made.name == "xgapp-T-01-2026-11-27.zip" and made.full and path.is_file()
    found = verify(path)
    assert found.manifest["campus"] == {"code": "T-01", "name": "测试校区"}
    assert found.manifest["period"] == {"from": "2026-11-27", "to": "2026-11-27"}
    assert found.manifest["tables"]["student"] == {"rows": 2, "deleted": 0}
    assert names_in(path) == ["张小明", "王𠮷"]
    raw = members(path)
    assert raw["data/student.csv"].startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(raw["data/student.csv"].decode("utf-8-sig"))))
    assert rows[0][:2] == ["id", "name"] and {r[1] for r in rows[1:]} == {"张小明", "王𠮷"}
    user = table_json(path, "user")
    assert "password_hash" not in user["columns"] and "pin_hash" not in user["columns"]
    assert b"pbkdf2" not in b"".join(raw.values()) and b"scrypt" not in b"".join(raw.values())
    for entry in found.manifest["files"]:
        assert entry["name"] in raw and entry["bytes"] == len(raw[entry["name"]])
    assert "report/daily-2026-11-27.pdf" in raw and "report/daily.csv" in raw
    assert ExportBundle.select().count() == 1


def test_the_next_bundle_carries_only_what_changed_and_what_was_deleted(ctx, folder):
    from xgapp.students import domain as students

    kept = factories.make_student(name="张小明")
    gone = factories.make_student(name="赵四")
    first = bundle.make_nightly(date(2026, 11, 26), folder)
    before = bundle.position()
    students.update(None, kept, {"name": "张晓明", "school": kept.school, "grade": kept.grade,
                                 "source": kept.source, "advisor": kept.advisor},
                    [{"name": g.name, "relation": g.relation, "mobile": g.mobile, "can_pickup": g.can_pickup}
                     for g in kept.guardians])
    factories.make_student(name="韩梅梅")
    xdb.database.execute_sql("DELETE FROM guardian WHERE student_id = ?", (gone.id,))
    xdb.database.execute_sql("DELETE FROM student_status_change WHERE student_id = ?", (gone.id,))
    xdb.database.execute_sql("DELETE FROM student WHERE id = ?", (gone.id,))
    stamp_changes(before, date(2026, 11, 27))
    second = bundle.make_nightly(date(2026, 11, 27), folder)
    assert not second.full and second.after_seq == first.through_seq and second.through_seq == bundle.position()
    path = folder / second.name
    assert names_in(path) == ["张晓明", "韩梅梅"]
    assert table_json(path, "student")["deleted"] == [gone.id]
    assert "data/contract.json" not in members(path)  # untouched tables are left out
    assert verify(path).manifest["tables"]["student"] == {"rows": 2, "deleted": 1}


def test_a_day_carries_the_changes_of_that_day_and_catch_up_fills_every_missed_day(ctx, folder):
    bundle.make_nightly(date(2026, 11, 20), folder)
    for n, name in enumerate(["周一", "周二", "周三"]):
        before = bundle.position()
        factories.make_student(name=name)
        stamp_changes(before, date(2026, 11, 21 + n), hour=10)
    now = datetime(2026, 11, 24, 23, 0, tzinfo=timezone(ZONE_OFFSET))
    assert bundle.due_days(now, datetime.strptime("22:30", "%H:%M").time()) == [
        date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24)]
    made = jobs.catch_up(ctx.config["XGAPP_PATHS"], now=now)
    assert [b.day for b in made] == [date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23),
                                     date(2026, 11, 24)]
    assert [names_in(folder / b.name) for b in made[:3]] == [["周一"], ["周二"], ["周三"]]
    assert "data/student.json" not in members(folder / made[3].name)
    for earlier, later in zip(made, made[1:]):
        assert later.after_seq == earlier.through_seq  # a chain: no change falls between two bundles
    assert jobs.catch_up(ctx.config["XGAPP_PATHS"], now=now) == []  # never two bundles for a day
    assert bundle.make_nightly(date(2026, 11, 22), folder).id == made[1].id
    assert bundle.due_days(now.replace(hour=21), datetime.strptime("22:30", "%H:%M").time()) == []


def test_a_new_install_starts_with_the_last_closed_day(ctx):
    morning = datetime(2026, 11, 28, 8, 0, tzinfo=timezone(ZONE_OFFSET))
    assert bundle.due_days(morning, datetime.strptime("22:30", "%H:%M").time()) == [date(2026, 11, 27)]
    night = morning.replace(hour=22, minute=31)
    assert bundle.due_days(night, datetime.strptime("22:30", "%H:%M").time()) == [date(2026, 11, 28)]


def test_a_build_killed_midway_leaves_no_bundle_under_its_name_and_is_rebuilt(ctx, folder, monkeypatch):
    factories.make_student(name="张小明")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # what a kill looks like to the code that is running

    monkeypatch.setattr(bundle, "_reports", killed)
    with pytest.raises(KeyboardInterrupt):
        bundle.make_nightly(date(2026, 11, 27), folder)
    assert list(folder.iterdir()) == [] and ExportBundle.select().count() == 0
    # A real kill leaves its .part file behind: the next run sweeps it once it is stale.
    stale = folder / ".xgapp-T-01-2026-11-27.zip.part"
    stale.write_bytes(b"PK half a zip")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    monkeypatch.undo()
    made = jobs.catch_up(ctx.config["XGAPP_PATHS"],
                         now=datetime(2026, 11, 28, 8, tzinfo=timezone(ZONE_OFFSET)))
    assert [b.name for b in made] == ["xgapp-T-01-2026-11-27.zip"]
    assert sorted(p.name for p in folder.iterdir()) == ["xgapp-T-01-2026-11-27.zip"]
    assert names_in(folder / made[0].name) == ["张小明"]


def test_disk_full_is_a_clear_error_and_leaves_the_outbox_and_earlier_bundles_intact(ctx, folder, monkeypatch):
    from xgapp.export import delivery
    from xgapp.export.models import Outbox

    config = dict(delivery.DEFAULTS, folder="/tmp")
    first = bundle.make_nightly(date(2026, 11, 26), folder, on_made=lambda b: delivery.enqueue(b, config))
    real_write = bundle._Writer.add_bytes

    def full_disk(self, name, data, rows=None):
        if name.endswith(".pdf"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, name, data, rows)

    monkeypatch.setattr(bundle._Writer, "add_bytes", full_disk)
    with pytest.raises(bundle.ExportError, match="磁盘空间不足"):
        bundle.make_nightly(date(2026, 11, 27), folder)
    assert sorted(p.name for p in folder.iterdir()) == [first.name]
    assert [b.day for b in ExportBundle.select()] == [date(2026, 11, 26)]
    assert [(o.bundle_id, o.status) for o in Outbox.select()] == [(first.id, "pending")]
    verify(folder / first.name)


def test_the_daily_report_numbers_and_pdf_are_in_the_bundle(ctx, folder, tmp_path):
    from tests.test_prints import pdf_text

    student = factories.make_student(name="张小明")
    factories.make_contract(student, hours="20", unit_price="150", today=date(2026, 11, 27))
    made = bundle.make_nightly(date(2026, 11, 27), folder)
    report = json.loads(members(folder / made.name)["report/daily.json"])
    campus = [r for r in report["rows"] if r["advisor_id"] is None]
    assert [r["day"] for r in campus] == ["2026-11-%02d" % d for d in range(20, 28)]  # the week before, again
    campus = campus[-1:]
    kinds = {c["key"]: c["header"] for c in report["columns"]}
    assert kinds["revenue"] == "进账"
    signed = sum(int(campus[0]["figures"][k]) for k in ("new.count", "renewal.count", "expansion.count",
                                                         "referral.count"))
    assert signed == 1
    advisor_rows = [r for r in report["rows"] if r["advisor_id"] == student.advisor_id]
    assert advisor_rows and advisor_rows[0]["advisor"] == student.advisor.display_name
    text = members(folder / made.name)["report/daily.csv"].decode("utf-8-sig")
    assert text.splitlines()[0].startswith("日期,学管师编号,学管师,咨询电话")
    assert "校区合计" in text
    printed = pdf_text(members(folder / made.name)["report/daily-2026-11-27.pdf"], tmp_path)
    assert "校区日报" in printed and "学管师日报" in printed and student.advisor.display_name in printed


def test_a_range_bundle_holds_the_rows_changed_in_the_period(ctx, tmp_path):
    before = bundle.position()
    factories.make_student(name="十月生")
    stamp_changes(before, date(2026, 10, 15))
    before = bundle.position()
    factories.make_student(name="十一月生")
    stamp_changes(before, date(2026, 11, 15))
    info = bundle.make_range(date(2026, 10, 1), date(2026, 10, 31), tmp_path / "out")
    assert names_in(info["path"]) == ["十月生"]
    manifest = verify(info["path"]).manifest
    assert manifest["kind"] == "range" and manifest["pdfs"] is True
    full = bundle.make_range(date(2026, 11, 1), date(2026, 11, 2), tmp_path / "out", full=True)
    assert names_in(full["path"]) == ["十一月生", "十月生"]
    assert ExportBundle.select().count() == 0  # on demand: not part of the nightly chain


# --- verify ------------------------------------------------------------------------------------------------------

@pytest.fixture
def good(ctx, folder):
    factories.make_student(name="张小明")
    return folder / bundle.make_nightly(date(2026, 11, 27), folder).name


def rewrite(source, target, change):
    """Copy a bundle, passing every (name, data) through `change` (which may return None to drop it, or a list of
    extra members)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            result = change(name, old.read(name))
            for item in (result if isinstance(result, list) else [result] if result else []):
                new.writestr(*item)
    return target


def test_verify_accepts_the_bundle_and_the_cli_says_ok(good):
    result = CliRunner().invoke(__import__("xgapp.cli", fromlist=["main"]).main, ["verify", str(good)])
    assert result.exit_code == 0 and "OK" in result.output and "T-01" in result.output


@pytest.mark.parametrize("damage, message", [
    (lambda n, d: (n, d.replace("张小明".encode(), "张大明".encode())) if n == "data/student.csv" else (n, d),
     "data/student.csv 的校验和不符"),
    (lambda n, d: None if n == "data/student.json" else (n, d), "缺少文件：data/student.json"),
    (lambda n, d: [(n, d), ("../evil.csv", b"x")] if n == "manifest.json" else (n, d), "不允许的文件名"),
    (lambda n, d: [(n, d), ("/etc/cron.d/x", b"x")] if n == "manifest.json" else (n, d), "不允许的文件名"),
    (lambda n, d: [(n, d), ("data/extra.csv", b"x")] if n == "manifest.json" else (n, d), "不在清单中"),
    (lambda n, d: (n, b"{not json") if n == "manifest.json" else (n, d), "manifest.json 无法读取"),
    (lambda n, d: None if n == "manifest.json" else (n, d), "缺少 manifest.json"),
])
def test_verify_refuses_damaged_or_tampered_bundles(good, tmp_path, damage, message):
    bad = rewrite(good, tmp_path / "bad.zip", damage)
    with pytest.raises(BundleInvalid, match=message):
        verify(bad)
    from xgapp.cli import main

    result = CliRunner().invoke(main, ["verify", str(good), str(bad)])
    assert result.exit_code == 1 and "FAILED" in result.output and "OK" in result.output


def test_verify_refuses_an_oversize_member_and_a_non_zip(good, tmp_path, monkeypatch):
    from xgapp.export import verify as module

    monkeypatch.setattr(module, "MEMBER_MAX", 1000)
    with pytest.raises(BundleInvalid, match="解压后超过"):
        verify(good)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip")
    with pytest.raises(BundleInvalid, match="不是可读的 zip"):
        verify(junk)


# --- command line ------------------------------------------------------------------------------------------------

def test_cli_export_makes_due_bundles_then_says_nothing_due_and_writes_on_demand_bundles(app, tmp_path):
    from xgapp.cli import main

    data = str(app.config["XGAPP_PATHS"].root)
    runner = CliRunner()
    first = runner.invoke(main, ["export", "--data", data])
    assert first.exit_code == 0, first.output
    assert "xgapp-T-01-" in first.output
    again = runner.invoke(main, ["export", "--data", data])
    assert again.exit_code == 0 and "nothing due" in again.output
    out = tmp_path / "hand"
    ranged = runner.invoke(main, ["export", "--data", data, "--from", "2026-11-01", "--to", "2026-11-03",
                                  "-o", str(out)])
    assert ranged.exit_code == 0, ranged.output
    [made] = list(out.glob("xgapp-T-01-2026-11-01_2026-11-03-*.zip"))
    verify(made)
    bad = runner.invoke(main, ["export", "--data", data, "--from", "2026-11-03", "--to", "2026-11-01"])
    assert bad.exit_code == 2 and "--to is before --from" in bad.output
    listed = runner.invoke(main, ["outbox", "--data", data])
    assert listed.exit_code == 0 and "the outbox is empty" in listed.output  # nothing set up to send with


def test_a_late_entry_reaches_head_offices_daily_report_with_the_next_bundle(ctx, folder):
    student = factories.make_student(name="张小明")
    first = bundle.make_nightly(date(2026, 11, 26), folder)

    def signed_on(made, day):
        report = json.loads(members(folder / made.name)["report/daily.json"])
        [row] = [r for r in report["rows"] if r["advisor_id"] is None and r["day"] == day]
        return row["figures"]["new.count"]

    assert signed_on(first, "2026-11-26") == 0
    factories.make_contract(student, hours="20", unit_price="150", today=date(2026, 11, 26))  # typed in a day late
    second = bundle.make_nightly(date(2026, 11, 27), folder)
    assert signed_on(second, "2026-11-26") == 1
    assert verify(folder / second.name).manifest["report_period"] == {"from": "2026-11-20", "to": "2026-11-27"}


# --- what review found: races, lost files, restores, clocks ---------------------------------------------------------

def test_another_process_winning_the_same_day_leaves_its_whole_bundle_in_place(ctx, folder, monkeypatch):
    """Two processes (the server's scheduler and `xgapp export`) build the same day: each writes its own .part
    file, the first to register wins, the other's work is dropped, and the bundle on disk is the registered one."""
    factories.make_student(name="张小明")
    day = date(2026, 11, 27)
    real = bundle._reports
    other = {}

    def meanwhile(writer, first, last, counted_from=None):
        if not other:  # the other process builds and registers the day while this one is half-way
            other["busy"] = True

            def register(info):
                other["row"] = ExportBundle.create(
                    name=info["name"], kind="nightly", day=day, date_from=day, date_to=day, full=True, after_seq=0,
                    through_seq=bundle.position(), snapshot_at=info["snapshot_at"], rows=info["rows"],
                    size=info["size"], sha256=info["sha256"])

            other["info"] = bundle.write_bundle(folder, bundle.nightly_name("T-01", day), kind="nightly", first=day,
                                                last=day, full=True, register=register)
        return real(writer, first, last, counted_from)

    monkeypatch.setattr(bundle, "_reports", meanwhile)
    made = bundle.make_nightly(day, folder)
    assert made.id == other["row"].id and ExportBundle.select().count() == 1
    path = folder / made.name
    assert bundle.file_sha256(path) == made.sha256  # the file is the one registered, whole
    assert names_in(path) == ["张小明"] and verify(path).sha256 == made.sha256
    assert sorted(p.name for p in folder.iterdir()) == [made.name]  # no .part left by either


def test_a_lost_bundle_file_is_written_again_and_then_delivered(ctx, folder, tmp_path):
    from xgapp.export import delivery
    from xgapp.export.models import Outbox

    usb = tmp_path / "usb"
    usb.mkdir()
    delivery.save_config(ctx.config["XGAPP_PATHS"], None, dict(delivery.DEFAULTS, folder=str(usb)))
    factories.make_student(name="张小明")
    made = bundle.make_nightly(date(2026, 11, 27), folder,
                               on_made=lambda b: delivery.enqueue(b, delivery.load_config(ctx.config["XGAPP_PATHS"])))
    (folder / made.name).unlink()  # an antivirus, a clean-up, a power cut before the folder was synced
    [row] = delivery.process(ctx.config["XGAPP_PATHS"])
    assert row.status == "pending" and "文件不见了" in row.last_error  # waits: never given up
    assert bundle.missing_files(folder) == [made]
    jobs.run(ctx.config["XGAPP_PATHS"])  # the next scheduler round writes it again, then delivers it
    assert names_in(folder / made.name) == ["张小明"]
    again = ExportBundle.get_by_id(made.id)
    assert bundle.file_sha256(folder / made.name) == again.sha256
    Outbox.update(next_at=xgapp_clock.now()).execute()
    jobs.run(ctx.config["XGAPP_PATHS"])
    assert Outbox.get().status == "sent" and verify(usb / made.name).sha256 == again.sha256


def test_a_build_that_keeps_failing_does_not_hold_back_deliveries(ctx, folder, tmp_path, monkeypatch):
    from xgapp.export import delivery
    from xgapp.export.models import Outbox

    usb = tmp_path / "usb"
    usb.mkdir()
    delivery.save_config(ctx.config["XGAPP_PATHS"], None, dict(delivery.DEFAULTS, folder=str(usb)))
    made = bundle.make_nightly(date(2026, 11, 26), folder,
                               on_made=lambda b: delivery.enqueue(b, delivery.load_config(ctx.config["XGAPP_PATHS"])))

    def broken(*args, **kwargs):
        raise bundle.ExportError("磁盘空间不足")

    monkeypatch.setattr(bundle, "make_nightly", broken)
    jobs.run(ctx.config["XGAPP_PATHS"])
    assert Outbox.get().status == "sent" and (usb / made.name).is_file()
    assert jobs.last_error["message"] == "磁盘空间不足"
    monkeypatch.undo()
    jobs.run(ctx.config["XGAPP_PATHS"])
    assert jobs.last_error["message"] is None


def test_after_a_restore_the_next_bundle_is_whole_and_head_office_follows_the_restore(ctx, folder, tmp_path):
    from xgapp import backup, migrate
    from xgapp.backup import restore
    from xgapp.export import ingest
    from xgapp.students.models import Student

    paths = ctx.config["XGAPP_PATHS"]
    kid = factories.make_student(name="张小明")
    first = bundle.make_nightly(date(2026, 11, 25), folder)
    saved = backup.backup_into_folder(migrate.database_file(xdb.database.obj), paths.backups, "manual")
    before = bundle.position()
    from tests.test_ingest import rename

    rename(kid, "张明明")
    factories.make_student(name="新来的")
    stamp_changes(before, date(2026, 11, 26))
    second = bundle.make_nightly(date(2026, 11, 26), folder)
    restore.restore_live(xdb.database.obj, saved, paths.backups)  # back to before the rename and the newcomer
    assert [s.name for s in Student.select()] == ["张小明"]
    third = bundle.make_nightly(date(2026, 11, 27), folder)
    assert third.full and not (folder / bundle.FULL_NEXT).exists()
    assert not bundle.make_nightly(date(2026, 11, 28), folder).full  # once only
    url = "sqlite:///%s" % (tmp_path / "hq.sqlite3")
    ingest.ingest([folder / first.name, folder / second.name], url)
    from tests.test_ingest import names, records

    assert names(url, "T-01") == ["张明明", "新来的"]
    [result] = ingest.ingest([folder / third.name], url)
    assert result.status == ingest.INGESTED
    assert names(url, "T-01") == ["张小明"]  # as the campus is now
    assert [d["name"] for d in records(url, "T-01", "student", deleted=True).values()] == ["新来的"]


def test_a_clock_once_ahead_neither_stops_the_bundles_nor_freezes_head_office(ctx, folder, tmp_path):
    from xgapp.export import ingest

    factories.make_student(name="张小明")
    ahead = campus_today() + timedelta(days=300)
    with xgapp_clock.fixed(datetime.now(timezone.utc) + timedelta(days=300)):
        future = bundle.make_nightly(ahead, folder)  # the PC's clock was 300 days ahead that night
    before = bundle.position()
    factories.make_student(name="钟表修好后")
    now = datetime.now(timezone(ZONE_OFFSET)).replace(hour=23)
    due = bundle.due_days(now, datetime.strptime("22:30", "%H:%M").time())
    assert due == [now.date()]  # the clock is right again: today is still made
    today = bundle.make_nightly(due[0], folder)
    assert today.after_seq == future.through_seq and today.through_seq > before  # the chain goes on from there
    assert names_in(folder / today.name) == ["钟表修好后"]
    [refused] = ingest.ingest([folder / future.name], "sqlite:///%s" % (tmp_path / "hq.sqlite3"))
    assert refused.status == ingest.REFUSED and "在未来" in refused.message


def test_csv_cells_excel_would_run_as_formulas_are_shown_as_text(ctx, folder):
    factories.make_student(name="=HYPERLINK(\"http://x\")", school="+86 实验中学")
    made = bundle.make_nightly(date(2026, 11, 27), folder)
    text = members(folder / made.name)["data/student.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+86 实验中学" in text
    assert names_in(folder / made.name) == ['=HYPERLINK("http://x")']  # JSON keeps the value as it is


@pytest.mark.skipif(os.name != "posix", reason="on Windows an open .part cannot be deleted at all")
def test_at_start_every_part_file_of_a_dead_build_is_swept_but_not_one_still_being_built(ctx, folder):
    import fcntl

    dead = folder / ".xgapp-T-01-2026-11-27.zip.abc123.part"  # kill -9 two minutes ago
    dead.write_bytes(b"PK half a zip")
    os.utime(dead, (time.time() - 120, time.time() - 120))
    (folder / "on-demand").mkdir()
    dead_too = folder / "on-demand" / ".xgapp-T-01-2026-11-01_2026-11-03-x.zip.def456.part"
    dead_too.write_bytes(b"PK")
    os.utime(dead_too, (time.time() - 120, time.time() - 120))
    busy = folder / ".xgapp-T-01-2026-11-26.zip.ghi789.part"  # `xgapp export` building in another process
    with open(busy, "wb") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.utime(busy, (time.time() - 7200, time.time() - 7200))
        jobs.catch_up(ctx.config["XGAPP_PATHS"], now=datetime(2026, 11, 28, 8, tzinfo=timezone(ZONE_OFFSET)))
        assert not dead.exists() and not dead_too.exists() and busy.exists()
    bundle.sweep_partials(folder)
    assert not busy.exists()  # its build is gone now


def test_the_bundle_names_every_column_in_chinese_and_spells_out_the_codes(ctx, folder):
    """data/_columns.csv: head office reads a table in Excel with the Chinese name of each column beside it."""
    from xgapp.contracts import domain as contracts
    from xgapp.export import columns
    from xgapp.hours import domain as hours
    from xgapp.students import domain as students

    factories.make_student(name="张小明")
    made = bundle.make_nightly(date(2026, 11, 27), folder)
    raw = members(folder / made.name)
    lines = list(csv.reader(io.StringIO(raw["data/_columns.csv"].decode("utf-8-sig"))))
    assert lines[0] == ["表 table", "表名", "列 column", "列名"]
    described = {(table, column): (table_name, label) for table, table_name, column, label in lines[1:]}
    for table, model in bundle.exported_models().items():
        for column, _field in bundle.columns(model):
            assert all(described.get((table, column), ("", ""))), (table, column)  # every column, every table named
    assert described[("student", "name")] == ("学员", "学员姓名")
    assert described[("attendance", "student_id")][1] == "学员编号"
    for (table, column), codes in {("payment", "method"): contracts.METHODS, ("contract", "kind"): contracts.KINDS,
                                   ("student", "source"): students.SOURCES, ("hour_entry", "kind"): hours.KINDS}.items():
        assert all(code in columns.label(table, column) for code in codes), (table, column)  # no code left unexplained
    assert "data/_columns.csv" in {f["name"] for f in verify(folder / made.name).manifest["files"]}
