"""Demo data of the 12345 platform: the 12345 centre's dispatcher and editor, categories, the
dispatch catalogue, the time-limit table, mailboxes, knowledge-base entries, an Open311 key
(`demo-open311-key`), and a few appeals in various states including a published letter.
Loading twice changes nothing."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sunshine.clocks.models import Unit
from sunshine.org.models import Department, Membership, Role
from sunshine.portal.management.commands.load_demo import DEMO_PASSWORD

from . import actions
from .models import (
    ApiKey,
    Appeal,
    AppealType,
    Category,
    DispatchEntry,
    KnowledgeEntry,
    Mailbox,
    TimeLimit,
    Urgency,
)

DEMO_API_KEY = "demo-open311-key"

STAFF = [
    ("dispatcher", "刘芳", "12345热线派单员", Role.WINDOW),
    ("editor", "黄磊", "政府网站编辑", Role.INFO_OFFICER),
]

# (code, name, parent code, keywords, lead, co-handlers)
CATEGORIES = [
    ("market", "市场监管", None, "", None, []),
    ("consumer", "消费维权", "market", "退货,退款,质量,欺诈", "SLS-SCJG", []),
    ("food", "食品安全", "market", "食品,餐饮,过期", "SLS-SCJG", []),
    ("commerce", "商贸流通", None, "", None, []),
    ("prepaid", "预付卡消费", "commerce", "预付卡,会员卡,跑路,充值", "SLS-SWJ", ["SLS-SCJG"]),
    ("business", "商贸企业经营", "commerce", "商场,超市,促销", "SLS-SWJ", ["SLS-SCJG"]),
    ("township", "乡镇事务", None, "", None, []),
    ("village", "村镇环境与道路", "township", "道路,路灯,垃圾,清水镇", "SLS-QSZ", []),
]

LIMITS = {
    Urgency.URGENT: dict.fromkeys(AppealType.values, (24, Unit.HOURS)),
    Urgency.NORMAL: {
        AppealType.ENQUIRY: (3, Unit.WORKDAYS),
        AppealType.HELP: (5, Unit.WORKDAYS),
        AppealType.COMPLAINT: (10, Unit.WORKDAYS),
        AppealType.REPORT: (10, Unit.WORKDAYS),
        AppealType.SUGGESTION: (10, Unit.WORKDAYS),
        AppealType.PRAISE: (3, Unit.WORKDAYS),
    },
    Urgency.DIFFICULT: dict.fromkeys(AppealType.values, (15, Unit.WORKDAYS)),
}

MAILBOXES = [
    ("secretary", "书记信箱", Mailbox.Kind.SECRETARY, "SLS"),
    ("mayor", "市长信箱", Mailbox.Kind.MAYOR, "SLS"),
    ("swj", "商务局局长信箱", Mailbox.Kind.DIRECTOR, "SLS-SWJ"),
    ("scjg", "市场监管局局长信箱", Mailbox.Kind.DIRECTOR, "SLS-SCJG"),
]

KNOWLEDGE = [
    (
        "预付卡商家停业后如何退款？",
        "可持预付卡和消费凭证向商务局申请登记，或向市场监管部门投诉；涉及金额较大的可依法起诉。",
        "预付卡,退款,停业,会员卡",
        "SLS-SWJ",
    ),
    (
        "12345热线的受理时间是什么？",
        "12345热线全天24小时人工服务，网上诉求和信箱来信随时可提交。",
        "受理时间,热线,几点",
        "SLS-DZZW",
    ),
]


def load(stdout) -> None:
    with transaction.atomic():
        departments = {d.code: d for d in Department.objects.all()}
        staff = _staff(departments["SLS-DZZW"])
        _tables(departments)
        if not Appeal.objects.exists():
            _appeals(departments, staff)
    stdout.write(f"诉求办理演示数据已就绪（Open311 密钥：{DEMO_API_KEY}）。")


def _staff(centre: Department) -> dict:
    User = get_user_model()
    people = {}
    for username, real_name, title, role in STAFF:
        user, made = User.objects.get_or_create(
            username=username, defaults={"real_name": real_name, "kind": User.Kind.STAFF}
        )
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            user=user, department=centre, role=role, defaults={"title": title}
        )
        people[username] = user
    for username in ("handler", "director", "township", "13800000001"):
        people[username] = User.objects.get(username=username)
    return people


def _tables(departments: dict[str, Department]) -> None:
    categories: dict[str, Category] = {}
    for order, (code, name, parent, keywords, lead, co) in enumerate(CATEGORIES):
        categories[code], _ = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": categories.get(parent),
                "keywords": keywords,
                "sort_order": order,
            },
        )
        if lead:
            entry, made = DispatchEntry.objects.get_or_create(
                category=categories[code], defaults={"lead": departments[lead]}
            )
            if made:
                entry.co_handlers.set([departments[c] for c in co])
    for urgency, row in LIMITS.items():
        for type_, (limit, unit) in row.items():
            TimeLimit.objects.get_or_create(
                type=type_, urgency=urgency, defaults={"limit": limit, "unit": unit}
            )
    for order, (code, name, kind, department) in enumerate(MAILBOXES):
        Mailbox.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "department": departments[department],
                "sort_order": order,
            },
        )
    for question, answer, keywords, department in KNOWLEDGE:
        KnowledgeEntry.objects.get_or_create(
            question=question,
            defaults={
                "answer": answer,
                "keywords": keywords,
                "department": departments[department],
            },
        )
    ApiKey.objects.get_or_create(
        digest=actions.key_digest(DEMO_API_KEY),
        defaults={"name": "演示接入系统", "prefix": DEMO_API_KEY[:6]},
    )


def _appeals(departments: dict[str, Department], people: dict) -> None:
    dispatcher, handler, editor = people["dispatcher"], people["handler"], people["editor"]
    citizen = people["13800000001"]
    start = timezone.now() - timedelta(days=3)
    categories = {c.code: c for c in Category.objects.all()}
    mayor = Mailbox.objects.get(code="mayor")

    # A letter answered, rated and published.
    letter, _code = actions.submit_appeal(
        citizen,
        mailbox=mayor,
        type=AppealType.SUGGESTION,
        category=categories["business"],
        title="建议在清水镇增设便民菜市场",
        body="我是清水镇居民张三，电话13800000001，镇上买菜要到市区，建议增设便民菜市场。",
        place="清水镇",
        contact_name="张三",
        phone="13800000001",
        consent_publish=True,
        at=start,
    )
    actions.dispatch(dispatcher, letter, lead=departments["SLS-SWJ"], at=start)
    assignment = letter.assignments.get()
    actions.sign(handler, assignment, at=start + timedelta(hours=2))
    answer = actions.reply(
        handler,
        assignment,
        body="感谢张三同志的建议。我局已会同清水镇将便民菜市场纳入今年的商业网点规划，预计年底前建成。",
        at=start + timedelta(days=1),
    )
    actions.review_reply(dispatcher, answer, approve=True, at=start + timedelta(days=1, hours=2))
    actions.follow_up(
        citizen,
        letter,
        satisfaction="satisfied",
        resolved=True,
        via="online",
        at=start + timedelta(days=2),
    )
    actions.publish(editor, letter, at=start + timedelta(days=2, hours=1))

    # A complaint dispatched and waiting for signature, and one waiting for dispatch.
    complaint, _code = actions.record_call(
        dispatcher,
        type=AppealType.COMPLAINT,
        category=categories["prepaid"],
        title="健身房预付卡跑路",
        body="阳光路的健身房突然关门，预付卡里还有两千元，老板联系不上，要求退款。",
        place="阳光路88号",
        contact_name="王五",
        phone="13912345678",
        at=start + timedelta(days=1),
    )
    actions.dispatch(
        dispatcher,
        complaint,
        lead=departments["SLS-SWJ"],
        co=[departments["SLS-SCJG"]],
        at=start + timedelta(days=1),
    )
    actions.submit_appeal(
        citizen,
        type=AppealType.HELP,
        category=categories["village"],
        title="清水镇村道路灯不亮",
        body="清水镇东村村道的路灯已经坏了一个月，晚上出行不安全，请尽快维修。",
        place="清水镇东村",
        contact_name="张三",
        phone="13800000001",
        at=start + timedelta(days=2),
    )
    # A ticket transferred from the province, with the township leading.
    transfer, _code = actions.receive_transfer(
        dispatcher,
        external_ref="SZ12345-20260001",
        source_name="省12345热线",
        type=AppealType.HELP,
        category=categories["village"],
        title="清水镇垃圾清运不及时",
        body="清水镇西街的垃圾已经三天没有清运，气味很大。",
        place="清水镇西街",
        contact_name="赵六",
        phone="13700000000",
        at=start + timedelta(days=2),
    )
    actions.dispatch(
        dispatcher, transfer, lead=departments["SLS-QSZ"], at=start + timedelta(days=2)
    )
