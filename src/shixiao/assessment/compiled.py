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
    # The columns each category reads (for any role), in rubric order, then those the
    # gates read: a member's counts travel as one key per group, so members alike in a
    # category share its subtotal without the other counts being looked at.
    groups: tuple[tuple[int, ...], ...] = ()


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
    # Thresholds that take their entries only when a member reaches them: what a later
    # category is offered would depend on the member's count, which no count can say.
    unsure: list[tuple[frozenset[str], str]] = []
    for category in rubric.categories:
        used_here, unsure_here = [], []
        for rule in category.rules:
            kinds = rule.where.kinds or frozenset()
            for unsure_kinds, threshold in unsure:
                if unsure_kinds & kinds:
                    raise NotCompilable(f"rule {rule.id}: is offered what threshold "
                                        f"{threshold} leaves when not reached")
            offered = both(*(("not", used) for used_kinds, used in earlier_used
                             if used_kinds & kinds))
            rule_plan, used = builder.rule(rule, offered)
            rules[rule.id] = rule_plan
            if rule.kind == "threshold" and _may_stay_unreached(rule):
                unsure_here.append((kinds, rule.id))
            else:
                used_here.append((kinds, used))
        earlier_used.extend(used_here)
        unsure.extend(unsure_here)
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
    groups = [tuple(sorted({column for rule in category.rules
                            for column in _columns_of(rules[rule.id])}))
              for category in rubric.categories]
    groups.append(tuple(sorted(set(requirements.values()))))
    return Plan(columns, rules, requirements, frozenset(builder.attributes),
                frozenset(builder.kinds) if builder.kinds is not None else None,
                needs_role=any(_tests_role(p) for p in columns), groups=tuple(groups))


def _may_stay_unreached(rule: Rule) -> bool:
    """Whether a threshold rule can match entries and still not be reached (for some role):
    then it leaves them to later categories (docs/rubric-language.md, No double counting)."""
    bars = [rule.tiers[0].at_least] if rule.tiers else [rule.at_least]
    bars += [dict(overrides)["at_least"] for _, overrides in rule.by_role
             if dict(overrides).get("at_least") is not None and not rule.tiers]
    return any(bar > 1 for bar in bars)


def _columns_of(rule_plan: RulePlan) -> list[int]:
    columns = [column for column, _ in rule_plan.leaves]
    return columns + ([rule_plan.matched] if rule_plan.matched is not None else [])


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
    """Finishes members from their counts, given as one key per group of `Plan.groups`
    (categories in rubric order, then gates); `decode(group, key)` gives the group's counts
    in its own column order (default: the key is that tuple). A category's subtotal
    depends only on the member's role and its group's counts, so each distinct combination
    is worked out once: members with the same attendance record share one attendance
    subtotal, and most members' keys are never decoded."""

    def __init__(self, rubric: Rubric, compiled: Plan,
                 decode: Callable[[int, object], Sequence[int]] | None = None):
        self.rubric = rubric
        self.plan = compiled
        self.decode = decode or (lambda group, key: key)
        local = [{column: i for i, column in enumerate(g)} for g in compiled.groups]
        # Rule plans in their category's own column numbering.
        self.rules = {
            rule.id: _renumbered(compiled.rules[rule.id], local[index])
            for index, category in enumerate(rubric.categories) for rule in category.rules}
        self.gate_index = {test: local[-1][column]
                           for test, column in compiled.requirements.items()}
        self.programs: dict[str, list] = {}
        self.interned: dict[tuple, Subtotal] = {}
        self.points: dict[int, str] = {}
        # What follows the subtotals (pools, total, grade, gates, consequences) depends only
        # on their points, the role, the gates' counts and, for consequences, the member's
        # earlier grades: members alike in those share one conclusion (about 500 for the
        # benchmark's 10,000 members), copied with their own id, group and subtotals.
        self.concluded: dict[tuple, MemberResult] = {}
        self.uses_history = bool(rubric.consequences)

    def _program(self, role: str) -> list:
        """Per category: its index, its role's version, its applicable rules, and the
        subtotals found so far by key."""
        if role not in self.programs:
            self.programs[role] = [
                (index, category.for_role(role),
                 [(rule.for_role(role), self.rules[rule.id])
                  for rule in category.rules if rule.applies(role)], {})
                for index, category in enumerate(self.rubric.categories)]
        return self.programs[role]

    def score(self, member: str, role: str, group: str | None, keys: Sequence,
              history: list) -> MemberResult:
        """One member's result (this runs once per member: kept lean)."""
        program = self.programs.get(role) or self._program(role)
        subtotals = []
        for index, category, rules, found_by_key in program:
            key = keys[index]
            found = found_by_key.get(key)
            if found is None:
                found = found_by_key[key] = self._subtotal(category, rules,
                                                           self.decode(index, key))
            subtotals.append(found)
        gates_key = keys[-1]
        points = self.points
        key = (role, gates_key, *[points[id(s)] for s in subtotals])
        if self.uses_history:
            key += (tuple(history),)
        concluded = self.concluded.get(key)
        if concluded is None:
            gate_counts = self.decode(len(keys) - 1, gates_key)
            gate_index = self.gate_index
            concluded = self.concluded[key] = conclude(
                self.rubric, MemberInfo(id="", role=role), (), subtotals, history,
                lambda test: Decimal(gate_counts[gate_index[test]]))
        return _as_member(concluded, member, group, tuple(subtotals))

    def _subtotal(self, category, rules, counts: Sequence[int]) -> Subtotal:
        points = [v for v in (_rule_points(rule, rp, counts) for rule, rp in rules)
                  if v is not None]
        found = subtotal(category, points)
        # One object per distinct subtotal, kept alive here so that its id stays its own,
        # with its points as text (10 and 10.0 are equal, but not alike) for the key of a
        # conclusion.
        found = self.interned.setdefault((found, str(found.points)), found)
        self.points[id(found)] = str(found.points)
        return found


def _renumbered(rule_plan: RulePlan, local: dict[int, int]) -> RulePlan:
    return RulePlan(leaves=tuple((local[column], value) for column, value in rule_plan.leaves),
                    matched=None if rule_plan.matched is None else local[rule_plan.matched])


def _as_member(result: MemberResult, member: str, group: str | None,
               categories: tuple[Subtotal, ...]) -> MemberResult:
    """A shared conclusion as one member's result (the tuples inside are immutable).
    Positional, at a third of the keywords' cost; a test pins the field order."""
    return MemberResult(member, result.role, result.total, result.grade, result.base, group,
                        categories, result.pools, result.lines, result.gates,
                        result.consequences, result.grade_by_score, result.rank, result.notes)


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


# ------------------------------------------------------------------ one pass per entry

# The database reads an entry's attributes once each when the columns' predicates are
# folded into one decision tree: branch on the kind, then on each value the remaining
# predicates test, until every predicate is decided. A leaf names the columns an entry
# reaching it counts in. (Evaluated column by column, every predicate would read its
# attributes again: on PostgreSQL that was two thirds of the count query's time.)
OTHER = None  # the branch of a value no predicate names, or an absent attribute


@dataclass(frozen=True)
class Branch:
    var: tuple  # ("kind",) | ("role",) | ("attr", name)
    cases: tuple  # ((value as the database spells it, node), ...)
    other: "Branch | frozenset[int]"


class TreeTooLarge(Exception):
    """The predicates interact too much for a tree of reasonable size."""


def decision_tree(columns: Sequence[Pred], spell: Callable[[object], str],
                  limit: int = 2000) -> "Branch | frozenset[int]":
    """The columns' predicates as one tree over (kind, role, attributes). `spell(value)`
    is how the database reads a literal back as text (e.g. true as 'true'), so the tree
    compares exactly what the per-column SQL compares. Raises TreeTooLarge past `limit`
    nodes."""
    size = 0

    def build(live, counted: frozenset[int]):
        nonlocal size
        size += 1
        if size > limit:
            raise TreeTooLarge(f"more than {limit} nodes")
        if not live:
            return counted
        var = _pick(live)
        values = sorted({spell(v) for _, pred in live for v in _literals(pred, var)})
        nodes = []
        for value in [*values, OTHER]:
            now, rest = set(counted), []
            for column, pred in live:
                decided = _restrict(pred, var, value, spell)
                if decided is True:
                    now.add(column)
                elif decided is not False:
                    rest.append((column, decided))
            nodes.append(build(tuple(rest), frozenset(now)))
        other = nodes.pop()
        # A value that leads where no named value does needs no case of its own.
        cases = tuple((v, n) for v, n in zip(values, nodes, strict=True) if n != other)
        return Branch(var, cases, other) if cases else other

    # Simplify first against a variable no predicate reads: constants (a count of every
    # entry is TRUE) are decided before any branch.
    start, live = set(), []
    for column, pred in enumerate(columns):
        decided = _restrict(pred, ("none",), OTHER, spell)
        if decided is True:
            start.add(column)
        elif decided is not False:
            live.append((column, decided))
    return build(tuple(live), frozenset(start))


def _vars(pred: Pred) -> list[tuple]:
    op = pred[0]
    if op in ("kind", "role"):
        return [(op,)]
    if op in ("attr_in", "attr_not_in"):
        return [("attr", pred[1])]
    if op == "not":
        return _vars(pred[1])
    if op in ("and", "or"):
        return [v for p in pred[1] for v in _vars(p)]
    return []


def _pick(live) -> tuple:
    """Kind first (it decides most), then role, then the attribute most predicates read."""
    tally: dict[tuple, int] = {}
    for _, pred in live:
        for var in _vars(pred):
            tally[var] = tally.get(var, 0) + 1
    for first in (("kind",), ("role",)):
        if first in tally:
            return first
    return min(tally, key=lambda var: (-tally[var], var))


def _literals(pred: Pred, var: tuple) -> tuple:
    op = pred[0]
    if op in ("kind", "role"):
        return tuple(pred[1]) if var == (op,) else ()
    if op in ("attr_in", "attr_not_in"):
        return pred[2] if var == ("attr", pred[1]) else ()
    if op == "not":
        return _literals(pred[1], var)
    if op in ("and", "or"):
        return tuple(v for p in pred[1] for v in _literals(p, var))
    return ()


def _restrict(pred: Pred, var: tuple, value, spell) -> "Pred | bool":
    """`pred` once `var` is known to read `value` (OTHER: none of the named values)."""
    op = pred[0]
    if op == "true":
        return True
    if op in ("kind", "role"):
        if var != (op,):
            return pred
        return value is not OTHER and value in {spell(v) for v in pred[1]}
    if op in ("attr_in", "attr_not_in"):
        if var != ("attr", pred[1]):
            return pred
        inside = value is not OTHER and value in {spell(v) for v in pred[2]}
        return inside if op == "attr_in" else not inside
    if op == "not":
        inner = _restrict(pred[1], var, value, spell)
        return (not inner) if inner.__class__ is bool else ("not", inner)
    parts = []
    for part in pred[1]:
        decided = _restrict(part, var, value, spell)
        if decided is True:
            if op == "or":
                return True
        elif decided is False:
            if op == "and":
                return False
        else:
            parts.append(decided)
    if not parts:
        return op == "and"
    return parts[0] if len(parts) == 1 else (op, tuple(parts))
