"""Words a member reads for the ledger's codes: every entry kind, status, attendance state,
meeting, level and author role, so no page shows a stored code such as `effect_verified`.

The codes come from ledger.kinds and assessment.entries; tests check that each has a label.
"""

from django.utils.translation import gettext_lazy as _

from shixiao.core.choices import CommitteeLevel
from shixiao.ledger import labels as ledger_labels

KINDS = ledger_labels.KINDS

#: Proposal and report statuses as ledger entries carry them (ledger.kinds), and the few
#: statuses other kinds use in the default rubric.
STATUSES = {
    "submitted": _("submitted"),
    "registered": _("registered"),
    "not_registered": _("not registered"),
    "merged": _("merged"),
    "converted": _("converted to an opinion report"),
    "key": _("chosen as a key proposal"),
    "excellent": _("excellent proposal"),
    "replied": _("replied"),
    "adopted": _("adopted"),
    "endorsed": _("endorsed by a leader"),
    "follow_up_review": _("took part in a follow-up review"),
    "effect_verified": _("effect verified"),
    "effect_unkept": _("promise not kept"),
    "edited": _("edited"),
    "sent": _("sent upward"),
    "confirmed": _("constituent confirmed it fixed"),
    "closed": _("closed"),
    "accepted": _("accepted as original"),
    "copied": _("copied"),
    "outcome_tracked": _("tracked to an outcome"),
}

MEETINGS = {
    "plenary": _("plenary session"),
    "plenary_group": _("plenary group discussion"),
    "standing": _("standing committee meeting"),
    "chairs": _("chairs' meeting"),
    "consultation": _("consultation meeting"),
    "committee": _("special-committee meeting"),
    "sector": _("sector activity"),
    "group": _("group activity"),
    "other": _("other activity"),
}

#: Attendance states (ledger.kinds.ATTENDANCE_STATES) and participation (PARTICIPATION).
STATES = {
    "attended": _("attended"),
    "leave": _("on leave"),
    "unexcused": _("absent without leave"),
    "late": _("late"),
    "left_early": _("left early"),
    "partial": _("partly attended"),
    "full": _("took part throughout"),
}

LEVELS = {level.value: level.label for level in CommitteeLevel}

AUTHOR_ROLES = {
    "individual": _("sole author"),
    "first_author": _("first author"),
    "co_signer": _("co-signer"),
    "collective": _("on behalf of a collective"),
    "main_author": _("main author"),
    "participant": _("participant"),
}

OTHER_VALUES = {
    "inspection": _("inspection"),
    "research": _("research"),
    "supervision": _("supervision"),
    "easy": _("easy"),
    "normal": _("normal difficulty"),
    "hard": _("hard"),
    "show": _("flagged: for show"),
    "showcase": _("flagged: prepared showcase"),
    "skimming": _("flagged: skimming"),
}

#: Attribute names shown beside their value; the others read well as the value alone.
ATTRIBUTE_NAMES = {
    "units": _("handling units"),
    "horizon_months": _("months after the reply"),
    "findings": _("findings"),
    "days": _("days"),
    "half_days": _("half-days"),
    "weight": _("weight"),
    "points": _("points"),
    "title": _("title"),
    "evidence": _("evidence"),
    "vouched_by": _("vouched for by"),
    "level": _("level"),
    "authors": _("authors"),
}

#: Which attributes to show for an entry, in reading order. `ref` becomes a link to the
#: record instead; `collective`, `author_rank` and `from_proposal` are bookkeeping.
SHOWN = ("meeting", "type", "status", "state", "role", "level", "difficulty", "flag", "units",
         "horizon_months", "findings", "days", "half_days", "weight", "points", "title",
         "evidence", "vouched_by")

_VALUE_TABLES = (STATUSES, STATES, MEETINGS, AUTHOR_ROLES, LEVELS, OTHER_VALUES)


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def value_label(value) -> str:
    """A stored attribute value in words (codes looked up, numbers and text as they are)."""
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if isinstance(value, str):
        for table in _VALUE_TABLES:
            if value in table:
                return str(table[value])
    return str(value)


def attribute_texts(attrs: dict, kind: str = "") -> list[str]:
    """The entry's key attributes in words, e.g. ["registered", "first author"]."""
    attrs = attrs or {}
    texts = []
    for name in SHOWN:
        value = attrs.get(name)
        if value in (None, ""):
            continue
        if name == "level" and kind == "proposal" and attrs.get("status") != "endorsed":
            continue  # the member's own committee's level: it says something only for 批示
        text = value_label(value)
        label = ATTRIBUTE_NAMES.get(name)
        if name == "level":  # "provincial" says it all
            label = None
        texts.append(f"{label}: {text}" if label is not None else text)
    return texts
