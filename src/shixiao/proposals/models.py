"""Proposals (提案) from draft to a verified outcome: authors and co-signatures, review,
assignment to handling units, replies, members' ratings, follow-up reviews and closure.

Writes go through `shixiao.proposals.services`; these models hold the state and say who
may see what (`Model.objects.visible_to(user)`). The state machine is documented in
docs/proposals.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shixiao.core.choices import CommitteeLevel, UserRole
from shixiao.core.models import BaseModel, RestrictedQuerySet
from shixiao.orgs.models import CommitteeScopedQuerySet, committee_ids_for

from .choices import (
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

#: Assignments that no longer tie a unit to a proposal: the unit sees it no more.
GONE_ASSIGNMENT_STATES = (AssignmentState.WITHDRAWN, AssignmentState.REASSIGNED)


def visible_proposal_ids(user):
    """A subquery of the ids of proposals `user` may see (see ProposalQuerySet)."""
    return Proposal.objects.visible_to(user).values("pk")


# --- reference data ------------------------------------------------------------------------

class ReasonCode(BaseModel):
    """A ground for not registering a proposal (不予立案理由). Each committee keeps its own
    list; `services.ensure_defaults` seeds the ten national grounds."""

    committee = models.ForeignKey("orgs.Committee", on_delete=models.CASCADE,
                                  related_name="proposal_reason_codes",
                                  verbose_name=_("committee"))
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reason for not registering")
        verbose_name_plural = _("reasons for not registering")
        ordering = ["committee", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["committee", "code"],
                                               name="reasoncode_unique_code")]

    def __str__(self):
        return self.label


class ResultGrade(BaseModel):
    """A handling-result grade a reply carries (办理结果, e.g. A/B/C). `needs_follow_up`
    schedules follow-up reviews when a reply carries it; `counts_as_adopted` records the
    authors' `adopted` ledger event."""

    committee = models.ForeignKey("orgs.Committee", on_delete=models.CASCADE,
                                  related_name="proposal_result_grades",
                                  verbose_name=_("committee"))
    code = models.CharField(_("code"), max_length=8)
    label = models.CharField(_("label"), max_length=100)
    needs_follow_up = models.BooleanField(_("needs follow-up"), default=False)
    counts_as_adopted = models.BooleanField(_("counts as adopted"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("result grade")
        verbose_name_plural = _("result grades")
        ordering = ["committee", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["committee", "code"],
                                               name="resultgrade_unique_code")]

    def __str__(self):
        return f"{self.code} {self.label}"


def default_horizons():
    return [6, 12, 24]


def default_extensions():
    return ["pdf", "ofd", "doc", "docx", "wps", "xls", "xlsx", "jpg", "jpeg", "png", "txt"]


class ProposalPolicy(BaseModel):
    """A committee's proposal settings that are not deadlines (those live in the deadlines
    app): follow-up horizons in months after the reply, and what a reply may attach."""

    committee = models.OneToOneField("orgs.Committee", on_delete=models.CASCADE,
                                     related_name="proposal_policy",
                                     verbose_name=_("committee"))
    follow_up_horizons = models.JSONField(_("follow-up horizons (months)"),
                                          default=default_horizons)
    attachment_max_mb = models.PositiveSmallIntegerField(_("largest attachment (MB)"),
                                                         default=20)
    attachment_extensions = models.JSONField(_("allowed attachment types"),
                                             default=default_extensions)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal policy")
        verbose_name_plural = _("proposal policies")

    def __str__(self):
        return str(self.committee)


# --- the proposal ----------------------------------------------------------------------------

class ProposalQuerySet(RestrictedQuerySet):
    """Office, special-committee staff and leaders see their committee's proposals; a member
    sees the proposals they author or drafted, and the lead proposal theirs was merged into;
    a handling unit sees only proposals assigned to it (and those merged into them)."""

    def _scope(self, user):
        if user.role == UserRole.UNIT:
            if not user.handling_unit_id:
                return self.none()
            live = Assignment.objects.filter(unit_id=user.handling_unit_id).exclude(
                state__in=GONE_ASSIGNMENT_STATES).values("proposal_id")
            return self.filter(Q(pk__in=live) | Q(merged_into__in=live))
        if user.role == UserRole.MEMBER:
            authored = ProposalAuthor.objects.filter(
                membership__person__user=user).values("proposal_id")
            leads = Proposal.objects.filter(pk__in=authored, merged_into__isnull=False).values(
                "merged_into_id")
            return self.filter(Q(pk__in=authored) | Q(created_by=user) | Q(pk__in=leads))
        return self.filter(committee_id__in=committee_ids_for(user))


class Proposal(BaseModel):
    """One proposal (提案) and where it stands. `number` is given at registration, unique
    per committee and year. A proposal merged into another keeps its own authors, text and
    history (`merged_into`), follows the lead's assignments and still gets its own reply.
    `round` counts handling rounds: a re-handling after an unsatisfied rating starts the
    next one."""

    committee = models.ForeignKey("orgs.Committee", on_delete=models.PROTECT,
                                  related_name="proposals", verbose_name=_("committee"))
    term = models.ForeignKey("orgs.Term", on_delete=models.PROTECT, related_name="proposals",
                             verbose_name=_("term"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices,
                                default=Category.BETWEEN_SESSIONS)
    proposer_type = models.CharField(_("proposer"), max_length=12, choices=ProposerType.choices,
                                     default=ProposerType.INDIVIDUAL)
    collective_name = models.CharField(_("collective proposer"), max_length=100, blank=True,
                                       help_text=_("The sector, party, group or committee "
                                                   "that files a collective proposal."))
    special_committee = models.ForeignKey("orgs.SpecialCommittee", on_delete=models.PROTECT,
                                          null=True, blank=True, related_name="proposals",
                                          verbose_name=_("special committee"))
    state = models.CharField(_("state"), max_length=16, choices=ProposalState.choices,
                             default=ProposalState.DRAFT, db_index=True)
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    return_note = models.TextField(_("why it was returned"), blank=True)
    not_registered_reason = models.ForeignKey(ReasonCode, on_delete=models.PROTECT, null=True,
                                              blank=True, related_name="proposals",
                                              verbose_name=_("reason for not registering"))
    reason_note = models.TextField(_("note on the reason"), blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged", verbose_name=_("merged into"))
    handling_mode = models.CharField(_("handling mode"), max_length=12, blank=True,
                                     choices=HandlingMode.choices)
    is_key = models.BooleanField(_("key proposal"), default=False)
    key_supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+",
                                       verbose_name=_("key-proposal supervisor"))
    excellent_year = models.PositiveSmallIntegerField(_("excellent proposal of year"),
                                                      null=True, blank=True)
    public = models.BooleanField(_("public"), default=False)
    public_reason = models.TextField(_("disclosure note"), blank=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    extension_approved = models.BooleanField(_("extension approved"), default=False)
    outcome = models.CharField(_("verified outcome"), max_length=12, blank=True,
                               choices=Outcome.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["committee", "-year", "number", "id"]
        constraints = [models.UniqueConstraint(fields=["committee", "year", "number"],
                                               name="proposal_unique_number")]
        indexes = [models.Index(fields=["committee", "state"]),
                   models.Index(fields=["committee", "year"])]
        permissions = [
            ("manage_proposal", _("Can review, assign, follow up and close proposals")),
            ("rate_proposal", _("Can rate the reply to a proposal one authored")),
            ("reply_proposal", _("Can reply to a proposal assigned to one's unit")),
            ("view_rating", _("Can see members' ratings of replies")),
            ("supervise_proposal", _("Can supervise key proposals")),
        ]

    def __str__(self):
        return self.title

    @property
    def ref(self) -> str:
        """The stable reference its ledger entries carry (`ref`), set before any number."""
        return f"proposal:{self.pk}"

    @property
    def lead(self) -> "Proposal":
        """The proposal whose assignments this one follows: itself unless merged."""
        return self.merged_into if self.merged_into_id else self

    @property
    def display_number(self) -> str:
        return f"{self.year}-{self.number:04d}" if self.number else ""


class ProposalChildQuerySet(RestrictedQuerySet):
    """Records that belong to a proposal are visible with it."""

    proposal_path = "proposal"

    def _scope(self, user):
        return self.filter(**{f"{self.proposal_path}__in": visible_proposal_ids(user)})


class AssignmentChildQuerySet(ProposalChildQuerySet):
    proposal_path = "assignment__proposal"


class ReplyQuerySet(ProposalChildQuerySet):
    """Replies are visible with their proposal, except that a handling unit sees only its
    own replies and, where it co-handles, the lead unit's (copied to the co-handling units,
    research/domain.md §1.3). In separate handling each unit answers the proposer alone,
    so one unit does not read another's reply."""

    def _scope(self, user):
        scoped = super()._scope(user)
        if user.role != UserRole.UNIT:
            return scoped
        co_handled = Assignment.objects.filter(
            unit_id=user.handling_unit_id, role=AssignmentRole.CO).exclude(
            state__in=GONE_ASSIGNMENT_STATES).values("proposal_id")
        return scoped.filter(Q(assignment__unit_id=user.handling_unit_id)
                             | Q(assignment__role=AssignmentRole.LEAD,
                                 assignment__proposal_id__in=co_handled))


class ReplyChildQuerySet(RestrictedQuerySet):
    """Records of a reply are visible with the reply."""

    def _scope(self, user):
        return self.filter(reply__in=Reply.objects.visible_to(user))


class FollowUpChildQuerySet(ProposalChildQuerySet):
    proposal_path = "follow_up__proposal"


class ProposalAuthor(BaseModel):
    """One author of a proposal. Co-signers of a joint proposal confirm (会签) before it can
    be submitted; `rank` orders authors (1 = individual or first author)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="authors",
                                 verbose_name=_("proposal"))
    membership = models.ForeignKey("orgs.Membership", on_delete=models.PROTECT,
                                   related_name="proposal_authorships",
                                   verbose_name=_("membership"))
    role = models.CharField(_("role"), max_length=16, choices=AuthorRole.choices)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)

    objects = ProposalChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal author")
        verbose_name_plural = _("proposal authors")
        ordering = ["proposal", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "membership"],
                                               name="proposalauthor_unique_membership")]

    def __str__(self):
        return f"{self.membership.person} ({self.get_role_display()})"


class Assignment(BaseModel):
    """A proposal handed to one handling unit (交办) in one role. A unit may object within
    the objection window; the office then reassigns it (this row becomes `reassigned` and a
    new one is created) or upholds it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE,
                                 related_name="assignments", verbose_name=_("proposal"))
    unit = models.ForeignKey("orgs.HandlingUnit", on_delete=models.PROTECT,
                             related_name="assignments", verbose_name=_("handling unit"))
    role = models.CharField(_("role"), max_length=12, choices=AssignmentRole.choices)
    assigned_on = models.DateField(_("assigned on"))
    objection_due = models.DateField(_("objections until"), null=True, blank=True)
    objection_reason = models.TextField(_("objection"), blank=True)
    objected_on = models.DateField(_("objected on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=AssignmentState.choices,
                             default=AssignmentState.ASSIGNED)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name=_("replaces"))

    objects = ProposalChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["proposal", "id"]

    def __str__(self):
        return f"{self.unit} · {self.get_role_display()}"


class CoOpinion(BaseModel):
    """A co-handling unit's opinion to the lead unit (会办意见); it does not reply to the
    proposer itself."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE,
                                   related_name="co_opinions", verbose_name=_("assignment"))
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    text = models.TextField(_("opinion"))
    submitted_on = models.DateField(_("submitted on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, related_name="+", verbose_name=_("created by"))

    objects = AssignmentChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("co-handling opinion")
        verbose_name_plural = _("co-handling opinions")
        ordering = ["assignment", "round", "id"]


class Reply(BaseModel):
    """A unit's written reply (答复) to one proposal in one handling round. In a merge the
    lead's assigned unit writes one reply to each merged proposal as well (并案办理、分别答复),
    so `proposal` may differ from `assignment.proposal`."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT,
                                   related_name="replies", verbose_name=_("assignment"))
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="replies",
                                 verbose_name=_("proposal"))
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    text = models.TextField(_("reply"))
    grade = models.ForeignKey(ResultGrade, on_delete=models.PROTECT, related_name="replies",
                              verbose_name=_("result grade"))
    contacted_member = models.BooleanField(
        _("unit says it contacted the proposer"), default=False,
        help_text=_("The member confirms or denies this when rating the reply."))
    replied_on = models.DateField(_("replied on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, related_name="+", verbose_name=_("created by"))

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["proposal", "round", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "proposal", "round"],
                                               name="reply_once_per_round")]

    def __str__(self):
        return f"{self.proposal} · {self.grade.code} · {self.replied_on}"


class ReplyAttachment(BaseModel):
    """A file sent with a reply (the signed, sealed letter, plans, photos)."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="attachments",
                              verbose_name=_("reply"))
    file = models.FileField(_("file"), upload_to="replies/%Y/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))

    objects = ReplyChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply attachment")
        verbose_name_plural = _("reply attachments")
        ordering = ["reply", "id"]

    def __str__(self):
        return self.name


class RatingQuerySet(RestrictedQuerySet):
    """Ratings are the members' word on the unit's work: handling units never see them (so
    they can neither read nor sway them); a member sees the ratings they gave; staff with
    `view_rating` see their committee's."""

    def _scope(self, user):
        if user.role == UserRole.UNIT:
            return self.none()
        if user.role == UserRole.MEMBER:
            return self.filter(author__membership__person__user=user)
        if not user.has_perm("proposals.view_rating"):
            return self.none()
        return self.filter(proposal__committee_id__in=committee_ids_for(user))


class Rating(BaseModel):
    """One author's rating of the reply in one round: the handling process and the result
    rated separately (办理工作 / 办理结果), and whether the unit really contacted them."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="ratings",
                                 verbose_name=_("proposal"))
    author = models.ForeignKey(ProposalAuthor, on_delete=models.CASCADE,
                               related_name="ratings", verbose_name=_("author"))
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    process = models.CharField(_("handling process"), max_length=12,
                               choices=Satisfaction.choices)
    result = models.CharField(_("handling result"), max_length=12, choices=Satisfaction.choices)
    contact_confirmed = models.BooleanField(_("contact confirmed"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    rated_on = models.DateField(_("rated on"))

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["proposal", "round", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "author", "round"],
                                               name="rating_once_per_round")]

    def __str__(self):
        return f"{self.proposal} · {self.author} · {self.round}"

    @property
    def unsatisfied(self) -> bool:
        return Satisfaction.UNSATISFIED in (self.process, self.result)


class FollowUp(BaseModel):
    """A follow-up review (回头看) of a replied proposal at a horizon after the reply: the
    unit reports progress, the office reviews what really happened, with evidence."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="follow_ups",
                                 verbose_name=_("proposal"))
    horizon_months = models.PositiveSmallIntegerField(_("months after the reply"))
    due = models.DateField(_("due"))
    finding = models.CharField(_("finding"), max_length=12, blank=True,
                               choices=Outcome.choices)
    evidence = models.TextField(_("evidence"), blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("reviewed by"))
    member_took_part = models.BooleanField(_("the proposer took part"), default=False)

    objects = ProposalChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up review")
        verbose_name_plural = _("follow-up reviews")
        ordering = ["proposal", "due", "id"]

    def __str__(self):
        return f"{self.proposal} · {self.horizon_months}m"

    @property
    def reviewed(self) -> bool:
        return self.reviewed_on is not None


class FollowUpProgress(BaseModel):
    """A handling unit's progress note for a follow-up (what has been done since)."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="progress",
                                  verbose_name=_("follow-up review"))
    unit = models.ForeignKey("orgs.HandlingUnit", on_delete=models.PROTECT,
                             related_name="follow_up_progress", verbose_name=_("handling unit"))
    text = models.TextField(_("progress"))
    reported_on = models.DateField(_("reported on"))

    objects = FollowUpChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up progress")
        verbose_name_plural = _("follow-up progress")
        ordering = ["follow_up", "reported_on", "id"]


class Endorsement(BaseModel):
    """A leader's written instruction (批示) on a proposal, at one level."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE,
                                 related_name="endorsements", verbose_name=_("proposal"))
    level = models.CharField(_("level"), max_length=16,
                             choices=CommitteeLevel.choices)
    leader = models.CharField(_("leader"), max_length=100)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)

    objects = ProposalChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["proposal", "on", "id"]


class ProposalEventQuerySet(ProposalChildQuerySet):
    #: Events handling units must not see: they would tell a unit how it was rated.
    HIDDEN_FROM_UNITS = ("rated",)

    def _scope(self, user):
        scoped = super()._scope(user)
        if user.role == UserRole.UNIT:
            scoped = scoped.exclude(action__in=self.HIDDEN_FROM_UNITS)
        return scoped


class ProposalEvent(BaseModel):
    """One step in a proposal's history (who did what, when, and why). Never edited or
    deleted; a merge writes one on both proposals."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events",
                                 verbose_name=_("proposal"))
    on = models.DateField(_("date"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    action = models.CharField(_("action"), max_length=32)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = ProposalEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        ordering = ["proposal", "created_at", "id"]

    def __str__(self):
        return f"{self.on} {self.action}"


__all__ = [
    "Assignment", "CoOpinion", "Endorsement", "FollowUp", "FollowUpProgress", "Proposal",
    "ProposalAuthor", "ProposalEvent", "ProposalPolicy", "Rating", "ReasonCode", "Reply",
    "ReplyAttachment", "ResultGrade", "AssignmentRole", "AssignmentState", "AuthorRole",
    "Category", "HandlingMode", "Outcome", "ProposalState", "ProposerType", "Satisfaction",
]
