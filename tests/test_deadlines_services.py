"""The deadline services other apps call, and the office's audited writes to rules and
holidays: defaults, committee overrides, validation naming the field, permission, scope and
optimistic locking."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shixiao.audit.models import Action, AuditRecord
from shixiao.core.errors import ConflictError
from shixiao.deadlines import services as dl
from shixiao.deadlines.engine import DEFAULT_RULES, Colour, Period
from shixiao.deadlines.models import DeadlineRule, Holiday

D = dt.date
RULE = {"amount": 2, "unit": "months", "remind_before": 10, "warn_before": 3}


def audits(model: str, action: str | None = None):
    records = AuditRecord.objects.filter(object_type=f"deadlines.{model}")
    return records.filter(action=action) if action else records


# Reads ----------------------------------------------------------------------------------------

def test_without_overrides_a_committee_uses_the_default_rules_and_national_calendar(world):
    c = world.committee
    assert dl.rule_for(c, "proposal_reply") == DEFAULT_RULES["proposal_reply"]
    # 1 Jul + 3 months = 1 Oct 2025, National Day: due on Thursday 9 October.
    assert dl.due_date(c, "proposal_reply", D(2025, 7, 1)) == D(2025, 10, 9)
    # 1 Jan 2026 + the New Year break; Sunday 4 January is a make-up working day.
    assert dl.due_date(c, "proposal_reply", D(2025, 7, 1), extended=True) == D(2026, 1, 4)
    assert dl.due_date(c, "proposal_rating", D(2026, 2, 9)) == D(2026, 3, 6)


def test_unknown_rule_code_is_a_value_error_naming_it(world):
    with pytest.raises(ValueError, match="proposal_reply_typo"):
        dl.rule_for(world.committee, "proposal_reply_typo")
    with pytest.raises(ValueError, match="nope"):
        dl.due_date(world.committee, "nope", D(2025, 1, 1))


def test_follow_up_horizons_roll_to_a_working_day(world):
    assert dl.due_after(world.committee, D(2025, 4, 1), 6) == D(2025, 10, 9)
    assert dl.due_after(world.committee, D(2025, 4, 1), 12) == D(2026, 4, 1)


def test_escalation_uses_the_committees_rule_and_calendar(world):
    c = world.committee
    due = D(2025, 10, 10)
    assert dl.escalation(c, "proposal_reply", due, today=D(2025, 9, 30)) == Colour.YELLOW
    assert dl.escalation(c, "proposal_reply", due, today=D(2025, 10, 11)) == Colour.RED
    assert dl.escalation(c, "proposal_reply", due, today=D(2025, 10, 11),
                         done_on=D(2025, 10, 10)) == Colour.NONE
    dl.set_rule(world.office, c, "proposal_reply", amount=3, unit="months", remind_before=1,
                warn_before=0)
    assert dl.escalation(c, "proposal_reply", due, today=D(2025, 9, 30)) == Colour.NONE


def test_escalation_defaults_to_today(world):
    far = dt.date.today() + dt.timedelta(days=400)
    assert dl.escalation(world.committee, "task", far) == Colour.NONE
    assert dl.escalation(world.committee, "task", D(2020, 1, 1)) == Colour.RED


# Overrides ------------------------------------------------------------------------------------

def test_a_committees_rule_replaces_the_default_for_that_committee_only(world):
    dl.set_rule(world.office, world.committee, "proposal_reply", **RULE,
                extension_amount=4, extension_unit="months", label="两个月内答复")
    spec = dl.rule_for(world.committee, "proposal_reply")
    assert spec.period == Period(2, "months") and spec.extension == Period(4, "months")
    assert (spec.remind_before, spec.warn_before) == (10, 3)
    assert dl.due_date(world.committee, "proposal_reply", D(2025, 3, 3)) == D(2025, 5, 6)
    assert dl.rule_for(world.other.committee, "proposal_reply") == DEFAULT_RULES["proposal_reply"]


def test_a_committees_holiday_and_workday_override_the_national_calendar(world):
    c = world.committee
    dl.add_holiday(world.office, c, date=D(2025, 7, 2), kind="holiday", name="建市纪念日")
    dl.add_holiday(world.office, c, date=D(2025, 10, 8), kind="workday", name="值班")
    cal = dl.calendar_for(c)
    assert not cal.is_working_day(D(2025, 7, 2))
    assert cal.is_working_day(D(2025, 10, 8))  # a national holiday this office works
    assert dl.due_date(c, "proposal_reply", D(2025, 7, 1)) == D(2025, 10, 8)
    other = dl.calendar_for(world.other.committee)
    assert other.is_working_day(D(2025, 7, 2)) and not other.is_working_day(D(2025, 10, 8))


def test_removing_a_holiday_restores_the_national_calendar(world):
    h = dl.add_holiday(world.office, world.committee, date=D(2025, 10, 8), kind="workday",
                       name="值班")
    dl.remove_holiday(world.office, h)
    assert not Holiday.objects.exists()
    assert not dl.calendar_for(world.committee).is_working_day(D(2025, 10, 8))


def test_reset_rule_brings_back_the_default(world):
    row = dl.set_rule(world.office, world.committee, "task", amount=20, unit="days",
                      remind_before=5, warn_before=2)
    dl.reset_rule(world.office, row, version=row.version)
    assert dl.rule_for(world.committee, "task") == DEFAULT_RULES["task"]
    assert audits("deadlinerule", Action.DELETE).count() == 1


# Validation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, field", [
    ({"amount": 0}, "amount"),
    ({"amount": -3}, "amount"),
    ({"unit": "weeks"}, "unit"),
    ({"extension_amount": 2, "extension_unit": "months"}, "extension_amount"),
    ({"extension_amount": 30, "extension_unit": "working_days"}, "extension_amount"),
    ({"extension_amount": 3, "extension_unit": "fortnights"}, "extension_unit"),
    ({"extension_amount": 0, "extension_unit": "months"}, "extension_amount"),
    ({"extension_unit": "months"}, "extension_amount"),
    ({"warn_before": 11}, "warn_before"),
    ({"remind_before": -1}, "remind_before"),
    ({"warn_before": -1}, "warn_before"),
])
def test_invalid_rules_are_refused_naming_the_field_and_nothing_is_saved(world, changes, field):
    with pytest.raises(ValidationError) as exc:
        dl.set_rule(world.office, world.committee, "proposal_reply", **(RULE | changes))
    assert field in exc.value.message_dict
    assert not DeadlineRule.objects.exists()
    assert not audits("deadlinerule").exists()


def test_a_rule_for_an_unknown_code_is_refused_naming_the_code_field(world):
    with pytest.raises(ValidationError) as exc:
        dl.set_rule(world.office, world.committee, "made_up", **RULE)
    assert "code" in exc.value.message_dict


def test_extension_longer_than_the_base_in_another_unit_is_accepted(world):
    row = dl.set_rule(world.office, world.committee, "proposal_rating", amount=15,
                      unit="working_days", extension_amount=1, extension_unit="months",
                      remind_before=5, warn_before=5)
    assert row.spec().extension == Period(1, "months")


@pytest.mark.parametrize("changes, field", [
    ({"kind": "party"}, "kind"),
    ({"name": "  "}, "name"),
])
def test_invalid_holidays_are_refused_naming_the_field(world, changes, field):
    values = {"date": D(2025, 7, 2), "kind": "holiday", "name": "建市纪念日"} | changes
    with pytest.raises(ValidationError) as exc:
        dl.add_holiday(world.office, world.committee, **values)
    assert field in exc.value.message_dict
    assert not Holiday.objects.exists()


def test_a_date_already_listed_is_refused_on_the_date_field(world):
    dl.add_holiday(world.office, world.committee, date=D(2025, 7, 2), kind="holiday", name="a")
    with pytest.raises(ValidationError) as exc:
        dl.add_holiday(world.office, world.committee, date=D(2025, 7, 2), kind="workday",
                       name="b")
    assert "date" in exc.value.message_dict


# Audit, permission, scope, versions -----------------------------------------------------------

def test_every_write_is_audited_with_the_committee(world):
    row = dl.set_rule(world.office, world.committee, "task", amount=20, unit="days",
                      remind_before=5, warn_before=2)
    dl.set_rule(world.office, world.committee, "task", amount=25, unit="days",
                remind_before=5, warn_before=2, version=row.version)
    h = dl.add_holiday(world.office, world.committee, date=D(2025, 7, 2), kind="holiday",
                       name="a")
    dl.remove_holiday(world.office, h)
    created = audits("deadlinerule", Action.CREATE).get()
    updated = audits("deadlinerule", Action.UPDATE).get()
    assert created.username == "office" and created.committee_id == world.committee.pk
    assert updated.changes["amount"] == [20, 25]
    assert audits("holiday", Action.CREATE).count() == 1
    assert audits("holiday", Action.DELETE).get().before["name"] == "a"


@pytest.mark.parametrize("attr", ["member1", "leader", "auditor", "unit1_user", "sc1_staff"])
def test_only_the_office_changes_rules_and_holidays(world, attr):
    user = getattr(world, attr)
    with pytest.raises(PermissionDenied):
        dl.set_rule(user, world.committee, "task", **RULE)
    with pytest.raises(PermissionDenied):
        dl.add_holiday(user, world.committee, date=D(2025, 7, 2), kind="holiday", name="a")
    h = dl.add_holiday(world.office, world.committee, date=D(2025, 7, 3), kind="holiday",
                       name="b")
    with pytest.raises(PermissionDenied):
        dl.remove_holiday(user, h)
    assert not DeadlineRule.objects.exists()
    assert Holiday.objects.count() == 1


def test_another_committees_office_cannot_touch_this_committee(world):
    with pytest.raises(Http404):
        dl.set_rule(world.office_other, world.committee, "task", **RULE)
    with pytest.raises(Http404):
        dl.add_holiday(world.office_other, world.committee, date=D(2025, 7, 2),
                       kind="holiday", name="a")
    h = dl.add_holiday(world.office, world.committee, date=D(2025, 7, 3), kind="holiday",
                       name="b")
    with pytest.raises(Http404):
        dl.remove_holiday(world.office_other, h)
    row = dl.set_rule(world.office, world.committee, "task", **RULE)
    with pytest.raises(Http404):
        dl.reset_rule(world.office_other, row)
    assert Holiday.objects.count() == 1 and DeadlineRule.objects.count() == 1


def test_a_stale_version_is_refused_and_nothing_changes(world):
    row = dl.set_rule(world.office, world.committee, "task", **RULE)
    dl.set_rule(world.office, world.committee, "task", **(RULE | {"amount": 3}),
                version=row.version)
    with pytest.raises(ConflictError):
        dl.set_rule(world.office, world.committee, "task", **(RULE | {"amount": 9}),
                    version=row.version)
    assert dl.rule_for(world.committee, "task").period.amount == 3


def test_an_editor_who_saw_the_default_does_not_overwrite_a_rule_created_meanwhile(world):
    dl.set_rule(world.office, world.committee, "task", **RULE, version=0)
    with pytest.raises(ConflictError):
        dl.set_rule(world.office, world.committee, "task", **(RULE | {"amount": 9}), version=0)
    assert dl.rule_for(world.committee, "task").period.amount == 2


def test_an_editor_of_a_rule_reset_meanwhile_is_told_so(world):
    row = dl.set_rule(world.office, world.committee, "task", **RULE)
    dl.reset_rule(world.office, row)
    with pytest.raises(ConflictError):
        dl.set_rule(world.office, world.committee, "task", **RULE, version=row.version)
    assert not DeadlineRule.objects.exists()


def test_rules_and_holidays_are_visible_within_the_committee_only(world):
    dl.set_rule(world.office, world.committee, "task", **RULE)
    dl.add_holiday(world.office, world.committee, date=D(2025, 7, 2), kind="holiday", name="a")
    assert DeadlineRule.objects.visible_to(world.member1).count() == 1
    assert Holiday.objects.visible_to(world.leader).count() == 1
    assert not DeadlineRule.objects.visible_to(world.office_other).exists()
    assert not Holiday.objects.visible_to(world.member_other).exists()
    assert Holiday.objects.visible_to(world.auditor).count() == 1
