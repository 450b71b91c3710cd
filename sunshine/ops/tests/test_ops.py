import json
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from sunshine.audit.actions import record
from sunshine.clocks import actions as clock_actions
from sunshine.clocks.models import Clock, State, Unit
from sunshine.clocks.queries import with_status
from sunshine.org.models import Department


@pytest.mark.django_db
def test_health(client):
    response = client.get(reverse("ops:healthz"))
    assert response.status_code == 200 and response.json()["database"] == "ok"
    assert response.json()["queue_pending"] >= 0


@pytest.mark.django_db
def test_health_fails_when_the_queue_does_not_answer(client, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def down() -> int:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(HUEY, "pending_count", down)
    response = client.get(reverse("ops:healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "queue": "unavailable"}


@pytest.mark.django_db
def test_metrics_for_this_machine_or_a_token(client, settings):
    response = client.get(reverse("ops:metrics"))  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    body = response.content.decode()
    assert 'sunshine_clocks{status="overdue"}' in body
    assert "# TYPE sunshine_audit_events_total counter" in body
    assert client.get(reverse("ops:metrics"), REMOTE_ADDR="10.0.0.9").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get(reverse("ops:metrics")).status_code == 403
    ok = client.get(reverse("ops:metrics"), headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200


@pytest.mark.django_db
def test_metrics_count_the_clocks_in_each_state(client, settings):
    """The clock figures (the supervision tally's) equal a count over the clock rows: one open
    clock in each status, and stopped ones left out."""
    settings.CLOCK_YELLOW_SHARE = 0.8
    bureau = Department.objects.create(code="T", name="测试局", kind=Department.Kind.BUREAU)
    now = timezone.now()

    def start(limit: int, hours_ago: float) -> Clock:
        return clock_actions.start_clock(
            bureau,
            kind="test",
            title=f"{limit} 小时",
            department=bureau,
            limit=limit,
            unit=Unit.HOURS,
            at=now - timedelta(hours=hours_ago),
        )

    start(100, 1)  # running
    start(2, 70 / 60)  # prompted after 60 minutes, yellow after 96: warning
    start(100, 90)  # yellow after 80 hours, prompted after 99: yellow
    start(1, 2)  # overdue
    clock_actions.pause_clock(start(100, 1), reason="correction", actor=None, at=now)
    clock_actions.stop_clock(start(100, 2), outcome="办结", actor=None, at=now)
    clock_actions.stop_clock(start(1, 3), outcome="办结", actor=None, at=now)

    body = client.get(reverse("ops:metrics")).content.decode()
    shown = {
        s: int(n) for s, n in re.findall(r'^sunshine_clocks\{status="(\w+)"\} (\d+)$', body, re.M)
    }
    rows = with_status(Clock.objects.exclude(state=State.STOPPED)).values_list("status")
    assert shown == dict(rows.annotate(n=Count("pk")).values_list("status", "n"))
    assert shown == {"running": 1, "paused": 1, "warning": 1, "yellow": 1, "overdue": 1}


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    saved = default_storage.save("materials/营业执照.pdf", ContentFile(b"%PDF-1.4 original"))
    departments = Department.objects.count()
    out = StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    folder = Path(out.getvalue().strip())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["vendor"] in {"sqlite", "postgresql"}
    assert "audit.0002_append_only_triggers" in manifest["migrations"]

    # Life goes on after the backup: a new department, an audit event, a file changed and added.
    Department.objects.create(code="NEW", name="新设机构", kind=Department.Kind.BUREAU)
    from django.db import transaction

    with transaction.atomic():
        record(None, "test.after_backup", None)
    default_storage.delete(saved)
    default_storage.save("materials/新文件.pdf", ContentFile(b"%PDF-1.4 later"))

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(folder))
    call_command("restore", str(folder), "--yes", stdout=StringIO())
    assert Department.objects.count() == departments
    assert not Department.objects.filter(code="NEW").exists()
    assert default_storage.open(saved).read() == b"%PDF-1.4 original"
    assert not default_storage.exists("materials/新文件.pdf")
    call_command("audit_verify", stdout=StringIO())

    (folder / "media.tar.gz").write_bytes(b"tampered")
    with pytest.raises(CommandError, match="校验失败"):
        call_command("restore", str(folder), "--yes")
