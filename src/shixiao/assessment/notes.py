"""The engine's notes (`engine.NOTES`) in the reader's language.

The engine is pure and writes English: the command line prints it and a stored explanation
keeps it. Pages and Word reports read each note back against the engine's templates and
say it again through the catalogue. A note that matches no template (written by an older
version) is shown as it was written.
"""

import re

from django.utils.translation import gettext_lazy as _

from .engine import NOTES

# The same English as engine.NOTES, literal here so that makemessages finds it; a test
# holds the two tables in step.
MESSAGES = {
    "no_quantity": _("%(entry)s: no number in %(field)s, not counted"),
    "bad_authors": _("%(entry)s: authors/author_rank unusable, not counted"),
    "share": _("%(entry)s: share %(rank)s of %(authors)s of %(whole)s = %(points)s"),
    "from_nth": _("counted from item %(nth)s: first %(skipped)s earn nothing"),
    "tier": _("%(measure)s reaches the tier at %(at_least)s"),
    "below_tiers": _("%(measure)s is below the lowest tier %(at_least)s"),
    "once": _("once per period: %(measure)s >= %(at_least)s"),
    "not_reached": _("threshold not reached: %(measure)s < %(at_least)s"),
    "highest": _("highest: %(best)s, not summed with %(others)s"),
    "highest_in_group": _(
        "highest for %(field)s %(group)s: %(best)s, not summed with %(others)s"),
    "manual_no_points": _("%(entry)s: manual input refused: no points"),
    "manual_no_evidence": _("%(entry)s: manual input refused: no evidence"),
    "manual_no_vouched_by": _("%(entry)s: manual input refused: no vouched_by"),
    "manual_no_evidence_or_vouched_by": _(
        "%(entry)s: manual input refused: no evidence or vouched_by"),
    "manual": _("%(entry)s: %(points)s vouched by %(who)s"),
    "cap": _("cap %(max)s applied (earned %(raw)s)"),
    "floor": _("floor %(min)s applied (was %(raw)s)"),
    "cap_before_deductions": _("cap %(max)s applied before deductions (earned %(raw)s)"),
    "rule_cap": _("rule cap %(max)s applied (earned %(raw)s)"),
    "rule_floor": _("rule floor %(min)s applied (was %(raw)s)"),
    "total_cap": _("total cap %(max)s applied (earned %(raw)s)"),
    "total_floor": _("total floor %(min)s applied (was %(raw)s)"),
}


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", template)  # literal, name, literal, name, ...
    return re.compile("".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
                              for index, part in enumerate(parts)))


# Longest template first, so "cap ... before deductions" is tried before "cap ...".
_PATTERNS = [(code, _pattern(NOTES[code]))
             for code in sorted(NOTES, key=lambda code: -len(NOTES[code]))]


def translate(note: str) -> str:
    """`note` in the active language."""
    for code, pattern in _PATTERNS:
        found = pattern.fullmatch(note)
        if found:
            return str(MESSAGES[code]) % found.groupdict()
    return note
