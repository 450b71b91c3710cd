import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from sunshine.accounts import actions
from sunshine.accounts.validators import credit_code_check_char, id_number_check_char
from sunshine.audit.models import AuditEvent
from sunshine.errors import ActionError

User = get_user_model()
GOOD_ID = "32010219850615123" + id_number_check_char("32010219850615123")
GOOD_CODE = "91320100MA1XYW123" + credit_code_check_char("91320100MA1XYW123")
PASSWORD = "Qingshui#2026"


def citizen_form(**changes):
    data = {
        "real_name": "王五",
        "id_number": GOOD_ID,
        "mobile": "13912345678",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return data | changes


@pytest.mark.django_db
def test_citizen_registers_and_is_signed_in(client):
    response = client.post(reverse("accounts:register_kind", args=["citizen"]), citizen_form())
    assert response.status_code == 302
    user = User.objects.get(id_number=GOOD_ID)
    assert user.kind == User.Kind.CITIZEN and user.username == "13912345678"
    assert client.get(reverse("accounts:profile")).status_code == 200
    event = AuditEvent.objects.get(verb="accounts.register")
    # The audit log keeps identity numbers masked.
    assert GOOD_ID not in str(event.after) and "13912345678" not in str(event.after)


@pytest.mark.django_db
def test_bad_id_number_is_refused_with_a_clear_message(client):
    bad = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")
    response = client.post(reverse("accounts:register"), citizen_form(id_number=bad))
    assert response.status_code == 200
    assert "居民身份号码校验位不正确" in response.content.decode()
    assert not User.objects.filter(kind=User.Kind.CITIZEN).exists()


@pytest.mark.django_db
def test_enterprise_registers_with_credit_code(client):
    data = {
        "organisation_name": "清水贸易有限公司",
        "credit_code": GOOD_CODE.lower(),
        "real_name": "赵六",
        "mobile": "13712345678",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post(reverse("accounts:register_kind", args=["enterprise"]), data)
    assert response.status_code == 302
    assert User.objects.get(credit_code=GOOD_CODE).kind == User.Kind.ENTERPRISE
    bad = data | {"credit_code": GOOD_CODE[:-1] + "0", "mobile": "13712345679"}
    if GOOD_CODE[-1] == "0":
        bad["credit_code"] = GOOD_CODE[:-1] + "1"
    client.logout()
    response = client.post(reverse("accounts:register_kind", args=["enterprise"]), bad)
    assert "统一社会信用代码校验位不正确" in response.content.decode()


@pytest.mark.django_db
def test_duplicates_and_weak_passwords_are_refused(client):
    actions.register_citizen(
        real_name="王五", id_number=GOOD_ID, mobile="13912345678", password=PASSWORD
    )
    with pytest.raises(ActionError, match="居民身份号码已注册"):
        actions.register_citizen(
            real_name="王五", id_number=GOOD_ID.lower(), mobile="13912345670", password=PASSWORD
        )
    response = client.post(
        reverse("accounts:register"), citizen_form(id_number=GOOD_ID, mobile="13912345670")
    )
    assert "已注册" in response.content.decode()
    other = "11010119900307301" + id_number_check_char("11010119900307301")
    response = client.post(
        reverse("accounts:register"),
        citizen_form(
            id_number=other, mobile="13600000000", password1="12345678", password2="12345678"
        ),
    )
    assert User.objects.filter(kind=User.Kind.CITIZEN).count() == 1
    assert "errorlist" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_registration_creates_one_account():
    results: list[object] = []

    def register():
        try:
            results.append(
                actions.register_citizen(
                    real_name="王五", id_number=GOOD_ID, mobile="13912345678", password=PASSWORD
                )
            )
        except ActionError as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert User.objects.filter(id_number=GOOD_ID).count() == 1
    assert sum(isinstance(r, User) for r in results) == 1
    assert sum(isinstance(r, ActionError) for r in results) == 3
