"""Writing the audit log: every action calls `record()` inside its own transaction."""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from .chain import event_hash
from .middleware import current_client_address
from .models import AuditChainHead, AuditEvent


def record(
    actor: AbstractBaseUser | AnonymousUser | None,
    verb: str,
    obj: models.Model | None = None,
    *,
    before: Any = None,
    after: Any = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Append an event to the audit log, in the caller's transaction.

    Call it inside the action's `transaction.atomic()` block, so the event commits or rolls back
    with the change. It joins that block without a savepoint: if it fails, the whole action
    rolls back, and nothing is ever committed unrecorded. It locks the chain head until the
    caller's transaction ends, so on PostgreSQL concurrent actions queue up from this point:
    call it late in the action. Inside `batch()` the event is written when the batch ends.

    `actor` None (or an anonymous visitor) means the system. The object is named by `obj`, or by
    `object_type` ("app_label.model"), `object_id` and `object_repr` when there is no instance;
    these override what `obj` gives. `before` and `after` are JSON values, as `snapshot()` makes
    them; dates, Decimals and UUIDs are converted as DjangoJSONEncoder does.
    """
    if actor is not None and not actor.is_authenticated:
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_repr = str(obj) if object_repr is None else object_repr
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_label=_fit("actor_label", str(actor) if actor else ""),
        verb=verb,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=_fit("object_repr", object_repr or ""),
        before=_json_value(before),
        after=_json_value(after),
        client_address=current_client_address(),
    )
    pending = getattr(transaction.get_connection(), "_audit_batch", None)
    if pending is not None:
        mark = _Mark()
        transaction.on_commit(mark)
        pending.append((event, mark))
        return event
    with transaction.atomic(savepoint=False):
        _append([event])
    return event


@contextmanager
def batch() -> Iterator[None]:
    """Write the records made inside the block together when it ends: one INSERT and one head
    update instead of one of each per record. For actions that record several changes (a
    workflow advance stops a clock, starts the next ones and signs a task).

    Use it inside the action's `transaction.atomic()` block. Records made in a savepoint that
    rolls back are dropped; if the block fails, nothing is written. A batch inside a batch joins
    the outer one. The events `record()` returns get their seq and hash when the block ends.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise TransactionManagementError("audit.batch() needs an atomic block.")
    if getattr(connection, "_audit_batch", None) is not None:
        yield
        return
    pending: list[tuple[AuditEvent, _Mark]] = []
    connection._audit_batch = pending
    try:
        yield
    finally:
        connection._audit_batch = None
    alive = {id(func) for _sids, func, _robust in connection.run_on_commit}
    events = [event for event, mark in pending if id(mark) in alive]
    if events:
        _append(events)


def _append(events: list[AuditEvent]) -> None:
    """Chain the events after the head, insert them and move the head, in the caller's
    transaction."""
    head = _locked_head()
    for event in events:
        event.seq, event.prev_hash = head.seq + 1, head.hash
        event.hash = event_hash(event)
        head.seq, head.hash = event.seq, event.hash
    if len(events) == 1:
        events[0].save()
    else:
        AuditEvent.objects.bulk_create(events)
    head.save(update_fields=["seq", "hash"])
    _remember(head)


class _Mark:
    """A do-nothing on-commit callback that marks a point in the transaction.

    Django drops the callbacks registered inside a savepoint when the savepoint rolls back, and
    all of them when the transaction ends: a mark still queued means that what it marks (a
    record in a batch, the chain head as this transaction last wrote and locked it) stands.
    """

    __slots__ = ("head",)

    def __init__(self, head: AuditChainHead | None = None) -> None:
        self.head = head

    def __call__(self) -> None:
        pass


def _locked_head() -> AuditChainHead:
    """The chain head, locked: selected once per transaction, then reused from the last mark."""
    connection = transaction.get_connection()
    mark = getattr(connection, "_audit_head_mark", None)
    if mark is not None and any(f is mark for _s, f, _r in reversed(connection.run_on_commit)):
        return mark.head
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _remember(head: AuditChainHead) -> None:
    mark = _Mark(head)
    transaction.on_commit(mark)
    transaction.get_connection()._audit_head_mark = mark


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of an instance as JSON values, for `before` and `after`.

    Foreign keys give the related id (without fetching the object), many-to-many fields the
    sorted ids, dates and times ISO 8601 strings, Decimals strings, files their name.
    """
    data = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            data[name] = sorted(related.pk for related in field.value_from_object(instance))
        else:
            data[name] = getattr(instance, field.attname)
    return _json_value(data)


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, FieldFile):
            return o.name or None
        return super().default(o)


def _json_value(value: Any) -> Any:
    """The value as the JSON column gives it back, so that the hash covers what is stored.

    Floats with a whole value become ints: PostgreSQL's jsonb returns 1e20 as an integer.
    """
    return json.loads(json.dumps(value, cls=_Encoder, allow_nan=False), parse_float=_number)


def _number(text: str) -> float | int:
    number = float(text)
    return int(number) if number.is_integer() else number


def _fit(field_name: str, text: str) -> str:
    return text[: AuditEvent._meta.get_field(field_name).max_length]
