"""Pages for published assessments and the Word downloads. The permission is checked first
(403); the committee, membership or publication comes from `visible_to(user)`, so one out
of scope is a 404 like one that does not exist. Publishing goes through
`services.publish_assessment` after a confirmation step."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shixiao.assessment import display
from shixiao.assessment.decimals import text as number_text
from shixiao.assessment.models import MemberScore, ScoreRun
from shixiao.core.choices import UserRole
from shixiao.core.errors import DomainError, ValidationError
from shixiao.orgs.models import Committee, Membership
from shixiao.web.forms import attach_errors

from . import gather
from .forms import PublishForm
from .models import Publication
from .services import PUBLISH, VIEW, current_rubric, default_run, publish_assessment

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIRST_YEAR, LAST_YEAR = 1949, 2200  # the CPPCC's first session; anything later is a typo


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404(_("No such year."))


def _run_label(run: ScoreRun) -> str:
    return _("%(rubric)s, as of %(as_of)s (scored %(created)s)") % {
        "rubric": run.rubric.display_label, "as_of": run.as_of.isoformat(),
        "created": run.created_at.date().isoformat()}


# --- index ----------------------------------------------------------------------------------

def _years(committee: Committee) -> list[dict]:
    runs = list(ScoreRun.objects.filter(committee=committee).select_related("rubric")
                .order_by("-year", "-created_at", "-id"))
    publications = list(Publication.objects.filter(committee=committee)
                        .select_related("published_by", "score_run__rubric")
                        .order_by("-year", "-number"))
    rubric = current_rubric(committee)
    years = sorted({r.year for r in runs} | {p.year for p in publications}, reverse=True)
    return [{
        "year": year,
        "runs": [r for r in runs if r.year == year],
        "publications": [p for p in publications if p.year == year],
        "default_run": next((r for r in runs if r.year == year and rubric
                             and r.rubric_id == rubric.pk), None),
    } for year in years]


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def index(request):
    user = request.user
    committees = Committee.objects.visible_to(user).order_by("code")
    page = Paginator(committees, 20).get_page(request.GET.get("page"))
    own = {}
    if user.role == UserRole.MEMBER:
        for m in Membership.objects.visible_to(user).select_related("term"):
            own.setdefault(m.committee_id, []).append(m)
    rows = [{"committee": c, "years": _years(c), "memberships": own.get(c.pk, [])}
            for c in page]
    return render(request, "dossier/index.html", {
        "rows": rows, "page": page, "is_member": user.role == UserRole.MEMBER,
        "can_publish": user.has_perm(PUBLISH)})


# --- publishing -----------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@login_required
@permission_required(PUBLISH, raise_exception=True)
def publish(request, committee_pk: int, year: int):
    _check_year(year)
    committee = get_object_or_404(Committee.objects.visible_to(request.user), pk=committee_pk)
    runs = list(ScoreRun.objects.filter(committee=committee, year=year)
                .select_related("rubric").order_by("-created_at", "-id"))
    chosen = default_run(committee, year)
    previous = (Publication.objects.filter(committee=committee, year=year)
                .order_by("-number").first())
    form = PublishForm(request.POST or None, runs=[(r, _run_label(r)) for r in runs],
                       initial={"run": chosen.pk if chosen else None})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            run = next(r for r in runs if r.pk == form.cleaned_data["run"])
            try:
                publication = publish_assessment(request.user, committee, year, run=run,
                                                 note=form.cleaned_data["note"])
            except ValidationError as exc:
                attach_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Published version %(number)s of the %(year)s "
                                            "assessment.") % {"number": publication.number,
                                                              "year": year})
                return redirect("dossier:publication", publication.pk)
    selected = chosen
    if form.is_bound and form.is_valid():
        selected = next((r for r in runs if r.pk == form.cleaned_data["run"]), chosen)
    grades = []
    if selected is not None:
        results = list(MemberScore.objects.filter(run=selected).values("grade"))
        rubric = gather.rubric_of(selected)
        labels = display.grade_labels(rubric)
        grades = [(labels.get(g, g) or _("no grade"), n)
                  for g, n in gather.grade_counts(results, rubric)]
    return render(request, "dossier/publish.html", {
        "committee": committee, "year": year, "form": form, "runs": runs,
        "selected": selected, "previous": previous, "grades": grades,
        "no_runs": not runs}, status=status)


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def publication_detail(request, pk: int):
    publication = get_object_or_404(
        Publication.objects.visible_to(request.user)
        .select_related("committee", "published_by", "score_run__rubric", "superseded_by"),
        pk=pk)
    rows = (publication.scores.visible_to(request.user)
            .select_related("membership__person", "membership__sector")
            .order_by("membership__person__name", "membership_id"))
    labels = display.grade_labels(gather.rubric_of(publication.score_run))
    return render(request, "dossier/publication.html", {
        "publication": publication,
        "rows": [(row, number_text(row.total), labels.get(row.grade, row.grade))
                 for row in rows],
        "older": Publication.objects.filter(committee=publication.committee_id,
                                            year=publication.year,
                                            number__lt=publication.number)
        .order_by("-number")})


# --- Word downloads -------------------------------------------------------------------------

def _docx(request, document: str, data, filename: str, **options):
    """Render `documents.<document>(data)` as a download. Drawing needs matplotlib, which
    takes about a second to import: it is loaded on the first download, not at start-up."""
    from . import documents
    from .charts import CJKFontMissing

    try:
        body = getattr(documents, document)(data, **options)
    except CJKFontMissing as exc:
        log.error("duty report not drawn: %s", exc)
        return render(request, "dossier/unavailable.html", {"reason": str(exc)}, status=503)
    response = HttpResponse(body, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def member_report(request, membership_pk: int, year: int):
    _check_year(year)
    membership = get_object_or_404(
        Membership.objects.visible_to(request.user)
        .select_related("person", "committee", "term", "sector")
        .prefetch_related("special_committees", "groups"), pk=membership_pk)
    data = gather.member_year(request.user, membership, year)
    return _docx(request, "member_report", data,
                 f"{year}-{membership.person.name}-履职报告.docx")


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def committee_summary(request, committee_pk: int, year: int):
    user = request.user
    if user.role == UserRole.MEMBER:
        # Members read their own report; the committee's figures are for its staff.
        raise PermissionDenied(_("The committee summary is for the committee's staff."))
    _check_year(year)
    committee = get_object_or_404(Committee.objects.visible_to(user), pk=committee_pk)
    scope_note = ""
    if user.role == UserRole.SC_STAFF and user.special_committee_id:
        scope_note = _("Covers the members of %(sc)s only.") % {"sc": user.special_committee}
    data = gather.committee_year(user, committee, year)
    return _docx(request, "committee_summary", data,
                 f"{year}-{committee.name}-履职考核汇总.docx", scope_note=scope_note)
