"""Numbered, append-only migrations: backup first, refuse newer databases, models match the schema."""

import sqlite3
from pathlib import Path

import pytest

from xgapp import db, migrate

from xgapp.app import create_app
from xgapp.accounts.models import LoginSession, User, UserRole
from xgapp.audit.models import AuditLog
from xgapp.campus.models import Campus, CampusLogo, CampusRule
from xgapp.classes.models import (Attendance, Classroom, Enrolment, Holiday, LeaveNotice, Lesson, Makeup, SchoolClass,
                                  StudentChange, Suspension, TeacherMonth)
from xgapp.contracts.models import Contract, Payment, Refund
from xgapp.followups.models import FollowTask, FollowUp
from xgapp.hours.models import HourEntry
from xgapp.meetings.models import (Briefing, BriefingAttendee, FirstLessonFeedback, ParentMeeting, ParentMeetingAttendee,
                                   TeachingPlan)
from xgapp.scores.models import Score, StageTest
from xgapp.export.models import ExportBundle, Outbox, OutboxAttempt
from xgapp.migrations import MIGRATIONS
from xgapp.notices.models import Notice
from xgapp.numbers.models import ManualCount, MonthReport, Target
from xgapp.prints.models import SignedCopy
from xgapp.selfstudy.models import Question, Visit, VisitExit
from xgapp.students.models import Guardian, StatusChange, Student
from xgapp.submissions import FormSubmission

MODELS = [Campus, User, UserRole, AuditLog, Student, Guardian, StatusChange, Contract, Payment, Refund, HourEntry,
          CampusRule, Classroom, Holiday, SchoolClass, Lesson, Enrolment, LeaveNotice, Attendance, Suspension, Makeup,
          StudentChange, TeacherMonth, Notice, Visit, VisitExit, Question,
          FollowTask, FollowUp, Briefing, BriefingAttendee, FirstLessonFeedback,
          ParentMeeting, ParentMeetingAttendee, TeachingPlan, StageTest, Score, SignedCopy, CampusLogo, ManualCount,
          Target, MonthReport, ExportBundle, Outbox, OutboxAttempt, FormSubmission, LoginSession]


def test_migration_list_matches_the_files_and_is_numbered_in_order():
    folder = Path(migrate.__file__).parent / "migrations"
    files = sorted(p.stem for p in folder.glob("m[0-9][0-9][0-9][0-9]_*.py"))
    assert files == MIGRATIONS
    assert [int(name[1:5]) for name in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_fresh_database_gets_every_migration(app):
    assert migrate.db_version(db.database.obj) == migrate.code_version() == len(MIGRATIONS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_models_match_the_migrated_schema(app, model):
    columns = {c.name for c in db.database.get_columns(model._meta.table_name)}
    assert columns == {f.column_name for f in model._meta.sorted_fields}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_index_a_model_declares_exists(app, model):
    present = {tuple(i.columns) for i in db.database.get_indexes(model._meta.table_name)}
    for fields, _unique in model._meta.indexes:
        columns = tuple(model._meta.fields[name].column_name for name in fields)
        assert columns in present, (model.__name__, columns)


def _bare_database(path, upto):
    database = db.open_database("sqlite:///" + path.as_posix())
    database.connect()
    migrate.upgrade(database, target=upto)
    return database


@pytest.mark.parametrize("previous", range(1, len(MIGRATIONS)))
def test_database_of_an_older_schema_migrates_forward_with_a_backup(tmp_path, previous):
    data = tmp_path / "data"
    data.mkdir()
    old = _bare_database(data / "xgapp.sqlite3", previous)
    old.execute_sql("INSERT INTO campus (name, code, created_at) VALUES ('老校区', 'OLD-1', '2025-01-01T00:00:00.000000+00:00')")
    old.close()

    app = create_app({"DATA_DIR": str(data), "TESTING": True})
    with app.app_context():
        db.ensure_connection()
        assert migrate.db_version(db.database.obj) == migrate.code_version()
        assert Campus.get().name == "老校区"
    db.database.close()
    backups = list((data / "backups").glob("xgapp-pre-migrate-v%d-*.sqlite3" % previous))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == previous
        assert conn.execute("SELECT name FROM campus").fetchone()[0] == "老校区"


def test_database_from_a_newer_xgapp_is_refused_with_a_message(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    newer = _bare_database(data / "xgapp.sqlite3", migrate.code_version())
    newer.execute_sql("INSERT INTO schema_migrations VALUES (?, 'm9999_future', NULL, '2030-01-01')",
                      (migrate.code_version() + 1,))
    newer.close()
    with pytest.raises(migrate.SchemaTooNew) as caught:
        create_app({"DATA_DIR": str(data), "TESTING": True})
    assert "比本程序支持的版本" in str(caught.value) and "newer xgapp" in str(caught.value)
    db.database.close()
    # untouched: still one migration ahead, no tables dropped
    with sqlite3.connect(data / "xgapp.sqlite3") as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS) + 1


def test_a_shipped_migration_edited_afterwards_is_reported(app):
    db.database.execute_sql("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1")
    assert migrate.edited_migrations(db.database.obj) == [1]


def test_no_backup_is_made_for_a_brand_new_database(tmp_path):
    create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True})
    db.database.close()
    assert list((tmp_path / "data" / "backups").iterdir()) == []
