"""China's national holiday calendar, read from data/cn_holidays.yaml (no Django imports)."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from importlib import resources
from typing import NamedTuple

import yaml

from .engine import Calendar


class NationalCalendarData(NamedTuple):
    holidays: frozenset[date]
    workdays: frozenset[date]
    names: dict[date, str]  # what each listed date is, for display
    years: tuple[int, ...]  # years whose State Council notice is in the file
    notices: dict[int, str]


def _days(start: date, end: date) -> list[date]:
    if end < start:
        raise ValueError(f"holiday range ends before it starts: {start} to {end}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def parse(text: str) -> NationalCalendarData:
    """Parse the YAML format of cn_holidays.yaml; a date listed as both off and worked is an
    error in the data, not something to resolve silently."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    names: dict[date, str] = {}
    notices: dict[int, str] = {}
    for year, entry in (yaml.safe_load(text) or {}).get("years", {}).items():
        notices[int(year)] = entry.get("notice", "")
        for item in entry.get("holidays", []):
            for d in _days(item["from"], item["to"]):
                holidays.add(d)
                names[d] = item["name"]
        for item in entry.get("workdays", []):
            workdays.add(item["date"])
            names[item["date"]] = item["name"]
    clash = holidays & workdays
    if clash:
        raise ValueError(f"dates both off and worked: {sorted(clash)}")
    return NationalCalendarData(frozenset(holidays), frozenset(workdays), names,
                                tuple(sorted(notices)), notices)


@functools.cache
def national_calendar_data() -> NationalCalendarData:
    """The packaged national data, read once per process."""
    text = resources.files(__package__).joinpath("data/cn_holidays.yaml").read_text("utf-8")
    return parse(text)


def national_calendar() -> Calendar:
    data = national_calendar_data()
    return Calendar(data.holidays, data.workdays)


def with_entered(data: NationalCalendarData,
                 entered: dict[int, tuple[str, list[tuple[date, str, str]]]]
                 ) -> NationalCalendarData:
    """`data` with each entered year (year → (notice, [(date, "holiday"|"workday", name)]))
    replacing whatever the file says about that year; years the file covers and nobody
    entered keep the file's dates."""
    if not entered:
        return data
    keep = lambda d: d.year not in entered  # noqa: E731
    holidays = {d for d in data.holidays if keep(d)}
    workdays = {d for d in data.workdays if keep(d)}
    names = {d: n for d, n in data.names.items() if keep(d)}
    notices = dict(data.notices)
    for year, (notice, days) in entered.items():
        notices[year] = notice
        for d, kind, name in days:
            (holidays if kind == "holiday" else workdays).add(d)
            names[d] = name
    return NationalCalendarData(frozenset(holidays), frozenset(workdays), names,
                                tuple(sorted(notices)), notices)
