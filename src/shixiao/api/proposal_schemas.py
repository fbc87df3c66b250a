"""Request and response shapes of the proposal endpoints (shixiao.api.proposals).

Ratings appear only in `ProposalDetailOut.ratings`, which the endpoints remove entirely for
handling units; no other shape carries a rating.
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from shixiao.core.choices import CommitteeLevel
from shixiao.deadlines import engine
from shixiao.deadlines import services as deadlines
from shixiao.proposals import metrics, timers
from shixiao.proposals.choices import (
    AssignmentRole,
    AssignmentState,
    AuthorRole,
    Category,
    HandlingMode,
    Outcome,
    ProposalState,
    ProposerType,
    Satisfaction,
)
from shixiao.proposals.models import GONE_ASSIGNMENT_STATES

#: States in which the reply clock has stopped (as in proposals.timers.reply_colour).
REPLIED_OR_LATER = (ProposalState.REPLIED, ProposalState.FOLLOW_UP, ProposalState.CLOSED)


class AuthorOut(Schema):
    id: int
    membership_id: int
    name: str
    role: AuthorRole
    rank: int
    confirmed_on: dt.date | None = Field(description="When a co-signer confirmed (会签).")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.membership.person.name


class UnitRef(Schema):
    id: int
    name: str
    role: AssignmentRole


class CoOpinionOut(Schema):
    id: int
    round: int
    text: str
    submitted_on: dt.date


class AssignmentOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    role: AssignmentRole
    state: AssignmentState
    assigned_on: dt.date
    objection_due: dt.date | None
    objection_reason: str
    objected_on: dt.date | None
    reply_due: dt.date | None
    version: int
    co_opinions: list[CoOpinionOut]

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_co_opinions(obj):
        return list(obj.co_opinions.all())


class AttachmentOut(Schema):
    id: int
    name: str
    size: int


class ReplyOut(Schema):
    id: int
    assignment_id: int
    unit_id: int
    unit_name: str
    round: int
    text: str
    grade: str = Field(description="The result grade's code (e.g. A/B/C).")
    grade_label: str
    contacted_member: bool = Field(description="The unit says it contacted the proposer.")
    replied_on: dt.date
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_unit_id(obj) -> int:
        return obj.assignment.unit_id

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.assignment.unit.name

    @staticmethod
    def resolve_grade(obj) -> str:
        return obj.grade.code

    @staticmethod
    def resolve_grade_label(obj) -> str:
        return obj.grade.label

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())


class ProgressOut(Schema):
    unit_id: int
    unit_name: str
    text: str
    reported_on: dt.date

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name


class FollowUpOut(Schema):
    id: int
    horizon_months: int
    due: dt.date
    colour: str = Field(description="none / blue / yellow / red: the review's deadline.")
    finding: str = Field(description="fulfilled / partly / unkept; empty until reviewed.")
    evidence: str
    reviewed_on: dt.date | None
    member_took_part: bool
    version: int
    progress: list[ProgressOut]

    @staticmethod
    def resolve_colour(obj) -> str:
        return timers.follow_up_colour(obj)

    @staticmethod
    def resolve_progress(obj):
        return list(obj.progress.all())


class EndorsementOut(Schema):
    id: int
    level: CommitteeLevel
    leader: str
    on: dt.date
    note: str


class EventOut(Schema):
    on: dt.date
    action: str
    actor: str | None = Field(description="The username, or null for the system.")
    note: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class RatingOut(Schema):
    id: int
    author_id: int
    membership_id: int
    name: str
    round: int
    process: Satisfaction
    result: Satisfaction
    contact_confirmed: bool | None = Field(
        description="Whether the author confirms the unit's claim that it contacted them.")
    comment: str
    rated_on: dt.date

    @staticmethod
    def resolve_membership_id(obj) -> int:
        return obj.author.membership_id

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.author.membership.person.name


class ProposalOut(Schema):
    id: int
    committee_id: int
    term_id: int
    year: int = Field(description="The year of first submission; numbers count per year.")
    number: int | None
    display_number: str = Field(description="YYYY-NNNN once registered.")
    title: str
    category: Category
    proposer_type: ProposerType
    collective_name: str
    special_committee_id: int | None
    state: ProposalState
    round: int = Field(description="Handling round; a re-handling starts the next.")
    handling_mode: HandlingMode | None
    is_key: bool
    excellent_year: int | None
    public: bool
    submitted_on: dt.date | None
    registered_on: dt.date | None
    replied_on: dt.date | None
    closed_on: dt.date | None
    reply_due: dt.date | None
    reply_colour: str = Field(description="none / blue / yellow / red: the reply deadline.")
    extension_approved: bool
    outcome: Outcome
    merged_into_id: int | None
    authors: list[AuthorOut]
    units: list[UnitRef] = Field(description="Units handling it (the lead's, if merged).")
    version: int

    @staticmethod
    def resolve_handling_mode(obj) -> str | None:
        return obj.handling_mode or None

    @staticmethod
    def resolve_reply_colour(obj, context) -> str:
        request = (context or {}).get("request")
        if request is None or not obj.reply_due:
            return timers.reply_colour(obj)
        # A list page colours many proposals of few committees: read each committee's
        # rule and calendar once per request, not once per row.
        clocks = request.__dict__.setdefault("_proposal_reply_clocks", {})
        if obj.committee_id not in clocks:
            clocks[obj.committee_id] = (deadlines.rule_for(obj.committee, "proposal_reply"),
                                        deadlines.calendar_for(obj.committee))
        rule, calendar = clocks[obj.committee_id]
        done = obj.replied_on if obj.state in REPLIED_OR_LATER else None
        return str(engine.escalation(obj.reply_due, timezone.localdate(), rule, calendar,
                                     done_on=done))

    @staticmethod
    def resolve_authors(obj):
        return list(obj.authors.all())

    @staticmethod
    def resolve_units(obj):
        lead = obj.merged_into if obj.merged_into_id else obj
        return [{"id": a.unit_id, "name": a.unit.name, "role": a.role}
                for a in lead.assignments.all() if a.state not in GONE_ASSIGNMENT_STATES]


class ProposalDetailOut(ProposalOut):
    body: str
    return_note: str
    not_registered_reason: str = Field(description="The ground's code, if not registered.")
    reason_note: str
    key_supervisor_id: int | None
    public_reason: str
    merged_ids: list[int] = Field(description="Proposals merged into this one.")
    rating_due: dt.date | None = Field(description="By when authors are asked to rate.")
    assignments: list[AssignmentOut] = Field(
        description="Every assignment, kept after reassignment (state `reassigned`); a "
                    "merged proposal shows its lead's.")
    replies: list[ReplyOut]
    follow_ups: list[FollowUpOut]
    endorsements: list[EndorsementOut]
    events: list[EventOut]
    ratings: list[RatingOut] | None = Field(
        None, description="Authors' ratings: all of the committee's for users who may see "
                          "ratings, a member's own for a member. Handling units never see "
                          "ratings: their answers have no `ratings` field at all.")

    @staticmethod
    def resolve_ratings(obj):
        return getattr(obj, "visible_ratings", None)

    @staticmethod
    def resolve_not_registered_reason(obj) -> str:
        return obj.not_registered_reason.code if obj.not_registered_reason_id else ""

    @staticmethod
    def resolve_merged_ids(obj) -> list[int]:
        return [m.pk for m in obj.merged.all()]

    @staticmethod
    def resolve_rating_due(obj) -> dt.date | None:
        return timers.rating_due(obj)

    @staticmethod
    def resolve_assignments(obj):
        lead = obj.merged_into if obj.merged_into_id else obj
        return list(lead.assignments.all())

    @staticmethod
    def resolve_replies(obj):
        return list(obj.replies.all())

    @staticmethod
    def resolve_follow_ups(obj):
        return list(obj.follow_ups.all())

    @staticmethod
    def resolve_endorsements(obj):
        return list(obj.endorsements.all())

    @staticmethod
    def resolve_events(obj):
        return list(obj.visible_events)


class ProposalFilter(Schema):
    committee: int | None = None
    state: ProposalState | None = None
    year: int | None = None
    category: Category | None = None
    unit: int | None = Field(None, description="Handled by this unit (id).")
    key: bool | None = Field(None, description="Key proposals (重点提案) only, or none.")
    overdue: bool | None = Field(
        None, description="A reply or a follow-up review past its due date.")
    q: str | None = Field(None, description="Text in the title.")


class ProposalIn(Schema):
    committee_id: int
    term_id: int | None = Field(None, description="Default: the first author's term.")
    title: str
    body: str
    category: Category = Category.BETWEEN_SESSIONS
    proposer_type: ProposerType = ProposerType.INDIVIDUAL
    author_membership_ids: list[int] | None = Field(
        None, description="Authors in signing order. A member files as the first author; "
                          "by default, alone.")
    collective_name: str = ""
    special_committee_id: int | None = None


class DraftPatch(Schema):
    version: int
    title: str | None = None
    body: str | None = None
    category: Category | None = None
    collective_name: str | None = None
    special_committee_id: int | None = None
    term_id: int | None = None
    proposer_type: ProposerType | None = None
    author_membership_ids: list[int] | None = None


class VersionIn(Schema):
    """`version` is the proposal's, as you read it; a newer one means someone changed the
    proposal meanwhile, and the answer is 409."""

    version: int


class SignatureIn(VersionIn):
    author_id: int | None = Field(
        None, description="Office only: the co-signer (author id) whose paper signature "
                          "is recorded. Members confirm their own.")


class ReasonIn(VersionIn):
    reason: str


class NoteIn(VersionIn):
    note: str = ""


class NotRegisterIn(VersionIn):
    reason_code: str = Field(description="One of the committee's grounds (e.g. `personal`).")
    note: str = ""


class MergeIn(VersionIn):
    into_id: int
    into_version: int | None = Field(None, description="The lead's version, if read.")
    note: str = ""


class AssignUnitIn(Schema):
    unit_id: int
    role: AssignmentRole | None = Field(
        None, description="Default from the mode: sole; separate; the first lead, the rest "
                          "co.")


class AssignIn(VersionIn):
    mode: HandlingMode
    units: list[AssignUnitIn]


class AssignmentStepIn(VersionIn):
    assignment_id: int | None = Field(
        None, description="Default, for a unit's user: its own current assignment.")
    assignment_version: int | None = None


class ReassignIn(AssignmentStepIn):
    new_unit_id: int
    note: str = ""


class ObjectIn(AssignmentStepIn):
    reason: str


class UpholdIn(AssignmentStepIn):
    note: str = ""


class CoOpinionIn(AssignmentStepIn):
    text: str


class ReplyIn(AssignmentStepIn):
    text: str
    grade: str = Field(description="A result grade code of the committee (A/B/C…).")
    contacted_member: bool = False


class RateIn(VersionIn):
    process: Satisfaction
    result: Satisfaction
    contact_confirmed: bool | None = None
    comment: str = ""


class ProgressIn(VersionIn):
    follow_up_id: int | None = Field(None, description="Default: the next unreviewed one.")
    text: str


class ReviewIn(VersionIn):
    follow_up_id: int
    follow_up_version: int | None = None
    finding: Outcome
    evidence: str
    member_took_part: bool = False


class AddFollowUpIn(VersionIn):
    horizon_months: int = Field(ge=0)
    due: dt.date | None = Field(None, description="Default: the horizon after the reply.")


class CloseIn(VersionIn):
    outcome: Outcome


class KeyIn(VersionIn):
    supervisor_id: int = Field(description="A leader or office user of the committee.")


class ExcellentIn(VersionIn):
    year: int


class DisclosureIn(VersionIn):
    public: bool
    reason: str


class EndorsementIn(VersionIn):
    level: CommitteeLevel
    leader: str
    on: dt.date
    note: str = ""


class StatsFilter(Schema):
    committee: int | None = Field(None, description="Committee id; default every one you "
                                                    "may see, broken down per committee.")
    year: int | None = Field(None, description="The proposals' year; default every year.")
    as_of: dt.date | None = Field(None, description="Default today.")
    min_sample: int = Field(metrics.MIN_RANK_SAMPLE, ge=1,
                            description="Due items a unit needs to be ranked.")
