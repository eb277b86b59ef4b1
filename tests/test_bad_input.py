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


NEW = {"name": "李小龙", "gender": "M", "school": "海淀实验小学", "grade": "五年级", "source": "walkin",
       "guardians-0-name": "李妈妈", "guardians-0-relation": "母亲", "guardians-0-mobile": "13912345678",
       "guardians-0-can_pickup": "y"}
CONTROL = "请删除后重新输入"


def test_a_control_character_in_any_field_is_refused_beside_it_and_nothing_is_saved(app, client):
    me = advisor("adv1")
    login(client, "adv1")
    token = csrf_from(client.get("/students/new").get_data(as_text=True))
    for field, value in (("name", "李\x00小龙"), ("school", "海淀\x1b实验"), ("guardians-0-name", "李\x7f妈妈")):
        response = client.post("/students/new", data=NEW | {"csrf_token": token, "advisor": me.id, field: value})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, field
        assert 'id="err-%s"' % field in html and CONTROL in html.split('id="err-%s"' % field)[1][:200], field
    assert Student.select().count() == 0
    notes = client.post("/students/new", data=NEW | {"csrf_token": token, "advisor": me.id,
                                                     "notes": "周二\r\n\t数学"})  # a multi-line box keeps its lines
    assert notes.status_code == 303 and Student.get().notes == "周二\r\n\t数学"


def test_a_control_character_is_refused_in_room_names_and_wtforms_forms_too(app, client):
    from xgapp.accounts.models import User
    from xgapp.classes.models import Classroom

    login(client)
    token = csrf_from(client.get("/classes/rooms").get_data(as_text=True))
    room = client.post("/classes/rooms/room", data={"csrf_token": token, "name": "301\x00", "seats": "15"})
    assert room.status_code == 422 and CONTROL in room.get_data(as_text=True)
    assert Classroom.select().count() == 0
    token = csrf_from(client.get("/accounts/new").get_data(as_text=True))
    account = client.post("/accounts/new", data={"csrf_token": token, "username": "li", "display_name": "李\x08老师",
                                                 "password": "Plum-Orchard-42", "roles": "teacher"})
    html = account.get_data(as_text=True)
    assert account.status_code == 422 and CONTROL in html.split('id="field-display_name"')[1][:1500]
    assert not User.select().where(User.username == "li").exists()


def test_every_export_takes_control_characters_already_stored(app, client, tmp_path):
    import io

    from openpyxl import load_workbook

    from tests.factories import make_contract
    from xgapp.export import bundle
    from xgapp.export.verify import verify
    from xgapp.students.models import Guardian

    student = make_student(name="坏名字")
    make_contract(student, hours="10", unit_price="100")
    Student.update(name="坏\x00名字", notes="=HYPERLINK(\"x\")\x1b").execute()
    Guardian.update(name="妈\x07妈").execute()
    login(client)
    response = client.get("/students/export.xlsx")
    assert response.status_code == 200
    row = [c.value for c in load_workbook(io.BytesIO(response.data)).active[2]]
    assert row[0] == "坏〔U+0000〕名字" and row[7] == "妈〔U+0007〕妈" and row[13] == '=HYPERLINK("x")〔U+001B〕'
    for url in ("/contracts/export.xlsx", "/selfstudy/report.xlsx", "/numbers/campus.xlsx", "/classes/teachers.xlsx",
                "/numbers/period.xlsx", "/numbers/ranking.xlsx", "/numbers/targets.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and load_workbook(io.BytesIO(response.data)), url
    with app.app_context():
        from xgapp.clock import today as campus_today

        info = bundle.make_range(campus_today(), campus_today(), tmp_path / "out", full=True)
    verify(info["path"])


@pytest.mark.parametrize("url", ["/audit/?end=9999-12-31", "/audit/?start=9999-12-31", "/contracts/revenue?day=9999-12-31",
                                 "/leads/?day=9999-12-31", "/selfstudy/report?to=9999-12-31"])
def test_a_date_out_of_range_in_a_url_is_ignored_not_a_500(app, client, url):
    login(client)
    assert client.get(url).status_code == 200


def test_a_birthday_before_1950_is_refused_beside_the_field(app, client):
    me = advisor("adv1")
    login(client, "adv1")
    token = csrf_from(client.get("/students/new").get_data(as_text=True))
    response = client.post("/students/new", data=NEW | {"csrf_token": token, "advisor": me.id,
                                                         "birthday": "0001-01-01"})
    assert response.status_code == 422 and 'id="err-birthday"' in response.get_data(as_text=True)
    assert Student.select().count() == 0


def test_a_further_payment_with_no_amount_is_refused_beside_the_field(app, client):
    from tests.factories import make_contract
    from xgapp.contracts.models import Payment

    contract = make_contract(make_student(), payments=[{"amount": "1000", "method": "cash"}])
    login(client)
    token = csrf_from(client.get("/contracts/%d" % contract.id).get_data(as_text=True))
    for data in ({"amount": "", "method": "cash"}, {"method": "cash"}, {}):
        response = client.post("/contracts/%d/payments" % contract.id, data=data | {"csrf_token": token})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, data
        assert 'id="err-amount"' in html and "请输入以元为单位的金额" in html.split('id="err-amount"')[1][:200], data
    assert Payment.select().count() == 1


def test_a_backup_upload_with_text_instead_of_a_file_is_refused_beside_the_field(app, client):
    login(client)
    token = csrf_from(client.get("/backups/").get_data(as_text=True))
    response = client.post("/backups/upload", data={"csrf_token": token, "file": "abc"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "请选择文件" in html
    assert list(app.config["XGAPP_PATHS"].backups.glob("xgapp-uploaded-*")) == []
