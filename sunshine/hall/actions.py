"""Service item versions (a change to a 办事指南 is published as a new version) and applications
through the hall: draft, submit, intake (受理 / 补正 / 不予受理, 《行政许可法》第三十二条),
review through the workflow, special procedures (第四十五条), extension (第四十二条),
decision, 好差评 and the 整改 a 差评 opens.

Lock order everywhere: the application, then the workflow instance, then the task.
"""

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from sunshine.audit.actions import record, snapshot
from sunshine.clocks.actions import extend_clock, pause_clock, resume_clock, start_clock, stop_clock
from sunshine.clocks.models import Clock, PauseReason, Unit
from sunshine.core.numbers import next_number
from sunshine.errors import ActionError
from sunshine.org.permissions import require
from sunshine.publishing.actions import publish_result
from sunshine.publishing.models import Publication
from sunshine.workflow import actions as workflow
from sunshine.workflow import spec as S
from sunshine.workflow.models import Instance, Task

from . import notices
from .models import (
    Application,
    FollowUp,
    ItemType,
    Notice,
    Rating,
    ServiceItem,
    SpecialKind,
    SpecialProcedure,
    SubmittedMaterial,
)

# Set by publish_version, never by the editor: they say which version a row is.
VERSION_FIELDS = frozenset(
    {"id", "item", "impl_code", "version", "is_current", "effective_from", "created_at"}
)
GUIDE_PARTS = ("bases", "materials", "fees")
GUIDE_SETS = ("co_departments", "themes")

APP_FIELDS = [
    "state",
    "accepted_at",
    "deemed_accepted",
    "decision",
    "decided_at",
    "fee_charged",
    "completed_at",
    "publication",
]
FORM_FIELDS = ("applicant_name", "contact_phone", "project", "address", "description")
FOLLOW_UP_CLOCK = "hall.follow_up"
RESULTS_CATEGORY = ("行政许可和对外管理服务", "办理结果")  # in the 条例 Art. 20 catalogue
CENT = Decimal("0.01")
# Signing goes on after the decision until the 送达; what would reopen or reverse the decision
# (a return, a refusal) is not a signature but a 变更 or 撤回 of its own (《行政许可法》第八条).
REVIEWING = (Application.State.IN_REVIEW, Application.State.DECIDED)
AFTER_DECISION = (S.APPROVE, S.ADD_SIGNER, S.TRANSFER)
HAND_OFF = (S.ADD_SIGNER, S.TRANSFER)


def _own_fields(row: models.Model | type[models.Model]) -> list[str]:
    return [f.name for f in row._meta.concrete_fields if f.name not in VERSION_FIELDS]


def guide_values(row: models.Model) -> dict[str, Any]:
    """What a new version takes over from a guide row (the item or one of its parts): its own
    values, not which version it belongs to."""
    return {name: getattr(row, name) for name in _own_fields(row)}


def _parts(item: ServiceItem, name: str) -> models.QuerySet:
    rows = getattr(item, name).all()
    return rows if rows.ordered else rows.order_by("pk")  # as the admin's inline lists them


def _guide(item: ServiceItem) -> dict[str, Any]:
    """The whole guide as JSON values: the audit's before and after, and what tells whether
    anything changed."""
    guide = snapshot(item, [*_own_fields(item), *GUIDE_SETS])
    for name in GUIDE_PARTS:
        guide[name] = [snapshot(row, _own_fields(row)) for row in _parts(item, name)]
    return guide


def _checked(row: models.Model) -> None:
    try:
        row.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        message = messages[0]
        if field != "__all__":
            message = f"{row._meta.get_field(field).verbose_name}：{message}"
        raise ActionError(message, field=field) from None


def publish_version(
    actor: Any,
    item: ServiceItem,
    *,
    changes: dict[str, Any] | None = None,
    co_departments: list | None = None,
    themes: list | None = None,
    bases: list[dict[str, Any]] | None = None,
    materials: list[dict[str, Any]] | None = None,
    fees: list[dict[str, Any]] | None = None,
    at: datetime | None = None,
) -> ServiceItem:
    """Publish a change to an item's guide as its next version, in force from `at`.

    The version changed stays exactly as it was, marked superseded, so applications filed under
    it keep its materials, limits and fees; new applications and the catalogue take the new
    one. Every change makes a version, even of one nobody has applied under: the guide is public
    once saved, and what the public was told stays on record. `item` is the version the editor
    started from: if another change was published since, this one is refused, so neither edit
    silently undoes the other. Parts given as None are taken over unchanged; `bases`,
    `materials` and `fees` are lists of field values (guide_values of a row gives them)."""
    require(actor, "hall.publish_version", item)
    at = at or timezone.now()
    changes = dict(changes or {})
    fixed = sorted(changes.keys() - set(_own_fields(ServiceItem)))  # codes, versions, unknowns
    if fixed:
        raise ActionError(_("以下字段不能修改：%(f)s。") % {"f": "、".join(fixed)})
    with transaction.atomic():
        old = ServiceItem.objects.select_for_update().get(pk=item.pk)
        if not old.is_current:
            latest = ServiceItem.objects.filter(impl_code=old.impl_code).aggregate(v=Max("version"))
            raise ActionError(
                _(
                    "该事项已发布第 %(latest)s 版，您修改的是第 %(old)s 版。"
                    "为免覆盖他人的修改，请在现行版本上重新修改。"
                )
                % {"latest": latest["v"], "old": old.version}
            )
        if timezone.localdate(at) < old.effective_from:
            raise ActionError(
                _("新版本的施行日期不能早于第 %(v)s 版的施行日期 %(d)s。")
                % {"v": old.version, "d": old.effective_from}
            )
        sets = {"co_departments": co_departments, "themes": themes}
        sets = {n: list(getattr(old, n).all()) if v is None else list(v) for n, v in sets.items()}
        given = {"bases": bases, "materials": materials, "fees": fees}
        parts = {
            name: [guide_values(row) for row in _parts(old, name)] if rows is None else rows
            for name, rows in given.items()
        }
        before = _guide(old)
        old.is_current = False  # first: one current version per item
        old.save(update_fields=["is_current"])
        new = ServiceItem(
            **{**guide_values(old), **changes},
            impl_code=old.impl_code,
            version=old.version + 1,
            effective_from=timezone.localdate(at),
        )
        _checked(new)
        new.save()
        for name, related in sets.items():
            getattr(new, name).set(related)
        for name, rows in parts.items():
            manager = getattr(new, name)
            for values in rows:
                row = manager.model(**values, item=new)
                _checked(row)
                row.save()
        after = _guide(new)
        if after == before:
            raise ActionError(_("与现行版本相比没有修改，无需发布新版本。"))
        record(
            actor,
            "hall.publish_version",
            new,
            before={"version": old.version, **before},
            after={"version": new.version, "effective_from": new.effective_from, **after},
        )
    return new


def _as_now(item: ServiceItem) -> ServiceItem:
    """The version as stored, not as the page that led here saw it: one superseded since takes
    no new applications."""
    return ServiceItem.objects.get(pk=item.pk)


def _lock(app: Application) -> Application:
    return Application.objects.select_for_update().select_related("item").get(pk=app.pk)


def _attach(app: Application, files: dict[int, UploadedFile], at: datetime) -> None:
    """Store checked uploads (UploadField already checked type, size and name)."""
    materials = {m.pk: m for m in app.item.materials.all()}
    for material_id, upload in files.items():
        if material_id not in materials:
            raise ActionError(_("材料不属于该事项。"))
        app.files.filter(material_id=material_id, current=True).update(current=False)
        SubmittedMaterial.objects.create(
            application=app,
            material=materials[material_id],
            file=upload,
            name=upload.name,
            size=upload.size or 0,
            uploaded_at=at,
        )


def save_draft(
    actor: Any,
    item: ServiceItem,
    *,
    data: dict[str, str],
    files: dict[int, UploadedFile],
    application: Application | None = None,
    form_key: str = "",
    at: datetime | None = None,
) -> Application:
    """Create or update a draft; the draft stays on the item version it was begun under. A new
    one named by `form_key` (the online form's) is created once: the same form sent again, at
    once by a double click or later by the back button, updates that application instead (and
    is refused as any edit once it has been submitted)."""
    try:
        return _save_draft(actor, item, data, files, application, form_key, at)
    except IntegrityError:
        if application is not None or not form_key:
            raise
        # Its twin created the application between our look and our insert: edit that one.
        return _save_draft(actor, item, data, files, None, form_key, at)


def _save_draft(
    actor: Any,
    item: ServiceItem,
    data: dict[str, str],
    files: dict[int, UploadedFile],
    application: Application | None,
    form_key: str,
    at: datetime | None,
) -> Application:
    at = at or timezone.now()
    with transaction.atomic():
        if application is None and form_key:
            application = Application.objects.filter(applicant=actor, form_key=form_key).first()
            if application is not None and application.item.impl_code != item.impl_code:
                # Not this item's form (a crafted post): a new application, not that one.
                application, form_key = None, ""
        if application is None:
            item = _as_now(item)
            require(actor, "hall.apply", item)
            application = Application(
                item=item, applicant=actor, channel="2", form_key=form_key[:32]
            )
        else:
            application = _lock(application)
            require(actor, "hall.edit_application", application)
        for name in FORM_FIELDS:
            setattr(application, name, (data.get(name) or "").strip())
        if not application.applicant_name or not application.project:
            raise ActionError(_("请填写申请人和申请内容。"))
        application.save()
        _attach(application, files, at)
        record(actor, "hall.save_draft", application, after={"files": len(files)})
    return application


def discard_draft(actor: Any, application: Application) -> None:
    """The applicant gives up a draft (撤销). It is kept, as 已撤回, with its files: nothing is
    deleted; a draft under a superseded version may be discarded too, since it can no longer
    be submitted."""
    with transaction.atomic():
        app = _lock(application)
        require(actor, "hall.discard_draft", app)
        app.state = Application.State.WITHDRAWN
        app.save(update_fields=["state"])
        record(
            actor,
            "hall.discard_draft",
            app,
            before={"state": Application.State.DRAFT},
            after={"state": app.state},
        )


def submit(actor: Any, application: Application, *, at: datetime | None = None) -> Application:
    """Send the application: the 5-working-day intake clock starts on the day of receipt."""
    at = at or timezone.now()
    with transaction.atomic():
        app = _lock(application)
        if app.applicant_id == actor.pk and app.state != Application.State.DRAFT:
            # A double click: the first one went through; say so rather than "not allowed".
            raise ActionError(_("该申请已经提交，无需重复提交。"))
        require(actor, "hall.edit_application", app)
        return _receive(actor, app, at)


def _receive(actor: Any, app: Application, at: datetime) -> Application:
    missing = [
        m.name
        for m in app.item.materials.filter(required=True)
        if not app.files.filter(material=m, current=True).exists()
    ]
    if missing:
        raise ActionError(_("请上传必要材料：%(names)s。") % {"names": "、".join(missing)})
    year = timezone.localtime(at).year
    app.number = f"{year}{next_number(f'hall.application.{year}'):06d}"
    app.state, app.received_at = Application.State.SUBMITTED, at
    app.save()
    app.instance = workflow.start(
        app,
        app.item.process,
        title=f"{app.number} {app.item.name}",
        intake_basis=app.item.intake_basis,
        actor=actor,
        at=at,
    )
    app.save(update_fields=["instance"])
    notices.receipt(app, actor=actor, at=at)
    record(actor, "hall.submit", app, after=snapshot(app, APP_FIELDS))
    return app


def register_at_counter(
    actor: Any,
    item: ServiceItem,
    *,
    applicant: Any,
    data: dict[str, str],
    files: dict[int, UploadedFile],
    at: datetime | None = None,
) -> Application:
    """An application received at the counter (窗口收件), registered and submitted at once."""
    at = at or timezone.now()
    with transaction.atomic():
        item = _as_now(item)
        require(actor, "hall.register_counter", item)
        app = Application(item=item, applicant=applicant, channel="1", registered_by=actor)
        for name in FORM_FIELDS:
            setattr(app, name, (data.get(name) or "").strip())
        if not app.applicant_name or not app.project:
            raise ActionError(_("请填写申请人和申请内容。"))
        app.save()
        _attach(app, files, at)
        return _receive(actor, app, at)


def _intake_task(app: Application) -> Task:
    task = workflow.open_tasks(app.instance).filter(round=app.instance.round).first()
    if app.state != Application.State.SUBMITTED or task is None:
        raise ActionError(_("该申请已处理，请刷新页面。"))
    return task


def review_material(actor: Any, file: SubmittedMaterial, *, ok: bool, note: str = "") -> None:
    """材料预审: each file marked fit or to be corrected, with what is wrong."""
    with transaction.atomic():
        app = _lock(file.application)
        require(actor, "hall.intake", app)
        if app.state != Application.State.SUBMITTED:
            raise ActionError(_("只有待受理的申请可以预审材料。"))
        if not ok and not note.strip():
            raise ActionError(_("请写明材料需补正之处。"), field="note")
        file = SubmittedMaterial.objects.select_for_update().get(pk=file.pk, application=app)
        note = note.strip()
        if ok and file.review == SubmittedMaterial.Review.CORRECT and note == file.review_note:
            note = ""  # the defect note left in the form does not describe a material in order
        file.review = SubmittedMaterial.Review.ACCEPTED if ok else SubmittedMaterial.Review.CORRECT
        file.review_note, file.reviewed_by = note, actor
        file.save(update_fields=["review", "review_note", "reviewed_by"])
        record(actor, "hall.review_material", file, after=snapshot(file, ["review", "review_note"]))


def accept(actor: Any, application: Application, *, at: datetime | None = None) -> Application:
    """受理 states that the materials are complete and in the legal form, so it agrees with the
    pre-check: refused while a material is marked 需补正 (that is a 补正 to ask for), and the
    materials not yet pre-checked are checked by the accepting clerk, recorded so."""
    at = at or timezone.now()
    with transaction.atomic():
        app = _lock(application)
        require(actor, "hall.intake", app)
        task = _intake_task(app)
        files = app.files.filter(current=True).select_related("material")
        flagged = [f.material.name for f in files if f.review == SubmittedMaterial.Review.CORRECT]
        if flagged:
            raise ActionError(
                _(
                    "以下材料已标记为需补正：%(names)s。材料需补正的不能受理，请一次性告知补正；"
                    "如材料符合要求，请先将其预审意见改为“符合要求”。"
                )
                % {"names": "、".join(flagged)}
            )
        unchecked = [f for f in files if f.review == SubmittedMaterial.Review.PENDING]
        SubmittedMaterial.objects.filter(pk__in=[f.pk for f in unchecked]).update(
            review=SubmittedMaterial.Review.ACCEPTED,
            review_note=_("受理时审核"),
            reviewed_by=actor,
        )
        workflow.act(
            actor, task, "approve", opinion=_("申请材料齐全，符合法定形式，予以受理。"), at=at
        )
        checked = {"materials_checked_at_acceptance": [f.name for f in unchecked]}
        _start_decision(actor, app, accepted_at=at, at=at, audit=checked)
    return app


def _start_decision(
    actor: Any, app: Application, *, accepted_at: datetime, at: datetime, audit: dict[str, Any]
) -> None:
    """Acceptance starts the decision clocks: the statutory limit (for a 行政许可 20 working days,
    joint handling 45, 《行政许可法》第四十二条) and the committed one the guide promises.
    `audit` adds what happened to the materials to the acceptance's audit record."""
    app.state, app.accepted_at = Application.State.IN_REVIEW, accepted_at
    common = {"department": app.item.department, "unit": Unit.WORKDAYS, "at": accepted_at}
    app.statutory_clock = start_clock(
        app,
        kind="hall.statutory",
        title=_("%(number)s 法定办结时限") % {"number": app.number},
        limit=app.item.statutory_limit,
        legal_basis=app.item.basis(_("第四十二条")),
        actor=actor,
        **common,
    )
    app.committed_clock = start_clock(
        app,
        kind="hall.committed",
        title=_("%(number)s 承诺办结时限") % {"number": app.number},
        limit=app.item.committed_limit,
        legal_basis=_("办事指南承诺办结时限"),
        actor=actor,
        **common,
    )
    app.save()
    notices.acceptance(app, actor=actor, at=at)
    record(actor, "hall.accept", app, after={**snapshot(app, APP_FIELDS), **audit})


def request_correction(
    actor: Any, application: Application, *, items: list[str], at: datetime | None = None
) -> Application:
    """补正: everything to correct in one notice, once (一次性告知, 第三十二条第一款第（四）项)."""
    at = at or timezone.now()
    items = [i.strip() for i in items if i.strip()]
    with transaction.atomic():
        app = _lock(application)
        require(actor, "hall.intake", app)
        task = _intake_task(app)
        if app.correction_requested_at is not None:
            raise ActionError(_("补正内容应当一次性告知，本申请已告知过补正，不能再次要求补正。"))
        flagged = [
            f"{f.material.name}：{f.review_note}"
            for f in app.files.filter(current=True, review=SubmittedMaterial.Review.CORRECT)
        ]
        items = flagged + items
        if not items:
            raise ActionError(_("请列明需要补正的全部内容。"), field="items")
        workflow.act(actor, task, "return_applicant", opinion="；".join(items), at=at)
        app.state, app.correction_requested_at = Application.State.CORRECTION, at
        app.correction_items = "\n".join(items)
        app.save()
        notices.correction(app, items, actor=actor, at=at)
        record(actor, "hall.request_correction", app, after={"items": items})
    return app


def submit_correction(
    actor: Any,
    application: Application,
    *,
    files: dict[int, UploadedFile],
    note: str = "",
    at: datetime | None = None,
) -> Application:
    """The applicant's answer to a 补正 or to a return during review; the returning step opens
    again (after 补正 the intake count starts afresh from the day all materials are in)."""
    at = at or timezone.now()
    with transaction.atomic():
        app = _lock(application)
        require(actor, "hall.correct", app)
        if not files and not note.strip():
            raise ActionError(_("请上传补正材料或填写说明。"))
        _attach(app, files, at)
        if app.state == Application.State.CORRECTION:
            app.state, app.corrected_at = Application.State.SUBMITTED, at
        else:
            app.state = Application.State.IN_REVIEW
            for clock in _case_clocks(app):
                resume_clock(clock, actor=actor, at=at)
        app.save()
        workflow.resume_from_applicant(app.instance, actor=actor, at=at)
        record(actor, "hall.submit_correction", app, after={"files": len(files), "note": note})
    return app


def refuse(
    actor: Any, application: Application, *, reason: str, at: datetime | None = None
) -> Application:
    """不予受理, in writing with reasons and the remedies (第三十二条, 第三十八条第二款)."""
    at = at or timezone.now()
    if not reason.strip():
        raise ActionError(_("不予受理须说明理由。"), field="reason")
    with transaction.atomic():
        app = _lock(application)
        require(actor, "hall.intake", app)
        task = _intake_task(app)
        workflow.act(actor, task, "reject", opinion=reason, at=at)
        app.state, app.refusal_reason, app.completed_at = Application.State.REFUSED, reason, at
        app.save()
        notices.refusal(app, reason.strip(), actor=actor, at=at)
        record(actor, "hall.refuse", app, after=snapshot(app, APP_FIELDS))
    return app


def lapse_intakes(now: datetime | None = None) -> int:
    """Applications for a 行政许可 left unanswered past the 5 working days count as accepted from
    the day the materials were received (第三十二条第一款第（四）项); the system records it so.
    Run by the periodic task, independent of anyone opening a page. Returns how many were
    accepted.

    The law accepts the application, nobody checked its materials: those not pre-checked stay
    待预审 (the case page says they were not pre-checked, the audit lists them), so no record
    claims a check that was not made. Other items (备案 …) have no such rule: their overdue
    intake step is a matter for supervision."""
    now = now or timezone.now()
    due = Application.objects.filter(
        item__item_type=ItemType.LICENSING,
        state=Application.State.SUBMITTED,
        instance__tasks__state=Task.State.PENDING,
        instance__tasks__due_at__lte=now,
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due.distinct()):
        with transaction.atomic():
            app = _lock(Application(pk=pk))
            if app.state != Application.State.SUBMITTED:
                continue
            task = _intake_task(app)
            workflow.system_approve(
                task, opinion=_("五个工作日内未作处理，依法自收到申请材料之日起视为受理。"), at=now
            )
            app.deemed_accepted = True
            pending = app.files.filter(current=True, review=SubmittedMaterial.Review.PENDING)
            unchecked = {"materials_not_checked": list(pending.values_list("name", flat=True))}
            accepted_at = app.corrected_at or app.received_at
            _start_decision(None, app, accepted_at=accepted_at, at=now, audit=unchecked)
            count += 1
    return count


def _case_clocks(app: Application) -> list[Clock]:
    return [c for c in (app.statutory_clock, app.committed_clock) if c is not None]


def _fee(value: Any) -> Decimal | None:
    """The fee charged in yuan: not negative, at most 2 decimals (None: not given)."""
    if value is None or value == "":
        return None
    try:
        fee = Decimal(str(value).strip())
    except InvalidOperation:
        fee = None
    if fee is None or not fee.is_finite() or not 0 <= fee < 10**10 or fee != fee.quantize(CENT):
        raise ActionError(_("实收费用须为不小于 0、最多两位小数的金额（元）。"), field="fee")
    return fee.quantize(CENT)


def sign(
    actor: Any,
    task: Task,
    verb: str,
    *,
    opinion: str,
    target: str = "",
    to_user: Any = None,
    fee: Any = None,
    confirm_fee: bool = False,
    at: datetime | None = None,
) -> Application:
    """An officer signs a review task; the application follows the process: a return to the
    applicant pauses the case clocks; the approval of the deciding step (or the end of a process
    without one) grants and a refusal at any step denies (第三十八条), then and there; a grant
    is completed when the process ends with the 送达 (第四十四条).

    `fee` is what the case was charged, due with the decision (出证 follows it): required when
    the signature grants, kept when it denies, ignored otherwise. A fee above what the item
    allows is recorded as charged (supervision checks it) only with `confirm_fee`: the officer
    is warned first, a typing slip is not turned into a 违规收费 record."""
    at = at or timezone.now()
    fee = _fee(fee)
    with transaction.atomic():
        app = _lock(Application.objects.get(instance=task.instance_id))
        for allowed, reason in _signing_limits(app):
            if verb not in allowed:
                raise ActionError(reason)
        signed = workflow.act(
            actor, task, verb, opinion=opinion, target=target, to_user=to_user, at=at
        )
        instance = Instance.objects.select_related("definition").get(pk=task.instance_id)
        ended = instance.state in (Instance.State.APPROVED, Instance.State.REJECTED)
        if instance.state == Instance.State.WAITING:
            app.state = Application.State.RETURNED
            for clock in _case_clocks(app):
                pause_clock(clock, reason=PauseReason.CORRECTION, actor=actor, at=at)
        elif instance.state == Instance.State.REJECTED:
            _decide(actor, app, granted=False, reason=opinion, fee=fee, confirm=confirm_fee, at=at)
        elif not app.decision and (ended or _is_deciding(instance, signed)):
            _decide(actor, app, granted=True, reason="", fee=fee, confirm=confirm_fee, at=at)
        elif not ended:
            return app
        if ended:
            app.state, app.completed_at = Application.State.COMPLETED, at
        app.save()
        record(actor, "hall.progress", app, after=snapshot(app, APP_FIELDS))
    return app


def _signing_limits(app: Application) -> Iterator[tuple[tuple[str, ...], str]]:
    """What the case's state leaves a signature free to do (beyond what its step allows), each
    with why anything else is refused; lazily, as the first refusal ends the check."""
    if app.state not in REVIEWING:
        yield (), _("该办件当前不在审查中。")
        return
    if app.decision:
        yield AFTER_DECISION, _("决定已作出，待送达；变更或撤回决定须依法另行办理。")
    if app.special_procedures.filter(ended_at=None).exists():
        # The case waits for the hearing or the experts (第四十五条), its clocks paused: moving
        # it on, let alone deciding, comes after their result.
        yield HAND_OFF, _("特别程序进行中，请待其结束并登记结果后再办理。")


def signing_verbs(app: Application, task: Task) -> list[str]:
    """The verbs `sign` would accept on the pending task now, in its step's order: what the step
    allows, less what the case's state forbids (after the decision, during a special
    procedure)."""
    if app.instance is None or task.state != Task.State.PENDING:
        return []
    verbs = workflow.allowed_verbs(task, app.instance.step)
    for allowed, _reason in _signing_limits(app):
        verbs = tuple(v for v in verbs if v in allowed)
    return list(verbs)


def signature_decides(app: Application, task: Task) -> bool:
    """Whether approving the task makes the decision, so that its signer records the fee charged:
    the step the process marks as deciding, or the last one (a process without a deciding step
    decides as it ends, see sign)."""
    instance = app.instance
    if app.decision or instance is None or task.kind != Task.Kind.STEP:
        return False
    steps = instance.definition.parsed.steps
    return instance.step.decides or instance.position == len(steps) - 1


def _is_deciding(instance: Instance, signed: Task) -> bool:
    """Whether the signature approved the step the process marks as making the decision."""
    step = instance.definition.parsed.deciding
    return (
        step is not None
        and signed.kind == Task.Kind.STEP
        and signed.state == Task.State.APPROVED
        and signed.step_key == step.key
    )


def _decide(
    actor: Any,
    app: Application,
    *,
    granted: bool,
    reason: str,
    fee: Decimal | None,
    confirm: bool,
    at: datetime,
) -> None:
    """The decision: the case clocks stop (the limits of 第四十二条 run to the decision), the
    decision notice is issued and a grant of a 行政许可 published (第四十条)."""
    if granted and fee is None:
        raise ActionError(_("请填写实收费用（不收费的填 0）。"), field="fee")
    ceiling = app.item.fee_ceiling
    if fee is not None and ceiling is not None and fee > ceiling and not confirm:
        allowed = (
            _("本事项不收费")
            if app.item.free
            else _("本事项收费标准每件上限合计 %(ceiling)s 元") % {"ceiling": f"{ceiling:.2f}"}
        )
        raise ActionError(
            _(
                "%(allowed)s，填写的实收费用 %(fee)s 元超出标准。请核对；如确实按此金额收取，"
                "请勾选“确认按实际收取的金额登记”后再签署。"
            )
            % {"allowed": allowed, "fee": f"{fee:.2f}"},
            field="fee",
        )
    app.state, app.decided_at = Application.State.DECIDED, at
    app.decision = Application.Decision.GRANTED if granted else Application.Decision.DENIED
    app.decision_reason = reason.strip()
    app.fee_charged = fee
    for clock in _case_clocks(app):
        stop_clock(clock, outcome=app.decision_label, actor=actor, at=at)
    notice = notices.decision(app, actor=actor, at=at)
    if granted and app.item.is_licensing:
        app.publication = _publish_grant(actor, app, notice)


def _publish_grant(actor: Any, app: Application, notice: Notice) -> Publication:
    """准予行政许可决定 are public (《行政许可法》第四十条, 条例 Art. 20(5)), published by the
    system as the decision is made: the leaders signed it in the case's own process, and the
    body holds only the decision's public particulars (no phone, ID or address; a natural
    person's name masked), so there is nothing for a second review chain to weigh."""
    licensee = app.applicant_name
    if app.applicant.kind == app.applicant.Kind.CITIZEN:
        licensee = licensee[:1] + "*" * (len(licensee) - 1)
    rows = [
        (_("行政相对人"), licensee),
        (_("许可事项"), f"{app.item.name}（{app.item.impl_code}）"),
        (_("许可决定书文号"), notice.number),
        (_("许可决定"), app.get_decision_display()),
        (_("审批结果"), app.item.result_name),
        (_("许可决定日期"), notices.day(notice.issued_at)),
        (_("许可机关"), app.item.department.name),
    ]
    body = format_html(
        "<table><tbody>{}</tbody></table>",
        format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
    )
    return publish_result(
        actor,
        department=app.item.department,
        category=RESULTS_CATEGORY,
        title=_("准予行政许可决定：%(item)s（%(licensee)s）")
        % {"item": app.item.name, "licensee": licensee},
        body=body,
        doc_number=notice.number,
        at=notice.issued_at,
    )


def start_special_procedure(
    actor: Any,
    application: Application,
    *,
    kind: str,
    days: int,
    reason: str,
    at: datetime | None = None,
) -> SpecialProcedure:
    """听证, 招标, 拍卖, 检验, 检测, 检疫, 鉴定, 专家评审 do not count (第四十五条): the clocks
    pause and the applicant is told in writing how long it will take."""
    at = at or timezone.now()
    if kind not in SpecialKind.values:
        raise ActionError(_("请选择特别程序种类。"), field="kind")
    if not isinstance(days, int) or days <= 0:
        raise ActionError(_("请填写特别程序所需工作日数。"), field="days")
    if not reason.strip():
        raise ActionError(_("请说明启动理由或依据。"), field="reason")
    with transaction.atomic():
        app = _lock(application)
        require(actor, "hall.special", app)
        if app.state != Application.State.IN_REVIEW:
            raise ActionError(_("只有审查中的办件可以启动特别程序。"))
        if app.special_procedures.filter(ended_at=None).exists():
            raise ActionError(_("已有进行中的特别程序。"))
        procedure = SpecialProcedure.objects.create(
            application=app,
            kind=kind,
            reason=reason.strip(),
            declared_days=days,
            started_at=at,
            started_by=actor,
        )
        label = procedure.get_kind_display()
        for clock in _case_clocks(app):
            pause_clock(clock, reason=PauseReason.EXPERT, actor=actor, at=at, note=str(label))
        workflow.pause_open_tasks(
            app.instance, reason=PauseReason.EXPERT, actor=actor, at=at, note=str(label)
        )
        notices.special(app, str(label), days, reason.strip(), actor=actor, at=at)
        record(actor, "hall.special_start", procedure, after={"kind": kind, "days": days})
    return procedure


def end_special_procedure(
    actor: Any, procedure: SpecialProcedure, *, result: str, at: datetime | None = None
) -> SpecialProcedure:
    at = at or timezone.now()
    if not result.strip():
        raise ActionError(_("请填写特别程序的结果。"), field="result")
    with transaction.atomic():
        app = _lock(procedure.application)
        require(actor, "hall.special", app)
        procedure = SpecialProcedure.objects.select_for_update().get(pk=procedure.pk)
        if procedure.ended_at is not None:
            raise ActionError(_("该特别程序已结束。"))
        procedure.ended_at, procedure.result = at, result.strip()
        procedure.save(update_fields=["ended_at", "result"])
        for clock in _case_clocks(app):
            resume_clock(clock, actor=actor, at=at)
        workflow.resume_open_tasks(app.instance, actor=actor, at=at)
        record(actor, "hall.special_end", procedure, after={"result": procedure.result})
    return procedure


def extend(
    actor: Any, application: Application, *, reason: str, at: datetime | None = None
) -> Application:
    """+10 working days with the agency head's approval, joint handling +15 with the government
    head's (第四十二条), once, with the reason told to the applicant."""
    at = at or timezone.now()
    if not reason.strip():
        raise ActionError(_("请说明延期理由。"), field="reason")
    with transaction.atomic():
        app = _lock(application)
        require(actor, "hall.extend", app)
        if app.state != Application.State.IN_REVIEW or app.statutory_clock is None:
            raise ActionError(_("只有审查中的办件可以延期。"))
        if app.statutory_clock.events.filter(kind="extend").exists():
            raise ActionError(_("办理期限已延长过一次，不能再次延长。"))
        days = 15 if app.item.is_joint else 10
        for clock in _case_clocks(app):
            extend_clock(clock, amount=days, approver=actor, actor=actor, at=at, note=reason)
        notices.extension(app, days, reason.strip(), actor=actor, at=at)
        record(actor, "hall.extend", app, after={"days": days, "reason": reason})
    return app


def rate(
    actor: Any,
    application: Application,
    *,
    score: int,
    comment: str = "",
    at: datetime | None = None,
) -> Rating:
    """一事一评 after completion; a 差评 (不满意, 非常不满意) opens a 整改 case on its own clock."""
    at = at or timezone.now()
    if score not in range(1, 6):
        raise ActionError(_("请选择满意度（1–5）。"), field="score")
    with transaction.atomic():
        app = _lock(application)
        require(actor, "hall.rate", app)
        if app.ratings.exists():
            raise ActionError(_("您已评价过该办件。"))
        rating = Rating.objects.create(
            application=app, rater=actor, score=score, comment=comment.strip(), created_at=at
        )
        record(actor, "hall.rate", rating, after={"score": score})
        if rating.is_bad:
            follow_up = FollowUp.objects.create(
                rating=rating, department=app.item.department, created_at=at
            )
            follow_up.clock = start_clock(
                follow_up,
                kind=FOLLOW_UP_CLOCK,
                title=_("差评整改 %(number)s") % {"number": app.number},
                department=app.item.department,
                limit=getattr(settings, "HALL_FOLLOW_UP_WORKDAYS", 5),
                unit=Unit.WORKDAYS,
                at=at,
                legal_basis=_("国办发〔2019〕51号 差评整改"),
                actor=actor,
            )
            follow_up.save(update_fields=["clock"])
            record(actor, "hall.follow_up_open", follow_up)
    return rating


def close_follow_up(
    actor: Any,
    follow_up: FollowUp,
    *,
    callback_note: str,
    resolution: str,
    reply: str,
    at: datetime | None = None,
) -> FollowUp:
    """回访核实, then 立行立改 / 解释说明 / 申诉复核, and the reply to the rater."""
    at = at or timezone.now()
    if not callback_note.strip():
        raise ActionError(_("请填写回访核实情况。"), field="callback_note")
    if resolution not in FollowUp.Resolution.values:
        raise ActionError(_("请选择处置方式。"), field="resolution")
    if not reply.strip():
        raise ActionError(_("请填写给申请人的反馈。"), field="reply")
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        require(actor, "hall.follow_up", follow_up)
        if follow_up.state != FollowUp.State.OPEN:
            raise ActionError(_("该整改已办结。"))
        follow_up.callback_note, follow_up.reply = callback_note.strip(), reply.strip()
        follow_up.resolution, follow_up.state = resolution, FollowUp.State.CLOSED
        follow_up.closed_by, follow_up.closed_at = actor, at
        follow_up.save()
        stop_clock(follow_up.clock, outcome=follow_up.get_resolution_display(), actor=actor, at=at)
        record(actor, "hall.follow_up_close", follow_up, after={"resolution": resolution})
    return follow_up
