import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_sign_in_and_registration_are_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/m", "register": "2/h"}
    for _ in range(3):
        response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
        assert response.status_code == 200
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 429 and "请求过于频繁" in response.content.decode()
    # Another address is not held back, and reading the page is not counted.
    other = client.post(
        reverse("accounts:login"), {"username": "x", "password": "y"}, REMOTE_ADDR="10.1.2.3"
    )
    assert other.status_code == 200
    assert client.get(reverse("accounts:login")).status_code == 200
    for _ in range(2):
        assert client.post(reverse("accounts:register"), {}).status_code == 200
    assert client.post(reverse("accounts:register"), {}).status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["foi:track", "appeals:track"])
def test_query_code_lookups_are_rate_limited(client, settings, page):
    """Guessing query codes from one address stops after the allowance."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "lookup": "3/m"}
    data = {"number": "X", "serial": "X", "code": "AAAAAAAA"}
    statuses = [client.post(reverse(page), data).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["foi:apply", "appeals:write"])
def test_public_forms_are_rate_limited(client, settings, page):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_form": "1/m"}
    assert client.post(reverse(page), {}).status_code != 429
    assert client.post(reverse(page), {}).status_code == 429
