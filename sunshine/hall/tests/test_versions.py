"""Service item versions: an application stays on the guide it was filed under (issue #5)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models.fields.files import FieldFile

from sunshine.audit.models import AuditEvent
from sunshine.core.testing import race
from sunshine.errors import ActionError
from sunshine.hall import actions
from sunshine.hall.models import Application, ServiceItem
from sunshine.org.permissions import PermissionDenied
from sunshine.workflow.models import ProcessDefinition

from .test_hall import AT, DATA, files, item, submitted

LATER = AT + timedelta(days=60)
NEW_MATERIAL = {"name": "安全评价报告", "required": True, "originals": 1, "copies": 0,
                "basis": "《成品油市场管理办法》第十四条"}  # fmt: skip
NEW_FEE = {"name": "批准证书工本费", "standard": "每份 20 元", "amount": Decimal("20.00"),
           "basis": "示例省发展改革委 示发改价费〔2026〕3号"}  # fmt: skip


@pytest.fixture(autouse=True)
def in_force(demo) -> None:
    """The demo items took effect at the start of the year (the loader dates them today)."""
    ServiceItem.objects.update(effective_from=date(2026, 1, 1))


def v2(demo, base: ServiceItem | None = None, **changes) -> ServiceItem:
    """The next version: a shorter committed limit, one more material and a fee."""
    base = base or item()
    materials = [actions.guide_values(m) for m in base.materials.all()] + [NEW_MATERIAL]
    return actions.publish_version(
        demo.users["admin"],
        base,
        changes={"committed_limit": 18, "free": False, **changes},
        materials=materials,
        fees=[NEW_FEE],
        at=LATER,
    )


def test_an_application_keeps_the_version_it_was_filed_under(demo, client):
    app = submitted(demo)
    v1 = app.item
    v1_materials = list(v1.materials.values_list("name", flat=True))
    new = v2(demo)
    app = Application.objects.get(pk=app.pk)
    assert app.item_id == v1.pk
    assert list(app.item.materials.values_list("name", flat=True)) == v1_materials
    assert app.item.committed_limit == 20 and app.item.free and not app.item.fees.exists()
    assert not app.item.is_current and app.item.version == 1
    assert new.version == 2 and new.is_current and new.effective_from == LATER.date()
    assert "安全评价报告" in new.materials.values_list("name", flat=True)
    assert list(new.fees.values_list("amount", flat=True)) == [Decimal("20.00")]
    # everything not changed is taken over: legal bases, co-departments, themes, the process
    assert [b.law for b in new.bases.all()] == [b.law for b in v1.bases.all()]
    assert set(new.co_departments.all()) == set(v1.co_departments.all())
    assert set(new.themes.all()) == set(v1.themes.all())
    assert new.process_id == v1.process_id
    event = AuditEvent.objects.get(verb="hall.publish_version")
    assert event.before["committed_limit"] == 20 and event.after["committed_limit"] == 18
    assert event.before["version"] == 1 and event.after["version"] == 2

    # accepted after v2 is out, the case still runs on v1's limits
    actions.accept(demo.users["window"], app, at=LATER)
    app.refresh_from_db()
    assert app.committed_clock.limit == 20

    client.force_login(demo.users["13800000002"])
    page = client.get(f"/hall/applications/{app.pk}/").content.decode()
    assert f"办事指南第 1 版，{v1.effective_from:%Y-%m-%d} 起施行" in page
    assert f'href="/hall/items/{v1.pk}/"' in page and "已被新版本取代" in page
    assert "承诺 20 个工作日，法定 45 个工作日" in page and "批准证书工本费" not in page
    client.force_login(demo.users["handler"])  # the officer's view of the case
    page = client.get(f"/hall/applications/{app.pk}/").content.decode()
    assert "办事指南第 1 版" in page and "承诺 20 个工作日" in page


def test_the_guide_shows_the_current_version_and_the_old_one_says_superseded(demo, client):
    v1 = item()
    new = v2(demo)
    catalogue = client.get("/hall/?q=加油站").content.decode()
    assert f"/hall/items/{new.pk}/" in catalogue and f"/hall/items/{v1.pk}/" not in catalogue
    current = client.get(f"/hall/items/{new.pk}/").content.decode()
    assert "安全评价报告" in current and "批准证书工本费" in current
    assert "本版本已被取代" not in current and "版本记录" in current
    old = client.get(f"/hall/items/{v1.pk}/").content.decode()
    assert "本版本已被取代" in old and f"已于 {LATER:%Y-%m-%d} 被第 2 版取代" in old
    assert f'href="/hall/items/{new.pk}/"' in old and "安全评价报告" not in old
    assert "后可在线申请" in current and "后可在线申请" not in old
    client.force_login(demo.users["13800000002"])
    assert "在线申请" not in client.get(f"/hall/items/{v1.pk}/").content.decode()
    stale = client.get(f"/hall/items/{v1.pk}/apply/")
    assert stale.status_code == 302 and stale["Location"] == f"/hall/items/{new.pk}/"
    with pytest.raises(PermissionDenied):
        actions.save_draft(demo.users["13800000002"], v1, data=DATA, files=files(v1))


def test_a_draft_under_a_superseded_version_cannot_be_filed(demo, client):
    user = demo.users["13800000002"]
    v1 = item()
    draft = actions.save_draft(user, v1, data=DATA, files=files(v1), at=AT)
    new = v2(demo)
    with pytest.raises(PermissionDenied):
        actions.submit(user, draft, at=LATER)
    with pytest.raises(PermissionDenied):
        actions.register_at_counter(demo.users["window"], v1, applicant=user, data=DATA,
                                    files=files(v1), at=LATER)  # fmt: skip
    client.force_login(user)
    page = client.get(f"/hall/applications/{draft.pk}/").content.decode()
    assert "不能再提交" in page and f'href="/hall/items/{new.pk}/"' in page
    assert "提交申请" not in page
    app = actions.save_draft(user, new, data=DATA, files=files(new), at=LATER)
    assert actions.submit(user, app, at=LATER).item_id == new.pk


def test_a_running_case_keeps_its_workflow_definition(demo):
    app = submitted(demo)
    old = app.item.process
    steps = list(app.instance.tasks.values_list("pk", "step_key", "due_at"))
    process = ProcessDefinition.objects.create(
        key=old.key, version=old.version + 1, name=old.name, committed_limit=old.committed_limit,
        spec={"steps": old.spec["steps"][:1] + old.spec["steps"][-1:]},
        status=ProcessDefinition.Status.PUBLISHED,
    )  # fmt: skip
    new = v2(demo, process=process)
    assert new.process_id == process.pk
    app = Application.objects.select_related("instance", "item").get(pk=app.pk)
    assert app.item.process_id == old.pk and app.instance.definition_id == old.pk
    assert list(app.instance.tasks.values_list("pk", "step_key", "due_at")) == steps
    draft = ProcessDefinition.objects.create(
        key=old.key, version=old.version + 2, name=old.name, committed_limit=old.committed_limit,
        spec=old.spec,
    )  # fmt: skip
    with pytest.raises(ActionError, match="已发布的审批流程"):
        v2(demo, base=new, process=draft)


def test_only_administrators_publish_and_bad_edits_are_refused(demo):
    v1 = item()
    for username in ("window", "handler", "director", "supervisor", "13800000002"):
        with pytest.raises(PermissionDenied):
            actions.publish_version(demo.users[username], v1, changes={"committed_limit": 18})
    admin = demo.users["admin"]
    early = AT.replace(year=2025)
    for changes, at, message in (
        ({"committed_limit": 60}, LATER, "承诺办结时限不得超过法定办结时限"),
        ({"version": 9}, LATER, "不能修改"),
        ({"impl_code": "X-1"}, LATER, "不能修改"),
        ({"is_current": False, "bogus": 1}, LATER, "不能修改：bogus、is_current"),
        ({"name": "x" * 300}, LATER, "事项名称"),
        ({}, LATER, "没有修改"),
        ({"place": "新址"}, early, "不能早于第 1 版的施行日期 2026-01-01"),
    ):
        with pytest.raises(ActionError, match=message):
            actions.publish_version(admin, v1, changes=changes, at=at)
    with pytest.raises(ActionError, match="收费"):
        actions.publish_version(admin, v1, fees=[{**NEW_FEE, "amount": Decimal("-1")}])
    v1.refresh_from_db()
    assert v1.is_current and ServiceItem.objects.filter(impl_code=v1.impl_code).count() == 1
    assert not AuditEvent.objects.filter(verb="hall.publish_version").exists()


def test_an_edit_from_a_superseded_version_is_refused(demo):
    v1 = item()
    v2(demo, base=v1)
    with pytest.raises(ActionError, match="已发布第 2 版"):
        actions.publish_version(demo.users["admin"], v1, changes={"place": "新址"}, at=LATER)
    assert ServiceItem.objects.filter(impl_code=v1.impl_code).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_publications_at_once_never_lose_an_edit(demo):
    v1 = item()
    admin = demo.users["admin"]
    outcomes = race(
        lambda: actions.publish_version(admin, v1, changes={"place": "甲址"}, at=LATER),
        lambda: actions.publish_version(admin, v1, changes={"hours": "全天"}, at=LATER),
    )
    assert outcomes[0] == "ok" and "已发布第 2 版" in outcomes[1]
    versions = ServiceItem.objects.filter(impl_code=v1.impl_code).order_by("version")
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert AuditEvent.objects.filter(verb="hall.publish_version").count() == 1
    published = versions[1]
    assert (published.place == "甲址") != (published.hours == "全天")  # exactly one edit, whole


def _posted(*forms) -> dict:
    """The forms' values as the browser posts them back (files left as they are)."""
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is True:
                data[field.html_name] = "on"
            elif value is not None and value is not False and not isinstance(value, FieldFile):
                data[field.html_name] = value
    return data


def _admin_post(client, it: ServiceItem, **overrides) -> dict:
    """The admin change form of a version, as it would be posted back with `overrides`."""
    context = client.get(f"/admin/hall/serviceitem/{it.pk}/change/").context
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    return {**_posted(*forms), **overrides}


def test_saving_in_the_admin_publishes_a_version(demo, client):
    v1 = item()
    app = submitted(demo)
    client.force_login(demo.users["admin"])
    data = _admin_post(client, v1, committed_limit=18, **{"materials-0-name": "申请书（新版）"})
    response = client.post(f"/admin/hall/serviceitem/{v1.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    new = ServiceItem.objects.get(impl_code=v1.impl_code, is_current=True)
    assert new.version == 2 and new.committed_limit == 18
    assert new.materials.first().name == "申请书（新版）"
    assert new.materials.count() == v1.materials.count() and new.bases.count() == 1
    v1.refresh_from_db()
    assert not v1.is_current and v1.committed_limit == 20
    assert v1.materials.first().name == "申请书"
    assert Application.objects.get(pk=app.pk).item_id == v1.pk
    assert AuditEvent.objects.filter(verb="hall.publish_version", object_id=str(new.pk)).exists()
    # the old version is read-only now; its stale form is refused with the reason
    assert (
        'name="_save"' in client.get(f"/admin/hall/serviceitem/{new.pk}/change/").content.decode()
    )
    page = client.get(f"/admin/hall/serviceitem/{v1.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    stale = client.post(f"/admin/hall/serviceitem/{v1.pk}/change/", data, follow=True)
    assert "已发布第 2 版" in stale.content.decode()
    assert ServiceItem.objects.filter(impl_code=v1.impl_code).count() == 2
    client.force_login(demo.users["director"])
    assert client.post(f"/admin/hall/serviceitem/{new.pk}/change/", data).status_code in (302, 403)
    assert ServiceItem.objects.filter(impl_code=v1.impl_code).count() == 2
