"""Ledger files: YAML and CSV read into the same entries; bad rows name their line and field."""

import datetime as dt
import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from shixiao.assessment import ledgerfile

DOC = Path(__file__).resolve().parents[1] / "docs" / "ledger-format.md"

YAML = """\
ledger: demo
members:
  - {id: m1, role: standing, group: G1}
  - {id: m2}
entries:
  - {id: e1, member: m1, kind: proposal, date: 2025-03-10, status: registered,
     role: first_author}
  - {id: e2, member: m1, kind: attendance, date: 2025-04-25, meeting: standing,
     state: unexcused, count: 3}
  - {id: e3, member: m2, kind: attendance, date: 2025-01-08, meeting: plenary,
     state: attended, half_days: 4.5, effective: 2025-01-09}
  - {id: e4, member: m1, kind: void, date: 2025-05-02, supersedes: "e2#3"}
"""

CSV = """\
id,member,member_role,member_group,kind,date,effective,status,role,meeting,state,half_days
e1,m1,standing,G1,proposal,2025-03-10,,registered,first_author,,,
e2,m1,standing,G1,attendance,2025-04-25,,,,standing,unexcused,
e3,m2,member,,attendance,2025-01-08,2025-01-09,,,plenary,attended,4.5
"""


def yaml_errors(text):
    return ledgerfile.parse_yaml(textwrap.dedent(text)).errors


def test_yaml_ledger_reads_entries_members_and_counts():
    ledger = ledgerfile.parse_yaml(YAML)
    assert ledger.errors == []
    assert [e.id for e in ledger.entries] == ["e1", "e2#1", "e2#2", "e2#3", "e3", "e4"]
    assert ledger.members["m1"].role == "standing" and ledger.members["m1"].group == "G1"
    assert ledger.members["m2"].role == "member"
    e1 = ledger.entries[0]
    assert (e1.role, e1.attrs) == ("standing", {"status": "registered", "role": "first_author"})
    e3 = ledger.entries[4]
    assert e3.attrs["half_days"] == Decimal("4.5") and e3.effective == dt.date(2025, 1, 9)
    assert ledger.entries[5].supersedes == "e2#3"


def test_csv_ledger_reads_the_same_fields():
    ledger = ledgerfile.parse_csv(CSV)
    assert ledger.errors == []
    e1, e2, e3 = ledger.entries
    assert (e1.member, e1.role, e1.kind, e1.date) == ("m1", "standing", "proposal",
                                                      dt.date(2025, 3, 10))
    assert e1.attrs == {"status": "registered", "role": "first_author"}
    assert e3.effective == dt.date(2025, 1, 9) and e3.attrs["half_days"] == "4.5"
    assert ledger.members["m1"].group == "G1"


def test_read_picks_the_format_by_suffix(tmp_path):
    (tmp_path / "l.csv").write_text("\ufeff" + CSV, encoding="utf-8")
    (tmp_path / "l.yaml").write_text(YAML, encoding="utf-8")
    assert len(ledgerfile.read(tmp_path / "l.csv").entries) == 3
    assert len(ledgerfile.read(tmp_path / "l.yaml").entries) == 6


def test_read_refuses_a_bad_file_whole(tmp_path):
    (tmp_path / "bad.csv").write_text(CSV + "e4,m1,,,proposal,someday,,,,,,\n")
    with pytest.raises(ledgerfile.LedgerInvalid) as excinfo:
        ledgerfile.read(tmp_path / "bad.csv")
    (error,) = excinfo.value.errors
    assert error.format("bad.csv") == \
        "bad.csv:5: field date: not a date (YYYY-MM-DD): 'someday'"


@pytest.mark.parametrize("row, field, words", [
    ("{id: x, member: m1, kind: proposl, date: 2025-01-01}", "kind", "unknown entry kind"),
    ("{id: x, member: m1, kind: proposal, date: 2025-13-01}", "date", "not a date"),
    ("{id: x, member: m1, kind: proposal}", "date", "required"),
    ("{id: x, member: m1, kind: proposal, date: 2025-02-01, effective: 2025-01-01}",
     "effective", "before the act"),
    ("{id: x, member: m1, kind: proposal, date: 2025-02-01, count: 0}", "count", "whole"),
    ("{id: x, member: m1, kind: proposal, date: 2025-02-01, supersedes: nope}",
     "supersedes", "no entry with id 'nope'"),
    ("{id: x, member: ghost, kind: proposal, date: 2025-02-01}", "member", "not in"),
    ("{id: x, member: m1, kind: manual, date: 2025-02-01, points: 3, evidence: minutes}",
     "vouched_by", "needs points, evidence and vouched_by"),
    ("{id: x, member: m1, kind: manual, date: 2025-02-01, points: lots, evidence: a, "
     "vouched_by: b}", "points", "not a number"),
    ("{id: x, member: m1, kind: proposal, date: 2025-02-01, extra: {nested: 1}}", "extra",
     "a value or a list"),
])
def test_bad_rows_name_line_and_field(row, field, words):
    text = f"members: [{{id: m1}}]\nentries:\n  - {{id: ok, member: m1, kind: speech, " \
           f"date: 2025-01-01}}\n  - {row}\n"
    (error,) = yaml_errors(text)
    assert error.line == 4 and error.field == field and words in error.message


def test_duplicate_entry_ids():
    errors = yaml_errors("""\
        entries:
          - {id: a, member: m, kind: speech, date: 2025-01-01}
          - {id: a, member: m, kind: speech, date: 2025-01-02}
        """)
    assert [(e.line, e.field) for e in errors] == [(3, "id")]
    assert "first on line 2" in errors[0].message


def test_csv_missing_columns_and_ragged_rows():
    (error,) = ledgerfile.parse_csv("id,member,date\nx,m,2025-01-01\n").errors
    assert (error.line, error.field) == (1, "kind")
    (error,) = ledgerfile.parse_csv("id,member,kind,date\nx,m,speech,2025-01-01,extra\n").errors
    assert error.line == 2 and "more cells" in error.message


def test_yaml_syntax_and_shape_errors():
    (error,) = yaml_errors("entries: [\n")
    assert "not valid YAML" in error.message
    (error,) = yaml_errors("- a list\n")
    assert error.field == "entries"


def test_documented_examples_read_cleanly():
    text = DOC.read_text(encoding="utf-8")
    yaml_block = re.search(r"```yaml\n(.*?)```", text, flags=re.S).group(1)
    csv_block = re.search(r"```\n(id,member.*?)```", text, flags=re.S).group(1)
    assert ledgerfile.parse_yaml(yaml_block).errors == []
    assert ledgerfile.parse_csv(csv_block).errors == []
