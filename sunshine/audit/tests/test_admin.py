import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from sunshine.audit.actions import record
from sunshine.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client):
    admin = get_user_model().objects.create_superuser(username="root", password="secret-password")
    client.force_login(admin)
    return client


def test_auditors_browse_and_filter(auditor_client, user):
    record(user, "accounts.register", user, after={"kind": "citizen"})
    event = record(
        None,
        "clocks.extend",
        object_type="clocks.clock",
        object_id=42,
        object_repr="依申请公开 42 号",
    )
    url = reverse("admin:audit_auditevent_changelist")
    response = auditor_client.get(url, {"verb": "clocks.extend"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [event]
    response = auditor_client.get(url, {"q": "42"})
    assert list(response.context["cl"].result_list) == [event]
    local = timezone.localtime(event.at)
    response = auditor_client.get(url, {"at__year": local.year, "at__month": local.month})
    assert event in response.context["cl"].result_list


def test_events_are_read_only_in_the_admin(auditor_client):
    event = record(None, "clocks.extend", after={"limit": 20})
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    response = auditor_client.get(change)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert "&quot;limit&quot;: 20" in response.content.decode()
    assert auditor_client.post(change, {"verb": "test.forged"}).status_code == 403
    assert auditor_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert auditor_client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.verb == "clocks.extend"


def test_staff_without_the_audit_role_see_nothing(rf):
    request = rf.get("/")
    request.user = get_user_model().objects.create_user(
        username="clerk", password="secret-password", is_staff=True
    )
    model_admin = admin.site.get_model_admin(AuditEvent)
    assert not model_admin.has_module_permission(request)
    assert not model_admin.has_view_permission(request)
