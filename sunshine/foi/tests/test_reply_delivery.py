"""The reply reaches the applicant in the form asked for: by e-mail, sent by a task once the
reply's transaction commits, recorded on the history and in the audit log (sent or failed); by
post, in person or fax, with what the officer must do next on the staff page."""

import re
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from sunshine.audit.models import AuditEvent
from sunshine.errors import ActionError
from sunshine.foi import actions
from sunshine.foi import mail as foi_mail
from sunshine.foi.models import ReplyEmail, Request
from sunshine.foi.tasks import retry_reply_emails

from .test_staff_page import BY_POST, PDF, _in_review, _page


def _approved(demo, **overrides) -> Request:
    request = _in_review(demo, **overrides)
    return actions.review_decision(demo.users["legal"], request, approve=True, opinion="")


def _verbs(request: Request) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(request.pk), verb__startswith="foi.reply_email")
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def test_the_reply_is_emailed_with_the_letter_and_the_files(
    demo, client, django_capture_on_commit_callbacks
):
    request = _approved(demo)
    client.force_login(demo.users["handler"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/foi/staff/{request.pk}/send/")
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["zhangsan@example.com"] and request.number in message.subject
    assert message.extra_headers["Message-ID"].startswith("<sunshine-foi-reply-")
    assert [(name, kind) for name, _content, kind in message.attachments] == [
        (f"{request.number}.pdf", "application/pdf"),
        ("资金分配结果.pdf", "application/pdf"),
    ]
    assert message.attachments[0][1].startswith(b"%PDF") and message.attachments[1][1] == PDF
    assert "/foi/r/" not in message.body  # no public address configured: no link
    email = ReplyEmail.objects.get(request=request)
    assert email.sent_at and email.attempts == 1 and email.files_attached
    assert _verbs(request) == ["foi.reply_email_queued", "foi.reply_emailed"]
    staff = _page(client, demo.users["handler"], f"/foi/staff/{request.pk}/")
    sent = re.search(r'<p[^>]*data-delivery="sent"[^>]*>(.*?)</p>', staff, re.S)
    assert sent and "zhangsan@example.com" in sent.group(1)
    own = _page(client, demo.users["13800000001"], f"/foi/r/{request.pk}/")
    assert "电子邮件送达" in own
    # Run again (a second worker, the retry tick): nothing is sent twice.
    assert actions.deliver_reply_email(email.pk) is False
    retry_reply_emails.call_local()
    assert len(mail.outbox) == 1


def test_nothing_is_sent_before_the_reply_commits_and_a_lost_task_is_queued_again(demo):
    request = _approved(demo)
    actions.send_reply(demo.users["handler"], request)  # on_commit callbacks not run: no task
    assert mail.outbox == []
    assert ReplyEmail.objects.get(request=request).sent_at is None
    retry_reply_emails.call_local()  # the periodic tick finds it in the table
    assert len(mail.outbox) == 1


def test_a_failure_is_recorded_for_staff_and_retried(demo, client, monkeypatch):
    request = _approved(demo)
    actions.send_reply(demo.users["handler"], request)

    def refuse(self, fail_silently=False):
        raise SMTPException("relay refused")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    retry_reply_emails.call_local()
    email = ReplyEmail.objects.get(request=request)
    assert email.sent_at is None and email.attempts == 1 and "relay refused" in email.error
    step = request.steps.get(title="电子邮件发送失败")
    assert not step.public and "relay refused" in step.note
    assert _verbs(request) == ["foi.reply_email_queued", "foi.reply_email_failed"]
    staff = _page(client, demo.users["handler"], f"/foi/staff/{request.pk}/")
    assert 'data-delivery="retrying"' in staff and "relay refused" in staff
    assert "relay refused" not in _page(client, demo.users["13800000001"], f"/foi/r/{request.pk}/")
    retry_reply_emails.call_local()  # the next tick, within the pause: not tried again
    assert ReplyEmail.objects.get(request=request).attempts == 1
    later = timezone.now()
    for _n in range(actions.REPLY_EMAIL_ATTEMPTS):
        later += actions.REPLY_EMAIL_PAUSE
        actions.deliver_reply_email(email.pk, at=later)
    assert ReplyEmail.objects.get(request=request).attempts == actions.REPLY_EMAIL_ATTEMPTS
    staff = _page(client, demo.users["handler"], f"/foi/staff/{request.pk}/")
    assert 'data-delivery="failed"' in staff and "改用邮寄或当面方式送达" in staff

    monkeypatch.undo()
    # As if still within its tries, and the pause over.
    ReplyEmail.objects.filter(pk=email.pk).update(attempts=1, tried_at=None)
    retry_reply_emails.call_local()
    assert len(mail.outbox) == 1 and ReplyEmail.objects.get(pk=email.pk).sent_at


def test_files_too_large_to_attach_are_linked(demo, monkeypatch, settings):
    monkeypatch.setattr(foi_mail, "MAX_ATTACHED_BYTES", len(PDF) + 1)  # the letter is larger
    settings.PUBLIC_SITE_URL = "https://gk.example.gov.cn/"
    request = _approved(demo)
    actions.send_reply(demo.users["handler"], request)
    retry_reply_emails.call_local()
    [message] = mail.outbox
    assert [name for name, _content, _kind in message.attachments] == [f"{request.number}.pdf"]
    assert f"https://gk.example.gov.cn/foi/r/{request.pk}/" in message.body
    assert "资金分配结果.pdf" in message.body
    assert not ReplyEmail.objects.get(request=request).files_attached


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (BY_POST, "邮寄至：示例市人民路1号"),
        ({"form": "paper", "delivery": "in_person", "email": ""}, "通知申请人到本机关领取"),
        ({"form": "paper", "delivery": "fax", "email": ""}, "传真给申请人"),
    ],
)
def test_other_forms_tell_the_officer_what_to_do(demo, client, overrides, expected):
    request = _approved(demo, **overrides)
    url = f"/foi/staff/{request.pk}/"
    assert expected in _page(client, demo.users["handler"], url)
    actions.send_reply(demo.users["handler"], request)
    page = _page(client, demo.users["handler"], url)
    assert expected in page and "连同公开的政府信息（纸面）" in page
    assert mail.outbox == [] and not ReplyEmail.objects.exists()


def test_the_officer_records_a_posted_reply_once(demo, client):
    """By post: after signing, the officer records the day it was posted and the 邮寄单号; the
    applicant's history shows it; it is recorded once, by those who handle the request, on a
    day neither before the letter nor in the future."""
    request = _approved(demo, **BY_POST)
    handler = demo.users["handler"]
    actions.send_reply(handler, request)
    request.refresh_from_db()
    url = f"/foi/staff/{request.pk}/"
    assert 'id="panel-delivered"' in _page(client, handler, url)
    today = timezone.localdate()
    post = {
        "delivered-how": "post",
        "delivered-delivered_on": "2999-01-01",
        "delivered-note": "EMS 1234567890123",
    }
    page = client.post(f"{url}delivered/", post).content.decode()
    assert "送达日期不能晚于今天。" in page
    client.force_login(demo.users["supervisor"])  # reads the page, records nothing
    assert client.post(f"{url}delivered/", post).status_code == 403
    client.force_login(handler)
    post["delivered-delivered_on"] = today.isoformat()
    assert client.post(f"{url}delivered/", post).status_code == 302
    request.refresh_from_db()
    assert request.delivered_on == today and request.delivery_note == "EMS 1234567890123"
    assert request.delivered_by == Request.Channel.POST
    page = _page(client, handler, url)
    assert 'data-delivery="delivered"' in page and 'id="panel-delivered"' not in page
    own = _page(client, demo.users["13800000001"], f"/foi/r/{request.pk}/")
    assert "EMS 1234567890123" in own and "答复书已于" in own
    with pytest.raises(ActionError, match="已登记送达"):
        actions.record_delivery(handler, request, how="post", delivered_on=today)
    assert AuditEvent.objects.filter(verb="foi.delivered", object_id=str(request.pk)).count() == 1


def test_an_emailed_reply_is_recorded_by_hand_only_once_its_email_gave_up(
    demo, client, monkeypatch
):
    """While its e-mail is queued, retried or sent, no hand record is offered or taken; once
    it has given up, the officer delivers the reply another way and records how."""
    request = _approved(demo)
    handler = demo.users["handler"]
    actions.send_reply(handler, request)
    request.refresh_from_db()
    url = f"/foi/staff/{request.pk}/"
    today = timezone.localdate()
    assert 'id="panel-delivered"' not in _page(client, handler, url)  # queued
    with pytest.raises(ActionError, match="电子邮件"):
        actions.record_delivery(handler, request, how="post", delivered_on=today)

    def refuse(self, fail_silently=False):
        raise SMTPException("relay refused")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    later = timezone.now()
    for _n in range(actions.REPLY_EMAIL_ATTEMPTS):
        actions.deliver_reply_email(ReplyEmail.objects.get(request=request).pk, at=later)
        later += actions.REPLY_EMAIL_PAUSE
    page = _page(client, handler, url)
    assert 'data-delivery="failed"' in page and 'id="panel-delivered"' in page
    assert '<option value="post" selected>' in page  # e-mail failed: by post, unless told
    actions.record_delivery(handler, request, how="in_person", delivered_on=today, note="张三")
    request.refresh_from_db()
    assert request.delivered_by == Request.Channel.IN_PERSON
    assert "送达（当面）" in _page(client, handler, url)
