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
from .models import GENESIS_HASH, AuditChainHead, AuditEvent
from .triggers import TABLE


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
    # Positional, in the model's field order (id, seq, at, actor, …, prev_hash, hash): the
    # cheapest way to make a model instance, and every action makes one or more.
    event = AuditEvent(
        None,
        None,
        timezone.now(),
        actor.pk if actor else None,
        _fit("actor_label", str(actor) if actor else ""),
        verb,
        object_type or "",
        "" if object_id is None else str(object_id),
        _fit("object_repr", object_repr or ""),
        _json_value(before),
        _json_value(after),
        current_client_address(),
        "",
        "",
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


_HEAD = AuditChainHead._meta.db_table
_COLUMNS = (
    "seq, at, actor_id, actor_label, verb, object_type, object_id, object_repr, before, after, "
    "client_address, prev_hash, hash"
)
_ROW = "(" + ", ".join(["%s"] * 13) + ")"


def _append(events: list[AuditEvent]) -> None:
    """Chain the events after the head, insert them and move the head, in the caller's
    transaction: raw statements, since every action of the system passes here."""
    connection = transaction.get_connection()
    ops = connection.ops
    head = _locked_head(connection)
    params: list[Any] = []
    for event in events:
        event.seq, event.prev_hash = head[0] + 1, head[1]
        event.hash = event_hash(event)
        head[0], head[1] = event.seq, event.hash
        params += [
            event.seq,
            ops.adapt_datetimefield_value(event.at),
            event.actor_id,
            event.actor_label,
            event.verb,
            event.object_type,
            event.object_id,
            event.object_repr,
            None if event.before is None else ops.adapt_json_value(event.before, None),
            None if event.after is None else ops.adapt_json_value(event.after, None),
            ops.adapt_ipaddressfield_value(event.client_address),
            event.prev_hash,
            event.hash,
        ]
    rows = ", ".join([_ROW] * len(events))
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{TABLE}" ({_COLUMNS}) VALUES {rows} RETURNING id', params)  # noqa: S608
        for event, (pk,) in zip(events, cursor.fetchall(), strict=True):
            event.pk = pk
            event._state.adding = False
        cursor.execute(f'UPDATE "{_HEAD}" SET seq = %s, hash = %s WHERE id = 1', head)  # noqa: S608
    _remember(head)


class _Mark:
    """A do-nothing on-commit callback that marks a point in the transaction.

    Django drops the callbacks registered inside a savepoint when the savepoint rolls back, and
    all of them when the transaction ends: a mark still queued means that what it marks (a
    record in a batch, the chain head as this transaction last wrote and locked it) stands.
    """

    __slots__ = ("head",)

    def __init__(self, head: list[Any] | None = None) -> None:
        self.head = head

    def __call__(self) -> None:
        pass


def _locked_head(connection: Any) -> list[Any]:
    """The chain head's [seq, hash], locked: selected once per transaction, then reused from
    the last mark (a copy, so that a failed append leaves the mark as it was)."""
    mark = getattr(connection, "_audit_head_mark", None)
    if mark is not None and any(f is mark for _s, f, _r in reversed(connection.run_on_commit)):
        return list(mark.head)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = f'SELECT seq, hash FROM "{_HEAD}" WHERE id = 1{lock}'  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(select)
        row = cursor.fetchone()
        if row is None:  # the first event ever; a concurrent first one wins the insert
            cursor.execute(
                f'INSERT INTO "{_HEAD}" (id, seq, hash) VALUES (1, 0, %s) '  # noqa: S608
                "ON CONFLICT DO NOTHING RETURNING seq, hash",
                [GENESIS_HASH],
            )
            row = cursor.fetchone()
            if row is None:
                cursor.execute(select)
                row = cursor.fetchone()
    return list(row)


def _remember(head: list[Any]) -> None:
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

    Floats with a whole value become ints: PostgreSQL's jsonb returns 1e20 as an integer. A flat
    dict of strings, integers and nulls (most snapshots) comes back as it is: it is copied, not
    encoded and decoded.
    """
    if type(value) is dict and all(
        type(k) is str and (v is None or isinstance(v, str | int)) for k, v in value.items()
    ):
        return dict(value)
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=_Encoder, allow_nan=False), parse_float=_number)


def _number(text: str) -> float | int:
    number = float(text)
    return int(number) if number.is_integer() else number


def _fit(field_name: str, text: str) -> str:
    return text[: AuditEvent._meta.get_field(field_name).max_length]
