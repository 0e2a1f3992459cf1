"""Settings, read from the environment (django-environ).

With no variable set the portal runs on the embedded default: an SQLite file and a
Celery broker on the local filesystem under ``var/``, and the simulator cloud. A real
deployment sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, FIELD_ENCRYPTION_KEYS,
ALLOWED_HOSTS, PORTAL_HTTPS=true and (usually) PLATFORM_AUTHZ_URL; see README.md.
"""

from pathlib import Path

import environ
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
    "portal.core",
    "portal.clouds",
    "portal.tenants",
    "portal.images",
    "portal.isos",
    "portal.servers",
    "portal.network",
    "portal.console",
]

MIDDLEWARE = [
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
    "portal.core.middleware.AuditMiddleware",
    "portal.core.idempotency.IdempotencyMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # the Django 6 default, early

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}

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
SESSION_COOKIE_SECURE = PORTAL_HTTPS
CSRF_COOKIE_SECURE = PORTAL_HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PORTAL_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PORTAL_HTTPS
SECURE_HSTS_PRELOAD = PORTAL_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

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
    "PAGE_SIZE": 20,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "UNAUTHENTICATED_USER": None,
}
# Lists count matching rows exactly up to this many; past it they give PostgreSQL's
# estimate with `count_exact: false` (portal/core/api/pagination.py).
PAGINATION_EXACT_COUNT = env.int("PAGINATION_EXACT_COUNT", default=10_000)
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
        "TenantStatusEnum": "portal.tenants.models.Tenant.Status",
        "ServerStatusEnum": "portal.servers.models.Server.Status",
        "ServerOriginEnum": "portal.servers.models.Server.Origin",
        "KeyPairStatusEnum": "portal.servers.models.KeyPair.Status",
        "ImageOriginEnum": "portal.images.models.Image.Origin",
        "IsoOriginEnum": "portal.isos.models.Iso.Origin",
        "IsoStatusEnum": "portal.isos.models.Iso.Status",
        "IsoMountStatusEnum": "portal.servers.cdrom.models.IsoMount.Status",
    },
}

# The platform's per-resource permission callback (seed 004, "API key 验证").
# Unset: the resource check is off (embedded default; `check --deploy` warns).
PLATFORM_AUTHZ_URL = env.str("PLATFORM_AUTHZ_URL", default="")
PLATFORM_AUTHZ_TIMEOUT = env.float("PLATFORM_AUTHZ_TIMEOUT", default=3.0)
PLATFORM_AUTHZ_CACHE_SECONDS = env.int("PLATFORM_AUTHZ_CACHE_SECONDS", default=30)

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
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # outcomes live on the portal's Task rows
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=3600)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Cloud calls: every driver call has a connect and a read timeout (seconds).
CLOUD_CONNECT_TIMEOUT = env.float("CLOUD_CONNECT_TIMEOUT", default=5.0)
CLOUD_READ_TIMEOUT = env.float("CLOUD_READ_TIMEOUT", default=60.0)
# A Task still running this long after its deadline is failed by the janitor job.
TASK_DEFAULT_DEADLINE_SECONDS = env.int("TASK_DEFAULT_DEADLINE_SECONDS", default=1800)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
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
}

# Images (portal.images): the largest image file the upload API accepts, in bytes (413 above).
IMAGE_UPLOAD_MAX_BYTES = env.int("IMAGE_UPLOAD_MAX_BYTES", default=64 * 1024**3)
# Hours without a new piece after which an upload's staged pieces are removed (beat job).
IMAGE_UPLOAD_ABANDON_HOURS = env.int("IMAGE_UPLOAD_ABANDON_HOURS", default=24)
CELERY_BEAT_SCHEDULE["discard-abandoned-image-uploads"] = {
    "task": "portal.images.tasks.discard_abandoned_uploads",
    "schedule": 3600.0,
}
