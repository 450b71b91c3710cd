"""Demo requests for 示例市商务局: a few in progress, each at another step, and a closed year 2025
for the demo annual report. The demo citizen's own requests carry his name; the others are filed
by a fictitious applicant (演示申请人), who has no account. Every request that is not closed is made
by the actions, so it carries its clocks. Loading twice changes nothing (keyed by that name)."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from sunshine.accounts.models import User
from sunshine.org.models import Department

from . import actions
from .models import Remedy, Request
from .outcomes import OUTCOMES, ApplicantType

DEMO_MARK = "演示申请人"
DEMO_ID = "110101198501012311"
DEMO_PHONE = "13900000000"


def _data(title: str, kind: str = ApplicantType.NATURAL, applicant: User | None = None) -> dict:
    """A request by the account's holder, or by the fictitious applicant."""
    if applicant is None:
        who = {"applicant_name": DEMO_MARK, "id_number": DEMO_ID, "phone": DEMO_PHONE}
    else:
        who = {
            "applicant_name": applicant.display_name,
            "id_number": applicant.id_number,
            "phone": applicant.mobile,
        }
    return {
        **who,
        "applicant_type": kind,
        "email": "applicant@example.com",
        "info_title": title,
        "form": "email",
        "delivery": "online",
    }


def load(stdout) -> None:
    if Request.objects.filter(applicant_name=DEMO_MARK).exists():
        return
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["13800000001", "window", "handler"])
    }
    swj = Department.objects.get(code="SLS-SWJ")
    now = timezone.now()
    citizen, window, handler = users["13800000001"], users["window"], users["handler"]

    def mine(title: str) -> Request:
        return actions.submit_request(citizen, swj, _data(title, applicant=citizen), at=now).request

    mine("2026年外贸企业扶持资金申报名单")
    actions.confirm_receipt(window, mine("城市便民生活圈建设方案"), at=now)
    correction = mine("有关补贴的文件")
    correction = actions.confirm_receipt(window, correction, at=now)
    actions.send_correction_notice(
        handler, correction, items="请写明文件名称或文号。", days=10, at=now
    )
    consulting = actions.register_request(
        window,
        swj,
        _data("某商场改造项目审批材料", ApplicantType.COMMERCIAL),
        channel="post",
        received_on=timezone.localdate(now),
        at=now,
    ).request
    actions.start_consultation(
        handler,
        consulting,
        kind="third_party",
        party="示例市阳光商贸有限公司",
        question="是否同意公开贵司提交的改造方案",
        at=now,
    )

    # 2025: one closed request per outcome and applicant column where the row allows it, the
    # reviews and suits of section 四, and a few carried into 2026, still on their (now overdue)
    # clocks.
    rows, n = [], 0
    kinds = list(ApplicantType)
    for i, outcome in enumerate(OUTCOMES):
        for j in range(1 + (i % 3)):
            n += 1
            received_on = date(2025, 1 + (n % 11), 3 + (n % 20))
            rows.append(
                Request(
                    number=actions.take_number(swj, 2025),
                    query_digest="",
                    organisation=swj,
                    applicant_type=kinds[(i + j) % len(kinds)] if j else ApplicantType.NATURAL,
                    applicant_name=DEMO_MARK,
                    id_number=DEMO_ID,
                    phone=DEMO_PHONE,
                    info_title=f"2025年演示申请{n}",
                    channel="online",
                    submitted_at=now - timedelta(days=300),
                    received_on=received_on,
                    closed_on=received_on + timedelta(days=18),
                    outcome=outcome.code,
                    state=Request.State.CLOSED,
                )
            )
    Request.objects.bulk_create(rows)
    for k in range(3):
        received_on = date(2025, 12, 22 + k)
        actions.register_request(
            window,
            swj,
            _data(f"跨年申请{k + 1}"),
            channel="post",
            received_on=received_on,
            at=datetime.combine(received_on, time(10), tzinfo=timezone.get_current_timezone()),
        )
    first = Request.objects.get(number="SLS-SWJ-2025-00001")
    Remedy.objects.create(
        request=first,
        kind=Remedy.Kind.REVIEW,
        filed_on=date(2025, 4, 1),
        result=Remedy.Result.UPHELD,
        decided_on=date(2025, 6, 1),
    )
    Remedy.objects.create(request=first, kind=Remedy.Kind.SUIT, filed_on=date(2025, 9, 1))
    stdout.write(f"依申请公开演示数据：{7 + len(rows)} 件申请。")
