"""Proposal pages: the scoped list, writing drafts, the detail page with one form per
workflow step, the handling unit's portal and scoped attachment downloads.

Proposals come from `Proposal.objects.visible_to(user)`, so one outside the user's scope is a
404 like one that does not exist; the permission is checked first (403). Every write goes
through proposals.services: a refused step shows the page again with the reason (400), a
stale form is refused with 409 and nothing is saved.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shixiao.core.choices import UserRole
from shixiao.core.errors import ConflictError, DomainError, ValidationError
from shixiao.web.forms import attach_errors

from . import forms as f
from . import queries, similarity, timers
from . import services as ps
from .choices import (
    REPLYING_ROLES,
    STATE_COLOURS,
    AssignmentRole,
    AssignmentState,
    AuthorRole,
    ProposalState,
    ProposerType,
)
from .models import (
    Assignment,
    CoOpinion,
    FollowUp,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    Rating,
    Reply,
    ReplyAttachment,
)
from .service_helpers import ADD, MANAGE, RATE, REPLY, author_of

PAGE_SIZE = 30
VIEW = "proposals.view_proposal"
S = ProposalState
A = AssignmentState
#: Assignments whose reply (or co-handling opinion) is still owed; the others show no deadline.
OPEN_ASSIGNMENT_STATES = (A.ASSIGNED, A.OBJECTED)
EDITABLE = (S.DRAFT, S.RETURNED)
#: While the office reviews and assigns it, a proposal is compared with the others.
SIMILAR_STATES = (S.SUBMITTED, S.IN_REVIEW, S.REGISTERED)
REGISTERED_ON = (S.REGISTERED, S.MERGED, S.ASSIGNED, S.REPLIED, S.REHANDLING, S.FOLLOW_UP,
                 S.CLOSED)


def _proposals(user):
    return Proposal.objects.visible_to(user).select_related(
        "committee", "merged_into", "special_committee", "key_supervisor__person")


def _handle(form, call) -> tuple[object | None, int]:
    """Run a service call for a valid form; on refusal, put the reason on the form and
    return the status the page answers with."""
    try:
        with transaction.atomic():
            return call(), 200
    except ConflictError as exc:
        form.add_error(None, str(exc))
        return None, 409
    except ValidationError as exc:
        attach_errors(form, exc)
    except DomainError as exc:
        form.add_error(None, str(exc))
    return None, 400


def _show_state(p, follow_up_pending: bool) -> None:
    """The state a page shows: a closed proposal whose follow-up review is still due reads
    as in follow-up, never as finished."""
    state = S.FOLLOW_UP if p.state == S.CLOSED and follow_up_pending else S(p.state)
    p.state_label = state.label
    p.state_colour = STATE_COLOURS.get(state, "grey")


def _reply_done(p) -> bool:
    """Replied (and later): the reply deadline is history, the reply date is what counts."""
    return bool(p.state in (S.REPLIED, S.FOLLOW_UP, S.CLOSED) and p.replied_on)


def _pending_follow_ups(proposal_ids) -> set[int]:
    return set(FollowUp.objects.filter(proposal_id__in=proposal_ids, reviewed_on__isnull=True)
               .values_list("proposal_id", flat=True))


def _decorate(proposals, clock: queries.DeadlineClock) -> None:
    """What a list row shows beside the proposal: first author, units, colours."""
    units = queries.live_assignments_by_lead(proposals)
    pending = _pending_follow_ups([p.pk for p in proposals])
    for p in proposals:
        authors = list(p.authors.all())
        p.first_author_name = authors[0].membership.person.name if authors else (
            p.collective_name or "")
        p.unit_names = [a.unit.name for a in units.get(p.merged_into_id or p.pk, [])]
        p.reply_colour = clock.reply(p)
        p.reply_done = _reply_done(p)
        _show_state(p, p.pk in pending)


# List ---------------------------------------------------------------------------------------

#: Filters folded away on a phone until asked for; title/number and state come first.
MORE_FILTERS = ("year", "category", "unit", "special_committee", "key", "overdue")


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def proposal_list(request):
    """Every proposal the user may see; a member's are the ones they author ("my
    proposals"), a unit's the ones assigned to it."""
    form = f.ProposalFilterForm(request.GET, user=request.user)
    authors = ProposalAuthor.objects.select_related("membership__person").order_by("rank", "id")
    proposals = (form.apply(_proposals(request.user))
                 .prefetch_related(Prefetch("authors", queryset=authors))
                 .order_by("-year", "-submitted_on", "-id"))
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate(list(page), queries.DeadlineClock())
    mine = request.user.role == UserRole.MEMBER
    more = [name for name in MORE_FILTERS if name in form.fields]
    return render(request, "proposals/proposal_list.html", {
        "form": form, "page": page, "mine": mine, "more_filters": more,
        "more_open": any(request.GET.get(name) for name in more),
        "title": _("My proposals") if mine else _("Proposals")})


# The handling unit's portal -----------------------------------------------------------------

@require_GET
@login_required
def unit_home(request):
    """A handling unit's assignments, open ones first, each with its clocks: objection
    window, reply (or co-handling opinion) due, next follow-up review."""
    user = request.user
    if user.role != UserRole.UNIT or not user.handling_unit_id:
        raise PermissionDenied(_("This page is for handling units."))
    form = f.UnitFilterForm(request.GET)
    form.is_valid()
    show = getattr(form, "cleaned_data", {}).get("show") or ""
    today = timezone.localdate()
    open_states = (A.ASSIGNED, A.OBJECTED)
    rows = (Assignment.objects.visible_to(user).filter(unit_id=user.handling_unit_id)
            .exclude(state__in=(A.WITHDRAWN, A.REASSIGNED))
            .select_related("proposal__committee", "unit")
            .annotate(closed=Case(When(state__in=open_states, then=Value(0)), default=Value(1),
                                  output_field=IntegerField()))
            .order_by("closed", "reply_due", "-id"))
    if show == "open":
        rows = rows.filter(state__in=open_states)
    elif show == "replied":
        rows = rows.filter(state=A.REPLIED)
    elif show == "overdue":
        late_follow_ups = FollowUp.objects.filter(reviewed_on__isnull=True,
                                                  due__lt=today).values("proposal_id")
        rows = rows.filter(
            Q(state__in=open_states, reply_due__lt=today) | Q(proposal__in=late_follow_ups))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    clock = queries.DeadlineClock(today)
    proposal_ids = [a.proposal_id for a in page]
    pending = {}
    for follow_up in (FollowUp.objects.filter(proposal_id__in=proposal_ids,
                                              reviewed_on__isnull=True).order_by("due")):
        pending.setdefault(follow_up.proposal_id, follow_up)
    merged = {}
    for p in Proposal.objects.visible_to(user).filter(merged_into_id__in=proposal_ids):
        merged.setdefault(p.merged_into_id, []).append(p)
    for a in page:
        a.objection_open = timers.objection_open(a, today)
        a.objection_colour = clock.objection(a)
        a.reply_colour = clock.assignment_reply(a)
        a.reply_open = a.state in OPEN_ASSIGNMENT_STATES
        a.next_follow_up = pending.get(a.proposal_id)
        if a.next_follow_up:
            a.follow_up_colour = clock.follow_up(a.next_follow_up, a.proposal.committee)
        a.merged_here = merged.get(a.proposal_id, [])
        _show_state(a.proposal, a.next_follow_up is not None)
        # The proposal's own state says more than the assignment's only after the reply.
        a.show_proposal_state = a.proposal.state not in (S.ASSIGNED, S.REPLIED)
    return render(request, "proposals/unit_home.html", {
        "form": form, "page": page, "unit": user.handling_unit})


# Detail -------------------------------------------------------------------------------------

EVENT_LABELS = {
    "created": gettext_lazy("Draft started"),
    "edited": gettext_lazy("Edited"),
    "co_signed": gettext_lazy("Co-signature confirmed"),
    "co_sign_withdrawn": gettext_lazy("Co-signature withdrawn"),
    "submitted": gettext_lazy("Submitted"),
    "resubmitted": gettext_lazy("Submitted again"),
    "review_started": gettext_lazy("Review started"),
    "returned": gettext_lazy("Returned for editing"),
    "registered": gettext_lazy("Registered"),
    "lead_registered": gettext_lazy("Registered with its lead proposal"),
    "not_registered": gettext_lazy("Not registered"),
    "merged": gettext_lazy("Merged into another proposal"),
    "merge_received": gettext_lazy("Another proposal was merged into this one"),
    "converted": gettext_lazy("Converted to an opinion report"),
    "assigned": gettext_lazy("Assigned to handling units"),
    "assigned_with_lead": gettext_lazy("Assigned with its lead proposal"),
    "objected": gettext_lazy("A unit objected to the assignment"),
    "assignment_upheld": gettext_lazy("Assignment upheld"),
    "reassigned": gettext_lazy("Reassigned"),
    "reassigned_with_lead": gettext_lazy("Reassigned with its lead proposal"),
    "extension_approved": gettext_lazy("Extension approved"),
    "reply_received": gettext_lazy("Reply received"),
    "replied": gettext_lazy("Every unit has replied"),
    "co_opinion_received": gettext_lazy("Co-handling opinion received"),
    "rated": gettext_lazy("Reply rated"),
    "rehandling": gettext_lazy("Handling again"),
    "follow_up_added": gettext_lazy("Follow-up review added"),
    "progress_reported": gettext_lazy("Progress reported"),
    "follow_up_reviewed": gettext_lazy("Follow-up reviewed"),
    "closed": gettext_lazy("Closed"),
    "marked_key": gettext_lazy("Chosen as a key proposal"),
    "selected_excellent": gettext_lazy("Selected as an excellent proposal"),
    "disclosure": gettext_lazy("Disclosure changed"),
    "endorsed": gettext_lazy("Leader's endorsement recorded"),
}


def _timeline(user, proposal) -> list[dict]:
    """The proposal's history as the user may see it (units never see rating events)."""
    events = (ProposalEvent.objects.visible_to(user).filter(proposal=proposal)
              .select_related("actor__person").order_by("on", "created_at", "id"))
    return [{"on": e.on, "label": EVENT_LABELS.get(e.action, e.action),
             "by": queries.person_name(e.actor), "note": e.note} for e in events]


@dataclass(frozen=True)
class Step:
    """One workflow step: the form it takes, the permission, the service call, and what
    the page says before and after. `target` is what the step acts on besides the
    proposal: an "assignment" or "follow_up" the form names, or the user's own unit's
    assignment ("own")."""

    form: type
    perm: str
    run: object
    done: object
    title: object
    button: object
    target: str | None = None


def _pairs(d):
    return d["pairs"]


STEPS = {
    # Authors
    "submit": Step(f.VersionForm, ADD, lambda u, p, d, t: ps.submit(u, p, version=d["version"]),
                   gettext_lazy("The proposal has been submitted."),
                   gettext_lazy("Submit"), gettext_lazy("Submit to the office")),
    "confirm": Step(f.VersionForm, ADD,
                    lambda u, p, d, t: ps.confirm_co_signature(u, p, version=d["version"]),
                    gettext_lazy("Your co-signature has been recorded."),
                    gettext_lazy("Confirm co-signature"),
                    gettext_lazy("I have read the text: confirm my co-signature")),
    "withdraw_signature": Step(
        f.VersionForm, ADD,
        lambda u, p, d, t: ps.withdraw_co_signature(u, p, version=d["version"]),
        gettext_lazy("Your co-signature has been withdrawn. The proposal cannot be submitted "
                     "until you confirm again or the proposer removes you."),
        gettext_lazy("Withdraw co-signature"),
        gettext_lazy("Withdraw my co-signature")),
    "rate": Step(f.RateForm, RATE, lambda u, p, d, t: ps.rate(
        u, p, process=d["process"], result=d["result"],
        contact_confirmed=d["contact_confirmed"], comment=d["comment"]),
        gettext_lazy("Thank you: your rating has been recorded."),
        gettext_lazy("Rate the reply"), gettext_lazy("Send my rating")),
    # The office: review
    "paper_co_sign": Step(f.PaperCoSignForm, MANAGE, lambda u, p, d, t: ps.confirm_co_signature(
        u, p, author=d["author"], version=d["version"]),
        gettext_lazy("The co-signature has been recorded."),
        gettext_lazy("Record a co-signature given on paper"),
        gettext_lazy("Record the co-signature")),
    "start_review": Step(f.VersionForm, MANAGE,
                         lambda u, p, d, t: ps.start_review(u, p, version=d["version"]),
                         gettext_lazy("Review has started."), gettext_lazy("Start review"),
                         gettext_lazy("Start review")),
    "return_for_edit": Step(f.ReturnForm, MANAGE, lambda u, p, d, t: ps.return_for_edit(
        u, p, reason=d["reason"], version=d["version"]),
        gettext_lazy("The proposal has been returned to its authors."),
        gettext_lazy("Return for editing"), gettext_lazy("Return to the authors")),
    "register": Step(f.VersionForm, MANAGE,
                     lambda u, p, d, t: ps.register(u, p, version=d["version"]),
                     gettext_lazy("The proposal has been registered."),
                     gettext_lazy("Register"), gettext_lazy("Register (立案)")),
    "not_register": Step(f.NotRegisterForm, MANAGE, lambda u, p, d, t: ps.not_register(
        u, p, reason_code=d["reason_code"], note=d["note"], version=d["version"]),
        gettext_lazy("The proposal has been refused registration."),
        gettext_lazy("Do not register"), gettext_lazy("Do not register")),
    "merge": Step(f.MergeForm, MANAGE, lambda u, p, d, t: ps.merge(
        u, p, d["into"], note=d["note"], version=d["version"]),
        gettext_lazy("The proposal has been merged."),
        gettext_lazy("Merge into another proposal"), gettext_lazy("Merge")),
    "convert": Step(f.VersionForm, MANAGE,
                    lambda u, p, d, t: ps.convert_to_report(u, p, version=d["version"]),
                    gettext_lazy("The proposal has been converted to an opinion report."),
                    gettext_lazy("Convert to an opinion report"),
                    gettext_lazy("Convert to an opinion report")),
    # The office: handling
    "assign": Step(f.AssignForm, MANAGE, lambda u, p, d, t: ps.assign(
        u, p, mode=d["mode"], units=_pairs(d), version=d["version"]),
        gettext_lazy("The proposal has been assigned."),
        gettext_lazy("Assign to handling units"), gettext_lazy("Assign")),
    "uphold": Step(f.UpholdForm, MANAGE, lambda u, p, d, t: ps.uphold_assignment(
        u, t, note=d["note"], version=d["version"]),
        gettext_lazy("The assignment stands."), gettext_lazy("Reject the objection"),
        gettext_lazy("Uphold the assignment"), "assignment"),
    "reassign": Step(f.ReassignForm, MANAGE, lambda u, p, d, t: ps.reassign(
        u, t, d["new_unit"], note=d["note"], version=d["version"]),
        gettext_lazy("The assignment has been given to another unit."),
        gettext_lazy("Reassign"), gettext_lazy("Reassign"), "assignment"),
    "extend": Step(f.NoteForm, MANAGE, lambda u, p, d, t: ps.approve_extension(
        u, p, note=d["note"], version=d["version"]),
        gettext_lazy("The extension has been approved."),
        gettext_lazy("Approve an extension"), gettext_lazy("Approve the extension")),
    "rehandle": Step(f.RehandlingForm, MANAGE, lambda u, p, d, t: ps.request_rehandling(
        u, p, reason=d["reason"], version=d["version"]),
        gettext_lazy("The units have been asked to handle it again."),
        gettext_lazy("Request handling again"), gettext_lazy("Request handling again")),
    "add_follow_up": Step(f.AddFollowUpForm, MANAGE, lambda u, p, d, t: ps.add_follow_up(
        u, p, horizon_months=d["horizon_months"], due=d["due"]),
        gettext_lazy("The follow-up review has been added."),
        gettext_lazy("Add a follow-up review"), gettext_lazy("Add")),
    "review_follow_up": Step(f.ReviewFollowUpForm, MANAGE, lambda u, p, d, t: ps.review_follow_up(
        u, t, finding=d["finding"], evidence=d["evidence"],
        member_took_part=d["member_took_part"], version=d["version"]),
        gettext_lazy("The follow-up review has been recorded."),
        gettext_lazy("Record what the review found"), gettext_lazy("Record the finding"),
        "follow_up"),
    "close": Step(f.CloseForm, MANAGE, lambda u, p, d, t: ps.close(
        u, p, outcome=d["outcome"], version=d["version"]),
        gettext_lazy("The proposal has been closed."),
        gettext_lazy("Close with the verified outcome"), gettext_lazy("Close")),
    # The office: honours and facts
    "mark_key": Step(f.KeyForm, MANAGE, lambda u, p, d, t: ps.mark_key(
        u, p, d["supervisor"], version=d["version"]),
        gettext_lazy("The proposal is now a key proposal."),
        gettext_lazy("Make it a key proposal"), gettext_lazy("Make it a key proposal")),
    "excellent": Step(f.ExcellentForm, MANAGE, lambda u, p, d, t: ps.select_excellent(
        u, p, year=d["year"], version=d["version"]),
        gettext_lazy("The proposal has been selected as excellent."),
        gettext_lazy("Select as an excellent proposal"), gettext_lazy("Select")),
    "disclosure": Step(f.DisclosureForm, MANAGE, lambda u, p, d, t: ps.set_disclosure(
        u, p, public=d["public"], reason=d["reason"], version=d["version"]),
        gettext_lazy("Disclosure has been set."), gettext_lazy("Disclosure"),
        gettext_lazy("Save")),
    "endorse": Step(f.EndorsementForm, MANAGE, lambda u, p, d, t: ps.record_endorsement(
        u, p, level=d["level"], leader=d["leader"], on=d["on"], note=d["note"]),
        gettext_lazy("The endorsement has been recorded."),
        gettext_lazy("Record a leader's endorsement (批示)"),
        gettext_lazy("Record the endorsement")),
    # Handling units
    "object": Step(f.ObjectionForm, REPLY, lambda u, p, d, t: ps.object_to_assignment(
        u, t, reason=d["reason"], version=d["version"]),
        gettext_lazy("Your objection has been sent to the office."),
        gettext_lazy("Object to this assignment"), gettext_lazy("Send the objection"),
        "assignment"),
    "co_opinion": Step(f.CoOpinionForm, REPLY, lambda u, p, d, t: ps.submit_co_opinion(
        u, t, text=d["text"]), gettext_lazy("Your opinion has been sent to the lead unit."),
        gettext_lazy("Send the co-handling opinion"), gettext_lazy("Send"), "own"),
    "reply": Step(f.ReplyForm, REPLY, lambda u, p, d, t: ps.reply(
        u, t, text=d["text"], grade=d["grade"], contacted_member=d["contacted_member"],
        attachments=d["attachments"], proposal=p if p.merged_into_id else None,
        version=d["version"]),
        gettext_lazy("Your reply has been sent."), gettext_lazy("Reply to the proposer"),
        gettext_lazy("Send the reply"), "own"),
    "progress": Step(f.ProgressForm, REPLY, lambda u, p, d, t: ps.report_progress(
        u, t, text=d["text"]), gettext_lazy("Your progress report has been recorded."),
        gettext_lazy("Report progress"), gettext_lazy("Report progress"), "follow_up"),
}

#: Steps shown unfolded: what the person came to the page to do.
OPEN_STEPS = ("rate", "reply", "co_opinion")
#: One-click steps that take a proposal out of the workflow: unfolded and confirmed first.
CONFIRM_STEPS = ("convert",)
#: The step a one-click button most likely means; other one-click steps look secondary.
PRIMARY_STEPS = ("submit", "confirm", "start_review", "register")
#: URL path segment of each step.
STEP_PATHS = {name: name.replace("_", "-") for name in STEPS}


def _may_edit(user, proposal, authors) -> bool:
    """Who may edit and submit a draft (review.update_draft decides; this only chooses
    which buttons to show)."""
    if not user.has_perm(ADD):
        return False
    if user.has_perm(MANAGE) or proposal.created_by_id == user.pk:
        return True
    mine = [a for a in authors if a.membership.person.user_id == user.pk]
    if proposal.proposer_type == ProposerType.COLLECTIVE:
        return bool(mine)
    return bool(mine) and authors[0].pk == mine[0].pk


def _available(user, p, ctx) -> list[tuple[str, object, dict]]:
    """(step, target, initial) for each step this user may take now."""
    v = {"version": p.version}
    out = []
    state, authors, me = p.state, ctx["authors"], ctx["author"]
    if state in EDITABLE and ctx["may_edit"]:
        out.append(("submit", None, v))
    if (state in EDITABLE and me is not None and me.role == AuthorRole.CO_SIGNER
            and user.has_perm(ADD)):
        out.append(("withdraw_signature" if me.confirmed_on else "confirm", None, v))
    if (me is not None and user.has_perm(RATE) and state in (S.REPLIED, S.FOLLOW_UP)
            and not Rating.objects.filter(proposal=p, author=me, round=p.round).exists()):
        out.append(("rate", None, {}))
    if user.has_perm(MANAGE):
        out += _office_steps(p, ctx, v, authors)
    if user.has_perm(REPLY):
        out += _unit_steps(p, ctx)
    return out


def _office_steps(p, ctx, v, authors) -> list:
    state, out = p.state, []
    lead_page = p.merged_into_id is None
    if state in EDITABLE and any(a.role == AuthorRole.CO_SIGNER and not a.confirmed_on
                                 for a in authors):
        out.append(("paper_co_sign", None, v))
    if state == S.SUBMITTED:
        out.append(("start_review", None, v))
    if state == S.IN_REVIEW:
        out += [("register", None, v), ("not_register", None, v), ("merge", None, v)]
    if state in (S.SUBMITTED, S.IN_REVIEW):
        out.append(("return_for_edit", None, v))
    if state in (S.IN_REVIEW, S.NOT_REGISTERED):
        out.append(("convert", None, v))
    if state == S.REGISTERED:
        out.append(("assign", None, v))
    if state in (S.ASSIGNED, S.REHANDLING) and lead_page:
        if not p.extension_approved:
            out.append(("extend", None, v))
        for a in ctx["assignments"]:
            if a.state == A.OBJECTED:
                out.append(("uphold", a, {"target": a.pk, "version": a.version}))
            if a.state in (A.ASSIGNED, A.OBJECTED):
                out.append(("reassign", a, {"target": a.pk, "version": a.version}))
    if state in (S.REPLIED, S.FOLLOW_UP):
        unsatisfied = any(r.unsatisfied for r in Rating.objects.filter(proposal=p,
                                                                       round=p.round))
        if unsatisfied:
            out.append(("rehandle", None, v))
        out.append(("close", None, v))
    if state in queries.TRACKING:
        out.append(("add_follow_up", None, {}))
        for fu in ctx["follow_ups"]:
            if not fu.reviewed:
                out.append(("review_follow_up", fu, {"target": fu.pk, "version": fu.version}))
    if state in (S.REGISTERED, S.ASSIGNED, S.REPLIED, S.REHANDLING, S.FOLLOW_UP) \
            and not p.is_key:
        out.append(("mark_key", None, v))
    if state in (S.REPLIED, S.FOLLOW_UP, S.CLOSED) and not p.excellent_year:
        out.append(("excellent", None, {**v, "year": timezone.localdate().year}))
    if state in REGISTERED_ON:
        out.append(("endorse", None, {"on": timezone.localdate()}))
    if state != S.DRAFT:
        out.append(("disclosure", None, {**v, "public": "yes" if p.public else "no",
                                         "reason": p.public_reason}))
    return out


def _unit_steps(p, ctx) -> list:
    own, out = ctx["own_assignment"], []
    if own is None:
        return out
    if timers.objection_open(own):
        out.append(("object", own, {"target": own.pk, "version": own.version}))
    live = own.state in (A.ASSIGNED, A.REPLIED)
    if p.state in queries.HANDLING and live:
        if own.role == AssignmentRole.CO:
            if p.merged_into_id is None:
                out.append(("co_opinion", own, {}))
        elif not Reply.objects.filter(assignment=own, proposal=p, round=p.round).exists():
            out.append(("reply", own, {"version": p.version}))
    if p.state in queries.TRACKING:
        for fu in ctx["follow_ups"]:
            if not fu.reviewed:
                out.append(("progress", fu, {"target": fu.pk}))
    return out


def _step_dicts(user, p, ctx, bound) -> list[dict]:
    """Unbound forms for the available steps; the refused one (bound) keeps its input."""
    steps, seen = [], False
    for name, target, initial in _available(user, p, ctx):
        key = (name, _target_id(STEPS[name], target))
        form = None
        if bound is not None and bound[:2] == key:
            form, seen = bound[2], True
        steps.append(_step_dict(p, name, target, form, user, initial))
    if bound is not None and not seen:
        steps.append(_step_dict(p, bound[0], None, bound[2], user, {}, target_id=bound[1]))
    return steps


def _target_id(spec: Step, target) -> int | None:
    """The id that tells apart forms of one step on one page (one per assignment or
    follow-up); a unit's own assignment is implied, so it needs none."""
    return target.pk if target is not None and spec.target in ("assignment", "follow_up") \
        else None


def _auto_id(name, target_id) -> str:
    return f"id_{name}_{target_id}_%s" if target_id else f"id_{name}_%s"


def _step_dict(p, name, target, form, user, initial, target_id=None) -> dict:
    spec = STEPS[name]
    target_id = _target_id(spec, target) or target_id
    if form is None:
        form = spec.form(initial=initial, proposal=p, user=user,
                         auto_id=_auto_id(name, target_id))
    kind = spec.target if spec.target in ("assignment", "follow_up") else None
    return {"name": name, "form": form, "title": spec.title, "button": spec.button,
            "url": reverse(f"proposals:{name}", args=[p.pk]),
            "open": form.is_bound or name in OPEN_STEPS,
            "simple": not form.visible_fields() and name not in CONFIRM_STEPS,
            "primary": name in PRIMARY_STEPS or bool(form.visible_fields()), "kind": kind,
            "target": target_id if kind else None}


def _similar(user, p) -> dict:
    if not (user.has_perm(MANAGE) and p.state in SIMILAR_STATES):
        return {}
    merged_here = set(p.merged.values_list("pk", flat=True))
    rows = []
    hits = similarity.similar_proposals(p, user=user)
    reference = similarity.reference_score(p) if hits else 0.0
    for other, score in hits:
        mergeable = (p.state == S.IN_REVIEW and other.state in f.MERGE_TARGET_STATES
                     and other.merged_into_id is None and other.pk not in merged_here)
        rows.append({"proposal": other, "strength": similarity.strength(score, reference),
                     "mergeable": mergeable,
                     "colour": STATE_COLOURS.get(other.state, "grey")})
    units = similarity.suggested_units(p) if p.state == S.REGISTERED else []
    return {"similar": rows, "suggested_units": units}


def _detail(request, proposal, *, bound=None, status=200):
    user, p = request.user, proposal
    is_unit = user.role == UserRole.UNIT
    clock = queries.DeadlineClock()
    authors = list(p.authors.select_related("membership__person").order_by("rank", "id"))
    lead = p.merged_into or p
    assignments = list(Assignment.objects.visible_to(user).filter(proposal=lead)
                       .select_related("unit", "proposal__committee").order_by("id"))
    for a in assignments:
        a.reply_colour = clock.assignment_reply(a)
        a.reply_open = a.state in OPEN_ASSIGNMENT_STATES
        a.objection_is_open = timers.objection_open(a)
        a.contact_due = timers.contact_due(a) if a.state == A.ASSIGNED else None
        a.replying = a.role in REPLYING_ROLES
    follow_ups = list(FollowUp.objects.visible_to(user).filter(proposal=p)
                      .prefetch_related("progress__unit").order_by("due", "id"))
    for fu in follow_ups:
        fu.colour = clock.follow_up(fu, p.committee)
    _show_state(p, any(fu.reviewed_on is None for fu in follow_ups))
    me = author_of(user, p)
    ctx = {
        "proposal": p, "authors": authors, "author": me,
        "state_colour": p.state_colour,
        "may_edit": p.state in EDITABLE and _may_edit(user, p, authors),
        "timeline": _timeline(user, p),
        "assignments": assignments,
        "co_opinions": CoOpinion.objects.visible_to(user).filter(assignment__proposal=lead)
        .select_related("assignment__unit").order_by("round", "id"),
        "replies": Reply.objects.visible_to(user).filter(proposal=p)
        .select_related("grade", "assignment__unit").prefetch_related("attachments")
        .order_by("round", "id"),
        "follow_ups": follow_ups,
        "endorsements": p.endorsements.order_by("on", "id"),
        "reply_colour": clock.reply(p),
        "reply_done": _reply_done(p),
        "rating_due": timers.rating_due(p),
        "merged_here": _proposals(user).filter(merged_into=p).order_by("id"),
        "merged_into_visible": p.merged_into_id and _proposals(user).filter(
            pk=p.merged_into_id).exists(),
        "own_assignment": queries.unit_assignment(user, p) if is_unit else None,
        "is_unit": is_unit,
        # Units never see ratings; a member sees the ones they gave (the queryset says so).
        "show_ratings": not is_unit and (user.has_perm("proposals.view_rating")
                                         or me is not None),
        "report": _converted_report(user, p),
        "supervisor_name": queries.person_name(p.key_supervisor) if p.key_supervisor_id
        else "",
    }
    if ctx["show_ratings"]:
        ctx["ratings"] = (Rating.objects.visible_to(user).filter(proposal=p)
                          .select_related("author__membership__person").order_by("round", "id"))
    steps = _step_dicts(user, p, ctx, bound)
    for item in assignments:
        item.steps = [s for s in steps if s["kind"] == "assignment" and s["target"] == item.pk]
    for item in follow_ups:
        item.steps = [s for s in steps if s["kind"] == "follow_up" and s["target"] == item.pk]
    ctx["steps"] = [s for s in steps if s["kind"] is None]
    ctx.update(_similar(user, p))
    return render(request, "proposals/proposal_detail.html", ctx, status=status)


def _converted_report(user, p):
    if p.state != S.CONVERTED or not user.has_perm("reports.view_opinionreport"):
        return None
    from shixiao.reports.models import OpinionReport

    return OpinionReport.objects.visible_to(user).filter(source_proposal=p).first()


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def proposal_detail(request, pk):
    return _detail(request, get_object_or_404(_proposals(request.user), pk=pk))


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def attachment_download(request, pk):
    """A reply's attachment, to those who may see the reply (404 for anyone else)."""
    attachment = get_object_or_404(ReplyAttachment.objects.visible_to(request.user), pk=pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachment.name)


# Writing ------------------------------------------------------------------------------------

def _form_page(request, form, title, *, status=200, proposal=None):
    return render(request, "proposals/proposal_form.html", {
        "form": form, "title": title, "proposal": proposal}, status=status)


def _saved(request, proposal, submit: bool):
    """After saving a draft: submit it if asked. A draft that cannot be submitted yet (a
    co-signer has not confirmed) stays saved, and the page says what it waits for."""
    if submit:
        try:
            with transaction.atomic():
                ps.submit(request.user, proposal, version=proposal.version)
        except (DomainError, ValidationError) as exc:
            reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.warning(request, _("The draft has been saved but not submitted: %(reason)s")
                             % {"reason": reason})
        else:
            messages.success(request, _("The proposal has been submitted."))
    else:
        messages.success(request, _("The draft has been saved."))
    return redirect("proposals:detail", pk=proposal.pk)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(ADD, raise_exception=True)
def proposal_create(request):
    """Write a proposal: save it as a draft, or submit it at once."""
    title = _("New proposal")
    if request.method == "GET":
        return _form_page(request, f.ProposalForm(user=request.user), title)
    form = f.ProposalForm(request.POST, user=request.user)
    status = 400
    if form.is_valid():
        def create():
            term = form.term()
            if term is None:
                raise ValidationError({"committee": _(
                    "This committee has no current term to file the proposal in.")})
            return ps.create_draft(request.user, committee=form.committee(), term=term,
                                   proposer_type=form.cleaned_data["proposer_type"],
                                   authors=form.authors(), **form.draft_fields())

        proposal, status = _handle(form, create)
        if proposal is not None:
            return _saved(request, proposal, request.POST.get("action") == "submit")
    return _form_page(request, form, title, status=status)


def _edit_initial(proposal, office: bool, user) -> dict:
    authors = [a.membership for a in proposal.authors.select_related("membership")
               .order_by("rank", "id")]
    first = authors[0] if authors else None
    initial = {"title": proposal.title, "body": proposal.body, "category": proposal.category,
               "proposer_type": proposal.proposer_type, "version": proposal.version}
    if office:
        initial.update(first_author=first.pk if first else None,
                       co_signers=[m.pk for m in authors[1:]],
                       collective_name=proposal.collective_name,
                       special_committee=proposal.special_committee_id)
    else:
        initial["co_signers"] = [m.pk for m in authors if m.person.user_id != user.pk]
    return initial


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(ADD, raise_exception=True)
def proposal_edit(request, pk):
    """The first author (or the office) changes a draft or a returned proposal, and may
    submit it in the same step."""
    proposal = get_object_or_404(_proposals(request.user), pk=pk)
    authors = list(proposal.authors.select_related("membership__person").order_by("rank", "id"))
    if not _may_edit(request.user, proposal, authors):
        raise PermissionDenied(_("Only the first author or the office can edit this proposal."))
    title = _("Edit the proposal")
    if proposal.state not in EDITABLE and request.method == "GET":
        messages.error(request, _("This proposal has been submitted; its text can no longer "
                                  "be changed."))
        return redirect("proposals:detail", pk=proposal.pk)
    if request.method == "GET":
        form = f.ProposalForm(user=request.user, proposal=proposal,
                              initial=_edit_initial(proposal, request.user.has_perm(MANAGE),
                                                    request.user))
        return _form_page(request, form, title, proposal=proposal)
    form = f.ProposalForm(request.POST, user=request.user, proposal=proposal)
    status = 400
    if form.is_valid():
        data = form.cleaned_data

        def save():
            kwargs = form.draft_fields()
            new_authors = form.authors()
            if (new_authors != [a.membership for a in authors]
                    or data["proposer_type"] != proposal.proposer_type):
                kwargs.update(authors=new_authors, proposer_type=data["proposer_type"])
            return ps.update_draft(request.user, proposal, version=data["version"], **kwargs)

        saved, status = _handle(form, save)
        if saved is not None:
            return _saved(request, saved, request.POST.get("action") == "submit")
    return _form_page(request, form, title, status=status, proposal=proposal)


# Steps on the detail page -------------------------------------------------------------------

def _target(spec: Step, user, proposal, raw):
    """The assignment or follow-up a step acts on, found only among those the user may see
    on this proposal."""
    if spec.target == "own":
        own = queries.unit_assignment(user, proposal)
        if own is None:
            raise PermissionDenied(_("Your unit does not handle this proposal."))
        return own
    if spec.target is None:
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404(_("No such record.")) from None
    if spec.target == "assignment":
        found = Assignment.objects.visible_to(user).filter(
            proposal_id=proposal.merged_into_id or proposal.pk, pk=pk)
    else:
        found = FollowUp.objects.visible_to(user).filter(proposal=proposal, pk=pk)
    target = found.select_related("proposal__committee", "unit" if spec.target ==
                                  "assignment" else "proposal").first()
    if target is None:
        raise Http404(_("No such record."))
    return target


@require_POST
@login_required
def proposal_step(request, pk, step):
    spec = STEPS[step]
    if not request.user.has_perm(spec.perm):
        raise PermissionDenied(_("You do not have permission to do this."))
    proposal = get_object_or_404(_proposals(request.user), pk=pk)
    target = _target(spec, request.user, proposal, request.POST.get("target"))
    target_id = _target_id(spec, target)
    form = spec.form(request.POST, request.FILES, proposal=proposal, user=request.user,
                     auto_id=_auto_id(step, target_id))
    status = 400
    if form.is_valid():
        done, status = _handle(form, lambda: spec.run(request.user, proposal,
                                                      form.cleaned_data, target))
        if done is not None:
            messages.success(request, str(spec.done))
            return redirect("proposals:detail", pk=proposal.pk)
    # Show the page as it stands now, with the refused form and its reasons.
    proposal = get_object_or_404(_proposals(request.user), pk=pk)
    return _detail(request, proposal, bound=(step, target_id, form), status=status)
