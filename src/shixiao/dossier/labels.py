"""Words for ledger entries in duty reports: a kind, its key attributes and their values,
so an explanation line reads "2025-03-10 proposal · registered · first author" rather
than as stored JSON."""

from django.utils.translation import gettext_lazy as _

from shixiao.core.choices import CommitteeLevel
from shixiao.ledger import labels as ledger_labels

KINDS = ledger_labels.KINDS

#: Attributes worth a word in a report, in the order they are read out. `ref` is shown as
#: the record's title instead; counts and evidence keep their attribute name.
ATTRIBUTES = {
    "meeting": None, "type": None, "status": None, "state": None, "role": None,
    "level": None, "difficulty": None, "flag": None,
    "units": _("handling units"), "horizon_months": _("months after the reply"),
    "findings": _("findings"), "days": _("days"), "half_days": _("half-days"),
    "weight": _("weight"), "points": _("points"), "title": _("title"),
    "evidence": _("evidence"), "vouched_by": _("vouched for by"),
}

VALUES = {
    # meetings
    "plenary": _("plenary session"), "plenary_group": _("plenary group discussion"),
    "standing": _("standing meeting"), "chairs": _("chairs' meeting"),
    "consultation": _("consultation meeting"), "committee": _("special-committee meeting"),
    "sector": _("sector activity"), "group": _("group activity"), "other": _("other activity"),
    # attendance and participation
    "attended": _("attended"), "leave": _("on leave"), "unexcused": _("absent without leave"),
    "late": _("late"), "left_early": _("left early"), "partial": _("partly attended"),
    "full": _("took part throughout"),
    # statuses
    "submitted": _("submitted"), "registered": _("registered"),
    "not_registered": _("not registered"), "merged": _("merged"),
    "converted": _("converted to an opinion report"), "key": _("key proposal"),
    "excellent": _("excellent proposal"), "replied": _("replied"), "adopted": _("adopted"),
    "endorsed": _("endorsed by a leader"), "follow_up_review": _("follow-up review"),
    "effect_verified": _("effect verified"), "effect_unkept": _("effect not kept"),
    "edited": _("edited"), "sent": _("sent upward"), "confirmed": _("confirmed fixed"),
    "closed": _("closed"), "accepted": _("accepted as original"), "copied": _("copied"),
    "outcome_tracked": _("tracked to an outcome"),
    # author roles
    "individual": _("sole author"), "first_author": _("first author"),
    "co_signer": _("co-signer"), "collective": _("collective"),
    "main_author": _("main author"), "participant": _("participant"),
    # fieldwork, difficulty, flags
    "inspection": _("inspection"), "research": _("research"), "supervision": _("supervision"),
    "easy": _("easy"), "normal": _("normal difficulty"), "hard": _("hard"),
    "show": _("for show"), "showcase": _("prepared showcase"), "skimming": _("skimming"),
    **{level.value: level.label for level in CommitteeLevel},
}


def value_text(value) -> str:
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    label = VALUES.get(value) if isinstance(value, str) else None
    return str(label) if label is not None else str(value)


def describe_entry(entry, titles: dict[str, str]) -> str:
    """One entry in words: date, kind, key attributes, and the record's title."""
    parts = [entry.date.isoformat(), str(KINDS.get(entry.kind, entry.kind))]
    attrs = entry.attrs or {}
    for name, label in ATTRIBUTES.items():
        if attrs.get(name) in (None, ""):
            continue
        value = value_text(attrs[name])
        parts.append(f"{label}: {value}" if label is not None else value)
    title = titles.get(str(attrs.get("ref", "")))
    if title:
        parts.append(f"《{title}》")
    return " · ".join(parts)
