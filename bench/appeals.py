"""Appeals per second through the Open311 API against gunicorn on SQLite.

Run from the project root: `.venv/bin/python bench/appeals.py`. Migrates a temporary SQLite
database (WAL), loads the demo, starts gunicorn on a free port of 127.0.0.1, posts appeals
from concurrent clients for a fixed time, then counts what was stored. Exits non-zero when
fewer than 200 appeals/second were acknowledged, or when acknowledged and stored differ.
The server is stopped whatever happens.
"""

import http.client
import os
import shutil
import signal
import socket
import subprocess  # noqa: S404 -- the bench runs manage.py and gunicorn
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DURATION = 10.0
CLIENTS = 8
WORKERS = 2
TARGET = 200
KEY = "demo-open311-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)  # waiting for the server to listen, not in a test
    raise RuntimeError("gunicorn did not start")


def client(port: int, stop: float, latencies: list[float], acknowledged: list[str], errors: list):
    body = urlencode(
        {
            "api_key": KEY,
            "service_code": "consumer",
            "address_string": "示例市阳光路1号",
            "description": "超市销售过期食品，请查处。",
            "phone": "13800000000",
        }
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    while time.monotonic() < stop:
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/appeals/open311/v2/requests.json", body, headers)
            response = conn.getresponse()
            data = response.read()
            conn.close()
        except OSError as error:
            errors.append(repr(error))
            continue
        latencies.append(time.perf_counter() - started)
        if response.status == 201:
            acknowledged.append(data.decode())
        else:
            errors.append(f"{response.status} {data[:200]!r}")


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="appeals-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sunshine.settings",
        "SUNSHINE_DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",  # a connection per worker, not per request
    }
    server = None
    try:
        for command in (["migrate", "-v", "0"], ["load_demo"]):
            subprocess.run(  # noqa: S603 -- fixed argv
                [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 -- fixed argv
            [
                PYTHON,
                "-m",
                "gunicorn",
                "sunshine.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        wait_for(port, time.monotonic() + 30)
        before = stored(env)
        latencies: list[float] = []
        acknowledged: list[str] = []
        errors: list[str] = []
        stop = time.monotonic() + DURATION
        threads = [
            threading.Thread(target=client, args=(port, stop, latencies, acknowledged, errors))
            for _ in range(CLIENTS)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        count = stored(env) - before
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
        rate = len(acknowledged) / elapsed
        print(
            f"{len(acknowledged)} appeals acknowledged in {elapsed:.1f} s = {rate:.0f}/s "
            f"({CLIENTS} clients, {WORKERS} gunicorn workers, SQLite WAL); "
            f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; "
            f"stored {count}; errors {len(errors)}"
        )
        for error in errors[:5]:
            print("  error:", error)
        ok = count == len(acknowledged) and rate >= TARGET
        if count != len(acknowledged):
            print("FAIL: acknowledged and stored differ")
        if rate < TARGET:
            print(f"FAIL: below the target of {TARGET}/s")
        return 0 if ok else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def stored(env: dict) -> int:
    script = (
        "from sunshine.appeals.models import Appeal; "
        "print(Appeal.objects.filter(channel='api').count())"
    )
    result = subprocess.run(  # noqa: S603 -- fixed argv
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
