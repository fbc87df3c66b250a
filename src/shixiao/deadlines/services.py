"""The deadline interface other apps call, and the office's writes to rules and holidays.

Reads (calendar_for, rule_for, due_date, due_after, escalation, years_without_notice) check
no permission: they compute dates for whatever workflow calls them, which has already
checked its own. Writes need `deadlines.change_deadlinerule` and are audited:

- a committee's rules and own dates (set_rule, add_holiday, set_committee_year): the office
  of that committee;
- the national calendar (set_national_year), shared by every committee: office staff of any
  committee may enter a year that has no notice yet, in the shipped data file or entered
  before; once a year has a notice, only a superuser (the deployment's administrator) may
  correct it. Every change names its reason in the audit record.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shixiao.audit import services as audit
from shixiao.core.errors import ConflictError, PermissionDenied, ValidationError
from shixiao.core.services import check_version, require_in_scope, require_perm

from . import engine
from .models import DeadlineRule, Holiday, HolidayKind, NationalYear, PeriodUnit
from .national import NationalCalendarData, national_calendar_data, with_entered

CHANGE_PERM = "deadlines.change_deadlinerule"


# Reads ---------------------------------------------------------------------------------------

def national_data() -> NationalCalendarData:
    """The shipped national data with the years entered in the browser on top."""
    entered = {row.year: (row.notice, row.day_items()) for row in NationalYear.objects.all()}
    return with_entered(national_calendar_data(), entered)


def years_with_notice() -> set[int]:
    """Years whose national holidays are known, from the data file or entered."""
    return set(national_calendar_data().years) | set(
        NationalYear.objects.values_list("year", flat=True))


def years_without_notice(years) -> list[int]:
    """Those of `years` in which deadlines count weekends only, for lack of a notice."""
    known = years_with_notice()
    return sorted({y for y in years if y not in known})


def calendar_for(committee) -> engine.Calendar:
    """The national calendar with the committee's own rows applied on top: a row for a date
    replaces whatever the national data says about it."""
    data = national_data()
    holidays, workdays = set(data.holidays), set(data.workdays)
    for day, kind in Holiday.objects.filter(committee=committee).values_list("date", "kind"):
        holidays.discard(day)
        workdays.discard(day)
        (holidays if kind == HolidayKind.HOLIDAY else workdays).add(day)
    return engine.Calendar(holidays, workdays)


def rule_for(committee, code: str) -> engine.RuleSpec:
    """The committee's rule for `code`, else the default one; an unknown code is a bug in
    the caller, so it raises ValueError rather than inventing a deadline."""
    row = DeadlineRule.objects.filter(committee=committee, code=code).first()
    if row is not None:
        return row.spec()
    try:
        return engine.DEFAULT_RULES[code]
    except KeyError:
        raise ValueError(f"unknown deadline rule code: {code!r}") from None


def due_date(committee, code: str, start: date, *, extended: bool = False) -> date:
    return rule_for(committee, code).due(start, calendar_for(committee), extended=extended)


def due_after(committee, start: date, months: int) -> date:
    """`months` after `start`, rolled to a working day: follow-up review horizons."""
    return engine.due_after(start, engine.Period(months, engine.MONTHS), calendar_for(committee))


def escalation(committee, code: str, due: date, *, today: date | None = None,
               done_on: date | None = None) -> engine.Colour:
    today = today or timezone.localdate()
    return engine.escalation(due, today, rule_for(committee, code), calendar_for(committee),
                             done_on=done_on)


# Writes --------------------------------------------------------------------------------------

def _require_committee(actor, committee) -> None:
    """Permission first (403), then scope (404): the committee must be the actor's."""
    require_perm(actor, CHANGE_PERM)
    require_in_scope(actor, committee)


def _rule_errors(code, amount, unit, extension_amount, extension_unit, remind_before,
                 warn_before) -> dict:
    errors = {}
    if code not in engine.DEFAULT_RULES:
        errors["code"] = _("There is no deadline rule with this code.")
    if amount is None or amount <= 0:
        errors["amount"] = _("The period must be more than zero.")
    if unit not in PeriodUnit.values:
        errors["unit"] = _("Choose days, working days or months.")
    if extension_amount is None:
        if extension_unit:
            errors["extension_amount"] = _("Give the extended period, or no extension unit.")
    elif extension_unit not in PeriodUnit.values:
        errors["extension_unit"] = _("Choose days, working days or months.")
    elif extension_amount <= 0:
        errors["extension_amount"] = _("The extended period must be more than zero.")
    elif "amount" not in errors and "unit" not in errors and not engine.Period(
            extension_amount, extension_unit).longer_than(engine.Period(amount, unit)):
        errors["extension_amount"] = _("The extended period must be longer than the period.")
    if remind_before is None or remind_before < 0:
        errors["remind_before"] = _("Enter 0 or more working days.")
    if warn_before is None or warn_before < 0:
        errors["warn_before"] = _("Enter 0 or more working days.")
    elif remind_before is not None and warn_before > remind_before:
        errors["warn_before"] = _("The warning cannot come before the reminder: "
                                  "use no more working days than for the reminder.")
    return errors


def set_rule(actor, committee, code: str, *, amount: int, unit: str,
             extension_amount: int | None = None, extension_unit: str = "",
             remind_before: int, warn_before: int, label: str = "",
             version: int | None = None) -> DeadlineRule:
    """Create or change the committee's rule for `code`.

    `version` is the version of the committee's row the editor saw: 0 when they saw the
    default (no row), so a row someone created meanwhile is not overwritten; None skips the
    check (scripts, imports)."""
    _require_committee(actor, committee)
    errors = _rule_errors(code, amount, unit, extension_amount, extension_unit,
                          remind_before, warn_before)
    if errors:
        raise ValidationError(errors)
    values = {"amount": amount, "unit": unit, "extension_amount": extension_amount,
              "extension_unit": extension_unit if extension_amount is not None else "",
              "remind_before": remind_before, "warn_before": warn_before, "label": label}
    with transaction.atomic():
        row = (DeadlineRule.objects.select_for_update()
               .filter(committee=committee, code=code).first())
        if row is None:
            if version:
                raise ConflictError(_("This rule was reset to the default while you were "
                                      "editing it. Reload and try again."))
            row = DeadlineRule(committee=committee, code=code, **values)
            row.full_clean()
            row.save()
            audit.record_create(actor, row)
            return row
        check_version(row, version)
        before = audit.snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean()
        row.version += 1
        row.save()
        audit.record_update(actor, row, before)
    return row


def reset_rule(actor, rule: DeadlineRule, *, version: int | None = None) -> None:
    """Drop the committee's override so the default rule applies again."""
    require_perm(actor, CHANGE_PERM)
    require_in_scope(actor, rule)
    with transaction.atomic():
        locked = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
        check_version(locked, version)
        before = audit.snapshot(locked)
        audit.record_delete(actor, locked, before)
        locked.delete()


def add_holiday(actor, committee, *, date: date, kind: str, name: str) -> Holiday:
    """Add a date the committee's office treats differently from the national calendar."""
    _require_committee(actor, committee)
    errors = {}
    if kind not in HolidayKind.values:
        errors["kind"] = _("Choose day off or working day.")
    if not (name or "").strip():
        errors["name"] = _("Name the day, e.g. the local holiday it is.")
    if date is None:
        errors["date"] = _("Enter a date.")
    elif Holiday.objects.filter(committee=committee, date=date).exists():
        errors["date"] = _("This date is already listed; remove it first to change it.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Holiday(committee=committee, date=date, kind=kind, name=name.strip())
        row.full_clean()
        row.save()
        audit.record_create(actor, row)
    return row


def remove_holiday(actor, holiday: Holiday) -> None:
    require_perm(actor, CHANGE_PERM)
    require_in_scope(actor, holiday)
    with transaction.atomic():
        locked = Holiday.objects.select_for_update().get(pk=holiday.pk)
        audit.record_delete(actor, locked, audit.snapshot(locked))
        locked.delete()


# A year's holiday notice ---------------------------------------------------------------------

#: Notices are entered for the coming year, and corrected for past ones.
FIRST_NOTICE_YEAR = 2000


def _notice_errors(year, holidays, workdays, *, national: bool) -> dict:
    """Every problem with a year's dates, per field. `holidays` is [(name, first, last)]
    ranges of days off, `workdays` [(name, date)] single working days."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    latest = timezone.localdate().year + 1
    if not isinstance(year, int) or not FIRST_NOTICE_YEAR <= year <= latest:
        add("year", _("Enter a year from %(first)s to %(last)s.")
            % {"first": FIRST_NOTICE_YEAR, "last": latest})
        return errors
    off: dict[date, str] = {}
    for name, first, last in holidays:
        if not (name or "").strip():
            add("holidays", _("Name every day off, e.g. 春节."))
        if last < first:
            add("holidays", _("%(name)s ends (%(last)s) before it starts (%(first)s).")
                % {"name": name, "first": first, "last": last})
            continue
        for day in _days_of(first, last):
            if day.year != year:
                add("holidays", _("%(date)s (%(name)s) is not in %(year)s.")
                    % {"date": day, "name": name, "year": year})
            elif day in off:
                add("holidays", _("%(date)s is listed twice, as %(first)s and %(second)s.")
                    % {"date": day, "first": off[day], "second": name})
            else:
                off[day] = name
    if national and not holidays:
        add("holidays", _("List the days off the notice gives."))
    worked: dict[date, str] = {}
    for name, day in workdays:
        if not (name or "").strip():
            add("workdays", _("Name every working day, e.g. the holiday it bridges."))
        if day.year != year:
            add("workdays", _("%(date)s (%(name)s) is not in %(year)s.")
                % {"date": day, "name": name, "year": year})
        elif day in off:
            add("workdays", _("%(date)s is listed both as a day off (%(holiday)s) and as a "
                              "working day.") % {"date": day, "holiday": off[day]})
        elif day in worked:
            add("workdays", _("%(date)s is listed twice.") % {"date": day})
        elif national and day.weekday() < engine.SATURDAY:
            add("workdays", _("%(date)s is a weekday, worked anyway: a make-up working day "
                              "is a Saturday or Sunday.") % {"date": day})
        worked[day] = name
    return errors


def _days_of(first: date, last: date) -> list[date]:
    return [first + engine.DAY * i for i in range((last - first).days + 1)]


def _day_items(holidays, workdays) -> list[tuple[date, str, str]]:
    items = [(d, HolidayKind.HOLIDAY.value, name.strip()) for name, first, last in holidays
             for d in _days_of(first, last)]
    items += [(d, HolidayKind.WORKDAY.value, name.strip()) for name, d in workdays]
    return sorted(items)


def _require_reason(errors: dict, reason: str) -> None:
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(
            _("Say why, e.g. the notice's number; it is kept in the audit record."))


def national_year_is_open_to(actor, year: int) -> bool:
    """Whether `actor` may write `year` of the national calendar (see the module docstring):
    anyone with the permission while the year has no notice, afterwards superusers only."""
    if not actor.has_perm(CHANGE_PERM):
        return False
    return actor.is_superuser or year not in years_with_notice()


def set_national_year(actor, *, year: int, notice: str, holidays, workdays, reason: str,
                      version: int | None = None) -> NationalYear:
    """Enter (or, as a superuser, correct) one year of the national calendar from the State
    Council's notice: ranges of days off and the weekend days worked to bridge them."""
    require_perm(actor, CHANGE_PERM)
    errors = _notice_errors(year, holidays, workdays, national=True)
    if not (notice or "").strip():
        errors.setdefault("notice", []).append(
            _("Cite the notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知."))
    _require_reason(errors, reason)
    if errors:
        raise ValidationError(errors)
    days = [{"date": d.isoformat(), "kind": kind, "name": name}
            for d, kind, name in _day_items(holidays, workdays)]
    with transaction.atomic():
        row = NationalYear.objects.select_for_update().filter(year=year).first()
        if not national_year_is_open_to(actor, year):
            raise PermissionDenied(_(
                "The national calendar for %(year)s already has its notice and is shared by "
                "every committee; only an administrator can correct it.") % {"year": year})
        if row is None:
            row = NationalYear(year=year, notice=notice.strip(), days=days)
            row.full_clean(validate_unique=False)
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                raise ConflictError(_("Someone entered the notice for %(year)s while you were "
                                      "typing it. Reload to see it.") % {"year": year}) from None
            audit.record_create(actor, row, reason.strip())
            return row
        check_version(row, version)
        before = audit.snapshot(row)
        row.notice, row.days = notice.strip(), days
        row.full_clean()
        row.version += 1
        row.save()
        audit.record_update(actor, row, before, reason.strip())
    return row


def set_committee_year(actor, committee, *, year: int, holidays, workdays,
                       reason: str) -> list[Holiday]:
    """Replace the committee's own dates in `year` by those of its local notice: days off
    and days worked that differ from the national calendar. Each added, changed or removed
    date is its own audit record, with the reason."""
    _require_committee(actor, committee)
    errors = _notice_errors(year, holidays, workdays, national=False)
    _require_reason(errors, reason)
    if errors:
        raise ValidationError(errors)
    wanted = {d: (kind, name) for d, kind, name in _day_items(holidays, workdays)}
    reason = reason.strip()
    with transaction.atomic():
        rows = {h.date: h for h in Holiday.objects.select_for_update().filter(
            committee=committee, date__year=year)}
        for day, row in rows.items():
            if day not in wanted:
                audit.record_delete(actor, row, audit.snapshot(row), reason)
                row.delete()
            elif (row.kind, row.name) != wanted[day]:
                before = audit.snapshot(row)
                row.kind, row.name = wanted[day]
                row.full_clean()
                row.version += 1
                row.save()
                audit.record_update(actor, row, before, reason)
        for day, (kind, name) in wanted.items():
            if day not in rows:
                row = Holiday(committee=committee, date=day, kind=kind, name=name)
                row.full_clean()
                row.save()
                audit.record_create(actor, row, reason)
    return list(Holiday.objects.filter(committee=committee, date__year=year))
