"""Validators for real-name identity: resident ID numbers, unified social credit codes, mobiles."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: weights of the first 17 digits, and the check character for each remainder mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

# GB 32100-2015: the 31 characters of the code (no I, O, Z, S, V) and the weights of positions 1–17.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_id_number(value: str) -> str:
    return value.strip().upper()


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> None:
    """居民身份号码 (GB 11643): 18 characters, a real birth date, and the right check character."""
    value = normalize_id_number(value)
    if not _ID_RE.match(value):
        raise ValidationError(
            _("居民身份号码应为18位：前17位为数字，最后一位为数字或X。"), code="format"
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("居民身份号码中的出生日期无效。"), code="birth_date") from None
    if born.year < 1850 or born > date.today():
        raise ValidationError(_("居民身份号码中的出生日期无效。"), code="birth_date")
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(_("居民身份号码校验位不正确，请核对后重新输入。"), code="check_digit")


def normalize_credit_code(value: str) -> str:
    return value.strip().upper()


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """统一社会信用代码 (GB 32100): 18 characters of its alphabet and the right check character."""
    value = normalize_credit_code(value)
    if not _USCC_RE.match(value):
        raise ValidationError(
            _("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。"), code="format"
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对后重新输入。"), code="check_digit"
        )


def validate_mobile(value: str) -> None:
    if not _MOBILE_RE.match(value.strip()):
        raise ValidationError(_("请输入11位手机号码。"), code="mobile")


def mask_id_number(value: str) -> str:
    """Keep the region's first four and the last four characters: 1101**********1234."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_mobile(value: str) -> str:
    """138****5678."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
