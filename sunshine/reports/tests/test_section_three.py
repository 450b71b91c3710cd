"""A year of requests with known outcomes: every cell of section 三, its checks, and the roll-up
of a bureau's figures into its government's."""

from datetime import date

import pytest

from sunshine.errors import ActionError
from sunshine.foi.models import Remedy, Request
from sunshine.foi.outcomes import OUTCOMES, ApplicantType
from sunshine.org.models import Department
from sunshine.reports import actions
from sunshine.reports.queries import compute
from sunshine.reports.tables import CARRIED_IN, CARRIED_OUT, NEW, TOTAL_ROW, check_three

TYPES = list(ApplicantType)
serial = iter(range(1, 100000))


def req(org, kind, received, closed=None, outcome="") -> Request:
    n = next(serial)
    return Request(
        number=f"T-{n}",
        query_digest="x",
        organisation=org,
        applicant_type=kind,
        applicant_name="申请人",
        id_number=str(n),
        phone="1",
        info_title="信息",
        channel="online",
        submitted_at="2025-01-01T00:00:00+08:00",
        received_on=received,
        closed_on=closed,
        outcome=outcome,
        state="closed" if closed else "processing",
    )


@pytest.fixture
def year_of_requests(demo):
    """For applicant column c (0..5) and outcome row r: (c + r) % 4 closed requests in 2025;
    c + 1 carried in from 2024 (closed in 2025 as 予以公开); c + 2 received in 2025 and still
    open at its end (one of them closed in 2026); noise outside the year and in a section."""
    city = demo.departments["SLS"]
    swj = Department.objects.create(code="T-BUREAU", name="测试局", kind="bureau", parent=city)
    section = Department.objects.create(code="T-SECTION", name="测试科", kind="section", parent=swj)
    demo.departments.update({"T": swj, "T-S": section})
    rows = []
    for c, kind in enumerate(TYPES):
        for o in OUTCOMES:
            rows += [
                req(swj, kind, date(2025, 3, 2), date(2025, 6, 1), o.code)
                for _ in range((c + o.row) % 4)
            ]
        rows += [
            req(swj, kind, date(2024, 12, 20), date(2025, 1, 5), "disclose") for _ in range(c + 1)
        ]
        rows += [req(swj, kind, date(2025, 12, 28)) for _ in range(c + 1)]
        rows.append(req(swj, kind, date(2025, 12, 30), date(2026, 1, 4), "disclose"))
        # Outside 2025 entirely: closed in 2024, received in 2026.
        rows.append(req(swj, kind, date(2024, 3, 1), date(2024, 3, 20), "disclose"))
        rows.append(req(swj, kind, date(2026, 1, 2)))
    # A request to a section of the bureau rolls up into the bureau and the government.
    rows.append(req(section, ApplicantType.NATURAL, date(2025, 5, 5), date(2025, 5, 6), "repeat"))
    Request.objects.bulk_create(rows)
    return demo


def test_every_cell_of_section_three(year_of_requests):
    swj = year_of_requests.departments["T"]
    three = compute(swj, 2025)["three"]
    for c in range(6):
        closed_in_year = sum((c + o.row) % 4 for o in OUTCOMES)
        expected_new = closed_in_year + (c + 1) + 1 + (1 if c == 0 else 0)
        assert three[NEW][c] == expected_new, c
        assert three[CARRIED_IN][c] == c + 1
        for o in OUTCOMES:
            extra = c + 1 if o.code == "disclose" else 0
            extra += 1 if (c == 0 and o.code == "repeat") else 0
            assert three[o.row][c] == (c + o.row) % 4 + extra, (c, o.row)
        assert three[TOTAL_ROW][c] == closed_in_year + (c + 1) + (1 if c == 0 else 0)
        assert three[CARRIED_OUT][c] == c + 2
    for row, values in three.items():
        assert values[6] == sum(values[:6]), row
    assert three[CARRIED_IN][6] == 21 and three[CARRIED_OUT][6] == 27
    assert check_three(three) == []


def test_roll_up_and_separation(year_of_requests):
    d = year_of_requests.departments
    city = compute(d["SLS"], 2025)["three"]
    bureau = compute(d["T"], 2025)["three"]
    demo_bureau = compute(d["SLS-SWJ"], 2025)["three"]
    for row, values in city.items():
        assert values == [a + b for a, b in zip(bureau[row], demo_bureau[row], strict=True)]
    assert compute(d["SLS-SCJG"], 2025)["three"][NEW] == [0] * 7
    assert compute(d["T-S"], 2025)["three"][NEW] == [1, 0, 0, 0, 0, 0, 1]


def test_checks_name_what_failed(year_of_requests):
    three = compute(year_of_requests.departments["T"], 2025)["three"]
    three[NEW][2] += 1
    three[3][6] -= 1
    failures = check_three(three, previous_carried_out=[0] * 7)
    text = "\n".join(failures)
    assert "“科研机构”列：一 + 二 ≠ 三（七）总计 + 四" in text
    assert "第3行“予以公开”：总计不等于各类申请人之和" in text
    assert "上年结转" in text


def test_section_four_counts_results_as_of_the_year_end(year_of_requests):
    request = Request.objects.filter(organisation=year_of_requests.departments["T"]).first()
    for kind, result, decided in [
        ("review", "upheld", date(2025, 8, 1)),
        ("review", "corrected", date(2025, 9, 1)),
        ("review", "upheld", date(2026, 2, 1)),  # decided after the year: still 尚未审结
        ("suit", "other", date(2025, 10, 1)),
        ("suit_after_review", "pending", None),
    ]:
        Remedy.objects.create(
            request=request, kind=kind, filed_on=date(2025, 7, 1), result=result, decided_on=decided
        )
    Remedy.objects.create(request=request, kind="review", filed_on=date(2024, 7, 1))
    four = compute(year_of_requests.departments["T"], 2025)["four"]
    assert four == [[1, 1, 0, 1, 3], [0, 0, 1, 0, 1], [0, 0, 0, 1, 1]]


def test_finalise_refuses_a_broken_carry_over_and_freezes_a_good_report(year_of_requests):
    d, users = year_of_requests.departments, year_of_requests.users
    swj = d["SLS-SWJ"]
    with pytest.raises(Exception, match="权限"):
        actions.save_report(users["handler"], swj, 2025, texts={}, section_two={})
    with pytest.raises(ActionError, match="负数"):
        actions.save_report(users["officer"], swj, 2025, texts={}, section_two={"licences": -1})
    previous = actions.save_report(
        users["officer"], swj, 2024, texts={"overview": "2024年"}, section_two={}
    )
    previous = actions.finalise_report(users["deputy"], previous)
    # A 2024 request registered after the 2024 report was published breaks the carry-over.
    Request.objects.bulk_create([req(swj, ApplicantType.NATURAL, date(2024, 12, 30))])
    report = actions.save_report(
        users["officer"], swj, 2025, texts={"overview": "总体情况"}, section_two={"licences": 12}
    )
    with pytest.raises(Exception, match="权限"):
        actions.finalise_report(users["officer"], report)
    with pytest.raises(ActionError, match="上年结转"):
        actions.finalise_report(users["deputy"], report)
    assert previous.tables["three"][str(CARRIED_OUT)] == [0] * 7
