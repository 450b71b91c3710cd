"""Sign-in with lockout: too many failures within the window lock the account for a while.

Every way in (the site's login page, the admin, the API) authenticates through this backend,
so the lockout cannot be side-stepped.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.utils import timezone

from sunshine.audit.actions import record

User = get_user_model()


def lockout_window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def is_locked(user: Any) -> bool:
    return bool(user.locked_until and user.locked_until > timezone.now())


def _record_failure(user: Any) -> None:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        if not user.first_failed_login_at or now - user.first_failed_login_at > lockout_window():
            user.failed_logins, user.first_failed_login_at = 0, now
        user.failed_logins += 1
        verb = "accounts.login_failed"
        if user.failed_logins >= settings.LOGIN_FAILURE_LIMIT:
            user.locked_until = now + lockout_window()
            user.failed_logins, user.first_failed_login_at = 0, None
            verb = "accounts.locked"
        user.save(update_fields=["failed_logins", "first_failed_login_at", "locked_until"])
        record(
            None,
            verb,
            user,
            after={"locked_until": user.locked_until and user.locked_until.isoformat()},
        )


def _record_success(user: Any) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            failed_logins=0, first_failed_login_at=None, locked_until=None
        )
        record(user, "accounts.login", user)


class LockoutBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            # Hash anyway so that a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if is_locked(user):
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            _record_success(user)
            return user
        _record_failure(user)
        return None
