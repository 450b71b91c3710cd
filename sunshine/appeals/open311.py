"""Open311 GeoReport v2 (open311.github.io GeoReport/v2, research §2.1), under /appeals/open311/v2/.

XML is the required format, JSON the optional one (lists are top-level arrays); every resource
takes a `.xml` or `.json` suffix. Errors are `<errors><error><code/><description/></error>`
(JSON `[{"code", "description"}]`) with 404 for an unknown resource or jurisdiction, 403 for a
missing or invalid api_key, 400 for anything else. Services are the public appeal categories;
`expected_datetime` is the due time of the lead unit's handling clock. Public reads never show
confidential appeals, and descriptions are masked as published letters are.
"""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree as ET

import nh3
from django.conf import settings
from django.core.cache import cache
from django.core.validators import slug_re
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from sunshine.errors import ActionError

from . import actions
from .models import Appeal, AppealType, Assignment, Category, Status
from .text import mask_text

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00+08:00"
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
CLOSED = (Status.CLOSED, Status.ARCHIVED, Status.DIRECT, Status.REFUSED, Status.MERGED)
SERVICE_CACHE_SECONDS = 60


class ApiError(Exception):
    def __init__(self, status: int, description: str, code: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.code = status, description, code or status


def jurisdiction() -> str:
    return getattr(settings, "APPEALS_JURISDICTION", "sls.gov.cn")


def _xml(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _xml(ET.SubElement(element, key), item)
    elif value is not None:
        element.text = "true" if value is True else "false" if value is False else str(value)


def _render(fmt: str, root: str, item: str | None, data: Any, status: int = 200) -> HttpResponse:
    """JSON as the Spark convention maps the XML: a list is a top-level array."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        top = ET.Element(root)
        if item is None:
            _xml(top, data)
        else:
            for entry in data:
                child = ET.SubElement(top, item)
                _xml(child, entry)
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def _error(fmt: str, error: ApiError) -> HttpResponse:
    data = [{"code": error.code, "description": error.description}]
    return _render(fmt, "errors", "error", data, status=error.status)


def _api(view):
    """Checks the format and jurisdiction and turns ApiError into the spec's error body."""

    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in CONTENT_TYPES:
            return _error("xml", ApiError(404, _("不支持的格式，请使用 .xml 或 .json。")))
        params = request.POST if request.method == "POST" else request.GET
        given = params.get("jurisdiction_id", "").strip()
        try:
            if given and given != jurisdiction():
                raise ApiError(404, _("未知的 jurisdiction_id。"))
            return view(request, *args, fmt=fmt, **kwargs)
        except ApiError as error:
            return _error(fmt, error)

    wrapper.__name__ = view.__name__
    return wrapper


def _when(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


@require_GET
@_api
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("appeals:open311_root"))
    data = {
        "changeset": CHANGESET,
        "contact": _("示例市12345政务服务便民热线"),
        "key_service": _("接口密钥请向市电子政务办公室申请。"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    if fmt == "json":
        return _render(fmt, "discovery", None, data)
    top = ET.Element("discovery")
    for key in ("changeset", "contact", "key_service"):
        ET.SubElement(top, key).text = data[key]
    endpoint = ET.SubElement(ET.SubElement(top, "endpoints"), "endpoint")
    for key in ("specification", "url", "changeset", "type"):
        ET.SubElement(endpoint, key).text = data["endpoints"][0][key]
    formats = ET.SubElement(endpoint, "formats")
    for mime in data["endpoints"][0]["formats"]:
        ET.SubElement(formats, "format").text = mime
    body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode")
    return HttpResponse(body, content_type=CONTENT_TYPES["xml"])


def _services():
    return Category.objects.filter(
        is_active=True, is_public=True, parent__isnull=False
    ).select_related("parent")


def _service_cache_name(code: str) -> str:
    return f"appeals:open311:service:{code}"


def _service_of(code: str) -> Category | None:
    """The public service of this code. Every POST needs it and categories change seldom, so
    one found is kept for SERVICE_CACHE_SECONDS; saving a category forgets it."""
    if not slug_re.match(code) or len(code) > Category._meta.get_field("code").max_length:
        return None  # no such code can exist, nor make a valid cache key
    category = cache.get(_service_cache_name(code))
    if category is None:
        category = _services().filter(code=code).first()
        if category is not None:
            cache.set(_service_cache_name(code), category, SERVICE_CACHE_SECONDS)
    return category


def forget_service(sender: type, instance: Category, **kwargs: Any) -> None:
    """post_save / post_delete: a changed category is looked up afresh."""
    cache.delete(_service_cache_name(instance.code))


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": category.keywords.replace("，", ","),
        "group": category.parent.name if category.parent_id else "",
    }


@require_GET
@_api
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return _render(fmt, "services", "service", [_service(c) for c in _services()])


@require_GET
@_api
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = _service_of(code)
    if category is None:
        raise ApiError(404, _("未知的 service_code。"))
    data = {"service_code": category.code, "attributes": []}
    if fmt == "json":
        return _render(fmt, "service_definition", None, data)
    top = ET.Element("service_definition")
    ET.SubElement(top, "service_code").text = category.code
    ET.SubElement(top, "attributes")
    body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode")
    return HttpResponse(body, content_type=CONTENT_TYPES["xml"])


def _public_requests():
    leads = Assignment.objects.filter(role=Assignment.Role.LEAD).exclude(
        state=Assignment.State.WITHDRAWN
    )
    return (
        Appeal.objects.filter(confidential=False)
        .select_related("category", "lead_department")
        .prefetch_related(
            Prefetch("assignments", leads.select_related("handle_clock"), to_attr="leads")
        )
    )


def _record(appeal: Appeal) -> dict[str, Any]:
    lead = appeal.leads[0] if appeal.leads else None
    clock = lead.handle_clock if lead else None
    closed = appeal.status in CLOSED
    names = [appeal.contact_name]
    return {
        "service_request_id": appeal.serial,
        "status": "closed" if closed else "open",
        "status_notes": appeal.get_status_display(),
        "service_name": appeal.category.name if appeal.category_id else "",
        "service_code": appeal.category.code if appeal.category_id else "",
        "description": mask_text(appeal.body, names=names, places=[]),
        "agency_responsible": appeal.lead_department.name if appeal.lead_department_id else "",
        "service_notice": "",
        "requested_datetime": _when(appeal.received_at),
        "updated_datetime": _when(
            appeal.closed_at if closed and appeal.closed_at else appeal.updated_at
        ),
        "expected_datetime": _when(clock.due_at) if clock and clock.due_at else None,
        "address": appeal.place,
        "address_id": "",
        "zipcode": "",
        "lat": str(appeal.lat) if appeal.lat is not None else None,
        "long": str(appeal.long) if appeal.long is not None else None,
        "media_url": "",
    }


def _moment(params: Any, name: str) -> datetime | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    invalid = ApiError(400, _("%s 不是有效的 W3C 日期时间。") % name)
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)):
            moment = datetime.combine(day, datetime.min.time())
        if moment is None:
            raise invalid
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts (up to ±23:59).
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # well formed but no real moment, or past year 9999
        raise invalid from None


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    qs = _public_requests()
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(serial__in=ids[:MAX_RESULTS])
    else:
        start, end = _moment(params, "start_date"), _moment(params, "end_date")
        if start and end and end < start:
            raise ApiError(400, _("end_date 不能早于 start_date。"))
        if start and end and end - start > MAX_SPAN:
            raise ApiError(400, _("start_date 与 end_date 相隔不能超过 90 天。"))
        try:
            end = end or (start + MAX_SPAN if start else timezone.now())
            start = start or end - MAX_SPAN
        except OverflowError:  # a span reaching past year 9999 or before year 1
            raise ApiError(400, _("start_date 或 end_date 超出可查询的范围。")) from None
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        wanted = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if wanted - {"open", "closed"}:
            raise ApiError(400, _("status 只能为 open 或 closed。"))
        if wanted == {"open"}:
            qs = qs.exclude(status__in=CLOSED)
        elif wanted == {"closed"}:
            qs = qs.filter(status__in=CLOSED)
    rows = [_record(a) for a in qs.order_by("-received_at")[:MAX_RESULTS]]
    return _render(fmt, "service_requests", "request", rows)


def _decimal(text: str, name: str, bound: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ApiError(400, _("%s 不是有效的数值。") % name) from None
    if not value.is_finite() or abs(value) > bound:
        raise ApiError(400, _("%s 超出范围。") % name)
    return value.quantize(Decimal("0.000001"))


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    api_key = actions.authenticate_key(params.get("api_key", "").strip())
    if api_key is None:
        raise ApiError(403, _("api_key 缺失或无效。"))
    code = params.get("service_code", "").strip()
    if not code:
        raise ApiError(400, _("缺少 service_code。"))
    category = _service_of(code)
    if category is None:
        raise ApiError(404, _("未知的 service_code。"))
    lat, long = params.get("lat", "").strip(), params.get("long", "").strip()
    address = params.get("address_string", "").strip() or params.get("address_id", "").strip()
    if bool(lat) != bool(long):
        raise ApiError(400, _("lat 与 long 须同时提供。"))
    if not (lat or address):
        raise ApiError(400, _("缺少位置：请提供 lat/long、address_string 或 address_id。"))
    description = nh3.clean(params.get("description", ""), tags=set()).strip()
    if len(description) > 4000:
        raise ApiError(400, _("description 不能超过 4000 个字符。"))
    name = f"{params.get('last_name', '').strip()}{params.get('first_name', '').strip()}"
    try:
        appeal = actions.submit_via_api(
            api_key,
            type=AppealType.HELP,
            category=category,
            title=f"{category.name}：{description[:20] or address[:20]}",
            body=description or category.name,
            place=address[:200],
            lat=_decimal(lat, "lat", 90) if lat else None,
            long=_decimal(long, "long", 180) if long else None,
            contact_name=name[:64],
            phone=params.get("phone", "").strip()[:32],
            email=params.get("email", "").strip()[:254] if "@" in params.get("email", "") else "",
        )
    except ActionError as error:
        raise ApiError(400, error.message) from None
    notice = _("已受理，编号 %s。") % appeal.serial
    row = {
        "service_request_id": appeal.serial,
        "token": appeal.token,
        "service_notice": notice,
        "account_id": "",
    }
    return _render(fmt, "service_requests", "request", [row], status=201)


@csrf_exempt  # the one POST from other systems; it is authenticated by api_key, not a cookie
@require_http_methods(["GET", "POST"])
@_api
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    return _create(request, fmt) if request.method == "POST" else _list(request, fmt)


@require_GET
@_api
def service_request(request: HttpRequest, serial: str, fmt: str) -> HttpResponse:
    appeal = _public_requests().filter(serial=serial).first()
    if appeal is None:
        raise ApiError(404, _("未知的 service_request_id。"))
    return _render(fmt, "service_requests", "request", [_record(appeal)])


@require_GET
@_api
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    appeal = Appeal.objects.filter(token=token).exclude(token="").first()
    if appeal is None:
        raise ApiError(404, _("未知的 token。"))
    return _render(
        fmt, "service_requests", "request", [{"service_request_id": appeal.serial, "token": token}]
    )


@require_GET
def root(request: HttpRequest) -> HttpResponse:
    """The endpoint's root leads to its discovery document."""
    return redirect("appeals:open311_discovery", fmt="xml")
