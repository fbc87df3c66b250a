"""Every setting a deployment may change is read from a SHIXIAO_* environment variable, and
the README's configuration table lists exactly those variables."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"\bSHIXIAO_[A-Z][A-Z0-9_]*[A-Z0-9]\b")


def run_with_settings(code: str, env: dict[str, str], *, cwd: Path,
                      settings: str = "shixiao.settings.test") -> dict:
    """Run `code` in a fresh interpreter after django.setup() under `settings` with `env`
    added; it prints one JSON value, returned here."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SHIXIAO_")}
    full_env.update(env, DJANGO_SETTINGS_MODULE=settings,
                    PYTHONPATH=os.pathsep.join([str(ROOT / "src"), *sys.path]))
    script = "import django, json\ndjango.setup()\n" + code
    done = subprocess.run([sys.executable, "-c", script], env=full_env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def names_read_by_the_code() -> set[str]:
    found = set()
    for path in (ROOT / "src").rglob("*.py"):
        found |= set(NAME.findall(path.read_text(encoding="utf-8")))
    return found


def names_in_the_readme_table() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows, "the README has a configuration table"
    # Only the first cell names variables; the default column may mention others.
    return {name for row in rows for name in NAME.findall(row.split("|")[1])}


def test_the_readme_table_lists_every_shixiao_variable_the_code_reads():
    code, table = names_read_by_the_code(), names_in_the_readme_table()
    assert code - table == set(), "read by the code but missing from the README table"
    assert table - code == set(), "in the README table but read by no code"


def test_import_limits_come_from_the_environment(tmp_path):
    limits = run_with_settings(
        "from shixiao.sheets import services\n"
        "print(json.dumps([services.max_rows(), services.max_bytes()]))",
        {"SHIXIAO_IMPORT_MAX_ROWS": "7", "SHIXIAO_IMPORT_MAX_BYTES": "12345",
         "SHIXIAO_VAR_DIR": str(tmp_path / "var")}, cwd=tmp_path)
    assert limits == [7, 12345]


def test_import_limits_default_to_2000_rows_and_5_mb(tmp_path):
    limits = run_with_settings(
        "from shixiao.sheets import services\n"
        "print(json.dumps([services.max_rows(), services.max_bytes()]))",
        {"SHIXIAO_VAR_DIR": str(tmp_path / "var")}, cwd=tmp_path)
    assert limits == [2000, 5 * 1024 * 1024]
