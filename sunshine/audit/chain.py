"""The hash chain: what an event's hash covers, and the walk that checks the whole log."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import GENESIS_HASH, AuditChainHead, AuditEvent

# Rows fetched per round trip while streaming the chain.
CHUNK_SIZE = 2000


def event_hash(event: AuditEvent) -> str:
    """sha256 over the canonical JSON of every field of the event, prev_hash included.

    The id is left out because the database assigns it only on insert; seq is the event's
    place in the chain. The JSON values are hashed as stored (record() normalises them first).
    """
    content = {
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "client_address": event.client_address,
        "prev_hash": event.prev_hash,
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Fault(models.TextChoices):
    TAMPERED = "tampered", _("内容被篡改")
    BROKEN_LINK = "broken_link", _("链接断裂")
    MISSING = "missing", _("缺失事件")


@dataclass(frozen=True)
class ChainFault:
    """Where the chain first goes wrong; event_id is None when the event itself is gone."""

    kind: Fault
    seq: int
    event_id: int | None


@dataclass(frozen=True)
class ChainReport:
    checked: int
    fault: ChainFault | None = None


def verify_chain() -> ChainReport:
    """Walk the log in seq order without loading it whole; stop at the first fault.

    A changed row fails its own hash, a removed row leaves a gap in seq (or a broken link), and
    removing the newest rows leaves the chain head pointing past the end.
    """
    expected_seq, prev_hash, last_id = 1, GENESIS_HASH, None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=CHUNK_SIZE):
        kind = None
        if event.seq != expected_seq:
            kind = Fault.MISSING
        elif event.prev_hash != prev_hash:
            kind = Fault.BROKEN_LINK
        elif event_hash(event) != event.hash:
            kind = Fault.TAMPERED
        if kind:
            return ChainReport(expected_seq - 1, ChainFault(kind, event.seq, event.pk))
        expected_seq, prev_hash, last_id = expected_seq + 1, event.hash, event.pk
    checked = expected_seq - 1
    return ChainReport(checked, _compare_with_head(checked, prev_hash, last_id))


def _compare_with_head(last_seq: int, last_hash: str, last_id: int | None) -> ChainFault | None:
    """Check the walk's end against the chain head, read after the walk.

    The head only moves forward and moves in the same transaction as the insert, so a head
    ahead of the walk is fine as long as the events in between are there now: they were
    appended while the walk ran.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq == last_seq:
        return None if head_hash == last_hash else ChainFault(Fault.BROKEN_LINK, last_seq, last_id)
    if head_seq < last_seq:
        # Events the head never covered were not appended by record().
        seq = head_seq + 1
        event_id = AuditEvent.objects.filter(seq=seq).values_list("pk", flat=True).first()
        return ChainFault(Fault.BROKEN_LINK, seq, event_id)
    expected_seq = last_seq + 1
    newer = AuditEvent.objects.filter(seq__gt=last_seq, seq__lte=head_seq).order_by("seq")
    for seq in newer.values_list("seq", flat=True).iterator(chunk_size=CHUNK_SIZE):
        if seq != expected_seq:
            break
        expected_seq += 1
    return None if expected_seq > head_seq else ChainFault(Fault.MISSING, expected_seq, None)
