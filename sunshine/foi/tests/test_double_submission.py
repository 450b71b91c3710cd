"""The request form sent twice (a double click, a resend) files one request, also at once."""

import re

import pytest
from django.test import Client

from sunshine.core.testing import together
from sunshine.foi.models import Request


def _form(client: Client, url: str) -> dict[str, str]:
    page = client.get(url).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page).group(1)
    return {"submission_key": key}


def _payload(demo, key: dict[str, str]) -> dict[str, str]:
    return {
        **key,
        "organisation": demo.departments["SLS-SWJ"].pk,
        "applicant_type": "natural",
        "applicant_name": "张三",
        "id_kind": "resident",
        "id_number": demo.users["13800000001"].id_number,
        "phone": "13800000001",
        "info_title": "2025年商贸流通专项资金分配结果",
        "email": "zhangsan@example.com",
        "form": "email",
        "delivery": "online",
    }


@pytest.mark.django_db
def test_a_resent_request_form_files_once_and_says_so(client, demo):
    client.force_login(demo.users["13800000001"])
    before = Request.objects.count()  # the demo's own
    data = _payload(demo, _form(client, "/foi/"))
    first = client.post("/foi/", data)
    assert first.status_code == 200 and "查询码只显示这一次" in first.content.decode()
    again = client.post("/foi/", data)
    assert "已经提交过" in again.content.decode()
    assert Request.objects.count() == before + 1
    # A fresh form is a new request.
    client.post("/foi/", _payload(demo, _form(client, "/foi/")))
    assert Request.objects.count() == before + 2


@pytest.mark.django_db
def test_a_form_without_its_key_or_with_someone_elses_is_refused(client, demo):
    citizen, enterprise = demo.users["13800000001"], demo.users["13800000002"]
    client.force_login(citizen)
    before = Request.objects.count()
    data = _payload(demo, _form(client, "/foi/"))
    without = client.post("/foi/", {k: v for k, v in data.items() if k != "submission_key"})
    assert "表单已过期" in without.content.decode() and Request.objects.count() == before
    client.post("/foi/", data)
    other = Client()
    other.force_login(enterprise)
    stolen = other.post("/foi/", data)
    assert stolen.status_code == 200 and "表单已过期" in stolen.content.decode()
    assert Request.objects.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_the_same_moment_file_one_request(demo):
    client = Client()
    client.force_login(demo.users["13800000001"])
    before = Request.objects.count()
    data = _payload(demo, _form(client, "/foi/"))

    def send() -> str:
        mine = Client()
        mine.force_login(demo.users["13800000001"])
        return mine.post("/foi/", data).content.decode()

    pages = together([send, send])
    assert Request.objects.count() == before + 1
    assert sorted("已经提交过" in page for page in pages) == [False, True]
