"""Notices on a person's home page: something changed that they must know (e.g. a teacher moved a lesson)."""
