"""Settings for Sunshine, in one module, configured by environment variables.

The embedded default needs nothing but files on this machine: SQLite (WAL) for the data and a
separate SQLite file for the task queue. Production sets DATABASE_URL to PostgreSQL and DEBUG off.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP
from huey import RedisHuey, SqliteHuey


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SUNSHINE_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(get_random_secret_key())
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"{path} 为空：请删除该文件或设置环境变量 SECRET_KEY。")
    return key


SECRET_KEY = _secret_key()

INSTALLED_APPS = [
    "sunshine.org.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "sunshine.core",
    "sunshine.accounts",
    "sunshine.org",
    "sunshine.audit",
    "sunshine.workdays",
    "sunshine.clocks",
    "sunshine.publishing",
    "sunshine.search",
    "sunshine.foi",
    "sunshine.workflow",
    "sunshine.hall",
    "sunshine.reports",
    "sunshine.appeals",
    "sunshine.supervision",
    "sunshine.ops",
    "sunshine.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "sunshine.audit.middleware.ClientAddressMiddleware",
]

ROOT_URLCONF = "sunshine.urls"
WSGI_APPLICATION = "sunshine.wsgi.application"
ASGI_APPLICATION = "sunshine.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sunshine" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "sunshine.portal.context_processors.navigation",
            ],
        },
    },
]

# SQLite: WAL so readers never wait for the writer, and IMMEDIATE transactions so that a
# transaction which reads and then writes takes the write lock at once instead of failing
# half-way (SQLite has no SELECT ... FOR UPDATE).
SQLITE_PATH = DATA_DIR / "sunshine.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}", conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # A file (not memory) so that tests may use several connections at once, named per process
    # so that two test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}

# A PostgreSQL streaming replica, for the public's page views (sunshine/core/replicas.py).
if REPLICA_URL := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["sunshine.core.replicas.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "sunshine.core.replicas.PublicReadsFromReplica",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["sunshine.accounts.backends.LockoutBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login lockout: this many failures within the window lock the account for the window.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

# Rate limits per client address (see sunshine.core.ratelimit): "count/unit", unit s, m, h or d.
RATE_LIMITS = {
    "login": os.environ.get("RATE_LIMIT_LOGIN", "20/m"),
    "register": os.environ.get("RATE_LIMIT_REGISTER", "10/h"),
    "lookup": os.environ.get("RATE_LIMIT_LOOKUP", "30/m"),
    "public_form": os.environ.get("RATE_LIMIT_PUBLIC_FORM", "10/m"),
}

# Sessions end after an hour without activity and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", "3600"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
# English joins when its catalogue exists: offered before, an English browser got Django's own
# messages ("This field is required.") in English among a Chinese interface.
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "sunshine" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# Uploaded files: local disk by default; with S3_BUCKET set, any S3-compatible object store
# (MinIO, OSS, COS …) through django-storages (`pip install '.[s3]'`). Files are never served
# from the store directly: the views check permissions and stream them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if S3_BUCKET := os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("S3_SECRET_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# No inline script or style anywhere; every asset is served from this site (no CDN).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Sent on HTTPS responses only, so a plain-http intranet install is unaffected.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))

# Background tasks are written against django.tasks; huey runs them. Embedded: the queue lives in
# a SQLite file of its own so it does not compete with the application database's write lock.
# Production (REDIS_URL set): the queue and the cache live in Redis, shared by every app server
# and worker, so that rate limits count across processes and any worker takes any task.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = RedisHuey(name="sunshine", url=REDIS_URL, immediate=env_bool("HUEY_IMMEDIATE", False))
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sunshine",
        }
    }
else:
    HUEY = SqliteHuey(
        name="sunshine",
        filename=str(Path(os.environ.get("HUEY_SQLITE_PATH", DATA_DIR / "tasks.sqlite3"))),
        immediate=env_bool("HUEY_IMMEDIATE", False),
    )
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "huey.contrib.djhuey.tasks_backend.HueyBackend"),
    }
}

# 电子监察: a running clock shows a yellow card once this share of its limit is used.
CLOCK_YELLOW_SHARE = float(os.environ.get("CLOCK_YELLOW_SHARE", "0.8"))
# 好差评: a 差评 opens a follow-up to be closed within this many working days.
HALL_FOLLOW_UP_WORKDAYS = int(os.environ.get("HALL_FOLLOW_UP_WORKDAYS", "5"))
# Notifications: e-mail through Django's mail framework, SMS through a pluggable gateway class.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        ),
    }
}
if os.environ.get("EMAIL_HOST"):
    # The SMTP backend's own arguments: the intranet's mail relay.
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ["EMAIL_HOST"],
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        # A relay that hangs must not hold the sender's transaction for ever: notifications are
        # sent inside theirs (on SQLite the write lock, which other writers wait 20 s for). The
        # limit is per socket operation, not per message: a relay slow at every step can still
        # hold it longer, which claiming with a lease and sending outside the transaction (as
        # foi.ReplyEmail does) would not.
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "10")),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sunshine@localhost")
# The address citizens reach the site at (https://gk.example.gov.cn): links in e-mails to them.
# Unset, e-mails carry no link (staff often reach the site on an intranet host).
PUBLIC_SITE_URL = os.environ.get("PUBLIC_SITE_URL", "")
# The domain of notification Message-IDs, by which a repeated delivery is recognised.
NOTIFICATION_MAIL_DOMAIN = DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
SMS_BACKEND = os.environ.get("SMS_BACKEND", "sunshine.supervision.notify.ConsoleSMSBackend")
SMS_FILE = os.environ.get(
    "SMS_FILE", str(DATA_DIR / "sms.jsonl")
)  # for ops.gateways.FileSMSBackend

# /metrics: with a token set, Prometheus sends it as a bearer token; without one, loopback only.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors": {"()": "sunshine.core.logs.ClientErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Once (not again through Django's own console handler), a 4xx without its traceback.
    "loggers": {
        "django.request": {
            "handlers": ["console"],
            "filters": ["client_errors"],
            "propagate": False,
        }
    },
}
