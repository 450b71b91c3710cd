"""One case per transfer of the higher level. Copies registered twice before the constraint
(the check before the insert could not see a concurrent twin) must be merged (并单) first: the
migration names them and stops, rather than fail on the database's bare error."""

from django.db import migrations, models
from django.db.models import Count


def refuse_duplicates(apps, schema_editor):
    Appeal = apps.get_model("appeals", "Appeal")
    twice = (
        Appeal.objects.filter(channel="transfer", merged_into__isnull=True)
        .values("source_name", "external_ref")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    if twice:
        names = "; ".join(f"{t['source_name']} {t['external_ref']} ×{t['n']}" for t in twice)
        raise RuntimeError(
            f"这些上级转办工单重复登记，请先在诉求工单中并单后再升级：{names}"
            f" (transfers registered twice; merge them before upgrading)"
        )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_referral_and_withdrawal")]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("channel", "transfer"), ("merged_into__isnull", True)),
                fields=("source_name", "external_ref"),
                name="appeals_one_case_per_transfer",
            ),
        ),
    ]
