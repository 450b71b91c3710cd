"""Sending notifications by e-mail and SMS through pluggable backends.

E-mail goes through Django's mail framework (EMAIL_BACKEND; console by default). SMS goes through
the class named by SMS_BACKEND, which has one method, `send(mobile, text, *, key)`; the default
writes to the log, as a government's SMS gateway differs from one city to the next.

Delivery is at least once from our side: a worker killed after handing a message over but before
its transaction commits hands it over again. Each message therefore carries a key that stays the
same across attempts (the SMS gateway's client message id; the e-mail's Message-ID), by which the
gateway and mail servers drop the repeat, so that the person receives it once.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger(__name__)


class ConsoleSMSBackend:
    def send(self, mobile: str, text: str, *, key: str) -> None:
        logger.info("SMS %s to %s: %s", key, mobile, text)


def sms_backend() -> ConsoleSMSBackend:
    path = getattr(settings, "SMS_BACKEND", "sunshine.supervision.notify.ConsoleSMSBackend")
    return import_string(path)()


def delivery_key(notification: Notification) -> str:
    return f"sunshine-notification-{notification.pk}"


def deliver(notification: Notification) -> None:
    person = notification.recipient
    key = delivery_key(notification)
    if person.email:
        EmailMessage(
            notification.subject,
            notification.body or notification.subject,
            to=[person.email],
            headers={"Message-ID": f"<{key}@{settings.NOTIFICATION_MAIL_DOMAIN}>"},
        ).send()
    if person.mobile:
        sms_backend().send(person.mobile, notification.subject, key=key)
