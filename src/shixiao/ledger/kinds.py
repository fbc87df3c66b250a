"""Which attributes each ledger entry kind carries, and their allowed values.

Pure Python (no Django): the ledger app validates entries against it before they are
stored, and rubric authors read it to know what `where:` can test. The kinds themselves are
the engine's vocabulary (assessment.entries.ENTRY_KINDS).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from shixiao.assessment.entries import ENTRY_KINDS, LEVELS

MEETINGS = ("plenary", "plenary_group", "standing", "chairs", "consultation", "committee",
            "sector", "group", "other")
ATTENDANCE_STATES = ("attended", "leave", "unexcused", "late", "left_early", "partial")
AUTHOR_ROLES = ("individual", "first_author", "co_signer", "collective", "main_author",
                "participant")
PROPOSAL_STATUSES = ("submitted", "registered", "not_registered", "merged", "converted",
                     "key", "excellent", "replied", "adopted", "endorsed", "follow_up_review",
                     "effect_verified", "effect_unkept")
REPORT_STATUSES = ("submitted", "edited", "sent", "adopted", "endorsed", "follow_up_review")
DIFFICULTY = ("easy", "normal", "hard")
RESEARCH_FLAGS = ("show", "showcase", "skimming")
FIELDWORK_TYPES = ("inspection", "research", "supervision")
PARTICIPATION = ("attended", "leave", "unexcused", "full", "partial")


@dataclass(frozen=True)
class Attr:
    """One attribute: its type ('text', 'number', 'bool'), choices, and whether required."""

    type: str = "text"
    choices: tuple[str, ...] | None = None
    required: bool = False


LEVEL = Attr(choices=LEVELS)

SPECS: dict[str, dict[str, Attr]] = {
    "attendance": {"meeting": Attr(choices=MEETINGS, required=True),
                   "state": Attr(choices=ATTENDANCE_STATES, required=True),
                   "half_days": Attr("number"), "half_days_total": Attr("number"),
                   "ref": Attr()},
    "proposal": {"ref": Attr(), "status": Attr(choices=PROPOSAL_STATUSES,
                                                            required=True),
                 "role": Attr(choices=AUTHOR_ROLES, required=True), "level": LEVEL,
                 "authors": Attr("number"), "author_rank": Attr("number"),
                 "collective": Attr("bool"), "units": Attr("number"),
                 "difficulty": Attr(choices=DIFFICULTY), "horizon_months": Attr("number")},
    "opinion_report": {"ref": Attr(), "status": Attr(choices=REPORT_STATUSES, required=True),
                       "level": LEVEL, "role": Attr(choices=AUTHOR_ROLES),
                       "authors": Attr("number"), "from_proposal": Attr("bool")},
    "history_material": {"ref": Attr(), "title": Attr(), "status": Attr()},
    "fieldwork": {"ref": Attr(), "type": Attr(choices=FIELDWORK_TYPES, required=True),
                  "state": Attr(choices=PARTICIPATION), "status": Attr(),
                  "days": Attr("number"), "half_days": Attr("number"), "led": Attr("bool"),
                  "findings": Attr("number"), "flag": Attr(choices=RESEARCH_FLAGS)},
    "study": {"ref": Attr(), "type": Attr(required=True), "state": Attr(choices=PARTICIPATION),
              "half_days": Attr("number")},
    "writing": {"ref": Attr(), "type": Attr(required=True), "status": Attr(),
                "authors": Attr("number"), "author_rank": Attr("number")},
    "speech": {"ref": Attr(), "meeting": Attr(choices=MEETINGS), "level": LEVEL},
    "service": {"ref": Attr(), "type": Attr(required=True)},
    "constituent_contact": {"ref": Attr(), "status": Attr(),
                            "difficulty": Attr(choices=DIFFICULTY)},
    "task": {"ref": Attr(), "status": Attr(), "weight": Attr("number"),
             "difficulty": Attr(choices=DIFFICULTY), "horizon_months": Attr("number")},
    "commendation": {"level": Attr(choices=LEVELS, required=True), "title": Attr()},
    "discipline": {"type": Attr(required=True)},
    "manual": {"points": Attr("number", required=True), "category": Attr(), "rule": Attr(),
               "evidence": Attr(required=True), "vouched_by": Attr(required=True)},
    "void": {},
}

assert set(SPECS) == set(ENTRY_KINDS), "every engine kind needs an attribute spec"


def validate_attrs(kind: str, attrs: dict) -> dict[str, str]:
    """Return {attribute: problem}; empty when the attributes fit the kind."""
    if kind not in SPECS:
        return {"kind": f"unknown kind {kind!r}; known: {', '.join(sorted(SPECS))}"}
    spec = SPECS[kind]
    errors: dict[str, str] = {}
    for name, value in attrs.items():
        attr = spec.get(name)
        if attr is None:
            errors[name] = f"not an attribute of {kind} (known: {', '.join(spec) or 'none'})"
        elif attr.type == "number":
            try:
                Decimal(str(value))
            except InvalidOperation:
                errors[name] = f"must be a number, got {value!r}"
            if isinstance(value, bool):
                errors[name] = f"must be a number, got {value!r}"
        elif attr.type == "bool":
            if not isinstance(value, bool):
                errors[name] = f"must be true or false, got {value!r}"
        elif not isinstance(value, str):
            errors[name] = f"must be text, got {value!r}"
        elif attr.choices is not None and value not in attr.choices:
            errors[name] = f"{value!r} is not one of {', '.join(attr.choices)}"
    for name, attr in spec.items():
        if attr.required and attrs.get(name) in (None, ""):
            errors.setdefault(name, "required")
    return errors


def text_attributes(kind: str) -> frozenset[str]:
    """Attributes of `kind` stored as text (safe to compare by spelling in the database)."""
    return frozenset(name for name, attr in SPECS.get(kind, {}).items() if attr.type == "text")


def attribute_type(kind: str, name: str) -> str | None:
    """How `kind` stores attribute `name` ('text', 'number', 'bool'), or None if entries of
    that kind never carry it (validation refuses unknown attributes)."""
    attr = SPECS.get(kind, {}).get(name)
    return None if attr is None else attr.type
