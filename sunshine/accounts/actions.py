"""State changes of accounts: each checks, writes and records its audit event in one transaction."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sunshine.audit.actions import record
from sunshine.errors import ActionError

from .validators import normalize_credit_code, normalize_id_number

User = get_user_model()

# Audit snapshots never carry identity numbers in the clear.
PUBLIC_FIELDS = ("kind", "real_name", "organisation_name")


def _snapshot(user: Any) -> dict[str, Any]:
    data = {name: getattr(user, name) for name in PUBLIC_FIELDS}
    data.update(id_number=user.masked_id_number, mobile=user.masked_mobile)
    return data


def _create_public_user(*, password: str, **fields: Any) -> Any:
    mobile = fields["mobile"]
    if (
        User.objects.filter(username=mobile).exists()
        or User.objects.filter(mobile=mobile).exclude(kind=User.Kind.STAFF).exists()
    ):
        raise ActionError(_("该手机号码已注册，请直接登录。"), field="mobile")
    try:
        with transaction.atomic():
            user = User(username=mobile, **fields)
            user.set_password(password)
            user.save()
            record(user, "accounts.register", user, after=_snapshot(user))
    except IntegrityError:
        # A concurrent registration with the same number won the race.
        raise ActionError(_("该账户已注册，请直接登录。")) from None
    return user


def register_citizen(*, real_name: str, id_number: str, mobile: str, password: str) -> Any:
    id_number = normalize_id_number(id_number)
    if User.objects.filter(id_number=id_number).exists():
        raise ActionError(_("该居民身份号码已注册，请直接登录。"), field="id_number")
    return _create_public_user(
        kind=User.Kind.CITIZEN,
        real_name=real_name.strip(),
        id_number=id_number,
        mobile=mobile.strip(),
        password=password,
    )


def register_enterprise(
    *, organisation_name: str, credit_code: str, real_name: str, mobile: str, password: str
) -> Any:
    credit_code = normalize_credit_code(credit_code)
    if User.objects.filter(credit_code=credit_code).exists():
        raise ActionError(_("该统一社会信用代码已注册，请直接登录。"), field="credit_code")
    return _create_public_user(
        kind=User.Kind.ENTERPRISE,
        organisation_name=organisation_name.strip(),
        credit_code=credit_code,
        real_name=real_name.strip(),
        mobile=mobile.strip(),
        password=password,
    )
