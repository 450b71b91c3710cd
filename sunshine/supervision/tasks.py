from django.db import transaction
from django.tasks import task
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import Notification
from .notify import deliver


@task
def sweep_clocks() -> int:
    from .actions import sweep

    return sweep().total


@task
def run_anomaly_rules() -> int:
    from .actions import run_anomaly_rules

    return sum(run_anomaly_rules().values())


@task
def deliver_notifications() -> int:
    """Send what has not been sent; each notification is claimed before it is sent, so a second
    worker running at the same time, or this task run twice, sends nothing twice."""
    sent = 0
    for pk in list(
        Notification.objects.filter(delivered_at__isnull=True).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            claimed = Notification.objects.filter(pk=pk, delivered_at__isnull=True).update(
                delivered_at=timezone.now()
            )
            if claimed:
                deliver(Notification.objects.select_related("recipient").get(pk=pk))
                sent += 1
    return sent


@db_periodic_task(crontab(minute="*"))
def every_minute() -> None:
    """The scheduler's tick: queue the sweep (it runs on a worker like every other task), and
    the delivery of notifications, so that one whose queued task died with a worker is still
    sent within the minute: the table, not the queue, says what is left to send."""
    sweep_clocks.enqueue()
    deliver_notifications.enqueue()


@db_periodic_task(crontab(hour="1", minute="10"))
def every_night() -> None:
    """The anomaly rules read a week of records: once a day, at night."""
    run_anomaly_rules.enqueue()
