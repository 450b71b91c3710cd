from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .validators import mask_id_number, mask_mobile


class User(AbstractUser):
    """Everyone who signs in: citizens and enterprises (real-name, self-registered) and staff.

    Public users sign in with their mobile number as username. Staff accounts are made by
    administrators; what staff may do comes from their memberships in departments (org app).
    """

    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("自然人")
        ENTERPRISE = "enterprise", _("法人或其他组织")
        STAFF = "staff", _("工作人员")

    kind = models.CharField(_("用户类型"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    real_name = models.CharField(_("姓名"), max_length=64, blank=True)
    id_number = models.CharField(_("居民身份号码"), max_length=18, blank=True)
    organisation_name = models.CharField(_("单位名称"), max_length=128, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)

    # Login lockout (accounts.backends): failures counted in the current window.
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    first_failed_login_at = models.DateTimeField(_("首次失败时间"), null=True, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="unique_id_number"
            ),
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="unique_credit_code"
            ),
            models.UniqueConstraint(
                fields=["mobile"],
                condition=~Q(kind="staff") & ~Q(mobile=""),
                name="unique_public_mobile",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ENTERPRISE and self.organisation_name:
            return self.organisation_name
        return self.real_name or self.username

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.STAFF

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)
