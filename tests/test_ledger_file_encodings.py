"""Ledger files as offices save them: Excel on Chinese Windows writes GB18030 (GBK) CSV,
"CSV UTF-8" with a byte order mark, "Unicode text" as UTF-16; all score alike, and bytes in
none of these are refused with the file, line and offset, exit 1 and no traceback. CSV
output starts with a byte order mark so Excel shows its Chinese."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shixiao.assessment import cli, ledgerfile
from shixiao.core.textfiles import UndecodableText, decode

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = str(ROOT / "examples/rubrics/guangshui.yaml")
LEDGER_CSV = (
    "id,member,member_role,kind,date,status,role,meeting,state,type,level\n"
    "e1,张三,member,proposal,2017-03-10,registered,first_author,,,,\n"
    "e2,张三,member,commendation,2017-11-20,,,,,,provincial\n"
    "e3,李四,standing,attendance,2017-04-25,,,standing,unexcused,,\n"
    "e4,李四,standing,study,2017-09-01,,,,,notebook,\n"
    "e5,王五,member,service,2017-06-15,,,,,key_enterprise,\n"
)


def score_json(capsys, ledger: Path) -> list[dict]:
    status = cli.main(["score", "--rubric", RUBRIC, "--ledger", str(ledger),
                       "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    return json.loads(out)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-16"])
def test_a_ledger_csv_scores_the_same_in_every_encoding_offices_save(tmp_path, capsys,
                                                                     encoding):
    twin = tmp_path / "utf8.csv"
    twin.write_bytes(LEDGER_CSV.encode("utf-8"))
    saved = tmp_path / f"{encoding}.csv"
    saved.write_bytes(LEDGER_CSV.encode(encoding))
    expected = score_json(capsys, twin)
    assert {r["member"] for r in expected} == {"张三", "李四", "王五"}
    assert score_json(capsys, saved) == expected


def test_a_gb18030_yaml_ledger_reads_like_its_utf8_twin(tmp_path):
    text = "members: [{id: 张三}]\nentries:\n  - {id: e1, member: 张三, kind: study, " \
           "date: 2017-09-01, type: notebook, note: 读书笔记}\n"
    (tmp_path / "a.yaml").write_bytes(text.encode("gb18030"))
    (tmp_path / "b.yaml").write_bytes(text.encode("utf-8"))
    a, b = ledgerfile.read(tmp_path / "a.yaml"), ledgerfile.read(tmp_path / "b.yaml")
    assert a.entries == b.entries and a.entries[0].attrs["note"] == "读书笔记"


@pytest.mark.parametrize("data, line, offset", [
    (b"id,member,kind,date\ne1,\xff\xfe\xfa,study,2017-09-01\n", 2, 23),
    (b"id,member,kind,date\n" + b"\x89PNG\r\n\x1a\n\x00\x00", 4, 28),  # first NUL
    ("id,member,kind,date\ne1,张三,study,2017-09-01\n".encode("utf-16-le"), 1, 1),
])
def test_bytes_in_no_known_encoding_are_named_by_line_and_offset(data, line, offset):
    with pytest.raises(UndecodableText) as caught:
        decode(data)
    assert (caught.value.line, caught.value.offset) == (line, offset)


def test_a_garbage_ledger_is_a_clean_error_with_exit_code_1(tmp_path):
    ledger = tmp_path / "2025.csv"
    ledger.write_bytes(b"id,member,kind,date\ne1,\xff\xfe\xfa,study,2017-09-01\n")
    done = subprocess.run([sys.executable, "-m", "shixiao.assessment.cli", "score",
                           "--rubric", RUBRIC, "--ledger", str(ledger)],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{ledger}:2: not readable as text: byte 0xFF at offset 23")


def test_shixiao_score_reports_a_garbage_ledger_and_exits_1(tmp_path, capsys):
    from django.core.management import call_command

    ledger = tmp_path / "2025.csv"
    ledger.write_bytes(b"\x80\x81\x82 not text")
    with pytest.raises(SystemExit) as exit_:
        call_command("score", "--rubric", RUBRIC, "--ledger", str(ledger))
    assert exit_.value.code == 1
    assert f"{ledger}:1: not readable as text" in capsys.readouterr().err


def test_a_gb18030_rubric_is_read_too(tmp_path, capsys):
    rubric = tmp_path / "draft.yaml"
    rubric.write_bytes(Path(RUBRIC).read_text(encoding="utf-8").encode("gb18030"))
    assert cli.main(["check", str(rubric)]) == 0
    assert capsys.readouterr().out.strip() == f"{rubric}: ok"


# CSV output ---------------------------------------------------------------------------------

def test_score_csv_output_starts_with_a_byte_order_mark(tmp_path, capsys):
    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER_CSV, encoding="utf-8")
    assert cli.main(["score", "--rubric", RUBRIC, "--ledger", str(ledger),
                     "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeffmember,role,total,grade,")
    assert "张三" in out


@pytest.mark.parametrize("console", ["utf-8", "gb18030"])
def test_score_csv_is_utf8_with_a_bom_whatever_the_console_encoding(tmp_path, console):
    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER_CSV, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "shixiao.assessment.cli", "score",
                           "--rubric", RUBRIC, "--ledger", str(ledger), "--format", "csv"],
                          capture_output=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src"),
                               "PYTHONIOENCODING": console})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"\xef\xbb\xbfmember,")
    assert "张三" in done.stdout.decode("utf-8")


def test_shixiao_score_csv_starts_with_a_byte_order_mark(tmp_path):
    import io

    from django.core.management import call_command

    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("score", "--rubric", RUBRIC, "--ledger", str(ledger), "--format", "csv",
                 stdout=out)
    assert out.getvalue().startswith("\ufeffmember,")


def test_shixiao_score_of_a_committee_refuses_an_undecodable_rubric_cleanly(tmp_path, world):
    from django.core.management import CommandError, call_command

    rubric = tmp_path / "draft.yaml"
    rubric.write_bytes(b"rubric: \xff\xfe\xfa\n")
    with pytest.raises(CommandError, match=rf"{rubric}:1: not readable as text"):
        call_command("score", "--rubric", str(rubric), "--committee", "city", "--year", "2025")
