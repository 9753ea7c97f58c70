"""Guanxi settings: one module, configured from the environment.

GUANXI_ENV=production switches on the hardened defaults (no debug, secure cookies,
HSTS, SSL redirect) and requires GUANXI_SECRET_KEY and GUANXI_ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.mailconfig import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = BASE_DIR / "guanxi"


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"GUANXI_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENT = env("ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
TESTING = env_bool("TESTING", "pytest" in sys.modules)

DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "data")) or "data")

SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("GUANXI_SECRET_KEY must be set in production")
    SECRET_KEY = "guanxi-development-key-not-for-production-" + "x" * 20

DEBUG = env_bool("DEBUG", not PRODUCTION and not TESTING)

ALLOWED_HOSTS = [h.strip() for h in (env("ALLOWED_HOSTS") or "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    if PRODUCTION:
        raise ImproperlyConfigured("GUANXI_ALLOWED_HOSTS must be set in production")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in (env("CSRF_TRUSTED_ORIGINS") or "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "guanxi.core",
    "guanxi.customers",
    "guanxi.sales",
    "guanxi.analytics",
    "guanxi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "guanxi.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guanxi.core.middleware.TokenAuthenticationMiddleware",
    "guanxi.core.middleware.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "guanxi.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guanxi.core.context_processors.navigation",
                "guanxi.core.context_processors.notifications",
            ],
        },
    }
]

# Databases: SQLite in the data folder unless a URL points elsewhere.
# Each test run gets databases of its own, so runs on one server or data folder never collide;
# the run id is set once in the controlling process and inherited by its pytest-xdist workers.
TEST_RUN = os.environ.setdefault("GUANXI_TEST_RUN", uuid.uuid4().hex[:10]) if TESTING else ""
DATABASE_URL = env("DATABASE_URL") or os.environ.get("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["TEST"] = {
            "NAME": env("TEST_DATABASE_NAME", f"test_guanxi_{TEST_RUN}")
        }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "guanxi.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait
                # for the busy timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;"
                    "PRAGMA temp_store=MEMORY;"
                ),
            },
            # A file, not memory: tests exercise real concurrency (WAL, busy timeout).
            "TEST": {"NAME": str(DATA_DIR / f"test_guanxi_{TEST_RUN}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "guanxi",
    }
}
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Fast hashing in tests only; production always uses Argon2 first.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Chinese first.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai") or "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = env("CURRENCY", "CNY") or "CNY"
LANGUAGE_COOKIE_NAME = "guanxi_language"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")) or "static")
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
MEDIA_ROOT = DATA_DIR / "media"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION

# Background work: Django's Tasks API with the database backend.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000") or "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS: list[str] = []

# Content Security Policy: everything is served from this origin; no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)

# Login throttling: failures per (username, address) within the window.
LOGIN_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5") or "5")
LOGIN_FAILURE_WINDOW_SECONDS = int(env("LOGIN_FAILURE_WINDOW", "900") or "900")

# API conventions.
API_MAX_PAGE_SIZE = 200
API_DEFAULT_PAGE_SIZE = 50
IDEMPOTENCY_KEY_TTL_HOURS = 24

# E-mail (notifications): GUANXI_EMAIL_URL or GUANXI_EMAIL_HOST/… (see config/mailconfig.py).
# Unconfigured, nothing is sent and nothing fails: messages land as files in DATA_DIR/outbox.
_MAIL = email_settings(env, DATA_DIR / "outbox")
EMAIL_BACKEND: str = (
    "django.core.mail.backends.locmem.EmailBackend" if TESTING else _MAIL["EMAIL_BACKEND"]
)
EMAIL_HOST: str = _MAIL["EMAIL_HOST"]
EMAIL_PORT: int = _MAIL["EMAIL_PORT"]
EMAIL_HOST_USER: str = _MAIL["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD: str = _MAIL["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS: bool = _MAIL["EMAIL_USE_TLS"]
EMAIL_USE_SSL: bool = _MAIL["EMAIL_USE_SSL"]
EMAIL_FILE_PATH: str = _MAIL["EMAIL_FILE_PATH"]
# Seconds to wait for the mail server, so a hung server cannot stall the worker.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20") or "20")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "guanxi@localhost")

# The address users reach Guanxi at, for links in e-mails.
SITE_URL = (
    env("SITE_URL")
    or (f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if PRODUCTION else "http://127.0.0.1:8000")
).rstrip("/")
# Read notifications older than this are deleted by the hourly clean-up.
NOTIFICATION_RETENTION_DAYS = int(env("NOTIFICATION_RETENTION_DAYS", "180") or "180")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
