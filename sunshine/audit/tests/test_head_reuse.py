"""record() selects the chain head once per transaction and reuses it after that; a savepoint
rolled back in between must not leave it a step ahead of the row."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sunshine.audit.actions import record
from sunshine.audit.chain import verify_chain
from sunshine.audit.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def head_selects(queries) -> int:
    return sum('FROM "audit_auditchainhead"' in q["sql"] for q in queries)


def test_head_is_selected_once_per_transaction():
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for n in range(5):
            record(None, f"test.batch{n}")
    assert head_selects(queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        record(None, "test.next_transaction")
    assert head_selects(queries.captured_queries) == 1
    report = verify_chain()
    assert report.fault is None and report.checked == 6


def test_a_rolled_back_savepoint_does_not_leave_the_head_ahead():
    with transaction.atomic():
        record(None, "test.kept")
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            record(None, "test.rolled_back")
            1 / 0  # noqa: B018 -- fail inside the savepoint
        record(None, "test.after")
    assert list(AuditEvent.objects.order_by("seq").values_list("verb", flat=True)) == [
        "test.kept",
        "test.after",
    ]
    assert AuditChainHead.objects.get().seq == 2
    assert verify_chain().fault is None


def test_a_batch_writes_its_records_at_once_and_drops_rolled_back_ones():
    from sunshine.audit.actions import batch

    with CaptureQueriesContext(connection) as queries, transaction.atomic(), batch():
        first = record(None, "test.first")
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            record(None, "test.rolled_back")
            1 / 0  # noqa: B018 -- fail inside the savepoint
        with batch():
            record(None, "test.inner")
        assert first.pk is None
    inserts = [
        q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')
    ]
    assert len(inserts) == 1
    assert first.seq == 1
    assert list(AuditEvent.objects.order_by("seq").values_list("verb", flat=True)) == [
        "test.first",
        "test.inner",
    ]
    assert verify_chain().fault is None
    with pytest.raises(ZeroDivisionError), transaction.atomic(), batch():
        record(None, "test.failed")
        1 / 0  # noqa: B018 -- the whole action fails
    assert AuditEvent.objects.count() == 2 and AuditChainHead.objects.get().seq == 2
