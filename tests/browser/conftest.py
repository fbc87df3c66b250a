"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

One Chromium runs for the whole package; each test gets a fresh context (no shared cookies)
through `visit`, which records console errors and failed requests, and always saves a
screenshot to var/screenshots/<test>.png, whether the test passed or not, so CI keeps what
the browser showed.

Whether they run is decided once per run (availability.py): without Chromium or the
playwright package they are skipped, and the run ends with ONE loud line naming the
install command (`make test` installs Chromium itself when it runs as root with apt-get:
scripts/get-chromium). CI sets SHIXIAO_REQUIRE_BROWSER=1, which turns that skip into a
failure: a browser test that silently skips in CI proves nothing. SHIXIAO_SKIP_BROWSER=1
skips them on request (docs/testing.md).
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import availability

HERE = Path(__file__).resolve().parent
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = availability.chromium_path(os.environ)
# Playwright cannot download its own browser here (no network), so it launches the system
# one; these switches keep Chromium from calling home or waiting on a GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000


DECISION = pytest.StashKey[availability.Decision]()


def pytest_collection_modifyitems(session, config, items):
    """Decide once per run, when browser tests were collected."""
    if any(Path(item.path).resolve().is_relative_to(HERE) for item in items):
        config.stash[DECISION] = availability.current()


def pytest_runtest_setup(item):
    """Skip (or, under SHIXIAO_REQUIRE_BROWSER=1, fail) each browser test before any of
    its fixtures — database, live server — is set up. Skipping here rather than with a
    marker keeps pytest's `-ra` summary to one line for all of them."""
    decision = item.config.stash.get(DECISION, None)
    if decision is None or decision.action == availability.RUN:
        return
    if decision.action == availability.FAIL:
        pytest.fail(decision.reason, pytrace=False)
    pytest.skip("browser tests not run: see the line that ends the run")


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The one loud line, just above pytest's closing count: browser tests did not run, and
    what to install."""
    decision = config.stash.get(DECISION, None)
    if decision is not None and decision.action != availability.RUN:
        colour = "red" if decision.action == availability.FAIL else "yellow"
        terminalreporter.write_sep("!", decision.reason, bold=True, **{colour: True})


@pytest.fixture(scope="package")
def chromium():
    """One headless Chromium for every browser test.

    Package scope, not session: Playwright's sync API keeps an asyncio loop marked as
    running in this thread for as long as it is started, and Django refuses database calls
    under a running loop. The loop must end with the last browser test, so the rest of the
    suite runs as usual; while it lives, DJANGO_ALLOW_ASYNC_UNSAFE lets the tests set up
    and check data (there is no real async code involved: the loop only serves Playwright).
    """
    from playwright.sync_api import sync_playwright  # present: availability.py checked

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    playwright = sync_playwright().start()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=CHROMIUM_ARGS)
        except Exception as exc:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}", pytrace=False)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Visit:
    """A page in its own browser context, and what went wrong while it was open."""

    page: object
    base_url: str
    name: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return response

    def log_in(self, username: str, password: str = "pw") -> None:
        """The login form, as a person fills it in."""
        self.goto("/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation():
            self.page.click("main form button[type=submit]")
        assert "/login/" not in self.page.url, f"login as {username} failed: {self.page.url}"

    def snap(self, step: str) -> None:
        """An extra screenshot of a step worth seeing besides the end state."""
        self.page.screenshot(path=str(_screenshot_path(f"{self.name}-{step}")), full_page=True)

    def problems(self) -> list[str]:
        return ([f"console error: {e}" for e in self.console_errors]
                + [f"failed request: {r}" for r in self.failed_requests])

    def assert_clean(self) -> None:
        """No console error and no failed asset request so far."""
        assert self.problems() == []


def _screenshot_path(node_name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / (re.sub(r"[^\w.-]+", "_", node_name).strip("_") + ".png")


@pytest.fixture
def visit(request, chromium, live_server):
    """`visit(viewport=PHONE)` → a Visit on the live server. Every page opened this way is
    screenshotted at the end of the test (pass or fail) and must end with no console errors
    and no failed requests."""
    contexts = []

    def open_visit(viewport=DESKTOP) -> Visit:
        context = chromium.new_context(viewport=viewport, locale="zh-CN",
                                       base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        name = request.node.name + (f"-{len(contexts)}" if contexts else "")
        v = Visit(page=page, base_url=live_server.url, name=name)
        page.on("console", lambda msg: _is_console_error(msg) and v.console_errors.append(
            f"{msg.text} ({msg.location.get('url', '')})"))
        page.on("pageerror", lambda exc: v.console_errors.append(f"uncaught: {exc}"))
        page.on("response", lambda r: _is_failure(r) and v.failed_requests.append(
            f"{r.status} {r.request.resource_type} {r.request.method} {r.url}"))
        # A navigation that becomes a download is "aborted" by design; an asset that never
        # arrived is a broken page.
        page.on("requestfailed", lambda r: r.resource_type in ASSETS and
                v.failed_requests.append(f"{r.failure} {r.resource_type} {r.method} {r.url}"))
        contexts.append((context, v))
        return v

    yield open_visit

    problems = []
    for context, v in contexts:
        try:
            v.page.screenshot(path=str(_screenshot_path(v.name)), full_page=True)
        finally:
            problems += v.problems()
            context.close()
    if problems and not getattr(request.node, "failed_call", False):
        pytest.fail("\n".join(problems), pytrace=False)


ASSETS = {"stylesheet", "script", "image", "font", "media", "manifest", "other"}


def _is_console_error(message) -> bool:
    return message.type == "error"


def _is_failure(response) -> bool:
    """Any server error; and any 4xx for a static asset. A page or an htmx request that
    answers 400 to a bad form or 403 to a stranger is behaviour; a stylesheet that answers
    404 is a broken page."""
    if response.status >= 500:
        return True
    return response.status >= 400 and response.request.resource_type in ASSETS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.failed_call = True
    return report
