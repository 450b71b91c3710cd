from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("appeals", "0004_appealevent_co_close")]

    operations = [
        migrations.AlterField(
            model_name="extensionrequest",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "待审批"),
                    ("approved", "已批准"),
                    ("refused", "未批准"),
                    ("withdrawn", "已撤回"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
    ]
