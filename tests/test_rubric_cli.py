"""`check` and `score` on the command line: exit codes, FILE:LINE messages, formats."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from shixiao.assessment import cli

REPO = Path(__file__).resolve().parents[1]
GUANGSHUI = [str(REPO / "examples/rubrics/guangshui.yaml"),
             str(REPO / "examples/ledgers/guangshui.yaml")]


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_check_valid_files_exits_zero(capsys):
    status, out, _ = run(capsys, "check", *sorted(str(p) for p in
                                                  (REPO / "examples/rubrics").glob("*.yaml")))
    assert status == 0
    assert out.count(": ok") == len(list((REPO / "examples/rubrics").glob("*.yaml")))


def test_check_invalid_file_prints_file_line_rule(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rubric: x\ncategories:\n  - id: duty\n    max: -1\n    rules:\n"
                   "      - {id: r1, kind: per_item, points: 1}\n")
    status, out, _ = run(capsys, "check", str(bad))
    assert status == 1
    assert out.splitlines() == [
        f"{bad}:4: category duty: cap below zero: max -1 on category duty "
        "(use min for a deduction budget)",
        f"{bad}:6: rule r1: unknown rule kind 'per_item' "
        "(known: per_unit, threshold, highest, manual)",
    ]


def test_check_missing_file(tmp_path, capsys):
    status, _, err = run(capsys, "check", str(tmp_path / "none.yaml"))
    assert status == 1 and "cannot read" in err


def test_score_table(capsys):
    status, out, _ = run(capsys, "score", "--rubric", GUANGSHUI[0], "--ledger", GUANGSHUI[1])
    assert status == 0
    header, rule, *rows = out.splitlines()
    assert header.split()[:4] == ["member", "role", "total", "grade"]
    assert [row.split()[:3] for row in rows] == [["average", "member", "68.5"],
                                                ["strong", "member", "108"],
                                                ["weak", "standing", "10"]]


def test_score_csv(capsys):
    status, out, _ = run(capsys, "score", "--rubric", GUANGSHUI[0], "--ledger", GUANGSHUI[1],
                         "--format", "csv")
    assert out.startswith("\ufeff")  # so Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(out[1:])))
    assert status == 0
    assert {r["member"]: (r["total"], r["duty"]) for r in rows} == {
        "average": ("68.5", "50"), "strong": ("108", "80"), "weak": ("10", "10")}


def test_score_as_of_leaves_out_later_entries(capsys):
    status, out, _ = run(capsys, "score", "--rubric", GUANGSHUI[0], "--ledger", GUANGSHUI[1],
                         "--as-of", "2017-06-30", "--format", "json")
    totals = {m["member"]: m["total"] for m in json.loads(out)}
    # strong's later enterprise, household, study and commendation entries do not count yet
    assert status == 0 and totals["strong"] == 80 + 10


def test_score_history_drives_consequences(tmp_path, capsys):
    rubric = tmp_path / "r.yaml"
    rubric.write_text("rubric: r\ncategories: [{id: c}]\ngrades:\n  - {id: ok, min: 10}\n"
                      "  - {id: poor, min: 0}\nconsequences:\n"
                      "  - {id: warning, grade: [poor], times: 2}\n")
    ledger = tmp_path / "l.yaml"
    ledger.write_text("members: [{id: a}, {id: b}]\nentries: []\n")
    history = tmp_path / "h.yaml"
    history.write_text("a: [poor]\nb: [ok]\n")
    status, out, _ = run(capsys, "score", "--rubric", str(rubric), "--ledger", str(ledger),
                         "--history", str(history), "--format", "json")
    assert status == 0
    assert {m["member"]: m["consequences"] for m in json.loads(out)} == {"a": ["warning"],
                                                                         "b": []}


def test_score_refuses_invalid_rubric_and_ledger(tmp_path, capsys):
    bad_rubric = tmp_path / "r.yaml"
    bad_rubric.write_text("rubric: r\ncategories: [{id: c, max: -1}]\n")
    status, _, err = run(capsys, "score", "--rubric", str(bad_rubric), "--ledger", GUANGSHUI[1])
    assert status == 1 and f"{bad_rubric}:2: category c: cap below zero" in err
    bad_ledger = tmp_path / "l.csv"
    bad_ledger.write_text("id,member,kind,date\nx,m,speech,tomorrow\n")
    status, _, err = run(capsys, "score", "--rubric", GUANGSHUI[0], "--ledger", str(bad_ledger))
    assert status == 1 and f"{bad_ledger}:2: field date: not a date" in err


def test_module_is_runnable():
    done = subprocess.run([sys.executable, "-m", "shixiao.assessment.cli", "check",
                           GUANGSHUI[0]], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip().endswith(": ok")


def test_table_aligns_chinese_member_ids(tmp_path, capsys):
    ledger = tmp_path / "l.yaml"
    ledger.write_text("members: [{id: 张三丰}, {id: li}]\nentries: []\n", encoding="utf-8")
    status, out, _ = run(capsys, "score", "--rubric", GUANGSHUI[0], "--ledger", str(ledger))
    header, rule, li, zhang = out.splitlines()
    assert status == 0
    assert li.index("member") == 8 and zhang.index("member") == 8 - 3  # 3 wide characters
