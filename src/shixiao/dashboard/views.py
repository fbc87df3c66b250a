"""The leaders' dashboard: one page of charts for a committee and year. The permission is
checked first (403); the committee comes from `visible_to(user)`, so one out of scope is a
404 like one that does not exist. The page only reads."""

import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shixiao.orgs.models import Committee

from . import charts, figures
from .forms import DashboardFilter

VIEW = "dashboard.view_dashboard"


def _committee(user, code: str, committees: list[Committee]) -> Committee:
    if code:
        for committee in committees:
            if committee.code == code:
                return committee
        raise Http404(_("No such committee."))
    own = next((c for c in committees if c.pk == user.committee_id), None)
    if own is None and not committees:
        raise Http404(_("You work in no committee."))
    return own or committees[0]


def board(scope: figures.Scope, year: int, as_of: dt.date) -> list[charts.Chart]:
    """Every chart of the page, in reading order: how far the work went, how well, what is
    stuck, then reports and the assessment."""
    proposals = figures.proposal_figures(scope, year, as_of)
    return [
        charts.pipeline_chart(proposals, as_of),
        charts.rates_chart(proposals),
        charts.overdue_chart(proposals),
        charts.reports_chart(figures.report_figures(scope, year, as_of)),
        charts.grades_chart(figures.grade_figures(scope, year)),
    ]


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def index(request):
    user = request.user
    form = DashboardFilter(request.GET)
    valid = form.is_valid()
    chosen = form.cleaned_data if valid else {}
    committees = list(Committee.objects.visible_to(user).order_by("code"))
    committee = _committee(user, chosen.get("committee") or "", committees)
    scope = figures.scope_for(user, committee)
    years = figures.years_with_data(scope)
    today = timezone.localdate()
    year = chosen.get("year") or (years[0] if years else today.year)
    as_of = chosen.get("as_of") or today
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    shown = board(scope, year, as_of) if valid else []
    return render(request, "dashboard/index.html", {
        "form": form, "committees": committees, "committee": committee, "scope": scope,
        "years": years, "year": year, "as_of": as_of, "charts": shown,
        "data": {"charts": [c.spec() for c in shown], "missing": charts.MISSING},
    }, status=200 if valid else 400)
