"""Declarative conditions on ledger entries: data, never code.

A condition is a mapping from a field to what it must be::

    where: {kind: proposal, role: [first_author, co_signer], status: registered,
            level: {at_or_above: prefecture}, half_days: {gte: 2}}

`kind` is the entry kind; every other field is an entry attribute. A scalar must be equal,
a list means any of, and a mapping holds operators. All fields must hold (AND).
"""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from functools import cached_property

from shixiao.assessment.decimals import to_decimal
from shixiao.assessment.entries import ENTRY_KINDS, LEVELS, LedgerEntry

OPERATORS = ("in", "not", "not_in", "gte", "gt", "lte", "lt", "exists", "at_or_above",
             "at_or_below")
NUMERIC_OPERATORS = ("gte", "gt", "lte", "lt")
LEVEL_OPERATORS = ("at_or_above", "at_or_below")

_MISSING = object()


def normal(value):
    """A value as conditions compare it: numbers stay numbers, booleans become true/false,
    everything else its text (so a CSV cell "true" equals a YAML true)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return to_decimal(value)
    return str(value)


def _same(a, b) -> bool:
    if a.__class__ is str and b.__class__ is str:  # the common case, kept fast
        return a == b
    a, b = normal(a), normal(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, str):
        a = to_decimal(a)
    if isinstance(b, str):
        b = to_decimal(b)
    return a is not None and b is not None and a == b


def _equals(actual, expected) -> bool:
    if isinstance(actual, list):
        return any(_same(item, expected) for item in actual)
    return _same(actual, expected)


@dataclass(frozen=True)
class FieldTest:
    """One field test: `field op operand`."""

    field: str
    op: str
    operand: object
    # Equality with text operands, by far the common case, as a set lookup.
    fast: frozenset | None = dataclass_field(default=None, init=False, compare=False,
                                             repr=False)

    def __post_init__(self):
        operands = (self.operand,) if self.op == "eq" else self.operand
        if self.op in ("eq", "in") and all(o.__class__ is str for o in operands):
            object.__setattr__(self, "fast", frozenset(operands))

    def holds(self, actual) -> bool:
        op, operand = self.op, self.operand
        if op == "exists":
            return (actual is not _MISSING) == bool(operand)
        if op == "not":
            return actual is _MISSING or not _equals(actual, operand)
        if op == "not_in":
            return actual is _MISSING or not any(_equals(actual, o) for o in operand)
        if actual is _MISSING:
            return False
        if op == "eq":
            return _equals(actual, operand)
        if op == "in":
            return any(_equals(actual, o) for o in operand)
        if op in NUMERIC_OPERATORS:
            number = to_decimal(actual)
            if number is None:
                return False
            return {
                "gte": number >= operand,
                "gt": number > operand,
                "lte": number <= operand,
                "lt": number < operand,
            }[op]
        if op in LEVEL_OPERATORS:
            if actual not in LEVELS:
                return False
            rank, bound = LEVELS.index(actual), LEVELS.index(operand)
            return rank <= bound if op == "at_or_above" else rank >= bound
        raise AssertionError(op)


@dataclass(frozen=True)
class Condition:
    """A conjunction of field tests; the empty condition matches every entry."""

    tests: tuple[FieldTest, ...] = ()

    def matches(self, entry: LedgerEntry) -> bool:
        attrs = entry.attrs
        for test in self.tests:
            actual = entry.kind if test.field == "kind" else attrs.get(test.field, _MISSING)
            if test.fast is not None and actual.__class__ is str:
                if actual not in test.fast:
                    return False
            elif not test.holds(actual):
                return False
        return True

    @cached_property
    def kinds(self) -> frozenset[str] | None:
        """The entry kinds this condition can match, or None when it does not say."""
        for test in self.tests:
            if test.field == "kind" and test.op == "eq":
                return frozenset({test.operand})
            if test.field == "kind" and test.op == "in":
                return frozenset(test.operand)
        return None


def compile_condition(data, line_of, report) -> Condition:
    """Build a Condition from rubric data; call `report(line, message)` for each problem.

    `line_of(key)` gives the line of a key of `data` (for messages).
    """
    if data is None:
        return Condition()
    if not isinstance(data, dict):
        report(line_of(None), "a condition must be a mapping of field: value")
        return Condition()
    tests: list[FieldTest] = []
    for field_name, spec in data.items():
        line = line_of(field_name)
        if not isinstance(field_name, str):
            report(line, f"condition field {field_name!r} must be a name")
            continue
        if isinstance(spec, dict):
            for op, operand in spec.items():
                test = _operator_test(field_name, op, operand, line, report)
                if test:
                    tests.append(test)
        elif isinstance(spec, list):
            if not spec or any(isinstance(v, dict | list) for v in spec):
                report(line, f"condition on {field_name!r}: a list must hold plain values")
                continue
            tests.append(FieldTest(field_name, "in", tuple(spec)))
        else:
            tests.append(FieldTest(field_name, "eq", spec))
    for test in tests:
        if test.field == "kind":
            values = test.operand if isinstance(test.operand, tuple) else (test.operand,)
            for value in values if test.op != "exists" else ():
                if value not in ENTRY_KINDS:
                    report(line_of("kind"), f"unknown entry kind {value!r} "
                           f"(known: {', '.join(sorted(ENTRY_KINDS))})")
    return Condition(tuple(tests))


def _operator_test(field_name, op, operand, line, report) -> FieldTest | None:
    if op not in OPERATORS:
        report(line, f"condition on {field_name!r}: unknown operator {op!r} "
               f"(known: {', '.join(OPERATORS)})")
        return None
    if op in NUMERIC_OPERATORS:
        number = to_decimal(operand)
        if number is None:
            report(line, f"condition on {field_name!r}: {op} needs a number, got {operand!r}")
            return None
        return FieldTest(field_name, op, number)
    if op in LEVEL_OPERATORS:
        if operand not in LEVELS:
            report(line, f"condition on {field_name!r}: {op} needs a level "
                   f"({', '.join(LEVELS)}), got {operand!r}")
            return None
        return FieldTest(field_name, op, operand)
    if op in ("in", "not_in"):
        if not isinstance(operand, list) or not operand:
            report(line, f"condition on {field_name!r}: {op} needs a non-empty list")
            return None
        return FieldTest(field_name, op, tuple(operand))
    if op == "exists":
        if not isinstance(operand, bool):
            report(line, f"condition on {field_name!r}: exists needs true or false")
            return None
        return FieldTest(field_name, op, operand)
    return FieldTest(field_name, op, operand)


__all__ = ["Condition", "FieldTest", "compile_condition"]
