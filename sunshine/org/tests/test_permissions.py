import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from sunshine.org.models import Department, Role
from sunshine.org.permissions import (
    PermissionDenied,
    can,
    departments_for,
    has_role,
    require,
    rule,
)


@pytest.mark.django_db
def test_department_tree_paths(demo):
    d = demo.departments
    assert d["SLS-SWJ-FGK"].path.startswith(d["SLS-SWJ"].path)
    assert set(d["SLS-SWJ"].descendants().values_list("code", flat=True)) == {
        "SLS-SWJ",
        "SLS-SWJ-BGS",
        "SLS-SWJ-FGK",
        "SLS-SWJ-JCS",
        "SLS-SWJ-SCYX",
    }
    assert [x.code for x in d["SLS-SWJ-FGK"].ancestors()] == ["SLS", "SLS-SWJ", "SLS-SWJ-FGK"]
    # Moving a subtree moves every path under it.
    bureau = d["SLS-SWJ"]
    bureau.parent = d["SLS-ZFB"]
    bureau.save()
    section = Department.objects.get(code="SLS-SWJ-FGK")
    assert section.path.startswith(Department.objects.get(code="SLS-ZFB").path)


@pytest.mark.django_db
def test_roles_cover_the_subtree_only(demo):
    u, d = demo.users, demo.departments
    assert has_role(u["reviewer"], Role.REVIEWER, d["SLS-SWJ-SCYX"])
    assert not has_role(u["reviewer"], Role.REVIEWER, d["SLS-SWJ-FGK"])
    assert has_role(u["director"], Role.LEADER, d["SLS-SWJ-FGK"])
    assert not has_role(u["director"], Role.LEADER, d["SLS-SCJG"])
    assert set(departments_for(u["deputy"]).values_list("code", flat=True)) == {
        "SLS-SWJ",
        "SLS-SWJ-BGS",
        "SLS-SWJ-FGK",
        "SLS-SWJ-JCS",
        "SLS-SWJ-SCYX",
    }
    assert not departments_for(u["13800000001"]).exists()


@pytest.mark.django_db
def test_foundation_rules(demo):
    u, d = demo.users, demo.departments
    citizen = u["13800000001"]
    assert can(u["admin"], "admin.manage") and not can(u["director"], "admin.manage")
    assert can(citizen, "accounts.view_pii", citizen)
    assert not can(u["handler"], "accounts.view_pii", citizen)
    assert can(u["admin"], "accounts.view_pii", citizen)
    assert can(u["handler"], "portal.workbench") and not can(citizen, "portal.workbench")
    assert can(u["supervisor"], "audit.view") and not can(u["handler"], "audit.view")
    assert can(u["market"], "org.view_department", d["SLS-SCJG"])
    assert not can(u["market"], "org.view_department", d["SLS-SWJ"])
    assert can(u["city_supervisor"], "org.view_department", d["SLS-SWJ-FGK"])
    # Unknown actions and anonymous visitors are denied.
    assert not can(u["admin"], "no.such_action")
    assert not can(AnonymousUser(), "portal.workbench")
    with pytest.raises(PermissionDenied):
        require(citizen, "admin.manage")
    # An inactive account holds no role.
    handler = u["handler"]
    handler.is_active = False
    assert not can(handler, "portal.workbench")


def test_a_rule_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        rule("admin.manage")(lambda user, obj: True)


@pytest.mark.django_db
def test_admin_site_is_for_administrators_only(client, demo):
    client.force_login(demo.users["13800000001"])
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(demo.users["director"])
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(demo.users["admin"])
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:org_department_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


@pytest.mark.django_db
def test_admin_changes_are_audited(client, demo):
    from sunshine.audit.models import AuditEvent

    client.force_login(demo.users["admin"])
    dept = demo.departments["SLS-SCJG"]
    url = reverse("admin:org_department_change", args=[dept.pk])
    response = client.post(
        url,
        {
            "name": "示例市市场监管局",
            "short_name": "",
            "code": dept.code,
            "kind": dept.kind,
            "parent": dept.parent_id,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(verb="org.admin_change_department")
    assert event.before["name"] == "示例市市场监督管理局"
    assert event.after["name"] == "示例市市场监管局"
    assert event.actor == demo.users["admin"]


@pytest.mark.django_db
def test_sections_act_for_their_bureau(demo):
    from sunshine.org.permissions import acts_within

    u, d = demo.users, demo.departments
    # 市场运行科's handler acts for 商务局 and for his section, not for 法规科 or 市场监管局.
    assert acts_within(u["handler"], Role.HANDLER, d["SLS-SWJ"])
    assert acts_within(u["handler"], Role.HANDLER, d["SLS-SWJ-SCYX"])
    assert not acts_within(u["handler"], Role.HANDLER, d["SLS-SWJ-FGK"])
    assert not acts_within(u["handler"], Role.HANDLER, d["SLS-SCJG"])
    assert not acts_within(u["handler"], Role.LEADER, d["SLS-SWJ"])
    # The director of 商务局 acts for its sections too.
    assert acts_within(u["director"], Role.LEADER, d["SLS-SWJ-FGK"])
    assert not acts_within(AnonymousUser(), Role.values, d["SLS"])
