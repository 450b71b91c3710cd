from django.tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .actions import lapse_intakes


@task
def record_lapsed_intakes() -> int:
    """Applications unanswered for 5 working days are accepted by law (《行政许可法》第三十二条)."""
    return lapse_intakes()


@db_periodic_task(crontab(minute="*/15"))
def check_intakes() -> None:
    """Every quarter hour, so that the law's acceptance never waits for a page to be opened."""
    record_lapsed_intakes.enqueue()
