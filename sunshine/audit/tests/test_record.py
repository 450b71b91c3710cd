import copy
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import transaction

from sunshine.audit.actions import record, snapshot
from sunshine.audit.chain import event_hash
from sunshine.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


def test_first_event_starts_the_chain():
    event = record(None, "test.first")
    assert (event.seq, event.prev_hash) == (1, GENESIS_HASH)
    assert event.hash == event_hash(event)
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (1, event.hash)


def test_each_event_links_to_the_one_before():
    for n in range(4):
        record(None, f"test.step{n}")
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert [e.prev_hash for e in events] == [GENESIS_HASH] + [e.hash for e in events[:-1]]
    # Hashes recomputed from the rows as read back from the database still match.
    assert all(e.hash == event_hash(e) for e in events)
    assert AuditChainHead.objects.get().hash == events[-1].hash


def test_record_names_the_actor_and_the_object(user):
    event = record(user, "accounts.test", user, before={"kind": "staff"}, after={"kind": "citizen"})
    event.refresh_from_db()
    assert event.actor == user
    assert event.actor_label == "王审计"
    assert (event.object_type, event.object_id, event.object_repr) == (
        "accounts.user",
        str(user.pk),
        "王审计",
    )
    assert (event.before, event.after) == ({"kind": "staff"}, {"kind": "citizen"})


def test_the_label_keeps_the_name_at_the_time(user):
    event = record(user, "accounts.test")
    user.real_name = "王新名"
    user.save()
    event.refresh_from_db()
    assert event.actor_label == "王审计"


def test_anonymous_visitor_is_recorded_as_no_actor():
    event = record(AnonymousUser(), "accounts.failed_login")
    assert (event.actor, event.actor_label) == (None, "")


def test_object_named_without_an_instance():
    event = record(
        None, "clocks.recompute", object_type="clocks.clock", object_id=7, object_repr="时钟 7"
    )
    assert (event.object_type, event.object_id, event.object_repr) == (
        "clocks.clock",
        "7",
        "时钟 7",
    )


def test_long_texts_are_cut_to_fit():
    event = record(None, "test.long", object_type="test.thing", object_id=1, object_repr="长" * 500)
    event.refresh_from_db()
    assert event.object_repr == "长" * 200
    assert event.hash == event_hash(event)


def test_values_are_stored_as_json_and_hashed_as_stored():
    after = {
        "amount": Decimal("1.10"),
        "on": date(2026, 1, 2),
        "ratio": 0.1,
        "whole": 2.0,
        "big": 1e20,
        "pair": (1, 2),
        "名称": "阳光",
    }
    event = record(None, "test.values", after=after)
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.after == {
        "amount": "1.10",
        "on": "2026-01-02",
        "ratio": 0.1,
        "whole": 2,
        "big": 10**20,
        "pair": [1, 2],
        "名称": "阳光",
    }
    assert event.hash == event_hash(event)


def test_hash_covers_every_field(user):
    event = record(
        None,
        "test.original",
        object_type="a.b",
        object_id=1,
        object_repr="x",
        before={"n": 1},
        after={"n": 2},
    )
    other = get_user_model().objects.create_user(username="li", password="secret-password")
    changes = {
        "seq": event.seq + 1,
        "at": event.at + timedelta(microseconds=1),
        "actor_id": other.pk,
        "actor_label": "李",
        "verb": "test.forged",
        "object_type": "a.c",
        "object_id": "2",
        "object_repr": "y",
        "before": {"n": 0},
        "after": {"n": 3},
        "client_address": "192.0.2.1",
        "prev_hash": "f" * 64,
    }
    fields = {field.attname for field in AuditEvent._meta.concrete_fields}
    assert set(changes) == fields - {"id", "hash"}
    for attname, value in changes.items():
        altered = copy.copy(event)
        setattr(altered, attname, value)
        assert event_hash(altered) != event.hash, attname


def test_an_event_rolls_back_with_its_action():
    record(None, "test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        record(None, "test.undone")
        raise RuntimeError
    assert list(AuditEvent.objects.values_list("verb", flat=True)) == ["test.kept"]
    assert AuditChainHead.objects.get().seq == 1
    assert record(None, "test.next").seq == 2


def test_snapshot_gives_json_values(user):
    group = Group.objects.create(name="审计员")
    user.groups.add(group)
    user.date_joined = datetime.fromisoformat("2026-03-04T05:06:07.089+00:00")
    data = snapshot(user, ["username", "date_joined", "locked_until", "groups", "is_active"])
    assert data == {
        "username": "wang",
        "date_joined": "2026-03-04T05:06:07.089Z",
        "locked_until": None,
        "groups": [group.pk],
        "is_active": True,
    }


def test_snapshot_gives_foreign_keys_as_ids():
    permission = Permission.objects.select_related("content_type").first()
    data = snapshot(permission, ["codename", "content_type"])
    assert data == {"codename": permission.codename, "content_type": permission.content_type_id}
