"""Whether the browser tests run, skip or fail: a pure decision, tested on its own
(tests/test_browser_availability.py) and applied once per run by conftest.py.

- Chromium and the playwright package are there: run.
- SHIXIAO_SKIP_BROWSER=1: skip, on request.
- Either is missing: skip, with one loud line that says how to install them — a machine
  with only Python and make still gets a green `make test` (which installs Chromium itself
  when it runs as root with apt-get, see scripts/get-chromium).
- SHIXIAO_REQUIRE_BROWSER=1 (set by .ci/run) turns every skip into a failure: a CI run whose
  browser tests quietly skipped would prove nothing. It overrides SHIXIAO_SKIP_BROWSER.
"""

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass

INSTALL_CHROMIUM = "apt-get install chromium fonts-noto-cjk"
INSTALL_PLAYWRIGHT = "pip install -e '.[test]'"

RUN, SKIP, FAIL = "run", "skip", "fail"


@dataclass(frozen=True)
class Decision:
    action: str  # RUN, SKIP or FAIL
    reason: str = ""


def flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes"}


def chromium_path(env: Mapping[str, str]) -> str:
    return env.get("SHIXIAO_CHROMIUM", "").strip() or "/usr/bin/chromium"


def chromium_found(path: str) -> bool:
    """An executable file (a name is looked up on PATH). /dev/null mounted over the binary,
    as scripts/fresh-machine-test does, is no Chromium."""
    found = shutil.which(path)
    return bool(found) and os.path.isfile(found)


def playwright_found() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def decide(env: Mapping[str, str], *, chromium: bool, playwright: bool) -> Decision:
    required = flag(env, "SHIXIAO_REQUIRE_BROWSER")
    if flag(env, "SHIXIAO_SKIP_BROWSER"):
        if required:
            return Decision(FAIL, "SHIXIAO_SKIP_BROWSER=1 is set, but SHIXIAO_REQUIRE_BROWSER=1 "
                                  "forbids skipping the browser tests.")
        return Decision(SKIP, "browser tests skipped on request (SHIXIAO_SKIP_BROWSER=1)")
    missing = []
    if not chromium:
        missing.append(f"Chromium is not installed at {chromium_path(env)}: install it with "
                       f"`{INSTALL_CHROMIUM}` as root (make test does this itself when run "
                       f"as root), or point SHIXIAO_CHROMIUM at a Chromium binary")
    if not playwright:
        missing.append(f"the playwright package is missing: `{INSTALL_PLAYWRIGHT}`")
    if not missing:
        return Decision(RUN)
    reason = "; ".join(missing)
    if required:
        return Decision(FAIL, f"{reason}. SHIXIAO_REQUIRE_BROWSER=1 forbids skipping them.")
    return Decision(SKIP, f"browser tests skipped: {reason}")


def current() -> Decision:
    return decide(os.environ, chromium=chromium_found(chromium_path(os.environ)),
                  playwright=playwright_found())
