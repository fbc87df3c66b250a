"""The language expresses other published rubrics summarised in research/domain.md §4.6,
not only the two with worked examples: Jinan 2015, Anqing 2018 and Xuanwei."""

import datetime as dt
import textwrap

import pytest

from shixiao.assessment import LedgerEntry, load, score

AS_OF = dt.date(2025, 12, 31)

# Jinan 2015: 70 base + at most 50 reward (120 scale); minimum "三个一"; unexcused plenary
# absence -30, excused -10; each registered proposal beyond the first +5, key +5, excellent
# +10; public-good activity +2 (cap 10); >=85 excellent, 60-84 competent, <60 a talk with the
# sector convenor, two years <60 a talk with the CPPCC.
JINAN = """
rubric: jinan-2015
total: {base: 70, max: 120, min: 0}
pools: [{id: reward, max: 50}]
categories:
  - id: proposals
    pool: reward
    rules:
      - {id: extra_registered, kind: per_unit, from_nth: 2, points: 5,
         where: {kind: proposal, status: registered}}
      - {id: key, kind: per_unit, points: 5, where: {kind: proposal, status: key}}
      - {id: excellent, kind: per_unit, points: 10, where: {kind: proposal, status: excellent}}
  - id: public_good
    pool: reward
    rules:
      - {id: public_good, kind: per_unit, points: 2, max: 10,
         where: {kind: service, type: public_good}}
  - id: absences
    rules:
      - id: plenary_absence
        kind: per_unit
        where: {kind: attendance, meeting: plenary}
        points: {by: state, values: {unexcused: -30, leave: -10}}
grades:
  - {id: excellent, min: 85}
  - {id: competent, min: 60}
  - {id: below, min: 0}
gates:
  - id: three_ones
    all_of:
      - {id: plenary, where: {kind: attendance, meeting: plenary, state: attended}, at_least: 1}
      - any_of:
          - {id: proposal, where: {kind: proposal, status: registered}, at_least: 1}
          - {id: report, where: {kind: opinion_report}, at_least: 1}
      - {id: fieldwork, where: {kind: fieldwork, type: [inspection, research]}, at_least: 1}
consequences:
  - {id: convenor_talk, grade: [below]}
  - {id: cppcc_talk, grade: [below], times: 2, over: consecutive}
"""

# Anqing 2018: 100 points; meetings 50 with -5 / -10 per unexcused absence (budget floored at
# zero); >=90 excellent, 80-89 good, 60-79 competent, <60 not competent.
ANQING = """
rubric: anqing-2018
total: {max: 100}
categories:
  - id: meetings
    start: 50
    min: 0
    rules:
      - id: absence
        kind: per_unit
        where: {kind: attendance, state: unexcused}
        points: {by: meeting, values: {plenary: -10}, default: -5}
  - id: work
    max: 50
    rules:
      - {id: proposal, kind: per_unit, points: 10, where: {kind: proposal, status: registered}}
grades:
  - {id: excellent, min: 90}
  - {id: good, min: 80}
  - {id: competent, min: 60}
  - {id: incompetent, min: 0}
"""

# Xuanwei: meetings 1-2 per time, speech 2, each inspection/research/review 2; two unexcused
# plenary absences lead to removal (a gate with at_most, and a consequence of failing it).
XUANWEI = """
rubric: xuanwei
categories:
  - id: activity
    rules:
      - id: meeting
        kind: per_unit
        where: {kind: attendance, state: attended}
        points: {by: meeting, values: {plenary: 2, standing: 2}, default: 1}
      - {id: speech, kind: per_unit, points: 2, where: {kind: speech}}
      - {id: fieldwork, kind: per_unit, points: 2,
         where: {kind: fieldwork, type: [inspection, research, supervision]}}
gates:
  - id: plenary_discipline
    all_of:
      - {id: unexcused_plenary, where: {kind: attendance, meeting: plenary, state: unexcused},
         at_most: 1}
consequences:
  - {id: removal, label: 撤销委员资格 / removal, gate: plenary_discipline}
"""


def run(text, entries, history=None):
    (result,) = score(load(textwrap.dedent(text)), entries, AS_OF, history=history,
                      members={"m": "member"})
    return result


def entry(id, kind, **attrs):
    return LedgerEntry(id=id, member="m", role="member", kind=kind, date=dt.date(2025, 5, 1),
                       attrs=attrs)


def test_jinan_reward_pool_and_extra_proposals():
    entries = [entry(f"p{i}", "proposal", status="registered") for i in range(4)]
    entries += [entry("k", "proposal", status="key"), entry("x", "proposal",
                                                            status="excellent")]
    entries += [entry(f"g{i}", "service", type="public_good") for i in range(7)]
    result = run(JINAN, entries)
    # 3 extra x 5 + 5 + 10 = 30 proposals, public good 14 -> 10; 40 within the pool of 50
    assert result.total == 110 and result.grade == "excellent"
    assert result.gates[0].failed == ("plenary", "fieldwork")


def test_jinan_absence_and_consequences_over_two_years():
    absent = [entry("a", "attendance", meeting="plenary", state="unexcused")]
    result = run(JINAN, absent)
    assert (result.total, result.grade, result.consequences) == (40, "below",
                                                                ("convenor_talk",))
    again = run(JINAN, absent, history={"m": ["below"]})
    assert again.consequences == ("convenor_talk", "cppcc_talk")


@pytest.mark.parametrize("absences, grade", [
    ([], "excellent"),                             # 50 + 50 = 100
    (["plenary"], "excellent"),                    # 90: the lower bound is inclusive
    (["plenary", "standing"], "good"),             # 85
    (["plenary", "plenary", "other"], "competent"),  # 75
    (["plenary"] * 6, "incompetent"),              # meetings floored at 0: 0 + 50 = 50
])
def test_anqing_meeting_budget_and_bands(absences, grade):
    entries = [entry(f"p{i}", "proposal", status="registered") for i in range(5)]
    entries += [entry(f"a{i}", "attendance", meeting=m, state="unexcused")
                for i, m in enumerate(absences)]
    assert run(ANQING, entries).grade == grade


def test_xuanwei_two_unexcused_plenary_absences_lead_to_removal():
    once = [entry("a1", "attendance", meeting="plenary", state="unexcused"),
            entry("s", "speech"), entry("m", "attendance", meeting="group", state="attended")]
    assert run(XUANWEI, once).consequences == ()
    assert run(XUANWEI, once).total == 3
    twice = once + [entry("a2", "attendance", meeting="plenary", state="unexcused")]
    assert run(XUANWEI, twice).consequences == ("removal",)
