"""Words for the ledger's codes: one table per vocabulary (entry kinds, attributes, and the
values of each coded attribute), shared by every page, form, Excel file and Word document
that shows an entry, so a code such as `effect_unkept` reads the same everywhere and never
reaches a person as stored.

The codes come from ledger.kinds and assessment.entries; tests check that each has a label.
A value outside the tables (free text such as a study type an import brought in) is shown
as stored.
"""

import re

from django.utils.translation import gettext_lazy as _

from shixiao.core.choices import CommitteeLevel

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

#: Every attribute of ledger.kinds.SPECS, as a form field or an Excel cell names it.
ATTRIBUTES = {
    "meeting": _("Meeting"), "state": _("Attendance"), "half_days": _("Half-days attended"),
    "half_days_total": _("Half-days of the meeting"), "ref": _("Reference"),
    "status": _("Status"), "role": _("Role"), "level": _("Level"), "authors": _("Authors"),
    "author_rank": _("Author rank"), "collective": _("Collective"),
    "units": _("Handling units"), "difficulty": _("Difficulty"),
    "horizon_months": _("Horizon (months)"), "from_proposal": _("From a proposal"),
    "title": _("Title"), "type": _("Type"), "days": _("Days"), "led": _("Led it"),
    "findings": _("Findings"), "flag": _("Flag"), "weight": _("Weight"),
    "points": _("Points"), "category": _("Category"), "rule": _("Rule"),
    "evidence": _("Evidence"), "vouched_by": _("Vouched for by"),
}

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
    "received": _("received"),
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

#: `type` of fieldwork, study and writing entries (the glossary's words).
TYPES = {
    "inspection": _("inspection"),
    "research": _("research"),
    "supervision": _("supervision"),
    "session": _("study session"),
    "reading": _("reading activity"),
    "training": _("training"),
    "reflection": _("study reflection"),
    "speech_material": _("speech material"),
}

DIFFICULTY = {
    "easy": _("easy"),
    "normal": _("normal difficulty"),
    "hard": _("hard"),
}

FLAGS = {
    "show": _("flagged: for show"),
    "showcase": _("flagged: prepared showcase"),
    "skimming": _("flagged: skimming"),
}

#: Which table names the values of each coded attribute.
VALUES = {
    "meeting": MEETINGS, "state": STATES, "status": STATUSES, "role": AUTHOR_ROLES,
    "level": LEVELS, "type": TYPES, "difficulty": DIFFICULTY, "flag": FLAGS,
}

#: Where an entry came from (Entry.source_type), as the list's Source column says it.
SOURCES = {
    "proposals.proposal": _("Proposal"),
    "reports.opinionreport": _("Opinion report"),
    "sheets.importbatch": _("Excel import"),
}


#: The reasons the workflows give the ledger when they correct or retract an entry
#: themselves (proposals.review, .handling, .effect). They are stored as written, in
#: English; a person reads them here. A reason typed by a person is shown as typed.
REASONS = {
    "assigned to handling units": _("assigned to handling units"),
    "registered with its lead proposal": _("registered with its lead proposal"),
    "merged into a registered proposal": _("merged into a registered proposal"),
    "converted to an opinion report: scored as the report":
        _("converted to an opinion report: scored as the report"),
    "still fulfilled at a later horizon": _("still fulfilled at a later horizon"),
    "a later review found it fulfilled": _("a later review found it fulfilled"),
    "a later review found the promise unkept": _("a later review found the promise unkept"),
}


def reason_label(reason: str) -> str:
    return str(REASONS.get(reason, reason))


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def attribute_label(name: str) -> str:
    return str(ATTRIBUTES.get(name, name))


def value_label(value, attribute: str | None = None) -> str:
    """A stored attribute value in words: codes looked up (in `attribute`'s table when
    given, else in every table), yes/no for flags, numbers and free text as they are."""
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if isinstance(value, str):
        tables = [VALUES[attribute]] if attribute in VALUES else VALUES.values()
        for table in tables:
            if value in table:
                return str(table[value])
    return str(value)


def choices(attribute: str, codes) -> list[tuple[str, str]]:
    """(code, label) pairs for a form's choice field."""
    return [(code, value_label(code, attribute)) for code in codes]


#: A workflow's own reference ("proposal:245"): the entry's source says it in words.
_WORKFLOW_REF = re.compile(r"(proposal|report):\d+")


def attributes_text(attrs: dict, *, sep: str = "；") -> str:
    """Every attribute of an entry, named and in words: "状态：已立案；角色：第一提案人"."""
    parts = [f"{attribute_label(name)}：{value_label(value, name)}"
             for name, value in (attrs or {}).items()
             if value not in (None, "")
             and not (name == "ref" and _WORKFLOW_REF.fullmatch(str(value)))]
    return sep.join(parts)


def source_label(source_type: str) -> str:
    return str(SOURCES.get(source_type, source_type))
