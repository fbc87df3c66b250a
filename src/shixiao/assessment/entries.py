"""Ledger entries as the engine sees them, and which of them count on a given date.

The ledger app stores more (committee, source record, audit trail); the engine needs only
these fields, so a ledger file and the database feed it the same way.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Entry kinds a rubric may name. One vocabulary for the ledger app, ledger files and
#: rubrics, so a typo in a rubric (`kind: proposl`) is caught when the rubric is checked.
ENTRY_KINDS = {
    "attendance": "meeting or activity attendance (attrs: meeting, state, half_days)",
    "proposal": "a proposal event for one of its authors (attrs: ref, status, role, level)",
    "opinion_report": "a public-opinion report event (attrs: ref, status, level)",
    "history_material": "local-history material contributed (文史资料)",
    "fieldwork": "inspection, research or supervision trip (attrs: type, state, days)",
    "study": "study session, reading activity or training (attrs: type, state)",
    "writing": "study reflection or speech material (attrs: type, status)",
    "speech": "a speech at a meeting (attrs: meeting, level)",
    "service": "service to enterprises or households (attrs: type)",
    "constituent_contact": "constituent issue taken up (attrs: ref, status)",
    "task": "a supervised task (attrs: ref, status, weight)",
    "commendation": "commendation by a higher body (attrs: level)",
    "discipline": "a breach of discipline recorded against the member (attrs: type)",
    "manual": "manual input with evidence and the person who vouched for it",
    "void": "retracts the entry it supersedes and counts for nothing",
}

#: Committee levels, highest first (points by level use these names).
LEVELS = ("national", "provincial", "prefecture", "county")

#: Membership roles (Membership.role in the orgs app).
MEMBERSHIP_ROLES = ("member", "standing", "chairs")


@dataclass(frozen=True)
class LedgerEntry:
    """One duty act or outcome event of one member.

    `role` is the member's membership role when the act happened (member / standing);
    roles *in* the act, such as first author, are attributes. `effective` is the date the
    entry takes effect (a proposal rated excellent after year end); it defaults to `date`.
    """

    id: str
    member: str
    kind: str
    date: dt.date
    role: str = "member"
    effective: dt.date | None = None
    attrs: dict = field(default_factory=dict)
    supersedes: str | None = None

    @property
    def effective_on(self) -> dt.date:
        return self.effective or self.date

    def sort_key(self):
        return (self.member, self.date, self.effective_on, self.id)


@dataclass(frozen=True)
class MemberInfo:
    """A member as assessment needs them: their membership role and optional group."""

    id: str
    role: str = "member"
    group: str | None = None


def in_force(
    entries: Iterable[LedgerEntry],
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[LedgerEntry]:
    """The entries that count as of `as_of`, in a stable order.

    An entry counts once it is effective on or before `as_of`. A correction supersedes the
    entry it names only once the correction itself is effective, so a past date recomputes
    the score as it stood then. `start`/`end` restrict the acts to the rubric's period.
    """
    effective = [e for e in entries if e.effective_on <= as_of]
    replaced = {e.supersedes for e in effective if e.supersedes}
    kept = [
        e
        for e in effective
        if e.id not in replaced
        and e.kind != "void"
        and (start is None or e.date >= start)
        and (end is None or e.date <= end)
    ]
    return sorted(kept, key=LedgerEntry.sort_key)
