"""Checking uploaded files: type by content (not by name), size, safe names, no archive bombs.

Every app that accepts files (attachments of publications, application materials, letters to a
mailbox) goes through `check_upload`, or the form field `UploadField` built on it.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# An Office file is a zip; refuse one that inflates beyond this or this many times its size.
MAX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_INFLATE_RATIO = 100
MAX_ZIP_MEMBERS = 5000
# File systems allow 255 bytes a name; Django may add "_" and 7 characters to make one unique.
MAX_NAME_BYTES = 200


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise
    extensions: tuple[str, ...]
    content_type: str


KINDS = {
    k.code: k
    for k in [
        Kind("pdf", "PDF", (".pdf",), "application/pdf"),
        Kind(
            "docx",
            "Word",
            (".docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        Kind(
            "xlsx",
            "Excel",
            (".xlsx",),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        Kind(
            "pptx",
            "PowerPoint",
            (".pptx",),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        Kind("doc", "Word 97-2003", (".doc",), "application/msword"),
        Kind("xls", "Excel 97-2003", (".xls",), "application/vnd.ms-excel"),
        Kind("wps", "WPS", (".wps", ".et"), "application/vnd.ms-works"),
        Kind("ofd", "OFD", (".ofd",), "application/ofd"),
        Kind("png", "PNG", (".png",), "image/png"),
        Kind("jpeg", "JPEG", (".jpg", ".jpeg"), "image/jpeg"),
        Kind("gif", "GIF", (".gif",), "image/gif"),
        Kind("txt", gettext_lazy("文本"), (".txt",), "text/plain"),
    ]
}
DOCUMENTS = frozenset({"pdf", "docx", "xlsx", "pptx", "doc", "xls", "wps", "ofd", "txt"})
IMAGES = frozenset({"png", "jpeg", "gif"})

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_MAIN = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
# Device names on Windows, with any extension: such a file cannot be saved there by a clerk.
_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?", re.IGNORECASE)
# Markup a browser would run if a "text" file were ever shown inline.
_MARKUP = re.compile(
    r"<\s*/?\s*(script|html|head|body|svg|math|iframe|frame|frameset|object|embed|applet|img"
    r"|image|video|audio|source|meta|link|style|base|form|input|button|textarea|a|details"
    r"|marquee|template|xml)\b|<\s*[!?]|(java|vb)script\s*:",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    kind: Kind
    size: int


def _visible(char: str) -> str:
    """Control characters and line breaks become "_"; invisible ones (formatting such as the
    RTL override, surrogates, unassigned) are dropped."""
    category = unicodedata.category(char)
    if category in ("Cc", "Zl", "Zp"):
        return "_"
    return "" if category in ("Cf", "Cs", "Cn") else char


def _trim(text: str) -> str:
    return re.sub(r"^[\s.]+|[\s.]+$", "", text)


def safe_name(name: str, *, max_length: int = 120) -> str:
    """A file name that is only a name: no folders, no control or invisible characters (an RTL
    override makes "gpj.exe" read as "exe.jpg"), no leading or trailing dots and spaces, no
    Windows device name, and short enough in characters and in bytes to store."""
    name = "".join(map(_visible, unicodedata.normalize("NFC", name)))
    name = PurePath(name.replace("\\", "/")).name
    name = _trim(re.sub(r'[<>:"/|?*]', "_", name))
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem, ext = _trim(stem), _trim(ext[:10].lower())
    if _RESERVED.fullmatch(stem):
        stem = f"_{stem}"
    stem = stem[: max_length - len(ext) - 1]
    stem = stem.encode()[: MAX_NAME_BYTES - len(ext.encode()) - 1].decode(errors="ignore")
    stem = _trim(stem) or _("附件")
    return f"{stem}.{ext}" if ext else stem


def _sniff(head: bytes, data: io.BufferedIOBase) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(_OLE2):
        return "ole2"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return None


def _sniff_zip(data: io.BufferedIOBase) -> str | None:
    data.seek(0)
    try:
        with zipfile.ZipFile(data) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise ValidationError(_("压缩结构异常（文件数过多），已拒绝。"), code="zip_bomb")
            # Against the archive's own size: entries that share compressed data (the
            # non-recursive bomb) would otherwise each count their share as packed.
            inflated = sum(m.file_size for m in members)
            packed = max(1, data.seek(0, io.SEEK_END))
            if inflated > MAX_INFLATED_BYTES or inflated / packed > MAX_INFLATE_RATIO:
                raise ValidationError(_("压缩结构异常（解压后过大），已拒绝。"), code="zip_bomb")
            if _overlap(members):
                raise ValidationError(_("压缩结构异常（成员重叠），已拒绝。"), code="zip_bomb")
            names = {m.filename for m in members}
    except zipfile.BadZipFile:
        return None
    if any(n.startswith("/") or ".." in PurePath(n).parts for n in names):
        raise ValidationError(_("压缩结构异常（含非法路径），已拒绝。"), code="zip_path")
    if "[Content_Types].xml" in names:
        for code, prefix in _OOXML_MAIN.items():
            if any(n.startswith(prefix) for n in names):
                return code
    if "OFD.xml" in names:
        return "ofd"
    return None


def _overlap(members: list[zipfile.ZipInfo]) -> bool:
    """Whether a member starts inside another (its header and data at the least)."""
    spans = sorted(
        (m.header_offset, m.header_offset + 30 + len(m.orig_filename.encode()) + m.compress_size)
        for m in members
    )
    return any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False))


def _looks_like_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            return False
    return _MARKUP.search(text) is None


def check_upload(
    upload: UploadedFile,
    *,
    allowed: frozenset[str] | set[str] = DOCUMENTS | IMAGES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CheckedUpload:
    """The file's kind, told by its content and matching its extension, or a ValidationError."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("文件为空。"), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("文件过大（%(size)s），不能超过 %(limit)s。"),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )
    name = safe_name(upload.name or "")
    extension = PurePath(name).suffix.lower()
    upload.seek(0)
    head = upload.read(8192)
    data = upload.file if hasattr(upload, "file") else upload
    sniffed = _sniff(head, data)
    if sniffed == "ole2":
        legacy = [code for code in ("doc", "xls", "wps") if extension in KINDS[code].extensions]
        sniffed = legacy[0] if legacy else "doc"
    if sniffed is None and extension == ".txt":
        upload.seek(0)
        sniffed = "txt" if _looks_like_text(upload.read()) else None
    upload.seek(0)
    allowed_labels = "、".join(sorted({str(KINDS[c].label) for c in allowed}))
    if sniffed is None or sniffed not in allowed:
        raise ValidationError(
            _("不支持的文件类型。允许的类型：%(kinds)s。"),
            code="type",
            params={"kinds": allowed_labels},
        )
    kind = KINDS[sniffed]
    if extension not in kind.extensions:
        raise ValidationError(
            _("文件内容（%(kind)s）与扩展名“%(ext)s”不符。"),
            code="mismatch",
            params={"kind": kind.label, "ext": extension or _("无")},
        )
    return CheckedUpload(name=name, kind=kind, size=size)


class UploadField(forms.FileField):
    """A file field that runs `check_upload` and renames the file to its safe name."""

    def __init__(
        self,
        *,
        allowed: frozenset[str] = DOCUMENTS | IMAGES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        **kwargs,
    ) -> None:
        self.allowed, self.max_bytes = allowed, max_bytes
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if isinstance(upload, UploadedFile):
            checked = check_upload(upload, allowed=self.allowed, max_bytes=self.max_bytes)
            upload.name = checked.name
            upload.content_type = checked.kind.content_type
        return upload
