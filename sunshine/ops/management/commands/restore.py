from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sunshine.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "从备份目录恢复数据库和上传的文件。请先停止应用服务和后台任务。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="backup 命令生成的备份目录")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据")

    def handle(self, *args, folder, yes, **options):
        if not yes:
            raise CommandError("恢复将覆盖当前的全部数据。确认后请加上 --yes 再执行。")
        try:
            manifest = restore_backup(Path(folder))
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"已恢复到 {manifest['created_at']} 的备份。")
