"""Opinion-report pages. Reports come from `OpinionReport.objects.visible_to(user)`, so one
outside the user's scope is a 404 like one that does not exist; the permission is checked
first (403). Every write goes through reports.services: a refused step shows the form again
with the reason (400), a stale form is refused with 409 and nothing is saved."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shixiao.core.errors import ConflictError, DomainError, ValidationError
from shixiao.web.forms import attach_errors

from . import services as rs
from .forms import (
    AdoptionForm,
    DraftEditForm,
    EditTextForm,
    EndorsementForm,
    NotUsedForm,
    ReportFilterForm,
    ReportForm,
    SendForm,
    VersionForm,
)
from .models import MAX_BODY_CHARS, OpinionReport, ReportAuthor, ReportState

PAGE_SIZE = 30
VIEW, ADD, MANAGE = "reports.view_opinionreport", rs.ADD, rs.MANAGE
S = ReportState


def _reports(user):
    authors = ReportAuthor.objects.select_related("membership__person").order_by("rank")
    return (OpinionReport.objects.visible_to(user).select_related("committee")
            .prefetch_related(Prefetch("authors", queryset=authors), "adoptions",
                              "endorsements"))


def _handle(form, call) -> tuple[object | None, int]:
    """Run a service call for a valid form; on refusal, put the reason on the form and
    return the status the page answers with."""
    try:
        return call(), 200
    except ConflictError as exc:
        form.add_error(None, str(exc))
        return None, 409
    except ValidationError as exc:
        attach_errors(form, exc)
    except DomainError as exc:
        form.add_error(None, str(exc))
    return None, 400


# List and detail ----------------------------------------------------------------------------

@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def report_list(request):
    form = ReportFilterForm(request.GET)
    reports = form.apply(_reports(request.user))
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/report_list.html", {"form": form, "page": page})


def _timeline(report: OpinionReport) -> list[dict]:
    """What happened to the report, oldest first, with dates."""
    events = []
    if report.submitted_on:
        via = _(" (converted from a proposal)") if report.source_proposal_id else ""
        events.append((report.submitted_on, 0, _("Submitted") + via, ""))
    if report.edited_on:
        events.append((report.edited_on, 1, _("Edited by the office"), ""))
    for send in report.sends.all():
        events.append((send.on, 2, _("Sent to %(recipient)s") % {"recipient": send.recipient},
                       send.get_to_level_display()))
    for adoption in report.adoptions.all():
        detail = " ".join(filter(None, [adoption.get_level_display(), adoption.issue_no]))
        events.append((adoption.on, 3, _("Adopted by %(body)s") % {"body": adoption.body},
                       detail))
    for e in report.endorsements.all():
        events.append((e.on, 4, _("Endorsed by %(leader)s") % {"leader": e.leader},
                       " · ".join(filter(None, [e.get_level_display(),
                                                e.get_leader_rank_display(), e.content]))))
    if report.closed_on:
        label = _("Closed as not used") if report.state == S.NOT_USED else _("Archived")
        events.append((report.closed_on, 5, label, report.not_used_reason))
    return [{"on": on, "label": label, "detail": detail}
            for on, _order, label, detail in sorted(events, key=lambda e: (e[0], e[1]))]


def _action_forms(user, report: OpinionReport) -> dict:
    """The steps this user may take on the report now, each as an unbound form."""
    forms, version = {}, {"version": report.version}

    def ids(step):
        return {"auto_id": f"id_{step}_%s"}

    state = report.state
    if state == S.DRAFT and user.has_perm(ADD) and rs.is_author(user, report):
        forms["submit"] = VersionForm(initial=version, **ids("submit"))
    if not user.has_perm(MANAGE):
        return forms
    today = timezone.localdate()
    if state == S.SUBMITTED:
        forms["start_editing"] = VersionForm(initial=version, **ids("start_editing"))
    if state in (S.EDITING, S.EDITED):
        forms["edit_text"] = EditTextForm(initial={
            **version, "title": report.title, "edited_body": report.text, "finish": True},
            **ids("edit_text"))
    if state in (S.SUBMITTED, S.EDITED, S.SENT):
        forms["send"] = SendForm(report=report, initial={**version, "on": today},
                                 **ids("send"))
    if state == S.SENT:
        forms["adopt"] = AdoptionForm(report=report, initial={**version, "on": today},
                                      **ids("adopt"))
        forms["endorse"] = EndorsementForm(report=report, initial={**version, "on": today},
                                           **ids("endorse"))
        forms["archive"] = VersionForm(initial=version, **ids("archive"))
    outcome = report.adoptions.all() or report.endorsements.all()
    if state in (S.SUBMITTED, S.EDITING, S.EDITED, S.SENT) and not outcome:
        forms["not_used"] = NotUsedForm(initial=version, **ids("not_used"))
    return forms


STEP_LABELS = {
    # step: (heading, button)
    "submit": (gettext_lazy("Submit to the office"), gettext_lazy("Submit")),
    "start_editing": (gettext_lazy("Start editing"), gettext_lazy("Start editing")),
    "edit_text": (gettext_lazy("Edit the text"), gettext_lazy("Save the edited text")),
    "send": (gettext_lazy("Send upward"), gettext_lazy("Record the sending")),
    "adopt": (gettext_lazy("Record an adoption"), gettext_lazy("Record the adoption")),
    "endorse": (gettext_lazy("Record a leader's endorsement (批示)"),
                gettext_lazy("Record the endorsement")),
    "not_used": (gettext_lazy("Close as not used"), gettext_lazy("Close as not used")),
    "archive": (gettext_lazy("Archive"), gettext_lazy("Archive")),
}


def _steps(report, forms: dict, open_step: str | None) -> list[dict]:
    return [{"name": name, "form": form, "title": STEP_LABELS[name][0],
             "button": STEP_LABELS[name][1], "url": reverse(f"reports:{name}", args=[report.pk]),
             "simple": not form.visible_fields(), "open": name == open_step}
            for name, form in forms.items()]


def _detail(request, report, *, bound: tuple[str, object] | None = None, status=200):
    forms = _action_forms(request.user, report)
    if bound is not None:
        forms[bound[0]] = bound[1]
    return render(request, "reports/report_detail.html", {
        "report": report,
        "authors": report.authors.all(),
        "timeline": _timeline(report),
        "edit_colour": rs.edit_colour(report),
        "length": rs.body_length(report.text),
        "max_length": MAX_BODY_CHARS,
        "is_author": rs.is_author(request.user, report),
        "steps": _steps(report, forms, bound[0] if bound else None),
    }, status=status)


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def report_detail(request, pk):
    report = get_object_or_404(_reports(request.user).prefetch_related("sends"), pk=pk)
    return _detail(request, report)


# Writing ------------------------------------------------------------------------------------

def _form_page(request, form, title, *, status=200, report=None):
    return render(request, "reports/report_form.html", {
        "form": form, "title": title, "report": report, "max_length": MAX_BODY_CHARS,
    }, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(ADD, raise_exception=True)
def report_create(request):
    """Write a report: keep it as a draft, or submit it at once (both or neither)."""
    title = _("New opinion report")
    if request.method == "GET":
        return _form_page(request, ReportForm(user=request.user), title)
    form = ReportForm(request.POST, user=request.user)
    status = 400
    if form.is_valid():
        submit = request.POST.get("action") == "submit"

        def create():
            with transaction.atomic():
                report = rs.create_draft(
                    request.user, committee=form.cleaned_data["committee"],
                    title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                    authors=form.authors())
                return rs.submit(request.user, report) if submit else report

        report, status = _handle(form, create)
        if report is not None:
            messages.success(request, _("The report has been submitted.") if submit
                             else _("The draft has been saved."))
            return redirect("reports:detail", pk=report.pk)
    return _form_page(request, form, title, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(ADD, raise_exception=True)
def report_edit(request, pk):
    """An author changes their draft, and may submit it in the same step."""
    report = get_object_or_404(OpinionReport.objects.visible_to(request.user), pk=pk)
    if not rs.is_author(request.user, report):
        raise PermissionDenied(_("Only the report's authors can do this."))
    title = _("Edit the draft")
    if report.state != S.DRAFT and request.method == "GET":
        messages.error(request, _("This report has been submitted; its text can no longer be "
                                  "changed by its authors."))
        return redirect("reports:detail", pk=report.pk)
    if request.method == "GET":
        form = DraftEditForm(initial={"title": report.title, "body": report.body,
                                      "version": report.version})
        return _form_page(request, form, title, report=report)
    form = DraftEditForm(request.POST)
    status = 400
    if form.is_valid():
        submit = request.POST.get("action") == "submit"
        data = form.cleaned_data

        def save():
            with transaction.atomic():
                saved = rs.update_draft(request.user, report, title=data["title"],
                                        body=data["body"], version=data["version"])
                return rs.submit(request.user, saved) if submit else saved

        saved, status = _handle(form, save)
        if saved is not None:
            messages.success(request, _("The report has been submitted.") if submit
                             else _("The draft has been saved."))
            return redirect("reports:detail", pk=report.pk)
    return _form_page(request, form, title, status=status, report=report)


# Steps on the detail page -------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    form: type
    perm: str
    run: object
    done: str


def _sends(d):
    return [{"to_level": d["to_level"], "recipient": d["recipient"], "on": d["on"]}]


STEPS = {
    "submit": Step(VersionForm, ADD, lambda u, r, d: rs.submit(u, r, version=d["version"]),
                   gettext_lazy("The report has been submitted.")),
    "start_editing": Step(VersionForm, MANAGE,
                          lambda u, r, d: rs.start_editing(u, r, version=d["version"]),
                          gettext_lazy("Editing has started.")),
    "edit_text": Step(EditTextForm, MANAGE, lambda u, r, d: rs.save_edit(
        u, r, edited_body=d["edited_body"], title=d["title"], finish=d["finish"],
        version=d["version"]), gettext_lazy("The edited text has been saved.")),
    "send": Step(SendForm, MANAGE, lambda u, r, d: rs.send_upward(
        u, r, sends=_sends(d), version=d["version"]),
        gettext_lazy("The sending has been recorded.")),
    "adopt": Step(AdoptionForm, MANAGE, lambda u, r, d: rs.record_adoption(
        u, r, level=d["level"], body=d["body"], issue_no=d["issue_no"], on=d["on"],
        version=d["version"]), gettext_lazy("The adoption has been recorded.")),
    "endorse": Step(EndorsementForm, MANAGE, lambda u, r, d: rs.record_endorsement(
        u, r, level=d["level"], leader_rank=d["leader_rank"], leader=d["leader"],
        on=d["on"], content=d["content"], version=d["version"]),
        gettext_lazy("The endorsement has been recorded.")),
    "not_used": Step(NotUsedForm, MANAGE, lambda u, r, d: rs.mark_not_used(
        u, r, reason=d["reason"], version=d["version"]),
        gettext_lazy("The report has been closed as not used.")),
    "archive": Step(VersionForm, MANAGE,
                    lambda u, r, d: rs.archive(u, r, version=d["version"]),
                    gettext_lazy("The report has been archived.")),
}


@require_POST
@login_required
def report_step(request, pk, step):
    spec = STEPS[step]
    if not request.user.has_perm(spec.perm):
        raise PermissionDenied(_("You do not have permission to do this."))
    report = get_object_or_404(_reports(request.user).prefetch_related("sends"), pk=pk)
    kwargs = {"report": report} if spec.form in (SendForm, AdoptionForm, EndorsementForm) \
        else {}
    form = spec.form(request.POST, auto_id=f"id_{step}_%s", **kwargs)
    status = 400
    if form.is_valid():
        done, status = _handle(form, lambda: spec.run(request.user, report, form.cleaned_data))
        if done is not None:
            messages.success(request, str(spec.done))
            return redirect("reports:detail", pk=report.pk)
    # Show the page as it stands now, with the refused form and its reasons.
    report = get_object_or_404(_reports(request.user).prefetch_related("sends"), pk=pk)
    return _detail(request, report, bound=(step, form), status=status)
