"""Which of the member's own seats and which year a page is about.

A person may sit in several committees or terms. Every page reads `?membership=` (one of
the user's own memberships; anyone else's is a 404, like one that does not exist) and
`?year=`, and defaults to the seat held today, else the latest one, and to the latest year
of that seat with records (a stored assessment or ledger entries): a year just begun, with
nothing in it yet, would read as a verdict of zero.
"""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shixiao.core.choices import UserRole
from shixiao.orgs.models import Membership

#: Years a page accepts: anything else falls back to the default year.
FIRST_YEAR, LAST_YEAR = 1949, 2100


@dataclass
class Selection:
    """The user's memberships, the chosen one (None if they hold none) and the year."""

    memberships: list[Membership]
    membership: Membership | None
    year: int
    today: dt.date

    def query(self, **extra) -> str:
        """`?membership=…&year=…` for links that keep the choice."""
        params = {}
        if self.membership is not None and len(self.memberships) > 1:
            params["membership"] = self.membership.pk
        params.update({k: v for k, v in extra.items() if v is not None})
        return f"?{urlencode(params)}" if params else ""

    @property
    def years(self) -> list[int]:
        """Years of the chosen seat up to this year, newest first."""
        if self.membership is None:
            return [self.year]
        m = self.membership
        first = m.start.year
        ends = [d for d in (m.end, m.term.end) if d is not None]
        last = min([self.today.year, *[d.year for d in ends]])
        years = set(range(first, max(first, last) + 1)) | {self.year}
        return sorted(years, reverse=True)


def require_member(user) -> None:
    """These pages are a member's own; every other role has its own pages (403)."""
    if getattr(user, "role", None) != UserRole.MEMBER:
        raise PermissionDenied(_("These pages show a member's own duty record; your account "
                                 "is not a member's."))


def own_memberships(user):
    return (Membership.objects.visible_to(user).filter(person__user=user)
            .select_related("committee", "term", "person", "sector"))


def _default(memberships: list[Membership], today: dt.date) -> Membership | None:
    current = [m for m in memberships
               if m.start <= today and (m.end is None or m.end >= today)]
    pool = current or memberships
    return max(pool, key=lambda m: (m.start, m.pk)) if pool else None


def default_year(membership: Membership | None, today: dt.date) -> int:
    """The latest year of the seat with a stored assessment or ledger entries; with none,
    this year, or the last year of a seat that has ended."""
    if membership is None:
        return today.year
    ends = [d.year for d in (membership.end, membership.term.end) if d is not None]
    last = min([today.year, *ends])
    recorded = latest_recorded_year(membership, last)
    return recorded if recorded is not None else last


def latest_recorded_year(membership: Membership, last: int) -> int | None:
    """The latest year up to `last` in which the seat has a stored score or an entry."""
    from shixiao.assessment.models import MemberScore
    from shixiao.ledger.models import Entry

    scored = (MemberScore.objects.filter(membership=membership, run__year__lte=last)
              .order_by("-run__year").values_list("run__year", flat=True).first())
    entry = (Entry.objects.filter(membership=membership, date__year__lte=last)
             .order_by("-date").values_list("date", flat=True).first())
    years = [y for y in (scored, entry.year if entry else None) if y is not None]
    return max(years) if years else None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def select(request) -> Selection:
    """The member's choice from the query string. 403 for other roles; 404 for a
    membership that is not the user's own."""
    user = request.user
    require_member(user)
    today = timezone.localdate()
    memberships = list(own_memberships(user).order_by("-start", "-pk"))
    raw = request.GET.get("membership")
    if raw not in (None, ""):
        pk = _int(raw)
        chosen = next((m for m in memberships if m.pk == pk), None)
        if chosen is None:
            raise Http404(_("No such membership of yours."))
    else:
        chosen = _default(memberships, today)
    year = _int(request.GET.get("year"))
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        year = default_year(chosen, today)
    return Selection(memberships=memberships, membership=chosen, year=year, today=today)
