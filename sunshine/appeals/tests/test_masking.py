"""Every kind of personal data is masked in published letters and replies; originals are kept."""

import pytest

from sunshine.accounts.validators import id_number_check_char
from sunshine.appeals import actions
from sunshine.appeals.models import Assignment, Publication
from sunshine.appeals.text import mask_name, mask_text
from sunshine.errors import ActionError
from sunshine.org.permissions import PermissionDenied

from .conftest import MONDAY

FIRST17 = "11010519491231002"
ID = FIRST17 + id_number_check_char(FIRST17)
WRONG_ID = FIRST17 + ("0" if id_number_check_char(FIRST17) != "0" else "1")
CARD = "6222020200112233446"  # passes the Luhn check


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def test_each_kind_is_masked():
    assert _luhn_ok(CARD)
    text = (
        f"我叫王小明，身份证{ID}，手机138 1234 5678，座机0731-84561234，"
        f"银行卡{CARD}，住在芙蓉区解放西路188号3栋2单元501室。"
    )
    masked = mask_text(text, names=["王小明"])
    for secret in ("王小明", ID, "1234 5678", "12345678", "84561234", CARD, "解放西路188号"):
        assert secret not in masked, secret
    assert "501室" not in masked
    assert "王某某" in masked and ID[:4] in masked and CARD[-4:] in masked
    assert "138" in masked and "0731" in masked


def test_numbers_that_are_not_personal_stay():
    text = f"合同编号{WRONG_ID}，金额12000元，订单20250303。"
    assert mask_text(text) == text  # a wrong check digit is not an ID number, nor a Luhn card


def test_names_by_pattern_and_known_names():
    assert mask_name("张三") == "张某" and mask_name("欧阳小明") == "欧阳某某"
    assert mask_text("本人李四反映情况") == "本人李某反映情况"
    assert mask_text("联系人：赵云飞，请回电") == "联系人：赵某某，请回电"


@pytest.mark.django_db
def test_publication_masks_letter_and_reply_and_keeps_the_original(demo, letter):
    u, d = demo.users, demo.departments
    actions.dispatch(u["dispatcher"], letter, lead=d["SLS-SWJ"], at=MONDAY)
    lead = letter.assignments.get(role=Assignment.Role.LEAD)
    actions.sign(u["handler"], lead, at=MONDAY)
    body = "张三您好：已联系阳光路18号的美容店，并电话13812345678告知您。经办人刘洋。"
    answer = actions.reply(u["handler"], lead, body=body, at=MONDAY)
    with pytest.raises(ActionError, match="审核通过后"):
        actions.publish(u["editor"], letter)
    actions.review_reply(u["dispatcher"], answer, approve=True, at=MONDAY)
    with pytest.raises(PermissionDenied):
        actions.publish(u["handler"], letter)
    publication = actions.publish(u["editor"], letter, extra_masks=["刘洋", "美容店"])
    for text in (publication.body, publication.reply):
        for secret in ("13812345678", "张三", "阳光路18号", "刘洋", "美容店"):
            assert secret not in text
    assert "138＊＊＊＊5678" in publication.body
    letter.refresh_from_db()
    assert "13812345678" in letter.body  # the original is kept
    assert Publication.objects.count() == 2  # the demo's letter and this one


@pytest.mark.django_db
def test_no_consent_no_publication(demo, letter):
    letter.consent_publish = False
    letter.save()
    with pytest.raises(ActionError, match="未同意公开"):
        actions.publish(demo.users["editor"], letter)
