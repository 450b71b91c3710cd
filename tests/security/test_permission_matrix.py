"""The permission matrix: every page without parameters, asked for by every kind of actor.

Each page declares who may open it: everyone, anyone signed in, or those whom a named rule of
org.permissions allows. The test asks the page as anonymous, a citizen, an enterprise and every
demo officer, and fails on any answer that differs from the declaration, above all on an
unexpected allow. A new page without a declaration fails the test until it is declared.
Pages with parameters (a case, a document) are checked per object in each app's own tests.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import URLResolver, get_resolver, reverse

from sunshine.org.permissions import can

PUBLIC, SIGNED_IN, ANONYMOUS = "public", "signed-in", "anonymous"
# Pages that only send the visitor on (a spec's root, a page that needs a fresh submission).
REDIRECT = "redirect"
DECLARED = {
    "portal:home": PUBLIC,
    "accounts:login": ANONYMOUS,  # signed-in people are sent on
    "accounts:register": PUBLIC,
    "accounts:profile": SIGNED_IN,
    "portal:workbench": "portal.workbench",
    "publishing:index": PUBLIC,
    "publishing:sitemap": PUBLIC,
    "publishing:site_map": PUBLIC,
    "publishing:work": "publishing.workbench",
    "publishing:draft_new": "publishing.draft",
    "search:results": PUBLIC,
    "foi:apply": PUBLIC,
    "foi:track": PUBLIC,
    "foi:mine": SIGNED_IN,
    "foi:staff_list": "foi.staff",
    "foi:register": "foi.staff",
    "hall:index": PUBLIC,
    "hall:ratings": PUBLIC,
    "hall:mine": SIGNED_IN,
    "hall:office": "hall.office",
    "reports:index": PUBLIC,
    "appeals:index": PUBLIC,
    "appeals:write": PUBLIC,
    "appeals:submitted": REDIRECT,  # shown right after a submission, else sent on
    "appeals:track": PUBLIC,
    "appeals:letters": PUBLIC,
    "appeals:stats": PUBLIC,
    "appeals:mine": SIGNED_IN,
    "appeals:desk": "appeals.desk",
    "appeals:intake": "appeals.intake",
    "appeals:open311_root": REDIRECT,  # to the discovery document
    "supervision:dashboard": "supervision.view",
    "supervision:charts": "supervision.view",
    "supervision:inbox": SIGNED_IN,
    "supervision:bulletins": "portal.workbench",
    "admin:index": "admin.site",
    "ops:healthz": PUBLIC,
    "ops:metrics": PUBLIC,  # from this machine; the token case is in sunshine/ops/tests
}
# POST-only or outside the matrix on purpose.
NOT_PAGES = {"accounts:logout", "supervision:read_notifications"}


def pages() -> list[str]:
    names = []

    def walk(resolver: URLResolver, namespace: str | None) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(pattern, f"{namespace}:{inner}" if namespace and inner else inner or namespace)
            elif pattern.name and not pattern.pattern.regex.groups:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver(), None)
    # The admin's own pages all sit behind admin:index's gate (org.admin_site.AdminSite).
    return [
        n for n in names if n == "admin:index" or not n.startswith("admin:") and n not in NOT_PAGES
    ]


def test_every_page_is_declared():
    assert sorted(set(pages()) - set(DECLARED)) == []


def expected(user, declaration: str) -> bool:
    if declaration == PUBLIC:
        return True
    if declaration == REDIRECT:
        return False
    if declaration == ANONYMOUS:
        return not user.is_authenticated
    if declaration == SIGNED_IN:
        return user.is_authenticated
    return can(user, declaration)


@pytest.mark.django_db
def test_no_unexpected_allow_and_no_unexpected_refusal(client, demo):
    actors = [AnonymousUser(), *sorted(demo.users.values(), key=lambda u: u.username)]
    wrong = []
    for user in actors:
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        name = user.username if user.is_authenticated else "anonymous"
        for page, declaration in DECLARED.items():
            status = client.get(reverse(page)).status_code
            assert status < 500, (name, page, status)
            allowed = status == 200
            if allowed != expected(user, declaration):
                wrong.append(
                    f"{name} {page}: {status}, expected {'allow' if not allowed else 'deny'}"
                )
    assert not wrong, "\n".join(wrong)
