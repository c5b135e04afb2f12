"""Django settings for OpenIPT, read from the environment (see docs/deployment.md)."""

from __future__ import annotations

import os
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
    "auditlog",
    "csp",
    "openipt.core",
    "openipt.accounts",
    "openipt.clients",
    "openipt.courses",
    "openipt.interpersonal",
    "openipt.assessments",
    "openipt.portal",
    "openipt.audit",
    "openipt.privacy",
    "openipt.insights",
    "openipt.groups",
    "openipt.jobs",
    "openipt.notify",
    "openipt.api",
]

# Order matters (see docs/security.md): the request id first, so every response and audit
# row carries it; body limits before anything parses a body; idle sign-out and the MFA gate
# after the user is known; the audit middlewares last, so they see the final response.
MIDDLEWARE = [
    "openipt.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openipt.core.middleware.RequestLimitsMiddleware",
    "csp.middleware.CSPMiddleware",
    "openipt.core.middleware.SecurityHeadersMiddleware",
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
    "openipt.core.middleware.IdleTimeoutMiddleware",
    "openipt.core.middleware.MfaRequiredMiddleware",
    "openipt.audit.middleware.WriteAuditMiddleware",
    "openipt.audit.middleware.AccessAuditMiddleware",
    # Last, so its process_exception runs first: a full disk or lost database is a 503.
    "openipt.core.middleware_storage.StorageErrorMiddleware",
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
            # Source tags link to the sources page on every page: {% src %}, |sources, |cite.
            "builtins": ["openipt.core.templatetags.sources_tags"],
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
        # Connections persist like PostgreSQL's (OPENIPT_CONN_MAX_AGE): opening one costs
        # about 2 ms a request (the pragmas, the schema read again).
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
            ),
        }
        # One test database file per process, so that parallel test runs never share it.
        db["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
    else:
        # Likewise one test database per process: two runs at once on one server (a
        # developer's and CI's) must not drop each other's.
        db["TEST"] = {"NAME": f"test_{db['NAME']}_{os.getpid()}"}
    return dict(db)


DATABASES = {"default": _database()}

# The shared cache (docs/architecture.md, "What is kept"): kept pages and charts, sessions,
# throttle counts and fitted curves, the same for every worker. A service sets Redis, which
# every host shares; a single host without it uses a file cache that its workers share.
OPENIPT_REDIS_URL = env_str("OPENIPT_REDIS_URL")
OPENIPT_CACHE_DIR = Path(env_str("OPENIPT_CACHE_DIR") or DATA_DIR / "cache")
OPENIPT_CACHE_MAX_ENTRIES = env_int("OPENIPT_CACHE_MAX_ENTRIES", 20000, minimum=100)


def _caches() -> dict[str, Any]:
    """Return Redis when OPENIPT_REDIS_URL is set, else a file cache under the data folder."""
    if OPENIPT_REDIS_URL:
        if not OPENIPT_REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
            raise ImproperlyConfigured(
                "OPENIPT_REDIS_URL must be a redis://, rediss:// or unix:// URL"
            )
        default: dict[str, Any] = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": OPENIPT_REDIS_URL,
        }
    else:
        default = {
            "BACKEND": "openipt.core.filecache.FileCache",
            "LOCATION": str(OPENIPT_CACHE_DIR),
            "OPTIONS": {"MAX_ENTRIES": OPENIPT_CACHE_MAX_ENTRIES},
        }
    return {"default": {**default, "KEY_PREFIX": "openipt", "TIMEOUT": 7 * 24 * 3600}}


CACHES = _caches()
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
# Sessions are read from the shared cache and written through to the database, which stays
# the source of truth: signing out deletes both, so a stolen cookie dies with the session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
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
# Every failed sign-in, wrong password or wrong second-factor code, kept with its address;
# what was typed is masked in axes' records like the password.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# A wrong second-factor code counts as a failed sign-in (openipt.core.mfa), since allauth's
# own code limit went off with its login throttle above.
MFA_FORMS = {
    "authenticate": "openipt.core.mfa.AuthenticateForm",
    "reauthenticate": "openipt.core.mfa.ReauthenticateForm",
}
# The reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks); the
# one client address that the lockout, the API limits and the audit all use.
from openipt.core.addresses import trusted_proxies  # noqa: E402

OPENIPT_TRUSTED_PROXIES = trusted_proxies(env_list("OPENIPT_TRUSTED_PROXIES", []))
AXES_CLIENT_IP_CALLABLE = "openipt.core.addresses.client_address"

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
# SMTP (OPENIPT_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend; docs/deployment.md).
EMAIL_HOST = env_str("OPENIPT_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("OPENIPT_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("OPENIPT_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("OPENIPT_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("OPENIPT_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("OPENIPT_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("OPENIPT_EMAIL_TIMEOUT", 30, minimum=1)

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

# A course start or a date of birth further back than these is refused unless confirmed (a
# start) or refused (a date of birth): mistyped years are the usual cause.
OPENIPT_OLD_START_DAYS = env_int("OPENIPT_OLD_START_DAYS", 730, minimum=1)
OPENIPT_MAX_AGE_YEARS = env_int("OPENIPT_MAX_AGE_YEARS", 110, minimum=1)

# The service's own crisis contacts, shown with the crisis text wherever it appears (portal,
# safety plan, API): items separated by ";", e.g. "Duty team (9-5): 0100 000 0000; Out of
# hours: 0100 000 0001". `openipt check` warns while it is empty.
OPENIPT_CRISIS_CONTACTS = [
    item.strip() for item in env_str("OPENIPT_CRISIS_CONTACTS").split(";") if item.strip()
]

# Measures (assessments app)
# Clinical choices of measurement-based care; every default and its reason is in
# docs/measures.md ("Settings of the assessments app"). The crisis text shown after a risk
# answer is OPENIPT_CRISIS_TEXT above.
from openipt.assessments.env import env_float, env_number_map, env_risk_items  # noqa: E402

# Every session (NHS Talking Therapies [S85]) or intake and every N sessions (IPT Institute:
# N = 4 [S6], [S111]); the first and the last planned session are always due.
OPENIPT_MEASURE_CADENCE = env_choice(
    "OPENIPT_MEASURE_CADENCE", ("every_session", "every_n"), "every_session"
)
OPENIPT_MEASURE_EVERY_N = env_int("OPENIPT_MEASURE_EVERY_N", 4, minimum=1)
# The questionnaires the schedule asks for at a due session (NHS TT: PHQ-9 and GAD-7).
OPENIPT_MEASURE_INSTRUMENTS = env_list("OPENIPT_MEASURE_INSTRUMENTS", ["phq9", "gad7"])
# Risk items a service adds to the built-in ones (PHQ-9 item 9 > 0 is always on):
# "instrument:item:lowest alerting answer", comma-separated, e.g. "gad7:7:3".
OPENIPT_RISK_ITEMS = env_risk_items("OPENIPT_RISK_ITEMS")
# Jacobson-Truax RCI [S78]: SD of the service's baseline scores ("phq9=5.2"); with an SD set,
# the RCI replaces the fixed NHS TT thresholds in the service's own displays. Reliability
# overrides the instrument's (PHQ-9 alpha 0.89 [S200]).
OPENIPT_RCI_SD = env_number_map("OPENIPT_RCI_SD")
OPENIPT_RCI_RELIABILITY = env_number_map("OPENIPT_RCI_RELIABILITY")
# How PHQ-9 and GAD-7 combine for NHS TT reliable change: UNCONFIRMED in the sources.
OPENIPT_RELIABLE_IMPROVEMENT_RULE = env_choice(
    "OPENIPT_RELIABLE_IMPROVEMENT_RULE",
    ("one_improves_none_deteriorates", "any_improves", "all_improve"),
    "one_improves_none_deteriorates",
)
OPENIPT_RELIABLE_DETERIORATION_RULE = env_choice(
    "OPENIPT_RELIABLE_DETERIORATION_RULE",
    ("any_deteriorates", "all_deteriorate"),
    "any_deteriorates",
)
# Not on track: the review point as a fraction of the planned sessions (a product choice),
# and how many finished courses a service needs before its own expected-change curves count.
OPENIPT_NOT_ON_TRACK_REVIEW_FRACTION = env_float(
    "OPENIPT_NOT_ON_TRACK_REVIEW_FRACTION", 0.5, low=0.0, high=1.0
)
OPENIPT_EXPECTED_CURVES_MIN_COURSES = env_int("OPENIPT_EXPECTED_CURVES_MIN_COURSES", 20, minimum=2)
OPENIPT_EXPECTED_CURVES_SAMPLE = env_int("OPENIPT_EXPECTED_CURVES_SAMPLE", 5000, minimum=2)
# Canonical base of the FHIR export, and a service's own instrument files (same schema).
OPENIPT_FHIR_BASE = env_str("OPENIPT_FHIR_BASE", "https://openipt.org/fhir")
OPENIPT_INSTRUMENT_FILES = env_list("OPENIPT_INSTRUMENT_FILES", [])

# Privacy and resilience (privacy app)
# Field-encryption keys (docs/security.md, "Encryption at rest"): OPENIPT_FIELD_KEYS holds
# comma-separated Fernet keys, the first encrypts; without it the key file is used (made on
# first use in demo mode only). Keys are read when first needed, never kept in the database.
OPENIPT_FIELD_KEYS = env_list("OPENIPT_FIELD_KEYS", [])
OPENIPT_FIELD_KEY_FILE = Path(env_str("OPENIPT_FIELD_KEY_FILE") or DATA_DIR / "field_keys")
# Days between erasing a client (hidden at once) and `openipt purge` deleting the record.
OPENIPT_RETENTION_DAYS = env_int("OPENIPT_RETENTION_DAYS", 30, minimum=0)
# Rows re-encrypted per transaction by `openipt keys rotate`.
OPENIPT_KEY_ROTATION_BATCH = env_int("OPENIPT_KEY_ROTATION_BATCH", 500, minimum=1)

# Security (audit app)
# Every choice and its reason is in docs/security.md.
from csp.constants import NONE, SELF  # noqa: E402

# MFA for therapists, supervisors and admins: on by default in production only.
OPENIPT_REQUIRE_MFA = env_bool("OPENIPT_REQUIRE_MFA", PRODUCTION)
# Idle sign-out: staff after 15 minutes; clients use the portal at home, so longer.
OPENIPT_IDLE_MINUTES = env_int("OPENIPT_IDLE_MINUTES", 15, minimum=1)
OPENIPT_CLIENT_IDLE_MINUTES = env_int("OPENIPT_CLIENT_IDLE_MINUTES", 60, minimum=1)
# An absolute cap on any session, and none survives closing the browser.
SESSION_COOKIE_AGE = env_int("OPENIPT_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Exports and erasure ask for the password again if the last sign-in is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("OPENIPT_REAUTH_SECONDS", 300, minimum=30)
# API tokens expire: after 90 days unless their owner asks for another lifetime, at most a
# year. A password change or deactivation ends them all (accounts.models.User.save).
OPENIPT_API_TOKEN_DAYS = env_int("OPENIPT_API_TOKEN_DAYS", 90, minimum=1)
OPENIPT_API_TOKEN_MAX_DAYS = env_int("OPENIPT_API_TOKEN_MAX_DAYS", 365, minimum=1)
if OPENIPT_API_TOKEN_DAYS > OPENIPT_API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured("OPENIPT_API_TOKEN_DAYS must not exceed OPENIPT_API_TOKEN_MAX_DAYS")
# Bodies: 1 MiB of form or JSON data (413 above it; no file uploads over the web), JSON
# nested at most 32 levels (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("OPENIPT_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
OPENIPT_MAX_JSON_DEPTH = env_int("OPENIPT_MAX_JSON_DEPTH", 32, minimum=2)
# API rate limits ("count/period", period s, m, h or d): per signed-in user, and failed
# authentications per address (ninja runs throttles only after authentication succeeds).
OPENIPT_API_RATE_USER = env_str("OPENIPT_API_RATE_USER", "1200/m")
OPENIPT_API_RATE_ANON = env_str("OPENIPT_API_RATE_ANON", "300/m")

# Reads are stored as they happen and linked into the audit's hash chain in batches, by each
# process at most this often (after a response) and before anyone reads the trail.
OPENIPT_AUDIT_CHAIN_SECONDS = env_int("OPENIPT_AUDIT_CHAIN_SECONDS", 2, minimum=0)
# The chain is keyed (HMAC-SHA256) with keys kept outside the database, like the field keys:
# OPENIPT_AUDIT_KEYS holds comma-separated keys, the first signs and the others verify the
# events signed before a rotation; without it the key file is used (made on first use in
# demo mode only). docs/security.md, "The read audit".
OPENIPT_AUDIT_KEYS = env_list("OPENIPT_AUDIT_KEYS", [])
OPENIPT_AUDIT_KEY_FILE = Path(env_str("OPENIPT_AUDIT_KEY_FILE") or DATA_DIR / "audit_keys")

# allauth keeps TOTP keys and recovery-code seeds encrypted with the field keys.
MFA_ADAPTER = "openipt.core.mfa.MFAAdapter"

# Write audit: django-auditlog names the request id as its correlation id; values of
# clinical fields are masked whole (openipt.audit.writes).
AUDITLOG_CID_GETTER = "openipt.core.middleware.current_request_id"
AUDITLOG_MASK_CALLABLE = "openipt.audit.writes.mask_all"

# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Flash messages live in the session, so the only cookies are the session and CSRF ones;
# in production both carry the __Host- prefix (Secure, whole site, this host only).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-openipt_session"
    CSRF_COOKIE_NAME = "__Host-openipt_csrf"

# Client portal (portal app)
# The address clients reach the service at, used in invitation and sign-in links; empty, the
# links use the address each request came in on (portal.conf.base_url).
OPENIPT_BASE_URL = env_str("OPENIPT_BASE_URL")
# A therapist's invitation works once, for this many days; an e-mailed sign-in link works
# once, for this many minutes, and a client can ask for this many links an hour.
OPENIPT_PORTAL_INVITATION_DAYS = env_int("OPENIPT_PORTAL_INVITATION_DAYS", 7, minimum=1)
OPENIPT_PORTAL_SIGN_IN_MINUTES = env_int("OPENIPT_PORTAL_SIGN_IN_MINUTES", 30, minimum=5)
OPENIPT_PORTAL_SIGN_IN_LINKS_PER_HOUR = env_int(
    "OPENIPT_PORTAL_SIGN_IN_LINKS_PER_HOUR", 3, minimum=1
)

# Jobs and notifications (jobs and notify apps; docs/deployment.md, "Workers")
# The queue lives in Redis when OPENIPT_REDIS_URL is set, else in the database; its name
# is the Redis key prefix (give each OpenIPT that shares a Redis its own).
OPENIPT_QUEUE_NAME = env_str("OPENIPT_QUEUE_NAME", "openipt")
# Scheduled backups: the folder, and how many are kept (0 turns them off).
OPENIPT_BACKUP_DIR = Path(env_str("OPENIPT_BACKUP_DIR") or DATA_DIR / "backups")
OPENIPT_BACKUP_KEEP = env_int("OPENIPT_BACKUP_KEEP", 7, minimum=0)
# Alert escalation (docs/safety.md): an alert not acknowledged within this many working
# minutes goes to the therapist's supervisor, and as long again later to the duty contact.
# Raised out of working hours, it goes to the duty contact after OUT_OF_HOURS minutes.
OPENIPT_ALERT_ESCALATE_MINUTES = env_int("OPENIPT_ALERT_ESCALATE_MINUTES", 240, minimum=1)
OPENIPT_ALERT_OUT_OF_HOURS_MINUTES = env_int("OPENIPT_ALERT_OUT_OF_HOURS_MINUTES", 60, minimum=1)
OPENIPT_DUTY_EMAIL = env_str("OPENIPT_DUTY_EMAIL")
# Working hours ("HH:MM-HH:MM", local time) and days (mon..sun).
OPENIPT_WORKING_HOURS = env_str("OPENIPT_WORKING_HOURS", "09:00-17:00")
OPENIPT_WORKING_DAYS = env_list("OPENIPT_WORKING_DAYS", ["mon", "tue", "wed", "thu", "fri"])
# Clients are not sent reminders in these hours (local time); they wait until the end.
OPENIPT_QUIET_HOURS = env_str("OPENIPT_QUIET_HOURS", "21:00-08:00")
# Text messages: the console back end prints them (the demo); a service names its own class.
OPENIPT_SMS_BACKEND = env_str("OPENIPT_SMS_BACKEND", "openipt.notify.sms.ConsoleBackend")
# A message is tried this many times, waiting longer each time, then marked failed.
OPENIPT_MESSAGE_ATTEMPTS = env_int("OPENIPT_MESSAGE_ATTEMPTS", 6, minimum=1)
# A worker's claim on a message it is sending lasts this long; after it another worker may
# take the message over (the first one died). Longer than an SMTP send can take.
OPENIPT_MESSAGE_LEASE_SECONDS = env_int("OPENIPT_MESSAGE_LEASE_SECONDS", 300, minimum=1)
# How often `openipt worker` runs the minute sweeps (escalation, delivery); tests shorten it.
OPENIPT_WORKER_TICK_SECONDS = env_int("OPENIPT_WORKER_TICK_SECONDS", 60, minimum=1)
