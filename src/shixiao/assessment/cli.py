"""Command line for rubrics: `check` a rubric file, `score` a ledger file under a rubric.

    python -m shixiao.assessment.cli check examples/rubrics/guangshui.yaml
    python -m shixiao.assessment.cli score --rubric R.yaml --ledger L.yaml --format json

Exit status: 0 on success, 1 when a file has problems (each printed as FILE:LINE: ...),
2 on bad usage. Warnings (a name or value no ledger entry carries) are printed too and
refused with --strict.
"""

import argparse
import csv
import datetime as dt
import io
import json
import sys
import unicodedata
from pathlib import Path

from shixiao.assessment import ledgerfile
from shixiao.assessment.decimals import text
from shixiao.assessment.engine import MemberResult, score
from shixiao.assessment.rubric import Rubric, check, load, wordings
from shixiao.assessment.yamlload import YamlProblem, parse
from shixiao.core.textfiles import BOM, UndecodableText, decode, write_utf8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shixiao-assessment",
                                     description="Check rubrics and score ledger files.")
    commands = parser.add_subparsers(dest="command", required=True)
    checking = commands.add_parser("check", help="validate rubric files")
    checking.add_argument("files", nargs="+", metavar="FILE")
    run = commands.add_parser("score", help="score a ledger file under a rubric")
    for command in (checking, run):
        command.add_argument("--strict", action="store_true",
                             help="treat warnings (names or values no ledger entry carries) "
                                  "as errors")
    run.add_argument("--rubric", required=True, metavar="FILE")
    run.add_argument("--ledger", required=True, metavar="FILE")
    run.add_argument("--as-of", type=_date, metavar="DATE",
                     help="count entries effective on or before DATE (default: the end of "
                          "the rubric's period, else today)")
    run.add_argument("--history", metavar="FILE",
                     help="YAML mapping member -> list of earlier grades, oldest first")
    run.add_argument("--format", choices=("table", "json", "csv"), default="table")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check_files(args.files, sys.stdout, strict=args.strict)
    return score_files(args, sys.stdout)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _read(path: str) -> str | None:
    try:
        return decode(Path(path).read_bytes())
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
    except UndecodableText as exc:
        print(exc.format(path), file=sys.stderr)
    return None


def check_files(paths: list[str], out, strict: bool = False) -> int:
    status = 0
    for path in paths:
        content = _read(path)
        if content is None:
            status = 1
            continue
        errors, warnings = check(content)
        for problem in sorted(errors + warnings, key=lambda e: e.line):
            print(problem.format(path), file=out)
        if errors or (strict and warnings):
            status = 1
        elif warnings:
            print(f"{path}: ok, {len(warnings)} warning(s) (--strict refuses them)", file=out)
        else:
            print(f"{path}: ok", file=out)
    return status


def _load_rubric(path: str, strict: bool = False) -> Rubric | None:
    content = _read(path)
    if content is None:
        return None
    errors, warnings = check(content)
    for problem in sorted(errors + warnings, key=lambda e: e.line):
        print(problem.format(path), file=sys.stderr)
    if errors or (strict and warnings):
        return None
    return load(content)


def _load_history(path: str | None, rubric: Rubric) -> dict | None:
    """Earlier grades by member; a grade the rubric does not define (often its label typed
    instead of its id) is refused by name, or the consequences would silently not follow."""
    if path is None:
        return {}
    content = _read(path)
    if content is None:
        return None
    try:
        data = parse(content)
    except YamlProblem as exc:
        print(f"{path}:{exc.line}: {exc.message}", file=sys.stderr)
        return None
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        print(f"{path}:1: history is a mapping of member -> list of grades", file=sys.stderr)
        return None
    history = {str(k): [None if g is None else str(g) for g in v] for k, v in data.items()}
    ids = [g.id for g in rubric.grades]
    by_label = {label: g.id for g in rubric.grades for label in _labels(g.label)}
    bad = False
    for key in data:
        for grade in history[str(key)]:
            if grade is None or grade in ids:
                continue
            hint = f"; use its id {by_label[grade]!r}" if grade in by_label else ""
            print(f"{path}:{data.line_of(key)}: member {key}: unknown grade {grade!r} "
                  f"(grades: {', '.join(ids)}{hint})", file=sys.stderr)
            bad = True
    return None if bad else history


def _labels(label) -> list[str]:
    """Every wording of a label (one per language, or one string)."""
    by_language, own = wordings(label)
    return [own, str(label), *by_language.values()]


def _unknown_roles(rubric: Rubric, ledger, path: str) -> bool:
    """Refuse membership roles the rubric does not speak of: their role-limited rules and
    gates would silently not apply."""
    seen: dict[str, str] = {}
    for info in ledger.members.values():
        seen.setdefault(info.role, info.id)
    for entry in ledger.entries:
        seen.setdefault(entry.role, entry.member)
    unknown = {role: member for role, member in seen.items() if role not in rubric.roles}
    for role, member in sorted(unknown.items()):
        print(f"{path}: member {member}: role {role!r} is not one of the rubric's roles "
              f"({', '.join(rubric.roles)})", file=sys.stderr)
    return bool(unknown)


def score_files(args, out) -> int:
    rubric = _load_rubric(args.rubric, strict=getattr(args, "strict", False))
    if rubric is None:
        return 1
    try:
        ledger = ledgerfile.read(args.ledger)
    except OSError as exc:
        print(f"{args.ledger}: cannot read: {exc.strerror}", file=sys.stderr)
        return 1
    except UndecodableText as exc:
        print(exc.format(args.ledger), file=sys.stderr)
        return 1
    except ledgerfile.LedgerInvalid as exc:
        for error in exc.errors:
            print(error.format(args.ledger), file=sys.stderr)
        return 1
    if _unknown_roles(rubric, ledger, args.ledger):
        return 1
    history = _load_history(args.history, rubric)
    if history is None:
        return 1
    as_of = args.as_of or rubric.period_to or dt.date.today()
    results = score(rubric, ledger.entries, as_of, history=history, members=ledger.members)
    if args.format == "json":
        json.dump([r.to_dict() for r in results], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "csv":
        write_csv(rubric, results, out)
    else:
        write_table(rubric, results, out)
    return 0


def _row(rubric: Rubric, result: MemberResult) -> list[str]:
    failed = [f"{g.id}({','.join(g.failed)})" for g in result.gates if not g.passed]
    row = [result.member, result.role, text(result.total), result.grade or ""]
    row += [text(result.category(c.id)) for c in rubric.categories]
    row += [" ".join(failed), " ".join(result.consequences)]
    if rubric.ranking.enabled:
        row.append(str(result.rank))
    return row


def _header(rubric: Rubric) -> list[str]:
    header = ["member", "role", "total", "grade", *[c.id for c in rubric.categories],
              "gates_failed", "consequences"]
    return header + (["rank"] if rubric.ranking.enabled else [])


def write_csv(rubric: Rubric, results: list[MemberResult], out) -> None:
    """The results as UTF-8 CSV with a byte order mark, so Excel shows the Chinese."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(_header(rubric))
    for result in results:
        writer.writerow(_row(rubric, result))
    write_utf8(BOM + text.getvalue(), out)


def _width(cell: str) -> int:
    # Chinese characters take two columns in a terminal; member ids are often names.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in cell)


def write_table(rubric: Rubric, results: list[MemberResult], out) -> None:
    rows = [_header(rubric)] + [_row(rubric, r) for r in results]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = (cell + " " * (width - _width(cell)) for cell, width in zip(row, widths,
                                                                          strict=True))
        print("  ".join(cells).rstrip(), file=out)
        if index == 0:
            print("  ".join("-" * width for width in widths), file=out)


if __name__ == "__main__":
    sys.exit(main())
