"""After the reply: follow-up reviews (回头看) at the policy's horizons, closure only with a
verified outcome, and the honours and facts that attach to a proposal (key proposal,
excellent proposal, a leader's endorsement, disclosure)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shixiao.assessment.entries import LEVELS
from shixiao.audit import services as audit
from shixiao.core.errors import DomainError
from shixiao.core.services import check_version

from . import ledgering
from .choices import Outcome, ProposalState
from .defaults import policy_for
from .models import (
    GONE_ASSIGNMENT_STATES,
    Endorsement,
    FollowUp,
    FollowUpProgress,
    Proposal,
    Reply,
)
from .service_helpers import (
    MANAGE,
    audit_create,
    audit_update,
    lock,
    require_manager,
    require_state,
    require_unit,
    save,
    today,
)

S = ProposalState
#: After the reply, while the outcome is still being established.
TRACKING = (S.REPLIED, S.FOLLOW_UP, S.REHANDLING)
#: From registration on: the proposal exists as a registered item.
REGISTERED_ON = (S.REGISTERED, S.MERGED, S.ASSIGNED, S.REPLIED, S.REHANDLING, S.FOLLOW_UP,
                 S.CLOSED)


def _due_after(proposal: Proposal, start: dt.date, months: int) -> dt.date:
    from shixiao.deadlines import services

    return services.due_after(proposal.committee, start, months)


def schedule_follow_ups(proposal: Proposal, *, replied_on: dt.date, actor=None) -> list[FollowUp]:
    """One follow-up review per horizon of the committee's policy (e.g. 6, 12 and 24 months
    after the reply). Called by `reply` when a reply's grade needs follow-up; runs inside
    the caller's transaction."""
    created = []
    for months in sorted({int(m) for m in policy_for(proposal.committee).follow_up_horizons}):
        follow_up = FollowUp.objects.create(proposal=proposal, horizon_months=months,
                                            due=_due_after(proposal, replied_on, months))
        audit_create(actor, follow_up, proposal.committee_id, "follow-up scheduled")
        created.append(follow_up)
    return created


def add_follow_up(actor, proposal: Proposal, *, horizon_months: int,
                  due: dt.date | None = None, on: dt.date | None = None) -> FollowUp:
    """An extra follow-up review: to verify an 'adopted' (A) reply, which schedules none,
    or to look again later than the policy's horizons."""
    require_manager(actor, proposal)
    on = today(on)
    if horizon_months is None or int(horizon_months) < 0:
        raise ValidationError({"horizon_months": _("Give the months after the reply.")})
    with transaction.atomic():
        p = lock(proposal)
        require_state(p, TRACKING, _(
            "Follow-up reviews come after the reply; this proposal is %(state)s."))
        due = due or _due_after(p, p.replied_on or on, int(horizon_months))
        follow_up = FollowUp.objects.create(proposal=p, horizon_months=horizon_months, due=due)
        audit_create(actor, follow_up, p.committee_id, "follow-up added")
        before = audit.snapshot(p)
        save(actor, p, before, action="follow_up_added", on=on, horizon=int(horizon_months),
             due=str(due))
    return follow_up


def _start_tracking(actor, p: Proposal, before: dict, on: dt.date, action: str, **data):
    if p.state == S.REPLIED:
        p.state = S.FOLLOW_UP
    save(actor, p, before, action=action, on=on, **data)


def report_progress(actor, follow_up: FollowUp, *, text: str,
                    on: dt.date | None = None) -> FollowUpProgress:
    """A unit handling the proposal reports what has been done since the reply."""
    require_unit(actor, follow_up.proposal)
    on = today(on)
    if not (text or "").strip():
        raise ValidationError({"text": _("Describe the progress.")})
    with transaction.atomic():
        p = lock(follow_up.proposal)
        handles = p.lead.assignments.filter(unit_id=actor.handling_unit_id).exclude(
            state__in=GONE_ASSIGNMENT_STATES).exists()
        if not handles:
            raise PermissionDenied(_("Your unit does not handle this proposal."))
        require_state(p, TRACKING, _(
            "Progress is reported after the reply; this proposal is %(state)s."))
        f = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if f.reviewed:
            raise DomainError(_("This follow-up was reviewed on %(date)s; report progress on "
                                "the next one.") % {"date": f.reviewed_on})
        progress = FollowUpProgress.objects.create(follow_up=f, unit_id=actor.handling_unit_id,
                                                   text=text, reported_on=on)
        audit_create(actor, progress, p.committee_id, "progress reported")
        _start_tracking(actor, p, audit.snapshot(p), on, "progress_reported",
                        follow_up=f.pk, unit=actor.handling_unit_id)
    return progress


def _record_finding(p: Proposal, f: FollowUp, on: dt.date) -> None:
    """The ledger follows the latest finding: one `effect_verified` per proposal (a later
    fulfilled review lengthens its horizon instead of counting again), voided if a later
    review finds the promise unkept."""
    if f.finding == Outcome.FULFILLED:
        if ledgering.has_entry(p, "effect_verified"):
            for entry in ledgering.live_entries(p, "effect_verified"):
                if f.horizon_months > int(entry.attrs.get("horizon_months") or 0):
                    ledgering.correct_all(p, "effect_verified", effective=on,
                                          reason="still fulfilled at a later horizon",
                                          horizon_months=f.horizon_months)
                break
        else:
            extra = {"horizon_months": f.horizon_months}
            if ledgering.unit_count(p) >= ledgering.HARD_UNITS:
                extra["difficulty"] = "hard"
            ledgering.record_for_authors(p, "effect_verified", date=on, **extra)
        ledgering.void_all(p, "effect_unkept", effective=on,
                           reason="a later review found it fulfilled")
    elif f.finding == Outcome.UNKEPT:
        ledgering.void_all(p, "effect_verified", effective=on,
                           reason="a later review found the promise unkept")
        if not ledgering.has_entry(p, "effect_unkept"):
            ledgering.record_for_authors(p, "effect_unkept", date=on,
                                         horizon_months=f.horizon_months)


def review_follow_up(actor, follow_up: FollowUp, *, finding: str, evidence: str,
                     member_took_part: bool = False, version: int | None = None,
                     on: dt.date | None = None) -> FollowUp:
    """The office records what a follow-up found, with evidence. Fulfilled records the
    authors' `effect_verified` (with the horizon), unkept `effect_unkept`; authors who took
    part in the review get `follow_up_review`."""
    require_manager(actor, follow_up.proposal)
    on = today(on)
    errors = {}
    if finding not in (Outcome.FULFILLED, Outcome.PARTLY, Outcome.UNKEPT):
        errors["finding"] = _("Say what the review found: fulfilled, partly fulfilled or "
                              "not kept.")
    if not (evidence or "").strip():
        errors["evidence"] = _("A finding needs its evidence: what was seen, by whom, and "
                               "where the documents are.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        p = lock(follow_up.proposal)
        f = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        check_version(f, version)
        require_state(p, TRACKING, _(
            "Follow-up reviews come after the reply; this proposal is %(state)s."))
        if f.reviewed:
            raise DomainError(_("This follow-up was already reviewed on %(date)s; add another "
                                "follow-up to look again.") % {"date": f.reviewed_on})
        before = audit.snapshot(f)
        f.finding, f.evidence, f.member_took_part = finding, evidence, member_took_part
        f.reviewed_on = on
        f.reviewed_by = actor if getattr(actor, "pk", None) else None
        f.version += 1
        f.save()
        audit_update(actor, f, before, p.committee_id, "follow-up reviewed")
        _start_tracking(actor, p, audit.snapshot(p), on, "follow_up_reviewed",
                        follow_up=f.pk, finding=finding, horizon=f.horizon_months)
        if member_took_part:
            ledgering.record_for_authors(p, "follow_up_review", date=on,
                                         horizon_months=f.horizon_months)
        _record_finding(p, f, on)
    return f


def close(actor, proposal: Proposal, *, outcome: str, version: int | None = None,
          on: dt.date | None = None) -> Proposal:
    """Close a proposal with its verified outcome. Refused while a follow-up due by now is
    unreviewed, and unless the latest follow-up review found this outcome with evidence.
    With no outcome ("") only a proposal whose reply promised nothing (no grade that is
    adopted or needs follow-up) can close."""
    require_manager(actor, proposal)
    on = today(on)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose fulfilled, partly fulfilled or not kept.")})
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, (S.REPLIED, S.FOLLOW_UP), _(
            "Only a replied proposal can be closed; this one is %(state)s."))
        pending = [f.due for f in p.follow_ups.filter(reviewed_on__isnull=True, due__lte=on)]
        if pending:
            raise DomainError(_(
                "Follow-up reviews due on %(dates)s have not been reviewed; review them "
                "before closing.") % {"dates": ", ".join(str(d) for d in pending)})
        latest = p.follow_ups.filter(reviewed_on__isnull=False).order_by(
            "-reviewed_on", "-id").first()
        if outcome:
            if latest is None or latest.finding != outcome or not latest.evidence.strip():
                raise DomainError(_(
                    "Closing with an unverified outcome is refused: no follow-up review has "
                    "found “%(outcome)s” with evidence. Review a follow-up first.")
                    % {"outcome": Outcome(outcome).label})
        else:
            grades = [r.grade for r in Reply.objects.filter(proposal=p, round=p.round)
                      .select_related("grade")]
            if any(g.counts_as_adopted or g.needs_follow_up for g in grades):
                raise DomainError(_(
                    "The reply promised action, so the proposal closes only with a verified "
                    "outcome; review a follow-up and close with what it found."))
        before = audit.snapshot(p)
        p.state, p.outcome, p.closed_on = S.CLOSED, outcome, on
        save(actor, p, before, action="closed", on=on, outcome=outcome,
             follow_up=latest.pk if latest else None)
    return p


def mark_key(actor, proposal: Proposal, supervisor, *, version: int | None = None,
             on: dt.date | None = None) -> Proposal:
    """Choose a registered proposal as a key proposal (重点提案) under a supervisor (督办)."""
    require_manager(actor, proposal)
    on = today(on)
    if supervisor is None or supervisor.committee_id != proposal.committee_id or not (
            supervisor.has_perm("proposals.supervise_proposal") or supervisor.has_perm(MANAGE)):
        raise ValidationError({"supervisor": _("Choose a leader or office member of this "
                                               "committee to supervise it.")})
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, (S.REGISTERED, S.ASSIGNED, S.REPLIED, S.REHANDLING, S.FOLLOW_UP), _(
            "Key proposals are chosen among registered proposals still in hand; this one is "
            "%(state)s."))
        if p.is_key:
            raise DomainError(_("This proposal is already a key proposal."))
        before = audit.snapshot(p)
        p.is_key, p.key_supervisor = True, supervisor
        save(actor, p, before, action="marked_key", on=on, supervisor=supervisor.pk)
        ledgering.record_for_authors(p, "key", date=on)
    return p


def select_excellent(actor, proposal: Proposal, *, year: int, version: int | None = None,
                     on: dt.date | None = None) -> Proposal:
    """Select a replied proposal as an excellent proposal of `year` (优秀提案). The ledger
    entry is dated within that year and counts from the day of selection."""
    require_manager(actor, proposal)
    on = today(on)
    if not isinstance(year, int) or year > on.year or year < proposal.year:
        raise ValidationError({"year": _("Give a year from the proposal's year up to this "
                                         "year.")})
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, (S.REPLIED, S.FOLLOW_UP, S.CLOSED), _(
            "Excellent proposals are chosen for their results, after the reply; this one is "
            "%(state)s."))
        if p.excellent_year:
            raise DomainError(_("This proposal was already selected as excellent for "
                                "%(year)s.") % {"year": p.excellent_year})
        before = audit.snapshot(p)
        p.excellent_year = year
        save(actor, p, before, action="selected_excellent", on=on, year=year)
        ledgering.record_for_authors(p, "excellent", date=min(on, dt.date(year, 12, 31)),
                                     effective=on)
    return p


def set_disclosure(actor, proposal: Proposal, *, public: bool, reason: str,
                   version: int | None = None, on: dt.date | None = None) -> Proposal:
    """Make a proposal (and its reply) public or not, saying why (e.g. the authors agreed)."""
    require_manager(actor, proposal)
    on = today(on)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the proposal is or is not public.")})
    with transaction.atomic():
        p = lock(proposal, version)
        if p.state == S.DRAFT:
            raise DomainError(_("A draft cannot be made public."))
        before = audit.snapshot(p)
        p.public, p.public_reason = bool(public), reason
        save(actor, p, before, action="disclosure", on=on, note=reason, public=bool(public))
    return p


def record_endorsement(actor, proposal: Proposal, *, level: str, leader: str, on: dt.date,
                       note: str = "") -> Endorsement:
    """Record a leader's written instruction (批示) on a proposal, at its level; the authors
    get an `endorsed` entry at that level."""
    require_manager(actor, proposal)
    errors = {}
    if level not in LEVELS:
        errors["level"] = _("Choose national, provincial, prefecture or county.")
    if not (leader or "").strip():
        errors["leader"] = _("Name the leader who gave the instruction.")
    if not isinstance(on, dt.date):
        errors["on"] = _("Give the date of the instruction.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        p = lock(proposal)
        require_state(p, REGISTERED_ON, _(
            "Endorsements are recorded on registered proposals; this one is %(state)s."))
        endorsement = Endorsement.objects.create(proposal=p, level=level, leader=leader,
                                                 on=on, note=note)
        audit_create(actor, endorsement, p.committee_id, "endorsement recorded")
        save(actor, p, audit.snapshot(p), action="endorsed", on=on, note=note, level=level,
             leader=leader)
        ledgering.record_for_authors(p, "endorsed", date=on, level=level)
    return endorsement

