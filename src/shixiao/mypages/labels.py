"""Words a member reads for the ledger's codes: every entry kind, status, attendance state,
meeting, level and author role, so no page shows a stored code such as `effect_verified`.

The codes come from ledger.kinds and assessment.entries; tests check that each has a label.
"""

from django.utils.translation import gettext_lazy as _

from shixiao.ledger import labels as ledger_labels

# The vocabularies live in ledger.labels, one table each; these names are what this app's
# pages and tests read.
KINDS = ledger_labels.KINDS
STATUSES = ledger_labels.STATUSES
MEETINGS = ledger_labels.MEETINGS
STATES = ledger_labels.STATES
LEVELS = ledger_labels.LEVELS
AUTHOR_ROLES = ledger_labels.AUTHOR_ROLES
OTHER_VALUES = {**ledger_labels.TYPES, **ledger_labels.DIFFICULTY, **ledger_labels.FLAGS}

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


def kind_label(kind: str) -> str:
    return ledger_labels.kind_label(kind)


def reason_label(reason: str) -> str:
    return ledger_labels.reason_label(reason)


def value_label(value, attribute: str | None = None) -> str:
    """A stored attribute value in words (codes looked up, numbers and text as they are)."""
    return ledger_labels.value_label(value, attribute)


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
        text = value_label(value, name)
        label = ATTRIBUTE_NAMES.get(name)
        if name == "level":  # "provincial" says it all
            label = None
        texts.append(f"{label}: {text}" if label is not None else text)
    return texts
