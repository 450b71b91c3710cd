"""Demo data for 主动公开: catalogues (条例 Art. 20 default), guides, the main portal and the
商务局 sub-site with their columns, a head of the 办公室 who reviews its submissions, a few hundred
published and indexed publications, and two drafts in the review chain. Loading twice adds nothing.
"""

import json
import random
from datetime import datetime, time, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sunshine.audit.actions import record
from sunshine.core.numbers import next_number
from sunshine.org.models import Department, Membership, Role

from . import actions
from .catalogue import ensure_catalogue, load_themes
from .generator import generate
from .models import Category, Column, Guide, Placement, Publication, Site, Task, Theme

COUNT = 300
SEED = 2026
COLUMNS = [
    ("tzgg", "通知公告"),
    ("zcfg", "政策法规"),
    ("zcjd", "政策解读"),
    ("gzdt", "工作动态"),
    ("ldjh", "领导讲话"),
    ("tjsj", "统计数据"),
    ("zsxm", "招商项目"),
]
MAIN_COLUMNS = ("tzgg", "zcfg", "zcjd", "gzdt")
SLUG = {name: slug for slug, name in COLUMNS}
CATEGORY = {
    "通知公告": ("其他主动公开信息", "通知公告"),
    "政策法规": ("法规文件", "行政规范性文件"),
    "政策解读": ("法规文件", "其他文件"),
    "工作动态": ("其他主动公开信息", "工作动态"),
    "领导讲话": ("机构职能", "领导信息"),
    "统计数据": ("统计信息", None),
    "招商项目": ("重大建设项目", None),
}
THEME = {"统计数据": ("国民经济管理、国有资产监管", "统计")}
DEFAULT_THEME = ("商贸、海关、旅游", "国内贸易（含供销）")
GUIDE = json.loads((Path(__file__).parent / "data" / "guide_demo.json").read_text("utf-8"))
OFFICES = {
    "SLS": ("示例市人民政府办公室政务公开科", "示例市人民大道1号", "0744-8200001"),
    "SLS-SWJ": ("示例市商务局办公室", "示例市人民大道16号商务大厦3楼", "0744-8223456"),
}


def _user(username: str, real_name: str, title: str, department: Department, role: str):
    user, made = get_user_model().objects.get_or_create(
        username=username,
        defaults={"real_name": real_name, "kind": get_user_model().Kind.STAFF},
    )
    if made:
        user.set_password("sunshine2026")
        user.save()
    Membership.objects.get_or_create(
        user=user, department=department, role=role, defaults={"title": title}
    )
    return user


def _theme(names: tuple[str, str]) -> Theme:
    return Theme.objects.get(parent__name=names[0], name=names[1])


def _category(organisation: Department, names: tuple[str, str | None]) -> Category:
    top = Category.objects.get(organisation=organisation, parent=None, name=names[0])
    if names[1] is None:
        return top
    return Category.objects.get(organisation=organisation, parent=top, name=names[1])


def load(stdout) -> None:
    with transaction.atomic():
        _load(stdout)


def _load(stdout) -> None:
    departments = {
        d.code: d for d in Department.objects.filter(code__in=["SLS", "SLS-SWJ", "SLS-SWJ-BGS"])
    }
    government, bureau = departments["SLS"], departments["SLS-SWJ"]
    load_themes()
    for code, organisation in (("SLS", government), ("SLS-SWJ", bureau)):
        ensure_catalogue(organisation)
        office, address, phone = OFFICES[code]
        Guide.objects.get_or_create(
            organisation=organisation,
            defaults={
                **GUIDE,
                "office_name": office,
                "address": address,
                "phone": phone,
                "hours": "工作日 上午8:30—12:00，下午14:30—17:30",
                "fax": phone[:-1] + "9",
                "email": "gk@example.gov.cn",
            },
        )
    main, _ = Site.objects.get_or_create(
        code="main",
        defaults={"name": "示例市人民政府门户网站", "organisation": government, "is_main": True},
    )
    sub, _ = Site.objects.get_or_create(
        code="swj", defaults={"name": "示例市商务局", "organisation": bureau}
    )
    columns: dict[tuple[str, str], Column] = {}
    for order, (slug, name) in enumerate(COLUMNS):
        for site in (main, sub):
            if site is main and slug not in MAIN_COLUMNS:
                continue
            columns[site.code, slug], _ = Column.objects.get_or_create(
                site=site, slug=slug, defaults={"name": name, "sort_order": order}
            )
    head = _user("office_head", "林芳", "办公室主任", departments["SLS-SWJ-BGS"], Role.REVIEWER)
    if Publication.objects.filter(organisation=bureau).exists():
        return
    officer = get_user_model().objects.get(username="officer")
    created = _publications(bureau, departments["SLS-SWJ-BGS"], officer, columns)
    _drafts(bureau, departments["SLS-SWJ-BGS"], officer, head, columns)
    record(None, "publishing.load_demo", None, after={"publications": created})
    stdout.write(f"主动公开演示数据：{created} 条已发布信息；办公室主任 office_head（审核）。")


def _publications(bureau, unit, officer, columns) -> int:
    rng = random.Random(SEED)  # noqa: S311 -- demo text, not secrets
    today = timezone.localdate()
    start = today - timedelta(days=700)
    themes = {key: _theme(names) for key, names in THEME.items()}
    default_theme = _theme(DEFAULT_THEME)
    categories = {kind: _category(bureau, names) for kind, names in CATEGORY.items()}
    items = []
    for _i in range(COUNT):
        g = generate(rng, start=start, days=690)
        published = timezone.make_aware(
            datetime.combine(g.written_on + timedelta(days=rng.randint(1, 12)), time(10, 0))
        )
        if published.date() > today:
            published = timezone.make_aware(datetime.combine(today, time(9, 0)))
        items.append((published, g))
    items.sort(key=lambda pair: pair[0])
    publications = []
    for published, g in items:
        serial = next_number(f"publishing.index:{bureau.code}:{published.year}")
        ended = g.kind == "normative" and rng.random() < 0.08
        publications.append(
            Publication(
                organisation=bureau,
                department=unit,
                author=officer,
                state=Publication.State.PUBLISHED,
                index_number=f"{bureau.code}/{published.year}-{serial:05d}",
                title=g.title,
                doc_number=g.doc_number,
                kind=g.kind,
                written_on=g.written_on,
                published_at=published,
                theme=themes.get(g.column, default_theme),
                category=categories[g.column],
                summary=g.body[0][:100],
                body="".join(f"<p>{p}</p>" for p in g.body),
                keywords=g.column,
                validity=Publication.Validity.ABOLISHED if ended else Publication.Validity.VALID,
                validity_on=published.date() + timedelta(days=30) if ended else None,
                validity_reason="已被新规定替代" if ended else "",
                view_count=rng.randint(20, 3000),
            )
        )
    publications = Publication.objects.bulk_create(publications)
    placements = []
    for p, (_published, g) in zip(publications, items, strict=True):
        slug = SLUG[g.column]
        placements.append(Placement(column=columns["swj", slug], publication=p))
        if slug in MAIN_COLUMNS and rng.random() < 0.3:
            placements.append(Placement(column=columns["main", slug], publication=p))
    Placement.objects.bulk_create(placements)
    Placement.objects.filter(pk__in=[pl.pk for pl in placements[-3:]]).update(pinned=True)
    policies = [p for p, (_x, g) in zip(publications, items, strict=True) if g.column == "政策法规"]
    for p, (_x, g) in zip(publications, items, strict=True):
        if g.column == "政策解读" and policies:
            p.related.add(rng.choice(policies))
        actions.index_publication(p)
    return len(publications)


def _drafts(bureau, unit, officer, head, columns) -> None:
    """One item waiting at 保密审查 (with a mobile number in it), one returned to its author."""
    today = timezone.localdate()
    category = _category(bureau, ("其他主动公开信息", "通知公告"))
    pending = actions.create_draft(
        officer,
        department=unit,
        title="关于召开2026年度商贸流通企业座谈会的通知",
        written_on=today - timedelta(days=3),
        category=category,
        body="<p>定于下周三在商务大厦三楼会议室召开座谈会。联系人：王科长，手机13912345678。</p>",
        columns=[columns["swj", "tzgg"]],
    )
    actions.submit(officer, pending)
    task = Task.objects.get(submission__publication=pending, state=Task.State.PENDING)
    actions.approve_task(head, task, opinion="同意报送。")
    returned = actions.create_draft(
        officer,
        department=unit,
        title="商务局2026年第三季度工作动态",
        written_on=today - timedelta(days=5),
        category=_category(bureau, ("其他主动公开信息", "工作动态")),
        body="<p>第三季度，我局围绕消费促进开展了系列活动。</p>",
        columns=[columns["swj", "gzdt"]],
    )
    actions.submit(officer, returned)
    task = Task.objects.get(submission__publication=returned, state=Task.State.PENDING)
    actions.return_task(head, task, opinion="请补充具体数据和活动成效后再报。")
