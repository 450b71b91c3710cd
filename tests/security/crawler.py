"""Reading pages as the security tests need them: inline code, links, and POST forms."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.http import HttpResponse
from django.test import Client

# Pages not followed: static files, the admin (its own gate), signing out (ends the session).
SKIP = ("/static/", "/admin/", "/accounts/logout")


@dataclass
class Form:
    method: str
    action: str
    token: bool = False
    # field name → the values offered (options, checkbox and radio values; empty for free text)
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class Page(HTMLParser):
    """What a page holds that the CSP, the CSRF check and the fuzzer care about."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.inline: list[str] = []
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for attr, value in values.items():
            script_url = attr in ("href", "src", "action") and value.strip().lower().startswith(
                "javascript:"
            )
            if attr.startswith("on") or attr == "style" or script_url:
                self.inline.append(f"<{tag} {attr}={value!r}>")
        data = values.get("type") in ("application/json", "application/ld+json")  # json_script
        if tag == "script" and not values.get("src") and not data:
            self.inline.append("<script> without src")
        if tag == "style":
            self.inline.append("<style> element")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag == "form":
            action = urljoin(self.url, values.get("action") or self.url)
            self.forms.append(Form((values.get("method") or "get").lower(), action))
        if not self.forms or not (name := values.get("name")):
            if tag == "option" and self._select and self.forms:
                self.forms[-1].fields[self._select].append(values.get("value", ""))
            return
        form = self.forms[-1]
        if name == "csrfmiddlewaretoken":
            form.token = True
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, [])
        elif tag == "textarea" or (tag == "input" and values.get("type") != "submit"):
            offered = form.fields.setdefault(name, [])
            if values.get("type") in ("checkbox", "radio", "hidden") and values.get("value"):
                offered.append(values["value"])
            if values.get("type") == "file":
                form.files.add(name)
        elif tag == "button" and values.get("value"):
            form.fields.setdefault(name, []).append(values["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def read(url: str, response: HttpResponse) -> Page | None:
    if "text/html" not in response.get("Content-Type", "") or response.streaming:
        return None
    page = Page(url)
    page.feed(response.content.decode())
    return page


def crawl(client: Client, start: list[str], limit: int) -> dict[str, HttpResponse]:
    """Pages reached from `start` by following same-site links one step, GET only."""
    seen: dict[str, HttpResponse] = {}
    queue = list(start)
    for depth in range(2):
        following = []
        for url in queue:
            if url in seen or len(seen) >= limit:
                continue
            seen[url] = response = client.get(url)
            page = read(url, response) if depth == 0 else None
            for href in page.links if page else []:
                parts = urlsplit(urljoin(url, href))
                if parts.netloc in ("", "testserver") and not parts.path.startswith(SKIP):
                    following.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        queue = following
    return seen
