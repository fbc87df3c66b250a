"""The database half of scoring from counts (assessment.compiled): for every member seated
in a period, how many of their counted entries fall into each of a plan's columns, in one
grouped query. The counted entries are those `entries.in_force` keeps.

On PostgreSQL the columns' predicates are folded into one decision tree
(`compiled.decision_tree`), so each entry's attributes are read once. A leaf, the columns
an entry counts in, is written as one integer with `DIGITS` decimal digits per column, and
one exact numeric SUM per member adds them up. No digit group carries into the next while
a member has fewer than 10**DIGITS counted entries, which the query also counts and this
module checks. The columns are laid out group by group (`Plan.groups`: each category's,
then the gates'), so a group's counts are one run of digits of the sum, taken as text:
members with the same counts in a category have the same text there, and only the first
of them is decoded. Elsewhere (SQLite, whose integers are 64-bit, or a tree too large)
each column is its own COUNT(*) FILTER, which reads the attributes again per column.
"""

from operator import itemgetter

from django.db import connection

from . import compiled

DIGITS = 8  # per column: two PostgreSQL numeric base-10000 digits
TREE_LIMIT = 2000  # nodes; past it (predicates that interact a lot) count column by column


def member_counts(plan: compiled.Plan, committee_id: int, start, end, as_of):
    """For everyone seated in the period, by membership id: (membership id, role, sector
    id, one key per group of `plan.groups`), and `decode(group, key)`, the group's counts
    in its own column order (all zeros for a member with nothing counted). Equal keys mean
    equal counts, so compiled.CountScorer decodes a key only the first time it meets it."""
    if connection.vendor == "postgresql":
        try:
            tree = compiled.decision_tree(plan.columns, _spell_pg, limit=TREE_LIMIT)
        except compiled.TreeTooLarge:
            tree = None
        if tree is not None:
            layout = _Layout(plan)
            with connection.cursor() as cursor:
                cursor.execute(*_packed_sql(plan, tree, layout, committee_id, start, end,
                                            as_of))
                rows = cursor.fetchall()
            # counted.*: (m, n, sum), NULL for a member with nothing counted
            if all(row[4] is None or row[4] < 10**DIGITS for row in rows):
                return layout.members(rows), layout.decode
            # Somebody has 10**DIGITS entries in the period: count column by column.
    with connection.cursor() as cursor:
        cursor.execute(*_filter_sql(plan, committee_id, start, end, as_of))
        rows = cursor.fetchall()
    pickers = [_picker(group) for group in plan.groups]
    empty = (0,) * len(plan.columns)
    members = []
    for row in sorted(rows):  # counted.*: (m, count per column...)
        counts = row[4:] if row[3] is not None else empty
        members.append((row[0], row[1], row[2], tuple(pick(counts) for pick in pickers)))
    return members, lambda group, key: key


def _picker(group: tuple[int, ...]):
    """The group's counts out of all, always as a tuple (itemgetter gives one alone)."""
    if len(group) > 1:
        return itemgetter(*group)
    if group:
        column = group[0]
        return lambda counts: (counts[column],)
    return lambda counts: ()


class _Layout:
    """Where each column's count sits in the packed sum: group after group, the first
    column of a group lowest. A column two groups read has a place in each."""

    def __init__(self, plan: compiled.Plan):
        self.places: dict[int, list[int]] = {}
        self.spans: list[tuple[int, int]] = []
        at = 0
        for group in plan.groups:
            self.spans.append((at, at + len(group)))
            for column in group:
                self.places.setdefault(column, []).append(at)
                at += 1
        self.width = at * DIGITS
        self.digits = DIGITS

    def leaf(self, columns: frozenset[int]) -> int:
        base = 10**self.digits
        return sum(base**place for column in columns for place in self.places[column])

    def members(self, rows) -> list:
        width, digits = self.width, self.digits
        cuts = [(width - hi * digits, width - lo * digits) for lo, hi in self.spans]
        nothing = (None,) * len(cuts)
        members = []
        for row in sorted(rows):
            packed = row[5]
            if packed is None:
                members.append((row[0], row[1], row[2], nothing))
            else:
                packed = packed.zfill(width)
                members.append((row[0], row[1], row[2],
                                tuple([packed[a:b] for a, b in cuts])))
        return members

    def decode(self, group: int, key: str | None) -> tuple[int, ...]:
        lo, hi = self.spans[group]
        if key is None:
            return (0,) * (hi - lo)
        digits = self.digits
        end = len(key)  # the group's first column is rightmost
        return tuple(int(key[end - (i + 1) * digits:end - i * digits])
                     for i in range(hi - lo))


def _spell_pg(value) -> str:
    """A literal as PostgreSQL's ->> reads it back: JSON true/false as 'true'/'false'."""
    if value.__class__ is bool:
        return "true" if value else "false"
    return value


def _counted(plan: compiled.Plan, committee_id, start, end, as_of) -> tuple[str, list]:
    """FROM and WHERE of the counted entries `e` (and `ms`, their membership, if a
    predicate tests the role)."""
    role_join = ("JOIN orgs_membership ms ON ms.id = e.membership_id" if plan.needs_role
                 else "")
    where = ["e.committee_id = %s", "e.date >= %s", "e.date <= %s", "e.effective <= %s",
             "e.kind <> 'void'",
             "NOT EXISTS (SELECT 1 FROM ledger_entry s WHERE s.supersedes_id = e.id "
             "AND s.effective <= %s)"]
    params = [committee_id, start, end, as_of, as_of]
    if plan.kinds is not None:
        where.append(f"e.kind IN ({', '.join(['%s'] * len(plan.kinds))})")
        params.extend(sorted(plan.kinds))
    return f"FROM ledger_entry e {role_join} WHERE {' AND '.join(where)}", params


# One row per member seated in the period, with their role and sector and their counts
# (NULL: no counted entries), so no second query lists the members.
_SEATED = ('SELECT ms.id, ms.role, ms.sector_id, counted.* FROM orgs_membership ms '
           'LEFT JOIN counted ON counted.m = ms.id WHERE ms.committee_id = %s '
           'AND ms.start <= %s AND (ms."end" IS NULL OR ms."end" >= %s)')


def _packed_sql(plan: compiled.Plan, tree, layout: _Layout, committee_id, start, end,
                as_of) -> tuple[str, list]:
    params: list = []

    def render(node) -> str:
        if isinstance(node, frozenset):
            # Digits are generated here, never taken from input: safe to inline.
            return str(layout.leaf(node)) if node else "NULL"
        var = node.var
        subject = ("e.kind" if var == ("kind",) else "ms.role" if var == ("role",)
                   else f"e.attrs ->> '{var[1]}'")  # an identifier, checked by plan()
        whens = []
        for value, child in node.cases:
            params.append(value)
            whens.append(f"WHEN %s THEN {render(child)}")
        return f"CASE {subject} {' '.join(whens)} ELSE {render(node.other)} END"

    packed = render(tree)
    source, source_params = _counted(plan, committee_id, start, end, as_of)
    sql = (f"WITH counted AS (SELECT e.membership_id AS m, COUNT(*) AS n, "  # noqa: S608
           f"SUM({packed})::text AS packed {source} GROUP BY e.membership_id) {_SEATED}")
    return sql, params + source_params + [committee_id, end, start]


def _filter_sql(plan: compiled.Plan, committee_id, start, end, as_of) -> tuple[str, list]:
    vendor = connection.vendor
    params: list = []

    def flag(value: bool):
        return int(value) if vendor == "sqlite" else ("true" if value else "false")

    def attr(name: str) -> str:
        return (f"e.attrs ->> '$.{name}'" if vendor == "sqlite" else f"e.attrs ->> '{name}'")

    def render(pred, negated: bool = False) -> str:
        """SQL for a predicate. Under no NOT an unknown (a missing attribute) counts as
        false, as the engine's test does, so plain IN serves; under a NOT it is spelled
        out, or the negation would be unknown too and drop the entry."""
        op = pred[0]
        if op == "true":
            return "1 = 1"
        if op in ("kind", "role"):
            values = sorted(pred[1])
            params.extend(values)
            return f"{op} IN ({', '.join(['%s'] * len(values))})"
        if op in ("attr_in", "attr_not_in"):
            column, values = f"a_{pred[1]}", pred[2]
            # JSON true/false read as text: 'true'/'false' in PostgreSQL, 1/0 in SQLite.
            params.extend(flag(v) if v.__class__ is bool else v for v in values)
            listed = f"{column} IN ({', '.join(['%s'] * len(values))})"
            if op == "attr_not_in":
                return f"({column} IS NULL OR NOT {listed})"
            return f"({column} IS NOT NULL AND {listed})" if negated else listed
        if op == "not":
            return f"NOT ({render(pred[1], not negated)})"
        joiner = " AND " if op == "and" else " OR "
        return "(" + joiner.join(render(p, negated) for p in pred[1]) + ")"

    counts = ", ".join(f"COUNT(*) FILTER (WHERE {render(p)})" for p in plan.columns)
    select_params = params
    # Attribute names are identifiers (checked by compiled.plan); values are parameters.
    extracted = "".join(f", {attr(name)} AS a_{name}" for name in sorted(plan.attributes))
    role_column = ", ms.role AS role" if plan.needs_role else ""
    source, source_params = _counted(plan, committee_id, start, end, as_of)
    sql = (f"WITH live AS (SELECT e.membership_id AS m, e.kind AS kind{extracted}"  # noqa: S608
           f"{role_column} {source}), "
           f"counted AS (SELECT m, {counts} FROM live GROUP BY m) {_SEATED}")
    return sql, source_params + select_params + [committee_id, end, start]
