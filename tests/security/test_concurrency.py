"""Concurrent requests through the real views, each on its own database connection.

Tried: the same form submitted twice at the same instant (a double click, or two tabs): an
applicant's 提交 of a hall application, a window's 确认收到 of an FOI request; the same review task
approved twice at once (publishing); many citizens writing to the 12345 web form and many Open311
clients posting at once.
Must hold, on SQLite and PostgreSQL: a transition happens once (one audit event, one clock, one
next task), the second request is answered, not failed; every one of the many appeals is stored
with its own gap-free serial; the audit chain verifies afterwards.
(Concurrent dispatch and signing of one ticket, two supervision sweeps at once, concurrent
registration and number sequences are covered in the apps' own tests.)
"""

import uuid

import pytest
from django.test import Client

from sunshine.appeals.demo import DEMO_API_KEY
from sunshine.appeals.models import Appeal
from sunshine.audit.chain import verify_chain
from sunshine.audit.models import AuditEvent
from sunshine.clocks.models import Clock
from sunshine.core.testing import together
from sunshine.workflow.models import Instance

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_twice(user, url: str, data: dict | None = None) -> list[int]:
    return sorted(r.status_code for r in responses_to_two(user, url, data))


def responses_to_two(user, url: str, data: dict | None = None) -> list:
    clients = [signed_in(user), signed_in(user)]
    results = together([lambda c=c: c.post(url, data or {}) for c in clients])
    assert not [r for r in results if isinstance(r, BaseException)], results
    return results


def audited(verb: str, obj) -> int:
    return AuditEvent.objects.filter(verb=verb, object_id=str(obj.pk)).count()


def test_double_submission_of_a_hall_application(demo):
    from sunshine.hall import actions
    from sunshine.hall.models import Application
    from sunshine.hall.tests.test_hall import DATA, files, item

    user = demo.users["13800000002"]
    app = actions.save_draft(user, item(), data=DATA, files=files(item()))
    responses = responses_to_two(user, f"/hall/applications/{app.pk}/submit/")
    # The second is sent back to the case with a message that it went through already, not to
    # the draft's form as if something were missing.
    case = f"/hall/applications/{app.pk}/"
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, case), (302, case)]
    app.refresh_from_db()
    assert app.state != Application.State.DRAFT
    assert audited("hall.submit", app) == 1
    assert Instance.objects.filter(object_id=str(app.pk)).count() == 1  # one case flow
    assert Clock.objects.filter(title__startswith=app.number).count() == 1  # one 受理 clock
    assert verify_chain().fault is None


def test_double_submission_from_the_draft_form(demo):
    from sunshine.hall import actions
    from sunshine.hall.models import Application
    from sunshine.hall.tests.test_hall import DATA, files, item

    user = demo.users["13800000002"]
    app = actions.save_draft(user, item(), data=DATA, files=files(item()))
    responses = responses_to_two(
        user, f"/hall/applications/{app.pk}/edit/", {**DATA, "submit": "1"}
    )
    # Neither fails (the second's save met a case no longer a draft): both land on the case.
    case = f"/hall/applications/{app.pk}/"
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, case), (302, case)]
    app.refresh_from_db()
    assert app.state != Application.State.DRAFT and audited("hall.submit", app) == 1


def test_double_submission_of_a_new_application(demo):
    """The apply form sent twice at once: one application, one case flow; both answers lead to
    it (the same key was in both, as a double click sends the same form twice)."""
    from sunshine.hall.models import Application
    from sunshine.hall.tests.test_hall import DATA, files, item

    user = demo.users["13800000002"]
    it = item()
    url = f"/hall/items/{it.pk}/apply/"

    def form() -> dict:
        uploads = {f"material_{pk}": upload for pk, upload in files(it).items()}
        return {**DATA, **uploads, "form_key": "f" * 32, "submit": "1"}

    clients = [signed_in(user), signed_in(user)]
    results = together([lambda c=c, d=form(): c.post(url, d) for c in clients])
    assert not [r for r in results if isinstance(r, BaseException)], results
    (app,) = Application.objects.filter(applicant=user)
    case = f"/hall/applications/{app.pk}/"
    assert [(r.status_code, r["Location"]) for r in results] == [(302, case), (302, case)]
    assert app.state != Application.State.DRAFT and audited("hall.submit", app) == 1
    assert Instance.objects.filter(object_id=str(app.pk)).count() == 1
    assert verify_chain().fault is None


def test_double_confirmation_of_an_foi_request(demo):
    from sunshine.foi import actions
    from sunshine.foi.models import Request
    from sunshine.foi.tests.test_clock_rules import data

    filed = actions.submit_request(demo.users["13800000001"], demo.departments["SLS-SWJ"], data())
    statuses = post_twice(demo.users["window"], f"/foi/staff/{filed.request.pk}/confirm/")
    assert 302 in statuses and all(s in (200, 302) for s in statuses)
    request = Request.objects.get(pk=filed.request.pk)
    assert request.state == Request.State.PROCESSING
    assert audited("foi.confirm_receipt", request) == 1
    assert verify_chain().fault is None


def test_double_approval_of_a_review_task(demo):
    from sunshine.publishing import actions
    from sunshine.publishing.models import Task
    from sunshine.publishing.tests.factories import draft, pending

    publication = draft(demo)
    actions.submit(demo.users["officer"], publication)
    task = pending(publication)
    statuses = post_twice(
        demo.users["office_head"],
        f"/gk/work/task/{task.pk}/",
        {"verb": "approve", "opinion": "同意"},
    )
    assert 302 in statuses and all(s in (200, 302) for s in statuses)
    task.refresh_from_db()
    assert task.state == Task.State.APPROVED
    tasks = Task.objects.filter(submission__publication=publication)
    assert tasks.count() == 2 and tasks.filter(state=Task.State.PENDING).count() == 1
    approvals = AuditEvent.objects.filter(object_id=str(task.pk), verb__contains="approve")
    assert approvals.count() == 1
    assert verify_chain().fault is None


MANY = 8


def assert_gap_free(appeals: list[Appeal]) -> None:
    serials = sorted(a.serial for a in appeals)
    assert len(set(serials)) == len(serials)
    numbers = sorted(int("".join(filter(str.isdigit, s[-6:]))) for s in serials)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), serials


def test_many_citizens_write_at_once(demo):
    before = set(Appeal.objects.values_list("pk", flat=True))

    def write(i: int) -> int:
        # Each from an address of its own: the rate limit is tried elsewhere.
        client = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
        data = {"type": "suggestion", "title": f"关于滨江路第{i}段夜间施工的建议",
                "body": "夜间施工噪音扰民，请协调。", "contact_name": "张三",
                "phone": "13800000001", "submission_key": uuid.uuid4().hex}  # fmt: skip
        return client.post("/appeals/write/", data).status_code

    results = together([lambda i=i: write(i) for i in range(MANY)])
    assert results == [302] * MANY
    new = list(Appeal.objects.exclude(pk__in=before))
    assert len(new) == MANY and len({a.title for a in new}) == MANY
    assert_gap_free(new)
    assert verify_chain().fault is None


def test_one_letter_sent_twice_at_once_is_one_appeal(demo):
    """A double click on 提交: the same form (its one-time key) twice at the same moment."""
    before = Appeal.objects.count()
    data = {"type": "suggestion", "title": "关于滨江路夜间施工噪音的建议",
            "body": "夜间施工噪音扰民，请协调。", "contact_name": "张三",
            "phone": "13800000001", "submission_key": uuid.uuid4().hex}  # fmt: skip

    def send() -> str:
        return Client().post("/appeals/write/", data, follow=True).content.decode()

    pages = together([send, send])
    assert Appeal.objects.count() == before + 1
    assert sorted("已经提交过" in page for page in pages) == [False, True]
    assert verify_chain().fault is None


def test_many_open311_clients_post_at_once(demo):
    before = set(Appeal.objects.values_list("pk", flat=True))

    def post(i: int) -> int:
        data = {"api_key": DEMO_API_KEY, "service_code": "consumer", "lat": "28.2",
                "long": "112.9", "description": f"超市销售过期食品 {i}"}  # fmt: skip
        return Client().post("/appeals/open311/v2/requests.json", data).status_code

    results = together([lambda i=i: post(i) for i in range(MANY)])
    assert results == [201] * MANY
    new = list(Appeal.objects.exclude(pk__in=before))
    assert len(new) == MANY
    assert_gap_free(new)
    assert verify_chain().fault is None
