"""Which ledger entries a rubric can possibly use, so the database can skip the rest.

Pure Python: returns the rubric's conditions as plain (kind set, {attribute: values}) pairs
that the database layer turns into a filter. It is always a superset: a test it cannot
express (numbers, levels, negations) is left out, which only lets more entries through; and
if any rule or gate could use every entry, it returns None (no filtering).
"""

from dataclasses import dataclass

from shixiao.assessment.conditions import Condition
from shixiao.assessment.rubric import Rubric


@dataclass(frozen=True)
class Clause:
    """Entries of one of `kinds` (None: any kind) whose text attributes are in the sets."""

    kinds: frozenset[str] | None
    attrs: tuple[tuple[str, frozenset[str]], ...]


def _clause(condition: Condition, text_attrs) -> Clause:
    kinds = condition.kinds
    attrs = []
    for test in condition.tests:
        if test.field == "kind" or test.fast is None:
            continue  # only plain text equality / membership is pushed down
        # An attribute is pushed down only where every kind it may apply to stores it as
        # text; numbers and flags compare by value in the engine, not by their spelling.
        if kinds is None or not all(test.field in text_attrs(kind) for kind in kinds):
            continue
        attrs.append((test.field, test.fast))
    return Clause(kinds, tuple(sorted(attrs)))


def relevant(rubric: Rubric, text_attrs) -> tuple[Clause, ...] | None:
    """The clauses an entry must meet one of to matter to `rubric`, or None for all.

    `text_attrs(kind)` names the attributes the ledger stores as text for that kind.
    """
    clauses = []
    conditions = []
    for rule in rubric.rules:
        if rule.kind == "manual" and not rule.where.tests:
            # A manual rule takes points from entries with evidence and a voucher; only
            # entries of kind `manual` carry those (docs/ledger-format.md).
            clauses.append(Clause(frozenset({"manual"}), ()))
        else:
            conditions.append(rule.where)
    for gate in rubric.gates:
        for clause in gate.clauses:
            for requirement in clause:
                if requirement.score is None:
                    conditions.append(requirement.where or Condition())
    for condition in conditions:
        if not condition.tests:
            return None  # something can use every entry
        clauses.append(_clause(condition, text_attrs))
    if any(c.kinds is None and not c.attrs for c in clauses):
        return None
    return tuple(dict.fromkeys(clauses))
