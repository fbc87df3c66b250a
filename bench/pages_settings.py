"""Settings for bench/pages.py: the deployment's defaults (DEBUG off, a new database
connection per request unless SHIXIAO_DB_CONN_MAX_AGE says otherwise) plus one anchor page
that only the benchmark serves (bench/pages_urls.py)."""

from shixiao.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405 - the in-process test client
ROOT_URLCONF = "pages_urls"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns if absent
