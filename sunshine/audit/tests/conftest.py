import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.utils import IntegrityError

from sunshine.audit.triggers import TABLE


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(
        username="wang", password="secret-password", real_name="王审计"
    )


def assert_refused(sql: str, params: list | None = None) -> None:
    """The statement fails in the database (inside a savepoint, so the test can go on)."""
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(table=TABLE), params)
