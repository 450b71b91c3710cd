from django.db import models


class Counter(models.Model):
    """A named, gap-free sequence (索引号, 受理编号, 工单编号): each number is issued once."""

    key = models.CharField(max_length=128, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
