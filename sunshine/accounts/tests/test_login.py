from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from sunshine.audit.models import AuditEvent

User = get_user_model()


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_login_and_logout(client, demo):
    response = login(client, "handler", demo.password)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(verb="accounts.login", actor=demo.users["handler"]).exists()
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("portal:workbench")).status_code == 302


@pytest.mark.django_db
def test_lockout_after_repeated_failures(client, demo):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = login(client, "handler", "wrong-password")
        assert "用户名或密码不正确" in response.content.decode()
    response = login(client, "handler", "wrong-password")
    user = User.objects.get(username="handler")
    assert user.locked_until and user.locked_until > timezone.now()
    # Even the right password is refused while locked, with a clear message.
    response = login(client, "handler", demo.password)
    assert response.status_code == 200
    assert "账户已锁定" in response.content.decode()
    # The admin's login goes through the same backend.
    response = client.post(
        reverse("admin:login"), {"username": "handler", "password": demo.password}
    )
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(verb="accounts.locked").count() == 1
    # When the lock has run out, the right password works again.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert login(client, "handler", demo.password).status_code == 302


@pytest.mark.django_db
def test_failures_outside_the_window_do_not_add_up(client, demo):
    user = demo.users["handler"]
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        login(client, "handler", "wrong")
    User.objects.filter(pk=user.pk).update(
        first_failed_login_at=timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    )
    login(client, "handler", "wrong")
    user.refresh_from_db()
    assert user.locked_until is None and user.failed_logins == 1


@pytest.mark.django_db
def test_unknown_user_and_session_expiry(client):
    response = login(client, "nobody", "whatever")
    assert "用户名或密码不正确" in response.content.decode()
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_AGE <= 8 * 3600
