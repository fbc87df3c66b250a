"""Words for ledger entries in duty reports: a kind, its key attributes and their values,
so an explanation line reads "2025-03-10 proposal · registered · first author" rather
than as stored JSON."""

from django.utils.translation import gettext_lazy as _

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

def value_text(value, attribute: str | None = None) -> str:
    return ledger_labels.value_label(value, attribute)


def describe_entry(entry, titles: dict[str, str]) -> str:
    """One entry in words: date, kind, key attributes, and the record's title."""
    parts = [entry.date.isoformat(), str(KINDS.get(entry.kind, entry.kind))]
    attrs = entry.attrs or {}
    for name, label in ATTRIBUTES.items():
        if attrs.get(name) in (None, ""):
            continue
        value = value_text(attrs[name], name)
        parts.append(f"{label}: {value}" if label is not None else value)
    title = titles.get(str(attrs.get("ref", "")))
    if title:
        parts.append(f"《{title}》")
    return " · ".join(parts)
