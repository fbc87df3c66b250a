"""What every proposal service shares: the actor's checks, locking a proposal at the version
the caller read, saving with an audit record and a history event, and state guards whose
messages say where the proposal stands and what is needed."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from shixiao.audit import services as audit
from shixiao.core.errors import DomainError
from shixiao.core.services import check_version, require_in_scope, require_perm

from .models import Proposal, ProposalAuthor, ProposalEvent

MANAGE = "proposals.manage_proposal"
REPLY = "proposals.reply_proposal"
RATE = "proposals.rate_proposal"
ADD = "proposals.add_proposal"


def today(on: dt.date | None) -> dt.date:
    """The act's date: given (backdated imports and demo data), or today."""
    return on or timezone.localdate()


def require_manager(actor, proposal: Proposal) -> None:
    """Office work on a proposal: the permission, and the proposal within the actor's scope
    (a proposal of another committee answers 404, as if it did not exist)."""
    require_perm(actor, MANAGE)
    require_in_scope(actor, proposal)


def require_unit(actor, proposal: Proposal) -> None:
    """A handling unit's user acting on a proposal its unit was given."""
    require_perm(actor, REPLY)
    require_in_scope(actor, proposal)
    if not getattr(actor, "handling_unit_id", None):
        raise PermissionDenied(_("Only a handling unit's user can do this."))


def require_own_assignment(actor, assignment) -> None:
    require_unit(actor, assignment.proposal)
    if assignment.unit_id != actor.handling_unit_id:
        raise PermissionDenied(_(
            "This assignment belongs to %(unit)s, not to your unit.")
            % {"unit": assignment.unit})


def author_of(actor, proposal: Proposal) -> ProposalAuthor | None:
    """The actor's authorship of `proposal`, if they are one of its authors."""
    if actor is None or not actor.is_authenticated:
        return None
    return (ProposalAuthor.objects.filter(proposal=proposal, membership__person__user=actor)
            .select_related("membership").first())


def lock(proposal: Proposal, version: int | None = None) -> Proposal:
    """The proposal's row, locked for this transaction, at the version the caller read."""
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of a join
    # (merged_into), and locking the committee row too would serialise unrelated work.
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    check_version(locked, version)
    return locked


def state_label(proposal: Proposal) -> str:
    return str(proposal.get_state_display())


def require_state(proposal: Proposal, allowed, message: str) -> None:
    """Refuse unless the proposal is in one of `allowed`. `message` may use %(state)s (the
    current state's label) and %(title)s."""
    if proposal.state not in allowed:
        raise DomainError(message % {"state": state_label(proposal), "title": proposal.title})


def event(proposal: Proposal, action: str, actor, on: dt.date, note: str = "",
          **data) -> ProposalEvent:
    return ProposalEvent.objects.create(
        proposal=proposal, action=action, on=on, note=note, data=data,
        actor=actor if getattr(actor, "pk", None) else None)


def save(actor, proposal: Proposal, before: dict, *, action: str, on: dt.date,
         note: str = "", **data) -> Proposal:
    """Validate, bump the version, save, audit, and add the history event."""
    proposal.full_clean()
    proposal.version += 1
    proposal.save()
    audit.record_update(actor, proposal, before, note or action)
    event(proposal, action, actor, on, note, **data)
    return proposal


def audit_create(actor, obj, committee_id: int, reason: str = "") -> None:
    """Audit a new child record under its proposal's committee, so that committee's office
    can read the record's audit trail."""
    audit.record(actor, audit.Action.CREATE, obj, after=audit.snapshot(obj), reason=reason,
                 committee_id=committee_id)


def audit_update(actor, obj, before: dict, committee_id: int, reason: str = "") -> None:
    audit.record(actor, audit.Action.UPDATE, obj, before=before, after=audit.snapshot(obj),
                 reason=reason, committee_id=committee_id)
