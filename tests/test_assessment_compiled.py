"""Scoring from database counts (assessment.compiled) gives exactly what scoring entry by
entry gives: same totals, subtotals, grades and gate results, on generated ledgers with
corrections, retractions, late effective dates and entries outside the period."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shixiao.assessment import compiled
from shixiao.assessment.rubric import load
from shixiao.assessment.services import register_rubric, score_committee
from shixiao.ledger.kinds import attribute_type
from shixiao.ledger.models import Entry
from shixiao.orgs import services as org
from shixiao.orgs.models import Membership

ROOT = Path(__file__).resolve().parent.parent
GUANGSHUI = (ROOT / "examples" / "rubrics" / "guangshui.yaml").read_text(encoding="utf-8")

# Every count-compilable construct at once: points tables with a default and by kind,
# highest, threshold tiers, unless, not_in, levels, role limits and role caps, a category
# taking entries before another (order), deduct_after_cap, a pool, total caps, grades and
# gates counting entries.
SHAPES = """
rubric: shapes
roles: [member, standing]
order: [outcome, work, discipline, bonus_a, bonus_b]
total: {base: 5, max: 60, min: 0}
pools: [{id: bonus, max: 12}]
categories:
  - id: work
    max: 30
    deduct_after_cap: true
    by_role: {standing: {max: 35}}
    rules:
      - {id: filed, kind: per_unit, where: {kind: proposal, status: [registered, converted]},
         unless: {role: co_signer}, points: {by: role, values: {first_author: 4,
         individual: 3}, default: 1}}
      - {id: any_report, kind: per_unit, where: {kind: [opinion_report, history_material]},
         points: {by: kind, values: {opinion_report: 2}, default: 0.5}, max: 6}
      - {id: own_report, kind: per_unit, where: {kind: opinion_report, status: submitted},
         unless: {from_proposal: true}, points: 1}
      - {id: converted_report, kind: threshold, where: {kind: opinion_report,
         from_proposal: [true]}, points: 1}
      - {id: late, kind: per_unit, where: {kind: attendance, state: [late, left_early]},
         points: -1.5}
  - id: outcome
    rules:
      - {id: adopted, kind: highest, where: {kind: opinion_report, status: adopted,
         level: {at_or_above: prefecture}}, points: {by: level, values: {national: 9,
         provincial: 6, prefecture: 3}}}
      - {id: study_tiers, kind: threshold, where: {kind: study},
         tiers: [{at_least: 2, points: 2}, {at_least: 4, points: 5}]}
  - id: discipline
    start: 4
    min: 0
    max: 4
    rules:
      - {id: sc_absent, kind: per_unit, applies_to: [standing],
         where: {kind: attendance, meeting: standing, state: unexcused}, points: -2}
      - {id: other_absent, kind: per_unit, where: {kind: attendance,
         meeting: {not_in: [standing]}, state: unexcused}, points: -0.7}
  - id: bonus_a
    pool: bonus
    rules:
      - {id: commended, kind: highest, where: {kind: commendation},
         points: {by: level, values: {national: 10, provincial: 8, county: 4}}}
  - id: bonus_b
    pool: bonus
    rules:
      - {id: served, kind: threshold, where: {kind: service, type: {not: other}},
         points: 6, at_least: 2, by_role: {standing: {at_least: 1}}}
grades:
  - {id: good, min: 25}
  - {id: fair, min: 10}
  - {id: poor, min: 0}
gates:
  - id: basic
    on_fail: {grade: poor}
    all_of:
      - any_of:
          - {id: some_proposal, where: {kind: proposal, status: registered}, at_least: 1}
          - {id: some_report, where: {kind: opinion_report}, at_least: 2}
          # counts what study_tiers counts: one column in two groups
          - {id: some_study, where: {kind: study}, at_least: 3}
  - id: standing_duty
    applies_to: [standing]
    on_fail: {grade_at_most: fair}
    all_of: [{id: sc_meetings, where: {kind: attendance, meeting: standing,
              state: attended}, at_least: 2}]
"""

YEAR = 2025
END = dt.date(YEAR, 12, 31)

entry_kinds = st.sampled_from([
    ("proposal", {"status": st.sampled_from(["registered", "converted", "submitted"]),
                  "role": st.sampled_from(["first_author", "co_signer", "individual",
                                           "collective"])}),
    ("opinion_report", {"status": st.sampled_from(["submitted", "adopted"]),
                        "level": st.sampled_from(["national", "provincial", "prefecture",
                                                  "county"]),
                        "from_proposal": st.booleans()}),
    ("history_material", {"status": st.just("submitted")}),
    ("attendance", {"meeting": st.sampled_from(["plenary", "plenary_group", "standing",
                                                "other"]),
                    "state": st.sampled_from(["attended", "late", "left_early",
                                              "unexcused", "leave"])}),
    ("service", {"type": st.sampled_from(["key_enterprise", "household_pairing", "other"])}),
    ("study", {"type": st.sampled_from(["notebook", "session"])}),
    ("writing", {"type": st.just("reflection"), "status": st.just("accepted")}),
    ("commendation", {"level": st.sampled_from(["national", "provincial", "prefecture",
                                                "county"])}),
])


@st.composite
def ledger_rows(draw):
    """(member index, kind, attrs, date, days late, correction) rows for 4 members."""
    rows = []
    for _ in range(draw(st.integers(0, 40))):
        kind, attr_strategies = draw(entry_kinds)
        attrs = {name: draw(strategy) for name, strategy in attr_strategies.items()}
        # Sometimes an attribute is missing: a negated test must still count the entry.
        if attrs and draw(st.integers(0, 5)) == 0:
            attrs.pop(draw(st.sampled_from(sorted(attrs))))
        month = draw(st.integers(1, 13))  # 13: next year, outside the period
        date = dt.date(YEAR + month // 13, month if month < 13 else 1, draw(st.integers(1, 28)))
        rows.append((draw(st.integers(0, 3)), kind, attrs, date,
                     draw(st.sampled_from([0, 0, 0, 30, 400])),
                     draw(st.sampled_from([None, None, None, "void", "fix"]))))
    return rows


@pytest.fixture
def four_members(world):
    """member1 and member2 of the world plus a standing member and one more."""
    extra = []
    for index, role in enumerate(["standing", "member"]):
        person = org.create_person(world.admin, name=f"委员{index}")
        extra.append(org.create_membership(
            world.admin, person=person, committee=world.committee, term=world.term,
            role=role, sector=world.sector2, start=dt.date(2022, 1, 1)))
    return [world.membership1, world.membership2, *extra]


def _store(world, members: list[Membership], rows) -> None:
    for index, kind, attrs, date, late, correction in rows:
        m = members[index]
        entry = Entry(committee=world.committee, membership=m, kind=kind, date=date,
                      effective=date + dt.timedelta(days=late), attrs=attrs)
        entry.save()
        if correction == "void":
            Entry(committee=world.committee, membership=m, kind="void", date=date,
                  effective=date + dt.timedelta(days=10), supersedes=entry).save()
        elif correction == "fix":
            Entry(committee=world.committee, membership=m, kind=kind, date=date,
                  effective=date + dt.timedelta(days=5),
                  attrs=attrs | ({"status": "registered"} if "status" in attrs else {}),
                  supersedes=entry).save()


def _summary(results):
    return [(r.member, r.total, r.grade, r.grade_by_score,
             [(s.id, s.points) for s in r.categories], [(p.id, p.points) for p in r.pools],
             [(g.id, g.passed) for g in r.gates]) for r in results]


@pytest.mark.parametrize("text", [GUANGSHUI, SHAPES], ids=["guangshui", "shapes"])
def test_both_rubrics_compile_to_counts(text):
    plan = compiled.plan(load(text), attribute_type)
    assert plan.columns
    assert set(range(len(plan.columns))) == {c for group in plan.groups for c in group}


def test_a_column_two_groups_read_is_counted_for_both():
    plan = compiled.plan(load(SHAPES), attribute_type)
    study = plan.columns.index(("kind", frozenset({"study"})))
    assert [i for i, group in enumerate(plan.groups) if study in group] == [0, 5]


@pytest.mark.parametrize("text", [GUANGSHUI, SHAPES], ids=["guangshui", "shapes"])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=ledger_rows(), as_of_days=st.sampled_from([0, 20, 500]))
def test_counts_agree_with_entry_by_entry_scoring(world, four_members, text, rows, as_of_days):
    from django.db import transaction

    version = register_rubric(None, world.committee, text)
    as_of = END + dt.timedelta(days=as_of_days)
    try:
        with transaction.atomic():
            _store(world, four_members, rows)
            by_entries = score_committee(None, world.committee, version, year=YEAR,
                                         as_of=as_of, store=False, explain=True).results
            by_counts = score_committee(None, world.committee, version, year=YEAR,
                                        as_of=as_of, store=False, explain=False).results
            assert _summary(by_counts) == _summary(by_entries)
            assert all(r.lines == () for r in by_counts)
            raise _Rollback
    except _Rollback:
        pass


class _Rollback(Exception):
    """Undo one example's entries so the next starts from an empty ledger."""


@pytest.mark.parametrize("snippet, construct", [
    ("{id: r, kind: per_unit, where: {kind: speech}, from_nth: 3, points: 2}", "from_nth"),
    ("{id: r, kind: per_unit, where: {kind: attendance}, per: half_days, points: 1}", "per"),
    ("{id: r, kind: manual}", "manual"),
    ("{id: r, kind: highest, where: {kind: opinion_report}, group_by: ref, points: 1}",
     "group_by"),
    ("{id: r, kind: per_unit, where: {kind: proposal, units: {gte: 3}}, points: 1}",
     "numeric"),
    ("{id: r, kind: per_unit, where: {status: registered}, points: 1}", "no kind"),
])
def test_shapes_counts_cannot_express_are_left_to_the_engine(snippet, construct):
    text = f"rubric: x\ncategories:\n  - id: c\n    rules:\n      - {snippet}\n"
    with pytest.raises(compiled.NotCompilable):
        compiled.plan(load(text), attribute_type)


def test_a_rubric_the_counts_cannot_express_is_still_scored_without_lines(world):
    text = ("rubric: x\ncategories:\n  - id: c\n    rules:\n"
            "      - {id: r, kind: per_unit, where: {kind: speech}, from_nth: 2, points: 2}\n")
    version = register_rubric(None, world.committee, text)
    for day in (1, 2, 3):
        Entry(committee=world.committee, membership=world.membership1, kind="speech",
              date=dt.date(YEAR, 3, day), effective=dt.date(YEAR, 3, day), attrs={}).save()
    results = score_committee(None, world.committee, version, year=YEAR, store=False,
                              explain=False).results
    assert {r.member: r.total for r in results}[str(world.membership1.pk)] == 4


def _agreement(world, version, as_of=END):
    by_entries = score_committee(None, world.committee, version, year=YEAR, as_of=as_of,
                                 store=False, explain=True).results
    by_counts = score_committee(None, world.committee, version, year=YEAR, as_of=as_of,
                                store=False, explain=False).results
    return _summary(by_counts), _summary(by_entries)


def _many_entries(world, membership, n: int) -> None:
    Entry.objects.bulk_create(
        Entry(committee=world.committee, membership=membership, kind="attendance",
              date=dt.date(YEAR, 5, 1 + i % 28), effective=dt.date(YEAR, 5, 1 + i % 28),
              attrs={"meeting": "other",
                     "state": ("attended", "attended", "late", "unexcused")[i % 4]})
        for i in range(n))


def test_a_member_past_the_digit_budget_is_counted_column_by_column(world, monkeypatch):
    """Packed counts carry into the next column once a member has 10**DIGITS entries; the
    query notices and counts column by column instead (10**8 in production, 10 here)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shixiao.assessment import countsql

    monkeypatch.setattr(countsql, "DIGITS", 1)
    version = register_rubric(None, world.committee, GUANGSHUI)
    _many_entries(world, world.membership1, 12)
    with CaptureQueriesContext(connection) as queries:
        by_counts, by_entries = _agreement(world, version)
    assert by_counts == by_entries
    member1 = dict((row[0], row[1]) for row in by_counts)[str(world.membership1.pk)]
    assert member1 == Decimal("2.5")  # attendance: 10 - 3 late x 1 - 3 unexcused x 1.5
    if connection.vendor == "postgresql":
        assert any("FILTER" in q["sql"] for q in queries.captured_queries)


def test_a_tree_too_large_falls_back_to_counting_column_by_column(world, monkeypatch):
    from shixiao.assessment import countsql

    monkeypatch.setattr(countsql, "TREE_LIMIT", 3)
    version = register_rubric(None, world.committee, GUANGSHUI)
    _many_entries(world, world.membership2, 5)
    by_counts, by_entries = _agreement(world, version)
    assert by_counts == by_entries


def test_a_gate_reads_a_column_a_category_also_reads(world):
    """study_tiers and the gate's some_study count the same entries (one column, two
    groups): three study entries pass the gate on both paths."""
    version = register_rubric(None, world.committee, SHAPES)
    for day in (1, 2, 3):
        Entry(committee=world.committee, membership=world.membership1, kind="study",
              date=dt.date(YEAR, 4, day), effective=dt.date(YEAR, 4, day), attrs={}).save()
    by_counts, by_entries = _agreement(world, version)
    assert by_counts == by_entries
    member1 = next(row for row in by_counts if row[0] == str(world.membership1.pk))
    assert ("basic", True) in member1[6]
    assert ("outcome", 2) in member1[4]  # study_tiers: at least 2 studies


def test_a_shared_conclusion_becomes_each_members_own_result():
    """_as_member builds positionally: every field but member, group and categories must
    come through from the shared result."""
    import dataclasses

    from shixiao.assessment.engine import GateResult, MemberResult, Subtotal

    shared = MemberResult(
        member="", role="standing", total=Decimal("7.5"), grade="good", base=Decimal(5),
        group=None, categories=(Subtotal("a", "A", Decimal(1)),),
        pools=(Subtotal("p", "P", Decimal(2)),), lines=(),
        gates=(GateResult("g", "G", True, "flag"),), consequences=("warn",),
        grade_by_score="fair", rank=3, notes=("total cap 60 applied",))
    own = (Subtotal("a", "A", Decimal(3)),)
    assert compiled._as_member(shared, "42", "sector-9", own) == dataclasses.replace(
        shared, member="42", group="sector-9", categories=own)
