"""Choice sets of the proposal workflow, each with its label and badge colour in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalState(models.TextChoices):
    """Where a proposal stands. See docs/proposals.md for every transition."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for editing")
    REGISTERED = "registered", _("Registered")
    NOT_REGISTERED = "not_registered", _("Not registered")
    MERGED = "merged", _("Merged")
    CONVERTED = "converted", _("Converted to an opinion report")
    ASSIGNED = "assigned", _("Assigned")
    REPLIED = "replied", _("Replied")
    REHANDLING = "rehandling", _("Being handled again")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


class Category(models.TextChoices):
    PLENARY = "plenary", _("Plenary proposal")
    BETWEEN_SESSIONS = "between_sessions", _("Between-sessions proposal")


class ProposerType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    JOINT = "joint", _("Joint")
    COLLECTIVE = "collective", _("Collective")


class AuthorRole(models.TextChoices):
    """The ledger's author roles (ledger.kinds.AUTHOR_ROLES) that a proposal uses."""

    INDIVIDUAL = "individual", _("Individual proposer")
    FIRST_AUTHOR = "first_author", _("First author")
    CO_SIGNER = "co_signer", _("Co-signer")
    COLLECTIVE = "collective", _("On behalf of a collective")


class HandlingMode(models.TextChoices):
    SINGLE = "single", _("Single unit")
    SEPARATE = "separate", _("Separate handling")
    LEAD_CO = "lead_co", _("Lead and co-handling units")


class AssignmentRole(models.TextChoices):
    SOLE = "sole", _("Sole unit")
    SEPARATE = "separate", _("Separate unit")
    LEAD = "lead", _("Lead unit")
    CO = "co", _("Co-handling unit")


#: Roles whose unit writes a reply to the proposer. Co-handling units send their opinion to
#: the lead unit instead (research/domain.md §1.3).
REPLYING_ROLES = (AssignmentRole.SOLE, AssignmentRole.SEPARATE, AssignmentRole.LEAD)


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    OBJECTED = "objected", _("Objected")
    REASSIGNED = "reassigned", _("Reassigned")
    REPLIED = "replied", _("Replied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class Outcome(models.TextChoices):
    """What a follow-up found, and the verified outcome a proposal is closed with."""

    NONE = "", _("Not established")
    FULFILLED = "fulfilled", _("Fulfilled")
    PARTLY = "partly", _("Partly fulfilled")
    UNKEPT = "unkept", _("Not kept")


STATE_COLOURS = {
    ProposalState.DRAFT: "grey",
    ProposalState.SUBMITTED: "blue",
    ProposalState.IN_REVIEW: "blue",
    ProposalState.RETURNED: "orange",
    ProposalState.REGISTERED: "teal",
    ProposalState.NOT_REGISTERED: "grey",
    ProposalState.MERGED: "purple",
    ProposalState.CONVERTED: "purple",
    ProposalState.ASSIGNED: "teal",
    ProposalState.REPLIED: "green",
    ProposalState.REHANDLING: "red",
    ProposalState.FOLLOW_UP: "orange",
    ProposalState.CLOSED: "green",
}
