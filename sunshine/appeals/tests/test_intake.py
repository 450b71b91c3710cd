"""Intake under concurrency: appeals arriving together share one transaction (group commit),
each is acknowledged only once stored, numbered without gaps, with its own timeline line and
audit record; one appeal's failure is its submitter's alone; the web form, the hotline and the
API share the path. The api_key and service lookups are cached and forgotten when changed."""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import IntegrityError, close_old_connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sunshine.appeals import actions
from sunshine.appeals.demo import DEMO_API_KEY
from sunshine.appeals.models import ApiKey, Appeal, AppealEvent, AppealType, Category, Channel
from sunshine.audit.models import AuditEvent
from sunshine.core.models import Counter

from .conftest import MONDAY

URL = "/appeals/open311/v2/requests.json"


def issued(year: int = MONDAY.year) -> int:
    """How many serial numbers of the year have been given."""
    return (
        Counter.objects.filter(key=f"appeals:{year}").values_list("value", flat=True).first() or 0
    )


def _post(client: Client, **data: str):
    fields = {
        "api_key": DEMO_API_KEY,
        "service_code": "consumer",
        "address_string": "示例市阳光路1号",
        "description": "超市销售过期食品，请查处。",
    }
    return client.post(URL, {**fields, **data})


def together(calls: list[Callable[[], object]], monkeypatch) -> tuple[list, list[int]]:
    """Runs the calls in threads while the intake's turn is held, so that all of them queue;
    then lets them go. Returns each call's result (or exception) and the batch sizes stored."""
    batches: list[int] = []
    store = actions._store

    def counting(intakes):
        batches.append(len(intakes))
        return store(intakes)

    monkeypatch.setattr(actions, "_store", counting)
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as error:  # noqa: BLE001 -- reported to the test
            results[i] = error
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    with actions._INTAKE._turn:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(actions._INTAKE._queue) < len(calls):  # every thread has queued its appeal
            assert time.monotonic() < deadline, "the intakes did not queue"
    for thread in threads:
        thread.join()
    return results, batches


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_from_every_channel_share_one_transaction(demo, monkeypatch):
    u = demo.users
    call = {
        "type": AppealType.COMPLAINT,
        "title": "楼下餐馆油烟扰民",
        "body": "楼下餐馆油烟很大，请处理。",
        "contact_name": "钱七",
        "phone": "13600000000",
    }
    addresses = [f"10.0.0.{i}" for i in range(1, 7)]
    calls = [lambda a=a: _post(Client(REMOTE_ADDR=a)) for a in addresses]
    calls += [
        lambda: actions.record_call(u["dispatcher"], **call),
        lambda: actions.submit_appeal(u["13800000001"], **call),
    ]
    results, batches = together(calls, monkeypatch)

    assert batches == [len(calls)]  # one transaction for all of them
    responses, (call_appeal, _code), (web_appeal, _web_code) = results[:6], results[6], results[7]
    assert [r.status_code for r in responses] == [201] * 6
    serials = [r.json()[0]["service_request_id"] for r in responses]
    serials += [call_appeal.serial, web_appeal.serial]
    numbers = sorted(int(s[4:]) for s in serials)
    assert numbers == list(range(numbers[0], numbers[0] + len(calls)))  # gap-free, no repeats

    stored = {a.serial: a for a in Appeal.objects.filter(serial__in=serials)}
    assert len(stored) == len(calls)
    assert stored[call_appeal.serial].channel == Channel.HOTLINE
    assert stored[call_appeal.serial].recorded_by == u["dispatcher"]
    assert stored[web_appeal.serial].channel == Channel.WEB
    assert stored[web_appeal.serial].citizen == u["13800000001"]
    for serial, appeal in stored.items():
        assert appeal.events.filter(kind=AppealEvent.Kind.RECEIVE).count() == 1
        audited = AuditEvent.objects.filter(verb="appeals.receive", object_id=str(appeal.pk))
        assert audited.count() == 1
        if appeal.channel == Channel.API:
            # Each record names the address of the request it came from, not the writer's.
            assert audited.get().client_address == addresses[serials.index(serial)]
    audited = AuditEvent.objects.get(verb="appeals.receive", object_id=str(call_appeal.pk))
    assert audited.actor == u["dispatcher"]


@pytest.mark.django_db(transaction=True)
def test_a_failing_appeal_fails_alone_and_leaves_no_gap(demo, monkeypatch):
    key = ApiKey.objects.get()
    consumer = Category.objects.get(code="consumer")
    ghost = Category(pk=10**9, code="ghost", name="不存在的分类")  # breaks the foreign key

    def submit(category: Category) -> Appeal:
        return actions.submit_via_api(
            key, type=AppealType.HELP, category=category, title="测试", body="测试内容", at=MONDAY
        )

    before, audited = issued(), AuditEvent.objects.filter(verb="appeals.receive").count()
    calls = [lambda: submit(consumer), lambda: submit(ghost), lambda: submit(consumer)]
    results, batches = together(calls, monkeypatch)

    assert batches == [3, 1, 1, 1]  # the batch failed, then each was stored on its own
    assert isinstance(results[1], IntegrityError)
    good = [results[0], results[2]]
    assert all(isinstance(a, Appeal) and a.pk for a in good)
    expected = [f"{MONDAY.year}{before + n:06d}" for n in (1, 2)]
    assert sorted(a.serial for a in good) == expected
    stored = Appeal.objects.filter(channel=Channel.API).values_list("serial", flat=True)
    assert sorted(stored) == expected and issued() == before + 2
    assert AuditEvent.objects.filter(verb="appeals.receive").count() == audited + 2


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_the_appeal_rolls_back_with_it(demo):
    dispatcher = demo.users["dispatcher"]
    data = {
        "type": AppealType.HELP,
        "title": "回滚测试：路灯报修",
        "body": "阳光路路灯不亮。",
        "contact_name": "赵六",
        "phone": "13700000001",
        "at": MONDAY,
    }
    before = issued()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.record_call(dispatcher, **data)
        raise RuntimeError("the caller fails after the intake")
    assert not Appeal.objects.filter(title="回滚测试：路灯报修").exists()
    assert not AuditEvent.objects.filter(object_repr__contains="回滚测试").exists()
    assert issued() == before  # the number rolled back too
    appeal, _code = actions.record_call(dispatcher, **data)
    assert appeal.serial == f"{MONDAY.year}{before + 1:06d}"


@pytest.mark.django_db
def test_the_key_and_the_service_are_cached_and_forgotten_when_changed(demo, client):
    assert _post(client).status_code == 201
    with CaptureQueriesContext(transaction.get_connection()) as queries:
        assert _post(client).status_code == 201
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "appeals_apikey" not in tables and "appeals_category" not in tables
    for hostile in ("x" * 300, "消费 维权", "consumer;--", "../consumer"):
        assert _post(client, service_code=hostile).status_code == 404

    consumer = Category.objects.get(code="consumer")
    consumer.is_public = False
    consumer.save()
    assert _post(client).status_code == 404
    consumer.is_public = True
    consumer.save()
    assert _post(client).status_code == 201

    key = ApiKey.objects.get()
    key.is_active = False
    key.save()
    assert _post(client).status_code == 403
