"""The deadline interface other apps call, and the office's writes to rules and holidays.

Reads (calendar_for, rule_for, due_date, due_after, escalation) check no permission: they
compute dates for whatever workflow calls them, which has already checked its own. Writes
need `deadlines.change_deadlinerule` and the committee in the actor's scope, and are audited.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shixiao.audit import services as audit
from shixiao.core.errors import ConflictError, ValidationError
from shixiao.core.services import check_version, require_in_scope, require_perm

from . import engine
from .models import DeadlineRule, Holiday, HolidayKind, PeriodUnit
from .national import national_calendar_data

CHANGE_PERM = "deadlines.change_deadlinerule"


# Reads ---------------------------------------------------------------------------------------

def calendar_for(committee) -> engine.Calendar:
    """The national calendar with the committee's own rows applied on top: a row for a date
    replaces whatever the national data says about it."""
    data = national_calendar_data()
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
