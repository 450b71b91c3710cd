from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunshine.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库和上传的文件（一致性快照）到指定目录。"

    def add_arguments(self, parser):
        parser.add_argument("destination", help="备份存放目录，如 /var/backups/sunshine")

    def handle(self, *args, destination, **options):
        try:
            folder = create_backup(Path(destination))
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(folder))
