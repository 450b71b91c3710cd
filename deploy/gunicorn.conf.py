"""gunicorn for Sunshine (`gunicorn -c deploy/gunicorn.conf.py sunshine.wsgi`).

Everything can be set from the environment, so one file serves `make serve` and real servers.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Threaded workers: a process serving several requests at once lets concurrent 12345 intakes
# share one transaction (appeals.actions batches them; measured in bench/appeals.py). A worker
# killed mid-request takes its requests with it unacknowledged; their transactions roll back.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never becomes an outage.
max_requests = 5000
max_requests_jitter = 500
# nginx sets X-Forwarded-For / -Proto; trust them only from nginx on this machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# The application logs to stderr (its errors with their tracebacks): into the error log with
# gunicorn's own lines, also when gunicorn runs as a daemon and its stderr is gone.
capture_output = True
