"""An SMS gateway that writes each message to a file, one JSON line each.

For drills and for the durability check of `make verify`, which counts what was sent: set
SMS_BACKEND=sunshine.ops.gateways.FileSMSBackend and SMS_FILE to the path. It behaves as the
gateway contract in supervision.notify asks: a message handed over again with a key it has
already accepted is not sent again, only noted as a repeat. A line is on disk before `send`
returns, as a real gateway has accepted a message once its call returns.
"""

import fcntl
import json
import os

from django.conf import settings


class FileSMSBackend:
    def send(self, mobile: str, text: str, *, key: str) -> None:
        with open(settings.SMS_FILE, "a+", encoding="utf-8") as handle:
            # Several workers send at once: check and append under one lock.
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            repeat = any(json.loads(line)["key"] == key for line in handle if line.strip())
            line = {"key": key, "mobile": mobile, "text": text, "repeat": repeat}
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
