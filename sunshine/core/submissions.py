"""A creating form submitted twice (a double click, a resend after a timeout) creates once.

The form carries a one-time key, made when it is shown (`OnceForm`). `once()` records the key with
what the submission created, in the same transaction; a second submission with the same key
finds the first one's result (`AlreadySubmitted`) instead of making a copy, also when both
arrive at the same moment (the key is unique: the later transaction fails and is rolled back).
"""

import re
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from sunshine.errors import ActionError

from .models import Submission

FIELD = "submission_key"
EXPIRED = _("表单已过期，请刷新页面后重新提交。")


class AlreadySubmitted(Exception):
    def __init__(self, obj: models.Model) -> None:
        super().__init__(str(obj))
        self.obj = obj


class OnceForm(forms.Form):
    """Mix into a creating form: a hidden one-time key, fresh each time the form is shown."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[FIELD].initial = uuid.uuid4().hex
        self.fields[FIELD].error_messages["required"] = EXPIRED

    def clean_submission_key(self) -> str:
        key = self.cleaned_data[FIELD]
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            raise forms.ValidationError(EXPIRED)
        return key


def _found(key: str, user: Any) -> models.Model | None:
    row = Submission.objects.filter(key=key, user_id=_user_id(user)).first()
    if row is None:
        return None
    return row.content_type.get_object_for_this_type(pk=row.object_id)


def _user_id(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def once[T](key: str, user: Any, create: Callable[[], T], made: Callable[[T], models.Model]) -> T:
    """`create()` once per key; a repeat raises AlreadySubmitted with what the first made."""
    if (first := _found(key, user)) is not None:
        raise AlreadySubmitted(first)
    try:
        with transaction.atomic():
            result = create()
            obj = made(result)
            Submission.objects.create(
                key=key,
                user_id=_user_id(user),
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
            )
    except IntegrityError:
        if (first := _found(key, user)) is None:
            if Submission.objects.filter(key=key).exists():  # someone else's key
                raise ActionError(EXPIRED) from None
            raise
        raise AlreadySubmitted(first) from None
    return result
