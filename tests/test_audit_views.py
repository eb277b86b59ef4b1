"""The audit log page: filters, paging, the htmx fragment."""

from xgapp import audit
from xgapp.accounts.models import User
from tests.conftest import login, make_user


def test_filter_by_person_and_record_kind(app, client):
    boss = User.get(User.username == "boss")
    alice = make_user("alice", by=boss)
    audit.record(alice, "update", "campus", 1, before={"name": "甲"}, after={"name": "乙"})
    login(client)
    html = client.get("/audit/?actor=%d" % alice.id).get_data(as_text=True)
    assert "员工alice" in html and "甲" in html and "乙" in html
    html = client.get("/audit/?table=user&action=create").get_data(as_text=True)
    assert "alice" in html and "甲" not in html


def test_htmx_filter_returns_only_the_results_fragment(client):
    login(client)
    response = client.get("/audit/?table=user", headers={"HX-Request": "true", "HX-Target": "audit-results"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="audit-results">') and "<html" not in html
    assert response.headers["Vary"] == "Cookie, HX-Request" or "HX-Request" in response.headers["Vary"]


def test_older_entries_are_paged_by_id(app, client):
    for n in range(60):
        audit.record(None, "update", "campus", 1, before={"n": n}, after={"n": n + 1}, summary="step %d" % n)
    login(client)
    first = client.get("/audit/?table=campus").get_data(as_text=True)
    assert "step 59" in first and "step 9<" not in first and "更早的记录" in first
    import re

    older = re.search(r'href="(/audit/\?before=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert "step 9<" in second and "step 59" not in second


def test_bad_filter_values_are_ignored_not_errors(client):
    login(client)
    assert client.get("/audit/?actor=x&start=2026-13-40&table=nope").status_code == 200
