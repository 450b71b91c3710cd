from django.tasks import task

from .actions import recompute_provisional_clocks


@task
def recompute_provisional() -> int:
    """After an administrator enters a year's holidays, estimated due dates become real ones."""
    return recompute_provisional_clocks()
