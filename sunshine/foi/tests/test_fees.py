"""The two fee tables of 国办函〔2020〕109号 at their band edges; the fee notice on the clock."""

from datetime import date

import pytest

from sunshine.clocks.models import State
from sunshine.errors import ActionError
from sunshine.foi import actions
from sunshine.foi.actions import PAYMENT, REPLY, clock_of
from sunshine.foi.fees import per_page_fee, per_request_fee
from sunshine.foi.models import Request

from .test_clock_rules import at, data


@pytest.mark.parametrize(
    ("nth", "fee"),
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (50, 300), (51, 400)],
)
def test_per_request_rate_by_position_in_the_month(nth, fee):
    assert per_request_fee(nth) == fee


@pytest.mark.parametrize(
    ("pages", "fee"),
    [
        (0, 0),
        (30, 0),
        (31, 10),
        (100, 700),
        (101, 720),
        (200, 2700),
        (201, 2740),
        (250, 4700),
    ],
)
def test_per_page_progressive_on_the_excess(pages, fee):
    assert per_page_fee(pages) == fee


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        per_request_fee(0)
    with pytest.raises(ValueError):
        per_page_fee(-1)


def _requests(demo, n: int, day: date) -> list[Request]:
    swj = demo.departments["SLS-SWJ"]
    return [
        actions.register_request(
            demo.users["window"],
            swj,
            data(info_title=f"信息{i}"),
            channel="in_person",
            received_on=day,
            at=at(day.isoformat()),
        ).request
        for i in range(n)
    ]


def test_fee_notice_counts_the_applicants_month_and_never_both_methods(demo):
    handler = demo.users["handler"]
    requests = _requests(demo, 11, date(2026, 2, 10))
    with pytest.raises(ActionError, match="无需收取"):
        actions.send_fee_notice(handler, requests[9], method="per_request", at=at("2026-02-11"))
    with pytest.raises(ActionError, match="只能选其一"):
        actions.send_fee_notice(
            handler, requests[10], method="per_request", pages=40, at=at("2026-02-11")
        )
    request = actions.send_fee_notice(
        handler, requests[10], method="per_request", at=at("2026-02-11")
    )
    assert (request.fee_amount, request.state) == (100, Request.State.PAYMENT)
    assert clock_of(request, REPLY).state == State.PAUSED
    # 20 working days to pay from Wednesday 02-11 across the festival: 2026-03-17.
    assert clock_of(request, PAYMENT).due_label == "2026-03-17"
    with pytest.raises(ActionError, match="状态"):
        actions.send_fee_notice(handler, request, method="per_page", pages=300, at=at("2026-02-12"))
    request = actions.record_payment(handler, request, at=at("2026-03-02"))
    assert clock_of(request, REPLY).state == State.RUNNING
    with pytest.raises(ActionError, match="只能按一种方式"):
        actions.send_fee_notice(handler, request, method="per_page", pages=300, at=at("2026-03-03"))


def test_unpaid_after_twenty_working_days_is_abandoned(demo):
    handler = demo.users["handler"]
    (request,) = _requests(demo, 1, date(2026, 2, 10))
    request = actions.send_fee_notice(
        handler, request, method="per_page", pages=31, at=at("2026-02-11")
    )
    assert request.fee_amount == 10
    with pytest.raises(ActionError, match="期限届满前"):
        actions.close_for_nonpayment(handler, request, at=at("2026-03-17", 18))
    with pytest.raises(ActionError, match="已超过缴费期限"):
        actions.record_payment(handler, request, at=at("2026-03-18"))
    request = actions.close_for_nonpayment(handler, request, at=at("2026-03-18"))
    assert (request.outcome, request.closed_on) == ("unpaid", date(2026, 3, 18))
