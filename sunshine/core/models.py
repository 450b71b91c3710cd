from django.db import models


class Counter(models.Model):
    """A named, gap-free sequence (索引号, 受理编号, 工单编号): each number is issued once."""

    key = models.CharField(max_length=128, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class Submission(models.Model):
    """The one-time key of a form that created something, kept with what it created."""

    key = models.CharField(max_length=32, unique=True)
    user_id = models.BigIntegerField(null=True)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
