"""Handling: assignment to units (交办), objections and reassignment, extensions, replies
(答复), co-handling opinions, members' ratings and re-handling (再办理)."""

import datetime as dt
from contextlib import contextmanager
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shixiao.audit import services as audit
from shixiao.core.errors import DomainError
from shixiao.core.services import check_version, require_in_scope, require_perm
from shixiao.orgs.models import HandlingUnit

from . import ledgering
from .choices import (
    REPLYING_ROLES,
    AssignmentRole,
    AssignmentState,
    HandlingMode,
    ProposalState,
    Satisfaction,
)
from .defaults import policy_for
from .models import (
    Assignment,
    CoOpinion,
    Proposal,
    Rating,
    Reply,
    ReplyAttachment,
    ResultGrade,
)
from .service_helpers import (
    RATE,
    audit_create,
    audit_update,
    author_of,
    event,
    lock,
    require_manager,
    require_own_assignment,
    require_state,
    save,
    today,
)

S = ProposalState
A = AssignmentState
#: States in which units handle a proposal and may reply.
HANDLING = (S.ASSIGNED, S.REHANDLING)
#: States in which the current round has its replies and authors may rate them.
RATEABLE = (S.REPLIED, S.FOLLOW_UP)
#: Assignments still waiting for or holding a reply.
LIVE = (A.ASSIGNED, A.OBJECTED, A.REPLIED)


def _deadlines():
    from shixiao.deadlines import services

    return services


def _reply_due(proposal: Proposal, role: str, start: dt.date, extended: bool) -> dt.date:
    code = "proposal_co_handling" if role == AssignmentRole.CO else "proposal_reply"
    return _deadlines().due_date(proposal.committee, code, start, extended=extended)


def _objection_due(proposal: Proposal, start: dt.date) -> dt.date:
    return _deadlines().due_date(proposal.committee, "proposal_objection", start)


def _roles_for(mode: str, units: list) -> list[tuple[HandlingUnit, str]]:
    """Accept units alone (roles follow from the mode: the first is the lead) or
    (unit, role) pairs."""
    pairs = []
    for index, item in enumerate(units):
        if isinstance(item, (tuple, list)):
            pairs.append((item[0], item[1]))
        elif mode == HandlingMode.SINGLE:
            pairs.append((item, AssignmentRole.SOLE))
        elif mode == HandlingMode.SEPARATE:
            pairs.append((item, AssignmentRole.SEPARATE))
        else:
            pairs.append((item, AssignmentRole.LEAD if index == 0 else AssignmentRole.CO))
    return pairs


def _validate_assignment(proposal: Proposal, mode: str, pairs: list) -> None:
    roles = [role for _unit, role in pairs]
    expected = {
        HandlingMode.SINGLE: (len(pairs) == 1 and roles == [AssignmentRole.SOLE],
                              _("Single handling gives the proposal to exactly one unit.")),
        HandlingMode.SEPARATE: (len(pairs) >= 2 and set(roles) == {AssignmentRole.SEPARATE},
                                _("Separate handling needs two or more units, each replying "
                                  "separately.")),
        HandlingMode.LEAD_CO: (roles.count(AssignmentRole.LEAD) == 1 and len(pairs) >= 2
                               and set(roles) <= {AssignmentRole.LEAD, AssignmentRole.CO},
                               _("Lead and co-handling needs one lead unit and at least one "
                                 "co-handling unit.")),
    }
    if mode not in expected:
        raise ValidationError({"mode": _("Choose single, separate, or lead and co-handling.")})
    ok, message = expected[mode]
    if not ok:
        raise ValidationError({"units": message})
    if len({unit.pk for unit, _role in pairs}) != len(pairs):
        raise ValidationError({"units": _("Each unit can be assigned only once.")})
    if any(unit.committee_id != proposal.committee_id for unit, _role in pairs):
        raise ValidationError({"units": _("Every unit must be a handling unit of this "
                                          "committee.")})


def _refresh_reply_due(proposal: Proposal) -> None:
    """The proposal's reply is due when its last replying unit's reply is due."""
    dues = [a.reply_due for a in proposal.lead.assignments.filter(
        role__in=REPLYING_ROLES, state__in=LIVE) if a.reply_due]
    proposal.reply_due = max(dues) if dues else None


def _followers(lead: Proposal):
    return lead.merged.select_for_update().order_by("pk")


def assign(actor, proposal: Proposal, *, mode: str, units: list, version: int | None = None,
           on: dt.date | None = None) -> Proposal:
    """Hand a registered proposal to its unit(s) (交办). `units` lists units, or (unit, role)
    pairs. Reply and objection deadlines come from the committee's deadline rules. Proposals
    merged into this one follow it; the authors' `registered` entries gain `units`."""
    require_manager(actor, proposal)
    on = today(on)
    pairs = _roles_for(mode, list(units))
    _validate_assignment(proposal, mode, pairs)
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, (S.REGISTERED,), _(
            "Only a registered proposal can be assigned to units; this one is %(state)s."))
        before = audit.snapshot(p)
        for unit, role in pairs:
            assignment = Assignment.objects.create(
                proposal=p, unit=unit, role=role, assigned_on=on,
                objection_due=_objection_due(p, on),
                reply_due=_reply_due(p, role, on, p.extension_approved))
            audit_create(actor, assignment, p.committee_id, "assigned")
        p.state = S.ASSIGNED
        p.handling_mode = mode
        _refresh_reply_due(p)
        save(actor, p, before, action="assigned", on=on,
             units=[[unit.pk, role] for unit, role in pairs])
        count = len(pairs)
        reason = "assigned to handling units"
        ledgering.correct_all(p, "registered", effective=on, reason=reason, units=count)
        for follower in _followers(p):
            f_before = audit.snapshot(follower)
            follower.state = S.ASSIGNED
            follower.handling_mode, follower.reply_due = p.handling_mode, p.reply_due
            save(actor, follower, f_before, action="assigned_with_lead", on=on, lead=p.pk)
            ledgering.correct_all(follower, "registered", effective=on, reason=reason,
                                  units=count)
    return p


def object_to_assignment(actor, assignment: Assignment, *, reason: str,
                         version: int | None = None, on: dt.date | None = None) -> Assignment:
    """A unit objects that a proposal is not its business (退回), within the window only:
    the unit may not pass the item on by itself, and late objections are refused."""
    require_own_assignment(actor, assignment)
    on = today(on)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why this proposal is not your unit's.")})
    with transaction.atomic():
        p = lock(assignment.proposal)
        a = Assignment.objects.select_for_update().get(pk=assignment.pk)
        check_version(a, version)
        if a.state != A.ASSIGNED:
            raise DomainError(_("Only a current assignment can be objected to; this one is "
                                "%(state)s.") % {"state": a.get_state_display()})
        if a.objection_due and on > a.objection_due:
            raise DomainError(_(
                "The window to object to this assignment closed on %(due)s. Late objections "
                "are not accepted; handle the proposal or ask the office.")
                % {"due": a.objection_due})
        before = audit.snapshot(a)
        a.state, a.objection_reason, a.objected_on = A.OBJECTED, reason, on
        a.version += 1
        a.save()
        audit_update(actor, a, before, p.committee_id, reason)
        event(p, "objected", actor, on, reason, unit=a.unit_id, assignment=a.pk)
    return a


def uphold_assignment(actor, assignment: Assignment, *, note: str = "",
                      version: int | None = None, on: dt.date | None = None) -> Assignment:
    """The office rejects a unit's objection: the assignment stands."""
    require_manager(actor, assignment.proposal)
    on = today(on)
    with transaction.atomic():
        p = lock(assignment.proposal)
        a = Assignment.objects.select_for_update().get(pk=assignment.pk)
        check_version(a, version)
        if a.state != A.OBJECTED:
            raise DomainError(_("Only an objected assignment can be upheld; this one is "
                                "%(state)s.") % {"state": a.get_state_display()})
        before = audit.snapshot(a)
        a.state = A.ASSIGNED
        a.version += 1
        a.save()
        audit_update(actor, a, before, p.committee_id, note or "objection rejected")
        event(p, "assignment_upheld", actor, on, note, unit=a.unit_id, assignment=a.pk)
    return a


def reassign(actor, assignment: Assignment, new_unit: HandlingUnit, *, note: str = "",
             version: int | None = None, on: dt.date | None = None) -> Assignment:
    """Give an assignment (usually after an objection) to another unit, in the same role,
    with fresh deadlines. The old row is kept as `reassigned`. Returns the new one."""
    require_manager(actor, assignment.proposal)
    on = today(on)
    if new_unit.committee_id != assignment.proposal.committee_id:
        raise ValidationError({"new_unit": _("The unit belongs to another committee.")})
    with transaction.atomic():
        p = lock(assignment.proposal)
        old = Assignment.objects.select_for_update().get(pk=assignment.pk)
        check_version(old, version)
        require_state(p, HANDLING, _(
            "Only a proposal being handled can be reassigned; this one is %(state)s."))
        if old.state not in (A.ASSIGNED, A.OBJECTED):
            raise DomainError(_("This assignment is %(state)s and cannot be reassigned.")
                              % {"state": old.get_state_display()})
        if p.assignments.filter(unit=new_unit, state__in=LIVE).exists():
            raise ValidationError({"new_unit": _("This unit already handles the proposal.")})
        before = audit.snapshot(old)
        old.state = A.REASSIGNED
        old.version += 1
        old.save()
        audit_update(actor, old, before, p.committee_id, note or "reassigned")
        new = Assignment.objects.create(
            proposal=p, unit=new_unit, role=old.role, assigned_on=on,
            objection_due=_objection_due(p, on),
            reply_due=_reply_due(p, old.role, on, p.extension_approved), replaces=old)
        audit_create(actor, new, p.committee_id, note or "reassigned")
        p_before = audit.snapshot(p)
        _refresh_reply_due(p)
        save(actor, p, p_before, action="reassigned", on=on, note=note,
             old_unit=old.unit_id, new_unit=new_unit.pk)
        for follower in _followers(p):
            f_before = audit.snapshot(follower)
            follower.reply_due = p.reply_due
            save(actor, follower, f_before, action="reassigned_with_lead", on=on, lead=p.pk)
    return new


def approve_extension(actor, proposal: Proposal, *, note: str = "",
                      version: int | None = None, on: dt.date | None = None) -> Proposal:
    """Approve a longer reply period (e.g. 3 → 6 months, explained in advance)."""
    require_manager(actor, proposal)
    on = today(on)
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, HANDLING, _(
            "An extension is for a proposal being handled; this one is %(state)s."))
        if p.merged_into_id:
            raise DomainError(_("This proposal follows the one it was merged into; extend "
                                "that one."))
        if p.extension_approved:
            raise DomainError(_("An extension was already approved; the reply is due on "
                                "%(due)s.") % {"due": p.reply_due})
        before = audit.snapshot(p)
        round_start = _round_start(p)
        # Co-handling opinions keep their own (shorter) deadline: the lead needs them in time.
        for a in p.assignments.select_for_update().filter(
                state__in=(A.ASSIGNED, A.OBJECTED), role__in=REPLYING_ROLES).order_by("pk"):
            a_before = audit.snapshot(a)
            # The longer period counts from when this round's handling began, as the
            # round's own due date did (request_rehandling), not from the first assignment.
            start = max(a.assigned_on, round_start) if round_start else a.assigned_on
            a.reply_due = _reply_due(p, a.role, start, True)
            a.version += 1
            a.save()
            audit_update(actor, a, a_before, p.committee_id, "extension approved")
        p.extension_approved = True
        _refresh_reply_due(p)
        save(actor, p, before, action="extension_approved", on=on, note=note,
             reply_due=str(p.reply_due))
        for follower in _followers(p):
            f_before = audit.snapshot(follower)
            follower.extension_approved, follower.reply_due = True, p.reply_due
            save(actor, follower, f_before, action="extension_approved", on=on, lead=p.pk)
    return p


def _round_start(proposal: Proposal) -> dt.date | None:
    """The day the current re-handling round began; None in the first round."""
    if proposal.round <= 1:
        return None
    event = (proposal.events.filter(action="rehandling").order_by("-on", "-pk")
             .values_list("on", flat=True).first())
    return event


def _validate_attachments(proposal: Proposal, attachments) -> list:
    policy = policy_for(proposal.committee)
    allowed = {ext.lower().lstrip(".") for ext in policy.attachment_extensions}
    limit = policy.attachment_max_mb * 1024 * 1024
    files = list(attachments or ())
    for f in files:
        name = PurePath(getattr(f, "name", "") or "").name
        ext = PurePath(name).suffix.lower().lstrip(".")
        if ext not in allowed:
            raise ValidationError({"attachments": _(
                "%(name)s: files of this type cannot be attached (allowed: %(allowed)s).")
                % {"name": name, "allowed": ", ".join(sorted(allowed))}})
        if f.size > limit:
            raise ValidationError({"attachments": _(
                "%(name)s is larger than %(mb)s MB.") % {"name": name,
                                                          "mb": policy.attachment_max_mb}})
    return files


def _covered(assignment: Assignment) -> list[Proposal]:
    """The proposals one assignment answers: its own and those merged into it."""
    return [assignment.proposal, *assignment.proposal.merged.all()]


def _required(target: Proposal):
    return target.lead.assignments.filter(role__in=REPLYING_ROLES, state__in=LIVE)


@contextmanager
def _attachment_files_undone_on_failure():
    """Yields a list for the names of the attachment files written inside; if the block
    fails they are deleted, since the rows naming them went with the transaction."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        storage = ReplyAttachment._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise


def reply(actor, assignment: Assignment, *, text: str, grade: ResultGrade,
          contacted_member: bool = False, proposal: Proposal | None = None,
          attachments=(), version: int | None = None, on: dt.date | None = None) -> Reply:
    """The assigned unit replies to the proposer in the current round. In a merge, pass the
    merged `proposal`: each proposer gets their own reply. A co-handling unit cannot reply
    to the proposer; it sends its opinion to the lead (`submit_co_opinion`). Once every
    replying unit has answered, the proposal is `replied`, follow-ups are scheduled if the
    grade needs them, and a grade that counts as adopted records the authors' `adopted`."""
    require_own_assignment(actor, assignment)
    on = today(on)
    if assignment.role == AssignmentRole.CO:
        raise DomainError(_("A co-handling unit sends its opinion to the lead unit, which "
                            "replies to the proposer; use “send co-handling opinion”."))
    target = proposal or assignment.proposal
    if target.pk != assignment.proposal_id and target.merged_into_id != assignment.proposal_id:
        raise DomainError(_("This reply can answer only the assigned proposal or one merged "
                            "into it."))
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the reply.")})
    if grade is None or grade.committee_id != target.committee_id or not grade.active:
        raise ValidationError({"grade": _("Choose one of this committee's result grades.")})
    files = _validate_attachments(target, attachments)
    with _attachment_files_undone_on_failure() as stored, transaction.atomic():
        p = lock(target, version)
        a = Assignment.objects.select_for_update().get(pk=assignment.pk)
        require_state(p, HANDLING, _(
            "Only a proposal being handled can be replied to; this one is %(state)s."))
        if a.state not in (A.ASSIGNED, A.REPLIED):
            raise DomainError(_("This assignment is %(state)s; the office must settle it "
                                "before your unit replies.") % {"state": a.get_state_display()})
        if Reply.objects.filter(assignment=a, proposal=p, round=p.round).exists():
            raise DomainError(_("Your unit has already replied to this proposal in round "
                                "%(round)s.") % {"round": p.round})
        answer = Reply.objects.create(assignment=a, proposal=p, round=p.round, text=text,
                                      grade=grade, contacted_member=contacted_member,
                                      replied_on=on,
                                      created_by=actor if getattr(actor, "pk", None) else None)
        for f in files:
            attachment = ReplyAttachment.objects.create(reply=answer, file=f, size=f.size,
                                                        name=PurePath(f.name).name[:200])
            stored.append(attachment.file.name)
        audit_create(actor, answer, p.committee_id, "replied")
        event(p, "reply_received", actor, on, unit=a.unit_id, reply=answer.pk,
              grade=grade.code, round=p.round)
        _settle_assignment(actor, a, p.committee_id)
        _complete_if_answered(actor, p, on)
    return answer


def _settle_assignment(actor, a: Assignment, committee_id: int) -> None:
    """An assignment is `replied` once every proposal it covers has its reply this round."""
    done = all(Reply.objects.filter(assignment=a, proposal=q, round=q.round).exists()
               for q in _covered(a))
    if done and a.state != A.REPLIED:
        before = audit.snapshot(a)
        a.state = A.REPLIED
        a.version += 1
        a.save()
        audit_update(actor, a, before, committee_id, "all replies sent")


def _complete_if_answered(actor, p: Proposal, on: dt.date) -> None:
    from .effect import schedule_follow_ups

    required = list(_required(p))
    replies = list(Reply.objects.filter(proposal=p, round=p.round).select_related("grade"))
    if not required or not {a.pk for a in required} <= {r.assignment_id for r in replies}:
        return
    before = audit.snapshot(p)
    p.state = S.REPLIED
    p.replied_on = on
    save(actor, p, before, action="replied", on=on, round=p.round,
         grades=[r.grade.code for r in replies])
    if any(r.grade.counts_as_adopted for r in replies) and not ledgering.has_entry(p, "adopted"):
        ledgering.record_for_authors(p, "adopted", date=on)
    if any(r.grade.needs_follow_up for r in replies) and not p.follow_ups.exists():
        schedule_follow_ups(p, replied_on=on, actor=actor)


def submit_co_opinion(actor, assignment: Assignment, *, text: str,
                      on: dt.date | None = None) -> CoOpinion:
    """A co-handling unit sends its opinion to the lead unit (会办意见)."""
    require_own_assignment(actor, assignment)
    on = today(on)
    if assignment.role != AssignmentRole.CO:
        raise DomainError(_("Only a co-handling unit sends an opinion to the lead; your unit "
                            "replies to the proposer."))
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the opinion.")})
    with transaction.atomic():
        p = lock(assignment.proposal)
        a = Assignment.objects.select_for_update().get(pk=assignment.pk)
        require_state(p, HANDLING, _(
            "Co-handling opinions are sent while the proposal is handled; this one is "
            "%(state)s."))
        if a.state not in (A.ASSIGNED, A.REPLIED):
            raise DomainError(_("This assignment is %(state)s.")
                              % {"state": a.get_state_display()})
        opinion = CoOpinion.objects.create(assignment=a, round=p.round, text=text,
                                           submitted_on=on,
                                           created_by=actor if getattr(actor, "pk", None)
                                           else None)
        audit_create(actor, opinion, p.committee_id, "co-handling opinion")
        if a.state != A.REPLIED:
            before = audit.snapshot(a)
            a.state = A.REPLIED
            a.version += 1
            a.save()
            audit_update(actor, a, before, p.committee_id, "co-handling opinion sent")
        event(p, "co_opinion_received", actor, on, unit=a.unit_id, opinion=opinion.pk)
    return opinion


def rate(actor, proposal: Proposal, *, process: str, result: str,
         contact_confirmed: bool | None = None, comment: str = "",
         on: dt.date | None = None) -> Rating:
    """An author rates the reply of the current round: the handling process and the result
    separately, and whether the unit really contacted them as its reply claims. Once per
    author per round; never visible to the handling unit."""
    require_perm(actor, RATE)
    require_in_scope(actor, proposal)
    on = today(on)
    choices = set(Satisfaction.values)
    errors = {}
    if process not in choices:
        errors["process"] = _("Rate the handling process: satisfied, basically satisfied or "
                              "unsatisfied.")
    if result not in choices:
        errors["result"] = _("Rate the result: satisfied, basically satisfied or "
                             "unsatisfied.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        p = lock(proposal)
        author = author_of(actor, p)
        if author is None:
            raise PermissionDenied(_("Only the proposal's authors rate its reply; you are not "
                                     "one of them."))
        require_state(p, RATEABLE, _(
            "A proposal can only be rated after a reply; this one is %(state)s."))
        if Rating.objects.filter(proposal=p, author=author, round=p.round).exists():
            raise DomainError(_("You have already rated the reply of round %(round)s.")
                              % {"round": p.round})
        rating = Rating.objects.create(proposal=p, author=author, round=p.round,
                                       process=process, result=result,
                                       contact_confirmed=contact_confirmed, comment=comment,
                                       rated_on=on)
        audit_create(actor, rating, p.committee_id, "rated")
        event(p, "rated", actor, on, round=p.round)
    return rating


def request_rehandling(actor, proposal: Proposal, *, reason: str,
                       version: int | None = None, on: dt.date | None = None) -> Proposal:
    """After an unsatisfied rating the office asks the unit(s) to handle it again (商请重新
    办理): the next round starts, and every replying unit answers again."""
    require_manager(actor, proposal)
    on = today(on)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what the unit should do again.")})
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, RATEABLE, _(
            "Re-handling follows a reply its authors found unsatisfactory; this proposal is "
            "%(state)s."))
        ratings = Rating.objects.filter(proposal=p, round=p.round)
        if not any(r.unsatisfied for r in ratings):
            raise DomainError(_("Re-handling follows an unsatisfied rating; no author rated "
                                "round %(round)s unsatisfied.") % {"round": p.round})
        before = audit.snapshot(p)
        p.round += 1
        p.state = S.REHANDLING
        for a in _required(p).select_for_update().order_by("pk"):
            a_before = audit.snapshot(a)
            a.state = A.ASSIGNED
            a.reply_due = _reply_due(p, a.role, on, False)
            a.version += 1
            a.save()
            audit_update(actor, a, a_before, p.committee_id, "re-handling")
        _refresh_reply_due(p)
        save(actor, p, before, action="rehandling", on=on, note=reason, round=p.round)
    return p
