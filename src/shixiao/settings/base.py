"""Settings shared by every deployment. Everything that differs between machines comes
from environment variables prefixed SHIXIAO_ so one wheel serves demo, tests and production."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# var/ holds the embedded SQLite database and other run-time files; it is relative to the
# working directory so that `make demo` in a checkout keeps everything inside the checkout.
VAR_DIR = Path(os.environ.get("SHIXIAO_VAR_DIR", "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SHIXIAO_SECRET_KEY", "insecure-dev-key-change-me-in-production")
DEBUG = env_bool("SHIXIAO_DEBUG", False)
ALLOWED_HOSTS = env_list("SHIXIAO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("SHIXIAO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "shixiao.core",
    "shixiao.accounts",
    "shixiao.audit",
    "shixiao.orgs",
    "shixiao.ledger",
    "shixiao.assessment",
    "shixiao.deadlines",
    "shixiao.proposals",
    "shixiao.reports",
    "shixiao.sheets",
    "shixiao.dossier",
    "shixiao.dashboard",
    "shixiao.mypages",
    "shixiao.web",
    "shixiao.api",
    # Lets the API docs page use django-ninja's bundled Swagger UI instead of a CDN, which
    # an offline government intranet cannot reach.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shixiao.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shixiao.urls"
WSGI_APPLICATION = "shixiao.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("SHIXIAO_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shixiao.sqlite3'}",
        conn_max_age=int(os.environ.get("SHIXIAO_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while a long import writes; IMMEDIATE transactions make
    # writers queue for the lock instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "shixiao.accounts.backends.RoleBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Login lockout (django-axes): five failures for one username from one address lock that
# pair for 15 minutes. Locking the pair rather than the bare username stops a stranger from
# locking a member out of their own account from elsewhere.
AXES_FAILURE_LIMIT = int(os.environ.get("SHIXIAO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SHIXIAO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("SHIXIAO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("SHIXIAO_STATIC_ROOT", VAR_DIR / "static"))
# Uploaded files (reply attachments) live under var/ beside the database, so backing up the
# var directory keeps them, and never in the working directory of the process.
MEDIA_ROOT = Path(os.environ.get("SHIXIAO_MEDIA_ROOT") or VAR_DIR / "media").resolve()
# Deliberately no MEDIA_URL and no media route: an upload is read only through a view that
# applies its record's scope (e.g. proposals:attachment). Under STATIC_ROOT WhiteNoise would
# hand it to anyone, so that is refused.
if MEDIA_ROOT.is_relative_to(STATIC_ROOT.resolve()):
    raise ImproperlyConfigured(
        "SHIXIAO_MEDIA_ROOT must not lie inside the static files directory "
        f"({STATIC_ROOT}): static files are served to anyone, uploads are not")
# Uploads hold members' and units' documents: readable by the service's own user (and its
# group, for backups), never by other accounts on the server.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# Caches the process may rebuild at any time (jieba's prefix dictionary).
CACHE_DIR = VAR_DIR / "cache"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve vendored assets straight from the package in the demo, no collectstatic needed.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

NINJA_PAGINATION_PER_PAGE = 50

# Excel import limits: rows per sheet and bytes per uploaded file.
SHIXIAO_IMPORT_MAX_ROWS = int(os.environ.get("SHIXIAO_IMPORT_MAX_ROWS", "2000"))
SHIXIAO_IMPORT_MAX_BYTES = int(os.environ.get("SHIXIAO_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHIXIAO_LOG_LEVEL", "WARNING")},
}
