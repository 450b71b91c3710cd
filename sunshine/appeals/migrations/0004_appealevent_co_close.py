from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("appeals", "0003_appeal_appeals_one_case_per_transfer")]

    operations = [
        migrations.AlterField(
            model_name="appealevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("receive", "受理"),
                    ("direct", "直接办结"),
                    ("refuse", "不予受理"),
                    ("merge", "并单"),
                    ("dispatch", "派单"),
                    ("sign", "签收"),
                    ("return", "退单"),
                    ("uphold", "维持派单"),
                    ("reassign", "改派"),
                    ("extend_ask", "申请延期"),
                    ("extend_decide", "延期审批"),
                    ("urge", "催办"),
                    ("supervise", "督办"),
                    ("opinion", "协办意见"),
                    ("co_close", "协办结束"),
                    ("reply", "答复"),
                    ("review", "答复审核"),
                    ("followup", "回访"),
                    ("rework", "重办"),
                    ("report", "上报上级"),
                    ("publish", "公开"),
                    ("unpublish", "撤回公开"),
                    ("archive", "归档"),
                ],
                max_length=16,
            ),
        ),
    ]
