"""The audit log: an append-only, hash-chained record of every action in the system.

Each event carries the sha256 of its own content and of the event before it, so that a row
changed or removed behind the application's back breaks the chain (`audit_verify` finds it).
Database triggers (see triggers.py) refuse UPDATE and DELETE; the model refuses them too, with
a clearer message than the database's.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .triggers import TABLE

# The prev_hash of the first event.
GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event through the ORM."""

    def __init__(self) -> None:
        super().__init__(_("审计事件一经写入，不能修改或删除。"))


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError()


class AuditEventQuerySet(models.QuerySet):
    # Bulk writes bypass save(); refuse them before the database trigger has to.
    update = _refuse
    delete = _refuse


class AuditEvent(models.Model):
    """One action: who did what to which object, when and from where, and what changed."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    at = models.DateTimeField(_("时间"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The actor's name at the time, so the record reads the same after renames.
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    verb = models.CharField(_("操作"), max_length=100)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    client_address = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = TABLE
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
            models.Index(fields=["verb", "at"], name="audit_verb_at_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb}"

    def save(self, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError()
        # Never let Django try an UPDATE first because the primary key happens to be set.
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError()


class AuditChainHead(models.Model):
    """The last event's seq and hash, in a single row.

    Every append locks this row (SELECT ... FOR UPDATE), so on PostgreSQL appends queue up and
    seq stays gap-free; it also lets `audit_verify` notice when the newest events are removed.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_chain_head_single")]

    def __str__(self) -> str:
        return f"#{self.seq}"
