"""One test (at least) per construct of docs/rubric-language.md, using it as documented.

`CONSTRUCTS` maps each construct heading of the document to the tests that use it; a test
below checks the document and this map agree, so a new construct cannot go untested.
"""

import datetime as dt
import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from shixiao.assessment import LedgerEntry, MemberInfo, load, score, validate
from shixiao.assessment.decimals import Rounding, split
from shixiao.assessment.rubric import check

DOC = Path(__file__).resolve().parents[1] / "docs" / "rubric-language.md"
AS_OF = dt.date(2025, 12, 31)


def rubric(text: str):
    return load(textwrap.dedent(text))


def entry(id, kind, member="m", member_role="member", date="2025-03-01", effective=None,
          supersedes=None, **attrs):
    """A ledger entry; `role` among attrs is a role in the act, such as first author."""
    return LedgerEntry(id=id, member=member, kind=kind, date=dt.date.fromisoformat(date),
                       role=member_role, effective=effective and dt.date.fromisoformat(effective),
                       attrs=attrs, supersedes=supersedes)


def one(text, entries, as_of=AS_OF, **kwargs):
    kwargs.setdefault("members", {"m": "member"})
    (result,) = score(rubric(text), entries, as_of, **kwargs)
    return result


def line(result, rule_id):
    return next(ln for ln in result.lines if ln.rule == rule_id)


SIMPLE = """
rubric: t
categories:
  - id: duty
    rules:
      - id: filed
        kind: per_unit
        where: {kind: proposal, status: registered}
        points: 20
"""


def test_rubric_file_top_level():
    r = rubric("""
        rubric: demo-2025
        label: 示例 / demo
        version: "2025.1"
        roles: [member, standing]
        categories: [{id: duty}]
        """)
    assert (r.id, r.version, r.roles) == ("demo-2025", "2025.1", ("member", "standing"))


def test_per_unit_points():
    result = one(SIMPLE, [entry("a", "proposal", status="registered"),
                          entry("b", "proposal", status="registered"),
                          entry("c", "proposal", status="not_registered")])
    assert result.total == 40 and line(result, "filed").entries == ("a", "b")


def test_points_per_half_day():
    result = one("""
        rubric: t
        categories:
          - id: plenary
            rules:
              - {id: halfday, kind: per_unit, per: half_days, points: 5,
                 where: {kind: attendance, meeting: plenary, state: attended}}
        """, [entry("p", "attendance", meeting="plenary", state="attended", half_days=3)])
    assert result.total == 15


def test_attendance_states():
    text = """
        rubric: t
        categories:
          - id: attendance
            start: 10
            min: 0
            rules:
              - id: states
                kind: per_unit
                where: {kind: attendance}
                points: {by: state, values: {attended: 0, leave: 0, late: -1, left_early: -1,
                                             unexcused: -2}}
              - id: training
                kind: per_unit
                where: {kind: study, type: training}
                points: {by: state, values: {full: 10, partial: 5}}
        """
    states = ["attended", "leave", "late", "left_early", "unexcused"]
    entries = [entry(s, "attendance", state=s) for s in states]
    entries += [entry("t1", "study", type="training", state="partial")]
    assert one(text, entries).total == Decimal(10 - 1 - 1 - 2 + 5)


def test_points_by_level():
    text = """
        rubric: t
        categories:
          - id: reports
            rules:
              - id: adopted
                kind: per_unit
                where: {kind: opinion_report, status: adopted}
                points: {by: level, values: {national: 30, provincial: 20, prefecture: 10,
                                             county: 5}}
        """
    entries = [entry(lvl, "opinion_report", status="adopted", level=lvl)
               for lvl in ("national", "county", "township")]
    result = one(text, entries)
    assert result.total == 35 and line(result, "adopted").entries == ("county", "national")


def test_points_by_authorship_role_with_nested_table():
    text = """
        rubric: t
        categories:
          - id: proposals
            rules:
              - id: proposal
                kind: per_unit
                where: {kind: proposal}
                points:
                  by: status
                  values:
                    registered: {by: role, values: {individual: 20, first_author: 20,
                                                    co_signer: 10, collective: 5}}
                    converted: 8
        """
    entries = [entry("a", "proposal", status="registered", role="co_signer"),
               entry("b", "proposal", status="registered", role="collective"),
               entry("c", "proposal", status="converted", role="first_author")]
    assert one(text, entries).total == 23


def test_co_author_shares_and_rounding_policy():
    text = """
        rubric: t
        rounding: {places: 2, mode: half_up, remainder: first}
        categories:
          - id: research
            rules:
              - {id: report, kind: per_unit, split: true, points: 10,
                 where: {kind: writing, type: research_report}}
        """
    shares = [one(text, [entry("r", "writing", type="research_report", authors=3,
                               author_rank=rank)]).total for rank in (1, 2, 3)]
    assert shares == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert sum(shares) == 10
    independent = text.replace("remainder: first", "remainder: none")
    assert one(independent, [entry("r", "writing", type="research_report", authors=3,
                                   author_rank=1)]).total == Decimal("3.33")


def test_rounding_modes():
    assert split(Decimal(1), 8, Rounding(2, "half_even", "none"))[0] == Decimal("0.12")
    assert split(Decimal(1), 8, Rounding(2, "half_up", "none"))[0] == Decimal("0.13")
    assert split(Decimal(10), 3, Rounding(0, "down", "first")) == [4, 3, 3]


def test_once_per_period():
    text = """
        rubric: t
        categories:
          - id: study
            rules:
              - {id: notebook, kind: threshold, points: 5, where: {kind: study, type: notebook}}
        """
    entries = [entry(f"n{i}", "study", type="notebook") for i in range(3)]
    assert one(text, entries).total == 5
    assert [(ln.rule, ln.points, ln.entries)
            for ln in one(text, [entry("x", "study", type="other")]).lines] == [
        ("notebook", 0, ())]


def test_threshold_awards_and_tiers():
    text = """
        rubric: t
        categories:
          - id: activity
            rules:
              - {id: active, kind: threshold, at_least: 3, points: 10,
                 where: {kind: attendance, state: attended}}
              - id: research
                kind: threshold
                per: days
                where: {kind: fieldwork}
                tiers: [{at_least: 5, points: 4}, {at_least: 10, points: 8}]
        """
    two = [entry(f"a{i}", "attendance", state="attended") for i in range(2)]
    assert one(text, two).total == 0
    assert "threshold not reached: 2 < 3" in line(one(text, two), "active").notes
    three = two + [entry("a2", "attendance", state="attended")]
    assert one(text, three).total == 10
    trips = [entry("f1", "fieldwork", days=4), entry("f2", "fieldwork", days=7)]
    assert line(one(text, trips), "research").points == 8


def test_counting_from_the_nth_item():
    text = """
        rubric: t
        categories:
          - id: speeches
            rules:
              - {id: speech, kind: per_unit, from_nth: 3, points: 2, where: {kind: speech}}
        """
    entries = [entry(f"s{i}", "speech", date=f"2025-0{i}-01") for i in range(1, 6)]
    result = one(text, entries)
    assert result.total == 6
    assert "counted from item 3: first 2 earn nothing" in line(result, "speech").notes


def test_take_the_highest_alternative():
    text = """
        rubric: t
        categories:
          - id: honours
            rules:
              - id: honour
                kind: highest
                group_by: ref
                where: {kind: proposal, status: [key, excellent]}
                points: {by: status, values: {key: 15, excellent: 10}}
        """
    entries = [entry("p1k", "proposal", ref="P1", status="key"),
               entry("p1e", "proposal", ref="P1", status="excellent"),
               entry("p2e", "proposal", ref="P2", status="excellent")]
    result = one(text, entries)
    assert result.total == 25
    assert line(result, "honour").entries == ("p1k", "p2e")


def test_exclusions():
    text = SIMPLE.replace("points: 20", "points: 20\n        unless: {collective: true}")
    entries = [entry("a", "proposal", status="registered"),
               entry("b", "proposal", status="registered", collective=True)]
    assert one(text, entries).total == 20


def test_booleans_match_whatever_the_source():
    text = SIMPLE.replace("points: 20", "points: 20\n        unless: {collective: true}")
    entries = [entry("yaml", "proposal", status="registered", collective=True),
                entry("csv", "proposal", status="registered", collective="true"),
                entry("no", "proposal", status="registered", collective="false")]
    assert line(one(text, entries), "filed").entries == ("no",)


@pytest.mark.parametrize("where, expected", [
    ("{kind: proposal}", 4),
    ("{kind: proposal, level: {at_or_above: prefecture}}", 2),
    ("{kind: proposal, level: {at_or_below: prefecture}}", 2),
    ("{kind: proposal, weight: {gte: 2}}", 2),
    ("{kind: proposal, weight: {lt: 2}}", 1),
    ("{kind: proposal, level: {in: [county, national]}}", 2),
    ("{kind: proposal, level: {not_in: [county]}}", 3),
    ("{kind: proposal, level: {not: county}}", 3),
    ("{kind: proposal, note: {exists: true}}", 1),
    ("{kind: proposal, honours: key}", 1),
])
def test_conditions(where, expected):
    text = SIMPLE.replace("{kind: proposal, status: registered}", where).replace("20", "1")
    entries = [entry("a", "proposal", level="national", weight=3, honours=["key"]),
               entry("b", "proposal", level="prefecture", weight=2),
               entry("c", "proposal", level="county", weight=1, note="x"),
               entry("d", "proposal")]
    assert one(text, entries).total == expected


def test_role_limited_rules_and_role_specific_base_and_maximum():
    text = """
        rubric: t
        roles: [member, standing]
        total:
          base: 60
          by_role: {standing: {base: 50}}
        categories:
          - id: meetings
            max: 20
            by_role: {standing: {max: 30}}
            rules:
              - {id: sc, kind: per_unit, applies_to: [standing], points: 10,
                 where: {kind: attendance, meeting: standing}}
              - id: other
                kind: per_unit
                points: 10
                where: {kind: attendance, meeting: other}
                by_role: {standing: {points: 5}}
        """
    def four(member, role):
        return [entry(f"{member}{i}", "attendance", member=member, member_role=role,
                      meeting="standing" if i % 2 else "other") for i in range(4)]
    results = {r.member: r for r in score(rubric(text), four("m", "member") + four("s",
                                                                                  "standing"),
                                          AS_OF)}
    assert results["m"].total == 60 + 20  # only `other` counts, 2 x 10 = 20
    assert results["s"].total == 50 + 30  # 2 x 10 + 2 x 5 = 30, cap raised to 30


def test_cap_per_rule():
    text = SIMPLE.replace("points: 20", "points: 20\n        max: 30")
    result = one(text, [entry(i, "proposal", status="registered") for i in "abc"])
    assert result.total == 30
    assert "rule cap 30 applied (earned 60)" in line(result, "filed").notes


def test_cap_per_category():
    text = SIMPLE.replace("  - id: duty\n", "  - id: duty\n    max: 50\n")
    result = one(text, [entry(i, "proposal", status="registered") for i in "abc"])
    assert result.total == 50 and result.categories[0].notes == ("cap 50 applied (earned 60)",)


def test_bonus_pool():
    text = """
        rubric: t
        pools: [{id: bonus, max: 10}]
        categories:
          - id: commendations
            pool: bonus
            rules: [{id: c, kind: per_unit, points: 8, where: {kind: commendation}}]
          - id: endorsements
            pool: bonus
            rules: [{id: e, kind: per_unit, points: 5, where: {kind: opinion_report}}]
        """
    result = one(text, [entry("c", "commendation"), entry("e", "opinion_report")])
    assert result.total == 10
    assert result.pools[0].notes == ("cap 10 applied (earned 13)",)


def test_total_base_cap_and_floor():
    text = """
        rubric: t
        total: {base: 80, max: 100, min: 0}
        categories:
          - id: c
            rules: [{id: r, kind: per_unit, points: 15, where: {kind: speech}},
                    {id: d, kind: per_unit, points: -50, where: {kind: discipline}}]
        """
    assert one(text, []).total == 80  # base awarded by default
    assert one(text, [entry("a", "speech"), entry("b", "speech")]).total == 100
    result = one(text, [entry(c, "discipline") for c in "abc"])
    assert result.total == 0 and result.notes == ("total floor 0 applied (was -70)",)


def test_start_at_zero():
    assert one(SIMPLE, [entry("x", "speech")]).total == 0


def test_deduction_budget_floored_at_zero():
    text = """
        rubric: t
        categories:
          - id: attendance
            start: 10
            max: 10
            min: 0
            rules: [{id: absent, kind: per_unit, points: -3, where: {kind: attendance,
                                                                    state: unexcused}}]
        """
    assert one(text, []).total == 10
    result = one(text, [entry(c, "attendance", state="unexcused") for c in "abcd"])
    assert result.total == 0 and result.categories[0].notes == ("floor 0 applied (was -2)",)


def test_deductions_against_the_base():
    text = """
        rubric: t
        total: {base: 60, min: 0}
        categories:
          - id: discipline
            min: -20
            rules: [{id: breach, kind: per_unit, points: -5, where: {kind: discipline}},
                    {id: absent, kind: per_unit, points: -2, max: 0, min: -6,
                     where: {kind: attendance, state: unexcused}}]
        """
    result = one(text, [entry(f"a{i}", "attendance", state="unexcused") for i in range(5)])
    assert result.total == 54  # rule budget: at most 6 off for absences
    result = one(text, [entry(f"d{i}", "discipline") for i in range(6)])
    assert result.total == 40  # category budget: at most 20 off


def test_deduct_after_cap():
    text = """
        rubric: t
        categories:
          - id: duty
            max: 30
            DEDUCT
            rules:
              - {id: earn, kind: per_unit, points: 20, where: {kind: speech}}
              - {id: lose, kind: per_unit, points: -5, where: {kind: discipline}}
        """
    entries = [entry("a", "speech"), entry("b", "speech"), entry("c", "discipline")]
    assert one(text.replace("DEDUCT", ""), entries).total == 30       # (40 - 5) -> 30
    assert one(text.replace("DEDUCT", "deduct_after_cap: true"), entries).total == 25


def test_evaluation_order_and_no_double_counting():
    text = """
        rubric: t
        ORDER
        categories:
          - id: activity
            rules: [{id: any_trip, kind: per_unit, points: 1, where: {kind: fieldwork}}]
          - id: research
            rules: [{id: research_trip, kind: per_unit, points: 5,
                     where: {kind: fieldwork, type: research}}]
        """
    entries = [entry("f1", "fieldwork", type="research"), entry("f2", "fieldwork",
                                                                 type="inspection")]
    assert one(text.replace("ORDER", ""), entries).total == 2
    result = one(text.replace("ORDER", "order: [research, activity]"), entries)
    assert result.total == 6
    assert line(result, "any_trip").entries == ("f2",)


def test_rules_in_one_category_may_share_an_entry():
    text = """
        rubric: t
        categories:
          - id: proposals
            rules:
              - {id: base, kind: threshold, points: 15, where: {kind: proposal}}
              - {id: each, kind: per_unit, points: 2, where: {kind: proposal}}
        """
    assert one(text, [entry("p", "proposal")]).total == 17


def test_flat_rules_list_with_category():
    text = """
        rubric: t
        categories: [{id: duty}]
        rules:
          - {id: filed, category: duty, kind: per_unit, points: 3, where: {kind: proposal}}
        """
    assert one(text, [entry("p", "proposal")]).total == 3


GRADED = """
rubric: t
roles: [member, standing]
categories:
  - id: duty
    rules: [{id: pts, kind: manual}]
grades:
  - {id: excellent, min: 90}
  - {id: good, min: 75}
  - {id: competent, min: 60}
  - {id: incompetent, min: 0}
"""


def manual(points, id="m1", member="m"):
    return entry(id, "manual", member=member, points=points,
                 evidence="minutes 12", vouched_by="office")


@pytest.mark.parametrize("points, grade", [(100, "excellent"), (90, "excellent"),
                                           ("89.99", "good"), (75, "good"),
                                           (60, "competent"), (0, "incompetent"),
                                           (-1, None)])
def test_grade_bands_have_inclusive_lower_bounds(points, grade):
    assert one(GRADED, [manual(points)]).grade == grade


def test_gates_and_of_ors_override_the_grade():
    text = GRADED + textwrap.dedent("""\
        gates:
          - id: minimum
            on_fail: {grade: incompetent}
            all_of:
              - {id: plenary, where: {kind: attendance, meeting: plenary}, at_least: 1}
              - any_of:
                  - {id: proposal, where: {kind: proposal}, at_least: 1}
                  - {id: report, where: {kind: opinion_report}, at_least: 1}
          - id: standing_duty
            applies_to: [standing]
            on_fail: {grade_at_most: competent}
            all_of: [{id: sc_meetings, where: {kind: attendance, meeting: standing},
                      at_least: 2}]
          - id: enough_points
            on_fail: flag
            all_of: [{id: points, score: duty, at_least: 95}]
        """)
    plenary = entry("p", "attendance", meeting="plenary")
    report = entry("r", "opinion_report")
    result = one(text, [manual(92), plenary, report])
    assert (result.grade, result.grade_by_score) == ("excellent", "excellent")
    assert [g.passed for g in result.gates] == [True, False]  # standing gate not applied
    assert result.gates[1].effect == "flag"
    result = one(text, [manual(92), plenary])
    assert result.grade == "incompetent" and result.gates[0].failed == ("proposal", "report")
    standing = one(text, [manual(92), plenary, report], members={"m": "standing"})
    assert standing.grade == "competent"


CONSEQUENCES = GRADED + textwrap.dedent("""\
    consequences:
      - {id: talk, grade: [incompetent], times: 1}
      - {id: warning, grade: [incompetent], times: 2, over: consecutive}
      - {id: not_renominated, grade: [incompetent, competent], times: 3, over: term}
    """)


@pytest.mark.parametrize("history, expected", [
    ([], ("talk",)),
    (["good", "incompetent"], ("talk", "warning")),
    (["incompetent", "good"], ("talk",)),
    (["competent", "good", "incompetent"], ("talk", "warning", "not_renominated")),
])
def test_consequences_over_consecutive_years_or_a_term(history, expected):
    result = one(CONSEQUENCES, [manual(10)], history={"m": history})
    assert result.consequences == expected


def test_gate_with_at_most_and_a_consequence_of_failing_it():
    text = GRADED + textwrap.dedent("""\
        gates:
          - id: discipline
            all_of:
              - {id: unexcused, where: {kind: attendance, state: unexcused}, at_most: 1}
              - {id: some_points, score: total, at_least: 5, at_most: 1000}
        consequences:
          - {id: removal, gate: discipline}
        """)
    once = [manual(70), entry("a1", "attendance", state="unexcused")]
    assert one(text, once).consequences == ()
    twice = once + [entry("a2", "attendance", state="unexcused")]
    result = one(text, twice)
    assert result.consequences == ("removal",) and result.gates[0].failed == ("unexcused",)
    assert result.grade == "competent"  # the gate only flags


def test_ranking_within_groups_is_off_by_default():
    entries = [manual(p, id=f"e{m}", member=m) for m, p in
               (("a", 70), ("b", 80), ("c", 80), ("d", 50))]
    members = {"a": MemberInfo("a", group="G1"), "b": MemberInfo("b", group="G1"),
               "c": MemberInfo("c", group="G1"), "d": MemberInfo("d", group="G2")}
    assert all(r.rank is None for r in score(rubric(GRADED), entries, AS_OF))
    ranked = rubric(GRADED + "ranking: {enabled: true, within: group}\n")
    ranks = {r.member: r.rank for r in score(ranked, entries, AS_OF, members=members)}
    assert ranks == {"b": 1, "c": 1, "a": 3, "d": 1}
    assert "rank" not in score(rubric(GRADED), entries, AS_OF)[0].to_dict()


def test_manual_inputs_need_evidence_and_a_voucher():
    unvouched = entry("m2", "manual", points=30, evidence="photo")
    result = one(GRADED, [manual(20), unvouched])
    assert result.total == 20
    assert "m2: manual input refused: no vouched_by" in line(result, "pts").notes


def test_period_as_of_and_superseding_entries():
    text = SIMPLE + "period: {from: 2025-01-01, to: 2025-12-31}\n"
    entries = [
        entry("old", "proposal", status="registered", date="2024-12-20"),
        entry("a", "proposal", status="registered"),
        entry("b", "proposal", status="registered", date="2025-11-01", effective="2026-02-01"),
        entry("c", "proposal", status="registered"),
        entry("c2", "void", supersedes="c", date="2025-06-01"),
        entry("d", "proposal", status="not_registered"),
        entry("d2", "proposal", status="registered", supersedes="d", date="2025-04-01",
              effective="2026-03-01"),
    ]
    assert one(text, entries, as_of=dt.date(2025, 12, 31)).total == 20
    assert one(text, entries, as_of=dt.date(2026, 2, 1)).total == 40
    assert one(text, entries, as_of=dt.date(2026, 3, 1)).total == 60
    assert one(text, entries, as_of=dt.date(2025, 5, 1)).total == 40  # c not yet voided


def test_explanations_name_entries_caps_and_floors():
    result = one(SIMPLE.replace("points: 20", "points: 20\n        max: 20"),
                 [entry("a", "proposal", status="registered"),
                  entry("b", "proposal", status="registered")])
    data = result.to_dict()
    assert data["lines"] == [{"rule": "filed", "label": "", "category": "duty",
                              "points": 20, "entries": ["a", "b"],
                              "notes": ["rule cap 20 applied (earned 40)"]}]
    assert data["categories"][0]["points"] == 20 and data["total"] == 20


def test_members_without_entries_get_the_base():
    text = "rubric: t\ntotal: {base: 60}\ncategories: [{id: c}]\n"
    (result,) = score(rubric(text), [], AS_OF, members={"quiet": "member"})
    assert (result.member, result.total) == ("quiet", 60)


# --------------------------------------------------------------------------- the document

CONSTRUCTS = {
    "The rubric file": [test_rubric_file_top_level],
    "Period, as-of dates and corrections": [test_period_as_of_and_superseding_entries],
    "Categories": [test_cap_per_category, test_rules_in_one_category_may_share_an_entry],
    "Rules": [test_per_unit_points, test_flat_rules_list_with_category],
    "Conditions": [test_conditions],
    "Exclusions": [test_exclusions, test_booleans_match_whatever_the_source],
    "Points per unit": [test_per_unit_points],
    "Points per half-day": [test_points_per_half_day],
    "Attendance states": [test_attendance_states],
    "Points by level": [test_points_by_level],
    "Points by authorship role": [test_points_by_authorship_role_with_nested_table],
    "Co-author shares and rounding": [test_co_author_shares_and_rounding_policy,
                                      test_rounding_modes],
    "Once per period": [test_once_per_period],
    "Thresholds": [test_threshold_awards_and_tiers],
    "Counting from the n-th item": [test_counting_from_the_nth_item],
    "Take the highest": [test_take_the_highest_alternative],
    "Roles": [test_role_limited_rules_and_role_specific_base_and_maximum],
    "Caps per rule": [test_cap_per_rule],
    "Caps per category": [test_cap_per_category],
    "Bonus pools": [test_bonus_pool],
    "Base, total cap and floor": [test_total_base_cap_and_floor, test_start_at_zero,
                                  test_members_without_entries_get_the_base],
    "Deduction budgets": [test_deduction_budget_floored_at_zero],
    "Deductions against the base": [test_deductions_against_the_base],
    "Deducting after the cap": [test_deduct_after_cap],
    "Evaluation order": [test_evaluation_order_and_no_double_counting],
    "No double counting": [test_evaluation_order_and_no_double_counting],
    "Grade bands": [test_grade_bands_have_inclusive_lower_bounds],
    "Gates": [test_gates_and_of_ors_override_the_grade,
              test_gate_with_at_most_and_a_consequence_of_failing_it],
    "Consequences": [test_consequences_over_consecutive_years_or_a_term,
                     test_gate_with_at_most_and_a_consequence_of_failing_it],
    "Ranking": [test_ranking_within_groups_is_off_by_default],
    "Manual inputs": [test_manual_inputs_need_evidence_and_a_voucher],
    "Explanations": [test_explanations_name_entries_caps_and_floors],
}


def test_every_documented_construct_has_a_test():
    headings = re.findall(r"^### (.+)$", DOC.read_text(encoding="utf-8"), flags=re.M)
    assert headings, "docs/rubric-language.md has no construct headings"
    assert sorted(headings) == sorted(CONSTRUCTS)


def test_every_rubric_example_in_the_document_is_valid():
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    rubrics = [b for b in blocks if b.startswith("rubric:")]
    assert len(rubrics) >= 10
    for block in rubrics:
        assert validate(block) == [], block
        # ... and names only what ledger entries carry (no warning either).
        assert check(block) == ([], []), block
