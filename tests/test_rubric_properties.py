"""Property tests of the engine: caps, budgets and floors hold, order never matters, earning
never lowers a total (unless a threshold it completes takes entries from a later category),
and shares always add up to the whole."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shixiao.assessment import LedgerEntry, score
from shixiao.assessment.conditions import Condition, FieldTest
from shixiao.assessment.decimals import ROUNDING_MODES, Rounding, split
from shixiao.assessment.rubric import Category, Pool, Rubric, Rule, Total, points_values

KINDS = ["speech", "proposal", "attendance", "fieldwork", "discipline"]
AS_OF = dt.date(2025, 12, 31)

points = st.decimals(min_value=-10, max_value=25, places=1, allow_nan=False,
                     allow_infinity=False)
positive = st.decimals(min_value=0, max_value=60, places=1, allow_nan=False,
                       allow_infinity=False)
negative = st.decimals(min_value=-40, max_value=0, places=1, allow_nan=False,
                       allow_infinity=False)
roundings = st.builds(Rounding, st.integers(0, 3), st.sampled_from(sorted(ROUNDING_MODES)),
                      st.sampled_from(["first", "none"]))


@st.composite
def rules(draw, category, index, kinds=KINDS, points=points):
    kind = draw(st.sampled_from(["per_unit", "threshold", "highest"]))
    return Rule(
        id=f"{category}_r{index}",
        kind=kind,
        category=category,
        where=Condition((FieldTest("kind", "eq", draw(st.sampled_from(kinds))),)),
        points=draw(points),
        per=draw(st.sampled_from([None, "days"])) if kind != "highest" else None,
        from_nth=draw(st.integers(1, 3)) if kind == "per_unit" else 1,
        split=draw(st.booleans()) if kind != "threshold" else False,
        at_least=Decimal(draw(st.integers(1, 3))),
        max=draw(st.none() | positive),
        min=draw(st.none() | negative),
        rounding=draw(roundings),
    )


@st.composite
def rubrics(draw, kinds=KINDS, points=points):
    pools = [Pool(f"pool{i}", max=draw(st.none() | positive), min=draw(st.none() | negative))
             for i in range(draw(st.integers(0, 2)))]
    categories = []
    for c in range(draw(st.integers(1, 4))):
        cid = f"c{c}"
        categories.append(Category(
            id=cid,
            start=draw(st.sampled_from([Decimal(0), Decimal(10)])),
            max=draw(st.none() | positive),
            min=draw(st.none() | negative),
            pool=draw(st.none() | st.sampled_from([p.id for p in pools] or [None])),
            deduct_after_cap=draw(st.booleans()),
            rules=tuple(draw(rules(cid, i, kinds, points)) for i in range(draw(
                st.integers(1, 4)))),
        ))
    total = Total(base=draw(st.sampled_from([Decimal(0), Decimal(60)])),
                  max=draw(st.none() | positive), min=draw(st.none() | negative))
    return Rubric(id="prop", total=total, pools=tuple(pools), categories=tuple(categories))


@st.composite
def entry_lists(draw, kinds=KINDS, prefix="e"):
    entries = []
    for i in range(draw(st.integers(0, 12))):
        authors = draw(st.integers(1, 4))
        entries.append(LedgerEntry(
            id=f"{prefix}{i}",
            member=draw(st.sampled_from(["m1", "m2"])),
            role="member",
            kind=draw(st.sampled_from(kinds)),
            date=dt.date(2025, 1, 1) + dt.timedelta(days=draw(st.integers(0, 360))),
            attrs={"authors": authors, "author_rank": draw(st.integers(1, authors)),
                   "days": draw(st.integers(0, 5))},
        ))
    return entries


def results(rubric, entries):
    return {r.member: r for r in score(rubric, entries, AS_OF,
                                       members={"m1": "member", "m2": "member"})}


@settings(max_examples=200, deadline=None)
@given(rubrics(), entry_lists())
def test_caps_budgets_and_floors_always_hold(rubric, entries):
    rule_specs = {rule.id: rule for rule in rubric.rules}
    for result in results(rubric, entries).values():
        for line in result.lines:
            rule = rule_specs[line.rule]
            assert rule.max is None or line.points <= rule.max
            assert rule.min is None or line.points >= rule.min
        for category, subtotal in zip(rubric.categories, result.categories, strict=True):
            assert category.max is None or subtotal.points <= category.max
            assert category.min is None or subtotal.points >= category.min
        for pool, subtotal in zip(rubric.pools, result.pools, strict=True):
            assert pool.max is None or subtotal.points <= pool.max
            assert pool.min is None or subtotal.points >= pool.min
        assert rubric.total.max is None or result.total <= rubric.total.max
        assert rubric.total.min is None or result.total >= rubric.total.min


@settings(max_examples=200, deadline=None)
@given(rubrics(), entry_lists(), st.randoms(use_true_random=False))
def test_entry_order_never_changes_a_result(rubric, entries, rng):
    shuffled = list(entries)
    rng.shuffle(shuffled)
    before = [r.to_dict() for r in score(rubric, entries, AS_OF)]
    after = [r.to_dict() for r in score(rubric, shuffled, AS_OF)]
    assert before == after


EARNING = ["speech", "proposal", "fieldwork"]
DEDUCTING = ["attendance", "discipline"]


@st.composite
def mixed_rubrics(draw):
    """Rubrics where EARNING kinds only ever earn and DEDUCTING kinds only ever deduct."""
    rubric = draw(rubrics())
    categories = []
    for category in rubric.categories:
        fixed = []
        for rule in category.rules:
            kind = rule.where.tests[0].operand
            value = abs(rule.points)
            fixed.append(rule.__class__(**{**rule.__dict__,
                                           "points": value if kind in EARNING else -value}))
        categories.append(category.__class__(**{**category.__dict__, "rules": tuple(fixed)}))
    return Rubric(**{**rubric.__dict__, "categories": tuple(categories)})


def _takes_by_count(rule) -> bool:
    """Whether what the rule takes from later categories depends on how many entries
    match: a threshold takes them only once reached, `from_nth` leaves the first ones."""
    return rule.kind == "threshold" or rule.from_nth > 1


def _without_count_dependent_taking(rubric):
    """The rubric minus rules offered what such a rule of an earlier category may take:
    there, one more entry can rightly move entries from a later category to a threshold
    (docs/rubric-language.md, No double counting), so a total may go down."""
    taken_by_count: set[str] = set()
    categories = []
    for category in rubric.categories:
        kept = tuple(rule for rule in category.rules
                     if rule.where.tests[0].operand not in taken_by_count)
        taken_by_count |= {rule.where.tests[0].operand for rule in kept
                           if _takes_by_count(rule)}
        categories.append(category.__class__(**{**category.__dict__, "rules": kept}))
    return Rubric(**{**rubric.__dict__, "categories": tuple(categories)})


@settings(max_examples=200, deadline=None)
@given(mixed_rubrics().map(_without_count_dependent_taking), entry_lists(),
       entry_lists(kinds=EARNING, prefix="new"))
def test_an_entry_that_only_earns_never_lowers_a_total(rubric, entries, extra):
    for rule in rubric.rules:
        kind = rule.where.tests[0].operand
        assert all(v >= 0 for v in points_values(rule.points)) or kind in DEDUCTING
    before = results(rubric, entries)
    for added in extra:
        after = results(rubric, entries + [added])
        assert after[added.member].total >= before[added.member].total
        before = after
        entries = entries + [added]


@settings(max_examples=500, deadline=None)
@given(st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False,
                   allow_infinity=False),
       st.integers(1, 12), st.integers(0, 4), st.sampled_from(sorted(ROUNDING_MODES)))
def test_split_shares_add_up_to_the_whole(whole, parts, places, mode):
    shares = split(whole, parts, Rounding(places, mode, "first"))
    assert len(shares) == parts
    assert sum(shares) == whole
    if parts > 1:
        assert all(s == shares[1] for s in shares[1:])


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), positive, roundings)
def test_split_entries_for_every_author_add_up_to_the_rule_points(authors, value, rounding):
    rounding = Rounding(rounding.places, rounding.mode, "first")
    rule = Rule(id="r", kind="per_unit", category="c", points=value, split=True,
                where=Condition((FieldTest("kind", "eq", "writing"),)), rounding=rounding)
    rubric = Rubric(id="s", categories=(Category(id="c", rules=(rule,)),))
    entries = [LedgerEntry(id=f"w{rank}", member=f"a{rank}", role="member", kind="writing",
                           date=dt.date(2025, 5, 1),
                           attrs={"authors": authors, "author_rank": rank})
               for rank in range(1, authors + 1)]
    assert sum(r.total for r in score(rubric, entries, AS_OF)) == value
