"""Reassigning a student: the file goes to another advisor, and everything that follows the student goes along.

`ON_REASSIGN` is the explicit list of that work (each function `(by, student, advisor)` runs in the same
transaction); an area whose open work must follow a student adds its function here.
"""

from xgapp.db import write
from xgapp.followups.domain import move_open_tasks
from xgapp.leads.domain import move_open_leads
from xgapp.students import domain

ON_REASSIGN = [
    move_open_leads,  # open leads follow the student; closed ones stay credited to whoever worked them
    move_open_tasks,  # open follow-up tasks go to the new advisor
]


def reassign(by, student, advisor):
    """Give a student to another advisor (supervisor's decision, audited), with their open leads and tasks."""
    with write():
        student = domain.change_advisor(by, student, advisor)
        for follow in ON_REASSIGN:
            follow(by, student, advisor)
    return student
