"""Web security: CSRF, security headers, cookies, HSTS, rate limits.

Tried: a POST without a CSRF token to every URL pattern of the project (parameters filled with
sample values), anonymous and signed in; every page a crawl reaches from the parameterless pages,
as anonymous, a citizen and several officers, read for its headers and its markup; signing in over
HTTPS with production cookie settings; more requests than allowed to sign-in, registration, the
query-code lookups and the public forms.
Must hold: every POST without a token is refused by the CSRF check, except the Open311 POST
(authenticated by api_key, no cookie); every page sends a CSP whose scripts are 'self' only,
frame denial, nosniff and a Referrer-Policy, and has no inline script, event handler or style
attribute (the CSP would block them); every POST form carries a CSRF token; HTTPS responses carry
HSTS; session and CSRF cookies are HttpOnly, SameSite and Secure; the allowance past the limit
gets 429 with a Chinese page, from the same address only.
"""

import re
import uuid

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import sunshine.settings as production
from sunshine.foi.models import Request as FoiRequest

from .crawler import crawl, read
from .test_permission_matrix import DECLARED

CSRF_EXEMPT = {"appeals:open311_requests"}  # the API's POST: api_key, no cookie
SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x"}


def refused_by_csrf(request, reason: str = "") -> HttpResponse:
    return HttpResponse(f"csrf-refused {reason}", status=403)


def patterns() -> list[tuple[str, str]]:
    """(name, a URL for it) for every pattern, parameters filled with sample values."""
    found = []

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for pattern in resolver.url_patterns:
            regex = pattern.pattern.regex.pattern
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                walk(pattern, prefix + regex.lstrip("^").removesuffix("\\Z"), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                found.append((name, prefix + regex.lstrip("^").removesuffix("\\Z").rstrip("$")))

    walk(get_resolver(), "", None)
    urls = []
    for name, regex in found:
        if name.startswith("admin:") and name != "admin:index" and "(?P" in regex:
            continue  # the admin's object pages: one per model, all behind the same gate
        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: "x" if m[1] in ("fmt",) else "1", regex)
        url = "/" + url.replace("\\.", ".").replace("\\", "")
        urls.append((name, url))
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "admin", "13800000001"])
def test_every_post_without_a_token_is_refused(demo, settings, who):
    settings.CSRF_FAILURE_VIEW = f"{__name__}.refused_by_csrf"
    client = Client(enforce_csrf_checks=True)
    if who != "anonymous":
        client.force_login(demo.users[who])
    leaks = []
    checked = 0
    for name, url in patterns():
        response = client.post(url, {"title": "x"})
        refused = response.status_code == 403 and response.content.startswith(b"csrf-refused")
        if name in CSRF_EXEMPT:
            assert not refused, name
        elif response.status_code != 404 or name.startswith("admin:"):
            checked += 1
            if not refused:
                leaks.append(f"{name} {url}: {response.status_code}")
    assert not leaks, "\n".join(leaks)
    assert checked > 50


def assert_headers(url: str, response: HttpResponse) -> None:
    csp = response.get("Content-Security-Policy", "")
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    script = directives.get("script-src", directives.get("default-src", ""))
    assert script and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, url
    assert "*" not in script.split() and "data:" not in script, url
    assert directives.get("frame-ancestors") == "'none'", url
    assert directives.get("object-src") == "'none'", url
    assert response.get("X-Frame-Options") == "DENY", url
    assert response.get("X-Content-Type-Options") == "nosniff", url
    assert response.get("Referrer-Policy") in (
        "same-origin",
        "strict-origin-when-cross-origin",
        "no-referrer",
    ), url
    assert "Strict-Transport-Security" not in response, url  # plain http: never


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["anonymous", "13800000001", "13800000002", "window", "officer", "handler", "supervisor"]
)
def test_headers_markup_and_forms_on_every_reachable_page(demo, who):
    client = Client()
    if who != "anonymous":
        client.force_login(demo.users[who])
    start = [reverse(name) for name in DECLARED if not name.startswith(("admin:", "ops:"))]
    start += ["/no-such-page/", "/appeals/open311/v2/services.json"]
    pages = crawl(client, start, limit=160)
    problems = []
    for url, response in pages.items():
        assert response.status_code < 500, (url, response.status_code)
        assert_headers(url, response)
        if page := read(url, response):
            problems += [f"{url}: {item}" for item in page.inline]
            problems += [f"{url}: POST form without CSRF token" for form in page.forms
                         if form.method == "post" and not form.token]  # fmt: skip
    assert not problems, "\n".join(problems)


def test_production_settings_are_strict():
    """What sunshine/settings.py gives with no environment overrides (the tests relax cookies
    for the plain-http live server)."""
    assert not production.DEBUG
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY and production.CSRF_COOKIE_HTTPONLY
    assert production.SECURE_HSTS_SECONDS >= 31536000
    assert production.X_FRAME_OPTIONS == "DENY" and production.SECURE_CONTENT_TYPE_NOSNIFF
    assert production.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")


@pytest.mark.django_db
def test_https_gets_hsts_and_secure_httponly_cookies(demo, settings):
    settings.SESSION_COOKIE_SECURE = production.SESSION_COOKIE_SECURE
    settings.CSRF_COOKIE_SECURE = production.CSRF_COOKIE_SECURE
    client = Client()
    page = client.get("/accounts/login/", secure=True)
    hsts = page["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts)[1]) >= 31536000
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] in ("Lax", "Strict")
    response = client.post(
        "/accounts/login/",
        {"username": "window", "password": demo.password},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] in ("Lax", "Strict")


@pytest.mark.django_db
def test_signing_in_gives_a_new_session(demo):
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"username": "window", "password": demo.password})
    assert client.session.session_key != before and client.session.get("_auth_user_id")


def _foi_data(demo) -> dict:
    return {"applicant_type": "natural", "applicant_name": "张三", "id_kind": "resident",
            "id_number": "110101199003073015", "phone": "13800000001",
            "info_title": "2025年商贸流通专项资金分配结果", "form": "email", "delivery": "online",
            "email": "zhangsan@example.com", "organisation": demo.departments["SLS-SWJ"].pk,
            "submission_key": uuid.uuid4().hex}  # fmt: skip


LIMITED = [
    # (group, url, data for a POST); the data is deliberately wrong where a right answer would
    # change state, so that only the limit refuses
    ("login", "/accounts/login/", lambda demo: {"username": "nobody", "password": "x"}),
    ("register", "/accounts/register/", lambda demo: {"mobile": "1"}),
    ("lookup", "/appeals/track/", lambda demo: {"serial": "X", "code": "AAAAAAAA"}),
    ("lookup", "/foi/track/", lambda demo: {"number": "X", "code": "AAAAAAAA"}),
    ("public_form", "/appeals/write/", lambda demo: {"title": ""}),
    ("public_form", "/appeals/write/mayor/", lambda demo: {"title": ""}),
    ("public_form", "/foi/", lambda demo: {"info_title": ""}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("group", "url", "data"), LIMITED, ids=[u for _g, u, _d in LIMITED])
def test_rate_limits(demo, settings, group, url, data):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, group: "3/h"}
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.post(url, data(demo)).status_code for _ in range(4)]
    assert statuses[:3] == [statuses[0]] * 3 and statuses[0] != 429, statuses
    refused = client.post(url, data(demo))
    assert statuses[3] == 429 and refused.status_code == 429
    assert "请求过于频繁" in refused.content.decode() or "稍后" in refused.content.decode()
    # A forged X-Forwarded-For does not buy a fresh allowance.
    forged = client.post(url, data(demo), HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert forged.status_code == 429
    # Another address has its own allowance; GET of the page is never limited.
    assert Client(REMOTE_ADDR="203.0.113.8").post(url, data(demo)).status_code != 429
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_a_real_filing_counts_against_the_public_form_limit(demo, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_form": "2/h"}
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(demo.users["13800000001"])
    before = FoiRequest.objects.count()
    for _ in range(2):
        assert client.post("/foi/", _foi_data(demo)).status_code == 200
    assert client.post("/foi/", _foi_data(demo)).status_code == 429
    assert FoiRequest.objects.count() == before + 2
