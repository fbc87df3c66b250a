"""Default settings: the embedded demo on a laptop (SQLite under var/, 127.0.0.1)."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("SHIXIAO_DEBUG", True)

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns if absent
