import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sunshine.core.uploads import IMAGES, UploadField, check_upload, safe_name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_kinds_by_content():
    assert check_upload(upload("通知.pdf", PDF)).kind.code == "pdf"
    assert check_upload(upload("图.PNG", PNG)).kind.code == "png"
    assert check_upload(upload("办法.docx", docx_bytes())).kind.code == "docx"
    assert check_upload(upload("说明.txt", "市民投诉处理办法".encode())).kind.code == "txt"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("伪装.pdf", b"MZ\x90\x00 not a pdf", "type"),
        ("图.pdf", PNG, "mismatch"),
        ("脚本.txt", b"<script>alert(1)</script>", "type"),
        ("a.svg", b"<svg onload='alert(1)'/>", "type"),
        ("a.html", b"<html><script>x</script></html>", "type"),
        ("空.pdf", b"", "empty"),
    ],
)
def test_refused(name, data, code):
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(name, data))
    assert caught.value.code == code


def test_size_limit_and_allowed_kinds():
    with pytest.raises(ValidationError, match="文件过大") as caught:
        check_upload(upload("大.pdf", PDF + b"0" * 2048), max_bytes=1024)
    assert caught.value.code == "too_large"
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("通知.pdf", PDF), allowed=IMAGES)
    assert caught.value.code == "type"


def test_archive_bomb_and_traversal_inside_office_files():
    bomb = docx_bytes({"word/media/zeros.bin": b"\x00" * (50 * 1024 * 1024)})
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("炸弹.docx", bomb))
    assert caught.value.code == "zip_bomb"
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("穿越.docx", docx_bytes({"../../etc/passwd": b"x"})))
    assert caught.value.code == "zip_path"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("报告<script>.PDF", "报告_script_.pdf"),
        (".htaccess", "htaccess"),
        ("a\x00b.pdf", "a_b.pdf"),
        ("", "附件"),
    ],
)
def test_safe_names(raw, safe):
    assert safe_name(raw) == safe


def test_upload_field_renames_the_file():
    field = UploadField()
    cleaned = field.clean(upload("../材料.pdf", PDF))
    assert cleaned.name == "材料.pdf" and cleaned.content_type == "application/pdf"
