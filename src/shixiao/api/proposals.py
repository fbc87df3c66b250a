"""Endpoints for proposals (提案): read them, write drafts, take every step of the workflow
in docs/proposals.md, read ratings, and the handling metrics of docs/metrics.md.

Reads start from `Proposal.objects.visible_to(user)`: a member sees the proposals they
author, a handling unit those assigned to it, staff their committee's; anything else is a
404 like a record that does not exist. The permission is checked first (403). Ratings are
the members' word on the units' work: they appear only for users who may see them
(`proposals.view_rating`, and members for their own ratings) and never for handling
units, whose answers carry no `ratings` field at all.

Every step takes the `version` of the proposal the caller read and returns the updated
proposal. Writes go through `shixiao.proposals.services`, which check again and audit; an
illegal step is a 400 with the reason, invalid data a 422 naming the field in `loc`, a stale
version a 409.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from shixiao.accounts.models import User
from shixiao.core.choices import UserRole
from shixiao.core.errors import ValidationError
from shixiao.core.services import check_version, require_perm
from shixiao.orgs.models import Committee, HandlingUnit, Membership, SpecialCommittee, Term
from shixiao.proposals import metrics, services
from shixiao.proposals.choices import (
    REPLYING_ROLES,
    AssignmentRole,
    ProposalState,
)
from shixiao.proposals.models import (
    GONE_ASSIGNMENT_STATES,
    Assignment,
    FollowUp,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    Rating,
    ReasonCode,
    Reply,
    ResultGrade,
)

from .auth import actor
from .errors import api_field_names
from .proposal_schemas import (
    AddFollowUpIn,
    AssignIn,
    AssignmentStepIn,
    CloseIn,
    CoOpinionIn,
    DisclosureIn,
    DraftPatch,
    EndorsementIn,
    ExcellentIn,
    KeyIn,
    MergeIn,
    NoteIn,
    NotRegisterIn,
    ObjectIn,
    ProgressIn,
    ProposalDetailOut,
    ProposalFilter,
    ProposalIn,
    ProposalOut,
    RateIn,
    RatingOut,
    ReasonIn,
    ReassignIn,
    ReplyIn,
    ReviewIn,
    SignatureIn,
    StatsFilter,
    UpholdIn,
    VersionIn,
)

router = Router(tags=["proposals"])

VIEW = "proposals.view_proposal"
ADD = "proposals.add_proposal"
MANAGE = "proposals.manage_proposal"
REPLY = "proposals.reply_proposal"
RATE = "proposals.rate_proposal"
VIEW_RATING = "proposals.view_rating"

S = ProposalState
HANDLING = (S.ASSIGNED, S.REHANDLING)
TRACKING = (S.REPLIED, S.FOLLOW_UP, S.REHANDLING)

# Service field → the name the client sent, for validation errors.
FIELDS = {"committee": "committee_id", "authors": "author_membership_ids", "term": "term_id",
          "special_committee": "special_committee_id", "into": "into_id",
          "new_unit": "new_unit_id", "supervisor": "supervisor_id"}


# Reads --------------------------------------------------------------------------------------

def _proposals(request, assignments=None):
    user = actor(request)
    require_perm(user, VIEW)
    live = assignments if assignments is not None else Assignment.objects.select_related(
        "unit").order_by("pk")
    authors = ProposalAuthor.objects.select_related("membership__person").order_by("rank", "id")
    return Proposal.objects.visible_to(user).select_related(
        "committee", "merged_into__committee").prefetch_related(
        Prefetch("authors", queryset=authors), Prefetch("assignments", queryset=live),
        Prefetch("merged_into__assignments", queryset=live))


def _detail(request, proposal_id: int, status: int = 200):
    """The proposal as the caller may see it: with ratings only for those who may."""
    user = actor(request)
    assignments = Assignment.objects.select_related("unit").prefetch_related(
        "co_opinions").order_by("pk")
    events = ProposalEvent.objects.visible_to(user).select_related("actor").order_by(
        "created_at", "id")
    p = get_object_or_404(_proposals(request, assignments).select_related(
        "not_registered_reason").prefetch_related(
        # Scoped: in separate handling a unit reads only its own reply.
        Prefetch("replies", queryset=Reply.objects.visible_to(user).select_related(
            "grade", "assignment__unit").prefetch_related("attachments")),
        Prefetch("follow_ups", queryset=FollowUp.objects.prefetch_related("progress__unit")),
        "endorsements", "merged", Prefetch("events", queryset=events, to_attr="visible_events"),
    ), pk=proposal_id)
    if _may_see_ratings(user):
        p.visible_ratings = list(Rating.objects.visible_to(user).filter(proposal=p)
                                 .select_related("author__membership__person")
                                 .order_by("round", "id"))
    data = ProposalDetailOut.from_orm(p).model_dump(mode="json")
    if not _may_see_ratings(user):
        del data["ratings"]  # absent, not empty: nothing hints at how a unit was rated
    from .api import api  # the assembled API renders it like every other answer

    return api.create_response(request, data, status=status)


def _may_see_ratings(user) -> bool:
    if user.role == UserRole.UNIT:
        return False
    return user.role == UserRole.MEMBER or user.has_perm(VIEW_RATING)


def _overdue(today: dt.date) -> Q:
    late_reviews = FollowUp.objects.filter(reviewed_on__isnull=True, due__lt=today,
                                           proposal__state__in=TRACKING)
    return (Q(state__in=HANDLING, reply_due__lt=today)
            | Q(pk__in=late_reviews.values("proposal_id")))


@router.get("/proposals", response=list[ProposalOut])
@paginate(LimitOffsetPagination)
def list_proposals(request, filters: Query[ProposalFilter]):
    proposals = _proposals(request)
    if filters.committee is not None:
        proposals = proposals.filter(committee_id=filters.committee)
    if filters.state:
        proposals = proposals.filter(state=filters.state)
    if filters.year is not None:
        proposals = proposals.filter(year=filters.year)
    if filters.category:
        proposals = proposals.filter(category=filters.category)
    if filters.unit is not None:
        handled = Assignment.objects.filter(unit_id=filters.unit).exclude(
            state__in=GONE_ASSIGNMENT_STATES).values("proposal_id")
        proposals = proposals.filter(Q(pk__in=handled) | Q(merged_into__in=handled))
    if filters.key is not None:
        proposals = proposals.filter(is_key=filters.key)
    if filters.overdue is not None:
        late = _overdue(timezone.localdate())
        proposals = proposals.filter(late) if filters.overdue else proposals.exclude(late)
    if filters.q:
        proposals = proposals.filter(title__icontains=filters.q.strip())
    return proposals


@router.get("/proposals/stats", response=dict[str, Any])
def proposal_stats(request, filters: Query[StatsFilter]):
    """Reply rate, fulfilment per follow-up horizon, satisfaction (always with fulfilment
    beside it), open deadlines by colour, per committee, year, special committee and unit,
    and units ranked by fulfilment. Definitions: docs/metrics.md. Needs
    `proposals.view_rating` (the satisfaction figures are built from ratings)."""
    user = actor(request)
    require_perm(user, VIEW)
    require_perm(user, VIEW_RATING)
    committee = None
    if filters.committee is not None:
        committee = get_object_or_404(Committee.objects.visible_to(user), pk=filters.committee)
    return metrics.stats(Proposal.objects.visible_to(user), committee=committee,
                         year=filters.year, as_of=filters.as_of,
                         min_rank_sample=filters.min_sample)


@router.get("/proposals/{proposal_id}", response=ProposalDetailOut)
def get_proposal(request, proposal_id: int):
    return _detail(request, proposal_id)


@router.get("/proposals/{proposal_id}/ratings", response=list[RatingOut])
def list_ratings(request, proposal_id: int):
    """Every author's rating of every round. Handling units never see ratings (403)."""
    user = actor(request)
    proposal = _target(request, proposal_id, VIEW_RATING)
    return list(Rating.objects.visible_to(user).filter(proposal=proposal)
                .select_related("author__membership__person").order_by("round", "id"))


# Writes -------------------------------------------------------------------------------------

def _target(request, proposal_id: int, perm: str) -> Proposal:
    """Permission first (403), then scope (404)."""
    require_perm(actor(request), perm)
    return get_object_or_404(Proposal.objects.visible_to(actor(request)), pk=proposal_id)


def _missing(field: str, ids) -> ValidationError:
    return ValidationError({field: _("No such records, or not ones you can use: %(ids)s.")
                            % {"ids": ", ".join(map(str, ids))}})


def _memberships(user, committee: Committee, ids: list[int]) -> list[Membership]:
    # A member names colleagues as co-signers though they cannot read their records; the
    # co-signers confirm before the proposal goes anywhere.
    pool = Membership.objects.filter(committee=committee) if user.role == UserRole.MEMBER \
        else Membership.objects.visible_to(user)
    found = {m.pk: m for m in pool.filter(pk__in=ids).select_related("person")}
    missing = [i for i in ids if i not in found]
    if missing:
        raise _missing("author_membership_ids", missing)
    return [found[i] for i in ids]


def _own_membership(user, committee: Committee) -> Membership:
    mine = Membership.objects.filter(person__user=user, committee=committee).select_related(
        "person", "term")
    found = mine.current().order_by("-term__number").first() or mine.order_by(
        "-term__number").first()
    if found is None:
        raise ValidationError({"author_membership_ids": _(
            "You are not a member of this committee; name the authors.")})
    return found


def _term(user, committee: Committee, term_id: int | None, authors: list[Membership]):
    if term_id is not None:
        term = Term.objects.visible_to(user).filter(pk=term_id).first()
        if term is None:
            raise _missing("term_id", [term_id])
        return term
    if authors:
        return authors[0].term
    today = timezone.localdate()
    terms = Term.objects.filter(committee=committee).order_by("-number")
    term = terms.filter(start__lte=today).filter(Q(end__isnull=True) | Q(end__gte=today)) \
        .first() or terms.first()
    if term is None:
        raise ValidationError({"term_id": _("This committee has no term yet.")})
    return term


def _special_committee(user, sc_id: int | None):
    if sc_id is None:
        return None
    sc = SpecialCommittee.objects.visible_to(user).filter(pk=sc_id).first()
    if sc is None and user.role == UserRole.MEMBER:
        sc = SpecialCommittee.objects.filter(
            pk=sc_id, committee__memberships__person__user=user).first()
    if sc is None:
        raise _missing("special_committee_id", [sc_id])
    return sc


@router.post("/proposals", response={201: ProposalDetailOut})
def create_proposal(request, payload: ProposalIn):
    user = actor(request)
    require_perm(user, ADD)
    committee = Committee.objects.visible_to(user).filter(pk=payload.committee_id).first()
    if committee is None:
        raise ValidationError({"committee_id": _("No such record, or not one you can use.")})
    if payload.author_membership_ids is not None:
        authors = _memberships(user, committee, payload.author_membership_ids)
    elif user.role == UserRole.MEMBER:
        authors = [_own_membership(user, committee)]
    else:
        authors = []
    term = _term(user, committee, payload.term_id, authors)
    with api_field_names(FIELDS):
        proposal = services.create_draft(
            user, committee=committee, term=term, title=payload.title, body=payload.body,
            category=payload.category, proposer_type=payload.proposer_type, authors=authors,
            collective_name=payload.collective_name,
            special_committee=_special_committee(user, payload.special_committee_id))
    return _detail(request, proposal.pk, status=201)


@router.patch("/proposals/{proposal_id}", response=ProposalDetailOut)
def update_proposal(request, proposal_id: int, payload: DraftPatch):
    """Change a draft or a returned proposal; only the fields sent change. Changing the
    title, text or authors withdraws co-signers' confirmations."""
    user = actor(request)
    proposal = _target(request, proposal_id, ADD)
    sent = payload.model_fields_set - {"version"}
    fields = {name: getattr(payload, name) for name in
              ("title", "body", "category", "collective_name") if name in sent}
    if "special_committee_id" in sent:
        fields["special_committee"] = _special_committee(user, payload.special_committee_id)
    if "term_id" in sent:
        fields["term"] = _term(user, proposal.committee, payload.term_id, [])
    authors = None
    if payload.author_membership_ids is not None:
        authors = _memberships(user, proposal.committee, payload.author_membership_ids)
    with api_field_names(FIELDS):
        services.update_draft(user, proposal, version=payload.version, authors=authors,
                              proposer_type=payload.proposer_type, **fields)
    return _detail(request, proposal_id)


def _step(request, proposal_id: int, perm: str, version: int, call, *, lock: bool = True):
    """Run one workflow step on the proposal at the version the caller read, in one
    transaction, and answer with the proposal as it now is."""
    proposal = _target(request, proposal_id, perm)
    with api_field_names(FIELDS), transaction.atomic():
        if lock:
            # Steps on an assignment or a follow-up check that record's own version; the
            # proposal's is checked here so that every step answers a stale read with 409.
            check_version(Proposal.objects.select_for_update().get(pk=proposal.pk), version)
        call(actor(request), proposal)
    return _detail(request, proposal_id)


def _assignment(user, proposal: Proposal, data: AssignmentStepIn, roles=None) -> Assignment:
    lead = proposal.merged_into if proposal.merged_into_id else proposal
    found = Assignment.objects.visible_to(user).filter(proposal=lead).select_related(
        "proposal__committee", "unit")
    if data.assignment_id is not None:
        found = found.filter(pk=data.assignment_id)
    elif getattr(user, "handling_unit_id", None):
        found = found.filter(unit_id=user.handling_unit_id).exclude(
            state__in=GONE_ASSIGNMENT_STATES)
        if roles:
            found = found.filter(role__in=roles)
    else:
        raise ValidationError({"assignment_id": _("Say which assignment.")})
    assignment = found.order_by("-pk").first()
    if assignment is None:
        raise ValidationError({"assignment_id": _(
            "No such assignment on this proposal, or not one you can use.")})
    return assignment


def _follow_up(proposal: Proposal, follow_up_id: int | None) -> FollowUp:
    found = FollowUp.objects.filter(proposal=proposal).select_related("proposal__committee")
    if follow_up_id is not None:
        follow_up = found.filter(pk=follow_up_id).first()
    else:
        follow_up = found.filter(reviewed_on__isnull=True).order_by("due", "id").first()
    if follow_up is None:
        raise ValidationError({"follow_up_id": _("No such follow-up review on this "
                                                 "proposal.")})
    return follow_up


DetailOut = ProposalDetailOut


@router.post("/proposals/{proposal_id}/submit", response=DetailOut)
def submit(request, proposal_id: int, payload: VersionIn):
    return _step(request, proposal_id, ADD, payload.version, lambda u, p: services.submit(
        u, p, version=payload.version))


@router.post("/proposals/{proposal_id}/confirm-signature", response=DetailOut)
def confirm_signature(request, proposal_id: int, payload: SignatureIn):
    def call(user, proposal):
        author = None
        if payload.author_id is not None:
            author = ProposalAuthor.objects.filter(pk=payload.author_id,
                                                   proposal=proposal).first()
            if author is None:
                raise ValidationError({"author_id": _("No such author of this proposal.")})
        services.confirm_co_signature(user, proposal, author=author, version=payload.version)
    return _step(request, proposal_id, ADD, payload.version, call)


@router.post("/proposals/{proposal_id}/withdraw-signature", response=DetailOut)
def withdraw_signature(request, proposal_id: int, payload: VersionIn):
    """The calling co-signer takes back their confirmation (before submission)."""
    return _step(request, proposal_id, ADD, payload.version,
                 lambda u, p: services.withdraw_co_signature(u, p, version=payload.version))


@router.post("/proposals/{proposal_id}/start-review", response=DetailOut)
def start_review(request, proposal_id: int, payload: VersionIn):
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.start_review(u, p, version=payload.version))


@router.post("/proposals/{proposal_id}/return", response=DetailOut)
def return_for_edit(request, proposal_id: int, payload: ReasonIn):
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.return_for_edit(u, p, reason=payload.reason,
                                                       version=payload.version))


@router.post("/proposals/{proposal_id}/register", response=DetailOut)
def register(request, proposal_id: int, payload: VersionIn):
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.register(u, p, version=payload.version))


@router.post("/proposals/{proposal_id}/not-register", response=DetailOut)
def not_register(request, proposal_id: int, payload: NotRegisterIn):
    def call(user, proposal):
        code = ReasonCode.objects.filter(committee_id=proposal.committee_id,
                                         code=payload.reason_code, active=True).first()
        services.not_register(user, proposal, reason_code=code, note=payload.note,
                              version=payload.version)
    return _step(request, proposal_id, MANAGE, payload.version, call)


@router.post("/proposals/{proposal_id}/merge", response=DetailOut)
def merge(request, proposal_id: int, payload: MergeIn):
    """Merge this proposal (in review) into `into_id` (并案)."""
    def call(user, proposal):
        into = Proposal.objects.visible_to(user).filter(pk=payload.into_id).first()
        if into is None:
            raise _missing("into_id", [payload.into_id])
        services.merge(user, proposal, into, note=payload.note, version=payload.version,
                       into_version=payload.into_version)
    # The service locks both proposals in one order; locking this one first could deadlock.
    return _step(request, proposal_id, MANAGE, payload.version, call, lock=False)


@router.post("/proposals/{proposal_id}/convert", response=DetailOut)
def convert(request, proposal_id: int, payload: VersionIn):
    """Convert to an opinion report (转社情民意); the `converted` event names the report."""
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.convert_to_report(u, p, version=payload.version))


@router.post("/proposals/{proposal_id}/assign", response=DetailOut)
def assign(request, proposal_id: int, payload: AssignIn):
    def call(user, proposal):
        ids = [u.unit_id for u in payload.units]
        found = {u.pk: u for u in HandlingUnit.objects.visible_to(user).filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise _missing("units", missing)
        units = [(found[u.unit_id], u.role) if u.role else found[u.unit_id]
                 for u in payload.units]
        services.assign(user, proposal, mode=payload.mode, units=units,
                        version=payload.version)
    return _step(request, proposal_id, MANAGE, payload.version, call)


@router.post("/proposals/{proposal_id}/reassign", response=DetailOut)
def reassign(request, proposal_id: int, payload: ReassignIn):
    def call(user, proposal):
        assignment = _assignment(user, proposal, payload)
        unit = HandlingUnit.objects.visible_to(user).filter(pk=payload.new_unit_id).first()
        if unit is None:
            raise _missing("new_unit_id", [payload.new_unit_id])
        services.reassign(user, assignment, unit, note=payload.note,
                          version=payload.assignment_version)
    return _step(request, proposal_id, MANAGE, payload.version, call)


@router.post("/proposals/{proposal_id}/object", response=DetailOut)
def object_to_assignment(request, proposal_id: int, payload: ObjectIn):
    """A unit says the proposal is not its business, within the objection window."""
    return _step(request, proposal_id, REPLY, payload.version,
                 lambda u, p: services.object_to_assignment(
                     u, _assignment(u, p, payload), reason=payload.reason,
                     version=payload.assignment_version))


@router.post("/proposals/{proposal_id}/uphold", response=DetailOut)
def uphold(request, proposal_id: int, payload: UpholdIn):
    """The office rejects a unit's objection: the assignment stands."""
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.uphold_assignment(
                     u, _assignment(u, p, payload), note=payload.note,
                     version=payload.assignment_version))


@router.post("/proposals/{proposal_id}/extend", response=DetailOut)
def extend(request, proposal_id: int, payload: NoteIn):
    """Approve the longer reply period (3 → 6 months by default)."""
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.approve_extension(u, p, note=payload.note,
                                                         version=payload.version))


@router.post("/proposals/{proposal_id}/co-opinion", response=DetailOut)
def co_opinion(request, proposal_id: int, payload: CoOpinionIn):
    """A co-handling unit sends its opinion to the lead unit (会办意见)."""
    return _step(request, proposal_id, REPLY, payload.version,
                 lambda u, p: services.submit_co_opinion(
                     u, _assignment(u, p, payload, roles=[AssignmentRole.CO]),
                     text=payload.text))


@router.post("/proposals/{proposal_id}/reply", response=DetailOut)
def reply(request, proposal_id: int, payload: ReplyIn):
    """The unit's reply to the proposer in the current round. For a proposal merged into
    another, post to the merged one: each proposer gets their own reply. Attachments are
    sent with `reply-with-files` (multipart)."""
    return _step(request, proposal_id, REPLY, payload.version,
                 lambda u, p: _reply(u, p, payload, ()))


@router.post("/proposals/{proposal_id}/reply-with-files", response=DetailOut)
def reply_with_files(request, proposal_id: int, payload: Form[ReplyIn],
                     files: File[list[UploadedFile]] = None):
    """The same reply, sent as multipart/form-data with the files (`files`, repeatable):
    the signed letter, plans, photos. Types and size follow the committee's policy."""
    return _step(request, proposal_id, REPLY, payload.version,
                 lambda u, p: _reply(u, p, payload, files or ()))


def _reply(user, proposal: Proposal, data: ReplyIn, files) -> None:
    assignment = _assignment(user, proposal, data, roles=REPLYING_ROLES)
    grade = ResultGrade.objects.filter(committee_id=proposal.committee_id, code=data.grade,
                                       active=True).first()
    services.reply(user, assignment, text=data.text, grade=grade,
                   contacted_member=data.contacted_member, proposal=proposal,
                   attachments=files, version=data.version)


@router.post("/proposals/{proposal_id}/rate", response=DetailOut)
def rate(request, proposal_id: int, payload: RateIn):
    """An author rates the reply of the current round, process and result separately."""
    return _step(request, proposal_id, RATE, payload.version,
                 lambda u, p: services.rate(u, p, process=payload.process,
                                            result=payload.result,
                                            contact_confirmed=payload.contact_confirmed,
                                            comment=payload.comment))


@router.post("/proposals/{proposal_id}/rehandle", response=DetailOut)
def rehandle(request, proposal_id: int, payload: ReasonIn):
    """After an unsatisfied rating, ask the units to handle it again (next round)."""
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.request_rehandling(u, p, reason=payload.reason,
                                                          version=payload.version))


@router.post("/proposals/{proposal_id}/progress", response=DetailOut)
def progress(request, proposal_id: int, payload: ProgressIn):
    """A handling unit reports what has been done since the reply."""
    return _step(request, proposal_id, REPLY, payload.version,
                 lambda u, p: services.report_progress(
                     u, _follow_up(p, payload.follow_up_id), text=payload.text))


@router.post("/proposals/{proposal_id}/review-follow-up", response=DetailOut)
def review_follow_up(request, proposal_id: int, payload: ReviewIn):
    """The office records what a follow-up review found, with evidence."""
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.review_follow_up(
                     u, _follow_up(p, payload.follow_up_id), finding=payload.finding,
                     evidence=payload.evidence, member_took_part=payload.member_took_part,
                     version=payload.follow_up_version))


@router.post("/proposals/{proposal_id}/add-follow-up", response=DetailOut)
def add_follow_up(request, proposal_id: int, payload: AddFollowUpIn):
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.add_follow_up(u, p, horizon_months=payload.horizon_months,
                                                     due=payload.due))


@router.post("/proposals/{proposal_id}/close", response=DetailOut)
def close(request, proposal_id: int, payload: CloseIn):
    """Close with the outcome the latest follow-up review found (empty: a reply that
    promised nothing)."""
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.close(u, p, outcome=payload.outcome,
                                             version=payload.version))


@router.post("/proposals/{proposal_id}/key", response=DetailOut)
def mark_key(request, proposal_id: int, payload: KeyIn):
    def call(user, proposal):
        supervisor = User.objects.filter(pk=payload.supervisor_id,
                                         committee_id=proposal.committee_id).first()
        services.mark_key(user, proposal, supervisor, version=payload.version)
    return _step(request, proposal_id, MANAGE, payload.version, call)


@router.post("/proposals/{proposal_id}/excellent", response=DetailOut)
def select_excellent(request, proposal_id: int, payload: ExcellentIn):
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.select_excellent(u, p, year=payload.year,
                                                        version=payload.version))


@router.post("/proposals/{proposal_id}/disclosure", response=DetailOut)
def disclosure(request, proposal_id: int, payload: DisclosureIn):
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.set_disclosure(u, p, public=payload.public,
                                                      reason=payload.reason,
                                                      version=payload.version))


@router.post("/proposals/{proposal_id}/endorsement", response=DetailOut)
def endorsement(request, proposal_id: int, payload: EndorsementIn):
    """Record a leader's written instruction (批示) at a level."""
    return _step(request, proposal_id, MANAGE, payload.version,
                 lambda u, p: services.record_endorsement(u, p, level=payload.level,
                                                          leader=payload.leader,
                                                          on=payload.on, note=payload.note))
