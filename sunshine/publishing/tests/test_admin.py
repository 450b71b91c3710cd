"""Administration: administrators edit the catalogue, guides, chains, sites and terms (audited);
staff of the unit pin items and link related ones; nobody else can.
"""

import pytest
from django.test import Client
from django.urls import reverse

from sunshine.audit.models import AuditEvent
from sunshine.publishing.models import (
    Category,
    Column,
    Guide,
    Placement,
    ReviewChain,
    SensitiveTerm,
    Site,
    Theme,
)
from sunshine.publishing.tests.factories import draft, publish

pytestmark = pytest.mark.django_db

MODELS = [Category, Guide, ReviewChain, Site, Column, SensitiveTerm, Theme]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:publishing_{model._meta.model_name}_{view}", args=args)


def _inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_administrators_edit_terms_themes_and_categories(client, demo):
    client.force_login(demo.users["admin"])
    for model in MODELS:
        assert client.get(_url(model, "changelist")).status_code == 200, model
        assert client.get(_url(model, "add")).status_code == 200, model

    response = client.post(_url(SensitiveTerm, "add"), {"term": "敏感事项", "is_active": "on"})
    assert response.status_code == 302
    assert SensitiveTerm.objects.filter(term="敏感事项", is_active=True).exists()

    top = Category.objects.filter(organisation__code="SLS-SWJ", parent=None).first()
    response = client.post(
        _url(Category, "change", top.pk),
        {
            "organisation": top.organisation_id,
            "name": top.name,
            "sort_order": "3",
            "is_active": "on",
            **_inline("children", [{"name": "招标公告", "sort_order": "1", "is_active": "on"}]),
            # The existing sub-categories are left as they are.
        },
    )
    assert response.status_code == 302, response.context["errors"]
    child = Category.objects.get(parent=top, name="招标公告")
    assert child.organisation_id == top.organisation_id
    assert AuditEvent.objects.filter(verb="publishing.admin_change_category").exists()
    assert AuditEvent.objects.filter(verb="publishing.admin_save_category").exists()

    theme = Theme.objects.filter(parent__isnull=True).first()
    client.post(_url(Theme, "add"), {"name": "营商环境", "parent": theme.pk, "sort_order": "99"})
    assert Theme.objects.filter(parent=theme, name="营商环境").exists()


def test_administrators_edit_the_guide_sites_and_chain(client, demo):
    client.force_login(demo.users["admin"])
    guide = Guide.objects.get(organisation__code="SLS-SWJ")
    fields = {
        name: getattr(guide, name)
        for name in [
            "arrangement",
            "obtaining",
            "requesting",
            "remedies",
            "office_name",
            "address",
            "hours",
            "fax",
            "email",
        ]
    }
    response = client.post(
        _url(Guide, "change", guide.pk),
        {**fields, "organisation": guide.organisation_id, "phone": "0744-8888888"},
    )
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.phone == "0744-8888888"

    site = Site.objects.get(code="swj")
    columns = list(site.columns.all())
    rows = [
        {"id": c.pk, "site": site.pk, "slug": c.slug, "name": c.name, "sort_order": c.sort_order}
        for c in columns
    ]
    rows.append({"slug": "zcwd", "name": "政策问答", "sort_order": "50"})
    response = client.post(
        _url(Site, "change", site.pk),
        {
            "code": site.code,
            "name": site.name,
            "organisation": site.organisation_id,
            **_inline("columns", rows, initial=len(columns)),
        },
    )
    assert response.status_code == 302, response.context["errors"]
    assert site.columns.filter(slug="zcwd", name="政策问答").exists()

    organisation = demo.departments["SLS-SCJG"]
    response = client.post(
        _url(ReviewChain, "add"),
        {
            "organisation": organisation.pk,
            "name": "市场监管局信息发布审核",
            **_inline(
                "steps",
                [
                    {"order": "1", "name": "科室审核", "role": "reviewer"},
                    {"order": "2", "name": "保密审查", "role": "secrecy"},
                ],
            ),
        },
    )
    assert response.status_code == 302, response.context["errors"]
    chain = ReviewChain.objects.get(organisation=organisation)
    assert [s.name for s in chain.steps.all()] == ["科室审核", "保密审查"]


def test_a_step_with_decisions_is_not_deleted(client, demo):
    item = publish(demo, draft(demo))
    chain = ReviewChain.objects.get(organisation=item.organisation)
    steps = list(chain.steps.all())
    rows = [
        {"id": s.pk, "chain": chain.pk, "order": s.order, "name": s.name, "role": s.role}
        for s in steps
    ]
    rows[0]["DELETE"] = "on"
    client.force_login(demo.users["admin"])
    response = client.post(
        _url(ReviewChain, "change", chain.pk),
        {
            "organisation": chain.organisation_id,
            "name": chain.name,
            **_inline("steps", rows, initial=len(rows)),
        },
    )
    assert response.status_code == 200
    assert "受保护的相关对象" in response.text  # Django's own refusal, kept for the record
    assert chain.steps.count() == len(steps)


@pytest.mark.parametrize("username", ["officer", "deputy", "director"])
def test_others_cannot_administer(client, demo, username):
    client.force_login(demo.users[username])
    for model in MODELS:
        response = client.get(_url(model, "changelist"))
        assert response.status_code in (302, 403), model
    count = SensitiveTerm.objects.count()
    client.post(_url(SensitiveTerm, "add"), {"term": "敏感事项", "is_active": "on"})
    assert SensitiveTerm.objects.count() == count


def test_leaders_pin_and_link_related_items(client, demo):
    document = publish(demo, draft(demo, title="关于促进老字号发展的若干措施"))
    reading = publish(demo, draft(demo, title="《关于促进老字号发展的若干措施》政策解读"))
    placement = Placement.objects.filter(publication=document).first()
    visitor = Client()  # anonymous: served the cached page
    page_url = reverse("publishing:item", args=[document.pk])
    assert reading.title not in visitor.get(page_url).text

    client.force_login(demo.users["officer"])  # may see the item, may not manage it
    pin = reverse("publishing:pin", args=[document.pk, placement.pk])
    assert client.post(pin, {"pinned": "1"}).status_code == 403
    related = reverse("publishing:related", args=[document.pk])
    client.post(related, {"index_numbers": reading.index_number})
    assert not document.related.exists()

    client.force_login(demo.users["deputy"])
    assert client.post(pin, {"pinned": "1"}).status_code == 302
    placement.refresh_from_db()
    assert placement.pinned
    column = client.get(
        reverse("publishing:column", args=[placement.column.site.code, placement.column.slug])
    )
    assert column.context["page"].object_list[0].publication == document

    response = client.post(related, {"index_numbers": f"{reading.index_number}\nXX/2026-99999"})
    assert "找不到已发布的信息：XX/2026-99999" in client.get(response.url).text
    assert not document.related.exists()
    client.post(related, {"index_numbers": reading.index_number})
    assert list(reading.related.all()) == [document]  # mutual
    assert reading.title in visitor.get(page_url).text
    assert document.title in visitor.get(reverse("publishing:item", args=[reading.pk])).text
    assert AuditEvent.objects.filter(verb="publishing.set_related").exists()
    client.post(related, {"index_numbers": ""})
    assert not document.related.exists()
    assert "相关文件" not in visitor.get(reverse("publishing:item", args=[reading.pk])).text
