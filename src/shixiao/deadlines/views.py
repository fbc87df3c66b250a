"""The deadline settings page: a committee's effective rules and its own holidays.

Anyone with `deadlines.view_deadlinerule` reads them; the office (`change_deadlinerule`)
changes them. Permission is checked first (403), then the committee must be one the user
works in (404), and every write goes through shixiao.deadlines.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shixiao.core.errors import ConflictError, ValidationError
from shixiao.orgs.models import Committee
from shixiao.web.forms import attach_errors

from . import engine, services
from .forms import HolidayForm, RuleForm, YearNoticeForm, initial_for, notice_initial
from .labels import COLOUR_HINTS, period_text, rule_label
from .models import DeadlineRule, Holiday, NationalYear

VIEW_PERM = "deadlines.view_deadlinerule"
CHANGE_PERM = services.CHANGE_PERM


def _committee(user, pk) -> Committee:
    committees = Committee.objects.visible_to(user)
    if pk is None:
        committee = committees.first()
        if committee is None:
            raise Http404(_("You do not work in any committee."))
        return committee
    if not str(pk).isdigit():
        raise Http404(_("No such committee."))
    return get_object_or_404(committees, pk=pk)


def _index_url(committee) -> str:
    return f"{reverse('deadlines:index')}?committee={committee.pk}"


def _rule_rows(committee, calendar, today):
    overrides = {r.code: r for r in DeadlineRule.objects.filter(committee=committee)}
    rows = []
    for code, default in engine.DEFAULT_RULES.items():
        row = overrides.get(code)
        spec = row.spec() if row else default
        rows.append({
            "code": code, "label": rule_label(code, row.label if row else ""), "spec": spec,
            "row": row, "period": period_text(spec.period),
            "extension": period_text(spec.extension),
            # A worked example makes the rule concrete: what if the clock started today?
            "example": spec.due(today, calendar) if spec.period.amount else None,
        })
    return rows


def _index(request, committee, *, holiday_form=None, status=200):
    user = request.user
    today = timezone.localdate()
    calendar = services.calendar_for(committee)
    national = services.national_data()
    entered = set(NationalYear.objects.values_list("year", flat=True))
    can_change = user.has_perm(CHANGE_PERM)
    if can_change and holiday_form is None:
        holiday_form = HolidayForm()
    return render(request, "deadlines/index.html", {
        "committee": committee,
        "committees": Committee.objects.visible_to(user),
        "rules": _rule_rows(committee, calendar, today),
        "holidays": Holiday.objects.filter(committee=committee),
        "national_notices": [(year, notice, year in entered)
                             for year, notice in sorted(national.notices.items())],
        "missing_years": services.years_without_notice([today.year, today.year + 1]),
        "is_superuser": user.is_superuser,
        "legend": list(COLOUR_HINTS.items()),
        "today": today,
        "can_change": can_change,
        "holiday_form": holiday_form,
    }, status=status)


@require_GET
@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def index(request):
    return _index(request, _committee(request.user, request.GET.get("committee")))


def _year(request, default: int) -> int:
    raw = request.POST.get("year") or request.GET.get("year")
    return int(raw) if raw and raw.isdigit() and len(raw) == 4 else default


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(CHANGE_PERM, raise_exception=True)
def national_year(request):
    """Enter the State Council's notice for a year the national calendar lacks, or (as a
    superuser) correct one; see services.set_national_year."""
    user = request.user
    year = _year(request, timezone.localdate().year + 1)
    row = NationalYear.objects.filter(year=year).first()
    context = {"year": year, "national": True, "row": row,
               "can_write": services.national_year_is_open_to(user, year),
               "back": reverse("deadlines:index")}
    if request.method == "GET":
        data = services.national_data()
        days = [(d, "holiday", data.names.get(d, "")) for d in data.holidays if d.year == year]
        days += [(d, "workday", data.names.get(d, "")) for d in data.workdays if d.year == year]
        form = YearNoticeForm(initial=notice_initial(
            year, days, data.notices.get(year, ""), row.version if row else 0))
        return render(request, "deadlines/notice_form.html", {"form": form, **context})
    form = YearNoticeForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.set_national_year(user, **form.service_values())
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The national holidays of %(year)s have been saved.")
                             % {"year": form.cleaned_data["year"]})
            return redirect(reverse("deadlines:index"))
    return render(request, "deadlines/notice_form.html", {"form": form, **context},
                  status=status)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(CHANGE_PERM, raise_exception=True)
def committee_year(request, pk):
    """A committee's own dates for one year, entered from its local notice."""
    committee = _committee(request.user, pk)
    year = _year(request, timezone.localdate().year + 1)
    context = {"year": year, "national": False, "committee": committee, "can_write": True,
               "back": _index_url(committee)}
    if request.method == "GET":
        days = Holiday.objects.filter(committee=committee, date__year=year).values_list(
            "date", "kind", "name")
        form = YearNoticeForm(initial=notice_initial(year, list(days)), national=False)
        return render(request, "deadlines/notice_form.html", {"form": form, **context})
    form = YearNoticeForm(request.POST, national=False)
    if form.is_valid():
        try:
            services.set_committee_year(request.user, committee, **form.service_values())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("This committee's dates of %(year)s have been saved.")
                             % {"year": form.cleaned_data["year"]})
            return redirect(_index_url(committee))
    return render(request, "deadlines/notice_form.html", {"form": form, **context},
                  status=400)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(CHANGE_PERM, raise_exception=True)
def rule_edit(request, pk, code):
    committee = _committee(request.user, pk)
    if code not in engine.DEFAULT_RULES:
        raise Http404(_("No such deadline rule."))
    row = DeadlineRule.objects.filter(committee=committee, code=code).first()
    spec = row.spec() if row else engine.DEFAULT_RULES[code]
    context = {"committee": committee, "code": code, "label": rule_label(code),
               "row": row, "default": engine.DEFAULT_RULES[code]}
    if request.method == "GET":
        form = RuleForm(initial=initial_for(spec, row))
        return render(request, "deadlines/rule_form.html", {"form": form, **context})
    form = RuleForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.set_rule(request.user, committee, code, **form.service_values())
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The deadline rule has been saved."))
            return redirect(_index_url(committee))
    return render(request, "deadlines/rule_form.html", {"form": form, **context},
                  status=status)


@require_POST
@login_required
@permission_required(CHANGE_PERM, raise_exception=True)
def rule_reset(request, pk, code):
    committee = _committee(request.user, pk)
    row = get_object_or_404(DeadlineRule.objects.visible_to(request.user),
                            committee=committee, code=code)
    version = request.POST.get("version")
    try:
        services.reset_rule(request.user, row,
                            version=int(version) if version and version.isdigit() else None)
    except ConflictError as exc:
        messages.error(request, str(exc))
        return redirect(_index_url(committee))
    messages.success(request, _("The rule is back to the default."))
    return redirect(_index_url(committee))


@require_POST
@login_required
@permission_required(CHANGE_PERM, raise_exception=True)
def holiday_add(request, pk):
    committee = _committee(request.user, pk)
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            services.add_holiday(request.user, committee, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The date has been added."))
            return redirect(_index_url(committee))
    return _index(request, committee, holiday_form=form, status=400)


@require_POST
@login_required
@permission_required(CHANGE_PERM, raise_exception=True)
def holiday_remove(request, pk):
    holiday = get_object_or_404(
        Holiday.objects.visible_to(request.user).select_related("committee"), pk=pk)
    services.remove_holiday(request.user, holiday)
    messages.success(request, _("The date has been removed."))
    return redirect(_index_url(holiday.committee))
