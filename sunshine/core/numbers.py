"""Serial numbers and query codes for cases the public follows without signing in."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import Counter

# No 0/O, 1/I/L: a code is read out over the phone and typed from paper.
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


def next_number(key: str) -> int:
    """The next number of the sequence `key` (1, 2, 3 …), safe under concurrent callers.

    Runs in the caller's transaction: a number taken by a transaction that rolls back is given
    again, so the issued numbers stay gap-free.
    """
    with transaction.atomic():
        counter = Counter.objects.select_for_update().filter(key=key).first()
        if counter is None:
            try:
                with transaction.atomic():
                    Counter.objects.create(key=key, value=0)
            except IntegrityError:
                pass  # another transaction created it first; lock theirs
            counter = Counter.objects.select_for_update().get(key=key)
        counter.value += 1
        counter.save(update_fields=["value"])
        return counter.value


def make_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def digest_query_code(code: str) -> str:
    """Stored instead of the code itself, so a leaked table does not open the cases."""
    normalized = code.strip().upper().replace("-", "").replace(" ", "")
    return hmac.new(settings.SECRET_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def check_query_code(code: str, digest: str) -> bool:
    return hmac.compare_digest(digest_query_code(code), digest)
