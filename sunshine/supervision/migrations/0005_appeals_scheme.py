"""A second scheme for 12345 and the mailboxes, on the published "三率" (research §1.5, 准格尔旗):
响应率 (signing on time) 30, 解决率 35, 满意率 35, scored piecewise; no card deductions or early
bonus, as the published scheme has none (the cards weigh in the default scheme)."""

from django.db import migrations

NAME = "12345诉求办理考评（三率）"
ITEMS = [
    ("sign_rate", 30, "0.8", "1"),
    ("resolution_rate", 35, "0.6", "1"),
    ("satisfaction_rate", 35, "0.6", "1"),
]


def create(apps, schema_editor):
    Scheme = apps.get_model("supervision", "Scheme")
    SchemeItem = apps.get_model("supervision", "SchemeItem")
    scheme, created = Scheme.objects.get_or_create(
        name=NAME,
        defaults={
            "description": "响应率（及时签收率）30 分，零分线 80%；"
            "解决率 35 分、满意率（好差评与回访）35 分，零分线 60%；"
            "满分线均为 100%，其间按比例计分。",
            "yellow_deduction": 0,
            "red_deduction": 0,
            "early_bonus_step": 0,
            "early_bonus_cap": 0,
        },
    )
    if created:
        for indicator, weight, threshold, full_at in ITEMS:
            SchemeItem.objects.create(
                scheme=scheme,
                indicator=indicator,
                weight=weight,
                threshold=threshold,
                full_at=full_at,
            )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0004_anomaly")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
