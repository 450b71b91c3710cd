"""State changes of 主动公开: drafting, the review chain, publishing, withdrawing, re-review.

Each action checks permission first, validates, writes the change and its audit record in one
transaction, and locks the row a concurrent double submission would race on.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.audit.actions import record, snapshot
from sunshine.clocks.actions import start_clock, stop_clock
from sunshine.clocks.models import State as ClockState
from sunshine.clocks.models import Unit
from sunshine.core.numbers import next_number
from sunshine.core.uploads import check_upload
from sunshine.errors import ActionError
from sunshine.org.models import Department, Role
from sunshine.org.permissions import require
from sunshine.search.index import index_document, remove_document

from . import secrecy
from .catalogue import ensure_catalogue
from .models import (
    Attachment,
    Category,
    Column,
    Placement,
    Publication,
    ReviewChain,
    ReviewStep,
    SensitiveTerm,
    Submission,
    Task,
)
from .text import extract_text, html_to_text, sanitise_html

ART26_LIMIT = 20  # 条例 Art. 26: published within 20 working days of being made or changed
REREVIEW_MONTHS = 12  # 条例 Art. 18: withheld information is reviewed again periodically
DEFAULT_CHAIN = [
    ("科室负责人审核", Role.REVIEWER),
    ("保密审查", Role.SECRECY),
    ("分管领导签发", Role.DEPUTY_LEADER),
]
ORGANISATION_KINDS = (
    Department.Kind.GOVERNMENT,
    Department.Kind.BUREAU,
    Department.Kind.TOWNSHIP,
)
# GB/T 9704-2012: 机关代字〔年份〕序号号; ASCII brackets are accepted and normalised.
DOC_NUMBER = re.compile(r"^([\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]*)〔(\d{4})〕([1-9]\d*)号$")
DRAFT_FIELDS = [
    "title",
    "doc_number",
    "kind",
    "written_on",
    "theme",
    "category",
    "disclosure",
    "summary",
    "body",
    "keywords",
]


def organisation_of(department: Department) -> Department:
    """The agency that publishes for a unit: the nearest government, bureau or township."""
    for node in reversed(list(department.ancestors())):
        if node.kind in ORGANISATION_KINDS:
            return node
    return department


def normalise_doc_number(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    for left, right in (("[", "]"), ("(", ")"), ("（", "）"), ("【", "】"), ("〔", "〕")):
        value = re.sub(rf"{re.escape(left)}(\d{{4}}){re.escape(right)}", r"〔\1〕", value)
    if not DOC_NUMBER.match(value):
        raise ActionError(
            _("发文字号格式应为“机关代字〔年份〕序号号”，如 国办函〔2020〕109号。"),
            field="doc_number",
        )
    return value


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def _clean_fields(organisation: Department, fields: dict[str, Any]) -> dict[str, Any]:
    fields = dict(fields)
    if "title" in fields:
        fields["title"] = fields["title"].strip()
        if not fields["title"]:
            raise ActionError(_("请填写标题。"), field="title")
    if "doc_number" in fields:
        fields["doc_number"] = normalise_doc_number(fields["doc_number"] or "")
    if fields.get("written_on") and fields["written_on"] > timezone.localdate():
        raise ActionError(_("成文日期不能晚于今天。"), field="written_on")
    if "body" in fields:
        fields["body"] = sanitise_html(fields["body"] or "")
    category = fields.get("category")
    if category is not None and category.organisation_id != organisation.pk:
        raise ActionError(_("请选择本机构公开目录中的分类。"), field="category")
    return fields


def create_draft(
    actor: Any,
    *,
    department: Department,
    title: str,
    written_on: date,
    columns: Iterable[Column] = (),
    related: Iterable[Publication] = (),
    source_request: str = "",
    **fields: Any,
) -> Publication:
    """A 信息员 drafts an item for their unit; it goes nowhere until submitted."""
    require(actor, "publishing.draft", department)
    return _create(actor, department, title, written_on, columns, related, source_request, fields)


def create_draft_from_request(
    actor: Any,
    *,
    organisation: Department,
    title: str,
    body: str,
    request_reference: str,
    written_on: date | None = None,
) -> Publication:
    """条例 Art. 44: information several applicants asked for becomes a proactive draft.

    The draft is the organisation's; its author submits it to the review chain as any other.
    """
    require(actor, "publishing.draft_from_request", organisation)
    return _create(
        actor,
        organisation,
        title,
        written_on or timezone.localdate(),
        (),
        (),
        request_reference,
        {"body": body},
    )


def _create(
    actor: Any,
    department: Department,
    title: str,
    written_on: date,
    columns: Iterable[Column],
    related: Iterable[Publication],
    source_request: str,
    fields: dict[str, Any],
) -> Publication:
    organisation = organisation_of(department)
    fields = _clean_fields(organisation, {"title": title, "written_on": written_on, **fields})
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    with transaction.atomic():
        publication = Publication.objects.create(
            organisation=organisation,
            department=department,
            author=actor,
            source_request=source_request,
            **fields,
        )
        _set_columns(publication, columns)
        publication.related.set(related)
        record(
            actor,
            "publishing.create_draft",
            publication,
            after=snapshot(publication, ["title", "state", "department"]),
        )
    return publication


def _set_columns(publication: Publication, columns: Iterable[Column]) -> None:
    wanted = {c.pk for c in columns}
    publication.placements.exclude(column_id__in=wanted).delete()
    have = set(publication.placements.values_list("column_id", flat=True))
    Placement.objects.bulk_create(
        Placement(column_id=pk, publication=publication) for pk in wanted - have
    )


def update_draft(
    actor: Any,
    publication: Publication,
    *,
    columns: Iterable[Column] | None = None,
    related: Iterable[Publication] | None = None,
    **fields: Any,
) -> Publication:
    require(actor, "publishing.edit", publication)
    fields = _clean_fields(publication.organisation, fields)
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.state not in (Publication.State.DRAFT, Publication.State.RETURNED):
            raise ActionError(_("该信息已提交审核，不能再修改。"))
        before = snapshot(publication, list(fields))
        for name, value in fields.items():
            if name not in DRAFT_FIELDS:
                raise TypeError(f"unknown field {name}")
            setattr(publication, name, value)
        publication.save()
        if columns is not None:
            _set_columns(publication, columns)
        if related is not None:
            publication.related.set([p for p in related if p.pk != publication.pk])
        record(
            actor,
            "publishing.update_draft",
            publication,
            before=before,
            after=snapshot(publication, list(fields)),
        )
    return publication


def add_attachment(actor: Any, publication: Publication, upload: UploadedFile) -> Attachment:
    """An attachment, checked by content; its text is kept for the pre-check and for search."""
    require(actor, "publishing.edit", publication)
    try:
        checked = check_upload(upload)
    except ValidationError as error:
        raise ActionError(error.messages[0], field="file") from None
    upload.seek(0)
    data = upload.read()
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.state not in (Publication.State.DRAFT, Publication.State.RETURNED):
            raise ActionError(_("该信息已提交审核，不能再添加附件。"))
        attachment = Attachment(
            publication=publication,
            name=checked.name,
            kind=checked.kind.code,
            size=checked.size,
            text=extract_text(data, checked.kind.code),
        )
        attachment.file.save(checked.name, ContentFile(data), save=False)
        attachment.save()
        record(
            actor,
            "publishing.add_attachment",
            attachment,
            after={"publication": publication.pk, "name": attachment.name, "size": attachment.size},
        )
    return attachment


def chain_for(organisation: Department) -> ReviewChain:
    """The organisation's chain; the default one of the local rules until it configures its own."""
    chain, created = ReviewChain.objects.get_or_create(
        organisation=organisation, defaults={"name": _("信息发布审核流程")}
    )
    if created:
        ReviewStep.objects.bulk_create(
            ReviewStep(chain=chain, order=i, name=name, role=role)
            for i, (name, role) in enumerate(DEFAULT_CHAIN, start=1)
        )
    return chain


def submit(actor: Any, publication: Publication, *, at: datetime | None = None) -> Submission:
    """信息直报: the draft enters its organisation's chain; the Art. 26 clock runs from 成文日期."""
    require(actor, "publishing.submit", publication)
    at = at or timezone.now()
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.state not in (Publication.State.DRAFT, Publication.State.RETURNED):
            raise ActionError(_("该信息已提交审核，请勿重复提交。"))
        if not publication.body.strip() and not publication.attachments.exists():
            raise ActionError(_("请填写正文或上传附件后再提交。"), field="body")
        if publication.category_id is None:
            raise ActionError(_("请选择公开目录分类。"), field="category")
        chain = chain_for(publication.organisation)
        first = chain.steps.order_by("order").first()
        if first is None:
            raise ActionError(_("本机构的审核流程没有环节，请联系管理员配置。"))
        submission = Submission.objects.create(
            publication=publication, chain=chain, submitted_by=actor, submitted_at=at
        )
        _open_task(submission, first, at)
        before = snapshot(publication, ["state"])
        publication.state = Publication.State.IN_REVIEW
        if publication.clock is None:
            publication.clock = start_clock(
                publication,
                kind="publishing.art26",
                title=_("信息公开时限：%(title)s") % {"title": publication.title[:80]},
                department=publication.department,
                limit=ART26_LIMIT,
                unit=Unit.WORKDAYS,
                # Before 09:00 on the day it was written, the clock starts with the submission.
                at=min(_start_of(publication.written_on), at),
                legal_basis=_("《政府信息公开条例》第二十六条"),
                actor=actor,
                responsible=publication.author,
            )
        publication.save()
        record(
            actor,
            "publishing.submit",
            publication,
            before=before,
            after=snapshot(publication, ["state"]),
        )
    return submission


def _open_task(submission: Submission, step: ReviewStep, at: datetime) -> Task:
    findings: list[dict] = []
    if step.is_secrecy:
        findings = precheck_publication(submission.publication)
    return Task.objects.create(submission=submission, step=step, started_at=at, findings=findings)


def precheck_publication(publication: Publication) -> list[dict]:
    """The pre-check over the title, the body and the text of every attachment."""
    terms = list(SensitiveTerm.objects.filter(is_active=True).values_list("term", flat=True))
    records = secrecy.as_records("title", secrecy.precheck(publication.title, terms))
    records += secrecy.as_records("body", secrecy.precheck(html_to_text(publication.body), terms))
    for attachment in publication.attachments.all():
        records += secrecy.as_records(
            f"attachment:{attachment.pk}", secrecy.precheck(attachment.text, terms)
        )
    return records


def _lock_pending(task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("step", "submission").get(pk=task.pk)
    if task.state != Task.State.PENDING:
        raise ActionError(_("该环节已处理，请刷新页面。"))
    return task


def _close(task: Task, actor: Any, state: str, opinion: str, at: datetime, **extra: str) -> None:
    task.state, task.reviewer, task.opinion, task.decided_at = state, actor, opinion, at
    for name, value in extra.items():
        setattr(task, name, value)
    task.save()
    record(
        actor,
        f"publishing.task_{state}",
        task,
        after=snapshot(task, ["state", "reviewer", "opinion", "decision", "legal_basis"]),
        object_repr=f"{task.step.name} · {task.submission.publication.title}"[:200],
    )


def approve_task(
    actor: Any,
    task: Task,
    *,
    opinion: str = "",
    decision: str = "",
    legal_basis: str = "",
    at: datetime | None = None,
) -> Task:
    """Approve a step; at the 保密审查 step the decision 公开/免于公开/需报审 and its basis are
    required (条例 Art. 17), and the last approval publishes the item.
    """
    require(actor, "publishing.review", task)
    at = at or timezone.now()
    opinion = opinion.strip() or _("同意")
    with transaction.atomic():
        task = _lock_pending(task)
        submission = task.submission
        publication = Publication.objects.select_for_update().get(pk=submission.publication_id)
        if task.step.is_secrecy:
            if decision not in Task.Decision.values:
                raise ActionError(_("请选择保密审查结论。"), field="decision")
            if not legal_basis.strip():
                raise ActionError(_("请填写保密审查结论的依据。"), field="legal_basis")
            _close(
                task,
                actor,
                Task.State.REFERRED if decision == Task.Decision.REFER else Task.State.APPROVED,
                opinion,
                at,
                decision=decision,
                legal_basis=legal_basis.strip(),
            )
            if decision == Task.Decision.REFER:
                # Referred to the secrecy administration: the step waits for its answer.
                _open_task(submission, task.step, at)
                return task
            if decision == Task.Decision.EXEMPT:
                _finish(submission, Submission.State.WITHHELD, at)
                _withhold(publication, actor, at)
                return task
        else:
            _close(task, actor, Task.State.APPROVED, opinion, at)
        following = submission.chain.steps.filter(order__gt=task.step.order).order_by("order")
        step = following.first()
        if step is not None:
            _open_task(submission, step, at)
        else:
            _finish(submission, Submission.State.APPROVED, at)
            _publish(publication, actor, at)
    return task


def return_task(actor: Any, task: Task, *, opinion: str, at: datetime | None = None) -> Task:
    """Back to its author with the opinion, to be changed and submitted again."""
    return _send_back(actor, task, opinion, at, Task.State.RETURNED)


def reject_task(actor: Any, task: Task, *, opinion: str, at: datetime | None = None) -> Task:
    """Not to be published; the item is kept with the reason."""
    return _send_back(actor, task, opinion, at, Task.State.REJECTED)


def _send_back(actor: Any, task: Task, opinion: str, at: datetime | None, state: str) -> Task:
    require(actor, "publishing.review", task)
    at = at or timezone.now()
    if not opinion.strip():
        raise ActionError(_("请填写审核意见，说明退回或不予发布的理由。"), field="opinion")
    with transaction.atomic():
        task = _lock_pending(task)
        publication = Publication.objects.select_for_update().get(pk=task.submission.publication_id)
        _close(task, actor, state, opinion.strip(), at)
        before = snapshot(publication, ["state"])
        if state == Task.State.RETURNED:
            _finish(task.submission, Submission.State.RETURNED, at)
            publication.state = Publication.State.RETURNED
        else:
            _finish(task.submission, Submission.State.REJECTED, at)
            publication.state = Publication.State.REJECTED
            _stop(publication, actor, at, _("不予发布"))
        publication.save()
        record(
            actor,
            "publishing.state",
            publication,
            before=before,
            after=snapshot(publication, ["state"]),
        )
    return task


def _finish(submission: Submission, state: str, at: datetime) -> None:
    submission.state, submission.finished_at = state, at
    submission.save(update_fields=["state", "finished_at"])


def _stop(publication: Publication, actor: Any, at: datetime, outcome: str) -> None:
    if publication.clock is not None and publication.clock.state != ClockState.STOPPED:
        publication.clock = stop_clock(publication.clock, outcome=outcome, actor=actor, at=at)


def _withhold(publication: Publication, actor: Any, at: datetime) -> None:
    before = snapshot(publication, ["state", "disclosure", "rereview_on"])
    publication.state = Publication.State.WITHHELD
    publication.disclosure = Publication.Disclosure.NOT_DISCLOSED
    publication.rereview_on = _months_later(timezone.localdate(at), REREVIEW_MONTHS)
    _stop(publication, actor, at, _("免于公开"))
    publication.save()
    record(
        actor,
        "publishing.withhold",
        publication,
        before=before,
        after=snapshot(publication, ["state", "disclosure", "rereview_on"]),
    )


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _touch(publication: Publication, *, related: bool = True) -> None:
    """Its public page changes (and, when `related`, the pages that list it): cached copies
    keyed by the page revision are no longer used.
    """
    ids = [publication.pk]
    if related:
        ids += list(publication.related.values_list("pk", flat=True))
    Publication.objects.filter(pk__in=ids).update(page_revision=F("page_revision") + 1)


def _publish(publication: Publication, actor: Any, at: datetime) -> None:
    """索引号 `{organisation code}/{year}-{serial}`: gap-free per organisation and year."""
    year = timezone.localdate(at).year
    code = publication.organisation.code
    serial = next_number(f"publishing.index:{code}:{year}")
    before = snapshot(publication, ["state", "index_number", "published_at"])
    publication.index_number = f"{code}/{year}-{serial:05d}"
    publication.state = Publication.State.PUBLISHED
    publication.disclosure = Publication.Disclosure.PROACTIVE
    publication.published_at = at
    publication.rereview_on = None
    _stop(publication, actor, at, _("已发布"))
    publication.save()
    _touch(publication)
    index_publication(publication)
    record(
        actor,
        "publishing.publish",
        publication,
        before=before,
        after=snapshot(publication, ["state", "index_number", "published_at"]),
    )


def index_publication(publication: Publication) -> None:
    texts = [html_to_text(publication.body)]
    texts += [a.text for a in publication.attachments.all() if a.text]
    # The 索引号 every item page shows is searched for too; last, so that it does not open the
    # passage shown under a result that matched elsewhere.
    index_document(
        "publication",
        publication.pk,
        title=publication.title,
        text="\n".join([publication.doc_number, *texts, publication.index_number or ""]),
        url=reverse("publishing:item", args=[publication.pk]),
        organisation_id=publication.organisation_id,
        published_at=publication.published_at,
        category_id=publication.category_id,
        theme_id=publication.theme_id,
        kind=publication.kind,
    )


def publish_result(
    actor: Any,
    *,
    department: Department,
    category: tuple[str, str],
    title: str,
    body: str,
    doc_number: str = "",
    at: datetime | None = None,
) -> Publication:
    """A result the law makes public as it is made (行政许可 decisions: 条例 Art. 20(5),
    《行政许可法》第四十条), published at once without the review chain.

    Only for structured results: the caller decided the result in its own signed process (that is
    its permission check, as for `start_clock`) and builds `body` from fields that are public by
    rule, never from the file's free text, so the template is what 保密审查 looked at. Runs in
    the caller's transaction. `category` names a node of the Art. 20 catalogue (parent, child).
    """
    at = at or timezone.now()
    organisation = organisation_of(department)
    nodes = Category.objects.filter(organisation=organisation, parent__name=category[0])
    node = nodes.filter(name=category[1]).first()
    if node is None:  # an organisation without its Art. 20 catalogue yet
        ensure_catalogue(organisation)
        node = nodes.get(name=category[1])
    with transaction.atomic():
        publication = _create(
            actor,
            department,
            title[:255],
            timezone.localdate(at),
            (),
            (),
            "",
            {"body": body, "category": node, "doc_number": doc_number},
        )
        _publish(publication, actor, at)
    return publication


def withdraw(
    actor: Any, publication: Publication, *, reason: str, at: datetime | None = None
) -> Publication:
    """Taken off the site, kept on record: its page says that it was withdrawn and when. The
    reason is for the record (the audit log, the staff's page), not the public page: it is
    written for colleagues and may say more than the public should read.
    """
    require(actor, "publishing.manage", publication)
    at = at or timezone.now()
    if not reason.strip():
        raise ActionError(_("请填写撤回理由。"), field="reason")
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.state != Publication.State.PUBLISHED:
            raise ActionError(_("只有已发布的信息可以撤回。"))
        before = snapshot(publication, ["state", "withdrawn_at", "withdraw_reason"])
        publication.state = Publication.State.WITHDRAWN
        publication.withdrawn_at, publication.withdraw_reason = at, reason.strip()
        publication.save()
        _touch(publication)
        remove_document("publication", publication.pk)
        record(
            actor,
            "publishing.withdraw",
            publication,
            before=before,
            after=snapshot(publication, ["state", "withdrawn_at", "withdraw_reason"]),
        )
    return publication


def set_validity(
    actor: Any, publication: Publication, *, validity: str, on: date, reason: str
) -> Publication:
    """废止 or 失效 with its date and reason (the annual report counts documents in force)."""
    require(actor, "publishing.manage", publication)
    if validity not in (Publication.Validity.ABOLISHED, Publication.Validity.EXPIRED):
        raise ActionError(_("请选择“废止”或“失效”。"), field="validity")
    if not reason.strip():
        raise ActionError(_("请填写理由。"), field="reason")
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.state != Publication.State.PUBLISHED:
            raise ActionError(_("只有已发布的信息可以标注废止或失效。"))
        if publication.validity != Publication.Validity.VALID:
            raise ActionError(
                _("该文件已标注为%(v)s。") % {"v": publication.get_validity_display()}
            )
        if publication.written_on and on < publication.written_on:
            raise ActionError(_("日期不能早于成文日期。"), field="on")
        fields = ["validity", "validity_on", "validity_reason"]
        before = snapshot(publication, fields)
        publication.validity, publication.validity_on = validity, on
        publication.validity_reason = reason.strip()
        publication.save()
        _touch(publication, related=False)
        record(
            actor,
            "publishing.set_validity",
            publication,
            before=before,
            after=snapshot(publication, fields),
        )
    return publication


def set_pinned(actor: Any, placement: Placement, *, pinned: bool) -> Placement:
    require(actor, "publishing.manage", placement.publication)
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        before = snapshot(placement, ["pinned"])
        placement.pinned = pinned
        placement.save(update_fields=["pinned"])
        record(
            actor,
            "publishing.pin",
            placement,
            before=before,
            after=snapshot(placement, ["pinned"]),
            object_repr=f"{placement.column} · {placement.publication}"[:200],
        )
    return placement


def set_related(
    actor: Any, publication: Publication, *, index_numbers: Iterable[str]
) -> Publication:
    """Link a published item with others by 索引号 (a document and its 政策解读); the link is
    mutual, so each page lists the other.
    """
    require(actor, "publishing.manage", publication)
    wanted = {n.strip() for n in index_numbers if n.strip()}
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.state != Publication.State.PUBLISHED:
            raise ActionError(_("只有已发布的信息可以关联相关文件。"))
        if publication.index_number in wanted:
            raise ActionError(_("不能关联信息本身。"), field="index_numbers")
        found = list(
            Publication.objects.filter(
                index_number__in=wanted, state=Publication.State.PUBLISHED
            ).order_by("pk")
        )
        missing = wanted - {p.index_number for p in found}
        if missing:
            raise ActionError(
                _("找不到已发布的信息：%(numbers)s") % {"numbers": "、".join(sorted(missing))},
                field="index_numbers",
            )
        before = sorted(publication.related.values_list("index_number", flat=True))
        _touch(publication)
        publication.related.set(found)
        _touch(publication)
        record(
            actor,
            "publishing.set_related",
            publication,
            before={"related": before},
            after={"related": sorted(p.index_number for p in found)},
        )
    return publication


def rereview(
    actor: Any,
    publication: Publication,
    *,
    publish: bool,
    opinion: str,
    legal_basis: str,
    at: datetime | None = None,
) -> Publication:
    """条例 Art. 18: withheld information is looked at again and published once it may be."""
    require(actor, "publishing.rereview", publication)
    at = at or timezone.now()
    if not opinion.strip() or not legal_basis.strip():
        raise ActionError(_("请填写复审意见和依据。"), field="opinion")
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.state != Publication.State.WITHHELD:
            raise ActionError(_("该信息不在免于公开复审范围内。"))
        record(
            actor,
            "publishing.rereview",
            publication,
            after={
                "publish": publish,
                "opinion": opinion.strip(),
                "legal_basis": legal_basis.strip(),
            },
        )
        if publish:
            _publish(publication, actor, at)
        else:
            publication.rereview_on = _months_later(timezone.localdate(at), REREVIEW_MONTHS)
            publication.save(update_fields=["rereview_on"])
    return publication
