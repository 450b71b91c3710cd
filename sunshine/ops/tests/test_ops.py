import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from sunshine.audit.actions import record
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
