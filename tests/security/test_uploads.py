"""Hostile uploads: refused, or stored and served so that they cannot do harm.

Tried, first against the shared checker (sunshine.core.uploads) and then through a real form of
every subsystem that takes files (hall materials, publishing attachments, mailbox letters, FOI
replies): content that does not match its extension, executables and HTML under a document's name,
SVG and HTML with scripts, oversized files, zip/docx archive bombs (by ratio, by member count, by
overlapping members), Office files with ../ members, and hostile names (../, NUL, control and
RTL-override characters, Windows device names, names longer than a file system allows).
Must hold: every hostile file is refused with a Chinese message shown beside the field and nothing
is stored (no row, no file on disk); an acceptable file with a hostile name is stored under a safe
name inside MEDIA_ROOT; every download is sent as an attachment with nosniff.
"""

import functools
import io
import random
import unicodedata
import uuid
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.core.uploads import (
    DEFAULT_MAX_BYTES,
    MAX_NAME_BYTES,
    UploadField,
    check_upload,
    safe_name,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><body onload=alert(document.cookie)>"


def office(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(**extra: bytes) -> bytes:
    return office({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", **extra})


@functools.cache
def bomb() -> bytes:
    """50 MB of zeros inside a docx of about 50 KB."""
    return docx(**{"word/media/zeros.bin": b"\x00" * (50 * 1024 * 1024)})


@functools.cache
def crowd() -> bytes:
    """More members than any real Office file has."""
    return docx(**{f"word/m{i}.xml": b"" for i in range(5001)})


def overlapping() -> bytes:
    """The non-recursive zip bomb: many central-directory entries pointing at one member's data.
    Each entry alone compresses 1:1 (random bytes); together they inflate 200 times."""
    payload = random.Random(8).randbytes(64 * 1024)
    base = office({"[Content_Types].xml": b"<Types/>", "word/document.xml": payload})
    start = base.find(b"PK\x01\x02")
    head, central = base[:start], base[start : base.find(b"PK\x05\x06")]
    name = b"word/document.xml"
    entry = central[central.find(name) - 46 :][: 46 + len(name)]
    copies = b"".join(entry.replace(b"document", b"d%07d" % i) for i in range(200))
    directory = central + copies
    count = (2 + 200).to_bytes(2, "little")
    end = b"PK\x05\x06" + bytes(4) + count * 2 + len(directory).to_bytes(4, "little")
    return head + directory + end + len(head).to_bytes(4, "little") + bytes(2)


HOSTILE = [
    # (what, name, content, message shown)
    ("PNG under .pdf", "营业执照.pdf", lambda: PNG, "与扩展名"),
    ("executable under .pdf", "申请书.pdf", lambda: EXE, "不支持的文件类型"),
    ("executable under .docx", "申请书.docx", lambda: EXE, "不支持的文件类型"),
    ("HTML under .txt", "说明.txt", lambda: HTML, "不支持的文件类型"),
    ("script tag in text", "说明.txt", lambda: "情况说明<ScRiPt>x</script>".encode(), "不支持"),
    ("img onerror in text", "说明.txt", lambda: b"<img src=x onerror=alert(1)>", "不支持"),
    ("javascript: URL in text", "说明.txt", lambda: b"click javascript :alert(1)", "不支持"),
    (
        "markup past the first MB",
        "说明.txt",
        lambda: b"a" * 1_100_000 + b"<svg/onload=1>",
        "不支持",
    ),
    ("SVG with script", "照片.svg", lambda: SVG, "不支持的文件类型"),
    ("SVG under .png", "照片.png", lambda: SVG, "不支持的文件类型"),
    ("HTML under .html", "页面.html", lambda: HTML, "不支持的文件类型"),
    ("zip that is not Office", "材料.docx", lambda: office({"a.txt": b"x"}), "不支持的文件类型"),
    ("docx bomb by ratio", "炸弹.docx", bomb, "压缩结构异常"),
    ("docx with 5001 members", "目录.docx", crowd, "压缩结构异常"),
    ("overlapping-entry bomb", "重叠.docx", overlapping, "压缩结构异常"),
    ("../ inside a docx", "穿越.docx", lambda: docx(**{"../../etc/cron.d/x": b"x"}), "非法路径"),
    ("absolute path in a docx", "穿越.docx", lambda: docx(**{"/etc/passwd": b"x"}), "非法路径"),
    ("empty file", "空.pdf", lambda: b"", ("文件为空", "空文件")),  # Django says the latter
]


def shows(message: str | tuple[str, ...], text: str) -> bool:
    return any(m in text for m in ((message,) if isinstance(message, str) else message))


@pytest.mark.parametrize(
    ("what", "name", "content", "message"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_checker_refuses(what, name, content, message):
    with pytest.raises(ValidationError) as caught:
        check_upload(SimpleUploadedFile(name, content()))
    assert shows(message, caught.value.messages[0] % (caught.value.params or {}))


def test_checker_refuses_oversized_files_before_reading_them():
    class Huge(SimpleUploadedFile):
        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("an oversized file was read")

    huge = Huge("大.pdf", PDF)
    huge.size = DEFAULT_MAX_BYTES + 1
    with pytest.raises(ValidationError) as caught:
        check_upload(huge)
    assert caught.value.code == "too_large"


HOSTILE_NAMES = [
    "../../../../etc/passwd.pdf",
    "..\\..\\windows\\system32\\config.pdf",
    "/var/www/shell.pdf",
    "a\x00.php.pdf",
    "报告\x1b[31m\r\n.pdf",
    "invoice\u202efdp.exe.pdf",  # RTL override: reads as "invoiceexe.pdf"
    "\u200b\u200d\ufeff.pdf",
    "CON.pdf",
    "con .pdf",
    "AUX..txt",
    "nul",
    "Com1.tar.pdf",
    "LPT9.pdf",
    "aux",
    "report.pdf. . .",
    ".htaccess",
    "...",
    "字" * 300 + ".pdf",
    "x" * 1000 + ".pdf",
    "a." + "b" * 300,
    "<script>alert(1)</script>.pdf",
    'a:b|c?d*e"f<g>h.pdf',
    "",
]


def assert_safe(name: str) -> None:
    assert name and name == name.strip() and not name.startswith(".")
    assert not name.endswith((".", " "))
    assert not any(c in name for c in '/\\<>:"|?*')
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in name)
    assert len(name) <= 120 and len(name.encode()) <= MAX_NAME_BYTES
    device = name.split(".")[0].lower()
    assert device not in {"con", "prn", "aux", "nul"} and not (
        device[:3] in ("com", "lpt") and len(device) == 4 and device[3].isdigit()
    )


@pytest.mark.parametrize("raw", HOSTILE_NAMES)
def test_hostile_names_become_safe(raw):
    assert_safe(safe_name(raw))


def test_extension_is_kept_so_the_type_check_still_applies():
    assert safe_name("invoice\u202efdp.exe.pdf") == "invoicefdp.exe.pdf"
    assert safe_name("字" * 300 + ".pdf").endswith(".pdf")
    with pytest.raises(ValidationError):  # an .exe name is never accepted, whatever is inside
        check_upload(SimpleUploadedFile("x\u202egnp.exe", PNG))


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_any_name_becomes_safe(raw):
    assert_safe(safe_name(raw))


def test_upload_field_renames_and_retypes():
    cleaned = UploadField().clean(SimpleUploadedFile("../../CON.pdf", PDF, "text/html"))
    assert cleaned.name == "_CON.pdf" and cleaned.content_type == "application/pdf"


# Through the real forms ---------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def hostile_files(limit: int):
    for what, name, content, message in HOSTILE:
        yield what, SimpleUploadedFile(name, content()), message
    yield "oversized", SimpleUploadedFile("大.pdf", PDF + b"0" * limit), "文件过大"


def refuse_everywhere(client, url: str, data: dict, field: str, limit: int, count) -> None:
    """Post every hostile file in `field` and check the message and that nothing was kept."""
    before = count()
    for what, upload, message in hostile_files(limit):
        cache.clear()  # the public forms are rate limited; this is not what is tried here
        response = client.post(url, {**data, field: upload})
        assert response.status_code == 200, (what, response.status_code)
        errors = response.context["form"].errors if "form" in response.context else None
        page = response.content.decode()
        assert shows(message, page), (what, errors)
        assert count() == before, what


@pytest.mark.django_db
def test_hall_materials(client, demo, media):
    from sunshine.hall.models import Application, ServiceItem, SubmittedMaterial

    item = ServiceItem.objects.get(name="成品油零售经营资格初审（加油站设置）")
    material = item.materials.first()
    client.force_login(demo.users["13800000002"])
    url = f"/hall/items/{item.pk}/apply/"
    data = {"applicant_name": "示例市阳光商贸有限公司", "contact_phone": "13800000002",
            "project": "新设加油站", "address": "示例市滨江路 1 号"}  # fmt: skip
    field = f"material_{material.pk}"
    refuse_everywhere(
        client, url, data, field, DEFAULT_MAX_BYTES,
        lambda: (Application.objects.count(), SubmittedMaterial.objects.count()),
    )  # fmt: skip
    assert stored(media) == []

    # An acceptable file under a hostile name is kept under a safe one, inside MEDIA_ROOT.
    hostile = "../../" + "营业执照\u202e" * 40 + "CON.pdf"
    response = client.post(url, {**data, field: SimpleUploadedFile(hostile, PDF)})
    assert response.status_code == 302
    kept = SubmittedMaterial.objects.get()
    assert_safe(kept.name)
    [path] = stored(media)
    assert path.resolve().is_relative_to(media.resolve()) and path.read_bytes() == PDF
    download = client.get(f"/hall/files/{kept.pk}/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_publishing_attachments(client, demo, media):
    from sunshine.publishing.models import Attachment, Category, Publication

    client.force_login(demo.users["officer"])
    data = {
        "department": demo.departments["SLS-SWJ-BGS"].pk,
        "title": "关于开展商贸流通安全检查的通知",
        "kind": Publication.Kind.INFORMATION,
        "written_on": date(2026, 11, 2).isoformat(),
        "category": Category.objects.get(organisation__code="SLS-SWJ", name="通知公告").pk,
    }
    refuse_everywhere(
        client, "/gk/work/new/", data, "attachment", DEFAULT_MAX_BYTES,
        lambda: (Publication.objects.count(), Attachment.objects.count()),
    )  # fmt: skip
    assert stored(media) == []

    response = client.post(
        "/gk/work/new/", {**data, "attachment": SimpleUploadedFile("字" * 200 + "\x00.pdf", PDF)}
    )
    assert response.status_code == 302
    kept = Attachment.objects.get()
    assert_safe(kept.name)
    [path] = stored(media)
    assert path.resolve().is_relative_to(media.resolve())


@pytest.mark.django_db
def test_mailbox_letters(client, demo, media):
    from sunshine.appeals.models import ATTACHMENT_MAX_BYTES, Appeal

    data = {
        "type": "suggestion",
        "title": "关于滨江路夜间施工噪音的建议",
        "body": "夜间施工噪音扰民。",
        "contact_name": "张三",
        "phone": "13800000001",
        "submission_key": uuid.uuid4().hex,
    }
    refuse_everywhere(
        client, "/appeals/write/mayor/", data, "attachment", ATTACHMENT_MAX_BYTES,
        Appeal.objects.count,
    )  # fmt: skip
    assert stored(media) == []
    cache.clear()
    response = client.post(
        "/appeals/write/mayor/",
        {**data, "attachment": SimpleUploadedFile("../nul.txt", "噪音记录".encode())},
    )
    assert response.status_code == 302
    kept = Appeal.objects.get(title=data["title"]).attachment
    assert_safe(Path(kept.name).name)
    [path] = stored(media)
    assert path.resolve().is_relative_to(media.resolve())


@pytest.mark.django_db
def test_foi_disclosed_files(client, demo, media):
    from sunshine.foi import actions
    from sunshine.foi.models import Attachment, Request

    filed = actions.submit_request(
        demo.users["13800000001"],
        demo.departments["SLS-SWJ"],
        {"applicant_type": "natural", "applicant_name": "张三", "id_number": "110101199003073015",
         "phone": "13800000001", "info_title": "2025年商贸流通专项资金分配结果", "form": "email",
         "email": "zhangsan@example.com", "delivery": "online"},
    )  # fmt: skip
    request = actions.confirm_receipt(demo.users["window"], filed.request)
    assert request.state == Request.State.PROCESSING
    client.force_login(demo.users["handler"])
    data = {"decide-outcome": "disclose", "decide-reply_text": "予以公开，见附件。"}
    refuse_everywhere(
        client, f"/foi/staff/{request.pk}/decide/", data, "decide-files", DEFAULT_MAX_BYTES,
        lambda: (Attachment.objects.count(), Request.objects.get(pk=request.pk).state),
    )  # fmt: skip
    assert stored(media) == []
