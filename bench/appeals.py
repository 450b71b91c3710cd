"""Appeals per second through the Open311 API against gunicorn on SQLite, beside a bare view.

Run from the project root: `.venv/bin/python bench/appeals.py`. Migrates a temporary SQLite
database (WAL), loads the demo and starts gunicorn with the production configuration
(deploy/gunicorn.conf.py, 2 × cores + 1 workers, but threaded: 8 threads each) on a free
port of 127.0.0.1.
Concurrent clients then post appeals for a fixed time, in rounds alternating with the same
posts to a bare view (same middleware, same server, same clients): on a shared machine the
ratio of the two says more than either figure. Afterwards the acknowledged numbers are compared
with the stored ones (they must be the same set), and one intake is timed in this process
(wall and CPU time, SQL statements) through Django's WSGI handler without the network.

BENCH_SECONDS (default 10, per side), BENCH_CLIENTS (8), GUNICORN_WORKERS and GUNICORN_THREADS
(1: sync workers) shorten or reshape a run while iterating. Exits non-zero when fewer than 200
appeals/second were acknowledged, or when acknowledged and stored differ. The server is stopped
whatever happens.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess  # noqa: S404 -- the bench runs gunicorn
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO, StringIO
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
ROUNDS = 4  # bare and intake alternate, so that both see the same load from other processes
TARGET = 200
KEY = "demo-open311-key"
INTAKE = "/appeals/open311/v2/requests.json"
BARE = "/bench-bare/"
BODY = urlencode(
    {
        "api_key": KEY,
        "service_code": "consumer",
        "address_string": "示例市阳光路1号",
        "description": "超市销售过期食品，请查处。",
        "phone": "13800000000",
    }
)
HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}

# --- served by gunicorn: the project's URLs plus a bare view with the same middleware -------
if os.environ.get("BENCH_SERVE"):
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.http import HttpResponse
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def bare(request):
        """What any POST costs here: the form parsed, a small JSON answer."""
        body = json.dumps([{"service_request_id": request.POST.get("service_code", "")}])
        return HttpResponse(body, status=201, content_type="application/json; charset=utf-8")

    urlpatterns = [path(BARE.strip("/") + "/", bare), path("", include("sunshine.urls"))]
    settings.ROOT_URLCONF = __name__
    application = get_wsgi_application()


@dataclass
class Load:
    """What the clients saw on one path, summed over the rounds."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.acknowledged) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, int(len(ordered) * share) - 1)] * 1000 if ordered else float("nan")

    def cpu_per_request(self, cpu: float) -> float:
        return cpu / len(self.acknowledged) * 1000 if self.acknowledged else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, url: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", url, BODY, HEADERS)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def in_threads(target: Callable[[], object], count: int) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def wait_for(port: int, server: subprocess.Popen, workers: int) -> None:
    """Until every worker answers: concurrent posts to the bare view all succeed at once."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        results: list[int] = []
        in_threads(lambda: results.append(try_post(port)), workers * 2)
        if results.count(201) == len(results):
            return
        time.sleep(0.2)  # waiting for the workers to boot, not in a test
    raise RuntimeError("gunicorn did not start")


def try_post(port: int) -> int:
    try:
        return post(port, BARE)[0]
    except OSError:
        return 0


def server_cpu(master: int) -> float:
    """CPU seconds of the master, its live workers and the workers it has reaped."""
    stats = {pid: stat(pid) for pid in Path("/proc").iterdir() if pid.name.isdigit()}
    ticks = 0
    for pid, fields in stats.items():
        if pid.name == str(master):  # utime, stime, and cutime, cstime of reaped workers
            ticks += sum(int(v) for v in fields[11:15])
        elif fields and fields[1] == str(master):  # a live worker: utime, stime
            ticks += sum(int(v) for v in fields[11:13])
    return ticks / os.sysconf("SC_CLK_TCK")


def stat(pid: Path) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state first), or none."""
    try:
        return (pid / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []  # the process has just exited


def run(port: int, master: int, url: str, seconds: float, load: Load) -> None:
    def client(stop: float) -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                status, data = post(port, url)
            except OSError as error:
                load.errors.append(repr(error))
                continue
            load.latencies.append(time.perf_counter() - started)
            if status == 201:
                load.acknowledged.append(json.loads(data)[0]["service_request_id"])
            else:
                load.errors.append(f"{status} {data[:200]!r}")

    cpu, own = server_cpu(master), time.process_time()
    stop = time.monotonic() + seconds
    started = time.perf_counter()
    in_threads(lambda: client(stop), CLIENTS)
    load.seconds += time.perf_counter() - started
    load.server_cpu += server_cpu(master) - cpu
    load.client_cpu += time.process_time() - own


def in_process(n: int = 300) -> list[str]:
    """Wall and CPU milliseconds of an intake through the WSGI handler, one at a time (and its
    SQL statements) and from CLIENTS threads at once (sharing transactions)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    handler, body = WSGIHandler(), BODY.encode()

    def intake() -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": INTAKE,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_TYPE": HEADERS["Content-Type"],
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": BytesIO(body),
            "wsgi.url_scheme": "http",
        }
        status = []
        b"".join(handler(environ, lambda s, _h: status.append(s)))
        if not status[0].startswith("201"):
            raise RuntimeError(status[0])

    for _ in range(20):
        intake()
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        intake()

    def intakes(k: int) -> None:
        for _ in range(k):
            intake()
        connection.close()

    lines = []
    for name, target, threads in (
        (f"one at a time ({len(statements)} SQL statements)", lambda: intakes(n), 1),
        (f"{CLIENTS} at once", lambda: intakes(n // CLIENTS), CLIENTS),
    ):
        wall, cpu = time.perf_counter(), time.process_time()
        in_threads(target, threads)
        done = n // threads * threads
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        lines.append(f"{name}: {wall / done * 1000:.2f} ms wall, {cpu / done * 1000:.2f} ms CPU")
    return lines


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="appeals-bench-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "sunshine.settings",
        "SUNSHINE_DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",  # a connection per worker, not per request, as in production
    }
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from sunshine.appeals.models import Appeal, Channel

    port = free_port()
    # deploy/gunicorn.conf.py's count (2 × cores + 1), in threaded workers: a process serving
    # several requests at once lets concurrent intakes share one transaction (group commit).
    workers = int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) * 2 + 1))
    threads = int(os.environ.get("GUNICORN_THREADS", "8"))
    server = None
    try:
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=StringIO())
        before = set(Appeal.objects.values_list("serial", flat=True))
        connection.close()
        server = subprocess.Popen(  # noqa: S603 -- our own gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--chdir",
                str(ROOT / "bench"),
                "--pythonpath",
                str(ROOT),
                "--log-level",
                "warning",
                "--worker-class",
                "gthread" if threads > 1 else "sync",
                "--threads",
                str(threads),
                "appeals:application",
            ],
            env={
                **os.environ,
                "BENCH_SERVE": "1",
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": str(workers),
                "GUNICORN_ACCESS_LOG": os.devnull,
            },
            start_new_session=True,
        )
        wait_for(port, server, workers)
        bare, intake = Load(), Load()
        for _ in range(ROUNDS):
            run(port, server.pid, BARE, SECONDS / ROUNDS, bare)
            run(port, server.pid, INTAKE, SECONDS / ROUNDS, intake)
        stored = set(Appeal.objects.filter(channel=Channel.API).values_list("serial", flat=True))
        stored -= before
        connection.close()
    finally:
        if server is not None:
            stop(server)
    try:
        lines = in_process()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    same = stored == set(intake.acknowledged) and len(stored) == len(intake.acknowledged)
    print(
        f"{len(intake.acknowledged)} appeals acknowledged in {intake.seconds:.1f} s = "
        f"{intake.rate:.0f}/s; bare view {bare.rate:.0f}/s; ratio {intake.rate / bare.rate:.2f} "
        f"({CLIENTS} clients, gunicorn {workers} workers × {threads} threads, SQLite WAL, "
        f"{os.cpu_count()} cores shared with the clients and whatever else runs)"
    )
    for name, load in (("intake", intake), ("bare", bare)):
        print(
            f"  {name}: p50 {load.percentile(0.5):.0f} ms, p99 {load.percentile(0.99):.0f} ms; "
            f"CPU per request: server {load.cpu_per_request(load.server_cpu):.1f} ms, "
            f"clients {load.cpu_per_request(load.client_cpu):.1f} ms; errors {len(load.errors)}"
        )
        for error in load.errors[:3]:
            print("    error:", error)
    print(f"  stored {len(stored)}, acknowledged {len(intake.acknowledged)}, the same: {same}")
    for line in lines:
        print(f"  in process, per intake, {line}")
    failed = False
    if not same:
        print("FAIL: acknowledged and stored differ")
        failed = True
    if intake.rate < TARGET:
        print(f"FAIL: below the target of {TARGET}/s")
        failed = True
    return 1 if failed else 0


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
