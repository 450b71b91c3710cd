"""Cases started before `Instance.intake_basis` existed cite, should they return to intake, the
rule the item rests on (as `ServiceItem.intake_basis` gives it), not a bare 受理环节时限."""

from django.db import migrations

LICENSING = "01"


def backfill(apps, schema_editor):
    Application = apps.get_model("hall", "Application")
    Instance = apps.get_model("workflow", "Instance")
    ServiceItem = apps.get_model("hall", "ServiceItem")
    items = Application.objects.filter(instance__isnull=False).values_list("item", flat=True)
    for item in ServiceItem.objects.filter(pk__in=items.distinct()).prefetch_related("bases"):
        if item.item_type == LICENSING:
            basis = "《中华人民共和国行政许可法》第三十二条"
        else:
            basis = "、".join(f"{b.law}{b.article}" for b in item.bases.all()) or "办事指南"
        cases = Application.objects.filter(item=item, instance__isnull=False)
        Instance.objects.filter(pk__in=cases.values("instance"), intake_basis="").update(
            intake_basis=basis[:255]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("hall", "0006_application_decided_state"),
        ("workflow", "0003_instance_intake_basis"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
