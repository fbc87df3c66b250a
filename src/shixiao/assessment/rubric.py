"""The rubric language: load a committee's rubric YAML into frozen data, or say what is wrong.

`load(text)` returns a `Rubric` or raises `RubricInvalid` carrying every problem found;
`validate(text)` returns the problems as `RubricError(line, rule_id, message)`. The language
is documented in docs/rubric-language.md; this module holds what a rubric is, and
`rubricparser` how its text becomes one.
"""

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from shixiao.assessment.conditions import Condition, normal
from shixiao.assessment.decimals import Rounding
from shixiao.assessment.entries import MEMBERSHIP_ROLES, LedgerEntry

RULE_KINDS = ("per_unit", "threshold", "highest", "manual")
GATE_EFFECTS = ("flag", "grade", "grade_at_most")
CONSEQUENCE_SPANS = ("consecutive", "term")
RANKING_SCOPES = ("group", "role", "all")
TOTAL = "total"

# --------------------------------------------------------------------------- labels


class Label(str):
    """A label as a rubric gives it: `label: 实效` or, per language,
    `label: {zh-hans: 实效, en: verified outcomes}`. As text it is the rubric's own wording
    (zh-hans if given, else the first language), so everything that stores or prints a
    label keeps working; `pick(label, language)` gives the wording for a reader."""

    translations: tuple[tuple[str, str], ...] = ()

    def __new__(cls, text: str = "", translations=()):
        label = super().__new__(cls, text)
        label.translations = tuple(translations)
        return label

    def __reduce__(self):
        return (Label, (str(self), self.translations))

    def as_dict(self) -> dict[str, str]:
        """The wordings by language code; empty for a plain label."""
        return dict(self.translations)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def wordings(label) -> tuple[dict[str, str], str]:
    """(wording by language, the default wording) of a Label, a stored mapping or text."""
    if isinstance(label, Mapping):
        wordings = {str(k): str(v) for k, v in label.items()}
        default = wordings.get("zh-hans") or next(iter(wordings.values()), "")
        return wordings, default
    if isinstance(label, Label) and label.translations:
        return dict(label.translations), str(label)
    text = "" if label is None else str(label)
    # Rubrics written before per-language labels said `实效 / verified outcomes`: read
    # that as the two wordings, so stored versions and explanations show one language.
    chinese, sep, other = text.partition(" / ")
    if sep and " / " not in other and _CJK.search(chinese) and not _CJK.search(other):
        return {"zh-hans": chinese.strip(), "en": other.strip()}, chinese.strip()
    return {}, text


def pick(label, language: str | None) -> str:
    """The wording of `label` (a Label, a {language: text} mapping as stored in an
    explanation, or plain text) for `language` (a code such as zh-hans or en): the exact
    language, else one of the same primary language, else the rubric's own wording."""
    options, default = wordings(label)
    if not options or not language:
        return default
    language = language.lower()
    lowered = {k.lower(): v for k, v in options.items()}
    if language in lowered:
        return lowered[language]
    primary = language.split("-")[0]
    for code, text in lowered.items():
        if code.split("-")[0] == primary:
            return text
    return default


def label_dict(label) -> dict:
    """`{"labels": {...}}` for an explanation item whose label has wordings per language
    (kept beside `label` so stored results can be shown in the reader's language)."""
    translations = label.as_dict() if isinstance(label, Label) else {}
    return {"labels": translations} if translations else {}


def item_label(item: Mapping, language: str | None, fallback_key: str = "id") -> str:
    """The label of a stored explanation item (a category, line, gate …) in `language`."""
    label = pick(item.get("labels") or item.get("label"), language)
    return label or str(item.get(fallback_key, ""))


# --------------------------------------------------------------------------- data


# Owners that name a whole list rather than one item of it (an item without an id).
_LIST_OWNERS = {"-", "", "?", "pools", "categories", "rules", "grades", "gates",
                "consequences"}


@dataclass(frozen=True)
class RubricError:
    """One problem in a rubric file: the line, the item it is in (`rule_id`: a rule's,
    category's, gate's … id), what is wrong, and the kind of section the item belongs to
    (rule, category, grade band, gate, consequence, pool, total, period, …)."""

    line: int
    rule_id: str
    message: str
    section: str = "rule"
    warning: bool = False

    @property
    def where(self) -> str:
        """`grade band fail`, `category duty`, or just `period` for a section of its own."""
        if self.rule_id in _LIST_OWNERS or self.rule_id == self.section:
            return self.section
        return f"{self.section} {self.rule_id}"

    def format(self, filename: str) -> str:
        severity = "warning: " if self.warning else ""
        return f"{filename}:{self.line}: {severity}{self.where}: {self.message}"


class RubricInvalid(ValueError):
    """Raised by `load` when a rubric has problems; `errors` lists them all."""

    def __init__(self, errors: list[RubricError]):
        super().__init__("; ".join(f"line {e.line}: {e.where}: {e.message}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class PointsTable:
    """Points that depend on an attribute: `{by: level, values: {national: 10, ...}}`.

    A value may itself be a table (points by status, then by role). Entries whose attribute
    is not in the table earn `default` (None: the rule does not apply to them).
    """

    by: str
    values: tuple[tuple[str, "Decimal | PointsTable"], ...]
    default: "Decimal | PointsTable | None" = None

    def lookup(self, entry: LedgerEntry) -> Decimal | None:
        key = entry.kind if self.by == "kind" else entry.attrs.get(self.by)
        key = None if key is None else str(normal(key))
        for candidate, points in self.values:
            if key == candidate:
                return points_for(points, entry)
        return points_for(self.default, entry) if self.default is not None else None


Points = Decimal | PointsTable


def points_for(points: Points | None, entry: LedgerEntry) -> Decimal | None:
    if points is None or isinstance(points, Decimal):
        return points
    return points.lookup(entry)


def points_values(points: Points | None) -> list[Decimal]:
    """Every number a points spec can produce (to tell earning rules from deductions)."""
    if points is None:
        return []
    if isinstance(points, Decimal):
        return [points]
    found = [v for _, p in points.values for v in points_values(p)]
    return found + points_values(points.default)


@dataclass(frozen=True)
class Tier:
    at_least: Decimal
    points: Decimal


@dataclass(frozen=True)
class Rule:
    """One scoring rule inside a category. See docs/rubric-language.md, "Rules"."""

    id: str
    kind: str
    category: str
    line: int = 0
    label: str = ""
    where: Condition = Condition()
    unless: Condition = Condition()
    applies_to: tuple[str, ...] | None = None
    points: Points | None = None
    per: str | None = None
    from_nth: int = 1
    split: bool = False
    at_least: Decimal = Decimal(1)
    tiers: tuple[Tier, ...] = ()
    group_by: str | None = None
    max: Decimal | None = None
    min: Decimal | None = None
    by_role: tuple[tuple[str, tuple[tuple[str, object], ...]], ...] = ()
    rounding: Rounding = Rounding()

    def for_role(self, role: str) -> "Rule":
        for name, overrides in self.by_role:
            if name == role:
                return dataclasses.replace(self, **dict(overrides))
        return self

    def applies(self, role: str) -> bool:
        return self.applies_to is None or role in self.applies_to


@dataclass(frozen=True)
class Category:
    """A group of rules with its own subtotal: start, cap, floor, pool."""

    id: str
    line: int = 0
    label: str = ""
    start: Decimal = Decimal(0)
    max: Decimal | None = None
    min: Decimal | None = None
    pool: str | None = None
    deduct_after_cap: bool = False
    by_role: tuple[tuple[str, tuple[tuple[str, object], ...]], ...] = ()
    rules: tuple[Rule, ...] = ()

    def for_role(self, role: str) -> "Category":
        for name, overrides in self.by_role:
            if name == role:
                return dataclasses.replace(self, **dict(overrides))
        return self


@dataclass(frozen=True)
class Pool:
    """Several categories sharing one cap (a bonus pool)."""

    id: str
    line: int = 0
    label: str = ""
    max: Decimal | None = None
    min: Decimal | None = None


@dataclass(frozen=True)
class Total:
    """The base awarded by default, and the cap and floor of the total."""

    base: Decimal = Decimal(0)
    max: Decimal | None = None
    min: Decimal | None = None
    by_role: tuple[tuple[str, tuple[tuple[str, object], ...]], ...] = ()

    def for_role(self, role: str) -> "Total":
        for name, overrides in self.by_role:
            if name == role:
                return dataclasses.replace(self, **dict(overrides))
        return self


@dataclass(frozen=True)
class Requirement:
    """One test of a gate: a count of entries, a sum of an attribute, or a score, held
    between `at_least` and `at_most` (either may be absent)."""

    id: str
    label: str = ""
    where: Condition | None = None
    sum: str | None = None
    score: str | None = None
    at_least: Decimal | None = None
    at_most: Decimal | None = None


@dataclass(frozen=True)
class Gate:
    """A minimum requirement: all clauses must hold, a clause holds if any test holds."""

    id: str
    line: int = 0
    label: str = ""
    applies_to: tuple[str, ...] | None = None
    clauses: tuple[tuple[Requirement, ...], ...] = ()
    effect: str = "flag"
    grade: str | None = None


@dataclass(frozen=True)
class Grade:
    """A grade band: totals from `min` (inclusive) up to `below` (exclusive) or the next band."""

    id: str
    min: Decimal
    line: int = 0
    label: str = ""
    below: Decimal | None = None


@dataclass(frozen=True)
class Consequence:
    """What follows from grades over several periods (`times` in a row, or within a term),
    or from failing a gate this period."""

    id: str
    grades: tuple[str, ...] = ()
    line: int = 0
    label: str = ""
    times: int = 1
    over: str = "consecutive"
    gate: str | None = None


@dataclass(frozen=True)
class Ranking:
    enabled: bool = False
    within: str = "group"


@dataclass(frozen=True)
class Rubric:
    id: str
    label: str = ""
    version: str = ""
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    roles: tuple[str, ...] = MEMBERSHIP_ROLES
    rounding: Rounding = Rounding()
    total: Total = Total()
    pools: tuple[Pool, ...] = ()
    categories: tuple[Category, ...] = ()
    gates: tuple[Gate, ...] = ()
    grades: tuple[Grade, ...] = ()
    consequences: tuple[Consequence, ...] = ()
    ranking: Ranking = Ranking()

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for category in self.categories for rule in category.rules)


# --------------------------------------------------------------------------- text


def load(text: str) -> Rubric:
    """Parse rubric text; raise RubricInvalid listing every problem. A rubric is frozen
    data, so a text already parsed in this process is not parsed again (pages that show a
    score read the committee's rubric on every request)."""
    return _load_cached(text)


@functools.lru_cache(maxsize=32)
def _load_cached(text: str) -> Rubric:
    from shixiao.assessment.rubricparser import parse_rubric

    rubric, errors = parse_rubric(text)
    if errors:
        raise RubricInvalid(errors)
    return rubric


def validate(text: str) -> list[RubricError]:
    """Every problem in the rubric text, in line order; empty when it is valid."""
    from shixiao.assessment.rubricparser import parse_rubric

    return parse_rubric(text)[1]


def check(text: str) -> tuple[list[RubricError], list[RubricError]]:
    """Problems (the rubric cannot be used) and warnings (names or values no ledger entry
    carries: a rule that would silently never match), each in line order."""
    from shixiao.assessment.rubricparser import check_rubric

    return check_rubric(text)


def load_file(path) -> Rubric:
    with open(path, encoding="utf-8") as handle:
        return load(handle.read())


__all__ = [
    "Category", "Consequence", "Gate", "Grade", "Points", "PointsTable", "Pool", "Requirement",
    "Rubric", "RubricError", "RubricInvalid", "Rule", "Tier", "Total", "check", "load",
    "Label", "item_label", "label_dict", "load_file", "pick", "points_for", "points_values",
    "validate", "wordings",
]
