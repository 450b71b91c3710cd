import pytest
from django.db import IntegrityError, connection, transaction

from sunshine.audit.actions import record
from sunshine.audit.models import AppendOnlyError, AuditEvent

from .conftest import assert_refused

pytestmark = pytest.mark.django_db


def test_database_refuses_update():
    event = record(None, "test.kept", after={"n": 1})
    assert_refused(
        'UPDATE "{table}" SET "after" = NULL, "verb" = %s WHERE id = %s', ["test.forged", event.pk]
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.verb, stored.after) == ("test.kept", {"n": 1})


def test_database_refuses_delete():
    event = record(None, "test.kept")
    assert_refused('DELETE FROM "{table}" WHERE id = %s', [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_database_refuses_truncate():
    record(None, "test.kept")
    with connection.cursor() as cursor:
        # Else PostgreSQL refuses first, for the insert's deferred foreign-key check.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert_refused('TRUNCATE "{table}"')
    assert AuditEvent.objects.count() == 1


def test_model_refuses_changes():
    record(None, "test.kept")
    event = AuditEvent.objects.get()
    event.verb = "test.forged"
    with pytest.raises(AppendOnlyError, match="不能修改或删除"):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="test.forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().verb == "test.kept"


def test_model_refuses_overwriting_by_primary_key():
    kept = record(None, "test.kept")
    forged = AuditEvent(
        pk=kept.pk,
        seq=kept.seq,
        at=kept.at,
        verb="test.forged",
        prev_hash=kept.prev_hash,
        hash=kept.hash,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert AuditEvent.objects.get().verb == "test.kept"
