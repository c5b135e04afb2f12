"""Django settings for OpenIPT, read from the environment (see docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from openipt.conf import (
    data_dir,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

OPENIPT_ENV = env_choice("OPENIPT_ENV", ("demo", "production"), "demo")
PRODUCTION = OPENIPT_ENV == "production"
DEMO_MODE = not PRODUCTION
DEBUG = env_bool("OPENIPT_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("OPENIPT_DEBUG must be off when OPENIPT_ENV=production")

SECRET_KEY = secret_key(DATA_DIR, production=PRODUCTION)
ALLOWED_HOSTS = env_list(
    "OPENIPT_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("OPENIPT_ALLOWED_HOSTS must be set when OPENIPT_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("OPENIPT_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "openipt.core",
    "openipt.accounts",
    "openipt.clients",
    "openipt.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openipt.urls"
WSGI_APPLICATION = "openipt.wsgi.application"

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
                "openipt.core.context_processors.site",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    """Return the database from OPENIPT_DATABASE_URL, or SQLite tuned for concurrent use."""
    url = env_str("OPENIPT_DATABASE_URL")
    if not url:
        url = f"sqlite:///{DATA_DIR / 'openipt.sqlite3'}"
    try:
        db = dj_database_url.parse(url, conn_max_age=env_int("OPENIPT_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"OPENIPT_DATABASE_URL is not a database URL: {exc}") from None
    db["CONN_HEALTH_CHECKS"] = True
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside one writer; IMMEDIATE makes writers queue on the
        # busy timeout instead of failing with "database is locked" half-way through.
        db["CONN_MAX_AGE"] = 0
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
            ),
        }
        db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    return dict(db)


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ATOMIC_REQUESTS = False

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# allauth: staff accounts are made by an admin or the CLI, never by self sign-up.
ACCOUNT_ADAPTER = "openipt.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
# django-axes is the one lockout authority; allauth's own login throttle is switched off
# so that users never see two different messages for the same thing.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": None}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "OpenIPT"
MFA_PASSKEY_LOGIN_ENABLED = False

AXES_FAILURE_LIMIT = env_int("OPENIPT_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("OPENIPT_LOCKOUT_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "errors/lockout.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("OPENIPT_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("OPENIPT_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("OPENIPT_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders as well, so that tests and a fresh `make run`
# work before collectstatic has run.
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env_str("OPENIPT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("OPENIPT_FROM_EMAIL", "openipt@localhost")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("OPENIPT_LOG_LEVEL", "WARNING")},
}

# Service settings (clinical choices a service may change; see docs/protocol.md).
OPENIPT_SERVICE_NAME = env_str("OPENIPT_SERVICE_NAME", "OpenIPT demo service")
OPENIPT_PROBLEM_AREA_NAMING = env_choice(
    "OPENIPT_PROBLEM_AREA_NAMING", ("canonical", "stuart", "who_lay", "uk"), "canonical"
)
OPENIPT_CRISIS_TEXT = env_str(
    "OPENIPT_CRISIS_TEXT",
    "If you are thinking about harming yourself or feel you cannot keep yourself safe, "
    "call your local emergency number now, or go to your nearest emergency department. "
    "You can also call your therapist's service during opening hours.",
)
