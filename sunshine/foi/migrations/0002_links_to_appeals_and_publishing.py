"""The seams become links: the 12345 case (第三十九条) and the proactive draft (第四十四条)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0002_referral_and_withdrawal"),
        ("foi", "0001_initial"),
        ("publishing", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="request", name="complaint_case"),
        migrations.RemoveField(model_name="request", name="proactive_publication"),
        migrations.AddField(
            model_name="request",
            name="complaint_case",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="appeals.appeal",
                verbose_name="转办的12345工单",
            ),
        ),
        migrations.AddField(
            model_name="request",
            name="proactive_publication",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="publishing.publication",
                verbose_name="转为主动公开的信息",
            ),
        ),
    ]
