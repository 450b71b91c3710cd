"""The staff's request page: the applicant's contact details, the files to be disclosed, and the
reply's date as the applicant sees it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.formats import date_format

from sunshine.foi import actions
from sunshine.foi.models import Request

from .test_clock_rules import at, data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BY_POST = {"form": "paper", "delivery": "post", "address": "示例市人民路1号"}


def _in_review(demo, **overrides) -> Request:
    """A request whose draft reply, with one file to disclose, waits for the legal section."""
    filed = actions.submit_request(
        demo.users["13800000001"], demo.departments["SLS-SWJ"], data(**overrides)
    )
    request = actions.confirm_receipt(demo.users["window"], filed.request, at=at("2026-03-02"))
    return actions.submit_decision(
        demo.users["handler"],
        request,
        outcome="disclose",
        reply_text="经审查，您申请的信息予以公开，见附件。",
        files=[SimpleUploadedFile("资金分配结果.pdf", PDF, content_type="application/pdf")],
        at=at("2026-03-03"),
    )


def _page(client: Client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _fact(page: str, name: str) -> str:
    found = re.search(rf'<dd class="{name}">(.*?)</dd>', page, re.S)
    assert found, name
    return found.group(1)


def test_staff_on_the_request_see_how_to_reach_the_applicant(demo, client):
    request = _in_review(demo, **BY_POST)
    url = f"/foi/staff/{request.pk}/"
    for username in ("handler", "legal"):  # the legal section reviews from this page too
        page = _page(client, demo.users[username], url)
        assert '<a href="tel:13800000001">13800000001</a>' in _fact(page, "phone")
        assert "zhangsan@example.com" in _fact(page, "email")
        assert _fact(page, "address") == "示例市人民路1号"
        assert "纸面 / 邮寄" in page
        assert "1101**********3015" in page and "110101199003073015" not in page
    for username in ("market", "13800000001"):  # another agency; the applicant's own account
        client.force_login(demo.users[username])
        assert client.get(url).status_code == 404


def test_the_query_code_does_not_open_the_applicants_contact_details(demo, client):
    filed = actions.submit_request(
        demo.users["13800000001"], demo.departments["SLS-SWJ"], data(**BY_POST)
    )
    client.post("/foi/track/", {"number": filed.request.number, "code": filed.query_code})
    page = client.get(f"/foi/r/{filed.request.pk}/").content.decode()
    assert filed.request.number in page
    assert "示例市人民路1号" not in page and "zhangsan@example.com" not in page


def test_staff_see_and_open_the_files_to_be_disclosed_before_the_reply_goes_out(demo, client):
    request = _in_review(demo)
    item = request.attachments.get()
    link = f'<a href="/foi/r/{request.pk}/files/{item.pk}/">资金分配结果.pdf</a>'
    for username in ("handler", "legal"):
        assert link in _page(client, demo.users[username], f"/foi/staff/{request.pk}/")
        response = client.get(f"/foi/r/{request.pk}/files/{item.pk}/")
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    # Not the applicant's yet: the reply has not been sent.
    applicant = demo.users["13800000001"]
    assert link not in _page(client, applicant, f"/foi/r/{request.pk}/")
    assert client.get(f"/foi/r/{request.pk}/files/{item.pk}/").status_code == 404
    client.force_login(demo.users["market"])
    assert client.get(f"/foi/r/{request.pk}/files/{item.pk}/").status_code == 404

    request = actions.review_decision(demo.users["legal"], request, approve=True, opinion="")
    actions.send_reply(demo.users["handler"], request)
    assert link in _page(client, applicant, f"/foi/r/{request.pk}/")
    assert client.get(f"/foi/r/{request.pk}/files/{item.pk}/").status_code == 200


@pytest.mark.parametrize("state", ["approved", "closed"])
def test_the_reply_date_is_the_day_it_was_sent_on_both_pages(demo, client, state):
    request = _in_review(demo)  # written on 3 March
    request = actions.review_decision(
        demo.users["legal"], request, approve=True, opinion="", at=at("2026-03-04")
    )
    staff_url, own_url = f"/foi/staff/{request.pk}/", f"/foi/r/{request.pk}/"
    if state == "approved":
        # Approved but not sent: nothing has reached the applicant, no remedy period runs.
        assert request.replied_on is None
        assert "答复日期" not in _page(client, demo.users["handler"], staff_url)
        assert "答复日期" not in _page(client, demo.users["13800000001"], own_url)
        return
    request = actions.send_reply(demo.users["handler"], request, at=at("2026-03-06", 15))
    sent = date_format(request.replied_on)
    assert request.replied_on.isoformat() == "2026-03-06"
    for user, url in ((demo.users["handler"], staff_url), (demo.users["13800000001"], own_url)):
        page = _page(client, user, url)
        assert "<dt>答复日期</dt>" in page and _fact(page, "replied") == sent


def test_the_supervision_office_reads_the_staff_page_and_acts_on_nothing(demo, client):
    """Supervision's alerts and urges link a request to its staff page: the office reads it,
    contact details and files included, but is offered no step and cannot post one."""
    request = _in_review(demo)
    supervisor = demo.users["supervisor"]
    page = _page(client, supervisor, f"/foi/staff/{request.pk}/")
    assert "zhangsan@example.com" in _fact(page, "email")
    assert "资金分配结果.pdf" in page
    assert 'id="panel-' not in page
    response = client.post(
        f"/foi/staff/{request.pk}/review/", {"review-approve": "1", "review-opinion": "同意"}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.state == Request.State.LEGAL_REVIEW
