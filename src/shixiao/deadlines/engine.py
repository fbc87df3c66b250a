"""Deadline arithmetic: working-day calendars, periods, rules and escalation colours.

Plain Python with no Django imports, so proposals, opinion reports, tasks and the command line
can all compute the same due dates, and the arithmetic is tested without a database. Nothing
here knows what a proposal is: a rule is a code, a period and two warning distances.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

DAY = timedelta(days=1)
SATURDAY = 5

DAYS = "days"
WORKING_DAYS = "working_days"
MONTHS = "months"
UNITS = (DAYS, WORKING_DAYS, MONTHS)

# Only to compare periods of different units ("is the extension longer than the base?").
_NOMINAL_DAYS = {DAYS: 1.0, WORKING_DAYS: 7 / 5, MONTHS: 365.25 / 12}


class Calendar:
    """Which days an office works.

    Saturdays and Sundays are off unless listed in `workdays` (China's 调休 make-up days,
    when a weekend day is worked to bridge a holiday); dates in `holidays` are never worked,
    even if they also appear in `workdays`.
    """

    __slots__ = ("holidays", "workdays", "_weekday_holidays", "_weekend_workdays")

    def __init__(self, holidays: Iterable[date] = frozenset(),
                 workdays: Iterable[date] = frozenset()):
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays) - self.holidays
        # Only these change a Monday-to-Friday count; sorted for bisection.
        self._weekday_holidays = sorted(d for d in self.holidays if d.weekday() < SATURDAY)
        self._weekend_workdays = sorted(d for d in self.workdays if d.weekday() >= SATURDAY)

    def __repr__(self):
        return f"Calendar({len(self.holidays)} holidays, {len(self.workdays)} workdays)"

    def is_working_day(self, d: date) -> bool:
        if d in self.holidays:
            return False
        return d.weekday() < SATURDAY or d in self.workdays

    def next_working_day(self, d: date) -> date:
        """`d` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (the day after `start` counts as the first
        candidate); n=0 returns `start` unchanged, whatever kind of day it is."""
        if n < 0:
            raise ValueError(f"n must be 0 or more, not {n}")
        d = start
        while n:
            d += DAY
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after `a` up to and including `b`; negative when `b` is before `a`.

        The inverse of add_working_days: working_days_between(a, add_working_days(a, n)) == n.
        """
        if b < a:
            return -self.working_days_between(b, a)
        # Counted, not walked: list pages colour many deadlines months away.
        def in_range(days: list[date]) -> int:
            return bisect_right(days, b) - bisect_right(days, a)

        return (_weekdays_before(b + DAY) - _weekdays_before(a + DAY)
                - in_range(self._weekday_holidays) + in_range(self._weekend_workdays))


def _weekdays_before(d: date) -> int:
    """Monday-to-Friday dates from 1 January of year 1 (a Monday) up to, not including, d."""
    weeks, rest = divmod(d.toordinal() - 1, 7)
    return 5 * weeks + min(rest, 5)


def add_months(d: date, n: int) -> date:
    """Same day of the month `n` months later, clamped to the month's last day
    (31 Jan + 1 month = 28 Feb, or 29 Feb in a leap year)."""
    index = d.month - 1 + n
    year, month = d.year + index // 12, index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


@dataclass(frozen=True)
class Period:
    """A length of time in one unit: calendar days, working days or calendar months."""

    amount: int
    unit: str

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {self.unit!r}")
        if self.amount < 0:
            raise ValueError(f"amount must be 0 or more, not {self.amount}")

    def __str__(self):
        return f"{self.amount} {self.unit}"

    def apply(self, start: date, calendar: Calendar) -> date:
        """The due date `self` after `start`.

        A date that lands on a holiday or weekend rolls forward to the next working day: an
        office cannot be expected to send, receive or sign for a reply on a day it is closed.
        Chinese law counts time limits the same way (Civil Code art. 203: a period whose last
        day is a statutory rest day ends on the day after the rest ends). Working-day periods
        already land on a working day, except amount 0 from a closed day, which rolls too.
        """
        if self.unit == DAYS:
            d = start + timedelta(days=self.amount)
        elif self.unit == MONTHS:
            d = add_months(start, self.amount)
        else:
            d = calendar.add_working_days(start, self.amount)
        return calendar.next_working_day(d)

    def nominal_days(self) -> float:
        """Rough length in days, only for comparing periods of different units."""
        return self.amount * _NOMINAL_DAYS[self.unit]

    def longer_than(self, other: Period) -> bool:
        if self.unit == other.unit:
            return self.amount > other.amount
        return self.nominal_days() > other.nominal_days()


def due_after(start: date, period: Period, calendar: Calendar) -> date:
    """`period` after `start`, rolled to a working day (e.g. follow-ups at 6/12/24 months)."""
    return period.apply(start, calendar)


@dataclass(frozen=True)
class RuleSpec:
    """One kind of deadline: its period, an optional extended period (counted from the same
    start, e.g. 6 months in all rather than 3 more), and when to start reminding and warning
    (working days before the due date)."""

    code: str
    period: Period
    extension: Period | None = None
    remind_before: int = 0
    warn_before: int = 0

    def due(self, start: date, calendar: Calendar, extended: bool = False) -> date:
        if extended:
            if self.extension is None:
                raise ValueError(f"deadline rule {self.code!r} has no extension")
            return self.extension.apply(start, calendar)
        return self.period.apply(start, calendar)


class Colour(StrEnum):
    """How urgent an open deadline is. Blue reminds, yellow warns, red is overdue."""

    NONE = "none"
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"


def is_late(due: date, done_on: date | None) -> bool:
    """Done after the due date (the due date itself is still on time)."""
    return done_on is not None and done_on > due


def escalation(due: date, today: date, rule: RuleSpec, calendar: Calendar,
               done_on: date | None = None) -> Colour:
    """The colour of a deadline on `today`. Work that is done shows no colour, late or
    not (use is_late for that); otherwise red once the due date has passed, yellow within
    `warn_before` working days of it, blue within `remind_before`."""
    if done_on is not None:
        return Colour.NONE
    if today > due:
        return Colour.RED
    left = calendar.working_days_between(today, due)
    if left <= rule.warn_before:
        return Colour.YELLOW
    if left <= rule.remind_before:
        return Colour.BLUE
    return Colour.NONE


def _rule(code, amount, unit, *, remind, warn, extension=None) -> RuleSpec:
    return RuleSpec(code, Period(amount, unit), extension, remind_before=remind, warn_before=warn)


# The sources of each value are in docs/deadlines.md. Committees override any of them.
DEFAULT_RULES: dict[str, RuleSpec] = {rule.code: rule for rule in (
    _rule("proposal_reply", 3, MONTHS, remind=15, warn=5, extension=Period(6, MONTHS)),
    _rule("proposal_objection", 5, WORKING_DAYS, remind=3, warn=1),
    _rule("proposal_contact", 15, WORKING_DAYS, remind=5, warn=2),
    _rule("proposal_co_handling", 1, MONTHS, remind=10, warn=3),
    _rule("proposal_rating", 15, WORKING_DAYS, remind=5, warn=2),
    # Follow-up horizons (6/12/24 months) vary per review: callers pass the months.
    _rule("proposal_follow_up", 0, MONTHS, remind=15, warn=5),
    _rule("report_edit", 10, WORKING_DAYS, remind=3, warn=1),
    _rule("task", 30, DAYS, remind=10, warn=3),
)}
