"""Reads over appeals: what a person may see, their desk, repeats, department suggestions,
knowledge-base matches and the monthly statistics, each by a few aggregate queries."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sunshine.org.models import Department
from sunshine.org.permissions import is_supervisor

from . import rules
from .models import (
    OPEN_STATES,
    Appeal,
    Assignment,
    DispatchEntry,
    ExtensionRequest,
    FollowUp,
    KnowledgeEntry,
    Mailbox,
    Reply,
    Status,
)
from .text import NaiveBayes, similarity, tokens

REPEAT_WINDOW = timedelta(days=90)
REPEAT_THRESHOLD = 0.5  # cosine over content words; same place lowers it (below)
SAME_PLACE_THRESHOLD = 0.3
TRAINING_SIZE = 2000


def visible_appeals(user: Any) -> QuerySet[Appeal]:
    """Appeals the person may open; another unit's appeal looks like a missing one."""
    qs = Appeal.objects.select_related("lead_department", "mailbox", "category")
    if rules.is_dispatcher(user) or rules.is_editor(user) or is_supervisor(user):
        return qs
    departments = Department.objects.filter(rules.unit_departments_q(user))
    mine = Assignment.objects.filter(appeal=OuterRef("pk"), department__in=departments)
    via_master = Assignment.objects.filter(
        appeal=OuterRef("merged_into"), department__in=departments
    )
    return qs.filter(Q(Exists(mine)) | Q(Exists(via_master)))


@dataclass
class Desk:
    received: list[Appeal] = field(default_factory=list)
    returns: list[Assignment] = field(default_factory=list)
    extensions: list[ExtensionRequest] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    follow_ups: list[Appeal] = field(default_factory=list)
    tasks: list[Assignment] = field(default_factory=list)
    open: list[Appeal] = field(default_factory=list)


def desk_for(user: Any) -> Desk:
    desk = Desk()
    if rules.is_dispatcher(user):
        desk.received = list(
            Appeal.objects.filter(status=Status.RECEIVED).select_related("mailbox")[:200]
        )
        desk.returns = list(
            Assignment.objects.filter(state=Assignment.State.RETURNED).select_related(
                "appeal", "department"
            )
        )
        desk.extensions = list(
            ExtensionRequest.objects.filter(state=ExtensionRequest.State.PENDING).select_related(
                "assignment__appeal", "assignment__department"
            )
        )
        desk.replies = list(
            Reply.objects.filter(state=Reply.State.PENDING).select_related(
                "appeal", "assignment__department"
            )
        )
        desk.follow_ups = list(Appeal.objects.filter(status=Status.ANSWERED)[:200])
    departments = Department.objects.filter(rules.unit_departments_q(user))
    desk.tasks = list(
        Assignment.objects.filter(
            department__in=departments,
            state__in=[Assignment.State.WAITING, Assignment.State.SIGNED],
        ).select_related("appeal", "department", "handle_clock", "sign_clock")
    )
    if is_supervisor(user):
        desk.open = list(
            Appeal.objects.filter(status__in=[Status.DISPATCHED, Status.REVIEW]).select_related(
                "lead_department"
            )[:200]
        )
    return desk


@dataclass(frozen=True)
class Repeat:
    appeal: Appeal
    score: float
    reason: str


def repeats_of(appeal: Appeal) -> list[Repeat]:
    """Open appeals on the same matter: same person, or same place and similar text (并单)."""
    since = appeal.received_at - REPEAT_WINDOW
    condition = Q(category=appeal.category) if appeal.category_id else Q(pk__in=[])
    if appeal.phone:
        condition |= Q(phone=appeal.phone)
    if appeal.place:
        condition |= Q(place=appeal.place)
    recent = (
        Appeal.objects.filter(status__in=OPEN_STATES, received_at__gte=since)
        .exclude(pk=appeal.pk)
        .filter(merged_into__isnull=True)
    )
    candidates = list(recent.filter(condition)[:300]) + list(recent.order_by("-received_at")[:100])
    words = tokens(f"{appeal.title} {appeal.body}")
    found: dict[int, Repeat] = {}
    for other in candidates:
        if other.pk in found:
            continue
        score = similarity(words, tokens(f"{other.title} {other.body}"))
        same_person = bool(appeal.phone) and other.phone == appeal.phone
        same_place = bool(appeal.place) and other.place == appeal.place
        if same_person and score >= SAME_PLACE_THRESHOLD:
            found[other.pk] = Repeat(other, score, "same_person")
        elif same_place and score >= SAME_PLACE_THRESHOLD:
            found[other.pk] = Repeat(other, score, "same_place")
        elif score >= REPEAT_THRESHOLD:
            found[other.pk] = Repeat(other, score, "similar")
    return sorted(found.values(), key=lambda r: -r.score)[:5]


def train_classifier() -> NaiveBayes:
    """Trained on the latest dispatched appeals (their lead unit is the label)."""
    rows = (
        Appeal.objects.filter(lead_department__isnull=False)
        .order_by("-received_at")
        .values_list("title", "body", "lead_department_id")[:TRAINING_SIZE]
    )
    return NaiveBayes.train((tokens(f"{t} {b}"), label) for t, b, label in rows)


@dataclass(frozen=True)
class Suggestion:
    department: Department
    probability: float
    source: str


def suggest_departments(appeal: Appeal) -> list[Suggestion]:
    """The catalogue's lead unit for the category, then the classifier's guesses."""
    suggestions: list[Suggestion] = []
    entry = (
        DispatchEntry.objects.filter(category=appeal.category_id).select_related("lead").first()
        if appeal.category_id
        else None
    )
    if entry:
        suggestions.append(Suggestion(entry.lead, 1.0, "catalogue"))
    ranked = train_classifier().rank(tokens(f"{appeal.title} {appeal.body}"))[:3]
    departments = Department.objects.in_bulk([label for label, _p in ranked])
    for label, probability in ranked:
        if label in departments and not any(s.department.pk == label for s in suggestions):
            suggestions.append(Suggestion(departments[label], probability, "classifier"))
    return suggestions


def knowledge_matches(text: str, limit: int = 3) -> list[tuple[KnowledgeEntry, float]]:
    words = tokens(text)
    scored = [
        (entry, similarity(words, tokens(f"{entry.question} {entry.keywords}")))
        for entry in KnowledgeEntry.objects.filter(is_active=True)
    ]
    return sorted([s for s in scored if s[1] >= 0.2], key=lambda s: -s[1])[:limit]


# --- monthly statistics (research §1.6 留言数、答复数、答复率; §1.5 满意率) ---------------


def month_range(year: int, month: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


@dataclass
class StatRow:
    name: str
    letters: int = 0
    replies: int = 0
    average_days: float | None = None
    rated: int = 0
    satisfied: int = 0

    @property
    def reply_rate(self) -> float | None:
        return self.replies / self.letters if self.letters else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


def _grouped(appeals: QuerySet[Appeal], key: str, names: dict[Any, str]) -> list[StatRow]:
    replied = Q(answered_at__isnull=False)
    rows = {
        row[key]: StatRow(
            names.get(row[key], "—"),
            letters=row["letters"],
            replies=row["replies"],
            average_days=row["seconds"] / 86400 if row["seconds"] is not None else None,
        )
        for row in appeals.values(key).annotate(
            letters=Count("pk"),
            replies=Count("pk", filter=replied),
            seconds=Avg("handling_seconds", filter=replied),
        )
    }
    ratings = (
        FollowUp.objects.filter(appeal__in=appeals)
        .values(f"appeal__{key}")
        .annotate(
            rated=Count("pk"),
            good=Count("pk", filter=~Q(satisfaction=FollowUp.Satisfaction.UNSATISFIED)),
        )
    )
    for row in ratings:
        target = rows.get(row[f"appeal__{key}"])
        if target:
            target.rated, target.satisfied = row["rated"], row["good"]
    return sorted(rows.values(), key=lambda r: (-r.letters, r.name))


def monthly_stats(year: int, month: int) -> dict[str, list[StatRow]]:
    """Per mailbox and per lead department for the month the appeals were received in.

    满意率 counts 满意 and 基本满意 over all ratings (each rating of a reworked appeal counts).
    A repeat merged into another appeal is a letter of its mailbox (its writer gets the shared
    reply) but not a second case of the department, which handled it once.
    """
    start, end = month_range(year, month)
    appeals = Appeal.objects.filter(received_at__gte=start, received_at__lt=end)
    mailboxes = dict(Mailbox.objects.values_list("pk", "name"))
    departments = dict(Department.objects.values_list("pk", "name"))
    return {
        "mailboxes": _grouped(appeals.filter(mailbox__isnull=False), "mailbox", mailboxes),
        "departments": _grouped(
            appeals.filter(lead_department__isnull=False), "lead_department", departments
        ),
    }


def recent_months(today: date, n: int = 12) -> list[tuple[int, int]]:
    result, year, month = [], today.year, today.month
    for _i in range(n):
        result.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return result
