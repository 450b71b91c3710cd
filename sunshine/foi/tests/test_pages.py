"""The pages: scoping (another agency's request is a missing one), the query code, hostile input."""

import uuid

from sunshine.foi import actions
from sunshine.foi.models import Request

from .test_clock_rules import data


def test_citizen_files_online_and_follows_with_the_code(demo, client):
    client.force_login(demo.users["13800000001"])
    form = {
        **data(info_title="<img src=x onerror=alert(1)>"),
        "id_kind": "resident",
        "organisation": demo.departments["SLS-SWJ"].pk,
        "submission_key": uuid.uuid4().hex,
    }
    response = client.post("/foi/", form)
    assert response.status_code == 200
    request = Request.objects.get(info_title__startswith="<img")
    code = response.context["filed"].query_code
    assert request.query_digest != code and len(code) == 8
    client.logout()
    assert client.get(f"/foi/r/{request.pk}/").status_code == 404
    client.post("/foi/track/", {"number": request.number, "code": "AAAAAAAA"})
    assert client.get(f"/foi/r/{request.pk}/").status_code == 404
    assert (
        client.post("/foi/track/", {"number": request.number, "code": code.lower()}).status_code
        == 302
    )
    page = client.get(f"/foi/r/{request.pk}/").content.decode()
    assert "&lt;img src=x" in page and "<img src=x" not in page


def test_section_staff_cannot_file_to_a_section_and_strangers_see_nothing(demo, client):
    filed = actions.submit_request(demo.users["13800000001"], demo.departments["SLS-SWJ"], data())
    for username in ("market", "13800000002"):
        client.force_login(demo.users[username])
        assert client.get(f"/foi/staff/{filed.request.pk}/").status_code == 404
        assert client.get(f"/foi/r/{filed.request.pk}/").status_code == 404
    client.force_login(demo.users["market"])
    assert filed.request.number not in client.get("/foi/staff/").content.decode()
    client.force_login(demo.users["handler"])
    page = client.get("/foi/staff/").content.decode()
    assert filed.request.number in page and "1101**********3015" in page
    assert "110101199003073015" not in page
    response = client.post(
        f"/foi/staff/{filed.request.pk}/extend/", {"extend-days": 5, "extend-reason": "x"}
    )
    assert response.status_code == 403


def test_double_submission_of_a_step_is_refused(demo, client):
    filed = actions.submit_request(demo.users["13800000001"], demo.departments["SLS-SWJ"], data())
    client.force_login(demo.users["window"])
    url = f"/foi/staff/{filed.request.pk}/confirm/"
    assert client.post(url).status_code == 302
    again = client.post(url)
    assert again.status_code == 200 and "不能办理此环节" in again.content.decode()
