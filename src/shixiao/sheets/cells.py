"""What a cell may hold, per column type: each type parses what Excel gives (text, numbers,
dates, whatever people type) into one value, says plainly why it cannot, and turns the value
into JSON and back so a preview can be stored and committed later exactly as shown."""

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


class CellError(ValueError):
    """The cell's content does not fit its column; the message says what would."""


def _plain(value) -> str:
    """Text of a cell as a person typed it: full-width forms folded, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value) -> bool:
    return _plain(value) == ""


class CellType:
    """Text by default. Subclasses override `parse` (and `dump`/`load` for non-JSON values)."""

    #: The allowed values shown in drop-down lists and notes (labels as typed).
    choices: Sequence[str] = ()
    #: Store the column as text in the template (ID and phone numbers).
    as_text = False
    #: The empty value of the type.
    empty: object = ""

    def __init__(self, max_length: int | None = None):
        self.max_length = max_length

    def parse(self, value):
        if isinstance(value, dt.datetime | dt.date):
            text = value.strftime("%Y-%m-%d")
        elif isinstance(value, str):
            text = value.strip()
        else:
            text = _plain(value)
        if self.max_length and len(text) > self.max_length:
            raise CellError(_("At most %(max)s characters; this has %(count)s.")
                            % {"max": self.max_length, "count": len(text)})
        return text

    def dump(self, value):
        return value

    def load(self, value):
        return value

    def display(self, value) -> str:
        return "" if value is None else str(value)


class Text(CellType):
    pass


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class Date(CellType):
    """An Excel date, or text such as 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305."""

    empty = None

    def parse(self, value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _plain(value).replace(" ", "")
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    return dt.date(*(int(part) for part in match.groups()))
                except ValueError:
                    break
        raise CellError(_("“%(value)s” is not a date; write it like 2024-03-05.")
                        % {"value": text})

    def dump(self, value):
        return value.isoformat() if value else None

    def load(self, value):
        return dt.date.fromisoformat(value) if value else None

    def display(self, value) -> str:
        return value.isoformat() if value else ""


class Number(CellType):
    """A number, at least `minimum`; halves allowed (half-days)."""

    empty = None

    def __init__(self, minimum: int = 0, maximum: int | None = None, whole: bool = False):
        super().__init__()
        self.minimum, self.maximum, self.whole = minimum, maximum, whole

    def parse(self, value):
        if isinstance(value, bool):
            raise CellError(_("Enter a number."))
        text = _plain(value)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not a number.") % {"value": text}) from None
        if not number.is_finite():
            raise CellError(_("Enter a number."))
        if self.whole and number != number.to_integral_value():
            raise CellError(_("Enter a whole number."))
        if number < self.minimum:
            raise CellError(_("Enter a number of at least %(min)s.") % {"min": self.minimum})
        if self.maximum is not None and number > self.maximum:
            raise CellError(_("Enter a number of at most %(max)s.") % {"max": self.maximum})
        return int(number) if number == number.to_integral_value() else float(number)

    def display(self, value) -> str:
        return "" if value is None else f"{value:g}"


class IdNumber(CellType):
    """A resident ID number. Excel keeps at most 15 significant digits of a number, so an ID
    typed into a number cell has lost its end: refuse it rather than store a wrong one."""

    as_text = True

    def parse(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(_("Enter the ID number as text."))
        if isinstance(value, int | float) and len(str(int(value))) > 15:
            raise CellError(_("Excel stored this ID number as a number and rounded it. Format "
                              "the column as text and type the number again."))
        return _plain(value).replace(" ", "").upper()


class Phone(CellType):
    as_text = True

    def parse(self, value):
        return _plain(value).replace(" ", "")


class Choice(CellType):
    """One of a fixed set: the Chinese label (as in the drop-down list), an alias, or the
    code itself."""

    def __init__(self, options: Sequence[tuple[str, str]], aliases: dict[str, str] | None = None):
        super().__init__()
        self.options = list(options)
        self.choices = [label for _code, label in self.options]
        self.lookup = {label: code for code, label in self.options}
        self.lookup.update({code.lower(): code for code, _label in self.options})
        self.lookup.update(aliases or {})
        self.labels = {code: label for code, label in self.options}

    def parse(self, value):
        text = _plain(value).replace(" ", "")
        code = self.lookup.get(text) or self.lookup.get(text.lower())
        if code is None:
            raise CellError(_("“%(value)s” is not allowed; choose one of: %(choices)s.")
                            % {"value": text, "choices": "、".join(self.choices)})
        return code

    def display(self, value) -> str:
        return self.labels.get(value, value or "")


_SEPARATORS = re.compile(r"[、,，;；\n]+")


class TextList(CellType):
    """Several values in one cell, separated by 、 or commas (e.g. co-signers' names)."""

    empty: object = ()

    def parse(self, value):
        items = [item.strip() for item in _SEPARATORS.split(_plain(value))]
        items = [item for item in items if item]
        for item in items:
            if len(item) > 60:
                raise CellError(_("“%(value)s” is too long for one name.") % {"value": item})
        return items

    def dump(self, value):
        return list(value or [])

    def load(self, value):
        return list(value or [])

    def display(self, value) -> str:
        return "、".join(value or [])
