"""The ledger side of the proposal workflow: one `proposal` entry per author membership for
each outcome event, recorded by the system (actor None) after the workflow service has
checked permission and audited its own change.

Entries carry the attributes of ledger.kinds.SPECS["proposal"]: `ref` (stable per proposal),
`status`, `role`, `rank`, `authors`, `collective`, `level` and, once the proposal is assigned,
`units` (how many handling units it needed: a proxy for a hard, cross-cutting topic).
"""

import datetime as dt

from shixiao.ledger import services as ledger
from shixiao.ledger.models import Entry

from .choices import ProposerType
from .models import GONE_ASSIGNMENT_STATES, Assignment, Proposal, ProposalAuthor

SOURCE_TYPE = Proposal._meta.label_lower

#: A proposal that needed this many handling units counts as hard (DESIGN §3.3).
HARD_UNITS = 3


def unit_count(proposal: Proposal) -> int:
    """Distinct handling units the proposal's lead is (still) assigned to."""
    return (Assignment.objects.filter(proposal_id=proposal.lead.pk)
            .exclude(state__in=GONE_ASSIGNMENT_STATES)
            .values("unit_id").distinct().count())


def _attrs(proposal: Proposal, author: ProposalAuthor, status: str, authors: int,
           units: int, **extra) -> dict:
    attrs = {
        "ref": proposal.ref,
        "status": status,
        "role": author.role,
        "authors": authors,
        "author_rank": author.rank,
        "collective": proposal.proposer_type == ProposerType.COLLECTIVE,
        "level": proposal.committee.level,
    }
    if units:
        attrs["units"] = units
    attrs.update(extra)
    return attrs


def record_for_authors(proposal: Proposal, status: str, *, date: dt.date,
                       effective: dt.date | None = None, reason: str = "",
                       authors=None, **extra) -> list[Entry]:
    """One `proposal` entry with `status` for each author membership of `proposal` (or the
    given subset `authors`)."""
    every = list(proposal.authors.select_related("membership"))
    units = unit_count(proposal)
    chosen = every if authors is None else list(authors)
    return [
        ledger.record_entry(
            None, author.membership, kind="proposal", date=date, effective=effective,
            attrs=_attrs(proposal, author, status, len(every), units, **extra),
            source=proposal, reason=reason)
        for author in chosen
    ]


def live_entries(proposal: Proposal, status: str):
    """The proposal's entries with `status` that nothing has corrected or voided yet."""
    return (Entry.objects.filter(source_type=SOURCE_TYPE, source_id=str(proposal.pk),
                                 kind="proposal", attrs__status=status,
                                 superseded_by__isnull=True)
            .select_related("membership"))


def has_entry(proposal: Proposal, status: str) -> bool:
    return live_entries(proposal, status).exists()


def void_all(proposal: Proposal, status: str, *, effective: dt.date, reason: str) -> int:
    """Retract every live entry of `proposal` with `status` from `effective` on."""
    entries = list(live_entries(proposal, status))
    for entry in entries:
        ledger.void_entry(None, entry, reason=reason, effective=max(effective, entry.date))
    return len(entries)


def correct_all(proposal: Proposal, status: str, *, effective: dt.date, reason: str,
                **changes) -> int:
    """Supersede every live entry with `status` by a copy whose attributes carry `changes`,
    from `effective` on (a score as of an earlier date still shows what was known then)."""
    count = 0
    for entry in live_entries(proposal, status):
        attrs = {**entry.attrs, **changes}
        if attrs == entry.attrs:
            continue
        ledger.correct_entry(None, entry, reason=reason, attrs=attrs,
                             effective=max(effective, entry.date))
        count += 1
    return count
