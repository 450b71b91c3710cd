import threading

import pytest
from django.db import connection

from sunshine.core.numbers import (
    QUERY_CODE_ALPHABET,
    check_query_code,
    digest_query_code,
    make_query_code,
    next_number,
)


@pytest.mark.django_db
def test_sequences_are_separate_and_counting():
    assert [next_number("a/2026") for _ in range(3)] == [1, 2, 3]
    assert next_number("b/2026") == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_share_a_number():
    taken: list[int] = []
    lock = threading.Lock()

    def take():
        try:
            for _ in range(5):
                number = next_number("race")
                with lock:
                    taken.append(number)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == list(range(1, 21))


def test_query_codes():
    code = make_query_code()
    assert len(code) == 8 and set(code) <= set(QUERY_CODE_ALPHABET)
    digest = digest_query_code(code)
    assert code not in digest
    assert check_query_code(code.lower(), digest)
    assert check_query_code(f" {code[:4]}-{code[4:]} ", digest)
    assert not check_query_code("AAAAAAAA", digest)
