"""Whether browser tests run, skip or fail (tests/browser/availability.py), and what a run
without Chromium prints: one loud line naming the install command, a green result on a
developer's machine, and a failure in CI (SHIXIAO_REQUIRE_BROWSER=1)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .browser import availability
from .browser.availability import FAIL, RUN, SKIP, decide

ROOT = Path(__file__).resolve().parents[1]


def test_browser_tests_run_when_chromium_and_playwright_are_there():
    assert decide({}, chromium=True, playwright=True).action == RUN
    assert decide({"SHIXIAO_REQUIRE_BROWSER": "1"}, chromium=True, playwright=True).action == RUN


def test_without_chromium_browser_tests_skip_naming_the_install_command():
    decision = decide({}, chromium=False, playwright=True)
    assert decision.action == SKIP
    assert "apt-get install chromium fonts-noto-cjk" in decision.reason


def test_without_playwright_browser_tests_skip_naming_the_pip_command():
    decision = decide({}, chromium=True, playwright=False)
    assert decision.action == SKIP and availability.INSTALL_PLAYWRIGHT in decision.reason


@pytest.mark.parametrize("chromium, playwright", [(False, True), (True, False), (False, False)])
def test_ci_forbids_skipping_browser_tests(chromium, playwright):
    decision = decide({"SHIXIAO_REQUIRE_BROWSER": "1"}, chromium=chromium,
                      playwright=playwright)
    assert decision.action == FAIL and "SHIXIAO_REQUIRE_BROWSER" in decision.reason


def test_skip_on_request_skips_even_with_chromium_but_not_in_ci():
    assert decide({"SHIXIAO_SKIP_BROWSER": "1"}, chromium=True, playwright=True).action == SKIP
    both = {"SHIXIAO_SKIP_BROWSER": "true", "SHIXIAO_REQUIRE_BROWSER": "yes"}
    assert decide(both, chromium=True, playwright=True).action == FAIL
    assert decide({"SHIXIAO_SKIP_BROWSER": "0"}, chromium=True, playwright=True).action == RUN


def test_dev_null_mounted_over_chromium_is_no_chromium(tmp_path):
    assert not availability.chromium_found("/dev/null")
    assert not availability.chromium_found(str(tmp_path / "chromium"))
    script = tmp_path / "chromium"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert availability.chromium_found(str(script))
    assert availability.chromium_path({"SHIXIAO_CHROMIUM": str(script)}) == str(script)


def _run_browser_tests(tmp_path, **env):
    """pytest on tests/browser in a child process, with no Chromium at the given path."""
    environ = {k: v for k, v in os.environ.items()
               if k not in {"SHIXIAO_SKIP_BROWSER", "SHIXIAO_REQUIRE_BROWSER"}}
    environ.update(SHIXIAO_CHROMIUM=str(tmp_path / "no-chromium"),
                   SHIXIAO_TEST_DB=str(tmp_path / "test.sqlite3"), **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=-ra",
         "tests/browser"], cwd=ROOT, env=environ, capture_output=True, text=True,
        timeout=300)


def test_a_run_without_chromium_passes_with_one_loud_line(tmp_path):
    result = _run_browser_tests(tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    loud = [line for line in result.stdout.splitlines()
            if "apt-get install chromium fonts-noto-cjk" in line]
    assert len(loud) == 1, result.stdout[-2000:]
    assert loud[0].startswith("!") and "browser tests skipped" in loud[0]
    assert " skipped" in result.stdout.splitlines()[-1]


def test_a_ci_run_without_chromium_fails(tmp_path):
    result = _run_browser_tests(tmp_path, SHIXIAO_REQUIRE_BROWSER="1")
    assert result.returncode == 1, result.stdout[-2000:]
    assert "SHIXIAO_REQUIRE_BROWSER=1 forbids skipping" in result.stdout
    assert " skipped" not in result.stdout.splitlines()[-1]
