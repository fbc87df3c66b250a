"""Score members under a rubric, explaining every point.

`score(rubric, entries, as_of)` is a pure function: the same rubric, entries and date give
the same results whatever order the entries come in. The evaluation order is documented in
docs/rubric-language.md ("Evaluation order") and follows the steps of `_score_member`.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from shixiao.assessment.conditions import Condition
from shixiao.assessment.decimals import ZERO, clamp, plain, split, text, to_decimal
from shixiao.assessment.entries import LedgerEntry, MemberInfo, in_force
from shixiao.assessment.rubric import (
    TOTAL,
    Category,
    Gate,
    Requirement,
    Rubric,
    Rule,
    label_dict,
    points_for,
)


@dataclass(frozen=True)
class Line:
    """One rule's contribution to one member: points, the entries behind them, notes."""

    rule: str
    label: str
    category: str
    points: Decimal
    entries: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"rule": self.rule, "label": self.label, **label_dict(self.label),
                "category": self.category, "points": plain(self.points),
                "entries": list(self.entries), "notes": list(self.notes)}


# Every note the engine writes, by code. The English is what the command line prints and
# what a stored explanation keeps; pages and Word reports show it in the reader's language
# through assessment/notes.py, which must know every code (a test holds them in step).
NOTES = {
    "no_quantity": "%(entry)s: no number in %(field)s, not counted",
    "bad_authors": "%(entry)s: authors/author_rank unusable, not counted",
    "share": "%(entry)s: share %(rank)s of %(authors)s of %(whole)s = %(points)s",
    "from_nth": "counted from item %(nth)s: first %(skipped)s earn nothing",
    "tier": "%(measure)s reaches the tier at %(at_least)s",
    "below_tiers": "%(measure)s is below the lowest tier %(at_least)s",
    "once": "once per period: %(measure)s >= %(at_least)s",
    "not_reached": "threshold not reached: %(measure)s < %(at_least)s",
    "highest": "highest: %(best)s, not summed with %(others)s",
    "highest_in_group": "highest for %(field)s %(group)s: %(best)s, not summed with %(others)s",
    "manual_no_points": "%(entry)s: manual input refused: no points",
    "manual_no_evidence": "%(entry)s: manual input refused: no evidence",
    "manual_no_vouched_by": "%(entry)s: manual input refused: no vouched_by",
    "manual_no_evidence_or_vouched_by":
        "%(entry)s: manual input refused: no evidence or vouched_by",
    "manual": "%(entry)s: %(points)s vouched by %(who)s",
    "cap": "cap %(max)s applied (earned %(raw)s)",
    "floor": "floor %(min)s applied (was %(raw)s)",
    "cap_before_deductions": "cap %(max)s applied before deductions (earned %(raw)s)",
    "rule_cap": "rule cap %(max)s applied (earned %(raw)s)",
    "rule_floor": "rule floor %(min)s applied (was %(raw)s)",
    "total_cap": "total cap %(max)s applied (earned %(raw)s)",
    "total_floor": "total floor %(min)s applied (was %(raw)s)",
}


def note(code: str, **params) -> str:
    return NOTES[code] % params


@dataclass(frozen=True)
class Subtotal:
    """A category's or pool's points after its start, caps and floors."""

    id: str
    label: str
    points: Decimal
    pool: str | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        result = {"id": self.id, "label": self.label, **label_dict(self.label),
                  "points": plain(self.points), "notes": list(self.notes)}
        if self.pool:
            result["pool"] = self.pool
        return result


@dataclass(frozen=True)
class GateResult:
    id: str
    label: str
    passed: bool
    effect: str
    failed: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, **label_dict(self.label),
                "passed": self.passed, "effect": self.effect, "failed": list(self.failed)}


@dataclass(slots=True)
class MemberResult:
    """Everything the engine says about one member for one rubric and date. Treat it as
    read-only (copy with dataclasses.replace). Not frozen only because a frozen dataclass
    takes three times as long to build, and a large committee builds one per member."""

    member: str
    role: str
    total: Decimal
    grade: str | None
    base: Decimal = ZERO
    group: str | None = None
    categories: tuple[Subtotal, ...] = ()
    pools: tuple[Subtotal, ...] = ()
    lines: tuple[Line, ...] = ()
    gates: tuple[GateResult, ...] = ()
    consequences: tuple[str, ...] = ()
    grade_by_score: str | None = None
    rank: int | None = None
    notes: tuple[str, ...] = field(default=())

    def category(self, category_id: str) -> Decimal:
        for subtotal in self.categories:
            if subtotal.id == category_id:
                return subtotal.points
        raise KeyError(category_id)

    def to_dict(self) -> dict:
        result = {
            "member": self.member,
            "role": self.role,
            "group": self.group,
            "total": plain(self.total),
            "grade": self.grade,
            "grade_by_score": self.grade_by_score,
            "base": plain(self.base),
            "categories": [c.to_dict() for c in self.categories],
            "pools": [p.to_dict() for p in self.pools],
            "lines": [line.to_dict() for line in self.lines],
            "gates": [g.to_dict() for g in self.gates],
            "consequences": list(self.consequences),
            "notes": list(self.notes),
        }
        if self.rank is not None:
            result["rank"] = self.rank
        return result


def score(
    rubric: Rubric,
    entries: Iterable[LedgerEntry],
    as_of: dt.date,
    history: Mapping[str, Sequence[str | None]] | None = None,
    members: Mapping[str, MemberInfo | str] | None = None,
) -> list[MemberResult]:
    """Score every member that has entries or is listed in `members`, sorted by member id.

    `history` maps a member to their grades in earlier periods, oldest first (for
    consequences); `members` gives roles and groups, otherwise the role on the member's
    latest entry is used.
    """
    entries = list(entries)
    counted = in_force(entries, as_of, rubric.period_from, rubric.period_to)
    infos = _member_infos(entries, members or {})
    by_member: dict[str, list[LedgerEntry]] = {m: [] for m in infos}
    for entry in counted:
        by_member[entry.member].append(entry)
    history = history or {}
    results = [
        _score_member(rubric, infos[m], by_member[m], list(history.get(m, ())))
        for m in sorted(infos)
    ]
    return _ranked(rubric, results)


def _member_infos(entries: list[LedgerEntry], members) -> dict[str, MemberInfo]:
    infos: dict[str, MemberInfo] = {}
    for key, value in members.items():
        infos[key] = value if isinstance(value, MemberInfo) else MemberInfo(key, str(value))
    # Without a member list, the role on the member's latest entry stands.
    for entry in sorted(entries, key=LedgerEntry.sort_key):
        if entry.member not in members:
            infos[entry.member] = MemberInfo(entry.member, entry.role)
    return infos


def _score_member(rubric: Rubric, info: MemberInfo, entries: list[LedgerEntry],
                  history: list) -> MemberResult:
    role = info.role
    lines: list[Line] = []
    subtotals: list[Subtotal] = []
    # 1-2. Categories in evaluation order; within each, rules in file order. An entry that
    # a category used is not offered to later categories (no double counting).
    offered, by_kind = entries, _by_kind(entries)
    for category in rubric.categories:
        category = category.for_role(role)
        used: set[str] = set()
        category_lines = []
        for rule in category.rules:
            if not rule.applies(role):
                continue
            line, rule_used = _score_rule(rule.for_role(role), _candidates(rule, offered,
                                                                           by_kind))
            category_lines.append(line)
            used |= rule_used
        if used:
            # Only what no earlier category used is offered to the next one.
            offered = [e for e in offered if e.id not in used]
            by_kind = _by_kind(offered)
        lines.extend(category_lines)
        subtotals.append(_subtotal(category, category_lines))

    return conclude(rubric, info, tuple(lines), subtotals, history,
                    lambda test: _entry_measure(test, entries))


def conclude(rubric: Rubric, info: MemberInfo, lines: tuple[Line, ...],
             subtotals: list[Subtotal], history: list,
             measure: Callable[[Requirement], Decimal]) -> MemberResult:
    """Steps 3-7 for one member, from the category subtotals on. `measure(requirement)`
    gives the count or sum a gate's entry test is held against. Shared by the entry-level
    path above and the aggregate path (assessment.compiled), so both finish identically."""
    role = info.role
    # 3. Pools cap the sum of their categories.
    pools = []
    for pool in rubric.pools:  # (this function runs once per member: kept lean)
        raw = sum((s.points for s in subtotals if s.pool == pool.id), ZERO)
        value = clamp(raw, pool.min, pool.max)
        pools.append(Subtotal(pool.id, pool.label, value, None, _cap_notes(raw, value, pool)))

    # 4. Total: base plus unpooled categories plus pools, within the total's cap and floor.
    total_spec = rubric.total.for_role(role)
    raw_total = total_spec.base
    for s in subtotals:
        if s.pool is None:
            raw_total += s.points
    for p in pools:
        raw_total += p.points
    total = clamp(raw_total, total_spec.min, total_spec.max)
    notes = _cap_notes(raw_total, total, total_spec, what="total") if total != raw_total else ()

    # 5. Grade from the bands, then 6. gates may override or only flag.
    by_score = _grade(rubric, total) if rubric.grades else None
    gates: list[GateResult] = []
    grade = by_score
    if rubric.gates:
        scores = {s.id: s.points for s in subtotals} | {p.id: p.points for p in pools}
        scores[TOTAL] = total
        applying = [g for g in rubric.gates if _gate_applies(g, role)]
        gates = [_gate(g, measure, scores) for g in applying]
        grade = _apply_gates(rubric, by_score, applying, gates)

    # 7. Consequences over this and earlier periods, or of a gate failed now.
    consequences: tuple[str, ...] = ()
    if rubric.consequences:
        failed_gates = {g.id for g in gates if not g.passed}
        consequences = tuple(
            c.id for c in rubric.consequences
            if (c.gate in failed_gates if c.gate else _consequence_holds(c, history + [grade]))
        )
    return MemberResult(
        member=info.id, role=role, group=info.group, total=total, grade=grade,
        base=total_spec.base, categories=tuple(subtotals), pools=tuple(pools),
        lines=lines, gates=tuple(gates), consequences=consequences,
        grade_by_score=by_score, notes=notes,
    )


# --------------------------------------------------------------------------- rules


def _by_kind(entries: list[LedgerEntry]) -> dict[str, list[LedgerEntry]]:
    by_kind: dict[str, list[LedgerEntry]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    return by_kind


def _candidates(rule: Rule, offered: list[LedgerEntry], by_kind: dict) -> list[LedgerEntry]:
    """The offered entries of the kinds the rule names (all of them if it names none)."""
    kinds = rule.where.kinds
    if kinds is None:
        return offered
    if len(kinds) == 1:
        (kind,) = kinds
        return by_kind.get(kind, [])
    return sorted((e for k in kinds for e in by_kind.get(k, ())), key=LedgerEntry.sort_key)


def _score_rule(rule: Rule, offered: list[LedgerEntry]) -> tuple[Line, set[str]]:
    """The rule's line (0 points and no entries when nothing matched: every rule shows in
    the explanation) and the entries it used, which later categories are not offered:
    the entries of an unreached threshold and the items before `from_nth` stay free."""
    matched = [e for e in offered if rule.where.matches(e) and not (
        rule.unless.tests and rule.unless.matches(e))]
    if rule.kind == "manual":
        matched = [e for e in matched if e.kind == "manual"]
    if not matched:
        return Line(rule.id, rule.label, rule.category, ZERO, ()), set()
    notes: list[str] = []
    if rule.kind == "per_unit":
        raw, ids, used = _per_unit(rule, matched, notes)
    elif rule.kind == "threshold":
        raw, ids, used = _threshold(rule, matched, notes)
    elif rule.kind == "highest":
        raw, ids, used = _highest(rule, matched, notes)
    else:
        raw, ids, used = _manual(matched, notes)
    # A rule that counted nothing has no points to hold within its cap and floor.
    value = clamp(raw, rule.min, rule.max) if ids else raw
    notes.extend(_cap_notes(raw, value, rule, what="rule"))
    return Line(rule.id, rule.label, rule.category, value, tuple(ids), tuple(notes)), used


def _unit_value(rule: Rule, entry: LedgerEntry, notes: list[str]) -> Decimal | None:
    """Points one entry earns under a per_unit or highest rule, None if it earns none."""
    points = points_for(rule.points, entry)
    if points is None:
        return None
    if rule.per:
        quantity = to_decimal(entry.attrs.get(rule.per))
        if quantity is None:
            notes.append(note("no_quantity", entry=entry.id, field=rule.per))
            return None
        points *= quantity
    if rule.split:
        authors = to_decimal(entry.attrs.get("authors", 1))
        rank = to_decimal(entry.attrs.get("author_rank", 1))
        if (authors is None or rank is None or authors < 1 or rank < 1 or rank > authors
                or authors != authors.to_integral_value() or rank != rank.to_integral_value()):
            notes.append(note("bad_authors", entry=entry.id))
            return None
        whole = points
        points = split(whole, int(authors), rule.rounding)[int(rank) - 1]
        notes.append(note("share", entry=entry.id, rank=int(rank), authors=int(authors),
                          whole=text(whole), points=text(points)))
    return points


def _per_unit(rule: Rule, matched, notes):
    raw, ids, nth = ZERO, [], 0
    for entry in matched:
        value = _unit_value(rule, entry, notes)
        if value is None:
            continue
        nth += 1
        ids.append(entry.id)
        if nth < rule.from_nth:
            continue
        raw += value
    if rule.from_nth > 1 and ids:
        skipped = min(len(ids), rule.from_nth - 1)
        notes.append(note("from_nth", nth=rule.from_nth, skipped=skipped))
        return raw, ids, set(ids[skipped:])
    return raw, ids, set(ids)


def _threshold(rule: Rule, matched, notes):
    if rule.per:
        measure = sum((to_decimal(e.attrs.get(rule.per)) or ZERO for e in matched), ZERO)
    else:
        measure = Decimal(len(matched))
    ids = [e.id for e in matched]
    if rule.tiers:
        reached = [t for t in rule.tiers if measure >= t.at_least]
        if reached:
            tier = reached[-1]
            notes.append(note("tier", measure=text(measure), at_least=text(tier.at_least)))
            return tier.points, ids, set(ids)
        notes.append(note("below_tiers", measure=text(measure),
                          at_least=text(rule.tiers[0].at_least)))
        return ZERO, ids, set()
    if measure >= rule.at_least:
        if len(matched) > 1 or rule.at_least > 1:
            notes.append(note("once", measure=text(measure), at_least=text(rule.at_least)))
        return rule.points, ids, set(ids)
    notes.append(note("not_reached", measure=text(measure), at_least=text(rule.at_least)))
    return ZERO, ids, set()


def _highest(rule: Rule, matched, notes):
    groups: dict[str, list[tuple[Decimal, LedgerEntry]]] = {}
    for entry in matched:
        value = _unit_value(rule, entry, notes)
        if value is None:
            continue
        key = entry.attrs.get(rule.group_by) if rule.group_by else ""
        key = entry.id if key is None else str(key)
        groups.setdefault(key, []).append((value, entry))
    raw, ids, used = ZERO, [], set()
    for key in sorted(groups):
        options = groups[key]
        best_value, best = options[0]
        for value, entry in options[1:]:
            if value > best_value:
                best_value, best = value, entry
        raw += best_value
        ids.append(best.id)
        used |= {e.id for _, e in options}
        if len(options) > 1:
            others = ", ".join(f"{e.id}={text(v)}" for v, e in options if e is not best)
            best_text = f"{best.id}={text(best_value)}"
            if rule.group_by:
                notes.append(note("highest_in_group", field=rule.group_by, group=key,
                                  best=best_text, others=others))
            else:
                notes.append(note("highest", best=best_text, others=others))
    return raw, ids, used


def _manual(matched, notes):
    raw, ids = ZERO, []
    for entry in matched:
        points = to_decimal(entry.attrs.get("points"))
        missing = [k for k in ("evidence", "vouched_by") if not entry.attrs.get(k)]
        if points is None or missing:
            code = ("manual_no_points" if points is None
                    else "manual_no_" + "_or_".join(missing))
            notes.append(note(code, entry=entry.id))
            continue
        raw += points
        ids.append(entry.id)
        notes.append(note("manual", entry=entry.id, points=text(points),
                          who=entry.attrs["vouched_by"]))
    return raw, ids, set(ids)


# --------------------------------------------------------------------------- subtotals


def _cap_notes(raw: Decimal, value: Decimal, spec, what: str = "") -> tuple[str, ...]:
    if value == raw:
        return ()
    prefix = f"{what}_" if what else ""
    if spec.max is not None and value == spec.max and raw > value:
        return (note(prefix + "cap", max=text(spec.max), raw=text(raw)),)
    return (note(prefix + "floor", min=text(spec.min), raw=text(raw)),)


def _subtotal(category: Category, lines: list[Line]) -> Subtotal:
    return subtotal(category, [ln.points for ln in lines])


def subtotal(category: Category, points: list[Decimal]) -> Subtotal:
    """A category's subtotal from the points of its rule lines (after rule caps)."""
    notes: list[str] = []
    if category.deduct_after_cap:
        gains = category.start + sum((p for p in points if p > 0), ZERO)
        capped = clamp(gains, None, category.max)
        if capped != gains:
            notes.append(note("cap_before_deductions", max=text(category.max),
                              raw=text(gains)))
        raw = capped + sum((p for p in points if p < 0), ZERO)
        value = clamp(raw, category.min, None)
    else:
        raw = category.start + sum(points, ZERO)
        value = clamp(raw, category.min, category.max)
    notes.extend(_cap_notes(raw, value, category))
    return Subtotal(category.id, category.label, value, category.pool, tuple(notes))


# --------------------------------------------------------------------------- grades, gates


def _grade(rubric: Rubric, total: Decimal) -> str | None:
    for band in rubric.grades:  # highest first
        if total >= band.min and (band.below is None or total < band.below):
            return band.id
    return None


def _gate_applies(gate: Gate, role: str) -> bool:
    return gate.applies_to is None or role in gate.applies_to


def _gate(gate: Gate, measure, scores: dict) -> GateResult:
    failed = []
    for clause in gate.clauses:
        if not any(_requirement_holds(test, measure, scores) for test in clause):
            failed.extend(test.id for test in clause)
    return GateResult(gate.id, gate.label, not failed, gate.effect, tuple(failed))


def _requirement_holds(test, measure, scores) -> bool:
    value = scores[test.score] if test.score is not None else measure(test)
    return ((test.at_least is None or value >= test.at_least)
            and (test.at_most is None or value <= test.at_most))


def _entry_measure(test: Requirement, entries: list[LedgerEntry]) -> Decimal:
    """A gate's entry test: how many of the member's counted entries match, or the sum of
    one of their attributes."""
    matched = [e for e in entries if (test.where or Condition()).matches(e)]
    if test.sum:
        return sum((to_decimal(e.attrs.get(test.sum)) or ZERO for e in matched), ZERO)
    return Decimal(len(matched))


def _apply_gates(rubric: Rubric, grade: str | None, gates: list[Gate],
                 results: list[GateResult]) -> str | None:
    rank = {band.id: band.min for band in rubric.grades}
    failing = [g for g, r in zip(gates, results, strict=True) if not r.passed]
    forced = [g.grade for g in failing if g.effect == "grade"]
    if forced:
        grade = min(forced, key=lambda g: rank[g])
    # A cap only lowers a grade the member has: a total below every band stays ungraded.
    for gate in failing:
        if (gate.effect == "grade_at_most" and grade is not None
                and rank[grade] > rank[gate.grade]):
            grade = gate.grade
    return grade


def _consequence_holds(consequence, grades: list) -> bool:
    if consequence.over == "consecutive":
        recent = grades[-consequence.times:]
        return len(recent) == consequence.times and all(
            g in consequence.grades for g in recent)
    return sum(1 for g in grades if g in consequence.grades) >= consequence.times


def _ranked(rubric: Rubric, results: list[MemberResult]) -> list[MemberResult]:
    if not rubric.ranking.enabled:
        return results
    within = rubric.ranking.within

    def scope(r: MemberResult):
        return {"group": r.group, "role": r.role, "all": None}[within]

    # Competition ranking: equal totals share a rank, the next rank skips (1, 2, 2, 4).
    ranks: dict[str, int] = {}
    scopes: dict = {}
    for result in results:
        scopes.setdefault(scope(result), []).append(result)
    for members in scopes.values():
        ordered = sorted(members, key=lambda r: (-r.total, r.member))
        first_at: dict[Decimal, int] = {}
        for position, result in enumerate(ordered, 1):
            ranks[result.member] = first_at.setdefault(result.total, position)
    return [replace(r, rank=ranks[r.member]) for r in results]
