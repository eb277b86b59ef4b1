"""Numbered, append-only schema migrations.

Never edit a migration that has shipped: add the next number. Each module defines `up(db, migrator)`, which
builds frozen copies of the tables it touches (never imports live models, which keep changing).
"""

MIGRATIONS = [
    "m0001_core",
    "m0002_audit",
    "m0003_students",
    "m0004_contracts_hours",
    "m0005_leads",
    "m0006_classes",
    "m0007_selfstudy",
    "m0008_followups",
    "m0009_briefings",
    "m0010_parent_meetings_tests",
    "m0011_signed_copies",
    "m0012_manual_counts",
    "m0013_targets",
    "m0014_month_reports",
    "m0015_export",
    "m0016_money",
    "m0017_login_sessions",
    "m0018_ledger_by_student_time",
    "m0019_ledger_facts",
    "m0020_complaints",
    "m0021_complaints_from_followups",
]
