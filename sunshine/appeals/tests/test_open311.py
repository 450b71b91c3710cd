"""Open311 GeoReport v2: reads through the `georeport` client against a live server, the rest
(POST, errors, tokens, discovery) over plain HTTP with the Django test client."""

from datetime import timedelta
from xml.etree import ElementTree as ET  # noqa: S405 -- our own server's responses

import pytest
from django.utils import timezone
from georeport import GeoReport

from sunshine.appeals.demo import DEMO_API_KEY
from sunshine.appeals.models import Appeal

BASE = "/appeals/open311/v2"
pytestmark = pytest.mark.django_db


def _post(client, **data):
    fields = {"api_key": DEMO_API_KEY, "service_code": "consumer", "lat": "28.2", "long": "112.9"}
    fields.update(data)
    return client.post(f"{BASE}/requests.json", {k: v for k, v in fields.items() if v is not None})


def test_post_then_read_back(client, demo):
    response = _post(
        client,
        description="超市卖<b>过期</b>牛奶，电话13812345678",
        first_name="三",
        last_name="张",
        phone="13812345678",
    )
    assert response.status_code == 201
    row = response.json()[0]
    appeal = Appeal.objects.get(serial=row["service_request_id"])
    assert appeal.body == "超市卖过期牛奶，电话13812345678" and appeal.contact_name == "张三"
    token = client.get(f"{BASE}/tokens/{row['token']}.json").json()[0]
    assert token["service_request_id"] == appeal.serial

    xml = client.get(f"{BASE}/requests/{appeal.serial}.xml")
    assert xml["Content-Type"] == "text/xml; charset=utf-8"
    record = ET.fromstring(  # noqa: S314
        xml.content
    ).find("request")
    assert record.findtext("status") == "open" and record.findtext("service_code") == "consumer"
    assert "13812345678" not in record.findtext("description")  # public reads are masked


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"api_key": None}, 403),
        ({"api_key": "wrong"}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "nope"}, 404),
        ({"lat": None, "long": None}, 400),
        ({"lat": "95", "long": "1"}, 400),
        ({"lat": "NaN", "long": "1"}, 400),
        ({"description": "字" * 4001}, 400),
        ({"jurisdiction_id": "elsewhere.gov"}, 404),
    ],
)
def test_errors_follow_the_spec(client, demo, data, status):
    response = _post(client, **data)
    assert response.status_code == status
    error = response.json()[0]
    assert error["code"] == status and error["description"]
    xml = client.post(f"{BASE}/requests.xml", {"service_code": "consumer"})
    assert (
        ET.fromstring(  # noqa: S314
            xml.content
        ).tag
        == "errors"
    )


def test_post_is_csrf_exempt_and_nothing_else_is(demo):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert _post(strict).status_code == 201
    assert strict.post("/appeals/write/", {}).status_code == 403


def test_list_filters_and_limits(client, demo):
    for i in range(3):
        assert _post(client, description=f"第{i}件", service_code="food").status_code == 201
    rows = client.get(f"{BASE}/requests.json", {"service_code": "food"}).json()
    assert len(rows) == 3 and {r["service_code"] for r in rows} == {"food"}
    closed = client.get(f"{BASE}/requests.json", {"status": "closed"}).json()
    assert all(r["status"] == "closed" for r in closed)
    now = timezone.now()
    too_long = {"start_date": (now - timedelta(days=100)).isoformat(), "end_date": now.isoformat()}
    assert client.get(f"{BASE}/requests.json", too_long).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400
    old = Appeal.objects.filter(category__code="food").first()
    Appeal.objects.filter(pk=old.pk).update(received_at=now - timedelta(days=91))
    assert len(client.get(f"{BASE}/requests.json", {"service_code": "food"}).json()) == 2
    by_id = client.get(f"{BASE}/requests.json", {"service_request_id": old.serial}).json()
    assert [r["service_request_id"] for r in by_id] == [old.serial]  # ids override the dates
    assert client.get(f"{BASE}/requests/nope.json").status_code == 404
    assert client.get(f"{BASE}/requests.csv").status_code == 404


def test_discovery_in_both_formats(client, demo):
    data = client.get(f"{BASE}/discovery.json").json()
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert data["endpoints"][0]["url"].endswith("/appeals/open311/v2")
    root = ET.fromstring(  # noqa: S314
        client.get(f"{BASE}/discovery.xml").content
    )
    assert [f.text for f in root.iter("format")] == ["text/xml", "application/json"]
    assert client.get(f"{BASE}/").status_code == 302


def test_expected_datetime_comes_from_the_clock(client, demo):
    from sunshine.appeals import actions

    row = _post(client, description="餐馆卫生差").json()[0]
    appeal = Appeal.objects.get(serial=row["service_request_id"])
    actions.dispatch(demo.users["dispatcher"], appeal, lead=demo.departments["SLS-SCJG"])
    assignment = appeal.assignments.get()
    actions.sign(demo.users["market"], assignment)
    assignment.refresh_from_db()
    record = client.get(f"{BASE}/requests/{appeal.serial}.json").json()[0]
    due = timezone.localtime(assignment.handle_clock.due_at).isoformat(timespec="seconds")
    assert record["expected_datetime"] == due
    assert record["agency_responsible"] == demo.departments["SLS-SCJG"].name


def _unwrap(value, *keys):
    """The client strips some XML roots and not others; JSON lists are already bare."""
    for key in keys:
        if isinstance(value, dict) and key in value:
            value = value[key]
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_reads(live_server, demo, fmt):
    from django.test import Client

    serial = _post(Client(), description="商场虚假打折", service_code="business").json()[0][
        "service_request_id"
    ]
    client = GeoReport(f"{live_server.url}{BASE}", output_format=fmt)
    services = _unwrap(client.get_service_list(), "services", "service")
    codes = {s["service_code"] for s in services}
    assert {"consumer", "prepaid", "village"} <= codes and "market" not in codes  # groups
    definition = _unwrap(client.get_service_definition("prepaid"), "service_definition")[0]
    assert definition["service_code"] == "prepaid"
    one = _unwrap(client.get_service_request(serial), "service_requests", "request")[0]
    assert one["service_request_id"] == serial and one["status"] == "open"
    listed = _unwrap(
        client.get_service_requests(service_code="business"), "service_requests", "request"
    )
    assert serial in {r["service_request_id"] for r in listed}


def test_dates_at_the_edges_are_answered_not_failed(client, demo):
    """Offsets PostgreSQL refuses (beyond ±15:59), moments past year 9999 once made UTC, and
    well-formed impossible dates are a 400 or a plain answer, never a 500 (found by the fuzzer)."""
    edges = [
        ("4619-08-23T18:37:04-17:33", "4619-08-25T00:00:00+00:00", 200),  # shifted to UTC
        ("9999-12-31T23:00:00-10:00", "", 400),  # past 9999 in UTC
        ("2026-02-30T10:00:00", "", 400),  # well formed, no such day
        ("9999-12-30", "", 400),  # the 90 days after it are past 9999
        ("", "0001-02-01", 400),  # the 90 days before it are before year 1
    ]
    for start, end, status in edges:
        params = {k: v for k, v in (("start_date", start), ("end_date", end)) if v}
        assert client.get(f"{BASE}/requests.json", params).status_code == status, params
