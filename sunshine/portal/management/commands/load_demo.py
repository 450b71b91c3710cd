"""Demo data: 示例市 with its government offices, a bureau of commerce with its sections, the market
regulator, a township, staff for every role, a citizen and an enterprise. Loading twice changes
nothing (everything is looked up by its code or username first).
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from sunshine.accounts.validators import credit_code_check_char, id_number_check_char
from sunshine.audit.actions import record
from sunshine.org.models import Department, Membership, Role

User = get_user_model()
DEMO_PASSWORD = "sunshine2026"  # noqa: S105 -- printed for the demo on purpose

# (code, name, kind, parent code)
DEPARTMENTS = [
    ("SLS", "示例市人民政府", Department.Kind.GOVERNMENT, None),
    ("SLS-ZFB", "示例市人民政府办公室", Department.Kind.BUREAU, "SLS"),
    ("SLS-DZZW", "示例市电子政务办公室", Department.Kind.BUREAU, "SLS"),
    ("SLS-SWJ", "示例市商务局", Department.Kind.BUREAU, "SLS"),
    ("SLS-SWJ-BGS", "办公室", Department.Kind.SECTION, "SLS-SWJ"),
    ("SLS-SWJ-FGK", "法规科", Department.Kind.SECTION, "SLS-SWJ"),
    ("SLS-SWJ-JCS", "监察室", Department.Kind.SECTION, "SLS-SWJ"),
    ("SLS-SWJ-SCYX", "市场运行科", Department.Kind.SECTION, "SLS-SWJ"),
    ("SLS-SCJG", "示例市市场监督管理局", Department.Kind.BUREAU, "SLS"),
    ("SLS-QSZ", "示例市清水镇人民政府", Department.Kind.TOWNSHIP, "SLS"),
]

# (username, real name, title, [(department code, role)])
STAFF = [
    ("admin", "系统管理员", "电子政务办管理员", [("SLS", Role.ADMIN)]),
    ("mayor", "刘志远", "常务副市长", [("SLS", Role.DEPUTY_LEADER)]),
    ("window", "王晓燕", "窗口受理员", [("SLS-SWJ-BGS", Role.WINDOW)]),
    ("handler", "李建国", "市场运行科科员", [("SLS-SWJ-SCYX", Role.HANDLER)]),
    ("reviewer", "赵明", "市场运行科科长", [("SLS-SWJ-SCYX", Role.REVIEWER)]),
    ("secrecy", "孙丽", "保密审查员", [("SLS-SWJ-BGS", Role.SECRECY)]),
    ("legal", "周正", "法规科科长", [("SLS-SWJ-FGK", Role.LEGAL)]),
    ("deputy", "钱文华", "副局长", [("SLS-SWJ", Role.DEPUTY_LEADER)]),
    ("director", "陈国强", "局长", [("SLS-SWJ", Role.LEADER)]),
    ("officer", "吴敏", "信息员", [("SLS-SWJ-BGS", Role.INFO_OFFICER)]),
    ("supervisor", "郑刚", "监察室主任", [("SLS-SWJ-JCS", Role.SUPERVISOR)]),
    ("city_supervisor", "冯静", "市监察局督查员", [("SLS", Role.SUPERVISOR)]),
    ("market", "何伟", "市场监管局科员", [("SLS-SCJG", Role.HANDLER)]),
    ("township", "马兰", "清水镇办事员", [("SLS-QSZ", Role.WINDOW), ("SLS-QSZ", Role.HANDLER)]),
]

CITIZEN_ID_FIRST17 = "11010119900307301"
ENTERPRISE_CODE_FIRST17 = "91110100MA01ABCD2"


class Command(BaseCommand):
    help = "载入演示数据（示例市），可重复执行。"

    @transaction.atomic
    def handle(self, *args, **options):
        departments: dict[str, Department] = {}
        for code, name, kind, parent in DEPARTMENTS:
            departments[code], _ = Department.objects.get_or_create(
                code=code,
                defaults={"name": name, "kind": kind, "parent": departments.get(parent)},
            )
        created = []
        for username, real_name, title, posts in STAFF:
            user, made = User.objects.get_or_create(
                username=username,
                defaults={
                    "real_name": real_name,
                    "kind": User.Kind.STAFF,
                    "is_staff": username == "admin",
                    "is_superuser": username == "admin",
                },
            )
            if made:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created.append(username)
            for code, role in posts:
                Membership.objects.get_or_create(
                    user=user, department=departments[code], role=role, defaults={"title": title}
                )
        citizen_id = CITIZEN_ID_FIRST17 + id_number_check_char(CITIZEN_ID_FIRST17)
        credit_code = ENTERPRISE_CODE_FIRST17 + credit_code_check_char(ENTERPRISE_CODE_FIRST17)
        for username, fields in (
            (
                "13800000001",
                {
                    "kind": User.Kind.CITIZEN,
                    "real_name": "张三",
                    "id_number": citizen_id,
                    "mobile": "13800000001",
                },
            ),
            (
                "13800000002",
                {
                    "kind": User.Kind.ENTERPRISE,
                    "real_name": "李四",
                    "organisation_name": "示例市阳光商贸有限公司",
                    "credit_code": credit_code,
                    "mobile": "13800000002",
                },
            ),
        ):
            user, made = User.objects.get_or_create(username=username, defaults=fields)
            if made:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created.append(username)
        if created:
            record(None, "portal.load_demo", None, after={"created": created})
        # Then each subsystem's own demo data, in the order of INSTALLED_APPS.
        for config in apps.get_app_configs():
            if config.name.startswith("sunshine.") and find_spec(f"{config.name}.demo"):
                import_module(f"{config.name}.demo").load(self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        # Every account the base and the subsystems made, read back from the database.
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        people = User.objects.filter(Q(memberships__isnull=False) | ~Q(kind=User.Kind.STAFF))
        for person in people.distinct().order_by("kind", "pk"):
            posts = (
                "、".join(
                    f"{m.department.short_name or m.department.name}{m.get_role_display()}"
                    for m in person.memberships.select_related("department")
                )
                or person.get_kind_display()
            )
            self.stdout.write(f"  {person.username:<16} {person.display_name} · {posts}")
