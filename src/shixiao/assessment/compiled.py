"""Scoring from counts: the common rubric shapes as per-member aggregates.

Most published rubrics are sums of "points per item", "points once if at least N", "the
highest of these" over entries picked by equality tests. For those, a member's result
depends only on how many of their counted entries fall into each (rule, points value)
cell, and a database can count cells far faster than Python can walk entries. `plan()`
turns such a rubric into one count per cell, each a predicate over an entry's kind, text
attributes and membership role; `conclude()` finishes a member from the counts with the
engine's own subtotal/total/grade/gate code, so both paths agree by construction from the
subtotals on. Everything else (splits, counting from the n-th, groups, numeric tests,
manual input, explanations) raises NotCompilable and is scored entry by entry.

Counts are integers, so no decimal value ever passes through the database's floating
point. Pure Python, no Django: the database layer renders the predicates
(assessment.services) and tests compare both paths on generated ledgers.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter

from shixiao.assessment.conditions import Condition, FieldTest
from shixiao.assessment.decimals import ZERO, clamp
from shixiao.assessment.engine import MemberResult, Subtotal, conclude, subtotal
from shixiao.assessment.entries import LEVELS, MemberInfo
from shixiao.assessment.rubric import PointsTable, Requirement, Rubric, Rule

# A predicate is a small tree of tuples, rendered to SQL by the caller:
#   ("true",) | ("kind", frozenset) | ("attr_in", name, values) | ("attr_not_in", name, values)
#   | ("role", frozenset) | ("and", preds) | ("or", preds) | ("not", pred)
# where attr_in holds only for a present attribute with one of the values and attr_not_in
# for an absent one or another value (as the engine's tests do); values are text, or
# true/false for attributes stored as such. The renderer must keep both two-valued: a
# missing attribute is never SQL's unknown, or a negation would drop the entry.
Pred = tuple
TRUE: Pred = ("true",)

# Per-role overrides that change only what happens after counting.
_COUNT_NEUTRAL_OVERRIDES = {"max", "min", "at_least", "tiers"}


class NotCompilable(Exception):
    """The rubric uses a construct that needs entry-by-entry scoring; the message says
    which, for the benchmark's and the tests' sake."""


@dataclass(frozen=True)
class RulePlan:
    leaves: tuple[tuple[int, Decimal], ...] = ()  # (column, points) per points value
    matched: int | None = None  # threshold rules: the column counting matched entries


@dataclass(frozen=True)
class Plan:
    columns: tuple[Pred, ...]
    rules: dict[str, RulePlan]
    requirements: dict[Requirement, int]
    attributes: frozenset[str]  # attribute names the predicates read
    kinds: frozenset[str] | None  # entry kinds any column can count (None: any kind)
    needs_role: bool  # some predicate tests the membership role


def both(*preds: Pred) -> Pred:
    parts = [p for p in preds if p != TRUE]
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else ("and", tuple(parts))


def either(preds: Sequence[Pred]) -> Pred:
    if any(p == TRUE for p in preds):
        return TRUE
    return preds[0] if len(preds) == 1 else ("or", tuple(preds))


def plan(rubric: Rubric, attr_type: Callable[[str, str], str | None]) -> Plan:
    """Compile `rubric` into counts, or raise NotCompilable. `attr_type(kind, name)` says how
    the ledger stores an attribute ('text', 'number', 'bool', None when the kind never has
    it): only text and true/false compare in the database exactly as in the engine."""
    builder = _Builder(attr_type)
    rules: dict[str, RulePlan] = {}
    # What categories before this one took for themselves, with the kinds it can be: only
    # those sharing a kind with a rule can take anything from it, so only they are tested
    # (most rubrics never test attendance against what the proposal rules took).
    earlier_used: list[tuple[frozenset[str], Pred]] = []
    for category in rubric.categories:
        used_here = []
        for rule in category.rules:
            kinds = rule.where.kinds or frozenset()
            offered = both(*(("not", used) for used_kinds, used in earlier_used
                             if used_kinds & kinds))
            rule_plan, used = builder.rule(rule, offered)
            rules[rule.id] = rule_plan
            used_here.append((kinds, used))
        earlier_used.extend(used_here)
    requirements = {}
    for gate in rubric.gates:
        for clause in gate.clauses:
            for requirement in clause:
                if requirement.score is not None:
                    continue
                if requirement.sum:
                    raise NotCompilable(f"gate {gate.id}: sums an attribute")
                where = builder.condition(requirement.where or Condition(), f"gate {gate.id}")
                requirements[requirement] = builder.column(where)
    columns = tuple(builder.columns)
    return Plan(columns, rules, requirements, frozenset(builder.attributes),
                frozenset(builder.kinds) if builder.kinds is not None else None,
                needs_role=any(_tests_role(p) for p in columns))


def _tests_role(pred: Pred) -> bool:
    if pred[0] == "role":
        return True
    if pred[0] in ("and", "or"):
        return any(_tests_role(p) for p in pred[1])
    return pred[0] == "not" and _tests_role(pred[1])


class _Builder:
    def __init__(self, attr_type):
        self.attr_type = attr_type
        self.columns: list[Pred] = []
        self.index: dict[Pred, int] = {}
        self.attributes: set[str] = set()
        self.kinds: set[str] | None = set()

    def column(self, pred: Pred) -> int:
        if pred not in self.index:
            self.index[pred] = len(self.columns)
            self.columns.append(pred)
        return self.index[pred]

    def rule(self, rule: Rule, offered: Pred) -> tuple[RulePlan, Pred]:
        where = f"rule {rule.id}"
        if rule.kind == "manual":
            raise NotCompilable(f"{where}: manual input")
        if rule.per or rule.split or rule.from_nth != 1 or rule.group_by:
            raise NotCompilable(f"{where}: per/split/from_nth/group_by")
        for _, overrides in rule.by_role:
            if set(dict(overrides)) - _COUNT_NEUTRAL_OVERRIDES:
                raise NotCompilable(f"{where}: by_role changes what is counted")
        kinds = rule.where.kinds
        if kinds is None:
            raise NotCompilable(f"{where}: names no entry kind")
        matched = self.condition(rule.where, where)
        if rule.unless.tests:
            matched = both(matched, ("not", self.condition(rule.unless, where, kinds)))
        role = ("role", frozenset(rule.applies_to)) if rule.applies_to is not None else TRUE
        if self.kinds is not None:
            self.kinds |= kinds
        if rule.kind == "threshold":
            return (RulePlan(matched=self.column(both(offered, matched))),
                    both(role, matched))
        leaves = self.points(rule.points, kinds, where)
        columns = tuple((self.column(both(offered, matched, cond)), value)
                        for cond, value in leaves)
        return RulePlan(leaves=columns), both(role, matched,
                                              either([cond for cond, _ in leaves]))

    def condition(self, condition: Condition, where: str, kinds=None) -> Pred:
        kinds = condition.kinds or kinds
        if kinds is None and any(t.field != "kind" for t in condition.tests):
            raise NotCompilable(f"{where}: an attribute test without an entry kind")
        if kinds is None:
            self.kinds = None  # a count over every kind: no row filter
        return both(*(self.test(t, kinds, where) for t in condition.tests))

    def test(self, test: FieldTest, kinds, where: str) -> Pred:
        if test.field == "kind":
            if test.op in ("eq", "in"):
                return ("kind", kinds)
            raise NotCompilable(f"{where}: kind {test.op}")
        operands = test.operand if isinstance(test.operand, tuple) else (test.operand,)
        if operands and all(o.__class__ is bool for o in operands):
            return self.flag_test(test, operands, kinds, where)
        self.attribute(test.field, kinds, where)
        if test.op in ("at_or_above", "at_or_below"):
            bound = LEVELS.index(test.operand)
            levels = LEVELS[:bound + 1] if test.op == "at_or_above" else LEVELS[bound:]
            return ("attr_in", test.field, tuple(levels))
        if not all(o.__class__ is str for o in operands):
            raise NotCompilable(f"{where}: {test.field} compared with a non-text value")
        if test.op in ("eq", "in"):
            return ("attr_in", test.field, tuple(sorted(set(operands))))
        if test.op in ("not", "not_in"):
            return ("attr_not_in", test.field, tuple(sorted(set(operands))))
        raise NotCompilable(f"{where}: {test.field} {test.op}")

    def flag_test(self, test: FieldTest, operands, kinds, where: str) -> Pred:
        """A test of a true/false attribute against true/false."""
        if test.op not in ("eq", "in", "not", "not_in"):
            raise NotCompilable(f"{where}: {test.field} {test.op}")
        self.attribute(test.field, kinds, where, wanted="bool")
        values = tuple(sorted(set(operands)))
        return ("attr_in" if test.op in ("eq", "in") else "attr_not_in", test.field, values)

    def attribute(self, name: str, kinds, where: str, wanted: str = "text") -> None:
        if not name.isidentifier():
            raise NotCompilable(f"{where}: attribute name {name!r}")
        # A kind that never carries the attribute reads it as absent, in both paths.
        if any(self.attr_type(kind, name) not in (wanted, None) for kind in kinds):
            raise NotCompilable(f"{where}: {name} is not {wanted} for every kind")
        self.attributes.add(name)

    def points(self, points, kinds, where: str) -> list[tuple[Pred, Decimal]]:
        """Every (condition, value) a points spec can give, the conditions disjoint."""
        if points is None:
            return []
        if isinstance(points, Decimal):
            return [(TRUE, points)]
        assert isinstance(points, PointsTable)
        candidates = tuple(c for c, _ in points.values)
        if points.by == "kind":
            def pick(values):
                return ("kind", frozenset(values))
            other = ("not", pick(candidates))
        else:
            self.attribute(points.by, kinds, where)

            def pick(values):
                return ("attr_in", points.by, tuple(values))
            other = ("attr_not_in", points.by, tuple(sorted(candidates)))
        leaves = [(both(pick((candidate,)), cond), value)
                  for candidate, sub in points.values
                  for cond, value in self.points(sub, kinds, where)]
        if points.default is not None:
            leaves += [(both(other, cond), value)
                       for cond, value in self.points(points.default, kinds, where)]
        return leaves


class CountScorer:
    """Finishes members from their counts. A category's subtotal depends only on the
    member's role and that category's counts, so each distinct combination is worked out
    once: members with the same attendance record share one attendance subtotal."""

    def __init__(self, rubric: Rubric, compiled: Plan):
        self.rubric = rubric
        self.plan = compiled
        self.programs: dict[str, list] = {}
        self.subtotals: dict[tuple, Subtotal] = {}

    def _program(self, role: str) -> list:
        """Per category: its role's version, a getter of its counts, its applicable rules."""
        if role not in self.programs:
            program = []
            for category in self.rubric.categories:
                rules = [(rule.for_role(role), self.plan.rules[rule.id])
                         for rule in category.rules if rule.applies(role)]
                columns = sorted({c for _, rp in rules for c, _ in rp.leaves}
                                 | {rp.matched for _, rp in rules if rp.matched is not None})
                # itemgetter picks the category's counts in C; with one column it returns
                # a scalar, with none there is nothing to pick.
                pick = itemgetter(*columns) if columns else (lambda counts: ())
                program.append((category.for_role(role), pick, rules))
            self.programs[role] = program
        return self.programs[role]

    def score(self, info: MemberInfo, counts: Sequence[int], history: list) -> MemberResult:
        role = info.role
        subtotals = []
        cache = self.subtotals
        for category, pick, rules in self._program(role):
            key = (role, category.id, pick(counts))
            found = cache.get(key)
            if found is None:
                points = [v for v in (_rule_points(rule, rp, counts) for rule, rp in rules)
                          if v is not None]
                found = cache[key] = subtotal(category, points)
            subtotals.append(found)
        requirements = self.plan.requirements
        return conclude(self.rubric, info, (), subtotals, history,
                        lambda test: Decimal(counts[requirements[test]]))


def _rule_points(rule: Rule, rule_plan: RulePlan, counts: Sequence[int]) -> Decimal | None:
    """A rule's line points after its cap and floor; None when it has no line."""
    if rule.kind == "threshold":
        matched = counts[rule_plan.matched]
        if not matched:
            return None
        measure = Decimal(matched)
        if rule.tiers:
            reached = [t for t in rule.tiers if measure >= t.at_least]
            raw = reached[-1].points if reached else ZERO
        else:
            raw = rule.points if measure >= rule.at_least else ZERO
    elif rule.kind == "highest":
        found = [value for column, value in rule_plan.leaves if counts[column]]
        if not found:
            return None
        raw = max(found)
    else:  # per_unit
        raw, any_counted = ZERO, False
        for column, value in rule_plan.leaves:
            count = counts[column]
            if count:
                raw += value * count
                any_counted = True
        if not any_counted:
            return None
    return clamp(raw, rule.min, rule.max)
