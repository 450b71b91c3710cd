"""Double submissions at the same moment, from two threads on two connections: exactly one effect,
and the other sees the first one's and is told to refresh."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client

from sunshine.appeals import actions
from sunshine.appeals.models import Appeal, AppealEvent, Assignment, Channel
from sunshine.audit.models import AuditEvent
from sunshine.clocks.models import Clock
from sunshine.core.testing import race, together
from sunshine.errors import ActionError
from sunshine.org.permissions import can

from .conftest import MONDAY

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_dispatches_of_one_appeal_have_one_effect(demo, letter):
    d, dispatcher = demo.departments, demo.users["dispatcher"]
    outcomes = race(
        lambda: actions.dispatch(dispatcher, letter, lead=d["SLS-SWJ"], at=MONDAY),
        lambda: actions.dispatch(dispatcher, letter, lead=d["SLS-SCJG"], at=MONDAY),
    )
    assert outcomes == ["ok", "该诉求已处理，请刷新页面。"]
    assert Assignment.objects.filter(appeal=letter).count() == 1
    assert letter.events.filter(kind=AppealEvent.Kind.DISPATCH).count() == 1
    audited = AuditEvent.objects.filter(verb="appeals.dispatch", object_id=str(letter.pk))
    assert audited.count() == 1


def test_two_officers_signing_one_ticket_have_one_effect(demo, letter):
    u = demo.users
    actions.dispatch(u["dispatcher"], letter, lead=demo.departments["SLS-SWJ"], at=MONDAY)
    lead = letter.assignments.get()
    assert can(u["handler"], "appeals.unit", lead) and can(u["director"], "appeals.unit", lead)
    tuesday = MONDAY + timedelta(days=1)
    outcomes = race(
        lambda: actions.sign(u["handler"], lead, at=tuesday),
        lambda: actions.sign(u["director"], lead, at=tuesday),
    )
    assert outcomes == ["ok", "该工单已签收或已退回，请刷新页面。"]
    lead.refresh_from_db()
    assert lead.state == Assignment.State.SIGNED and lead.signed_by in (u["handler"], u["director"])
    assert letter.events.filter(kind=AppealEvent.Kind.SIGN).count() == 1
    handling = Clock.objects.filter(kind="appeals.handle", object_id=str(lead.pk))
    assert handling.count() == 1 and handling.get().pk == lead.handle_clock_id
    audited = AuditEvent.objects.filter(verb="appeals.sign", object_id=str(letter.pk))
    assert audited.count() == 1


TRANSFER = {
    "external_ref": "SZ-2025-0077",
    "source_name": "省12345热线",
    "type": "help",
    "title": "清水镇北街污水外溢",
    "body": "清水镇北街污水井外溢两天，请尽快处理。",
    "contact_name": "孙八",
    "phone": "13700000002",
}
REGISTERED = "该上级工单已登记。"


def _transfers() -> list[Appeal]:
    return list(Appeal.objects.filter(channel=Channel.TRANSFER, external_ref="SZ-2025-0077"))


def test_a_transfer_sent_twice_at_once_is_one_case(demo):
    dispatcher = demo.users["dispatcher"]
    outcomes = race(
        lambda: actions.receive_transfer(dispatcher, at=MONDAY, **TRANSFER),
        lambda: actions.receive_transfer(dispatcher, at=MONDAY, **TRANSFER),
    )
    with pytest.raises(ActionError) as repeat:  # the same ticket sent again later
        actions.receive_transfer(dispatcher, at=MONDAY, **TRANSFER)
    assert outcomes == ["ok", repeat.value.message] and repeat.value.message == REGISTERED
    [case] = _transfers()
    assert case.events.filter(kind=AppealEvent.Kind.RECEIVE).count() == 1
    audited = AuditEvent.objects.filter(verb="appeals.receive", object_id=str(case.pk))
    assert audited.count() == 1


def test_the_intake_form_answers_a_simultaneous_transfer_as_a_repeat(demo):
    """The form's action runs inside `once()`'s transaction: the losing insert rolls back to
    its savepoint and the page says the ticket is registered, as for a later resend."""

    clients = [Client() for _ in range(3)]
    for client in clients:
        client.force_login(demo.users["dispatcher"])

    def post(client: Client) -> object:
        data = {**TRANSFER, "urgency": "normal", "submission_key": uuid.uuid4().hex}
        return client.post("/appeals/intake/", data)

    calls = [lambda c=c: post(c) for c in clients[:2]]
    responses = sorted(together(calls), key=lambda r: r.status_code)
    repeat = post(clients[2])
    assert [r.status_code for r in responses] == [200, 302] and repeat.status_code == 200
    assert REGISTERED in responses[0].content.decode() and REGISTERED in repeat.content.decode()
    [case] = _transfers()
    assert responses[1].url == f"/appeals/tickets/{case.pk}/"
