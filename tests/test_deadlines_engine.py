"""Deadline arithmetic without a database: China's holidays and make-up days, month ends,
leap years, roll-forward, extensions and the blue/yellow/red boundaries."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shixiao.deadlines import engine
from shixiao.deadlines.engine import (
    DEFAULT_RULES,
    Calendar,
    Colour,
    Period,
    RuleSpec,
    add_months,
    escalation,
    is_late,
)
from shixiao.deadlines.national import national_calendar, national_calendar_data, parse

D = dt.date
CN = national_calendar()
PLAIN = Calendar(frozenset(), frozenset())


# The engine stays importable without Django ---------------------------------------------------

@pytest.mark.parametrize("module", ["engine", "national"])
def test_pure_modules_import_nothing_from_django(module):
    source = Path(engine.__file__).with_name(f"{module}.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not any(name.split(".")[0] == "django" for name in imported), imported


# Calendar -------------------------------------------------------------------------------------

def test_weekends_are_off_and_weekdays_worked_without_data():
    assert PLAIN.is_working_day(D(2025, 7, 4))  # Friday
    assert not PLAIN.is_working_day(D(2025, 7, 5))  # Saturday
    assert not PLAIN.is_working_day(D(2025, 7, 6))  # Sunday


def test_national_day_2025_is_off_and_its_make_up_weekend_days_are_worked():
    for day in range(1, 9):
        assert not CN.is_working_day(D(2025, 10, day)), day
    assert CN.is_working_day(D(2025, 9, 28))  # Sunday, worked
    assert CN.is_working_day(D(2025, 10, 11))  # Saturday, worked
    assert not CN.is_working_day(D(2025, 10, 12))  # an ordinary Sunday


def test_spring_festival_2026_is_off_with_two_saturdays_worked():
    assert [CN.is_working_day(D(2026, 2, d)) for d in range(13, 25)] == [
        True,   # Fri 13
        True,   # Sat 14, make-up day
        *[False] * 9,  # Sun 15 .. Mon 23
        True,   # Tue 24
    ]
    assert CN.is_working_day(D(2026, 2, 28))


def test_a_holiday_listed_as_a_workday_too_stays_off():
    cal = Calendar(holidays={D(2025, 7, 5)}, workdays={D(2025, 7, 5)})
    assert not cal.is_working_day(D(2025, 7, 5))


def test_add_zero_working_days_returns_the_start_even_on_a_holiday():
    assert CN.add_working_days(D(2025, 10, 3), 0) == D(2025, 10, 3)


def test_add_working_days_counts_from_the_day_after_the_start():
    assert PLAIN.add_working_days(D(2025, 7, 7), 1) == D(2025, 7, 8)  # Mon → Tue
    assert PLAIN.add_working_days(D(2025, 7, 4), 1) == D(2025, 7, 7)  # Fri → Mon
    assert PLAIN.add_working_days(D(2025, 7, 5), 1) == D(2025, 7, 7)  # Sat → Mon


def test_add_working_days_skips_national_day_and_uses_make_up_days():
    # Thu 25 Sep 2025: Fri 26 (1), Sun 28 worked (2), Mon 29 (3), Tue 30 (4), then the break
    # until 8 Oct; Thu 9 (5), Fri 10 (6), Sat 11 worked (7).
    assert CN.add_working_days(D(2025, 9, 25), 4) == D(2025, 9, 30)
    assert CN.add_working_days(D(2025, 9, 25), 5) == D(2025, 10, 9)
    assert CN.add_working_days(D(2025, 9, 25), 7) == D(2025, 10, 11)


def test_fifteen_working_days_across_spring_festival_2026():
    # Mon 9 Feb: 10-13 (4), Sat 14 worked (5), break 15-23, 24-27 (9), Sat 28 (10), 2-6 Mar (15)
    assert CN.add_working_days(D(2026, 2, 9), 15) == D(2026, 3, 6)
    assert PLAIN.add_working_days(D(2026, 2, 9), 15) == D(2026, 3, 2)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError, match="-1"):
        CN.add_working_days(D(2025, 1, 1), -1)


def test_working_days_between_counts_after_a_up_to_b_and_is_negative_backwards():
    assert CN.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert CN.working_days_between(D(2025, 10, 9), D(2025, 9, 30)) == -1
    assert CN.working_days_between(D(2025, 10, 9), D(2025, 10, 9)) == 0
    assert PLAIN.working_days_between(D(2025, 7, 4), D(2025, 7, 7)) == 1


def test_next_working_day():
    assert CN.next_working_day(D(2025, 10, 1)) == D(2025, 10, 9)
    assert CN.next_working_day(D(2025, 10, 9)) == D(2025, 10, 9)
    assert CN.next_working_day(D(2026, 2, 14)) == D(2026, 2, 14)  # a worked Saturday


# Months ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, n, expected", [
    (D(2025, 1, 31), 1, D(2025, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2025, 11, 30), 3, D(2026, 2, 28)),
    (D(2027, 11, 30), 3, D(2028, 2, 29)),
    (D(2028, 2, 29), 12, D(2029, 2, 28)),
    (D(2028, 2, 29), 48, D(2032, 2, 29)),
    (D(2025, 3, 15), 0, D(2025, 3, 15)),
    (D(2025, 10, 31), 14, D(2026, 12, 31)),
    (D(2025, 3, 31), -1, D(2025, 2, 28)),
])
def test_add_months_clamps_to_the_month_end(start, n, expected):
    assert add_months(start, n) == expected


# Periods and roll-forward ---------------------------------------------------------------------

def test_a_month_ending_on_a_holiday_rolls_to_the_next_working_day():
    # 1 Jul + 3 months = 1 Oct 2025, inside the National Day break → Thu 9 Oct.
    assert Period(3, "months").apply(D(2025, 7, 1), CN) == D(2025, 10, 9)


def test_a_day_count_ending_on_a_weekend_rolls_to_monday():
    assert Period(30, "days").apply(D(2025, 6, 6), PLAIN) == D(2025, 7, 7)  # Sun 6 Jul → Mon


def test_a_day_count_ending_on_a_make_up_saturday_does_not_roll():
    assert Period(1, "days").apply(D(2026, 2, 13), CN) == D(2026, 2, 14)


def test_month_end_and_leap_day_periods():
    assert Period(1, "months").apply(D(2028, 1, 31), PLAIN) == D(2028, 2, 29)  # Tuesday
    # 30 Nov 2025 + 3 months = 28 Feb 2026, a worked Saturday (Spring Festival make-up).
    assert Period(3, "months").apply(D(2025, 11, 30), CN) == D(2026, 2, 28)
    # 30 Nov 2027 + 3 months = Tue 29 Feb 2028.
    assert Period(3, "months").apply(D(2027, 11, 30), PLAIN) == D(2028, 2, 29)


def test_working_day_period_of_zero_from_a_holiday_rolls_forward():
    assert Period(0, "working_days").apply(D(2025, 10, 1), CN) == D(2025, 10, 9)


@pytest.mark.parametrize("amount, unit, message", [
    (1, "weeks", "unit"), (-1, "days", "amount"),
])
def test_bad_periods_are_refused_naming_the_problem(amount, unit, message):
    with pytest.raises(ValueError, match=message):
        Period(amount, unit)


def test_period_comparison_across_units():
    assert Period(6, "months").longer_than(Period(3, "months"))
    assert not Period(3, "months").longer_than(Period(3, "months"))
    assert Period(1, "months").longer_than(Period(20, "working_days"))
    assert not Period(1, "months").longer_than(Period(25, "working_days"))
    assert Period(31, "days").longer_than(Period(1, "months"))


# Rules and extension --------------------------------------------------------------------------

def test_reply_is_due_in_three_months_and_extended_to_six_from_the_same_start():
    rule = DEFAULT_RULES["proposal_reply"]
    start = D(2025, 3, 20)  # assigned after the plenary
    assert rule.due(start, CN) == D(2025, 6, 20)
    assert rule.due(start, CN, extended=True) == D(2025, 9, 22)  # 20 Sep is a Saturday


def test_extension_of_a_rule_without_one_is_refused():
    with pytest.raises(ValueError, match="proposal_rating"):
        DEFAULT_RULES["proposal_rating"].due(D(2025, 3, 20), CN, extended=True)


def test_default_rules_cover_every_workflow_and_warn_no_earlier_than_they_remind():
    assert set(DEFAULT_RULES) == {
        "proposal_reply", "proposal_objection", "proposal_contact", "proposal_co_handling",
        "proposal_rating", "proposal_follow_up", "report_edit", "task"}
    for code, rule in DEFAULT_RULES.items():
        assert rule.code == code
        assert rule.warn_before <= rule.remind_before
        if rule.extension:
            assert rule.extension.longer_than(rule.period)
    assert DEFAULT_RULES["proposal_objection"].period == Period(5, "working_days")
    assert DEFAULT_RULES["proposal_contact"].period == Period(15, "working_days")
    assert DEFAULT_RULES["proposal_rating"].period == Period(15, "working_days")
    assert DEFAULT_RULES["proposal_co_handling"].period == Period(1, "months")
    assert DEFAULT_RULES["report_edit"].period == Period(10, "working_days")
    assert DEFAULT_RULES["task"].period == Period(30, "days")


def test_follow_up_horizons_are_rolled_to_working_days():
    start = D(2025, 4, 1)
    assert engine.due_after(start, Period(6, "months"), CN) == D(2025, 10, 9)
    assert engine.due_after(start, Period(12, "months"), CN) == D(2026, 4, 1)


# Escalation -----------------------------------------------------------------------------------

RULE = RuleSpec("x", Period(3, "months"), remind_before=15, warn_before=5)


@pytest.mark.parametrize("today, colour", [
    (D(2025, 6, 6), Colour.NONE),    # 16 working days left
    (D(2025, 6, 7), Colour.NONE),    # Saturday: Monday is still ahead, 16 left
    (D(2025, 6, 9), Colour.BLUE),    # 15 left: first day of the reminder
    (D(2025, 6, 20), Colour.BLUE),   # 6 left
    (D(2025, 6, 23), Colour.YELLOW),  # 5 left: first day of the warning
    (D(2025, 6, 30), Colour.YELLOW),  # due today: still in time
    (D(2025, 7, 1), Colour.RED),     # the day after
])
def test_colours_change_exactly_at_the_boundaries(today, colour):
    due = D(2025, 6, 30)  # Monday
    assert escalation(due, today, RULE, PLAIN) == colour


def test_reminder_counts_working_days_so_a_holiday_does_not_eat_into_it():
    due = D(2025, 10, 10)  # Friday after National Day
    # From 30 Sep only Thu 9 and Fri 10 are working days left: yellow.
    assert escalation(due, D(2025, 9, 30), RULE, CN) == Colour.YELLOW
    # Without the holiday calendar 8 working days would be left: blue.
    assert escalation(due, D(2025, 9, 30), RULE, PLAIN) == Colour.BLUE


def test_done_work_has_no_colour_even_when_late():
    due = D(2025, 6, 30)
    assert escalation(due, D(2025, 8, 1), RULE, PLAIN, done_on=D(2025, 7, 15)) == Colour.NONE
    assert is_late(due, D(2025, 7, 15))
    assert not is_late(due, D(2025, 6, 30))
    assert not is_late(due, None)


def test_colour_values_are_plain_strings_for_templates_and_json():
    assert Colour.RED == "red" and str(Colour.BLUE) == "blue"
    assert [c.value for c in Colour] == ["none", "blue", "yellow", "red"]


# National data --------------------------------------------------------------------------------

def test_national_data_has_three_years_with_their_notices():
    data = national_calendar_data()
    assert data.years == (2024, 2025, 2026)
    assert "国办发明电〔2024〕12号" in data.notices[2025]
    assert data.names[D(2026, 2, 17)] == "春节"
    # Days off per the notices: 2024 and 2025 have 28 each, 2026 has 33.
    for year, days_off, worked in [(2024, 28, 8), (2025, 28, 5), (2026, 33, 6)]:
        assert sum(d.year == year for d in data.holidays) == days_off
        assert sum(d.year == year for d in data.workdays) == worked


def test_every_make_up_day_is_a_weekend_day():
    assert all(d.weekday() >= 5 for d in national_calendar_data().workdays)


def test_a_date_both_off_and_worked_in_the_data_is_an_error():
    text = """
years:
  2030:
    notice: test
    holidays: [{name: a, from: 2030-01-05, to: 2030-01-06}]
    workdays: [{name: b, date: 2030-01-05}]
"""
    with pytest.raises(ValueError, match="2030"):
        parse(text)


# Properties -----------------------------------------------------------------------------------

dates = st.dates(min_value=D(2023, 12, 1), max_value=D(2027, 1, 31))
calendars = st.sampled_from([CN, PLAIN])


@given(dates, st.integers(min_value=1, max_value=400), calendars)
def test_adding_working_days_lands_on_a_working_day(start, n, cal):
    assert cal.is_working_day(cal.add_working_days(start, n))


@given(dates, st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=300),
       calendars)
def test_adding_more_working_days_never_lands_earlier(start, n, m, cal):
    low, high = sorted((n, m))
    assert cal.add_working_days(start, low) <= cal.add_working_days(start, high)
    if low < high:
        assert cal.add_working_days(start, low) < cal.add_working_days(start, high)


@given(dates, st.integers(min_value=0, max_value=400), calendars)
def test_working_days_between_inverts_add_working_days(start, n, cal):
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@given(dates, dates, calendars)
def test_working_days_between_is_antisymmetric(a, b, cal):
    assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)


@given(dates, st.integers(min_value=0, max_value=120))
def test_add_months_stays_in_the_target_month_and_never_passes_the_day(start, n):
    result = add_months(start, n)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == n
    assert result.day <= start.day


@given(dates, st.integers(min_value=0, max_value=24),
       st.sampled_from(["days", "working_days", "months"]), calendars)
def test_every_due_date_is_a_working_day_on_or_after_the_start(start, amount, unit, cal):
    due = Period(amount, unit).apply(start, cal)
    assert cal.is_working_day(due)
    assert due >= start


some_days = st.frozensets(st.dates(min_value=D(2024, 1, 1), max_value=D(2024, 3, 31)),
                          max_size=30)


@given(some_days, some_days, st.dates(min_value=D(2023, 12, 1), max_value=D(2024, 4, 30)),
       st.dates(min_value=D(2023, 12, 1), max_value=D(2024, 4, 30)))
def test_working_days_between_matches_walking_day_by_day(holidays, workdays, a, b):
    cal = Calendar(holidays, workdays)
    lo, hi = sorted((a, b))
    walked = sum(cal.is_working_day(lo + dt.timedelta(days=i))
                 for i in range(1, (hi - lo).days + 1))
    assert cal.working_days_between(a, b) == (walked if a <= b else -walked)
