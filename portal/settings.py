"""Settings, read from the environment (django-environ).

With no variable set the portal runs on the embedded default: an SQLite file and a
Celery broker on the local filesystem under ``var/``, and the simulator cloud. A real
deployment sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, FIELD_ENCRYPTION_KEYS,
ALLOWED_HOSTS, PORTAL_HTTPS=true and (usually) PLATFORM_AUTHZ_URL; see README.md.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The fallback key is for the embedded default only; `check --deploy` flags it.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-embedded-default-do-not-deploy")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Fernet keys for encrypted model fields, newest first; older keys still decrypt, so a
# key is rotated by prepending a new one and running `manage.py rotate_encryption_keys`.
# Unset, a key is derived from SECRET_KEY (embedded default only; `check --deploy` warns).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

INSTALLED_APPS = [
    "portal.console.admin_apps.PortalAdminConfig",  # django.contrib.admin, the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets as static files
    "django_celery_beat",
    "formtools",  # the "Create server" wizard (SessionWizardView)
    "axes",
    "csp",
    "django_prometheus",
    "portal.core",
    "portal.webhooks",
    "portal.clouds",
    "portal.tenants",
    "portal.images",
    "portal.isos",
    "portal.servers",
    "portal.network",
    "portal.shares",
    "portal.objectstorage",
    "portal.console",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.core.middleware.RequestIdMiddleware",
    "portal.core.middleware.NulByteMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.core.middleware.AuditMiddleware",
    "portal.core.idempotency.IdempotencyMiddleware",
    # Last: it answers a locked-out admin login before the view runs.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing, take the
    # write lock at BEGIN (no upgrade deadlocks), and let readers run beside a writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# The same backends, counting queries and errors for /metrics (django-prometheus).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # the Django 6 default, early

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "portal.core.cache.SharedClientRedisCache"  # cheaper calls

# django-axes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin logins: locked for AXES_COOLOFF_MINUTES after AXES_FAILURE_LIMIT failures of one
# username from one address (so a guesser cannot lock everyone out of one account).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_CLIENT_IP_CALLABLE = "portal.core.api.throttles.client_address"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    # Upload staging goes through the storage API so a worker on another machine can
    # read it: the local filesystem here, S3-compatible storage when STAGING_S3_BUCKET is set.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if env.str("STAGING_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("STAGING_S3_BUCKET"),
            "endpoint_url": env.str("STAGING_S3_ENDPOINT_URL", default=None),
        },
    }

# HTTPS hardening; PORTAL_HTTPS=true is one of the production variables.
PORTAL_HTTPS = env.bool("PORTAL_HTTPS", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = PORTAL_HTTPS
# Probes and scrapers ask over plain HTTP from inside the deployment.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = PORTAL_HTTPS
CSRF_COOKIE_SECURE = PORTAL_HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PORTAL_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PORTAL_HTTPS
SECURE_HSTS_PRELOAD = PORTAL_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from the portal's own files (no
# inline <script> or on...= handlers; a needed inline script carries
# nonce="{{ request.csp_nonce }}"). Inline styles stay allowed: the admin and Swagger UI
# use style attributes. CSP_REPORT_ONLY=true sends it as Report-Only, to try a change.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY
    CONTENT_SECURITY_POLICY = None

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.tenants.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.core.api.permissions.IsTenantOrStaff"],
    "DEFAULT_PAGINATION_CLASS": "portal.core.api.pagination.PortalPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "portal.core.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "portal.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.core.api.throttles.ApiKeyRateThrottle",
        "portal.core.api.throttles.TenantRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env.str("THROTTLE_API_KEY_RATE", default="1200/minute"),
        "tenant": env.str("THROTTLE_TENANT_RATE", default="3000/minute"),
        # Wrong API keys from one client address: past this, 429 before any key is checked.
        "failed_auth": env.str("THROTTLE_FAILED_AUTH_RATE", default="20/minute"),
    },
    # Proxies in front of the portal that append to X-Forwarded-For; 0: the client's
    # address is REMOTE_ADDR and X-Forwarded-For is not trusted.
    "NUM_PROXIES": env.int("PROXY_COUNT", default=0),
    "PAGE_SIZE": 20,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "UNAUTHENTICATED_USER": None,
}
# Lists count matching rows exactly up to this many; past it they give PostgreSQL's
# estimate with `count_exact: false` (portal/core/api/pagination.py).
PAGINATION_EXACT_COUNT = env.int("PAGINATION_EXACT_COUNT", default=10_000)
# Seconds a tenant's list page is kept while its tables do not change (core/list_cache.py);
# 0: off, the default with a per-process cache (the worker's writes would not reach it).
_SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
LIST_CACHE_SECONDS = env.int("LIST_CACHE_SECONDS", default=60 if _SHARED_CACHE else 0)
SPECTACULAR_SETTINGS = {
    "TITLE": "Cloud portal API",
    "DESCRIPTION": "Tenant and administration API (the REST form of seed 004).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page loads Swagger UI from the static files, not from a CDN at @latest.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies get their own components, where required strings have minLength 1.
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error answers, in the error shape (portal/core/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.core.api.schema.document_errors_and_waits",
    ],
    # Several models have a `status` or `origin` with their own choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "TaskStateEnum": "portal.core.models.Task.State",
        "WebhookDeliveryStateEnum": "portal.webhooks.models.Delivery.State",
        "TenantStatusEnum": "portal.tenants.models.Tenant.Status",
        "RegionSetupStateEnum": "portal.tenants.models.TenantIdentity.State",
        "ServerStatusEnum": "portal.servers.models.Server.Status",
        "ServerOriginEnum": "portal.servers.models.Server.Origin",
        "KeyPairStatusEnum": "portal.servers.models.KeyPair.Status",
        "ImageOriginEnum": "portal.images.models.Image.Origin",
        "IsoOriginEnum": "portal.isos.models.Iso.Origin",
        "IsoStatusEnum": "portal.isos.models.Iso.Status",
        "IsoMountStatusEnum": "portal.servers.cdrom.models.IsoMount.Status",
        "ShareStatusEnum": "portal.shares.models.Share.Status",
        "ObjectStorageStatusEnum": "portal.objectstorage.models.ReadFromRgw.Status",
    },
}

# The platform's per-resource permission callback (seed 004, "API key 验证").
# Unset: the resource check is off (embedded default; `check --deploy` warns).
PLATFORM_AUTHZ_URL = env.str("PLATFORM_AUTHZ_URL", default="")
PLATFORM_AUTHZ_TIMEOUT = env.float("PLATFORM_AUTHZ_TIMEOUT", default=3.0)
PLATFORM_AUTHZ_CACHE_SECONDS = env.int("PLATFORM_AUTHZ_CACHE_SECONDS", default=30)

# /metrics (Prometheus): readable from these networks, or anywhere with
# `Authorization: Bearer <METRICS_TOKEN>`. The worker serves its own on WORKER_METRICS_PORT
# (unset: none); PROMETHEUS_MULTIPROC_DIR sums a host's processes (README, "Monitoring").
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(net)
    for net in env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
]
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
WORKER_METRICS_ADDRESS = env.str("WORKER_METRICS_ADDRESS", default="127.0.0.1")
# /readyz: a cloud is ready when its last check (a beat job) passed within this time.
CLOUD_CHECK_SECONDS = env.int("CLOUD_CHECK_SECONDS", default=60)
CLOUD_CHECK_MAX_AGE_SECONDS = env.int("CLOUD_CHECK_MAX_AGE_SECONDS", default=300)

# Celery. The embedded default broker is kombu's filesystem transport: no server needed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    (_queue_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        # Broadcast tables (remote control, pidbox); kombu's default is ./control in the cwd.
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
# A dead worker (killed, its host lost) never acknowledges its job (acks_late): Redis
# hands the job to another worker this many seconds after it was delivered (kombu's
# default is an hour), checked every few seconds. A job still running on a live worker is
# delivered again too: the Task's lease (TASK_LEASE_SECONDS) makes that copy wait for it.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=300)
# A running job renews its Task's heartbeat every third of this; a Task whose heartbeat
# is older belongs to a dead worker and a redelivered job takes it over.
TASK_LEASE_SECONDS = env.int("TASK_LEASE_SECONDS", default=60)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 4)),
        "unacked_restore_throttle": 1,  # every interval, not every tenth
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # outcomes live on the portal's Task rows
# How long each kind's job may run (Celery's soft time limit, which the workflow answers
# by undoing its work and failing the Task); the hard limit, which kills the process,
# comes TASK_HARD_LIMIT_GRACE later. Kinds not named here: CELERY_TASK_SOFT_TIME_LIMIT.
TASK_RUN_SECONDS = {
    "server.create": 1200,
    "server.resize": 1200,
    "server.delete": 600,
    "server.cleanup": 600,
    "server.resize_confirm": 600,
    "server.resize_revert": 600,
    "server.operate": 300,
    "server.console": 60,
    "server.console_log": 60,
    "keypair.import": 60,
    "keypair.delete": 60,
    "flavors.create": 120,
    "flavors.share": 120,
    "flavors.delete": 120,
    "isos.mount": 1800,  # the first mount of an ISO streams it into the image service
    "isos.unmount": 300,
    "isos.release": 300,
    "tenant.provision": 300,
    "security_group.create": 300,
    "security_group.update": 300,
    "security_group.delete": 120,
    "security_group.operate": 600,  # up to 50 servers, one after the other
    "shares.create": 1200,
    "shares.resize": 1200,
    "shares.delete": 600,
    "shares.access": 300,
}
TASK_HARD_LIMIT_GRACE = 60
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=3600)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + TASK_HARD_LIMIT_GRACE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Cloud calls: every driver call has a connect and a read timeout (seconds).
CLOUD_CONNECT_TIMEOUT = env.float("CLOUD_CONNECT_TIMEOUT", default=5.0)
CLOUD_READ_TIMEOUT = env.float("CLOUD_READ_TIMEOUT", default=60.0)
# A Task still queued or running past its deadline is failed by the janitor job (every
# minute), which releases what it held. Unless given, a Task's deadline covers its job's
# run time twice and a redelivery (core.services.deadline_seconds): the janitor is the
# backstop for a lost job, not the recovery from a dead worker.

# One JSON object a line (LOG_FORMAT=json, for log collectors) or plain text; both carry
# the request id, also on the worker's lines of the jobs a request queued.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

# Static beat entries; django-celery-beat copies them into its tables, where the admin
# can change their intervals. Per-cloud sync jobs are created with each cloud.
CELERY_BEAT_SCHEDULE = {
    "fail-stuck-tasks": {"task": "portal.core.tasks.fail_stuck_tasks", "schedule": 60.0},
    "check-clouds": {"task": "portal.clouds.tasks.check_clouds", "schedule": CLOUD_CHECK_SECONDS},
}

# Webhooks (portal.webhooks): every Task end is POSTed to the platform's endpoints, with a
# timeout (seconds) per attempt, retried after WEBHOOK_RETRY_BASE_SECONDS x 3^(n-1) until
# WEBHOOK_MAX_ATTEMPTS attempts (8 from 60 s: about 18 hours). Beat re-queues a pending
# delivery overdue by WEBHOOK_SWEEP_GRACE_SECONDS (its job was lost).
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=60.0)
WEBHOOK_SWEEP_GRACE_SECONDS = env.int("WEBHOOK_SWEEP_GRACE_SECONDS", default=120)
CELERY_BEAT_SCHEDULE["requeue-overdue-webhook-deliveries"] = {
    "task": "portal.webhooks.tasks.requeue_overdue_deliveries",
    "schedule": 60.0,
}

# Failed set-ups of a tenant in a cloud that beat retries (every 10 minutes) before an
# operator must ("Retry the set-up" in the admin).
TENANT_SETUP_RETRIES = env.int("TENANT_SETUP_RETRIES", default=6)
CELERY_BEAT_SCHEDULE["retry-tenant-setups"] = {
    "task": "portal.tenants.tasks.retry_setups",
    "schedule": 600.0,
}

# Images (portal.images): the largest image file the upload API accepts, in bytes (413 above).
IMAGE_UPLOAD_MAX_BYTES = env.int("IMAGE_UPLOAD_MAX_BYTES", default=64 * 1024**3)
# Hours without a new piece after which an upload's staged pieces are removed (beat job).
IMAGE_UPLOAD_ABANDON_HOURS = env.int("IMAGE_UPLOAD_ABANDON_HOURS", default=24)
CELERY_BEAT_SCHEDULE["discard-abandoned-image-uploads"] = {
    "task": "portal.images.tasks.discard_abandoned_uploads",
    "schedule": 3600.0,
}
