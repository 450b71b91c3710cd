"""The start and the stop of a clock move into its row: the start's note goes to `Clock.note`
(its time is `started_at`, the stop's time and note are `stopped_at` and `outcome`), and the
start and stop event rows, now repeated by the row, go."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def move_into_row(apps, schema_editor):
    Clock = apps.get_model("clocks", "Clock")
    ClockEvent = apps.get_model("clocks", "ClockEvent")
    start_note = ClockEvent.objects.filter(clock=OuterRef("pk"), kind="start").values("note")[:1]
    Clock.objects.update(note=Coalesce(Subquery(start_note), Value("")))
    ClockEvent.objects.filter(kind__in=["start", "stop"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0004_stopped_at_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="clock",
            name="note",
            field=models.CharField(blank=True, max_length=255, verbose_name="起算说明"),
        ),
        migrations.RunPython(move_into_row, migrations.RunPython.noop),
    ]
