import json

import pytest
from django.core import mail

from sunshine.ops.gateways import FileSMSBackend


def test_a_message_handed_over_again_with_its_key_is_not_sent_twice(tmp_path, settings):
    settings.SMS_FILE = str(tmp_path / "sms.jsonl")
    gateway = FileSMSBackend()
    gateway.send("13800000001", "【红牌】逾期", key="sunshine-notification-7")
    gateway.send("13800000001", "【红牌】逾期", key="sunshine-notification-7")
    gateway.send("13800000001", "【黄牌】", key="sunshine-notification-8")
    lines = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert [(m["key"], m["repeat"]) for m in lines] == [
        ("sunshine-notification-7", False),
        ("sunshine-notification-7", True),
        ("sunshine-notification-8", False),
    ]


@pytest.mark.django_db
def test_every_delivery_of_a_notification_carries_the_same_key(demo, tmp_path, settings):
    from django.utils import timezone

    from sunshine.supervision.models import Notification
    from sunshine.supervision.notify import deliver

    settings.SMS_BACKEND = "sunshine.ops.gateways.FileSMSBackend"
    settings.SMS_FILE = str(tmp_path / "sms.jsonl")
    person = demo.users["handler"]
    person.email, person.mobile = "handler@example.gov.cn", "13900000009"
    person.save()
    notification = Notification.objects.create(
        recipient=person, subject="【红牌】测试", created_at=timezone.now()
    )
    deliver(notification)
    deliver(notification)  # a worker killed before its commit: the task runs again
    sms = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert [m["repeat"] for m in sms] == [False, True]
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == (
        f"<sunshine-notification-{notification.pk}@localhost>"
    )
