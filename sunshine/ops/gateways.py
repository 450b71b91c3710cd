"""An SMS gateway that writes each message to a file, one JSON line each.

For drills and for the durability check of `make verify`, which counts what was sent: set
SMS_BACKEND=sunshine.ops.gateways.FileSMSBackend and SMS_FILE to the path. Each line is flushed
to disk before `send` returns, as a real gateway has accepted a message once its call returns.
"""

import json
import os

from django.conf import settings


class FileSMSBackend:
    def send(self, mobile: str, text: str) -> None:
        line = json.dumps({"mobile": mobile, "text": text}, ensure_ascii=False) + "\n"
        with open(settings.SMS_FILE, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
