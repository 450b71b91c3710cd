from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sunshine.audit.chain import verify_chain


class Command(BaseCommand):
    help = "校验审计日志的哈希链：逐条重算哈希，检查前后链接与序号连续。发现问题时以非零状态退出。"

    def handle(self, *args, **options):
        report = verify_chain()
        if fault := report.fault:
            message = _(
                "审计日志校验失败：序号 %(seq)d（id %(id)s）处%(fault)s。"
                "此前 %(checked)d 条事件完好。"
            )
            raise CommandError(
                message
                % {
                    "seq": fault.seq,
                    "id": "—" if fault.event_id is None else fault.event_id,
                    "fault": fault.kind.label,
                    "checked": report.checked,
                }
            )
        self.stdout.write(_("审计日志完整：已校验 %(count)d 条事件。") % {"count": report.checked})
