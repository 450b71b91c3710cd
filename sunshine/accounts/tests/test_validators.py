import pytest
from django.core.exceptions import ValidationError

from sunshine.accounts.validators import (
    credit_code_check_char,
    id_number_check_char,
    mask_id_number,
    mask_mobile,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)


def test_known_id_number_check_characters():
    # Published examples of GB 11643 check characters.
    assert id_number_check_char("11010519491231002") == "X"
    assert id_number_check_char("44052418800101001") == "4"


@pytest.mark.parametrize(
    "number", ["11010519491231002X", "11010519491231002x", "440524188001010014"]
)
def test_valid_id_numbers(number):
    validate_id_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "check_digit"),
        ("11010519491231002", "format"),
        ("1101051949123100AX", "format"),
        ("110105194902300023", "birth_date"),
        ("<script>alert(1)</sc", "format"),
    ],
)
def test_invalid_id_numbers(number, code):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number)
    assert caught.value.code == code


def test_credit_code_check_character():
    # A published valid code (GB 32100 example of a Fujian enterprise).
    assert credit_code_check_char("91350100M000100Y4") == "3"
    validate_credit_code("91350100M000100Y43")
    with pytest.raises(ValidationError) as caught:
        validate_credit_code("91350100M000100Y44")
    assert caught.value.code == "check_digit"
    with pytest.raises(ValidationError) as caught:
        validate_credit_code("91350100M000100I43")  # I is not in the code's alphabet
    assert caught.value.code == "format"


def test_mobile():
    validate_mobile("13912345678")
    for bad in ["12912345678", "1391234567", "139123456789", "abc"]:
        with pytest.raises(ValidationError):
            validate_mobile(bad)


def test_masks():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_mobile("13912345678") == "139****5678"
