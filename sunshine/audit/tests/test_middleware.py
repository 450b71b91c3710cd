import pytest
from django.http import HttpResponse

from sunshine.audit.actions import record
from sunshine.audit.chain import event_hash
from sunshine.audit.middleware import ClientAddressMiddleware, current_client_address
from sunshine.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def recorded_address(rf, **meta) -> str | None:
    """Serve a request whose view records an event; the event's stored client address."""
    middleware = ClientAddressMiddleware(
        lambda request: HttpResponse(str(record(None, "test.request").pk))
    )
    response = middleware(rf.get("/", **meta))
    assert current_client_address() is None
    event = AuditEvent.objects.get(pk=int(response.content))
    assert event.hash == event_hash(event)
    return event.client_address


def test_remote_address_is_recorded(rf):
    address = recorded_address(rf, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert address == "203.0.113.7"


def test_forwarded_address_is_used_only_when_trusted(rf, settings):
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    address = recorded_address(
        rf, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.9"
    )
    assert address == "198.51.100.9"


def test_ipv6_address_is_stored_in_canonical_form(rf):
    assert recorded_address(rf, REMOTE_ADDR="2001:DB8:0:0::1") == "2001:db8::1"


def test_unparseable_address_is_not_recorded(rf):
    assert recorded_address(rf, REMOTE_ADDR="unknown") is None


def test_no_address_outside_a_request():
    assert record(None, "test.task").client_address is None
