"""Read-only deadline helpers for pages, the API and dashboards: when each clock of a
proposal runs out and how urgent it is (blue / yellow / red from the deadlines app).

No permission checks: callers pass records they already fetched through `visible_to`.
"""

import datetime as dt

from .choices import ProposalState
from .models import Assignment, FollowUp, Proposal

S = ProposalState
_REPLIED_OR_LATER = (S.REPLIED, S.FOLLOW_UP, S.CLOSED)


def _deadlines():
    from shixiao.deadlines import services

    return services


def reply_colour(proposal: Proposal, today: dt.date | None = None) -> str:
    """Urgency of the reply (`none` once replied or before assignment)."""
    if not proposal.reply_due:
        return "none"
    done = proposal.replied_on if proposal.state in _REPLIED_OR_LATER else None
    return str(_deadlines().escalation(proposal.committee, "proposal_reply", proposal.reply_due,
                                       today=today, done_on=done))


def objection_open(assignment: Assignment, on: dt.date | None = None) -> bool:
    """Whether the unit may still object to this assignment."""
    from django.utils import timezone

    day = on or timezone.localdate()
    return assignment.state == "assigned" and (assignment.objection_due is None
                                               or day <= assignment.objection_due)


def contact_due(assignment: Assignment) -> dt.date:
    """By when the unit should have talked to the proposer (办前沟通)."""
    return _deadlines().due_date(assignment.proposal.committee, "proposal_contact",
                                 assignment.assigned_on)


def rating_due(proposal: Proposal) -> dt.date | None:
    """By when the authors are asked to rate the reply of the current round. Late ratings
    are still accepted: an unrated reply must never count as a satisfied one."""
    if proposal.state not in (S.REPLIED, S.FOLLOW_UP) or not proposal.replied_on:
        return None
    return _deadlines().due_date(proposal.committee, "proposal_rating", proposal.replied_on)


def follow_up_colour(follow_up: FollowUp, today: dt.date | None = None) -> str:
    """Urgency of a follow-up review (`none` once reviewed)."""
    return str(_deadlines().escalation(follow_up.proposal.committee, "proposal_follow_up",
                                       follow_up.due, today=today,
                                       done_on=follow_up.reviewed_on))
