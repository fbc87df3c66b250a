"""Finding the member a spreadsheet row means. Offices write names; names repeat. A row
may add the last digits of the ID number or the member number (in their own columns, or in
brackets after the name: 张伟（1234）) and must when the name alone is ambiguous. An unknown
or ambiguous name is an error, never a guess."""

import datetime as dt
import re
import unicodedata
from collections import defaultdict

from django.utils.translation import gettext as _

from shixiao.orgs.models import Membership

_HINTED = re.compile(r"^(?P<name>.+?)[（(](?P<hint>[0-9A-Za-z-]{1,20})[)）]$")


class MemberNotFound(LookupError):
    """No member, or more than one, fits; the message says which and what to add."""


def clean_name(text: str) -> str:
    """Names as compared: full-width folded and every space dropped (sign-in sheets pad
    two-character names to line them up: 张  三)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def split_hint(text: str) -> tuple[str, str]:
    """'张伟（1234）' → ('张伟', '1234'); '张伟' → ('张伟', '')."""
    text = clean_name(text)
    match = _HINTED.match(text)
    if match:
        return match["name"], match["hint"].upper()
    return text, ""


def _current(m: Membership, on: dt.date) -> bool:
    return m.start <= on and (m.end is None or m.end >= on)


class MemberIndex:
    """The memberships of one committee that the actor may see, by name."""

    def __init__(self, actor, committee):
        self.by_name: dict[str, list[Membership]] = defaultdict(list)
        self.by_pk: dict[int, Membership] = {}
        for m in (Membership.objects.visible_to(actor).filter(committee=committee)
                  .select_related("person").order_by("start", "pk")):
            self.by_name[clean_name(m.person.name)].append(m)
            self.by_pk[m.pk] = m

    def find(self, name: str, *, id_tail: str = "", number: str = "",
             on: dt.date | None = None, hint: str = "") -> Membership:
        """The one membership that fits, or MemberNotFound saying why not.

        `id_tail` must end the person's ID number, `number` equal the member number; a
        `hint` (from brackets after the name) may be either."""
        name = clean_name(name)
        found = list(self.by_name.get(name, []))
        if not found:
            raise MemberNotFound(_("No member named “%(name)s” in this committee.")
                                 % {"name": name})
        if on is not None:
            found = [m for m in found if _current(m, on)]
            if not found:
                raise MemberNotFound(_("%(name)s was not a member on %(date)s.")
                                     % {"name": name, "date": on.isoformat()})
        id_tail, number, hint = id_tail.strip().upper(), number.strip(), hint.strip().upper()
        if id_tail:
            found = [m for m in found if m.person.id_number.upper().endswith(id_tail)]
            if not found:
                raise MemberNotFound(_("No member named “%(name)s” has an ID number ending in "
                                       "%(tail)s.") % {"name": name, "tail": id_tail})
        if number:
            found = [m for m in found if m.number == number]
            if not found:
                raise MemberNotFound(_("No member named “%(name)s” has the member number "
                                       "%(number)s.") % {"name": name, "number": number})
        if hint:
            found = [m for m in found if m.number.upper() == hint
                     or (len(hint) >= 4 and m.person.id_number.upper().endswith(hint))]
            if not found:
                raise MemberNotFound(_("No member named “%(name)s” has the ID number ending "
                                       "or member number %(hint)s.")
                                     % {"name": name, "hint": hint})
        if len({m.person_id for m in found}) > 1:
            raise MemberNotFound(_(
                "%(count)s members are named “%(name)s”. Add the last four digits of the ID "
                "number or the member number to tell them apart.")
                % {"count": len({m.person_id for m in found}), "name": name})
        if len(found) > 1:
            raise MemberNotFound(_(
                "“%(name)s” holds more than one seat in this committee; give the date it "
                "refers to.") % {"name": name})
        return found[0]

    def find_hinted(self, text: str, *, on: dt.date | None = None) -> Membership:
        name, hint = split_hint(text)
        return self.find(name, hint=hint, on=on)
