"""Withdrawing a published letter, and the monthly statistics per mailbox and department."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sunshine.appeals import actions
from sunshine.appeals.models import AppealEvent, AppealType, Assignment, Mailbox
from sunshine.appeals.queries import monthly_stats
from sunshine.audit.models import AuditEvent
from sunshine.errors import ActionError

from .conftest import MONDAY

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _answered(demo, appeal, lead_code: str, at: datetime, hours: float) -> None:
    """Dispatched, signed, replied and approved `hours` after it was received (at `at`)."""
    u = demo.users
    actions.dispatch(u["dispatcher"], appeal, lead=demo.departments[lead_code], at=at)
    lead = appeal.assignments.get(role=Assignment.Role.LEAD)
    unit = {"SLS-SWJ": "handler", "SLS-SCJG": "market"}[lead_code]
    actions.sign(u[unit], lead, at=at)
    answer = actions.reply(u[unit], lead, body="经核查，已按规定处理并告知诉求人。", at=at)
    actions.review_reply(u["dispatcher"], answer, approve=True, at=at + timedelta(hours=hours))


def test_a_published_letter_is_withdrawn_and_can_be_published_again(demo, letter, client):
    u = demo.users
    _answered(demo, letter, "SLS-SWJ", MONDAY, 2)
    publication = actions.publish(u["editor"], letter)
    client.force_login(u["editor"])
    assert client.get(f"/appeals/letters/{publication.pk}/").status_code == 200
    ticket = f"/appeals/tickets/{letter.pk}/"
    assert 'name="unpublish-reason"' in client.get(ticket).content.decode()
    client.force_login(u["handler"])  # the handling unit is not an editor
    response = client.post(ticket + "unpublish/", {"unpublish-reason": "来信人要求撤回"})
    assert response.status_code in (403, 404)
    client.force_login(u["editor"])
    blank = client.post(ticket + "unpublish/", {"unpublish-reason": " "})
    assert blank.status_code == 200 and "撤回原因" in blank.content.decode()
    response = client.post(ticket + "unpublish/", {"unpublish-reason": "来信人要求撤回"})
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.is_withdrawn and publication.withdrawal_reason == "来信人要求撤回"
    assert publication.body  # kept, not deleted
    client.logout()
    assert client.get(f"/appeals/letters/{publication.pk}/").status_code == 404
    assert publication.title not in client.get("/appeals/letters/").content.decode()
    assert letter.events.filter(kind=AppealEvent.Kind.UNPUBLISH).count() == 1
    assert AuditEvent.objects.filter(verb="appeals.withdraw_publication").count() == 1
    with pytest.raises(ActionError, match="已撤回"):
        actions.withdraw_publication(u["editor"], publication, reason="再次撤回")
    again = actions.publish(u["editor"], letter)
    assert again.pk == publication.pk and not again.is_withdrawn and not again.withdrawn_at
    assert client.get(f"/appeals/letters/{publication.pk}/").status_code == 200


def _letter(demo, box: str, received: datetime, **extra):
    appeal, _code = actions.submit_appeal(
        demo.users["13800000001"],
        mailbox=Mailbox.objects.get(code=box),
        type=AppealType.COMPLAINT,
        title="关于小区门口占道经营的问题",
        body="小区门口每天傍晚都有占道经营，影响通行，请处理。",
        contact_name="张三",
        phone="13812345678",
        at=received,
        **extra,
    )
    return appeal


def test_monthly_statistics_per_mailbox_and_department(demo):
    """April 2025, crafted: 市长信箱 5 letters — 2 answered by 商务局 in 10 h and 30 h, 1 by
    市场监管局 in 48 h, 1 waiting, and a repeat merged into the first (received 2 h after it, so
    answered in 8 h with it); ratings 满意, 不满意 (other reason), 基本满意. 书记信箱 1 letter
    answered by 商务局 in 20 h, unrated. The repeat is a letter of its mailbox but not a second
    case of 商务局; a letter of May does not count in April."""
    u = demo.users
    april = datetime(2025, 4, 7, 9, tzinfo=TZ)
    a = _letter(demo, "mayor", april)
    b = _letter(demo, "mayor", april + timedelta(days=1))
    c = _letter(demo, "mayor", april + timedelta(days=2))
    _letter(demo, "mayor", april + timedelta(days=3))  # not yet answered
    d = _letter(demo, "secretary", april + timedelta(days=4))
    repeat = _letter(demo, "mayor", april + timedelta(hours=2))
    may = _letter(demo, "mayor", datetime(2025, 5, 6, 9, tzinfo=TZ))
    actions.merge(u["dispatcher"], repeat, a, at=april + timedelta(hours=3))
    _answered(demo, a, "SLS-SWJ", april, 10)
    _answered(demo, b, "SLS-SWJ", april + timedelta(days=1), 30)
    _answered(demo, c, "SLS-SCJG", april + timedelta(days=2), 48)
    _answered(demo, d, "SLS-SWJ", april + timedelta(days=4), 20)
    _answered(demo, may, "SLS-SWJ", datetime(2025, 5, 6, 9, tzinfo=TZ), 5)
    rate = actions.follow_up
    rate(u["dispatcher"], a, satisfaction="satisfied", resolved=True, via="phone")
    rate(u["dispatcher"], b, satisfaction="unsatisfied", resolved=False, fault="other", via="phone")
    rate(u["dispatcher"], c, satisfaction="basic", resolved=True, via="phone")

    stats = monthly_stats(2025, 4)
    boxes = {row.name: row for row in stats["mailboxes"]}
    assert set(boxes) == {"市长信箱", "书记信箱"}
    mayor, secretary = boxes["市长信箱"], boxes["书记信箱"]
    assert (mayor.letters, mayor.replies, mayor.rated, mayor.satisfied) == (5, 4, 3, 2)
    assert mayor.reply_rate == pytest.approx(0.8)
    assert mayor.average_days == pytest.approx((10 + 30 + 48 + 8) / 4 / 24, abs=1e-3)
    assert mayor.satisfaction_rate == pytest.approx(2 / 3)
    assert (secretary.letters, secretary.replies, secretary.rated) == (1, 1, 0)
    assert secretary.reply_rate == 1 and secretary.satisfaction_rate is None
    assert secretary.average_days == pytest.approx(20 / 24, abs=1e-3)

    units = {row.name: row for row in stats["departments"]}
    swj, scjg = units[demo.departments["SLS-SWJ"].name], units[demo.departments["SLS-SCJG"].name]
    assert (swj.letters, swj.replies, swj.rated, swj.satisfied) == (3, 3, 2, 1)
    assert swj.average_days == pytest.approx((10 + 30 + 20) / 3 / 24, abs=1e-3)
    assert swj.satisfaction_rate == pytest.approx(0.5)
    assert (scjg.letters, scjg.replies, scjg.rated, scjg.satisfied) == (1, 1, 1, 1)
    assert stats["departments"][0] is swj  # most letters first
    may_stats = monthly_stats(2025, 5)
    assert [(r.name, r.letters) for r in may_stats["mailboxes"]] == [("市长信箱", 1)]
