"""Proposal metrics on hand-built rows, with the expected values worked out by hand in the
comments: overdue unanswered replies, unreviewed due follow-ups and missing ratings all stay
in the denominators; small units are not ranked; ranking follows fulfilment."""

import datetime as dt

from shixiao.deadlines import engine
from shixiao.proposals.metrics import (
    Duty,
    Key,
    OpenItem,
    ProposalRow,
    Rated,
    Review,
    Round,
    compute,
    rate,
)

D = dt.date
AS_OF = D(2026, 1, 31)
CITY = Key("city", "示范市政协")
U1, U2 = Key(1, "市教育局"), Key(2, "市交通运输局")
SC1 = Key(7, "提案委员会")


def row(pid, *, unit=U1, assigned=D(2025, 3, 20), due=D(2025, 6, 20), replied=None,
        grade="B", authors=(), ratings=(), reviews=(), registered=D(2025, 3, 10), **kw):
    duties = (Duty(unit, assigned, due, replied, grade if replied else ""),) if assigned else ()
    rounds = (Round(1, replied, replied + dt.timedelta(days=21)),) if replied else ()
    return ProposalRow(
        id=pid, committee=CITY, year=2025, registered_on=registered, special_committee=SC1,
        assigned_on=assigned, reply_due=due if assigned else None, replied_on=replied,
        duties=duties, authors=tuple(authors), rounds=rounds, ratings=tuple(ratings),
        reviews=tuple(reviews), **kw)


def scenario():
    return [
        # P1: on time; one author satisfied, the other never rated; fulfilled at 6 months.
        row(1, replied=D(2025, 5, 20), authors=(11, 12),
            ratings=[Rated(11, 1, "satisfied", "satisfied", D(2025, 5, 25))],
            reviews=[Review(6, D(2025, 11, 20), "fulfilled", D(2025, 11, 25)),
                     Review(12, D(2026, 5, 20))]),
        # P2: late reply; basically satisfied with the process, not with the result; its
        # 6-month review fell due on 1 January and nobody has reviewed it.
        row(2, replied=D(2025, 7, 1), authors=(21,),
            ratings=[Rated(21, 1, "basically", "unsatisfied", D(2025, 7, 5))],
            reviews=[Review(6, D(2026, 1, 1))]),
        # P3: due in June, never answered: overdue.
        row(3, unit=U2, authors=(31,)),
        # P4: assigned in December, not due until March.
        row(4, unit=U2, assigned=D(2025, 12, 1), due=D(2026, 3, 1), authors=(41,)),
        # P5: registered, not yet assigned.
        row(5, assigned=None, authors=(51,)),
        # P6: registered after the as-of date: not counted at all.
        row(6, registered=D(2026, 2, 10), assigned=None),
    ]


def test_reply_rate_counts_overdue_unanswered_proposals_in_the_denominator():
    reply = compute(scenario(), AS_OF)["overall"]["reply"]
    # P1, P2 answered, P3 overdue: 3 due; P4 not due yet; P5 not assigned.
    assert reply | {"grades": None} == {
        "due": 3, "replied": 2, "on_time": 1, "overdue_unreplied": 1, "not_yet_due": 1,
        "rate": 0.6667, "on_time_rate": 0.3333, "grades": None}
    assert reply["grades"] == {"B": 2}


def test_proposals_registered_after_the_as_of_date_are_left_out():
    overall = compute(scenario(), AS_OF)["overall"]
    assert (overall["proposals"], overall["assigned"]) == (5, 4)


def test_a_reply_sent_before_its_due_date_counts_at_once():
    early = row(1, due=D(2026, 3, 1), replied=D(2026, 1, 10))
    reply = compute([early], AS_OF)["overall"]["reply"]
    assert (reply["due"], reply["replied"], reply["on_time"]) == (1, 1, 1)


def test_on_the_due_date_an_unanswered_reply_is_not_yet_overdue():
    reply = compute([row(1, due=AS_OF)], AS_OF)["overall"]["reply"]
    assert (reply["due"], reply["not_yet_due"], reply["rate"]) == (0, 1, None)
    reply = compute([row(1, due=AS_OF)], AS_OF + dt.timedelta(days=1))["overall"]["reply"]
    assert (reply["due"], reply["overdue_unreplied"], reply["rate"]) == (1, 1, 0.0)


def test_a_reply_after_the_as_of_date_is_still_unanswered_then():
    reply = compute([row(1, replied=D(2026, 2, 2))], AS_OF)["overall"]["reply"]
    assert (reply["due"], reply["replied"], reply["overdue_unreplied"]) == (1, 0, 1)


def test_fulfilment_counts_unreviewed_due_follow_ups_as_not_fulfilled():
    fulfilment = compute(scenario(), AS_OF)["overall"]["fulfilment"]
    # 6 months: P1 fulfilled, P2 due and unreviewed → 1 of 2.
    assert fulfilment["by_horizon"]["6"] == {
        "due": 2, "fulfilled": 1, "partly": 0, "unkept": 0, "not_reviewed": 1,
        "not_yet_due": 0, "rate": 0.5, "partly_rate": 0.0}
    # 12 months: P1's is not due until May.
    assert fulfilment["by_horizon"]["12"]["due"] == 0
    assert fulfilment["by_horizon"]["12"]["not_yet_due"] == 1
    assert fulfilment["by_horizon"]["12"]["rate"] is None
    assert fulfilment["by_horizon"]["24"]["rate"] is None
    assert fulfilment["latest"]["rate"] == 0.5


def test_partly_fulfilled_is_reported_apart_and_is_not_fulfilled():
    rows = [row(i, replied=D(2025, 5, 20), reviews=[Review(6, D(2025, 11, 20), finding,
                                                           D(2025, 11, 21))])
            for i, finding in enumerate(["fulfilled", "partly", "partly", "unkept"], 1)]
    six = compute(rows, AS_OF)["overall"]["fulfilment"]["by_horizon"]["6"]
    assert (six["due"], six["fulfilled"], six["partly"], six["unkept"]) == (4, 1, 2, 1)
    assert (six["rate"], six["partly_rate"]) == (0.25, 0.5)


def test_a_review_made_after_the_as_of_date_counts_as_not_reviewed_then():
    late = row(1, replied=D(2025, 5, 20),
               reviews=[Review(6, D(2025, 11, 20), "fulfilled", D(2026, 3, 1))])
    six = compute([late], AS_OF)["overall"]["fulfilment"]["by_horizon"]["6"]
    assert (six["due"], six["not_reviewed"], six["rate"]) == (1, 1, 0.0)
    six = compute([late], D(2026, 3, 1))["overall"]["fulfilment"]["by_horizon"]["6"]
    assert six["rate"] == 1.0


def test_latest_fulfilment_judges_each_proposal_by_its_last_due_review():
    # Fulfilled at 6 months, found unkept at 12: the promise is not kept now.
    p = row(1, replied=D(2024, 5, 20),
            reviews=[Review(6, D(2024, 11, 20), "fulfilled", D(2024, 11, 20)),
                     Review(12, D(2025, 5, 20), "unkept", D(2025, 5, 21))])
    fulfilment = compute([p], AS_OF)["overall"]["fulfilment"]
    assert fulfilment["by_horizon"]["6"]["rate"] == 1.0
    assert fulfilment["latest"] == {
        "due": 1, "fulfilled": 0, "partly": 0, "unkept": 1, "not_reviewed": 0,
        "not_yet_due": 0, "rate": 0.0, "partly_rate": 0.0}


def test_satisfaction_counts_authors_who_did_not_rate_and_keeps_process_and_result_apart():
    satisfaction = compute(scenario(), AS_OF)["overall"]["satisfaction"]
    # Due: P1's two authors (one never rated), P2's one author. P3/P4 have no reply.
    assert satisfaction["ratings_due"] == 3
    assert satisfaction["process"] == {"due": 3, "satisfied": 1, "basically": 1,
                                       "unsatisfied": 0, "not_rated": 1, "rate": 0.6667}
    assert satisfaction["result"] == {"due": 3, "satisfied": 1, "basically": 0,
                                      "unsatisfied": 1, "not_rated": 1, "rate": 0.3333}


def test_satisfaction_is_always_returned_with_the_fulfilment_rates():
    satisfaction = compute(scenario(), AS_OF)["overall"]["satisfaction"]
    assert satisfaction["fulfilment_alongside"] == {"latest": 0.5, "6": 0.5, "12": None,
                                                    "24": None}


def test_an_author_still_within_the_rating_deadline_is_not_yet_counted():
    fresh = row(1, replied=D(2026, 1, 25), authors=(11,))  # rating due 15 February
    satisfaction = compute([fresh], AS_OF)["overall"]["satisfaction"]
    assert (satisfaction["ratings_due"], satisfaction["not_yet_due"]) == (0, 1)
    assert satisfaction["process"]["rate"] is None
    later = compute([fresh], D(2026, 2, 16))["overall"]["satisfaction"]
    assert later["process"] | {"due": 1} == {"due": 1, "satisfied": 0, "basically": 0,
                                             "unsatisfied": 0, "not_rated": 1, "rate": 0.0}


def test_satisfaction_reads_the_latest_round_replied_by_the_as_of_date():
    p = ProposalRow(
        id=1, committee=CITY, year=2025, registered_on=D(2025, 3, 10), authors=(11,),
        rounds=(Round(1, D(2025, 5, 20), D(2025, 6, 10)),
                Round(2, D(2025, 9, 1), D(2025, 9, 22))),
        ratings=(Rated(11, 1, "unsatisfied", "unsatisfied", D(2025, 5, 21)),
                 Rated(11, 2, "satisfied", "basically", D(2025, 9, 2))))
    assert compute([p], D(2025, 8, 1))["overall"]["satisfaction"]["result"]["rate"] == 0.0
    assert compute([p], AS_OF)["overall"]["satisfaction"]["result"]["rate"] == 1.0


def test_units_reply_rate_is_over_their_own_duties():
    units = {u["id"]: u for u in compute(scenario(), AS_OF)["by_unit"]}
    assert units[1]["reply"]["rate"] == 1.0 and units[1]["reply"]["on_time_rate"] == 0.5
    assert units[2]["reply"]["due"] == 1 and units[2]["reply"]["rate"] == 0.0
    assert units[2]["reply"]["not_yet_due"] == 1
    assert units[1]["fulfilment"]["by_horizon"]["6"]["rate"] == 0.5
    assert units[2]["fulfilment"]["latest"]["due"] == 0


def test_each_separate_unit_is_judged_by_its_own_reply():
    both = ProposalRow(
        id=1, committee=CITY, year=2025, registered_on=D(2025, 3, 10),
        assigned_on=D(2025, 3, 20), reply_due=D(2025, 6, 20), replied_on=None,
        duties=(Duty(U1, D(2025, 3, 20), D(2025, 6, 20), D(2025, 6, 1), "A"),
                Duty(U2, D(2025, 3, 20), D(2025, 6, 20))))
    result = compute([both], AS_OF)
    # The proposal is not answered until both units have replied.
    assert result["overall"]["reply"]["rate"] == 0.0
    assert result["overall"]["reply"]["grades"] == {"A": 1}
    units = {u["id"]: u["reply"]["rate"] for u in result["by_unit"]}
    assert units == {1: 1.0, 2: 0.0}


def fulfilled(pid, unit, finding="fulfilled"):
    return row(pid, unit=unit, replied=D(2025, 5, 20),
               reviews=[Review(6, D(2025, 11, 20), finding, D(2025, 11, 21))])


def test_units_below_the_minimum_sample_are_listed_but_not_ranked():
    a, b, c = Key(1, "甲局"), Key(2, "乙局"), Key(3, "丙局")
    rows = ([fulfilled(i, a, "fulfilled" if i <= 5 else "partly") for i in range(1, 7)]
            + [fulfilled(10 + i, b) for i in range(3)]
            + [fulfilled(20 + i, c) for i in range(5)])
    ranking = compute(rows, AS_OF)["unit_ranking"]
    assert ranking["basis"] == "fulfilment.latest" and ranking["min_sample"] == 5
    # 丙 5/5 = 1.0 outranks 甲 5/6; 乙 has a perfect 3/3 but too few to rank.
    assert [(e["name"], e["rank"], e["rate"], e["due"]) for e in ranking["ranked"]] == [
        ("丙局", 1, 1.0, 5), ("甲局", 2, 0.8333, 6)]
    assert [(e["name"], e["due"]) for e in ranking["too_few_to_rank"]] == [("乙局", 3)]


def test_the_minimum_sample_is_configurable_and_ties_share_a_rank():
    a, b = Key(1, "甲局"), Key(2, "乙局")
    rows = [fulfilled(1, a), fulfilled(2, b), fulfilled(3, b)]
    ranking = compute(rows, AS_OF, min_rank_sample=1)["unit_ranking"]
    assert [(e["name"], e["rank"]) for e in ranking["ranked"]] == [("乙局", 1), ("甲局", 1)]


def test_ranking_follows_fulfilment_not_satisfaction():
    a, b = Key(1, "甲局"), Key(2, "乙局")
    happy = Rated(1, 1, "satisfied", "satisfied", D(2025, 5, 21))
    rows = [row(i, unit=a, replied=D(2025, 5, 20), authors=(1,), ratings=[happy],
                reviews=[Review(6, D(2025, 11, 20), "unkept", D(2025, 11, 21))])
            for i in range(5)]
    rows += [row(10 + i, unit=b, replied=D(2025, 5, 20), authors=(1,),
                 reviews=[Review(6, D(2025, 11, 20), "fulfilled", D(2025, 11, 21))])
             for i in range(5)]
    result = compute(rows, AS_OF)
    units = {u["name"]: u for u in result["by_unit"]}
    assert units["甲局"]["satisfaction"]["result"]["rate"] == 1.0
    assert units["乙局"]["satisfaction"]["result"]["rate"] == 0.0
    assert [e["name"] for e in result["unit_ranking"]["ranked"]] == ["乙局", "甲局"]


def test_breakdowns_by_committee_year_and_special_committee():
    other = Key("other", "邻市政协")
    rows = scenario() + [ProposalRow(id=99, committee=other, year=2024,
                                     registered_on=D(2024, 4, 1))]
    result = compute(rows, AS_OF)
    assert [(c["id"], c["proposals"]) for c in result["by_committee"]] == [
        ("city", 5), ("other", 1)]
    assert [(y["id"], y["proposals"]) for y in result["by_year"]] == [(2024, 1), (2025, 5)]
    assert [(s["id"], s["name"], s["proposals"]) for s in result["by_special_committee"]] == [
        (7, "提案委员会", 5), (None, "", 1)]
    assert result["by_year"][1]["reply"] == result["overall"]["reply"]


def test_a_callers_breakdown_groups_the_same_pass_by_its_own_key():
    """The dashboard's by-sector grid: grouped by a key of the caller's, judged like the
    standard breakdowns, registered-after-as-of rows left out as everywhere."""
    even, odd = Key("even", "偶数界"), Key("odd", "奇数界")
    result = compute(scenario(), AS_OF, breakdowns={
        "by_sector": lambda r: even if r.id % 2 == 0 else odd})
    assert [(g["id"], g["proposals"]) for g in result["by_sector"]] == [
        ("even", 2), ("odd", 3)]  # P6 (even) registered after the as-of date
    alone = compute([r for r in scenario() if r.id % 2 == 0], AS_OF)["overall"]
    assert {k: v for k, v in result["by_sector"][0].items() if k not in ("id", "name")} \
        == alone
    assert "by_sector" not in compute(scenario(), AS_OF)


def test_open_items_are_counted_by_colour_overall_and_per_unit():
    items = (
        OpenItem("reply", (U1,), D(2025, 12, 1), D(2026, 1, 20)),  # overdue: red
        OpenItem("reply", (U1,), D(2025, 12, 1), D(2026, 2, 3),
                 blue_from=D(2026, 1, 20), yellow_from=D(2026, 1, 28)),  # yellow
        OpenItem("co_opinion", (U2,), D(2025, 12, 1), D(2026, 2, 20),
                 blue_from=D(2026, 1, 30), yellow_from=D(2026, 2, 12)),  # blue
        OpenItem("follow_up_review", (U1, U2), D(2025, 6, 1), D(2026, 1, 2)),  # red, both
        OpenItem("reply", (U2,), D(2025, 12, 1), D(2026, 1, 2), D(2026, 1, 5)),  # done
        OpenItem("reply", (U2,), D(2026, 2, 1), D(2026, 1, 2)),  # not started yet
    )
    p = ProposalRow(id=1, committee=CITY, year=2025, registered_on=D(2025, 3, 1),
                    open_items=items)
    result = compute([p], AS_OF)
    assert result["overdue"]["total"] == {"open": 4, "red": 2, "yellow": 1, "blue": 1}
    assert result["overdue"]["reply"] == {"open": 2, "red": 1, "yellow": 1, "blue": 0}
    assert result["overdue"]["follow_up_review"]["red"] == 1
    units = {u["id"]: u["overdue"]["total"] for u in result["by_unit"]}
    assert units == {1: {"open": 3, "red": 2, "yellow": 1, "blue": 0},
                     2: {"open": 2, "red": 1, "yellow": 0, "blue": 1}}


def test_open_item_colours_match_the_deadlines_app():
    from shixiao.proposals.metrics import _from

    calendar = engine.Calendar(holidays=[D(2026, 2, 17), D(2026, 2, 18)])
    rule = engine.DEFAULT_RULES["proposal_reply"]
    due = D(2026, 2, 24)
    item = OpenItem("reply", (U1,), D(2025, 12, 1), due,
                    blue_from=_from(due, rule.remind_before, calendar),
                    yellow_from=_from(due, rule.warn_before, calendar))
    day = D(2026, 1, 1)
    while day <= D(2026, 3, 1):
        assert (item.colour(day) or "none") == str(engine.escalation(due, day, rule, calendar))
        day += dt.timedelta(days=1)


def test_nothing_due_gives_no_rate_rather_than_zero_or_full():
    result = compute([], AS_OF)
    assert result["overall"]["reply"]["rate"] is None
    assert result["overall"]["satisfaction"]["process"]["rate"] is None
    assert result["unit_ranking"]["ranked"] == []
    assert rate(0, 0) is None and rate(1, 3) == 0.3333
