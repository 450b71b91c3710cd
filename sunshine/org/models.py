from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A node of the government's tree: 人民政府 → 局/办 → 科室, and 乡镇/街道.

    `path` is the chain of ids from the root ("/1/4/9/"), kept by the save path, so that
    "this department and everything under it" is one indexed prefix query.
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("人民政府")
        BUREAU = "bureau", _("局/办")
        SECTION = "section", _("科室")
        TOWNSHIP = "township", _("乡镇/街道")
        OTHER = "other", _("其他单位")

    name = models.CharField(_("名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    code = models.CharField(_("机构代码"), max_length=32, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["path", "sort_order"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)
            if old:
                # A move: every descendant's path begins with the old prefix.
                for child in type(self).objects.filter(path__startswith=old).exclude(pk=self.pk):
                    child.path = path + child.path[len(old) :]
                    type(self).objects.filter(pk=child.pk).update(path=child.path)

    def ancestors(self) -> models.QuerySet["Department"]:
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return type(self).objects.filter(pk__in=ids).order_by("path")

    def descendants(self, include_self: bool = True) -> models.QuerySet["Department"]:
        qs = type(self).objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)


class Role(models.TextChoices):
    """Roles are held per department (a Membership); a role covers the department's subtree."""

    WINDOW = "window", _("窗口受理")
    HANDLER = "handler", _("承办")
    REVIEWER = "reviewer", _("审核")
    SECRECY = "secrecy", _("保密审查")
    DEPUTY_LEADER = "deputy_leader", _("分管领导")
    LEADER = "leader", _("主要领导")
    INFO_OFFICER = "info_officer", _("信息员")
    LEGAL = "legal", _("法规审查")
    SUPERVISOR = "supervisor", _("监察")
    ADMIN = "admin", _("管理员")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    title = models.CharField(_("职务"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.get_role_display()}"
