"""A member's duty record for one year: their acts, newest first and grouped by month, each
with the ledger entries behind it and, for a proposal or report, its outcome so far.

Corrections stay visible: an entry that a later one replaced or retracted is shown struck
through with the reason, beside the entry that replaced it.
"""

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.urls import reverse
from django.utils.translation import gettext as _

from shixiao.ledger.models import Entry
from shixiao.proposals.models import Proposal
from shixiao.proposals.queries import DeadlineClock
from shixiao.reports.models import OpinionReport

from . import casework, chains, labels

PROPOSAL = Proposal._meta.label_lower
REPORT = OpinionReport._meta.label_lower


@dataclass
class EntryRow:
    """One ledger entry in words, with what happened to it since."""

    entry: Entry
    kind: str
    texts: list[str]
    url: str = ""
    title: str = ""
    superseded: bool = False
    superseded_on: dt.date | None = None
    superseded_reason: str = ""
    retracted: bool = False
    correction: bool = False
    routine: bool = False    # replaced only to add a detail (handling units, a longer horizon)

    @property
    def date(self) -> dt.date:
        return self.entry.date

    @property
    def reason(self) -> str:
        """Why the entry was recorded as a correction, in words."""
        return labels.reason_label(self.entry.reason)


@dataclass
class Act:
    """One thing the member did: a proposal or report with all its entries, or one entry."""

    date: dt.date
    kind: str
    title: str
    url: str = ""
    summary: str = ""
    entries: list[EntryRow] = field(default_factory=list)
    chain: list[chains.Step] = field(default_factory=list)

    @property
    def corrected(self) -> bool:
        """A substantive correction: a retraction or a changed fact, not a routine update."""
        return any((e.superseded or e.correction) and not e.routine for e in self.entries)


def source_link(entry: Entry, titles: dict) -> tuple[str, str]:
    """(url, title) of the proposal or report an entry came from, if the member sees it."""
    key = (entry.source_type, entry.source_id)
    if key not in titles:
        return "", ""
    name = "proposals:detail" if entry.source_type == PROPOSAL else "reports:detail"
    return reverse(name, args=[int(entry.source_id)]), titles[key]


def titles_for(proposals, reports) -> dict:
    titles = {(PROPOSAL, str(p.pk)): p.title for p in proposals}
    titles.update({(REPORT, str(r.pk)): r.title for r in reports})
    return titles


#: Attributes that say what the act was; a replacement that keeps them only adds detail.
FACTS = ("status", "state", "meeting", "role", "type")


def is_routine(old: Entry, new: Entry) -> bool:
    """Whether `new` replaced `old` only to add a detail the workflow learnt later (a
    proposal's handling units at assignment, a longer horizon of a verified effect)."""
    return (new.kind == old.kind and new.date == old.date
            and all((new.attrs or {}).get(k) == (old.attrs or {}).get(k) for k in FACTS))


def entry_row(entry: Entry, titles: dict) -> EntryRow:
    url, title = source_link(entry, titles)
    row = EntryRow(entry, labels.kind_label(entry.kind),
                   labels.attribute_texts(entry.attrs, entry.kind), url, title,
                   correction=entry.supersedes_id is not None)
    if entry.supersedes_id is not None:
        row.routine = is_routine(entry.supersedes, entry)
    successor = getattr(entry, "superseded_by", None)
    if successor is not None:
        row.superseded, row.superseded_on = True, successor.effective
        row.superseded_reason = labels.reason_label(successor.reason)
        row.retracted = successor.kind == "void"
        row.routine = is_routine(entry, successor)
    return row


def _entries(membership, year: int) -> list[Entry]:
    """The seat's entries for acts in `year`, retractions left out (they show as struck
    entries instead)."""
    qs = Entry.objects.filter(membership=membership, date__year=year)
    return list(qs.exclude(kind="void").select_related("superseded_by", "supersedes")
                .order_by("date", "id"))


def build(user, membership, year: int, clock: DeadlineClock | None = None) -> list[Act]:
    """The seat's acts in `year`, newest first."""
    if membership is None:
        return []
    clock = clock or DeadlineClock()
    entries = _entries(membership, year)
    proposals = {str(p.pk): p for p in casework.my_proposals(user, membership)}
    reports = {str(r.pk): r for r in casework.my_reports(user, membership)}
    titles = titles_for(proposals.values(), reports.values())
    assignments = casework.live_assignments(proposals.values())
    grouped: dict[tuple, list[Entry]] = {}
    singles: list[Entry] = []
    for e in entries:
        if e.source_type in (PROPOSAL, REPORT) and e.source_id:
            grouped.setdefault((e.source_type, e.source_id), []).append(e)
        else:
            singles.append(e)
    acts = []
    for (source_type, source_id), group in grouped.items():
        rows = [entry_row(e, titles) for e in group]
        act = Act(date=group[0].date, kind=labels.kind_label(group[0].kind),
                  title=rows[0].title or _("(a record you cannot open)"), url=rows[0].url,
                  entries=rows)
        if source_type == PROPOSAL and source_id in proposals:
            act.chain = chains.proposal_chain(proposals[source_id], membership, assignments,
                                              clock)
        elif source_type == REPORT and source_id in reports:
            act.chain = chains.report_chain(reports[source_id])
        acts.append(act)
    for group in _correction_groups(singles):
        rows = [entry_row(e, titles) for e in group]
        current = next((r for r in reversed(rows) if not r.superseded), rows[-1])
        acts.append(Act(date=current.date, kind=current.kind,
                        title=single_title(current.entry), summary=" · ".join(current.texts),
                        entries=rows))
    return sorted(acts, key=lambda a: (a.date, a.entries[0].entry.pk), reverse=True)


def _correction_groups(entries: list[Entry]) -> list[list[Entry]]:
    """Entries with the corrections that replaced them, one group per original act."""
    by_pk = {e.pk: e for e in entries}
    groups: dict[int, list[Entry]] = {}
    for e in entries:
        root = e
        while root.supersedes_id in by_pk:
            root = by_pk[root.supersedes_id]
        groups.setdefault(root.pk, []).append(e)
    return [sorted(g, key=lambda e: e.pk) for g in groups.values()]


def single_title(entry: Entry) -> str:
    """A heading for an act that is one entry: the meeting and state for attendance, the
    title or type where there is one, else the kind."""
    attrs = entry.attrs or {}
    if entry.kind == "attendance":
        return f"{labels.value_label(attrs.get('meeting', ''))} · " \
               f"{labels.value_label(attrs.get('state', ''))}"
    for name in ("title", "type"):
        if attrs.get(name):
            return f"{labels.kind_label(entry.kind)} · {labels.value_label(attrs[name])}"
    return labels.kind_label(entry.kind)


def by_month(acts: list[Act]) -> list[tuple[dt.date, list[Act]]]:
    """Acts grouped under the first day of their month, newest month first."""
    return [(month, list(items))
            for month, items in groupby(acts, key=lambda a: a.date.replace(day=1))]
