"""Helpers the publishing tests share (also used by the browser test)."""

from datetime import date
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile

from sunshine.publishing import actions
from sunshine.publishing.models import Category, Column, Publication, Task


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF whose text layer is `text` (ASCII), with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_upload(text: str, name: str = "附件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def draft(
    demo, *, title: str = "关于开展商贸流通安全检查的通知", body: str = "<p>正文</p>", **fields
) -> Publication:
    unit = demo.departments["SLS-SWJ-BGS"]
    category = Category.objects.get(organisation__code="SLS-SWJ", name="通知公告")
    fields.setdefault("columns", Column.objects.filter(slug="tzgg"))
    return actions.create_draft(
        demo.users["officer"],
        department=unit,
        title=title,
        body=body,
        written_on=fields.pop("written_on", date(2026, 11, 2)),
        category=category,
        **fields,
    )


def pending(publication: Publication) -> Task:
    return Task.objects.get(submission__publication=publication, state=Task.State.PENDING)


def publish(demo, publication: Publication) -> Publication:
    """Through the whole default chain."""
    actions.submit(demo.users["officer"], publication)
    actions.approve_task(demo.users["office_head"], pending(publication))
    actions.approve_task(
        demo.users["secrecy"],
        pending(publication),
        decision="publish",
        legal_basis="《政府信息公开条例》第十九条",
    )
    actions.approve_task(demo.users["deputy"], pending(publication))
    publication.refresh_from_db()
    return publication


def select_options(html: str, name: str) -> list[tuple[str, str, str]]:
    """The options of the <select name=`name`> in `html`: (group label, value, text) in order."""

    class Options(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside, self.group, self.value = False, "", None
            self.found: list[tuple[str, str, str]] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            attributes = dict(attrs)
            if tag == "select":
                self.inside = attributes.get("name") == name
            elif self.inside and tag == "optgroup":
                self.group = attributes.get("label", "")
            elif self.inside and tag == "option":
                self.value = attributes.get("value", "")

        def handle_endtag(self, tag: str) -> None:
            if tag == "select":
                self.inside = False
            elif tag == "optgroup":
                self.group = ""

        def handle_data(self, data: str) -> None:
            if self.inside and self.value is not None:
                self.found.append((self.group, self.value, data.strip()))
                self.value = None

    parser = Options()
    parser.feed(html)
    return parser.found
