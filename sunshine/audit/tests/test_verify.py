from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sunshine.audit.actions import record
from sunshine.audit.chain import event_hash
from sunshine.audit.models import AuditChainHead, AuditEvent
from sunshine.audit.triggers import TABLE, drop_triggers

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    return [record(None, f"test.step{n}", after={"n": n}) for n in range(1, 5)]


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        verify()
    return str(failure.value)


def tamper(sql: str, params: list) -> None:
    """Change the log behind the application's back, as someone with DDL rights could."""
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=TABLE), params)


def test_intact_chain_passes(events):
    assert "已校验 4 条事件" in verify()


def test_empty_log_passes():
    assert "已校验 0 条事件" in verify()


def test_altered_row_is_named(events):
    tamper('UPDATE "{table}" SET "after" = %s WHERE id = %s', ['{"n": 99}', events[1].pk])
    assert f"序号 2（id {events[1].pk}）处内容被篡改" in verify_fails()


def test_altered_row_with_a_recomputed_hash_breaks_the_next_link(events):
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.verb = "test.forged"
    tamper(
        'UPDATE "{table}" SET "verb" = %s, "hash" = %s WHERE id = %s',
        [forged.verb, event_hash(forged), forged.pk],
    )
    assert f"序号 3（id {events[2].pk}）处链接断裂" in verify_fails()


def test_removed_middle_row_is_caught(events):
    tamper('DELETE FROM "{table}" WHERE id = %s', [events[1].pk])
    assert f"序号 3（id {events[2].pk}）处缺失事件" in verify_fails()


def test_removed_first_row_is_caught(events):
    tamper('DELETE FROM "{table}" WHERE id = %s', [events[0].pk])
    assert f"序号 2（id {events[1].pk}）处缺失事件" in verify_fails()


def test_removed_newest_rows_are_caught_by_the_head(events):
    tamper('DELETE FROM "{table}" WHERE seq >= %s', [3])
    assert "序号 3（id —）处缺失事件" in verify_fails()


def test_replaced_newest_row_is_caught_by_the_head(events):
    forged = AuditEvent.objects.get(pk=events[-1].pk)
    forged.verb = "test.forged"
    tamper(
        'UPDATE "{table}" SET "verb" = %s, "hash" = %s WHERE id = %s',
        [forged.verb, event_hash(forged), forged.pk],
    )
    assert f"序号 4（id {forged.pk}）处链接断裂" in verify_fails()


def test_events_the_head_never_covered_are_caught(events):
    AuditChainHead.objects.update(seq=2, hash=events[1].hash)
    assert f"序号 3（id {events[2].pk}）处链接断裂" in verify_fails()
