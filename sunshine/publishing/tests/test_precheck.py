"""The 保密 pre-check finds personal data and markings, and only real ones."""

import pytest

from sunshine.accounts.validators import id_number_check_char
from sunshine.publishing import actions
from sunshine.publishing.models import SensitiveTerm
from sunshine.publishing.secrecy import highlight, luhn_valid, precheck

from .factories import draft, pdf_upload, pending

FIRST17 = "32010219850615123"
VALID_ID = FIRST17 + id_number_check_char(FIRST17)
WRONG_ID = FIRST17 + ("0" if VALID_ID[-1] != "0" else "1")


def kinds(text: str, terms=("机密", "内部")) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in precheck(text, list(terms))]


def test_finds_each_kind():
    text = (
        f"申请人身份证{VALID_ID}，手机 139 1234 5678，卡号6222020200000000006，"
        "住示例市人民路12号3单元，此件机密。"
    )
    assert kinds(text) == [
        ("id_number", VALID_ID),
        ("mobile", "139 1234 5678"),
        ("bank_card", "6222020200000000006"),
        ("address", "住示例市人民路12号3单元"),
        ("marking", "机密"),
    ]


def test_ignores_lookalikes():
    assert kinds(f"编号{WRONG_ID}") == []
    assert kinds("卡号6222020200000000003") == []  # fails Luhn
    assert kinds("文号示商发〔2026〕21号，电话0744-8223456，1391234567") == []
    assert not luhn_valid("6222020200000000003") and luhn_valid("4111111111111111")


def test_highlight_escapes_the_text():
    text = "<b>13912345678</b>"
    html = highlight(text, [{"kind": "mobile", "start": 3, "end": 14}])
    assert "&lt;b&gt;" in html and '<mark class="finding finding-mobile"' in html


@pytest.mark.django_db
def test_findings_reach_the_secrecy_step_with_editable_terms(demo):
    SensitiveTerm.objects.create(term="仅供领导参阅")
    item = draft(demo, body="<p>仅供领导参阅。</p>")
    actions.add_attachment(demo.users["officer"], item, pdf_upload("Tel 13912345678"))
    actions.submit(demo.users["officer"], item)
    assert pending(item).findings == []  # the first step is not the secrecy review
    actions.approve_task(demo.users["office_head"], pending(item))
    found = {(f["source"].split(":")[0], f["kind"], f["text"]) for f in pending(item).findings}
    assert found == {("body", "marking", "仅供领导参阅"), ("attachment", "mobile", "13912345678")}
