"""Sending notifications by e-mail and SMS through pluggable backends.

E-mail goes through Django's mail framework (EMAIL_BACKEND; console by default). SMS goes through
the class named by SMS_BACKEND, which has one method, `send(mobile, text)`; the default writes to
the log, as a government's SMS gateway differs from one city to the next.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger(__name__)


class ConsoleSMSBackend:
    def send(self, mobile: str, text: str) -> None:
        logger.info("SMS to %s: %s", mobile, text)


def sms_backend() -> ConsoleSMSBackend:
    path = getattr(settings, "SMS_BACKEND", "sunshine.supervision.notify.ConsoleSMSBackend")
    return import_string(path)()


def deliver(notification: Notification) -> None:
    person = notification.recipient
    if person.email:
        send_mail(
            notification.subject, notification.body or notification.subject, None, [person.email]
        )
    if person.mobile:
        sms_backend().send(person.mobile, notification.subject)
