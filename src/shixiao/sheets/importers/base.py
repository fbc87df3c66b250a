"""What every import kind shares: columns with their headers and types, rows with their
errors, the checks' context, the template workbook, and how a service's refusal during a
commit is turned into a message naming the row."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from shixiao.core.errors import DomainError
from shixiao.orgs.models import Term

from .. import workbook as wbk
from ..cells import CellError, CellType, Choice, is_blank
from ..lookup import MemberIndex, MemberNotFound

NOTES_SHEET = "填写说明"


@dataclass(frozen=True)
class Column:
    """One column of an import sheet. `header` is fixed Chinese: it is the file format,
    the same whatever language the page is shown in."""

    key: str
    header: str
    type: CellType
    required: bool = False
    note: str = ""
    default: object = None

    def empty(self):
        return self.default if self.default is not None else self.type.empty


@dataclass
class Row:
    """One data row: its Excel row number, typed values, what the file showed, problems."""

    number: int
    values: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    resolved: dict = field(default_factory=dict)

    def error(self, key: str, message: str) -> None:
        messages = self.errors.setdefault(key, [])
        if str(message) not in messages:
            messages.append(str(message))

    def ok(self, *keys: str) -> bool:
        """Every one of `keys` parsed (so checks that build on them can run)."""
        return all(key in self.values and key not in self.errors for key in keys)

    def get(self, key: str, default=None):
        return self.values.get(key, default)

    def to_json(self, columns: Iterable[Column]) -> dict:
        types = {c.key: c.type for c in columns}
        return {"row": self.number, "cells": self.cells, "errors": self.errors,
                "resolved": self.resolved,
                "values": {k: types[k].dump(v) for k, v in self.values.items()}}

    @classmethod
    def from_json(cls, data: dict, columns: Iterable[Column]) -> "Row":
        types = {c.key: c.type for c in columns}
        return cls(number=data["row"], cells=dict(data.get("cells") or {}),
                   values={k: types[k].load(v) for k, v in data["values"].items()})


class Context:
    """Who imports into which committee, and lookups shared by the rows of one check."""

    def __init__(self, actor, committee, *, batch=None):
        self.actor, self.committee, self.batch = actor, committee, batch
        self.today = timezone.localdate()

    @cached_property
    def members(self) -> MemberIndex:
        return MemberIndex(self.actor, self.committee)

    @cached_property
    def terms(self) -> list[Term]:
        return list(Term.objects.filter(committee=self.committee).order_by("-number"))

    def term_on(self, day: dt.date) -> Term | None:
        for term in self.terms:
            if term.start <= day and (term.end is None or term.end >= day):
                return term
        return None

    @property
    def reason(self) -> str:
        name = self.batch.file_name if self.batch is not None else ""
        return _("Imported from %(file)s") % {"file": name}


class CommitFailed(Exception):
    """A service refused a row during the commit; everything was rolled back."""


def _service_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{name}: {' '.join(msgs)}" if name != "__all__" else
                             " ".join(msgs) for name, msgs in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc) or exc.__class__.__name__


def at_row(row: Row, call: Callable):
    """Run one row's service call; a refusal becomes CommitFailed naming the row."""
    try:
        return call()
    except (ValidationError, DomainError, PermissionDenied, Http404) as exc:
        raise CommitFailed(_("Row %(row)s: %(message)s")
                           % {"row": row.number, "message": _service_message(exc)}) from exc


class Importer:
    """One kind of import. Subclasses give the columns and the two steps:

    `check(ctx, rows)` adds every problem it finds to the rows (never writes) and records
    in `row.resolved` the ids the row was matched to; `commit(ctx, rows)` writes the rows
    through the services and returns {"created": {what: [ids]}, "counts": {what: n}}.
    """

    kind = ""
    label = ""
    sheet = ""
    columns: tuple[Column, ...] = ()
    perms: tuple[str, ...] = ()
    intro = ""

    # Structure -----------------------------------------------------------------------------

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def required_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.required]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def header_of(self, key: str) -> str:
        return self.column(key).header if key else ""

    def parse(self, table: wbk.Table) -> list[Row]:
        """Typed values of every row; a cell that does not fit its column is an error."""
        rows = []
        for number, cells in table.rows:
            row = Row(number=number)
            for column in self.columns:
                value = cells.get(column.header)
                row.cells[column.key] = _shown(value)
                if is_blank(value):
                    if column.required:
                        row.error(column.key, _("Required."))
                    else:
                        row.values[column.key] = column.empty()
                    continue
                try:
                    row.values[column.key] = column.type.parse(value)
                except CellError as exc:
                    row.error(column.key, str(exc))
            rows.append(row)
        return rows

    # Checks --------------------------------------------------------------------------------

    def check(self, ctx: Context, rows: list[Row]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def commit(self, ctx: Context, rows: list[Row]) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def not_future(ctx: Context, row: Row, key: str) -> None:
        day = row.get(key)
        if row.ok(key) and day and day > ctx.today:
            row.error(key, _("The date %(date)s is in the future.") % {"date": day})

    @staticmethod
    def member(ctx: Context, row: Row, key: str, *, on=None, id_key="", number_key=""):
        """Find the member the row names in `key`; an error on that column if none fits."""
        if not row.ok(key):
            return None
        id_tail = (row.get(id_key) or "") if id_key else ""
        number = (row.get(number_key) or "") if number_key else ""
        try:
            return ctx.members.find(row.get(key), on=on, id_tail=id_tail, number=number)
        except MemberNotFound as exc:
            row.error(key, str(exc))
            return None

    @staticmethod
    def members(ctx: Context, row: Row, key: str, *, on=None) -> list | None:
        """Every member a list cell names (each may carry a hint in brackets)."""
        if not row.ok(key):
            return None
        found = []
        for text in row.get(key) or []:
            try:
                found.append(ctx.members.find_hinted(text, on=on))
            except MemberNotFound as exc:
                row.error(key, str(exc))
        if len({m.pk for m in found}) != len(found):
            row.error(key, _("A member is named twice."))
        return None if key in row.errors else found

    @staticmethod
    def duplicates(rows: list[Row], key: str, identity: Callable[[Row], object],
                   message: str) -> None:
        """Mark every row whose identity (None: not comparable) repeats an earlier row's."""
        seen: dict = {}
        for row in rows:
            ident = identity(row)
            if ident is None:
                continue
            if ident in seen:
                row.error(key, message % {"row": seen[ident]})
            else:
                seen[ident] = row.number

    # Template ------------------------------------------------------------------------------

    def choice_lists(self, committee) -> dict[str, list[str]]:
        """Drop-down values per header; kinds add committee data (sectors…) to these."""
        return {c.header: list(c.type.choices) for c in self.columns
                if isinstance(c.type, Choice)}

    def allowed_values(self, committee) -> dict[str, list[str]]:
        return self.choice_lists(committee)

    def template(self, committee) -> Workbook:
        wb = Workbook()
        ws = wb.active
        wbk.write_table(ws, title=self.sheet, headers=self.headers, rows=[],
                        required=self.required_headers,
                        text_columns=[c.header for c in self.columns if c.type.as_text],
                        widths={c.header: _width(c) for c in self.columns})
        allowed = self.allowed_values(committee)
        rows = [(c.header, _("Yes") if c.required else "", str(c.note),
                 "、".join(allowed.get(c.header, []))) for c in self.columns]
        intro = [str(self.label), str(self.intro), _(
            "Fill in the sheet “%(sheet)s”: one row per record, the headers in row 1 as they "
            "are. Red headers are required. Do not merge cells or use formulas.")
            % {"sheet": self.sheet}, ""]
        wbk.add_notes(wb, title=NOTES_SHEET, intro=intro,
                      headers=[_("Column"), _("Required"), _("What to write"),
                               _("Allowed values")], rows=rows)
        wbk.add_choice_lists(wb, ws, self.choice_lists(committee), self.headers)
        wb.active = 0
        return wb


def _shown(value) -> str:
    """What the cell showed, for the preview table."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _width(column: Column) -> int:
    if column.key in ("body",):
        return 60
    return max(wbk.display_width(column.header) + 4, 12)

