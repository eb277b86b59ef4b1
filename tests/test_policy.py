"""Who may what: the whole permission matrix, the README's table of it, and the decisions of the accounts,
campus, backup and audit section of `xgapp.policy`.

`pytest -s tests/test_policy.py` prints the matrix the code holds.
"""

from pathlib import Path
from types import SimpleNamespace

from xgapp import policy

README = Path(__file__).parent.parent / "README.md"
YES, NO = "✓", "·"


def _user(*roles):
    return SimpleNamespace(role_set=frozenset(roles))


def matrix():
    """{permission: {role: True when a user holding only that role has it}} from policy.PERMISSIONS."""
    return {permission: {role: policy.can(_user(role), permission) for role in policy.ROLES}
            for permission in policy.PERMISSIONS}


def readme_table():
    """The README's "who may what" table: (role columns, {permission: {role: bool}})."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| permission |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    assert lines[start + 1].startswith("|---"), "the table's second line is its separator"
    rows = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), line
        permission = cells[0].strip("`")
        assert permission not in rows, "%s is listed twice" % permission
        assert set(cells[1:]) <= {YES, NO}, line
        rows[permission] = {role: cell == YES for role, cell in zip(header[1:], cells[1:])}
    return header[1:], rows


def test_print_the_whole_matrix_and_the_readme_agrees_cell_by_cell():
    code = matrix()
    roles = list(policy.ROLES)
    width = max(len(p) for p in code)
    print("\n" + " " * width + "  " + " ".join("%-10s" % role for role in roles))
    for permission, cells in code.items():
        print("%-*s  %s" % (width, permission, " ".join("%-10s" % (YES if cells[r] else NO) for r in roles)))
    columns, table = readme_table()
    assert columns == roles, "the README's columns are the roles of policy.ROLES, in order"
    assert list(table) == list(code), "the README lists every permission of policy.PERMISSIONS, in order"
    differ = ["%s / %s: README %s, code %s" % (p, r, YES if table[p][r] else NO, YES if code[p][r] else NO)
              for p in code for r in roles if table[p][r] != code[p][r]]
    assert differ == [], "\n".join(differ)


def test_the_readme_table_check_catches_a_changed_cell(monkeypatch):
    monkeypatch.setitem(policy.PERMISSIONS, "audit.view", {"supervisor", "teacher"})
    assert readme_table()[1]["audit.view"]["teacher"] != matrix()["audit.view"]["teacher"]


def test_only_the_principal_manages_accounts_campus_and_backups_and_supervisors_read_the_audit_log():
    for permission in ("accounts.manage", "campus.edit", "backups.manage"):
        assert [r for r in policy.ROLES if policy.can(_user(r), permission)] == [policy.PRINCIPAL], permission
    assert [r for r in policy.ROLES if policy.can(_user(r), "audit.view")] == ["principal", "supervisor"]
    assert not policy.can(None, "audit.view")


def test_the_campus_keeps_a_principal():
    boss = _user("principal", "teacher")
    assert policy.loses_principal(boss, {"teacher"}, active=True)
    assert policy.loses_principal(boss, {"principal"}, active=False)
    assert not policy.loses_principal(boss, {"principal"}, active=True)
    assert not policy.loses_principal(_user("advisor"), {"teacher"}, active=False)
    assert policy.SETUP_ROLES == {policy.PRINCIPAL}
    assert policy.roles_of(_user("teacher", "advisor")) == ["advisor", "teacher"] and policy.roles_of(None) == []
