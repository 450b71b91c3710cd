"""Tests that commit: the flush after them and appends from several connections at once."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from sunshine.audit.actions import record
from sunshine.audit.chain import ChainReport, verify_chain
from sunshine.audit.models import AuditChainHead, AuditEvent

from .conftest import assert_refused

pytestmark = pytest.mark.django_db(transaction=True)


def test_flush_empties_the_log_and_keeps_the_triggers():
    record(None, "test.before_flush")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert not AuditChainHead.objects.exists()
    event = record(None, "test.after_flush")
    assert event.seq == 1
    assert_refused('UPDATE "{table}" SET "verb" = %s WHERE id = %s', ["test.forged", event.pk])
    assert AuditEvent.objects.get().verb == "test.after_flush"


def test_concurrent_appends_keep_the_chain_intact():
    threads, appends = 8, 10
    start = Barrier(threads)

    def append(worker: int) -> None:
        try:
            start.wait(timeout=30)
            for n in range(appends):
                with transaction.atomic():
                    record(
                        None,
                        "test.concurrent",
                        object_type="test.worker",
                        object_id=f"{worker}.{n}",
                    )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(append, worker) for worker in range(threads)]
    for future in futures:
        future.result()

    total = threads * appends
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    assert verify_chain() == ChainReport(total)
