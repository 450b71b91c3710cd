"""The SIGKILL drill: nothing acknowledged is lost, every queued notification is sent once.

Runs against a stack started by `scripts/serve` (SERVE_DIR names it; `make verify` starts a
fresh one). For a bounded time, concurrent clients post appeals through nginx to the Open311
API (the appeals benchmark's load) while waves of notifications are queued. Meanwhile the app
server (gunicorn's master and all its workers) and then the task processes (worker and
scheduler) are killed with SIGKILL and started again. Afterwards:

- every appeal acknowledged to a client (201 with its number) is in the database;
- every queued notification has been delivered, and sent exactly once: a worker killed after
  handing a message over hands it over again with the same key, which the gateway (here
  ops.gateways.FileSMSBackend, which writes what it sends) recognises and does not resend.

Usage: python scripts/durability.py [--seconds 24] [--clients 6] [--waves 8]. Exits 1 on a loss.
"""

import argparse
import http.client
import json
import os
import signal
import subprocess  # noqa: S404 -- the drill restarts the stack with scripts/serve
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SERVE_DIR = Path(os.environ.get("SERVE_DIR", ROOT / "var" / "serve")).resolve()


def load_stack_env() -> None:
    for line in (SERVE_DIR / "env").read_text().splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            os.environ[name] = value


def post_appeals(port: int, stop: float, acknowledged: list[str], refused: Counter) -> None:
    """One client: post until the time is up; count what the server acknowledged."""
    body = urlencode(
        {
            "api_key": "demo-open311-key",
            "service_code": "consumer",
            "address_string": "示例市阳光路1号",
            "description": "超市销售过期食品，请查处。",
            "phone": "13800000000",
        }
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    while time.monotonic() < stop:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/appeals/open311/v2/requests.json", body, headers)
            response = conn.getresponse()
            data = response.read()
            conn.close()
        except OSError as error:
            refused[type(error).__name__] += 1
            time.sleep(0.05)  # the server is down; a client waits before it tries again
            continue
        if response.status == 201:
            acknowledged.append(json.loads(data)[0]["service_request_id"])
        else:
            refused[f"HTTP {response.status}"] += 1
            time.sleep(0.05)  # as above: nginx answers 502 while the app server is down


def kill_tree(pid_file: Path) -> list[int]:
    """SIGKILL a process and its children at once: no chance to finish anything."""
    pid = int(pid_file.read_text())
    children = subprocess.run(  # noqa: S603 -- fixed command
        ["/usr/bin/pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    victims = [pid, *map(int, children)]
    for victim in victims:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return victims


def restart() -> None:
    subprocess.run(  # noqa: S603 -- fixed command
        ["/bin/bash", str(ROOT / "scripts" / "serve"), "revive"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=24)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--waves", type=int, default=8)
    parser.add_argument("--per-wave", type=int, default=40)
    args = parser.parse_args()

    load_stack_env()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from sunshine.appeals.models import Appeal
    from sunshine.supervision.models import Notification
    from sunshine.supervision.tasks import deliver_notifications

    run = uuid.uuid4().hex[:8]
    sms_file = Path(settings.SMS_FILE)
    recipient = get_user_model().objects.exclude(mobile="").order_by("pk").first()
    if recipient is None:
        print("durability: no user with a mobile number; load the demo first")
        return 2

    port = int(os.environ["SERVE_PORT"])
    stop = time.monotonic() + args.seconds
    acknowledged: list[str] = []
    refused: Counter = Counter()
    clients = [
        threading.Thread(target=post_appeals, args=(port, stop, acknowledged, refused))
        for _ in range(args.clients)
    ]
    for thread in clients:
        thread.start()

    subjects: list[str] = []
    kills: list[str] = []
    started = time.monotonic()
    wave_gap = args.seconds / (args.waves + 1)
    for wave in range(args.waves):
        batch = [
            Notification(
                recipient=recipient,
                subject=f"durability {run} {wave}-{i}",
                created_at=timezone.now(),
            )
            for i in range(args.per_wave)
        ]
        Notification.objects.bulk_create(batch)
        subjects += [n.subject for n in batch]
        deliver_notifications.enqueue()
        if wave == args.waves // 3:
            victims = kill_tree(SERVE_DIR / "run" / "gunicorn.pid")
            kills.append(f"{time.monotonic() - started:5.1f}s SIGKILL gunicorn {victims}")
            restart()
        if wave == 2 * args.waves // 3:
            victims = kill_tree(SERVE_DIR / "run" / "worker.pid")
            victims += kill_tree(SERVE_DIR / "run" / "scheduler.pid")
            kills.append(f"{time.monotonic() - started:5.1f}s SIGKILL worker, scheduler {victims}")
            restart()
        time.sleep(wave_gap)  # pacing the waves of a drill, not a test waiting for a result
    for thread in clients:
        thread.join()

    # Whatever a dead worker took with it, the scheduler's minute tick queues delivery again.
    waiting_until = time.monotonic() + 150
    pending = Notification.objects.filter(subject__in=subjects, delivered_at__isnull=True)
    while pending.exists() and time.monotonic() < waiting_until:
        time.sleep(1)  # waiting for the workers of the stack under test
    undelivered = pending.count()

    sent: Counter = Counter()
    repeats = 0
    if sms_file.exists():
        for line in sms_file.read_text(encoding="utf-8").splitlines():
            message = json.loads(line)
            if message["text"].startswith(f"durability {run} "):
                if message["repeat"]:
                    repeats += 1  # handed over again after a kill; the key stopped a resend
                else:
                    sent[message["text"]] += 1
    missing_sms = [s for s in subjects if sent[s] == 0]
    twice = [s for s, n in sent.items() if n > 1]
    stored = set(Appeal.objects.filter(serial__in=acknowledged).values_list("serial", flat=True))
    lost = [serial for serial in acknowledged if serial not in stored]

    for line in kills:
        print(f"durability: {line}")
    print(
        f"durability: appeals acknowledged {len(acknowledged)}, stored {len(stored)}, "
        f"lost {len(lost)}; refused while down: {dict(refused)}"
    )
    print(
        f"durability: notifications queued {len(subjects)}, undelivered {undelivered}, "
        f"not received by the gateway {len(missing_sms)}, sent twice {len(twice)} "
        f"(handed over again after a kill and stopped by the message key: {repeats})"
    )
    ok = not lost and not undelivered and not missing_sms and not twice and len(kills) == 2
    print("durability: " + ("held" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
