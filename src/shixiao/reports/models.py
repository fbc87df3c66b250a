"""Opinion reports (社情民意信息): a member's short report on a situation and a suggestion,
edited by the office, sent upward, and adopted or endorsed (批示) at one or more levels.

One report, many outcomes: it can be adopted once per level and adopting body, and endorsed
by leaders at several levels. Every table carries the committee, the key every query and a
distributed deployment partition by (DESIGN.md §8).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shixiao.assessment.entries import LEVELS
from shixiao.core.choices import CommitteeLevel, UserRole
from shixiao.core.models import BaseModel, RestrictedQuerySet
from shixiao.ledger.kinds import AUTHOR_ROLES

#: Longest body a report may be submitted with (national practice; research/domain.md §2.1).
MAX_BODY_CHARS = 1500

LEVEL_CHOICES = [(level, CommitteeLevel(level).label) for level in LEVELS]


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    EDITING = "editing", _("Being edited")
    EDITED = "edited", _("Edited")
    SENT = "sent", _("Sent upward")
    NOT_USED = "not_used", _("Not used")
    ARCHIVED = "archived", _("Archived")


STATE_COLOURS = {
    ReportState.DRAFT: "grey",
    ReportState.SUBMITTED: "blue",
    ReportState.EDITING: "blue",
    ReportState.EDITED: "blue",
    ReportState.SENT: "purple",
    ReportState.NOT_USED: "grey",
    ReportState.ARCHIVED: "grey",
}


class AuthorRole(models.TextChoices):
    # The values are the ledger's (ledger.kinds.AUTHOR_ROLES), so a rubric's points by
    # role read them unchanged.
    INDIVIDUAL = "individual", _("Sole author")
    FIRST_AUTHOR = "first_author", _("First author")
    CO_SIGNER = "co_signer", _("Co-signer")
    COLLECTIVE = "collective", _("Collective author")
    MAIN_AUTHOR = "main_author", _("Main author")
    PARTICIPANT = "participant", _("Participant")


assert set(AuthorRole.values) == set(AUTHOR_ROLES), "author roles follow the ledger's"


class LeaderRank(models.TextChoices):
    PRINCIPAL = "principal", _("Principal leader")
    OTHER = "other", _("Other leader")


def _staff_committee_ids(user) -> list[int]:
    return [user.committee_id] if user.committee_id else []


class OpinionReportQuerySet(RestrictedQuerySet):
    def _scope(self, user):
        if user.role == UserRole.MEMBER:
            # A member sees the reports they (co-)author, in any committee they sit in.
            return self.filter(pk__in=ReportAuthor.objects.filter(
                membership__person__user=user).values("report_id"))
        if user.role in (UserRole.OFFICE, UserRole.SC_STAFF, UserRole.LEADER):
            return self.filter(committee_id__in=_staff_committee_ids(user))
        # Handling units are not part of this workflow.
        return self.none()


class OpinionReport(BaseModel):
    """One report. `body` is the member's own text and is never overwritten once submitted;
    the office edits a copy in `edited_body`, so the original stays beside the edited one
    ("原汁原味")."""

    committee = models.ForeignKey("orgs.Committee", on_delete=models.PROTECT,
                                  related_name="opinion_reports", verbose_name=_("committee"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    edited_body = models.TextField(_("edited text"), blank=True)
    state = models.CharField(_("state"), max_length=16, choices=ReportState.choices,
                             default=ReportState.DRAFT)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    edited_on = models.DateField(_("edited on"), null=True, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    edit_due = models.DateField(_("editing due by"), null=True, blank=True)
    not_used_reason = models.TextField(_("reason not used"), blank=True)
    source_proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name=_("converted from proposal"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="converted_reports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = OpinionReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("opinion report")
        verbose_name_plural = _("opinion reports")
        ordering = ["-submitted_on", "-id"]
        permissions = [("manage_opinionreport", _("Can edit, send and record outcomes of "
                                                   "opinion reports"))]
        indexes = [models.Index(fields=["committee", "state"]),
                   models.Index(fields=["committee", "submitted_on"])]

    def __str__(self):
        return self.title

    @property
    def ref(self) -> str:
        """The report's reference in the ledger: one value for all its events, so a rubric
        can take the best outcome per report."""
        return f"report:{self.pk}"

    @property
    def text(self) -> str:
        """The text as it stands: the office's edit once there is one."""
        return self.edited_body or self.body

    def state_colour(self) -> str:
        return STATE_COLOURS.get(self.state, "grey")


class ChildQuerySet(RestrictedQuerySet):
    """Rows that belong to a report are visible exactly when the report is."""

    def _scope(self, user):
        return self.filter(report__in=OpinionReport.objects.visible_to(user))


class ReportAuthor(models.Model):
    """A member who wrote or co-signed the report, in signing order (rank 1 first)."""

    committee = models.ForeignKey("orgs.Committee", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("committee"))
    report = models.ForeignKey(OpinionReport, on_delete=models.CASCADE, related_name="authors",
                               verbose_name=_("opinion report"))
    membership = models.ForeignKey("orgs.Membership", on_delete=models.PROTECT,
                                   related_name="report_authorships",
                                   verbose_name=_("membership"))
    role = models.CharField(_("author role"), max_length=16, choices=AuthorRole.choices)
    rank = models.PositiveSmallIntegerField(_("signing order"), default=1)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("report author")
        verbose_name_plural = _("report authors")
        ordering = ["report", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "membership"],
                                               name="report_author_once")]

    def __str__(self):
        return f"{self.membership} · {self.get_role_display()}"


class SendRecord(models.Model):
    """The report was sent to a recipient at a level: the same-level Party committee or
    government, or the CPPCC one or more levels up."""

    committee = models.ForeignKey("orgs.Committee", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("committee"))
    report = models.ForeignKey(OpinionReport, on_delete=models.CASCADE, related_name="sends",
                               verbose_name=_("opinion report"))
    to_level = models.CharField(_("level"), max_length=16, choices=LEVEL_CHOICES)
    recipient = models.CharField(_("recipient"), max_length=200)
    on = models.DateField(_("sent on"))

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("sending")
        verbose_name_plural = _("sendings")
        ordering = ["report", "on", "id"]

    def __str__(self):
        return f"{self.recipient} ({self.on})"


class Adoption(models.Model):
    """The report was adopted (printed or forwarded) by a body at a level, e.g. the
    provincial CPPCC's 《社情民意》. Once per level and body."""

    committee = models.ForeignKey("orgs.Committee", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("committee"))
    report = models.ForeignKey(OpinionReport, on_delete=models.CASCADE,
                               related_name="adoptions", verbose_name=_("opinion report"))
    level = models.CharField(_("level"), max_length=16, choices=LEVEL_CHOICES)
    body = models.CharField(_("adopted by"), max_length=200,
                            help_text=_("The organ or publication, e.g. 省政协《社情民意》."))
    issue_no = models.CharField(_("issue number"), max_length=60, blank=True)
    on = models.DateField(_("adopted on"))

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["report", "on", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "level", "body"],
                                               name="adoption_once_per_level_and_body")]

    def __str__(self):
        return f"{self.get_level_display()} · {self.body}"


class Endorsement(models.Model):
    """A leader's written instruction (批示) on the report, by level and rank."""

    committee = models.ForeignKey("orgs.Committee", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("committee"))
    report = models.ForeignKey(OpinionReport, on_delete=models.CASCADE,
                               related_name="endorsements", verbose_name=_("opinion report"))
    level = models.CharField(_("level"), max_length=16, choices=LEVEL_CHOICES)
    leader_rank = models.CharField(_("leader's rank"), max_length=16,
                                   choices=LeaderRank.choices)
    leader = models.CharField(_("leader"), max_length=100,
                              help_text=_("Who gave the instruction, e.g. 省委主要领导."))
    on = models.DateField(_("endorsed on"))
    content = models.TextField(_("instruction"), blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["report", "on", "id"]

    def __str__(self):
        return f"{self.get_level_display()} · {self.leader}"
