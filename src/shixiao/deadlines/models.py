"""A committee's own deadline rules and holiday dates, and national years entered in the
browser. Without rows here a committee uses engine.DEFAULT_RULES and the national calendar
of data/cn_holidays.yaml."""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from shixiao.core.models import BaseModel
from shixiao.orgs.models import Committee, CommitteeScopedQuerySet

from . import engine


class PeriodUnit(models.TextChoices):
    DAYS = engine.DAYS, _("calendar days")
    WORKING_DAYS = engine.WORKING_DAYS, _("working days")
    MONTHS = engine.MONTHS, _("months")


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off")
    WORKDAY = "workday", _("Working day")


class DeadlineRule(BaseModel):
    """A committee's override of one default deadline rule (engine.DEFAULT_RULES), e.g. a
    city whose handling rules give units 2 months to reply instead of 3."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE,
                                  related_name="deadline_rules", verbose_name=_("committee"))
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100, blank=True)
    amount = models.PositiveIntegerField(_("period"))
    unit = models.CharField(_("unit"), max_length=16, choices=PeriodUnit.choices)
    extension_amount = models.PositiveIntegerField(_("extended period"), null=True, blank=True)
    extension_unit = models.CharField(_("extension unit"), max_length=16, blank=True,
                                      choices=PeriodUnit.choices)
    remind_before = models.PositiveIntegerField(_("remind (working days before)"))
    warn_before = models.PositiveIntegerField(_("warn (working days before)"))

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["committee", "code"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "code"], name="deadlinerule_unique_code"),
        ]

    def __str__(self):
        return self.label or self.code

    def spec(self) -> engine.RuleSpec:
        extension = None
        if self.extension_amount is not None:
            extension = engine.Period(self.extension_amount, self.extension_unit)
        return engine.RuleSpec(self.code, engine.Period(self.amount, self.unit), extension,
                               remind_before=self.remind_before, warn_before=self.warn_before)


class Holiday(BaseModel):
    """A date a committee's office treats differently from the national calendar: a local
    day off, or a day worked (a national holiday the office staffs, or a make-up day)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE,
                                  related_name="holidays", verbose_name=_("committee"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=HolidayKind.choices,
                            default=HolidayKind.HOLIDAY)
    name = models.CharField(_("name"), max_length=60)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["committee", "date"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "date"], name="holiday_unique_date"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class NationalYear(BaseModel):
    """One year of the national calendar entered in the browser from the State Council
    General Office's notice, for a year the shipped data file (data/cn_holidays.yaml) does
    not cover yet, or to correct it. It is shared by every committee: see
    services.set_national_year for who may write it.

    `days` holds the notice's dates as [{"date": "YYYY-MM-DD", "kind": "holiday"|"workday",
    "name": "春节"}], so one audit record shows the whole notice before and after a change."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice = models.CharField(_("notice"), max_length=200)
    days = models.JSONField(_("dates"), default=list)

    class Meta:
        verbose_name = _("national holiday notice")
        verbose_name_plural = _("national holiday notices")
        ordering = ["year"]

    def __str__(self):
        return f"{self.year} {self.notice}"

    def day_items(self) -> list[tuple[date, str, str]]:
        """The dates as (date, kind, name), in date order."""
        return sorted((date.fromisoformat(d["date"]), d["kind"], d["name"]) for d in self.days)
