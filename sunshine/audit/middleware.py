"""The client's address, made available to `record()` for the length of a request."""

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

_client_address: ContextVar[str | None] = ContextVar("audit_client_address", default=None)


def current_client_address() -> str | None:
    """The address of the request being served; None outside a request (tasks, commands)."""
    return _client_address.get()


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with AUDIT_TRUST_X_FORWARDED_FOR the address our proxy appended.

    Only the last X-Forwarded-For entry is the proxy's own; earlier ones come from the client
    and can be forged. An address that does not parse is not recorded.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = forwarded.rsplit(",", 1)[-1].strip() or address
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _client_address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)
