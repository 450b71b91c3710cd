"""Every state change of an appeal: intake, dispatch, handling on the clock, reply, follow-up,
publication. Each action checks permission first, validates with a Chinese message, locks the
appeal (a double submission waits and then sees the first one's effect), writes the change, its
timeline event and its audit record in one transaction.

The lifecycle follows research §1.3 (受理 → 派单 → 签收 → 办理 → 答复 → 审核 → 回访 → 归档) and the
rules of 国办函〔2025〕66号 (派单目录, 主办/协办, 退单/改派 review, 并单).
"""

import contextvars
import fcntl
import hashlib
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.core.cache import cache
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.audit.actions import batch, record, snapshot
from sunshine.clocks.actions import extend_clock, pause_clock, resume_clock, start_clock, stop_clock
from sunshine.clocks.models import Clock, PauseReason, State, Unit
from sunshine.core.numbers import digest_query_code, make_query_code, next_number
from sunshine.errors import ActionError
from sunshine.org.models import Department
from sunshine.org.permissions import require

from . import rules
from .models import (
    ApiKey,
    Appeal,
    AppealEvent,
    AppealType,
    Assignment,
    Category,
    Channel,
    ExtensionRequest,
    FollowUp,
    KnowledgeEntry,
    Mailbox,
    Publication,
    Reply,
    ReportBack,
    Status,
    TimeLimit,
    Urgency,
)
from .text import REFUSALS, mask_text

SIGN_LIMIT = 1  # working days to sign for a ticket (research §1.3: e.g. 1 working day)
RETURN_REVIEW_LIMIT = 1  # working days for the centre to rule on a return
DEFAULT_LIMIT = (5, Unit.WORKDAYS)  # when the table has no row for the type × urgency
MAX_EXTENSIONS = 2  # approved extensions per assignment (research §1.4: capped)
TITLE_RANGE = (10, 25)  # mailbox letters (Shenyang 市长信箱 rules, research §1.6)
LETTER_BODY_LIMIT = 1000
BODY_LIMIT = 4000  # Open311 description ≤ 4,000 characters
KEY_CACHE_SECONDS = 30  # how long another server process may still accept a revoked api_key
FIELDS = ["status", "lead_department", "merged_into", "rework_count", "answered_at", "closed_at"]


@dataclass(frozen=True)
class CitizenAccess:
    """What a citizen shows to act on their appeal: being its signed-in writer, or its code."""

    appeal: Appeal
    code: str = ""


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _event_row(
    appeal: Appeal,
    kind: str,
    actor: Any,
    at: datetime,
    text: str = "",
    department: Department | None = None,
) -> AppealEvent:
    return AppealEvent(
        appeal=appeal,
        kind=kind,
        text=text,
        department=department,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at,
    )


def _event(*args: Any, **kwargs: Any) -> None:
    _event_row(*args, **kwargs).save()


def _seconds(since: datetime, at: datetime) -> int:
    return max(0, int((at - since).total_seconds()))


def _lock(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().get(pk=appeal.pk)


def _lock_assignment(assignment: Assignment) -> tuple[Appeal, Assignment]:
    appeal = _lock(assignment.appeal)
    return appeal, Assignment.objects.select_related("department").get(pk=assignment.pk)


def _audit(actor: Any, verb: str, appeal: Appeal, before: dict | None, **extra: Any) -> None:
    after = snapshot(appeal, FIELDS) | extra
    record(actor, f"appeals.{verb}", appeal, before=before, after=after)


def handling_limit(appeal: Appeal) -> tuple[int, str]:
    """The (limit, unit) of the type × urgency table, or the default."""
    row = TimeLimit.objects.filter(type=appeal.type, urgency=appeal.urgency).first()
    return (row.limit, row.unit) if row else DEFAULT_LIMIT


# --- intake ------------------------------------------------------------------------------------


def _validate_contact(phone: str, name: str) -> None:
    if not name.strip():
        raise ActionError(_("请填写联系人姓名。"), field="contact_name")
    digits = phone.replace("-", "").replace(" ", "")
    if not (digits.isdigit() and 7 <= len(digits) <= 12):
        raise ActionError(_("请填写有效的联系电话。"), field="phone")


def _create(
    actor: Any,
    *,
    channel: str,
    type: str,
    title: str,
    body: str,
    at: datetime | None,
    urgency: str = Urgency.NORMAL,
    category: Category | None = None,
    mailbox: Mailbox | None = None,
    place: str = "",
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    consent_publish: bool = False,
    confidential: bool = False,
    attachment: Any = None,
    external_ref: str = "",
    source_name: str = "",
    api_key: ApiKey | None = None,
    lat: Any = None,
    long: Any = None,
    citizen: Any = None,
    recorded_by: Any = None,
) -> tuple[Appeal, str]:
    at = _now(at)
    title, body = title.strip(), body.strip()
    if type not in AppealType.values:
        raise ActionError(_("请选择诉求类型。"), field="type")
    if urgency not in Urgency.values:
        raise ActionError(_("请选择紧急程度。"), field="urgency")
    if not body:
        raise ActionError(_("请填写诉求内容。"), field="body")
    limit = LETTER_BODY_LIMIT if mailbox else BODY_LIMIT
    if len(body) > limit:
        raise ActionError(
            _("诉求内容不能超过 %(n)d 字（现有 %(m)d 字）。") % {"n": limit, "m": len(body)},
            field="body",
        )
    if mailbox and not TITLE_RANGE[0] <= len(title) <= TITLE_RANGE[1]:
        raise ActionError(_("信件标题应为 10 至 25 个字。"), field="title")
    if not title:
        raise ActionError(_("请填写标题。"), field="title")
    if channel != Channel.API:
        _validate_contact(phone, contact_name)
    code = make_query_code()
    # Built before the transaction: on SQLite the write lock is held from BEGIN to COMMIT, so
    # only the numbering and the inserts run inside it (the intake bench posts concurrently).
    appeal = Appeal(
        query_digest=digest_query_code(code),
        token=secrets.token_hex(8) if channel == Channel.API else "",
        channel=channel,
        mailbox=mailbox,
        api_key=api_key,
        type=type,
        urgency=urgency,
        category=category,
        title=title[:100],
        body=body,
        place=place.strip(),
        lat=lat,
        long=long,
        contact_name=contact_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        citizen=citizen if citizen is not None and citizen.is_authenticated else None,
        recorded_by=recorded_by,
        consent_publish=consent_publish and not confidential,
        confidential=confidential,
        attachment=attachment or "",
        external_ref=external_ref.strip(),
        source_name=source_name.strip(),
        received_at=at,
    )
    text = mailbox.name if mailbox else appeal.get_channel_display()
    _INTAKE.write(_Intake(appeal, actor, text))
    return appeal, code


@dataclass(eq=False)
class _Intake:
    """A checked appeal waiting for the transaction that numbers and stores it."""

    appeal: Appeal
    actor: Any
    text: str
    # The submitter's context: the audit record takes the client's address from it.
    context: contextvars.Context = field(default_factory=contextvars.copy_context)
    done: bool = False
    error: Exception | None = None


class _GroupCommit:
    """Group commit: the appeals that arrive while one is being stored share the next
    transaction.

    Every intake is a write transaction, and writers take turns (SQLite has one write lock;
    the counter row and the audit chain head are locked on PostgreSQL too). Under concurrent
    intake in one server process (threaded workers), a thread that finds another storing
    waits; the next one to get the turn stores every appeal queued meanwhile in one
    transaction. Each submitter returns only after the transaction holding its appeal has
    committed, so nothing is acknowledged before it is durable. A batch that fails is stored
    again one appeal at a time, so that an error reaches only the submitter it belongs to.

    On SQLite the server processes of the machine also take turns, through a lock file: a
    waiting process is woken as soon as the turn is free, where SQLite's busy handler polls
    (sleeping 1, 2, 5 … 100 ms) and lets one process's batches starve another's.
    """

    def __init__(self) -> None:
        self._queue: list[_Intake] = []
        self._queue_lock = threading.Lock()
        self._turn = threading.Lock()

    def write(self, intake: _Intake) -> None:
        if transaction.get_connection().in_atomic_block:
            # Inside the caller's transaction (a referral from another subsystem): the appeal
            # commits or rolls back with it, so it cannot wait for another thread's commit.
            _store([intake])
            return
        with self._queue_lock:
            self._queue.append(intake)
        with self._turn:
            if not intake.done:
                with _machine_turn():
                    with self._queue_lock:
                        queued, self._queue = self._queue, []
                    # Ours is among them unless a thread that took them before was interrupted.
                    _commit(queued if intake in queued else [intake, *queued])
        if intake.error is not None:
            raise intake.error


_INTAKE = _GroupCommit()
_lock_files: dict[tuple[int, str], IO[str]] = {}


@contextmanager
def _machine_turn() -> Iterator[None]:
    """The turn among the processes writing to the same SQLite file (nothing elsewhere)."""
    connection = transaction.get_connection()
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or not os.path.isabs(name):
        yield
        return
    # Opened once per process: a description inherited across fork() would be shared.
    key = (os.getpid(), name)
    if key not in _lock_files:
        _lock_files[key] = open(f"{name}-intake.lock", "a")
    handle = _lock_files[key]
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)


def _commit(intakes: list[_Intake]) -> None:
    """Stores the appeals and marks each done, with the error that kept it out if any. An
    error in the data (a constraint) is traced to its appeal by storing each on its own; any
    other (the database unavailable) is every submitter's."""
    error = None
    try:
        _store(intakes)
    except (IntegrityError, DataError) as bad:
        if len(intakes) > 1:
            for intake in intakes:
                intake.appeal.pk, intake.appeal._state.adding = None, True
                _commit([intake])
            return
        error = bad
    except Exception as failure:  # noqa: BLE001 -- each submitter raises it
        error = failure
    for intake in intakes:
        intake.error, intake.done = error, True


def _store(intakes: list[_Intake]) -> None:
    """Numbers the appeals and writes them with their timeline's first line and their audit
    records, in one transaction."""
    with transaction.atomic(), batch():
        for intake in intakes:
            year = f"{timezone.localtime(intake.appeal.received_at):%Y}"
            intake.appeal.serial = f"{year}{next_number(f'appeals:{year}'):06d}"
        Appeal.objects.bulk_create([intake.appeal for intake in intakes])
        AppealEvent.objects.bulk_create(
            _event_row(i.appeal, AppealEvent.Kind.RECEIVE, i.actor, i.appeal.received_at, i.text)
            for i in intakes
        )
        for i in intakes:
            i.context.run(_audit, i.actor, "receive", i.appeal, None, channel=i.appeal.channel)


def submit_appeal(actor: Any, *, at: datetime | None = None, **data: Any) -> tuple[Appeal, str]:
    """A citizen's web form or letter to a mailbox; returns the appeal and its query code."""
    require(actor, "appeals.submit")
    mailbox = data.get("mailbox")
    if mailbox is not None and not mailbox.is_active:
        raise ActionError(_("该信箱已停用。"))
    channel = Channel.MAILBOX if mailbox else Channel.WEB
    return _create(actor, channel=channel, at=at, citizen=actor, **data)


def record_call(actor: Any, *, at: datetime | None = None, **data: Any) -> tuple[Appeal, str]:
    """An operator records a hotline call (the code is read out to the caller)."""
    require(actor, "appeals.intake")
    return _create(actor, channel=Channel.HOTLINE, at=at, recorded_by=actor, **data)


def receive_transfer(
    actor: Any, *, external_ref: str, source_name: str, at: datetime | None = None, **data: Any
) -> tuple[Appeal, str]:
    """A 转办件 from the higher level; its number is kept to report the result back. A ticket
    sent again is refused, also when both copies arrive at once: the unique constraint on
    (source, number) decides, as a check before the insert cannot see an uncommitted twin."""
    require(actor, "appeals.intake")
    external_ref, source_name = external_ref.strip(), source_name.strip()
    if not external_ref:
        raise ActionError(_("请填写上级工单号。"), field="external_ref")
    try:
        return _create(
            actor,
            channel=Channel.TRANSFER,
            external_ref=external_ref,
            source_name=source_name,
            at=at,
            recorded_by=actor,
            **data,
        )
    except IntegrityError:
        # The insert ran in its own atomic block (a savepoint inside a caller's transaction),
        # rolled back: the caller's transaction can still read the ticket that was first.
        registered = Appeal.objects.filter(
            channel=Channel.TRANSFER, source_name=source_name, external_ref=external_ref
        )
        if not registered.exists():
            raise
        raise ActionError(_("该上级工单已登记。"), field="external_ref") from None


def receive_referral(
    actor: Any,
    organisation: Department,
    *,
    reference: str,
    source_name: str,
    at: datetime | None = None,
    **data: Any,
) -> tuple[Appeal, str]:
    """A matter another subsystem of an agency hands to 12345 (e.g. a complaint filed as a
    disclosure request, 政府信息公开条例第三十九条); the agency's own reference is kept."""
    require(actor, "appeals.refer", organisation)
    if not reference.strip():
        raise ActionError(_("请填写转来事项的编号。"), field="reference")
    return _create(
        actor,
        channel=Channel.REFERRAL,
        external_ref=reference,
        source_name=source_name,
        at=at,
        recorded_by=actor,
        **data,
    )


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _key_cache_name(digest: str) -> str:
    return f"appeals:api_key:{digest}"


def authenticate_key(key: str) -> ApiKey | None:
    """The active key of this value. A key found is remembered for KEY_CACHE_SECONDS, sparing
    the API's every request a query; saving a key forgets it at once (in every server process
    when the cache is shared, in Redis)."""
    if not key:
        return None
    digest = key_digest(key)
    api_key = cache.get(_key_cache_name(digest))
    if api_key is None:
        api_key = ApiKey.objects.filter(digest=digest, is_active=True).first()
        if api_key is not None:
            cache.set(_key_cache_name(digest), api_key, KEY_CACHE_SECONDS)
    return api_key


def forget_api_key(sender: type, instance: ApiKey, **kwargs: Any) -> None:
    """post_save / post_delete: a changed or revoked key is looked up afresh."""
    cache.delete(_key_cache_name(instance.digest))


def submit_via_api(api_key: ApiKey, *, at: datetime | None = None, **data: Any) -> Appeal:
    """An appeal from another system (Open311 POST); the api_key is its authentication."""
    appeal, _code = _create(None, channel=Channel.API, api_key=api_key, at=at, **data)
    return appeal


def create_api_key(actor: Any, *, name: str) -> tuple[ApiKey, str]:
    """A new key for a system; the key is shown once, only its digest is kept."""
    require(actor, "appeals.manage_keys")
    if not name.strip():
        raise ActionError(_("请填写接入系统名称。"), field="name")
    key = secrets.token_urlsafe(24)
    with transaction.atomic():
        api_key = ApiKey.objects.create(name=name.strip(), prefix=key[:6], digest=key_digest(key))
        record(actor, "appeals.create_api_key", api_key, after={"name": api_key.name})
    return api_key, key


# --- at intake: answer, refuse, merge ------------------------------------------------------------


def _received(appeal: Appeal) -> None:
    if appeal.status != Status.RECEIVED:
        raise ActionError(_("该诉求已处理，请刷新页面。"))


def answer_directly(
    actor: Any, appeal: Appeal, entry: KnowledgeEntry, *, at: datetime | None = None
) -> Appeal:
    """直接办结: an enquiry answered from the knowledge base at intake (国办发〔2020〕53号)."""
    require(actor, "appeals.dispatch", appeal)
    at = _now(at)
    if not entry.is_active:
        raise ActionError(_("该知识库条目已停用。"))
    with transaction.atomic():
        appeal = _lock(appeal)
        _received(appeal)
        before = snapshot(appeal, FIELDS)
        appeal.status, appeal.knowledge = Status.DIRECT, entry
        appeal.answered_at = appeal.closed_at = at
        appeal.handling_seconds = _seconds(appeal.received_at, at)
        appeal.save()
        _event(appeal, AppealEvent.Kind.DIRECT, actor, at, entry.question)
        _audit(actor, "answer_directly", appeal, before, knowledge=entry.pk)
    return appeal


def refuse(
    actor: Any, appeal: Appeal, *, reason: str, note: str = "", at: datetime | None = None
) -> Appeal:
    """不予受理, with the route the citizen should take instead (research §1.3)."""
    require(actor, "appeals.dispatch", appeal)
    at = _now(at)
    if reason not in REFUSALS:
        raise ActionError(_("请选择不予受理的原因。"), field="reason")
    label, route, _words = REFUSALS[reason]
    with transaction.atomic():
        appeal = _lock(appeal)
        _received(appeal)
        before = snapshot(appeal, FIELDS)
        appeal.status, appeal.refusal_reason = Status.REFUSED, reason
        appeal.refusal_route = f"{route}{note.strip()}"
        appeal.closed_at = at
        appeal.save()
        _event(appeal, AppealEvent.Kind.REFUSE, actor, at, f"{label}：{appeal.refusal_route}")
        _audit(actor, "refuse", appeal, before, reason=reason)
    return appeal


def merge(actor: Any, appeal: Appeal, into: Appeal, *, at: datetime | None = None) -> Appeal:
    """并单: a repeat shares the handling of `into`; its writer gets the same reply."""
    require(actor, "appeals.dispatch", appeal)
    at = _now(at)
    if appeal.pk == into.pk:
        raise ActionError(_("不能与自身并单。"))
    with transaction.atomic():
        # Lock both in a fixed order so two crossing merges cannot deadlock.
        first, second = sorted([appeal.pk, into.pk])
        locked = {
            a.pk: a for a in Appeal.objects.select_for_update().filter(pk__in=[first, second])
        }
        appeal, into = locked[appeal.pk], locked[into.pk]
        _received(appeal)
        if into.merged_into_id or not into.is_open:
            raise ActionError(_("只能并入尚在办理中的诉求。"))
        before = snapshot(appeal, FIELDS)
        appeal.status, appeal.merged_into = Status.MERGED, into
        appeal.save()
        _event(appeal, AppealEvent.Kind.MERGE, actor, at, _("并入 %s") % into.serial)
        _event(into, AppealEvent.Kind.MERGE, actor, at, _("并入重复诉求 %s") % appeal.serial)
        _audit(actor, "merge", appeal, before, into=into.pk)
    return appeal


# --- dispatch and handling -------------------------------------------------------------------


def _clock_title(appeal: Appeal, step: str) -> str:
    """Says what the case is wherever the clock is listed: "12345诉求 2026000002 · 签收"."""
    return _("12345诉求 %(serial)s · %(step)s") % {"serial": appeal.serial, "step": step}


def _start_sign_clock(assignment: Assignment, actor: Any, at: datetime) -> Clock:
    return start_clock(
        assignment,
        kind="appeals.sign",
        title=_clock_title(assignment.appeal, _("签收")),
        department=assignment.department,
        limit=SIGN_LIMIT,
        unit=Unit.WORKDAYS,
        at=at,
        legal_basis=_("12345热线工单签收时限"),
        actor=actor,
    )


def _start_handle_clock(assignment: Assignment, actor: Any, at: datetime, kind: str) -> Clock:
    limit, unit = handling_limit(assignment.appeal)
    return start_clock(
        assignment,
        kind=kind,
        title=_clock_title(assignment.appeal, _("办理")),
        department=assignment.department,
        limit=limit,
        unit=unit,
        at=at,
        legal_basis=_("办理时限表：%(type)s·%(urgency)s")
        % {
            "type": assignment.appeal.get_type_display(),
            "urgency": assignment.appeal.get_urgency_display(),
        },
        actor=actor,
    )


def _assign(appeal: Appeal, department: Department, role: str, actor: Any, at: datetime, note: str):
    assignment = Assignment.objects.create(
        appeal=appeal,
        department=department,
        role=role,
        state=Assignment.State.WAITING,
        dispatched_by=actor,
        dispatched_at=at,
        instructions=note,
    )
    assignment.sign_clock = _start_sign_clock(assignment, actor, at)
    assignment.save(update_fields=["sign_clock"])
    return assignment


def dispatch(
    actor: Any,
    appeal: Appeal,
    *,
    lead: Department,
    co: list[Department] | tuple = (),
    category: Category | None = None,
    instructions: str = "",
    at: datetime | None = None,
) -> Appeal:
    """派单 to one 主办 and optional 协办 units; the signing clock starts for each."""
    require(actor, "appeals.dispatch", appeal)
    at = _now(at)
    co = [d for d in co if d.pk != lead.pk]
    if not lead.is_active or any(not d.is_active for d in co):
        raise ActionError(_("所选单位已停用。"), field="lead")
    with transaction.atomic():
        appeal = _lock(appeal)
        _received(appeal)
        before = snapshot(appeal, FIELDS)
        if category is not None:
            appeal.category = category
        appeal.status, appeal.lead_department = Status.DISPATCHED, lead
        appeal.save()
        _assign(appeal, lead, Assignment.Role.LEAD, actor, at, instructions)
        for department in co:
            _assign(appeal, department, Assignment.Role.CO, actor, at, instructions)
        names = "、".join(d.name for d in co)
        text = _("主办：%s") % lead.name + (_("；协办：%s") % names if names else "")
        _event(appeal, AppealEvent.Kind.DISPATCH, actor, at, text, lead)
        _audit(actor, "dispatch", appeal, before, co=[d.pk for d in co])
    return appeal


def sign(actor: Any, assignment: Assignment, *, at: datetime | None = None) -> Assignment:
    """签收: the signing clock stops and the handling clock starts (it never ran before)."""
    require(actor, "appeals.unit", assignment)
    at = _now(at)
    with transaction.atomic():
        appeal, assignment = _lock_assignment(assignment)
        if assignment.state in (Assignment.State.DONE, Assignment.State.CLOSED):
            raise ActionError(_("该工单已办结，不能再签收。"))
        if assignment.state != Assignment.State.WAITING:
            raise ActionError(_("该工单已签收或已退回，请刷新页面。"))
        before = snapshot(appeal, FIELDS)
        stop_clock(assignment.sign_clock, outcome=_("已签收"), actor=actor, at=at)
        assignment.state, assignment.signed_by, assignment.signed_at = (
            Assignment.State.SIGNED,
            actor,
            at,
        )
        if assignment.handle_clock_id is None:
            assignment.handle_clock = _start_handle_clock(assignment, actor, at, "appeals.handle")
        else:
            resume_clock(assignment.handle_clock, actor=actor, at=at)
        assignment.save()
        _event(appeal, AppealEvent.Kind.SIGN, actor, at, department=assignment.department)
        _audit(actor, "sign", appeal, before, assignment=assignment.pk)
    return assignment


def return_ticket(
    actor: Any, assignment: Assignment, *, reason: str, basis: str, at: datetime | None = None
) -> Assignment:
    """退单 with reasons and legal basis (国办函〔2025〕66号 派单异议审核); the clock waits."""
    require(actor, "appeals.unit", assignment)
    at = _now(at)
    if len(reason.strip()) < 5:
        raise ActionError(_("请写明退单理由。"), field="reason")
    if not basis.strip():
        raise ActionError(_("请写明退单的职责或法律依据。"), field="basis")
    with transaction.atomic():
        appeal, assignment = _lock_assignment(assignment)
        if assignment.role != Assignment.Role.LEAD or assignment.state not in (
            Assignment.State.WAITING,
            Assignment.State.SIGNED,
        ):
            raise ActionError(_("该工单当前不能退单，请刷新页面。"))
        before = snapshot(appeal, FIELDS)
        if assignment.state == Assignment.State.WAITING:
            stop_clock(assignment.sign_clock, outcome=_("退单"), actor=actor, at=at)
        else:
            pause_clock(
                assignment.handle_clock,
                reason=PauseReason.OTHER,
                note=_("退单待审核"),
                actor=actor,
                at=at,
            )
        assignment.state = Assignment.State.RETURNED
        assignment.return_reason, assignment.return_basis = reason.strip(), basis.strip()
        assignment.returns += 1
        assignment.return_clock = start_clock(
            assignment,
            kind="appeals.return_review",
            title=_clock_title(appeal, _("退单审核")),
            department=rules.centre(),
            limit=RETURN_REVIEW_LIMIT,
            unit=Unit.WORKDAYS,
            at=at,
            actor=actor,
        )
        assignment.save()
        _event(
            appeal,
            AppealEvent.Kind.RETURN,
            actor,
            at,
            _("理由：%(r)s；依据：%(b)s") % {"r": assignment.return_reason, "b": basis.strip()},
            assignment.department,
        )
        _audit(actor, "return", appeal, before, assignment=assignment.pk)
    return assignment


def review_return(
    actor: Any,
    assignment: Assignment,
    *,
    reassign_to: Department | None,
    note: str = "",
    at: datetime | None = None,
) -> Appeal:
    """The centre rules on a return: reassign (改派) to another unit, or uphold the dispatch."""
    require(actor, "appeals.dispatch", assignment.appeal)
    at = _now(at)
    if reassign_to is None and not note.strip():
        raise ActionError(_("维持原派单时请写明理由。"), field="note")
    with transaction.atomic():
        appeal, assignment = _lock_assignment(assignment)
        if assignment.state != Assignment.State.RETURNED:
            raise ActionError(_("该退单已审核，请刷新页面。"))
        if reassign_to is not None and reassign_to.pk == assignment.department_id:
            raise ActionError(_("改派单位不能是原承办单位。"), field="reassign_to")
        before = snapshot(appeal, FIELDS)
        stop_clock(assignment.return_clock, outcome=_("已审核"), actor=actor, at=at)
        if reassign_to is None:
            if assignment.handle_clock_id:
                resume_clock(assignment.handle_clock, actor=actor, at=at)
                assignment.state = Assignment.State.SIGNED
            else:
                assignment.state = Assignment.State.WAITING
                assignment.sign_clock = _start_sign_clock(assignment, actor, at)
            assignment.save()
            _event(appeal, AppealEvent.Kind.UPHOLD, actor, at, note.strip(), assignment.department)
        else:
            if assignment.handle_clock_id:
                stop_clock(assignment.handle_clock, outcome=_("改派"), actor=actor, at=at)
            assignment.state = Assignment.State.WITHDRAWN
            assignment.save()
            _assign(appeal, reassign_to, Assignment.Role.LEAD, actor, at, note.strip())
            appeal.lead_department = reassign_to
            appeal.save()
            _event(
                appeal,
                AppealEvent.Kind.REASSIGN,
                actor,
                at,
                _("由%(a)s改派至%(b)s。%(n)s")
                % {"a": assignment.department.name, "b": reassign_to.name, "n": note.strip()},
                reassign_to,
            )
        _audit(actor, "review_return", appeal, before, reassigned=bool(reassign_to))
    return appeal


def request_extension(
    actor: Any, assignment: Assignment, *, amount: int, reason: str, at: datetime | None = None
) -> ExtensionRequest:
    """延期申请: before the deadline, with reasons; approved by the centre, capped."""
    require(actor, "appeals.unit", assignment)
    at = _now(at)
    if amount is None or amount <= 0:
        raise ActionError(_("延长时限须为正数。"), field="amount")
    if not reason.strip():
        raise ActionError(_("请写明延期理由。"), field="reason")
    with transaction.atomic():
        appeal, assignment = _lock_assignment(assignment)
        if assignment.state != Assignment.State.SIGNED:
            raise ActionError(_("签收后、答复前才能申请延期。"))
        clock = Clock.objects.get(pk=assignment.handle_clock_id)
        if clock.state != State.RUNNING or clock.due_at is None or at >= clock.due_at:
            raise ActionError(_("已超过办理期限，不能再申请延期。"))
        if assignment.extensions >= MAX_EXTENSIONS:
            raise ActionError(_("延期次数已达上限（%d 次）。") % MAX_EXTENSIONS)
        if assignment.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
            raise ActionError(_("已有待审批的延期申请。"))
        limit, _unit = handling_limit(appeal)
        if amount > limit:
            raise ActionError(_("每次延长不能超过原办理时限（%d）。") % limit, field="amount")
        request = ExtensionRequest.objects.create(
            assignment=assignment,
            amount=amount,
            reason=reason.strip(),
            requested_by=actor,
            requested_at=at,
        )
        text = _("延长 %(d)s：%(r)s") % {"d": request.amount_label, "r": request.reason}
        _event(appeal, AppealEvent.Kind.EXTEND_ASK, actor, at, text, assignment.department)
        record(actor, "appeals.request_extension", request, after={"amount": amount})
    return request


def _check_decision(approve: Any) -> None:
    """A decision is 同意 or 不同意; a missing one must not pass for either."""
    if not isinstance(approve, bool):
        raise ActionError(_("请选择同意或不同意。"), field="approve")


def decide_extension(
    actor: Any,
    request: ExtensionRequest,
    *,
    approve: bool,
    note: str = "",
    at: datetime | None = None,
) -> ExtensionRequest:
    require(actor, "appeals.dispatch", request.assignment.appeal)
    at = _now(at)
    _check_decision(approve)
    if not approve and not note.strip():
        raise ActionError(_("不予批准时请写明理由。"), field="note")
    with transaction.atomic():
        appeal, assignment = _lock_assignment(request.assignment)
        request = ExtensionRequest.objects.get(pk=request.pk)
        if request.state != ExtensionRequest.State.PENDING:
            raise ActionError(_("该延期申请已审批，请刷新页面。"))
        request.state = (
            ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
        )
        request.decided_by, request.decided_at, request.decision_note = actor, at, note.strip()
        request.save()
        if approve:
            clock = extend_clock(
                assignment.handle_clock,
                amount=request.amount,
                approver=actor,
                actor=actor,
                at=at,
                note=request.reason[:255],
            )
            assignment.extensions += 1
            assignment.save(update_fields=["extensions"])
            text = _("批准延期，新的期限：%s") % clock.due_label
        else:
            text = _("不予批准：%s") % request.decision_note
        _event(appeal, AppealEvent.Kind.EXTEND_DECIDE, actor, at, text, assignment.department)
        record(actor, "appeals.decide_extension", request, after={"approved": approve})
    return request


def urge(
    actor: Any, appeal: Appeal, *, text: str, supervise: bool = False, at: datetime | None = None
) -> Appeal:
    """催办 (a reminder) or 督办 (formal supervision), recorded on the ticket."""
    require(actor, "appeals.urge", appeal)
    at = _now(at)
    if not text.strip():
        raise ActionError(_("请填写催办/督办意见。"), field="text")
    with transaction.atomic():
        appeal = _lock(appeal)
        if appeal.status not in (Status.DISPATCHED, Status.REVIEW):
            raise ActionError(_("只有办理中的诉求可以催办或督办。"))
        kind = AppealEvent.Kind.SUPERVISE if supervise else AppealEvent.Kind.URGE
        _event(appeal, kind, actor, at, text.strip(), appeal.lead_department)
        _audit(actor, kind, appeal, None, text=text.strip())
    return appeal


def submit_opinion(
    actor: Any, assignment: Assignment, *, text: str, at: datetime | None = None
) -> Assignment:
    """A 协办 unit's opinion to the lead unit; its handling clock stops."""
    require(actor, "appeals.unit", assignment)
    at = _now(at)
    if not text.strip():
        raise ActionError(_("请填写协办意见。"), field="text")
    with transaction.atomic():
        appeal, assignment = _lock_assignment(assignment)
        if assignment.role != Assignment.Role.CO or assignment.state != Assignment.State.SIGNED:
            raise ActionError(_("签收后才能提交协办意见。"))
        outcome = _("已提交协办意见")
        stop_clock(assignment.handle_clock, outcome=outcome, actor=actor, at=at)
        assignment.state, assignment.opinion = Assignment.State.DONE, text.strip()
        assignment.save()
        _event(appeal, AppealEvent.Kind.OPINION, actor, at, text.strip(), assignment.department)
        _audit(actor, "opinion", appeal, None, assignment=assignment.pk)
        _withdraw_extensions(appeal, assignment, actor, at, outcome)
    return assignment


def reply(actor: Any, assignment: Assignment, *, body: str, at: datetime | None = None) -> Reply:
    """The lead unit's reply: its handling clock stops; the centre reviews it before release."""
    require(actor, "appeals.unit", assignment)
    at = _now(at)
    if len(body.strip()) < 10:
        raise ActionError(_("答复内容过短，请写明办理情况和结果。"), field="body")
    with transaction.atomic():
        appeal, assignment = _lock_assignment(assignment)
        if assignment.role != Assignment.Role.LEAD or assignment.state != Assignment.State.SIGNED:
            raise ActionError(_("主办单位签收后才能答复，请刷新页面。"))
        before = snapshot(appeal, FIELDS)
        stop_clock(assignment.handle_clock, outcome=_("已答复"), actor=actor, at=at)
        assignment.state = Assignment.State.DONE
        assignment.save()
        answer = Reply.objects.create(
            appeal=appeal, assignment=assignment, body=body.strip(), author=actor, written_at=at
        )
        appeal.status = Status.REVIEW
        appeal.save()
        _event(appeal, AppealEvent.Kind.REPLY, actor, at, department=assignment.department)
        _withdraw_extensions(appeal, assignment, actor, at, _("已答复"))
        _audit(actor, "reply", appeal, before, reply=answer.pk)
    return answer


def _rework(appeal: Appeal, actor: Any, at: datetime, why: str) -> None:
    """重办: the lead unit handles again, on a fresh clock from the table."""
    lead = appeal.assignments.get(role=Assignment.Role.LEAD, state=Assignment.State.DONE)
    lead.state = Assignment.State.SIGNED
    lead.handle_clock = _start_handle_clock(lead, actor, at, "appeals.rework")
    lead.save()
    appeal.status, appeal.closed_at = Status.DISPATCHED, None
    appeal.rework_count += 1
    appeal.save()
    appeal.merged.filter(status=Status.ANSWERED).update(status=Status.MERGED)
    _event(appeal, AppealEvent.Kind.REWORK, actor, at, why, lead.department)


def _close_co_units(appeal: Appeal, actor: Any, at: datetime) -> None:
    """Once the lead's answer is approved the ticket is answered: a 协办 unit still open has
    nothing left to do, so its clock must not run on to 黄牌/红牌 nor its task stay on the
    workbench. It ends as 协办结束, not 已答复: the unit never gave its opinion."""
    outcome = _("主办单位已答复，协办结束")
    open_co = appeal.assignments.select_related("department").filter(
        role=Assignment.Role.CO, state__in=[Assignment.State.WAITING, Assignment.State.SIGNED]
    )
    for assignment in open_co:
        waiting = assignment.state == Assignment.State.WAITING
        clock = assignment.sign_clock if waiting else assignment.handle_clock
        stop_clock(clock, outcome=outcome, actor=actor, at=at)
        assignment.state = Assignment.State.CLOSED
        assignment.save(update_fields=["state"])
        _event(appeal, AppealEvent.Kind.CO_CLOSE, actor, at, outcome, assignment.department)
        _audit(actor, "co_close", appeal, None, assignment=assignment.pk)
        _withdraw_extensions(appeal, assignment, actor, at, outcome)


def _withdraw_extensions(
    appeal: Appeal, assignment: Assignment, actor: Any, at: datetime, why: str
) -> None:
    """An assignment that has ended leaves no 延期申请 for the centre to decide: a pending one
    is withdrawn, with the reason, on the timeline and in the audit log. Nobody decided it, so
    the timeline names no one (the audit record keeps whose action ended the assignment)."""
    for request in assignment.extension_requests.filter(state=ExtensionRequest.State.PENDING):
        request.state = ExtensionRequest.State.WITHDRAWN
        request.decided_at, request.decision_note = at, why[:255]  # decided by no one
        request.save(update_fields=["state", "decided_at", "decision_note"])
        text = _("办理已结束（%(why)s），延长 %(d)s的申请未经审批，由系统撤回。") % {
            "why": request.decision_note,
            "d": request.amount_label,
        }
        _event(appeal, AppealEvent.Kind.EXTEND_WITHDRAW, None, at, text, assignment.department)
        record(
            actor,
            "appeals.withdraw_extension",
            request,
            before={"state": ExtensionRequest.State.PENDING},
            after={"state": request.state, "reason": request.decision_note},
        )


def _report_back(appeal: Appeal, answer: Reply, actor: Any, at: datetime) -> None:
    """A 转办件's result goes back to the higher level (seed 003: 处理结果上报)."""
    payload = {
        "external_ref": appeal.external_ref,
        "serial": appeal.serial,
        "department": appeal.lead_department.name if appeal.lead_department else "",
        "reply": answer.body,
        "answered_at": at.isoformat(),
    }
    ReportBack.objects.update_or_create(
        appeal=appeal,
        defaults={
            "external_ref": appeal.external_ref,
            "payload": payload,
            "reported_at": at,
            "reported_by": actor,
        },
    )
    _event(
        appeal,
        AppealEvent.Kind.REPORT,
        actor,
        at,
        _("办理结果已报送%(s)s（上级工单号 %(r)s）")
        % {"s": appeal.source_name, "r": appeal.external_ref},
    )


def review_reply(
    actor: Any, answer: Reply, *, approve: bool, note: str = "", at: datetime | None = None
) -> Reply:
    """答复审核 (答复规范): a good reply goes to the citizen(s); a poor one back for 重办."""
    require(actor, "appeals.dispatch", answer.appeal)
    at = _now(at)
    _check_decision(approve)
    if not approve and not note.strip():
        raise ActionError(_("退回重办时请写明审核意见。"), field="note")
    with transaction.atomic():
        appeal = _lock(answer.appeal)
        answer = Reply.objects.get(pk=answer.pk)
        if answer.state != Reply.State.PENDING or appeal.status != Status.REVIEW:
            raise ActionError(_("该答复已审核，请刷新页面。"))
        before = snapshot(appeal, FIELDS)
        answer.reviewer, answer.reviewed_at, answer.review_note = actor, at, note.strip()
        if approve:
            answer.state = Reply.State.APPROVED
            answer.save()
            appeal.status = Status.ANSWERED
            appeal.answered_at = appeal.answered_at or at
            appeal.handling_seconds = _seconds(appeal.received_at, at)
            appeal.save()
            for child in appeal.merged.select_for_update().filter(status=Status.MERGED):
                child.status, child.answered_at = Status.ANSWERED, child.answered_at or at
                child.handling_seconds = _seconds(child.received_at, at)
                child.save()
            _event(appeal, AppealEvent.Kind.REVIEW, actor, at, _("审核通过，答复已送达诉求人。"))
            _close_co_units(appeal, actor, at)
            if appeal.channel == Channel.TRANSFER:
                _report_back(appeal, answer, actor, at)
        else:
            answer.state = Reply.State.REJECTED
            answer.save()
            _event(appeal, AppealEvent.Kind.REVIEW, actor, at, _("退回重办：%s") % note.strip())
            _rework(appeal, actor, at, _("答复审核未通过：%s") % note.strip())
        _audit(actor, "review_reply", appeal, before, approved=approve)
    return answer


def follow_up(
    actor: Any,
    appeal: Appeal,
    *,
    satisfaction: str,
    resolved: bool,
    fault: str = "",
    note: str = "",
    via: str,
    code: str = "",
    at: datetime | None = None,
) -> FollowUp:
    """回访: online by the citizen (signed in, or with the query code) or by phone through the
    operator. 不满意 for the unit's reasons reopens the shared handling (重办)."""
    if via == FollowUp.Via.PHONE:
        require(actor, "appeals.dispatch", appeal)
    else:
        require(actor, "appeals.citizen", CitizenAccess(appeal, code))
    at = _now(at)
    if satisfaction not in FollowUp.Satisfaction.values:
        raise ActionError(_("请选择满意度。"), field="satisfaction")
    unsatisfied = satisfaction == FollowUp.Satisfaction.UNSATISFIED
    if unsatisfied and fault not in FollowUp.Fault.values:
        raise ActionError(_("请选择不满意的原因。"), field="fault")
    with transaction.atomic():
        master = _lock(appeal.master)
        appeal = master if master.pk == appeal.pk else _lock(appeal)
        if appeal.status != Status.ANSWERED:
            raise ActionError(_("该诉求当前不在回访阶段，请刷新页面。"))
        before = snapshot(appeal, FIELDS)
        rating = FollowUp.objects.create(
            appeal=appeal,
            satisfaction=satisfaction,
            resolved=resolved,
            fault=fault if unsatisfied else "",
            via=via,
            note=note.strip()[:500],
            recorded_by=actor if actor is not None and actor.is_authenticated else None,
            at=at,
        )
        text = f"{rating.get_satisfaction_display()}，" + (
            _("问题已解决") if resolved else _("问题未解决")
        )
        _event(appeal, AppealEvent.Kind.FOLLOWUP, actor, at, f"{text}。{rating.note}".rstrip("。"))
        reopen = master.status in (Status.ANSWERED, Status.CLOSED)
        if unsatisfied and fault == FollowUp.Fault.UNIT and reopen:
            if appeal.pk != master.pk:
                appeal.status = Status.MERGED
                appeal.save()
            _rework(master, actor, at, _("诉求人不满意（承办单位原因）：%s") % rating.note)
        else:
            appeal.status, appeal.closed_at = Status.CLOSED, at
            appeal.save()
        _audit(actor, "follow_up", appeal, before, satisfaction=satisfaction, resolved=resolved)
    return rating


def archive(actor: Any, appeal: Appeal, *, at: datetime | None = None) -> Appeal:
    """审结归档."""
    require(actor, "appeals.dispatch", appeal)
    at = _now(at)
    with transaction.atomic():
        appeal = _lock(appeal)
        if appeal.status not in (Status.CLOSED, Status.DIRECT, Status.REFUSED):
            raise ActionError(_("回访办结后才能归档。"))
        before = snapshot(appeal, FIELDS)
        appeal.status = Status.ARCHIVED
        appeal.save()
        _event(appeal, AppealEvent.Kind.ARCHIVE, actor, at)
        _audit(actor, "archive", appeal, before)
    return appeal


# --- publication --------------------------------------------------------------------------------


def approved_reply(appeal: Appeal) -> Reply | None:
    return (
        Reply.objects.filter(appeal=appeal.master, state=Reply.State.APPROVED)
        .order_by("-reviewed_at", "-pk")
        .first()
    )


def masked_copy(appeal: Appeal, extra: list[str]) -> tuple[str, str, str]:
    """Title, letter and reply with personal data masked (the appeal keeps the original)."""
    names = [appeal.contact_name]
    if appeal.citizen_id:
        names.append(appeal.citizen.real_name)
    places = [appeal.place, *extra]  # the editor's additions are blanked out entirely
    answer = approved_reply(appeal)
    return (
        mask_text(appeal.title, names=names, places=places),
        mask_text(appeal.body, names=names, places=places),
        mask_text(answer.body if answer else "", names=names, places=places),
    )


def publish(
    actor: Any, appeal: Appeal, *, extra_masks: list[str] = (), at: datetime | None = None
) -> Publication:
    """选登: a letter whose writer agreed, with its reviewed reply, masked; editable again."""
    require(actor, "appeals.publish", appeal)
    at = _now(at)
    extra = sorted({m.strip() for m in extra_masks if m.strip()})
    with transaction.atomic():
        appeal = _lock(appeal)
        if not appeal.consent_publish or appeal.confidential:
            raise ActionError(_("来信人未同意公开或要求保密，不能公开。"))
        if appeal.status not in (Status.ANSWERED, Status.CLOSED, Status.ARCHIVED):
            raise ActionError(_("答复审核通过后才能公开。"))
        if approved_reply(appeal) is None:
            raise ActionError(_("该信件没有可公开的答复。"))
        title, body, answer = masked_copy(appeal, extra)
        publication, created = Publication.objects.update_or_create(
            appeal=appeal,
            defaults={
                "title": title,
                "body": body,
                "reply": answer,
                "extra_masks": extra,
                "editor": actor,
                "published_at": at,
                "is_withdrawn": False,
                "withdrawn_at": None,
                "withdrawal_reason": "",
            },
        )
        _event(appeal, AppealEvent.Kind.PUBLISH, actor, at, title)
        record(
            actor,
            "appeals.publish",
            publication,
            after={"title": title, "extra_masks": extra, "created": created},
        )
    return publication


def withdraw_publication(
    actor: Any, publication: Publication, *, reason: str, at: datetime | None = None
) -> Publication:
    """撤回: a published letter leaves the public pages (the writer objects, a name slipped
    through the masking); it is kept, and the editor may publish it again."""
    require(actor, "appeals.publish", publication.appeal)
    at = _now(at)
    if not reason.strip():
        raise ActionError(_("请写明撤回原因。"), field="reason")
    with transaction.atomic():
        appeal = _lock(publication.appeal)
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.is_withdrawn:
            raise ActionError(_("该信件已撤回，请刷新页面。"))
        publication.is_withdrawn, publication.withdrawn_at = True, at
        publication.withdrawal_reason = reason.strip()[:255]
        publication.save()
        _event(appeal, AppealEvent.Kind.UNPUBLISH, actor, at, publication.withdrawal_reason)
        record(
            actor,
            "appeals.withdraw_publication",
            publication,
            before={"is_withdrawn": False},
            after={"is_withdrawn": True, "reason": publication.withdrawal_reason},
        )
    return publication
