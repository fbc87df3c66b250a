"""What each role may do, in one table. Scope (which records) is the querysets' business;
this table only says which kinds of action a role may take at all."""

from shixiao.core.choices import UserRole

_ORG_REFERENCE = [
    "orgs.view_committee", "orgs.view_term", "orgs.view_sector",
    "orgs.view_specialcommittee", "orgs.view_group", "orgs.view_handlingunit",
]
_ORG_PEOPLE_READ = ["orgs.view_person", "orgs.view_membership"]
_ORG_WRITE = [
    f"orgs.{action}_{model}"
    for model in ("person", "membership", "sector", "specialcommittee", "group",
                  "handlingunit", "term", "session")
    for action in ("add", "change", "delete")
]

_ASSESS_READ = ["assessment.view_rubricversion", "assessment.view_scorerun",
                "assessment.view_memberscore", "ledger.view_entry"]
_ASSESS_WRITE = ["assessment.add_rubricversion", "assessment.add_scorerun", "ledger.add_entry"]

# Proposals and opinion reports. `manage_*` covers the office's workflow steps (review,
# register, merge, convert, assign, mark key/excellent, follow-up reviews, close);
# `view_rating` is withheld from handling units so that they can neither see nor sway how
# members rated their work.
_CASEWORK_READ = ["proposals.view_proposal", "reports.view_opinionreport",
                  "deadlines.view_deadlinerule"]
_CASEWORK_AUTHOR = ["proposals.add_proposal", "proposals.rate_proposal",
                    "reports.add_opinionreport"]
_CASEWORK_OFFICE = ["proposals.add_proposal", "proposals.manage_proposal",
                    "proposals.view_rating", "reports.add_opinionreport",
                    "reports.manage_opinionreport", "deadlines.change_deadlinerule"]

# Office tools (issue 5). Import needs the target records' own add permissions too;
# export shows only rows the user may see, masked as on screen.
_TOOLS_READ = ["sheets.export_sheet", "dossier.view_dossier", "dashboard.view_dashboard"]
_TOOLS_OFFICE = _TOOLS_READ + ["sheets.import_sheet", "dossier.publish_assessment"]

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    UserRole.OFFICE: frozenset(
        _ORG_REFERENCE + _ORG_PEOPLE_READ + _ORG_WRITE
        + ["orgs.view_personal_data", "audit.view_auditrecord", "accounts.view_user"]
        + _ASSESS_READ + _ASSESS_WRITE + _CASEWORK_READ + _CASEWORK_OFFICE + _TOOLS_OFFICE
    ),
    UserRole.SC_STAFF: frozenset(
        _ORG_REFERENCE + _ORG_PEOPLE_READ + ["orgs.change_person", "orgs.change_membership"]
        + _ASSESS_READ + ["ledger.add_entry"] + _CASEWORK_READ
        + ["proposals.manage_proposal", "proposals.view_rating"] + _TOOLS_READ
    ),
    UserRole.LEADER: frozenset(_ORG_REFERENCE + _ORG_PEOPLE_READ + _ASSESS_READ
                               + _CASEWORK_READ + _TOOLS_READ
                               + ["proposals.view_rating", "proposals.supervise_proposal"]),
    UserRole.MEMBER: frozenset(_ORG_REFERENCE + _ORG_PEOPLE_READ + _ASSESS_READ
                               + _CASEWORK_READ + _CASEWORK_AUTHOR + ["dossier.view_dossier"]),
    UserRole.UNIT: frozenset(["orgs.view_committee", "orgs.view_handlingunit",
                              "proposals.view_proposal", "proposals.reply_proposal"]),
    UserRole.AUDITOR: frozenset(
        _ORG_REFERENCE + _ORG_PEOPLE_READ + ["audit.view_auditrecord", "accounts.view_user"]
        + _ASSESS_READ + _CASEWORK_READ + ["proposals.view_rating"] + _TOOLS_READ
    ),
}
