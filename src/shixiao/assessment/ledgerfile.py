"""Read a ledger file (YAML or CSV) into entries and members, or say which row is wrong.

Committees keep last year's records in spreadsheets; this lets them try a draft rubric on
those records with no database. The format is documented in docs/ledger-format.md.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from shixiao.assessment.decimals import to_decimal
from shixiao.assessment.entries import ENTRY_KINDS, LedgerEntry, MemberInfo
from shixiao.assessment.yamlload import LineDict, LineList, YamlProblem, parse
from shixiao.core.textfiles import decode

#: Fields of an entry row; every other field is an attribute of the entry.
ENTRY_FIELDS = ("id", "member", "kind", "date", "effective", "supersedes", "count",
                "member_role", "member_group")
REQUIRED = ("id", "member", "kind", "date")
MAX_COUNT = 1000


@dataclass(frozen=True)
class LedgerError:
    line: int
    field: str
    message: str

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}: field {self.field}: {self.message}"


class LedgerInvalid(ValueError):
    def __init__(self, errors: list[LedgerError]):
        super().__init__("; ".join(f"line {e.line}: {e.field}: {e.message}" for e in errors))
        self.errors = errors


@dataclass
class Ledger:
    entries: list[LedgerEntry] = field(default_factory=list)
    members: dict[str, MemberInfo] = field(default_factory=dict)
    errors: list[LedgerError] = field(default_factory=list)


def read(path) -> Ledger:
    """Read a .yaml/.yml or .csv ledger file; raise LedgerInvalid listing every bad row, or
    UndecodableText if it is in no encoding an office's files come in (`textfiles.decode`)."""
    path = Path(path)
    text = decode(path.read_bytes())
    ledger = parse_csv(text) if path.suffix.lower() == ".csv" else parse_yaml(text)
    if ledger.errors:
        raise LedgerInvalid(ledger.errors)
    return ledger


def parse_yaml(text: str) -> Ledger:
    ledger = Ledger()
    try:
        data = parse(text)
    except YamlProblem as exc:
        ledger.errors.append(LedgerError(exc.line, "-", exc.message))
        return ledger
    if not isinstance(data, LineDict) or not isinstance(data.get("entries"), LineList | None):
        ledger.errors.append(LedgerError(1, "entries", "a ledger is a mapping with `entries:`"))
        return ledger
    for key in data:
        if key not in ("ledger", "members", "entries", "notes"):
            ledger.errors.append(LedgerError(data.line_of(key), key, "unknown section"))
    members = data.get("members") or LineList()
    listed = "members" in data
    if not isinstance(members, LineList):
        ledger.errors.append(LedgerError(data.line_of("members"), "members", "must be a list"))
        members = LineList()
    for index, row in enumerate(members):
        line = members.line_of(index)
        if not isinstance(row, LineDict) or not row.get("id"):
            ledger.errors.append(LedgerError(line, "id", "a member needs an id"))
            continue
        for key in row:
            if key not in ("id", "role", "group", "name"):
                ledger.errors.append(LedgerError(row.line_of(key), key, "unknown member field"))
        member_id = str(row["id"])
        if member_id in ledger.members:
            ledger.errors.append(LedgerError(line, "id", f"member {member_id!r} listed twice"))
        group = row.get("group")
        ledger.members[member_id] = MemberInfo(member_id, str(row.get("role", "member")),
                                               None if group is None else str(group))
    rows = data.get("entries") or LineList()
    builder = _Builder(ledger, check_members=listed)
    for index, row in enumerate(rows):
        line = rows.line_of(index)
        if not isinstance(row, LineDict):
            ledger.errors.append(LedgerError(line, "-", "an entry must be a mapping"))
            continue
        builder.add(dict(row), line, {k: row.line_of(k) for k in row})
    builder.finish()
    return ledger


def parse_csv(text: str) -> Ledger:
    ledger = Ledger()
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        ledger.errors.append(LedgerError(1, missing[0], f"missing column(s): "
                                         f"{', '.join(missing)}"))
        return ledger
    builder = _Builder(ledger, check_members=False)
    for row in reader:
        line = reader.line_num
        if None in row:
            ledger.errors.append(LedgerError(line, "-", "more cells than header columns"))
            continue
        values = {k: v.strip() for k, v in row.items() if v is not None and v.strip() != ""}
        builder.add(values, line, {})
    builder.finish()
    return ledger


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


class _Builder:
    """Turns rows into entries, collecting errors that name the row's line and field."""

    def __init__(self, ledger: Ledger, check_members: bool):
        self.ledger = ledger
        self.check_members = check_members
        self.lines: dict[str, int] = {}
        self.pending_supersedes: list[tuple[str, int, int]] = []

    def error(self, line: int, field_name: str, message: str) -> None:
        self.ledger.errors.append(LedgerError(line, field_name, message))

    def add(self, row: dict, line: int, key_lines: dict) -> None:
        def at(key):
            return key_lines.get(key, line)

        problems = len(self.ledger.errors)
        for key in REQUIRED:
            if row.get(key) in (None, ""):
                self.error(line, key, "required")
        if len(self.ledger.errors) > problems:
            return
        entry_id, member, kind = str(row["id"]), str(row["member"]), str(row["kind"])
        if kind not in ENTRY_KINDS:
            self.error(at("kind"), "kind", f"unknown entry kind {kind!r} "
                       f"(known: {', '.join(sorted(ENTRY_KINDS))})")
        date = _as_date(row["date"])
        if date is None:
            self.error(at("date"), "date", f"not a date (YYYY-MM-DD): {row['date']!r}")
        effective = None
        if row.get("effective") not in (None, ""):
            effective = _as_date(row["effective"])
            if effective is None:
                self.error(at("effective"), "effective",
                           f"not a date (YYYY-MM-DD): {row['effective']!r}")
            elif date and effective < date:
                self.error(at("effective"), "effective", "takes effect before the act happened")
        count = 1
        if "count" in row:
            number = to_decimal(row["count"])
            if number is None or number != number.to_integral_value() or not (
                    1 <= number <= MAX_COUNT):
                self.error(at("count"), "count", f"must be a whole number 1-{MAX_COUNT}")
            else:
                count = int(number)
        info = self.ledger.members.get(member)
        if self.check_members and info is None:
            self.error(at("member"), "member", f"member {member!r} is not in `members`")
        role = str(row.get("member_role") or (info.role if info else "member"))
        if member not in self.ledger.members:
            group = row.get("member_group")
            self.ledger.members[member] = MemberInfo(member, role,
                                                     None if group is None else str(group))
        attrs = {k: v for k, v in row.items() if k not in ENTRY_FIELDS}
        for key, value in attrs.items():
            if isinstance(value, dict) or (isinstance(value, list) and any(
                    isinstance(v, dict | list) for v in value)):
                self.error(at(key), key, "an attribute holds a value or a list of values")
        if kind == "manual":
            for key in ("points", "evidence", "vouched_by"):
                if attrs.get(key) in (None, ""):
                    self.error(at(key), key, "a manual input needs points, evidence and "
                               "vouched_by")
            if "points" in attrs and to_decimal(attrs["points"]) is None:
                self.error(at("points"), "points", f"not a number: {attrs['points']!r}")
        supersedes = row.get("supersedes")
        if supersedes is not None:
            supersedes = str(supersedes)
            self.pending_supersedes.append((supersedes, at("supersedes"), line))
        if len(self.ledger.errors) > problems:
            return
        ids = [entry_id] if count == 1 else [f"{entry_id}#{n}" for n in range(1, count + 1)]
        for one_id in ids:
            if one_id in self.lines:
                self.error(at("id"), "id", f"duplicate entry id {one_id!r} "
                           f"(first on line {self.lines[one_id]})")
                continue
            self.lines[one_id] = line
            self.ledger.entries.append(LedgerEntry(
                id=one_id, member=member, kind=kind, date=date, role=role,
                effective=effective, attrs=dict(attrs), supersedes=supersedes))

    def finish(self) -> None:
        for target, line, _row_line in self.pending_supersedes:
            if target not in self.lines:
                self.error(line, "supersedes", f"no entry with id {target!r}")
        self.ledger.errors.sort(key=lambda e: (e.line, e.field))
