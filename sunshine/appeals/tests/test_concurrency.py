"""Double submissions at the same moment, from two threads on two connections: exactly one effect,
and the other sees the first one's and is told to refresh."""

from datetime import timedelta

import pytest

from sunshine.appeals import actions
from sunshine.appeals.models import AppealEvent, Assignment
from sunshine.audit.models import AuditEvent
from sunshine.clocks.models import Clock
from sunshine.core.testing import race
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
