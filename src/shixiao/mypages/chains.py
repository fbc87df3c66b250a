"""What became of a proposal or report so far, as a chain of steps read from its record:
registered → assigned → replied → rated → followed up → closed; submitted → sent →
adopted → endorsed. Steps not reached yet are listed too, so a member sees what is next."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shixiao.proposals.choices import Outcome, Satisfaction
from shixiao.proposals.models import Proposal
from shixiao.proposals.queries import DeadlineClock
from shixiao.reports.models import OpinionReport, ReportState

from . import casework
from .casework import P


@dataclass
class Step:
    label: str
    on: dt.date | None = None
    detail: str = ""
    done: bool = True
    due: dt.date | None = None
    colour: str = "none"


def _satisfaction(value: str) -> str:
    return str(Satisfaction(value).label) if value in Satisfaction.values else value


def _outcome(value: str) -> str:
    return str(Outcome(value).label) if value in Outcome.values else value


def proposal_chain(proposal: Proposal, membership, assignments: dict,
                   clock: DeadlineClock) -> list[Step]:
    """The proposal's outcome so far (`assignments` from casework.live_assignments)."""
    p = proposal
    if p.state in casework.EDITABLE:
        return [Step(_("Draft, not submitted yet"), done=False)]
    steps = [Step(_("Submitted"), p.submitted_on)]
    if p.state == P.NOT_REGISTERED:
        reason = p.not_registered_reason.label if p.not_registered_reason_id else ""
        detail = " · ".join(x for x in (reason, p.reason_note) if x)
        return steps + [Step(_("Not registered"), p.reviewed_on, detail)]
    if p.state == P.CONVERTED:
        reports = list(p.converted_reports.all())
        detail = "、".join(r.title for r in reports)
        return steps + [Step(_("Converted to an opinion report"), p.reviewed_on, detail)]
    if p.merged_into_id:
        steps.append(Step(_("Merged into another proposal"), p.reviewed_on,
                          p.merged_into.title))
    if p.state in casework.AWAITING_REVIEW:
        steps.append(Step(_("Registration"), detail=_("Being reviewed"), done=False))
    else:
        steps.append(Step(_("Registered"), p.registered_on,
                          _("No. %(n)s") % {"n": p.display_number} if p.number else ""))
    units = assignments.get(p.merged_into_id or p.pk, [])
    if units:
        steps.append(Step(_("Assigned"), min(a.assigned_on for a in units),
                          "、".join(f"{a.unit.name}（{a.get_role_display()}）" for a in units)))
    else:
        steps.append(Step(_("Assignment to handling units"), done=False))
    replies = sorted(p.replies.all(), key=lambda r: (r.round, r.replied_on, r.pk))
    for reply in replies:
        steps.append(Step(_("Replied"), reply.replied_on,
                          f"{reply.grade.code} {reply.grade.label}"
                          + (_(" · round %(n)s") % {"n": reply.round} if reply.round > 1
                             else "")))
    if p.state in casework.HANDLING or not replies:
        steps.append(Step(_("Reply"), done=False, due=p.reply_due,
                          colour=clock.reply(p) if p.state in casework.HANDLING else "none"))
    for rating in sorted(p.my_ratings, key=lambda r: r.round):
        steps.append(Step(_("Rated by you"), rating.rated_on, _(
            "process: %(process)s; result: %(result)s") % {
                "process": _satisfaction(rating.process),
                "result": _satisfaction(rating.result)}))
    if p.state in casework.RATEABLE and not casework.rated_this_round(p) \
            and casework.my_authorship(p, membership) is not None:
        due, colour = casework.rating_clock(clock, p)
        steps.append(Step(_("Your rating of the reply"), done=False, due=due, colour=colour))
    for f in p.follow_ups.all():
        label = _("Follow-up at %(months)s months") % {"months": f.horizon_months}
        if f.reviewed_on:
            steps.append(Step(label, f.reviewed_on, _outcome(f.finding)))
        else:
            steps.append(Step(label, done=False, due=f.due,
                              colour=clock.follow_up(f, p.committee)))
    if p.is_key:
        steps.append(Step(_("Chosen as a key proposal")))
    if p.excellent_year:
        steps.append(Step(_("Excellent proposal of %(year)s") % {"year": p.excellent_year}))
    for e in p.endorsements.all():
        steps.append(Step(_("Endorsed by a leader"), e.on,
                          f"{e.get_level_display()} · {e.leader}"))
    if p.state == P.CLOSED:
        steps.append(Step(_("Closed"), p.closed_on, _outcome(p.outcome)))
    elif replies:
        steps.append(Step(_("Closure with a verified outcome"), done=False))
    return steps


def report_chain(report: OpinionReport) -> list[Step]:
    r, S = report, ReportState
    if r.state == S.DRAFT:
        return [Step(_("Draft, not submitted yet"), done=False)]
    steps = [Step(_("Submitted"), r.submitted_on)]
    if r.edited_on:
        steps.append(Step(_("Edited by the office"), r.edited_on))
    sends = list(r.sends.all())
    for s in sends:
        steps.append(Step(_("Sent upward"), s.on, f"{s.get_to_level_display()} · {s.recipient}"))
    if r.state == S.NOT_USED:
        return steps + [Step(_("Not used"), r.closed_on, r.not_used_reason)]
    if not sends:
        steps.append(Step(_("Sending upward"), done=False, due=r.edit_due,
                          colour=casework._report_edit_colour(r)))
    adoptions = list(r.adoptions.all())
    for a in adoptions:
        detail = " · ".join(x for x in (a.get_level_display(), a.body, a.issue_no) if x)
        steps.append(Step(_("Adopted"), a.on, detail))
    if not adoptions:
        steps.append(Step(_("Adoption"), done=False))
    for e in r.endorsements.all():
        steps.append(Step(_("Endorsed by a leader"), e.on,
                          f"{e.get_level_display()} · {e.leader}"))
    return steps
