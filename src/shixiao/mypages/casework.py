"""A member's own proposals and opinion reports, and what is still open on them: what waits
for the member (a co-signature, a rating) and what waits for others but may still change
the score (a reply, a follow-up review, an adoption), each with its deadline colour.

Read-only. Records come through `visible_to(user)` and are narrowed to the chosen seat.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from shixiao.proposals import timers
from shixiao.proposals.choices import STATE_COLOURS, AuthorRole, ProposalState
from shixiao.proposals.models import (
    GONE_ASSIGNMENT_STATES,
    Assignment,
    FollowUp,
    Proposal,
    ProposalAuthor,
    Rating,
)
from shixiao.proposals.queries import DeadlineClock
from shixiao.reports.models import OpinionReport, ReportAuthor, ReportState

P = ProposalState
R = ReportState
EDITABLE = (P.DRAFT, P.RETURNED)
AWAITING_REVIEW = (P.SUBMITTED, P.IN_REVIEW)
HANDLING = (P.ASSIGNED, P.REHANDLING)
RATEABLE = (P.REPLIED, P.FOLLOW_UP)
TRACKING = (P.REPLIED, P.FOLLOW_UP, P.REHANDLING)
REPORT_IN_OFFICE = (R.SUBMITTED, R.EDITING, R.EDITED)


@dataclass
class OpenItem:
    """One thing still open: `mine` when the member must act, otherwise what it awaits."""

    record: object
    kind: str            # "proposal" or "report"
    title: str
    url: str
    what: str
    mine: bool = False
    due: dt.date | None = None
    colour: str = "none"
    action_url: str = ""

    @property
    def sort_key(self):
        return (not self.mine, self.due or dt.date.max, self.title)


@dataclass
class WorkRow:
    """One proposal or report in the member's list."""

    record: object
    kind: str
    title: str
    url: str
    state: str
    state_label: str
    state_colour: str
    draft: bool
    on: dt.date | None
    due: dt.date | None = None
    colour: str = "none"
    due_label: str = ""
    notes: list[str] = field(default_factory=list)


def my_proposals(user, membership) -> list[Proposal]:
    """The proposals the seat authors, with what their chains and clocks need."""
    if membership is None:
        return []
    authored = ProposalAuthor.objects.filter(membership=membership).values("proposal_id")
    return list(
        Proposal.objects.visible_to(user).filter(pk__in=authored)
        .select_related("committee", "merged_into", "not_registered_reason")
        .prefetch_related(
            Prefetch("authors", queryset=ProposalAuthor.objects.select_related(
                "membership__person")),
            Prefetch("follow_ups", queryset=FollowUp.objects.order_by("due", "id")),
            Prefetch("ratings", queryset=Rating.objects.visible_to(user)
                     .filter(author__membership=membership), to_attr="my_ratings"),
            "replies__grade", "endorsements", "converted_reports")
        .order_by("-submitted_on", "-pk"))


def my_reports(user, membership) -> list[OpinionReport]:
    if membership is None:
        return []
    authored = ReportAuthor.objects.filter(membership=membership).values("report_id")
    return list(OpinionReport.objects.visible_to(user).filter(pk__in=authored)
                .select_related("committee", "source_proposal")
                .prefetch_related("sends", "adoptions", "endorsements",
                                  Prefetch("authors", queryset=ReportAuthor.objects
                                           .select_related("membership__person")))
                .order_by("-submitted_on", "-pk"))


def live_assignments(proposals) -> dict[int, list[Assignment]]:
    """Assignments still tying a unit to each proposal's lead, keyed by the lead's id."""
    lead_ids = {p.merged_into_id or p.pk for p in proposals}
    grouped: dict[int, list[Assignment]] = {}
    for a in (Assignment.objects.filter(proposal_id__in=lead_ids)
              .exclude(state__in=GONE_ASSIGNMENT_STATES).select_related("unit")
              .order_by("proposal_id", "assigned_on", "id")):
        grouped.setdefault(a.proposal_id, []).append(a)
    return grouped


def my_authorship(proposal: Proposal, membership) -> ProposalAuthor | None:
    return next((a for a in proposal.authors.all() if a.membership_id == membership.pk), None)


def rated_this_round(proposal: Proposal) -> bool:
    return any(r.round == proposal.round for r in proposal.my_ratings)


def next_follow_up(proposal: Proposal) -> FollowUp | None:
    return next((f for f in proposal.follow_ups.all() if f.reviewed_on is None), None)


def rating_clock(clock: DeadlineClock, proposal: Proposal):
    """(due, colour) of the member's rating of the current reply."""
    due = timers.rating_due(proposal)
    return due, clock.colour(proposal.committee, "proposal_rating", due)


def _report_edit_colour(report: OpinionReport) -> str:
    from shixiao.reports.services import edit_colour

    return edit_colour(report)


def proposal_items(proposal: Proposal, membership, clock: DeadlineClock) -> list[OpenItem]:
    """What is open on one proposal for this seat."""
    url = reverse("proposals:detail", args=[proposal.pk])
    item = lambda what, **kw: OpenItem(proposal, "proposal", proposal.title, url,  # noqa: E731
                                       what, **kw)
    state, me = proposal.state, my_authorship(proposal, membership)
    items = []
    if state in EDITABLE and me is not None and me.role == AuthorRole.CO_SIGNER \
            and not me.confirmed_on:
        items.append(item(_("Confirm your co-signature"), mine=True, action_url=url))
    if state == P.RETURNED and me is not None and me.rank == 1:
        items.append(item(_("Returned for editing: revise and submit again"), mine=True,
                          action_url=url))
    if state in AWAITING_REVIEW:
        items.append(item(_("Awaiting review and registration")))
    elif state == P.REGISTERED:
        items.append(item(_("Registered; awaiting assignment to handling units")))
    elif state in HANDLING:
        items.append(item(_("Awaiting the handling units' reply"), due=proposal.reply_due,
                          colour=clock.reply(proposal)))
    if state in RATEABLE and me is not None and not rated_this_round(proposal):
        due, colour = rating_clock(clock, proposal)
        items.append(item(_("Rate the reply"), mine=True, due=due, colour=colour,
                          action_url=url))
    follow_up = next_follow_up(proposal) if state in TRACKING else None
    if follow_up is not None:
        items.append(item(
            _("Follow-up review %(months)s months after the reply")
            % {"months": follow_up.horizon_months},
            due=follow_up.due, colour=clock.follow_up(follow_up, proposal.committee)))
    return items


def report_items(report: OpinionReport) -> list[OpenItem]:
    url = reverse("reports:detail", args=[report.pk])
    if report.state in REPORT_IN_OFFICE:
        return [OpenItem(report, "report", report.title, url,
                         _("With the office: being edited before it is sent"),
                         due=report.edit_due, colour=_report_edit_colour(report))]
    if report.state == R.SENT and not report.adoptions.all():
        return [OpenItem(report, "report", report.title, url,
                         _("Sent upward; not adopted yet"))]
    return []


def open_items(user, membership, clock: DeadlineClock | None = None, *,
               proposals=None, reports=None) -> list[OpenItem]:
    """Everything open for the seat: the member's own actions first, then by due date."""
    if membership is None:
        return []
    clock = clock or DeadlineClock()
    proposals = my_proposals(user, membership) if proposals is None else proposals
    reports = my_reports(user, membership) if reports is None else reports
    items = [i for p in proposals for i in proposal_items(p, membership, clock)]
    items += [i for r in reports for i in report_items(r)]
    return sorted(items, key=lambda i: i.sort_key)


def work_rows(user, membership, clock: DeadlineClock | None = None) -> list[WorkRow]:
    """The seat's proposals and reports in one list: drafts first, then newest first."""
    clock = clock or DeadlineClock()
    rows = []
    for p in my_proposals(user, membership):
        row = WorkRow(p, "proposal", p.title, reverse("proposals:detail", args=[p.pk]),
                      p.state, p.get_state_display(), STATE_COLOURS.get(p.state, "grey"),
                      p.state in EDITABLE, p.submitted_on)
        if p.state in HANDLING:
            row.due, row.colour, row.due_label = p.reply_due, clock.reply(p), _("Reply due")
        elif p.state in RATEABLE and not rated_this_round(p) and my_authorship(p, membership):
            row.due, row.colour = rating_clock(clock, p)
            row.due_label = _("Your rating due")
        elif (f := next_follow_up(p)) is not None and p.state in TRACKING:
            row.due, row.colour = f.due, clock.follow_up(f, p.committee)
            row.due_label = _("Follow-up review due")
        if p.display_number:
            row.notes.append(_("No. %(number)s") % {"number": p.display_number})
        rows.append(row)
    for r in my_reports(user, membership):
        row = WorkRow(r, "report", r.title, reverse("reports:detail", args=[r.pk]), r.state,
                      r.get_state_display(), r.state_colour(), r.state == R.DRAFT,
                      r.submitted_on)
        if r.state in REPORT_IN_OFFICE and r.edit_due:
            row.due, row.colour = r.edit_due, _report_edit_colour(r)
            row.due_label = _("Editing due")
        row.notes += [_("Adopted · %(level)s") % {"level": a.get_level_display()}
                      for a in r.adoptions.all()]
        row.notes += [_("Endorsed · %(level)s") % {"level": e.get_level_display()}
                      for e in r.endorsements.all()]
        rows.append(row)
    return sorted(rows, key=lambda row: (not row.draft, -(row.on or dt.date.min).toordinal(),
                                         -row.record.pk))
