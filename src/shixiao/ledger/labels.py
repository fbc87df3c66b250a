"""Words for the ledger's entry kinds, shared by every page and document that shows an
entry (members' pages, duty reports), so a kind reads the same everywhere."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "attendance": _("Attendance"),
    "proposal": _("Proposal"),
    "opinion_report": _("Opinion report"),
    "history_material": _("Local-history material"),
    "fieldwork": _("Fieldwork"),
    "study": _("Study"),
    "writing": _("Writing"),
    "speech": _("Speech"),
    "service": _("Service"),
    "constituent_contact": _("Constituent issue"),
    "task": _("Supervised task"),
    "commendation": _("Commendation"),
    "discipline": _("Discipline"),
    "manual": _("Manual input"),
    "void": _("Retraction"),
}
