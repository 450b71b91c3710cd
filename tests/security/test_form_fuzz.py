"""Hypothesis against every form handler a crawl can find.

Tried: for anonymous, a citizen, an enterprise and the officers of every stage, the forms on every
page reached from the parameterless pages (cases, tasks, tickets included), each filled a few
times with generated values: missing fields, empty and very long strings, NUL and other control
characters, bidi overrides, emoji, SQL and HTML, template syntax, path traversal, huge and
negative numbers, malformed dates, unknown choices, several values for one field, and a
hostile file in file fields.
Must hold: no server error (5xx) on SQLite and PostgreSQL; a POST that is refused and answered
with the page again shows a message saying why (a form error or a page message).
"""

import os
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from sunshine.audit.chain import verify_chain

from .crawler import Form, crawl, read
from .fuzzing import bounded
from .test_permission_matrix import DECLARED

ACTORS = ["anonymous", "13800000001", "13800000002", "window", "handler", "officer", "reviewer",
          "secrecy", "director", "supervisor"]  # fmt: skip
# Examples per form: raise for a longer run (FUZZ_EXAMPLES=50).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x08\x1b[31m\x7f",
    "\u202eevil\u202c",
    "😀" * 40,
    "' OR '1'='1' --",
    '"); DROP TABLE auth_user; --',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }}{% debug %}",
    "../../../../etc/passwd",
    "9" * 40,
    "-1",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "Infinity",
    "0x10",
    "１２３",
    "2026-02-30",
    "0000-00-00",
    "9999-99-99T99:99",
    "2026-13-01",
    "x" * 5000,
    "字" * 2000,
]
BAD_FILE = b"<svg onload=alert(1)>"
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)


def value(offered: list[str]) -> st.SearchStrategy:
    choices = [st.sampled_from(HOSTILE), text, st.integers(-(10**20), 10**20).map(str)]
    if offered:
        choices[:0] = [st.sampled_from(offered)] * 3  # mostly real choices, to get further in
        choices.append(st.lists(st.sampled_from(offered), max_size=3))
    return st.one_of(choices)


def shape(url: str) -> str:
    """The form's address with its numbers blanked: one case stands for all its kind."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


def forms_for(client: Client) -> Iterable[Form]:
    start = [reverse(name) for name in DECLARED if not name.startswith(("admin:", "ops:"))]
    seen: set[tuple] = set()
    for url, response in crawl(client, start, limit=120).items():
        page = read(url, response)
        for form in page.forms if page else []:
            if urlsplit(form.action).path.startswith("/accounts/logout"):
                continue
            key = (form.method, shape(form.action), tuple(sorted(form.fields)))
            if key not in seen:
                seen.add(key)
                yield form


def shows_a_reason(content: str) -> bool:
    return 'class="errorlist' in content or 'class="messages"' in content


def fuzz(client: Client, who: str, form: Form, failures: list[str]) -> None:
    """Post a few generated fillings of `form`, noting 5xx and silent refusals."""

    @bounded(EXAMPLES)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        cache.clear()  # rate limits are tried elsewhere
        fields = {"csrfmiddlewaretoken": "x"}  # a browser always sends one
        for name, offered in form.fields.items():
            if data.draw(st.booleans(), label=f"{name} missing"):
                continue
            if name in form.files:
                fields[name] = SimpleUploadedFile("a.pdf", BAD_FILE)
            else:
                fields[name] = data.draw(value(offered), label=name)
        send = client.post if form.method == "post" else client.get
        response = send(form.action, fields)
        shown = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
        where = f"{who} {form.method.upper()} {form.action} {shown!r:.300}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code}")
        elif form.method == "post" and response.status_code == 200:
            page = read(form.action, response)
            # The same form again means the input was refused; a page without it means an
            # earlier example moved the case on and the form is no longer offered.
            again = page and any(
                (f.action, set(f.fields)) == (form.action, set(form.fields)) for f in page.forms
            )
            if again and not shows_a_reason(response.content.decode()):
                failures.append(f"{where}: 200 without a message")

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ACTORS)
def test_no_server_error_and_refusals_say_why(demo, who):
    client = Client(raise_request_exception=False)
    if who != "anonymous":
        client.force_login(demo.users[who])
    forms = list(forms_for(client))
    assert forms, who
    failures: list[str] = []
    for form in forms:
        fuzz(client, who, form, failures)
    assert not failures, "\n".join(dict.fromkeys(failures))
    assert verify_chain().fault is None  # whatever was accepted was audited in order
