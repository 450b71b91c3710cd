from typing import Any

from django.core.management.base import BaseCommand

from sunshine.publishing.actions import index_publication
from sunshine.publishing.models import Publication


class Command(BaseCommand):
    help = "重建全部已发布公开信息的检索索引（检索内容的构成改变后运行一次）。"

    def handle(self, *args: Any, **options: Any) -> None:
        items = Publication.objects.filter(state=Publication.State.PUBLISHED).prefetch_related(
            "attachments"
        )
        count = 0
        for publication in items.iterator(chunk_size=500):
            index_publication(publication)
            count += 1
        self.stdout.write(f"已重建 {count} 条公开信息的检索索引。")
