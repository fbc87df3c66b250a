"""Names people see for rule codes and colours. The engine stays free of Django, so its
codes and colour values are translated here, in one place every app can use."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .engine import DAYS, WORKING_DAYS, Colour

RULE_LABELS = {
    "proposal_reply": _("Reply to a proposal"),
    "proposal_objection": _("Object to a proposal's assignment"),
    "proposal_contact": _("Contact the proposer before handling"),
    "proposal_co_handling": _("Co-handling unit's opinion to the lead unit"),
    "proposal_rating": _("Proposer rates the reply"),
    "proposal_follow_up": _("Follow-up review of a proposal"),
    "report_edit": _("Edit an opinion report"),
    "task": _("Finish a supervised task"),
}

COLOUR_LABELS = {
    Colour.NONE: _("On schedule"),
    Colour.BLUE: _("Reminder"),
    Colour.YELLOW: _("Warning"),
    Colour.RED: _("Overdue"),
}

COLOUR_HINTS = {
    Colour.BLUE: _("Blue reminder: the due date is near; plan the work."),
    Colour.YELLOW: _("Yellow warning: only a few working days are left; act now."),
    Colour.RED: _("Red: overdue; the due date has passed and the work is not done."),
}


def rule_label(code: str, override: str = "") -> str:
    return override or str(RULE_LABELS.get(code, code))


def period_text(period) -> str:
    """'3 months', '15 working days' — in the reader's language."""
    if period is None:
        return ""
    n = period.amount
    if period.unit == DAYS:
        return ngettext("%(n)s calendar day", "%(n)s calendar days", n) % {"n": n}
    if period.unit == WORKING_DAYS:
        return ngettext("%(n)s working day", "%(n)s working days", n) % {"n": n}
    return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}
