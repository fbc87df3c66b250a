"""Settings for the test suite: fast password hashing, no lockout leaking between tests."""

import os

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns if absent

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory: scoring forks worker processes that open their own connection,
    # and they must see what a transactional test committed.
    # SHIXIAO_TEST_DB names another file, so two suites can run side by side on one tree.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("SHIXIAO_TEST_DB") or str(VAR_DIR / "test.sqlite3")}  # noqa: F405
