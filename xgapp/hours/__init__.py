"""The lesson-hour ledger (models, rules in `domain`)."""
