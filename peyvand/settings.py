"""Peyvand settings. Everything that differs between installations comes from the
environment (see the README); the defaults are safe for a local demo."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# A production installation (README, «Production»): secure cookies, HTTPS, HSTS,
# hashed static files; `manage.py check --deploy` is clean with it.
PRODUCTION = env_bool("PEYVAND_PRODUCTION")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (PEYVAND_PRODUCTION=1).")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    SECRET_KEY = "insecure-local-only-key-set-SECRET_KEY-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A form sent without a valid token gets a Persian page, not Django's «403 Forbidden».
CSRF_FAILURE_VIEW = "peyvand.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",  # its system checks (the policy: CONTENT_SECURITY_POLICY below)
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "peyvand.core",
    "peyvand.accounts",
    "peyvand.lookups",
    "peyvand.customfields",
    "peyvand.contacts",
    "peyvand.messaging",
    "peyvand.activities",
    "peyvand.sales",
    "peyvand.finance",
    "peyvand.tax",
    "peyvand.service",
    "peyvand.surveys",
    "peyvand.automation",
    "peyvand.portal",
    "peyvand.reports",
    "peyvand.api",
    "peyvand.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Filters and search boxes lose control characters (a NUL is a 500 on PostgreSQL).
    "peyvand.core.query_strings.CleanQueryStringMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages, API answers and files: Cache-Control private, no-store.
    "peyvand.core.cache_control.PrivateResponsesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "peyvand.accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Every /api/ error is JSON with a Persian message (Django's own 404/405/500 are HTML).
    "peyvand.api.errors.JsonErrorsMiddleware",
    # A creating POST sent again with the same Idempotency-Key creates nothing more.
    "peyvand.api.idempotency.IdempotencyMiddleware",
    # ETag on a record's JSON, If-Match on its writes (412 when stale: core.versions).
    "peyvand.api.conditional.ConditionalRequestMiddleware",
    # Every HTML answer in the reader's digits, left-to-right runs isolated (core.digits).
    "peyvand.core.digits.DigitsMiddleware",
    "peyvand.core.display.DisplayPreferencesMiddleware",
]

if PRODUCTION:
    # Static files straight from the app server (after collectstatic), compressed and
    # cached forever by their hashed names: no separate web server needed for them.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "peyvand.urls"
WSGI_APPLICATION = "peyvand.wsgi.application"
ASGI_APPLICATION = "peyvand.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peyvand.core.context_processors.shell",
            ],
            "builtins": [
                # |unlocalize: ids in form values and query strings must not be grouped
                # ("1,001") by USE_THOUSAND_SEPARATOR.
                "django.templatetags.l10n",
                "peyvand.core.templatetags.peyvand",
                "template_partials.templatetags.partials",
            ],
        },
    }
]

# SQLite (the embedded default) or whatever DATABASE_URL names, e.g.
# postgres://postgres@127.0.0.1:5432/peyvand
DEFAULT_SQLITE = BASE_DIR / "var" / "peyvand.sqlite3"
DEFAULT_SQLITE.parent.mkdir(exist_ok=True)
# Persistent connections are checked before each request reuses them: after a database
# restart a dead one is replaced instead of failing the request with a 500.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
# Reports and the dashboard read from REPORTS_DATABASE (core.databases): a streaming
# replica of the primary when REPORTS_DATABASE_URL names one (README, «Deployment on
# several hosts»). Without one, "reports" is a second name for the default database
# that nothing connects to, except tests, which point reports at it (a test mirror).
if REPORTS_DATABASE_URL := os.environ.get("REPORTS_DATABASE_URL", ""):
    DATABASES["reports"] = dj_database_url.parse(
        REPORTS_DATABASE_URL, conn_max_age=60, conn_health_checks=True
    )
    REPORTS_DATABASE = "reports"
else:
    DATABASES["reports"] = dict(DATABASES["default"])
    REPORTS_DATABASE = "default"
DATABASE_ROUTERS = ["peyvand.core.databases.ReportsRouter"]
# A web request gives up on a row or table lock after DB_LOCK_TIMEOUT seconds, and on any
# one statement after DB_STATEMENT_TIMEOUT, and answers «سامانه مشغول است» (503,
# core.views.server_error): one locked table must not hold every app thread while the
# rest of the site waits. A transaction left open is ended after a minute. Only in web
# processes (peyvand.wsgi sets PEYVAND_WEB): the task worker and management commands
# (migrations, imports, exports) wait as long as their work needs.
WEB_PROCESS = env_bool("PEYVAND_WEB")
DB_LOCK_TIMEOUT = float(os.environ.get("DB_LOCK_TIMEOUT", "3"))
DB_STATEMENT_TIMEOUT = float(os.environ.get("DB_STATEMENT_TIMEOUT", "30"))
WEB_DATABASE_TIMEOUTS = (
    f" -c lock_timeout={round(DB_LOCK_TIMEOUT * 1000)}"
    f" -c statement_timeout={round(DB_STATEMENT_TIMEOUT * 1000)}"
    " -c idle_in_transaction_session_timeout=60000"
)
for database in DATABASES.values():
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Join in the order the ORM writes (the filtered table first, then each related
        # row by primary key). Left free, the planner weighs every order of a page's 6–9
        # joins: 14 ms of planning for a 0.5 ms query (README, "Performance").
        # Server-side cursors (QuerySet.iterator(): exports) are read to the end here, so
        # plan them for all their rows, not PostgreSQL's default first tenth: a rep's
        # export of 100,000 of a million contacts walked the whole date index (README,
        # "Performance").
        options = "-c join_collapse_limit=1 -c cursor_tuple_fraction=1"
        if WEB_PROCESS:
            options += WEB_DATABASE_TIMEOUTS
        database["OPTIONS"] = {
            **database.get("OPTIONS", {}),
            "options": options,
            # A database host that does not answer at all fails a request (and /health/)
            # in seconds instead of after the operating system's minutes.
            "connect_timeout": 5,
        }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; IMMEDIATE makes every
    # transaction take the write lock up front, so sequences cannot race.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": None}
DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Backups: JSON that keeps timestamps to the microsecond (core/exact_json.py).
SERIALIZATION_MODULES = {"exact-json": "peyvand.core.exact_json"}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Two-factor sign-in (accounts.two_factor): managers must use it when this is on (by
# default in production); anyone may turn it on for themselves.
TWO_FACTOR_REQUIRED_FOR_MANAGERS = env_bool("TWO_FACTOR_REQUIRED_FOR_MANAGERS", PRODUCTION)
# The name authenticator apps show beside the username.
OTP_TOTP_ISSUER = "Peyvand"
# How long an API token lives (days from its creation); a new one is a POST to
# /api/v1/auth/token away, or a click in the preferences.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", "فارسی")]
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
NUMBER_GROUPING = 3

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Third-party front-end files: the ones the pages load, from node_modules (npm registry,
# pinned by package-lock.json), under static/vendor/ (core/staticfiles.py lists them).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "peyvand.core.staticfiles.VendorFinder",
]
# Pages name static files by their hashed names only (the manifest), so the unhashed
# copies need neither keeping nor compressing: half the work of collectstatic.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# MEDIA_STORAGE=s3: uploaded files in an S3-compatible bucket (AWS, ArvanCloud, MinIO…),
# shared by every app server and worker. Objects stay private (no ACL of ours; the
# bucket's own, private by default) and no URL of the bucket is ever handed out: files
# are read through the storage API by the views that check access.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "s3":
    if not os.environ.get("S3_BUCKET"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            # Empty: AWS itself; else the S3-compatible service's address.
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            # Empty keys: boto3's own chain (its environment variables, an instance role).
            "access_key": os.environ.get("S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("S3_SECRET_KEY") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "location": os.environ.get("S3_PREFIX", ""),  # a folder inside the bucket
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,  # path, virtual
            "default_acl": None,
            "querystring_auth": True,
            # Two uploads with the same name get two objects, as on disk (django-storages
            # would otherwise replace the first).
            "file_overwrite": False,
            # A file read (a download, an import) spills to a temporary file past 5 MB.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured("MEDIA_STORAGE must be local or s3.")
# Media is never served as static files: attachments go through a view that checks who
# may see the record (core.attachment_views).
ATTACHMENT_MAX_MB = int(os.environ.get("ATTACHMENT_MAX_MB", "10"))
# The memory ceiling of the process that reads an imported spreadsheet (core.sheet_reader):
# a hostile workbook hits it and is refused in Persian instead of taking the worker down.
IMPORT_READER_MEMORY_MB = int(os.environ.get("IMPORT_READER_MEMORY_MB", "1024"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Set, EMAIL_HOST wins over the settings page's mail server (messaging.smtp).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "peyvand@localhost")

# SMS: "console" (development: the log and SMS_CONSOLE_FILE), "kavenegar" or "smsir".
# SMS_BASE_URL points a backend elsewhere (a test double); empty is the provider's own.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "")
SMS_API_KEY = os.environ.get("SMS_API_KEY", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "")
SMS_BASE_URL = os.environ.get("SMS_BASE_URL", "")
SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "10"))
# The Bale bot (messaging.bale): a token here wins over the one on its settings page;
# BALE_BASE_URL points it at a test double (empty: https://tapi.bale.ai).
BALE_BOT_TOKEN = os.environ.get("BALE_BOT_TOKEN", "")
BALE_BASE_URL = os.environ.get("BALE_BASE_URL", "")
# Outgoing webhooks (automation.webhooks) go only to addresses on the internet, never to
# loopback or the private ranges behind the server; on for the demo (its receivers run
# on this machine) and for tests that start one.
WEBHOOK_PRIVATE_ADDRESSES = env_bool("WEBHOOK_PRIVATE_ADDRESSES", DEBUG)
SMS_CONSOLE_FILE = os.environ.get("SMS_CONSOLE_FILE", str(BASE_DIR / "var" / "sms.log"))

# Online payments (finance.gateways): PAYMENT_GATEWAY names the gateway ("zarinpal").
# ZARINPAL_BASE_URL is ZarinPal's own address, https://sandbox.zarinpal.com to test with
# any 36-character merchant id, or a fake on loopback. The merchant id is a secret.
PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "zarinpal")
ZARINPAL_MERCHANT_ID = os.environ.get("ZARINPAL_MERCHANT_ID", "")
ZARINPAL_BASE_URL = os.environ.get("ZARINPAL_BASE_URL", "https://payment.zarinpal.com")
PAYMENT_TIMEOUT = float(os.environ.get("PAYMENT_TIMEOUT", "10"))

# The tax organisation's e-invoice service, سامانه مودیان (tax.client, API v2): the
# memory id, signing key, certificate and address are set on its settings page
# (/settings/moadian/, tax.MoadianSettings, the key stored encrypted) — the one way to
# configure it. MOADIAN_TIMEOUT: seconds per call.
MOADIAN_TIMEOUT = float(os.environ.get("MOADIAN_TIMEOUT", "20"))

# Secrets typed into settings pages are stored encrypted (core.crypto, Fernet). Empty: a
# key derived from SECRET_KEY (HKDF-SHA256, fixed context). Set it (a Fernet key,
# 44 urlsafe-base64 characters) to rotate SECRET_KEY without re-typing those secrets.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")

# The customer portal (/portal/): how long a customer stays signed in after their SMS
# code, and the provider's template for the code (Kavenegar verify/lookup, SMS.ir
# verify); empty: the code goes as a plain SMS.
PORTAL_SESSION_HOURS = int(os.environ.get("PORTAL_SESSION_HOURS", "12"))
PORTAL_SMS_TEMPLATE = os.environ.get("PORTAL_SMS_TEMPLATE", "")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
# How often each open page asks for new notifications (the bell and its pop-ups).
NOTIFICATION_POLL_SECONDS = float(os.environ.get("NOTIFICATION_POLL_SECONDS", "15"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# A strict Content-Security-Policy on every response, in production and development
# alike (so the tests see it): scripts, styles, fonts and fetches only from this site;
# no 'unsafe-inline' or 'unsafe-eval' (pages carry no inline handlers, style attributes
# or <style>/<script> blocks — static/peyvand/js/app.js acts on data- attributes, and
# tests/core/test_csp.py scans the templates); images also from data: URIs (Bootstrap's
# CSS draws its icons with them). Attachments keep their own stricter policy
# (core.annotation_views: default-src 'none'), which the middleware leaves alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # /health/ answers the load balancer over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# How many proxies (nginx, a load balancer) stand before the app and append to
# X-Forwarded-For: per-address limits (logins, the tracking page, portal codes) count the
# address the outermost of them saw, not the proxy's own (core.throttle.client_address).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
if env_bool("BEHIND_TLS_PROXY"):
    # nginx (or a load balancer) ends TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Redis, when configured, holds the cache (throttles) and sessions (cached, with the
# database behind them so a Redis restart logs nobody out). core.cache's backend answers
# as a miss while Redis fails, so pages and logins keep working through an outage.
if REDIS_URL := os.environ.get("REDIS_URL", ""):
    CACHES = {
        "default": {
            "BACKEND": "peyvand.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # A Redis that stops answering costs a request (and /health/) 2 s at
                # most, then the breaker skips it for 5 s in this process.
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                "breaker_seconds": 5,
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# A worker beats every 2 s (core.workers); one silent this long is dead: /health/ says
# so, and a live worker's beat finishes what it left running.
WORKER_HEARTBEAT_SECONDS = int(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))

# Managers' default list size; lists never count their rows (see core.pagination).
PAGE_SIZE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # LOG_FORMAT=json: one JSON object a line, for a log collector (core.logs).
    "formatters": {"json": {"()": "peyvand.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if os.environ.get("LOG_FORMAT") == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per SMS request (its URL masked by messaging.gateways) is noise.
        "httpx": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF it sets.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# Background work (imports, the SMS/email outbox; reminders later): rows in the database,
# run by `manage.py worker` (db_worker plus the periodic beat of core.scheduler);
# several workers claim with SKIP LOCKED on PostgreSQL.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
