"""Repeats are detected and merged (并单); each writer gets the shared reply and rates it."""

from datetime import timedelta

import pytest

from sunshine.appeals import actions
from sunshine.appeals.models import Assignment, Status
from sunshine.appeals.queries import repeats_of, suggest_departments
from sunshine.errors import ActionError

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def _call(demo, body, phone, place="", at=MONDAY):
    appeal, code = actions.record_call(
        demo.users["dispatcher"],
        type="complaint",
        title=body[:12],
        body=body,
        place=place,
        contact_name="市民",
        phone=phone,
        at=at,
    )
    appeal.code = code
    return appeal


def test_repeats_are_found_and_merged(demo, letter):
    same_place = _call(
        demo,
        "阳光路美容店关门了，预付卡里的钱退不了，请政府帮忙协调退款。",
        "13900000009",
        "阳光路18号",
        at=MONDAY + timedelta(hours=2),
    )
    unrelated = _call(
        demo, "清水镇东村路灯坏了一个月没人修。", "13900000008", at=MONDAY + timedelta(hours=3)
    )
    found = {r.appeal.pk: r for r in repeats_of(same_place)}
    assert letter.pk in found and found[letter.pk].reason in ("same_place", "similar")
    assert unrelated.pk not in found

    u, d = demo.users, demo.departments
    with pytest.raises(ActionError):
        actions.merge(u["dispatcher"], same_place, same_place)
    actions.merge(u["dispatcher"], same_place, letter)
    same_place.refresh_from_db()
    assert same_place.status == Status.MERGED and same_place.merged_into == letter
    with pytest.raises(ActionError, match="已处理"):
        actions.merge(u["dispatcher"], same_place, unrelated)  # a double submission

    actions.dispatch(u["dispatcher"], letter, lead=d["SLS-SWJ"], at=MONDAY)
    lead = letter.assignments.get(role=Assignment.Role.LEAD)
    actions.sign(u["handler"], lead, at=MONDAY)
    answer = actions.reply(u["handler"], lead, body="已责令商户按比例退还预付卡余额。", at=MONDAY)
    actions.review_reply(u["dispatcher"], answer, approve=True, at=MONDAY)
    same_place.refresh_from_db()
    assert same_place.status == Status.ANSWERED
    assert actions.approved_reply(same_place) == answer  # both writers get the reply

    # The merged writer is unhappy for the unit's reasons: the shared handling is reopened.
    actions.follow_up(
        None,
        same_place,
        satisfaction="unsatisfied",
        fault="unit",
        resolved=False,
        via="online",
        code=same_place.code,
    )
    letter.refresh_from_db()
    assert letter.status == Status.DISPATCHED and letter.rework_count == 1
    with pytest.raises(ActionError):
        actions.follow_up(
            None,
            same_place,
            satisfaction="satisfied",
            resolved=True,
            via="online",
            code=same_place.code,
        )


def test_the_query_code_is_needed_to_rate(demo, letter):
    from sunshine.org.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.follow_up(
            None, letter, satisfaction="satisfied", resolved=True, via="online", code="WRONGCODE"
        )
    with pytest.raises(PermissionDenied):
        actions.follow_up(
            demo.users["13800000002"], letter, satisfaction="satisfied", resolved=True, via="online"
        )


def test_the_department_is_suggested_from_the_text(demo):
    d = demo.departments
    u = demo.users
    for i, (body, lead) in enumerate(
        [
            ("超市销售过期食品，要求查处。", "SLS-SCJG"),
            ("餐馆食品不卫生，吃完拉肚子。", "SLS-SCJG"),
            ("商场促销活动虚假打折。", "SLS-SWJ"),
            ("商贸企业拖欠供应商货款。", "SLS-SWJ"),
            ("村道路灯不亮，垃圾没人清运。", "SLS-QSZ"),
        ]
    ):
        appeal = _call(demo, body, f"1390000010{i}")
        actions.dispatch(u["dispatcher"], appeal, lead=d[lead], at=MONDAY)
    fresh = _call(demo, "这家超市卖过期食品还不给退。", "13900000200")
    suggestions = suggest_departments(fresh)
    assert suggestions[0].department == d["SLS-SCJG"] and suggestions[0].source == "classifier"
