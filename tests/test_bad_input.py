"""Input the forms never send: huge search terms, unreadable bodies, control characters — a clear 4xx, never a 500."""

import pytest

from tests.conftest import csrf_from, login
from tests.factories import advisor, make_student
from xgapp.students.models import Student

HUGE = "张" * 20_000  # 60,000 bytes: SQLite refuses a LIKE pattern over 50,000
HX = {"HX-Request": "true"}


@pytest.mark.parametrize("url", ["/students/?q=", "/students/search?q=", "/selfstudy/kiosk/search?q="])
def test_a_huge_search_term_is_cut_to_100_characters_not_a_500(app, client, url):
    make_student(name="张小明")
    login(client)
    response = client.get(url + HUGE, headers=HX)
    assert response.status_code == 200


def test_huge_student_names_typed_into_lookups_are_refused_beside_the_field(app, client):
    from tests.factories import make_class

    klass = make_class()
    make_student(name="张小明")  # SQLite only refuses the pattern when there is a row to compare
    login(client)
    token = csrf_from(client.get("/classes/%d" % klass.id).get_data(as_text=True))
    response = client.post("/classes/%d/enrol" % klass.id, data={"csrf_token": token, "student": HUGE})
    assert response.status_code == 422
    response = client.post("/students/new", data={"csrf_token": token, "name": "李小龙", "referrer": HUGE,
                                                   "advisor": advisor().id})
    assert response.status_code == 422 and Student.select().count() == 1


@pytest.mark.parametrize("part", [
    b'Content-Disposition: form-data\r\n\r\nvalue',  # no name
    b'Content-Disposition: form-data; filename="a.txt"\r\n\r\nvalue',  # a file without a name
])
def test_a_multipart_part_without_a_name_is_a_400_before_login(app, part):
    client = app.test_client()
    client.get("/login")
    body = b"--XX\r\n" + part + b"\r\n--XX--\r\n"
    response = client.post("/login", data=body, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 400
