"""The house rules of ARCHITECTURE.md, checked on the source: no import circles, no view importing another view, one
policy module that reads roles, no request in domain code or template logic, one form layer, shipped migrations
never edited."""

import ast
import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "xgapp"
TEMPLATES = ROOT / "templates"


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()}


def imported(name, tree):
    """Every xgapp module `name` imports, at the top or inside a function (a local import still runs)."""
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from xgapp.students import domain` imports the submodule when there is one
            targets = [base + "." + a.name if base + "." + a.name in MODULES else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:  # `import xgapp.students.domain.x` -> the module that exists
                target = target.rpartition(".")[0]
            if target.startswith("xgapp") and target != name:
                found.add(target)
    return found


GRAPH = {name: imported(name, tree) for name, tree in TREES.items()}


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]

    def visit(start):
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return found


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles():
    found = cycles(GRAPH)
    assert not found, "import circles (a function-local import counts: it runs too):\n" + "\n".join(
        " <-> ".join(c) for c in found)


def is_view(name):
    return name.endswith(".views") or name == "xgapp.auth"


def test_no_view_imports_another_view():
    offenders = sorted("%s imports %s" % (name, other) for name, targets in GRAPH.items() if is_view(name)
                       for other in targets if is_view(other))
    assert not offenders, offenders


def test_views_import_no_other_area_privates():
    offenders = []
    for name, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("xgapp"):
                owner = node.module.split(".")[:2]
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__") and owner != name.split(".")[:2]:
                        offenders.append("%s imports %s.%s" % (name, node.module, alias.name))
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                base = node.value
                if isinstance(base, ast.Name) and base.id in imported_aliases(tree, name):
                    offenders.append("%s uses %s.%s" % (name, base.id, node.attr))
    assert not offenders, offenders


def imported_aliases(tree, name):
    """Names in `tree` bound to a module of another area (`from xgapp.hours import ledger` -> 'ledger')."""
    own = name.split(".")[:2]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("xgapp"):
            for alias in node.names:
                full = node.module + "." + alias.name
                if full in MODULES and full.split(".")[:2] != own:
                    found.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("xgapp") and alias.asname and alias.name.split(".")[:2] != own:
                    found.add(alias.asname)
    return found


ROLE_READERS = {"xgapp.policy", "xgapp.accounts.models"}  # the rules, and the column they read


def test_only_policy_reads_roles():
    offenders = sorted("%s:%d" % (MODULES[name].relative_to(ROOT), node.lineno) for name, tree in TREES.items()
                       if name not in ROLE_READERS for node in ast.walk(tree)
                       if isinstance(node, ast.Attribute) and node.attr == "role_set")
    assert not offenders, "role_set read outside the policy module: %s" % offenders
    templates = sorted(str(p.relative_to(ROOT)) for p in TEMPLATES.rglob("*.html") if "role_set" in p.read_text())
    assert not templates, templates


WEB_FLOOR = {"xgapp.app", "xgapp.security", "xgapp.web", "xgapp.forms", "xgapp.htmx", "xgapp.nav", "xgapp.i18n",
             "xgapp.submissions", "xgapp.audit", "xgapp.pagecache"}  # audit records the request's address beside who
# did it; the page cache keys a kept page by the request it answers


def test_domain_modules_never_see_the_request():
    offenders = []
    for name, tree in TREES.items():
        if is_view(name) or name in WEB_FLOOR:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "flask" and any(
                    a.name == "request" for a in node.names):
                offenders.append(name)
    assert not offenders, "request imported outside views and the web floor: %s" % sorted(offenders)


def test_templates_hold_no_request_logic():
    pattern = re.compile(r"request\.(form|args|values|files)")
    offenders = sorted("%s:%d" % (p.relative_to(ROOT), n) for p in TEMPLATES.rglob("*.html")
                       for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line))
    assert not offenders, offenders


def test_one_form_layer_and_one_field_macro():
    users = sorted(name for name, tree in TREES.items() for node in ast.walk(tree)
                   if isinstance(node, (ast.Import, ast.ImportFrom))
                   and any(m.startswith("wtforms") or m in ("flask_wtf", "flask_wtf.file", "flask_wtf.form")
                           for m in ([node.module or ""] if isinstance(node, ast.ImportFrom)
                                     else [a.name for a in node.names])))
    assert not users, "WTForms forms next to the one form layer: %s" % users
    macros = re.findall(r"{%-?\s*macro\s+(\w+)", (TEMPLATES / "_macros.html").read_text(encoding="utf-8"))
    assert "field" in macros and not {"plain", "form_errors"} & set(macros), macros
    errors = sorted(name for name, tree in TREES.items() for node in ast.walk(tree)
                    if isinstance(node, ast.ClassDef) and node.name in ("AccountError", "CampusError"))
    assert not errors, "input errors are validation.Invalid: %s" % errors


# Shipped migrations are never edited: the next change is a new number. A changed file here is a bug, not a pin to
# update.
SHIPPED = {
    "m0001_core": "d6c581cb69cff7c625c1e594a23f806eb4cc918994a1caef0fef44034f81f5ab",
    "m0002_audit": "7b4ba365cf0f05e15e861144b3944ce175307f2e0f11d25cc737704865f63d09",
    "m0003_students": "eea27bc910fac632bde68ac545af90d381388778af0a629e62e5c03bc41e9595",
    "m0004_contracts_hours": "c458c212900bfe82d0d4b5161cab670bf15f3a3688b366de4ffae07e06cb3151",
    "m0005_leads": "a55c513dd29f3772f6a37ddec36a4d96451b13c7293a5f725ad6b0da70b28118",
    "m0006_classes": "7520e903c05e72644803f1adf32fe5d370cb305467261d3531842f9ef7b841dd",
    "m0007_selfstudy": "2aaa686732286b2ee406b6e0fae36c6101804789313087f90b779eb199488213",
    "m0008_followups": "393a7e28fae1b880dd95da46623a0906063d453a196699657cd4282ab8e7201d",
    "m0009_briefings": "124f78257f1a6da9d9534dce8b7f819ff3fe740b3b2eb111ab892766ad990dbf",
    "m0010_parent_meetings_tests": "0c523b5b1ae683a15891a5b561665e6582fef9638869a4ff4b8270ab707cee50",
    "m0011_signed_copies": "fd3404e73322e52297a1e08784a67113d09d42cb6028a4133ddd2847e32293d8",
    "m0012_manual_counts": "4e53e6b4fab305e6b6c062dc981776cd7182563816e07d50e8e233c356a12c94",
    "m0013_targets": "1c09a8a8fba1f6221796303f3f46d44bb2de7e8c359d57e184641ccfdcf5ad2b",
    "m0014_month_reports": "0f20e210210a24d5a9661740ee7850d008b5b3abac00393d0f0a22b543f0e5dc",
    "m0015_export": "643e886a20de3320dbf17a6eacec30ef82da8f64e349cd6280b2e85828e04008",
    "m0016_money": "7075b4a8723e40045beb8722bf606ea9077d0f5794303158e776689e9dbc1a47",
    "m0017_login_sessions": "dd346c054767b4d0e45618809887d62e71020e89af0206d2ae6688df04916ca3",
    "m0018_ledger_by_student_time": "556e5ea6e11243948724cbc4dbaedcf3ffa38fd9a10a1a957f6ddf952c1738a9",
}
FROZEN_FROM = 18  # from this number on, migrations use xgapp.migrations.fields, never live models or fields


@pytest.mark.parametrize("stem", sorted(SHIPPED))
def test_shipped_migrations_are_never_edited(stem):
    content = (PACKAGE / "migrations" / (stem + ".py")).read_bytes().replace(b"\r\n", b"\n")
    assert hashlib.sha256(content).hexdigest() == SHIPPED[stem], "%s was edited: add a new migration instead" % stem


def test_new_migrations_import_no_live_code():
    for path in sorted((PACKAGE / "migrations").glob("m*.py")):
        if int(path.stem[1:5]) < FROZEN_FROM:
            continue
        live = sorted(t for t in GRAPH[module_name(path)] if t not in ("xgapp.migrations", "xgapp.migrations.fields"))
        assert not live, "%s imports live code %s: freeze what it needs in migrations/fields.py" % (path.name, live)
