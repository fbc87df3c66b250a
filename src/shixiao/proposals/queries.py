"""Read-only helpers for the proposal pages: deadline colours for many rows at once, the
overdue filter, a unit's own assignment, and names to show for people.

Nothing here writes or checks permissions: callers pass records they already fetched through
`visible_to`. timers.py answers the same questions for one record; the pages use these to
colour a whole list with one read of each committee's rules and calendar.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from .choices import REPLYING_ROLES, AssignmentRole, AssignmentState, ProposalState
from .models import GONE_ASSIGNMENT_STATES, Assignment, FollowUp, Proposal

S = ProposalState
#: States in which units handle a proposal (a reply is awaited).
HANDLING = (S.ASSIGNED, S.REHANDLING)
#: After the reply, while follow-up reviews are still to come.
TRACKING = (S.REPLIED, S.FOLLOW_UP, S.REHANDLING)
_REPLIED_OR_LATER = (S.REPLIED, S.FOLLOW_UP, S.CLOSED)


class DeadlineClock:
    """Colours deadlines (blue / yellow / red / none) for pages that show many of them,
    reading each committee's calendar and each rule once instead of once per row."""

    def __init__(self, today: dt.date | None = None):
        self.today = today or timezone.localdate()
        self._calendars: dict = {}
        self._rules: dict = {}

    def colour(self, committee, code: str, due: dt.date | None, done: bool = False) -> str:
        from shixiao.deadlines import engine, services

        if due is None:
            return "none"
        calendar = self._calendars.get(committee.pk)
        if calendar is None:
            calendar = self._calendars[committee.pk] = services.calendar_for(committee)
        rule = self._rules.get((committee.pk, code))
        if rule is None:
            rule = self._rules[(committee.pk, code)] = services.rule_for(committee, code)
        return str(engine.escalation(due, self.today, rule, calendar,
                                     done_on=self.today if done else None))

    def reply(self, proposal: Proposal) -> str:
        """The proposal's reply deadline, as timers.reply_colour reads it."""
        return self.colour(proposal.committee, "proposal_reply", proposal.reply_due,
                           done=proposal.state in _REPLIED_OR_LATER)

    def assignment_reply(self, assignment: Assignment) -> str:
        """One unit's own deadline: the reply, or a co-handling unit's opinion to the lead."""
        code = ("proposal_co_handling" if assignment.role == AssignmentRole.CO
                else "proposal_reply")
        return self.colour(assignment.proposal.committee, code, assignment.reply_due,
                           done=assignment.state == AssignmentState.REPLIED)

    def objection(self, assignment: Assignment) -> str:
        return self.colour(assignment.proposal.committee, "proposal_objection",
                           assignment.objection_due,
                           done=assignment.state != AssignmentState.ASSIGNED)

    def follow_up(self, follow_up: FollowUp, committee) -> str:
        return self.colour(committee, "proposal_follow_up", follow_up.due,
                           done=follow_up.reviewed_on is not None)


def overdue_q(today: dt.date | None = None) -> Q:
    """Proposals whose reply is late, or with a follow-up review past its due date."""
    today = today or timezone.localdate()
    late_follow_ups = FollowUp.objects.filter(reviewed_on__isnull=True,
                                              due__lt=today).values("proposal_id")
    return (Q(state__in=HANDLING, reply_due__lt=today)
            | Q(state__in=TRACKING, pk__in=late_follow_ups))


def live_assignments_by_lead(proposals) -> dict[int, list[Assignment]]:
    """The assignments that still tie a unit to each proposal's lead, keyed by lead id."""
    lead_ids = {p.merged_into_id or p.pk for p in proposals}
    grouped: dict[int, list[Assignment]] = defaultdict(list)
    for a in (Assignment.objects.filter(proposal_id__in=lead_ids)
              .exclude(state__in=GONE_ASSIGNMENT_STATES).select_related("unit")
              .order_by("proposal_id", "id")):
        grouped[a.proposal_id].append(a)
    return grouped


def unit_assignment(user, proposal: Proposal) -> Assignment | None:
    """The live assignment through which `user`'s unit handles `proposal` (a merged proposal
    is handled through its lead's assignment)."""
    if not getattr(user, "handling_unit_id", None):
        return None
    return (Assignment.objects.filter(proposal_id=proposal.merged_into_id or proposal.pk,
                                      unit_id=user.handling_unit_id)
            .exclude(state__in=GONE_ASSIGNMENT_STATES).select_related("unit", "proposal")
            .order_by("-id").first())


def replies_to_proposer(assignment: Assignment) -> bool:
    return assignment.role in REPLYING_ROLES


def person_name(user) -> str:
    """A user as pages name them: the person's name if the account is a member's, otherwise
    the account's full name or login. Never contact details."""
    if user is None:
        return ""
    person = getattr(user, "person", None)
    if person is not None:
        return person.name
    return user.get_full_name() or user.username
