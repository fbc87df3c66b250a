"""Drafting and review: from a member's draft to registered (立案), not registered, merged
(并案) or converted to an opinion report. One transactional, audited function per step."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shixiao.audit import services as audit
from shixiao.core.choices import UserRole
from shixiao.core.errors import DomainError
from shixiao.core.services import check_version, require_in_scope, require_perm
from shixiao.orgs.models import Committee, Membership

from . import ledgering
from .choices import AuthorRole, ProposalState, ProposerType
from .defaults import ensure_defaults
from .models import Proposal, ProposalAuthor, ReasonCode
from .service_helpers import (
    ADD,
    MANAGE,
    audit_update,
    author_of,
    event,
    lock,
    require_manager,
    require_state,
    save,
    today,
)

S = ProposalState
EDITABLE = (S.DRAFT, S.RETURNED)

#: Fields a draft's editor may change.
DRAFT_FIELDS = {"title", "body", "category", "collective_name", "special_committee", "term"}
#: Changing these changes what co-signers signed, so their confirmations lapse.
SIGNED_FIELDS = {"title", "body"}


def _author_roles(proposer_type: str, count: int) -> list[str]:
    if proposer_type == ProposerType.INDIVIDUAL:
        return [AuthorRole.INDIVIDUAL] * count
    if proposer_type == ProposerType.JOINT:
        return [AuthorRole.FIRST_AUTHOR] + [AuthorRole.CO_SIGNER] * (count - 1)
    return [AuthorRole.COLLECTIVE] * count


def _validate_authors(actor, committee: Committee, proposer_type: str, authors: list,
                      collective_name: str, special_committee) -> None:
    errors = {}
    if proposer_type == ProposerType.INDIVIDUAL and len(authors) != 1:
        errors["authors"] = _("An individual proposal has exactly one author.")
    elif proposer_type == ProposerType.JOINT and len(authors) < 2:
        errors["authors"] = _("A joint proposal needs a first author and at least one "
                              "co-signer.")
    elif proposer_type == ProposerType.COLLECTIVE and not (collective_name or special_committee):
        errors["collective_name"] = _("Name the sector, party, group or committee that files "
                                      "this collective proposal.")
    if len({m.pk for m in authors}) != len(authors):
        errors["authors"] = _("Each member can be an author only once.")
    if any(m.committee_id != committee.pk for m in authors):
        errors["authors"] = _("Every author must be a member of this committee.")
    if special_committee is not None and special_committee.committee_id != committee.pk:
        errors["special_committee"] = _("The special committee belongs to another committee.")
    if getattr(actor, "role", None) == UserRole.MEMBER:
        mine = [m for m in authors if m.person.user_id == actor.pk]
        if not mine:
            errors["authors"] = _("You can only file a proposal you are an author of.")
        elif proposer_type != ProposerType.COLLECTIVE and authors[0].person.user_id != actor.pk:
            errors["authors"] = _("You file as the first author; co-signers confirm "
                                  "themselves.")
    if errors:
        raise ValidationError(errors)


def _set_authors(proposal: Proposal, proposer_type: str, authors: list, on: dt.date) -> None:
    proposal.authors.all().delete()
    for rank, (membership, role) in enumerate(
            zip(authors, _author_roles(proposer_type, len(authors)), strict=True), 1):
        # Whoever files the proposal has signed it; only co-signers confirm separately.
        confirmed = None if role == AuthorRole.CO_SIGNER else on
        ProposalAuthor.objects.create(proposal=proposal, membership=membership, role=role,
                                      rank=rank, confirmed_on=confirmed)


def _can_edit(actor, proposal: Proposal) -> bool:
    if actor.has_perm(MANAGE):
        return True
    if proposal.created_by_id == actor.pk:
        return True
    lead_author = proposal.authors.order_by("rank", "id").first()
    mine = author_of(actor, proposal)
    if proposal.proposer_type == ProposerType.COLLECTIVE:
        return mine is not None
    return lead_author is not None and mine is not None and lead_author.pk == mine.pk


def create_draft(actor, *, committee: Committee, term, title: str, body: str,
                 category: str = "between_sessions", proposer_type: str = "individual",
                 authors: list[Membership] = (), collective_name: str = "",
                 special_committee=None, on: dt.date | None = None) -> Proposal:
    """Start a proposal. A member files as its (first) author; the office may file for
    members of its committee. Co-signers of a joint proposal confirm it before submission."""
    require_perm(actor, ADD)
    on = today(on)
    authors = list(authors)
    if not Committee.objects.visible_to(actor).filter(pk=committee.pk).exists():
        raise ValidationError({"committee": _("You cannot file proposals in this committee.")})
    if term is not None and term.committee_id != committee.pk:
        raise ValidationError({"term": _("The term belongs to another committee.")})
    _validate_authors(actor, committee, proposer_type, authors, collective_name,
                      special_committee)
    with transaction.atomic():
        ensure_defaults(committee)
        proposal = Proposal(committee=committee, term=term, year=on.year, title=title,
                            body=body, category=category, proposer_type=proposer_type,
                            collective_name=collective_name,
                            special_committee=special_committee,
                            created_by=actor if getattr(actor, "pk", None) else None)
        proposal.full_clean()
        proposal.save()
        _set_authors(proposal, proposer_type, authors, on)
        audit.record_create(actor, proposal)
        event(proposal, "created", actor, on,
              authors=[m.pk for m in authors])
    return proposal


def update_draft(actor, proposal: Proposal, *, version: int | None = None,
                 authors: list[Membership] | None = None, proposer_type: str | None = None,
                 on: dt.date | None = None, **fields) -> Proposal:
    """Edit a draft or a proposal returned for editing. Changing the title, text or authors
    withdraws the co-signers' confirmations: they signed the earlier text."""
    require_perm(actor, ADD)
    require_in_scope(actor, proposal)
    on = today(on)
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be edited here.")})
    with transaction.atomic():
        p = lock(proposal, version)
        if not _can_edit(actor, p):
            raise PermissionDenied(_("Only the first author or the office can edit this "
                                     "proposal."))
        require_state(p, EDITABLE, _(
            "Only a draft or a proposal returned for editing can be edited; this one is "
            "%(state)s."))
        term, sc = fields.get("term"), fields.get("special_committee")
        if term is not None and term.committee_id != p.committee_id:
            raise ValidationError({"term": _("The term belongs to another committee.")})
        if sc is not None and sc.committee_id != p.committee_id:
            raise ValidationError({"special_committee": _(
                "The special committee belongs to another committee.")})
        before = audit.snapshot(p)
        for name, value in fields.items():
            setattr(p, name, value)
        resign = any(getattr(p, f) != before.get(f) for f in SIGNED_FIELDS & set(fields))
        if authors is not None or proposer_type is not None:
            kind = proposer_type or p.proposer_type
            members = list(authors) if authors is not None else [
                a.membership for a in p.authors.select_related("membership__person")]
            _validate_authors(actor, p.committee, kind, members, p.collective_name,
                              p.special_committee)
            p.proposer_type = kind
            _set_authors(p, kind, members, on)
            resign = True
        elif resign:
            p.authors.filter(role=AuthorRole.CO_SIGNER).update(confirmed_on=None)
        save(actor, p, before, action="edited", on=on,
             fields=sorted(fields), signatures_reset=resign)
    return p


def confirm_co_signature(actor, proposal: Proposal, *, version: int | None = None,
                         author: ProposalAuthor | None = None,
                         on: dt.date | None = None) -> ProposalAuthor:
    """A co-signer confirms (会签) the joint proposal's current text. `version` is the
    version they read: if the text changed since, the confirmation is refused. The office
    may record a confirmation given on paper by passing that co-signer's `author` row."""
    require_perm(actor, ADD)
    require_in_scope(actor, proposal)
    on = today(on)
    with transaction.atomic():
        p = lock(proposal, version)
        if author is not None:
            if not actor.has_perm(MANAGE):
                raise PermissionDenied(_("Only the office records a co-signature on a "
                                         "co-signer's behalf."))
            mine = ProposalAuthor.objects.filter(pk=author.pk, proposal=p).first()
        else:
            mine = author_of(actor, p)
        if mine is None or mine.role != AuthorRole.CO_SIGNER:
            raise PermissionDenied(_("Only a co-signer of this proposal can confirm it."))
        require_state(p, EDITABLE, _(
            "Co-signatures are given before submission; this proposal is %(state)s."))
        if mine.confirmed_on:
            raise DomainError(_("This co-signature was already confirmed on %(date)s.")
                              % {"date": mine.confirmed_on})
        before = audit.snapshot(mine)
        mine.confirmed_on = on
        mine.version += 1
        mine.save()
        audit_update(actor, mine, before, p.committee_id, "co-signature confirmed")
        event(p, "co_signed", actor, on, author=mine.pk,
              on_behalf=author is not None)
    return mine


def withdraw_co_signature(actor, proposal: Proposal, *, version: int | None = None,
                          on: dt.date | None = None) -> ProposalAuthor:
    """A co-signer takes back their confirmation before the proposal is submitted (they
    no longer stand behind the text, or confirmed by mistake). They stay listed: the
    proposal cannot be submitted until they confirm again or the proposer removes them."""
    require_perm(actor, ADD)
    require_in_scope(actor, proposal)
    on = today(on)
    with transaction.atomic():
        p = lock(proposal, version)
        mine = author_of(actor, p)
        if mine is None or mine.role != AuthorRole.CO_SIGNER:
            raise PermissionDenied(_("Only a co-signer of this proposal can withdraw their "
                                     "co-signature."))
        require_state(p, EDITABLE, _(
            "A co-signature can be withdrawn only before submission; this proposal is "
            "%(state)s."))
        if not mine.confirmed_on:
            raise DomainError(_("Your co-signature is not confirmed; there is nothing to "
                                "withdraw."))
        before = audit.snapshot(mine)
        mine.confirmed_on = None
        mine.version += 1
        mine.save()
        audit_update(actor, mine, before, p.committee_id, "co-signature withdrawn")
        event(p, "co_sign_withdrawn", actor, on, author=mine.pk)
    return mine


def submit(actor, proposal: Proposal, *, version: int | None = None,
           on: dt.date | None = None) -> Proposal:
    """Submit a draft (or resubmit a returned proposal). Every co-signer must have
    confirmed. The authors' `submitted` ledger entries are recorded once."""
    require_perm(actor, ADD)
    require_in_scope(actor, proposal)
    on = today(on)
    with transaction.atomic():
        p = lock(proposal, version)
        if not _can_edit(actor, p):
            raise PermissionDenied(_("Only the first author or the office can submit this "
                                     "proposal."))
        require_state(p, EDITABLE, _(
            "Only a draft or a returned proposal can be submitted; this one is %(state)s."))
        authors = list(p.authors.select_related("membership__person"))
        if not authors and p.proposer_type != ProposerType.COLLECTIVE:
            raise ValidationError({"authors": _("A proposal needs an author.")})
        waiting = [a.membership.person.name for a in authors
                   if a.role == AuthorRole.CO_SIGNER and not a.confirmed_on]
        if waiting:
            raise DomainError(_("Waiting for co-signers to confirm: %(names)s. A joint "
                                "proposal is submitted once every co-signer has confirmed.")
                              % {"names": "、".join(waiting)})
        before = audit.snapshot(p)
        first = p.submitted_on is None
        p.state = S.SUBMITTED
        if first:
            p.submitted_on = on
            p.year = on.year
        save(actor, p, before, action="submitted" if first else "resubmitted", on=on)
        if not ledgering.has_entry(p, "submitted"):
            ledgering.record_for_authors(p, "submitted", date=p.submitted_on)
    return p


def start_review(actor, proposal: Proposal, *, version: int | None = None,
                 on: dt.date | None = None) -> Proposal:
    """The office takes a submitted proposal into review (审查)."""
    require_manager(actor, proposal)
    on = today(on)
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, (S.SUBMITTED,), _(
            "Only a submitted proposal can be taken into review; this one is %(state)s."))
        before = audit.snapshot(p)
        p.state = S.IN_REVIEW
        save(actor, p, before, action="review_started", on=on)
    return p


def return_for_edit(actor, proposal: Proposal, *, reason: str, version: int | None = None,
                    on: dt.date | None = None) -> Proposal:
    """Send a proposal back to its authors with what to change (退回修改)."""
    require_manager(actor, proposal)
    on = today(on)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Tell the authors what to change.")})
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, (S.SUBMITTED, S.IN_REVIEW), _(
            "Only a submitted proposal or one in review can be returned for editing; this "
            "one is %(state)s."))
        before = audit.snapshot(p)
        p.state = S.RETURNED
        p.return_note = reason
        save(actor, p, before, action="returned", on=on, note=reason)
    return p


def _next_number(committee_id: int, year: int) -> int:
    # Locking the committee row serialises numbering within a committee on every database.
    list(Committee.objects.select_for_update().filter(pk=committee_id).values_list("pk"))
    top = Proposal.objects.filter(committee_id=committee_id, year=year).aggregate(
        top=Max("number"))["top"]
    return (top or 0) + 1


def register(actor, proposal: Proposal, *, version: int | None = None,
             on: dt.date | None = None) -> Proposal:
    """Register (立案) a proposal in review and give it its number for the year. Authors of
    proposals already merged into it are registered with it: 并案 is a form of 立案."""
    require_manager(actor, proposal)
    on = today(on)
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, (S.IN_REVIEW,), _(
            "Only a proposal in review can be registered; this one is %(state)s."))
        before = audit.snapshot(p)
        p.state = S.REGISTERED
        p.number = _next_number(p.committee_id, p.year)
        p.registered_on = p.reviewed_on = on
        save(actor, p, before, action="registered", on=on, number=p.number)
        ledgering.record_for_authors(p, "registered", date=on)
        for follower in p.merged.all():
            ledgering.record_for_authors(follower, "registered", date=on,
                                         reason="registered with its lead proposal")
            event(follower, "lead_registered", actor, on, lead=p.pk)
    return p


def not_register(actor, proposal: Proposal, *, reason_code: ReasonCode, note: str = "",
                 version: int | None = None, on: dt.date | None = None) -> Proposal:
    """Decide not to register (不予立案) on one of the committee's grounds. Proposals merged
    into this one share its fate."""
    require_manager(actor, proposal)
    on = today(on)
    if reason_code is None or reason_code.committee_id != proposal.committee_id \
            or not reason_code.active:
        raise ValidationError({"reason_code": _("Choose one of this committee's grounds for "
                                                "not registering.")})
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, (S.IN_REVIEW,), _(
            "Only a proposal in review can be refused registration; this one is %(state)s."))
        group = [p, *p.merged.select_for_update().order_by("pk")]
        for item in group:
            before = audit.snapshot(item)
            item.state = S.NOT_REGISTERED
            item.not_registered_reason = reason_code
            item.reason_note = note
            item.reviewed_on = on
            save(actor, item, before, action="not_registered", on=on, note=note,
                 reason_code=reason_code.code)
            ledgering.record_for_authors(item, "not_registered", date=on)
    return p


def merge(actor, proposal: Proposal, into: Proposal, *, note: str = "",
          version: int | None = None, into_version: int | None = None,
          on: dt.date | None = None) -> Proposal:
    """Merge a proposal in review into a similar one (并案). Both keep their authors, text
    and history (an event on each); the merged one follows the lead's assignments and its
    authors still get their own reply. If the lead is registered already, the merged
    proposal's authors are registered now; otherwise when the lead is."""
    require_manager(actor, proposal)
    require_in_scope(actor, into)
    on = today(on)
    if proposal.pk == into.pk:
        raise ValidationError({"into": _("A proposal cannot be merged into itself.")})
    if proposal.committee_id != into.committee_id:
        raise ValidationError({"into": _("Both proposals must belong to one committee.")})
    with transaction.atomic():
        first, second = sorted([proposal, into], key=lambda x: x.pk)  # one lock order
        locked = {first.pk: lock(first), second.pk: lock(second)}
        p, lead = locked[proposal.pk], locked[into.pk]
        check_version(p, version)
        check_version(lead, into_version)
        require_state(p, (S.IN_REVIEW,), _(
            "Only a proposal in review can be merged into another; this one is %(state)s."))
        if lead.merged_into_id:
            raise DomainError(_("“%(title)s” is itself merged into another proposal; merge "
                                "into that one.") % {"title": lead.title})
        if lead.state not in (S.IN_REVIEW, S.REGISTERED, S.ASSIGNED):
            raise DomainError(_(
                "A proposal can be merged only into one in review, registered or assigned; "
                "“%(title)s” is %(state)s.") % {"title": lead.title,
                                                "state": lead.get_state_display()})
        if p.merged.exists():
            raise DomainError(_("Other proposals are merged into this one; merge them into "
                                "the new lead first."))
        before = audit.snapshot(p)
        p.merged_into = lead
        p.reviewed_on = on
        p.state = S.ASSIGNED if lead.state == S.ASSIGNED else S.MERGED
        if lead.state == S.ASSIGNED:
            p.handling_mode, p.reply_due = lead.handling_mode, lead.reply_due
        save(actor, p, before, action="merged", on=on, note=note, into=lead.pk)
        lead_before = audit.snapshot(lead)
        save(actor, lead, lead_before, action="merge_received", on=on, note=note,
             merged=p.pk)
        if lead.state in (S.REGISTERED, S.ASSIGNED):
            ledgering.record_for_authors(p, "registered", date=on,
                                         reason="merged into a registered proposal")
    return p


def convert_to_report(actor, proposal: Proposal, *, version: int | None = None,
                      on: dt.date | None = None):
    """Convert a proposal into an opinion report (转社情民意). The reports app creates the
    report, with its own `submitted` entries (marked `from_proposal`) taking effect on the
    conversion day; the authors' `submitted` proposal entries are voided from that same day
    and `converted` is recorded, so as of any date the item is scored once: as a proposal
    before, as a report after. Returns the new OpinionReport."""
    from shixiao.reports.services import create_report_from_proposal

    require_manager(actor, proposal)
    on = today(on)
    with transaction.atomic():
        p = lock(proposal, version)
        require_state(p, (S.IN_REVIEW, S.NOT_REGISTERED), _(
            "Only a proposal in review or not registered can be converted to an opinion "
            "report; this one is %(state)s."))
        if p.merged.exists():
            raise DomainError(_("Other proposals are merged into this one; it cannot become "
                                "an opinion report."))
        before = audit.snapshot(p)
        report = create_report_from_proposal(actor, p, on=on)
        p.state = S.CONVERTED
        p.reviewed_on = p.reviewed_on or on
        save(actor, p, before, action="converted", on=on, report=report.pk)
        ledgering.void_all(p, "submitted", effective=on,
                           reason="converted to an opinion report: scored as the report")
        ledgering.record_for_authors(p, "converted", date=on)
    return report
