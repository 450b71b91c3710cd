"""The default scheme, built on the published ones (research §4): on-time completion carries the
most weight, early completion a little, and 专家评审 and 公众评议 (seed 004) the rest; −5 per
yellow card, −10 per red card, +1 per 10 % of early completions (at most +5)."""

from django.db import migrations

ITEMS = [
    ("on_time_rate", 60, "0.6", "1"),
    ("early_rate", 10, "0", "0.5"),
    ("expert", 15, "0.6", "1"),
    ("public", 15, "0.6", "1"),
]


def create(apps, schema_editor):
    Scheme = apps.get_model("supervision", "Scheme")
    SchemeItem = apps.get_model("supervision", "SchemeItem")
    scheme, created = Scheme.objects.get_or_create(
        name="综合绩效考评（默认）",
        defaults={"description": "按时办结率 60 分、提前办结率 10 分、专家评审 15 分、公众评议 15 分；"
                                 "黄牌每张扣 5 分，红牌每张扣 10 分；提前办结率每 10% 加 1 分，最多 5 分。"},
    )
    if created:
        for indicator, weight, threshold, full_at in ITEMS:
            SchemeItem.objects.create(scheme=scheme, indicator=indicator, weight=weight,
                                      threshold=threshold, full_at=full_at)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_scoring")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
