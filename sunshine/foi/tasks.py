from django.tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .actions import REPLY_EMAIL_ATTEMPTS, deliver_reply_email
from .models import ReplyEmail


@task
def send_reply_email(pk: int) -> bool:
    """E-mail a reply letter (queued by `actions.send_reply` when its transaction commits)."""
    return deliver_reply_email(pk)


@db_periodic_task(crontab(minute="*/10"))
def retry_reply_emails() -> None:
    """Every ten minutes, queue again what has not gone out: a task lost with its worker, or a
    relay that refused; the table says what is left, and `deliver_reply_email` leaves alone what
    was tried within its pause, so REPLY_EMAIL_ATTEMPTS tries span about an hour."""
    pending = ReplyEmail.objects.filter(sent_at__isnull=True, attempts__lt=REPLY_EMAIL_ATTEMPTS)
    for pk in pending.values_list("pk", flat=True):
        send_reply_email.enqueue(pk)
