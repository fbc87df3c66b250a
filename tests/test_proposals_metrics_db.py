"""Proposal metrics read from the database: proposals built through the production services
(on, late, unanswered, not yet due, merged, extended, re-handled), then the figures checked
against counts worked out by hand."""

import pytest

from shixiao.proposals import metrics
from shixiao.proposals import services as ps
from shixiao.proposals.models import FollowUp, Proposal

from .proposals_kit import ASSIGN_ON, REPLY_ON, D, assigned, grade, in_review, registered

AS_OF = D(2026, 1, 31)


def answer(w, p, on, code="B", user=None, proposal=None):
    lead = p.merged_into or p
    ps.reply(user or w.unit1_user, lead.assignments.get(), text="答复", grade=grade(w, code),
             proposal=proposal, on=on)


@pytest.fixture
def year(world):
    """Six registered proposals of 2025 and one still in review, all by member1 (SC1)."""
    w = world
    from .proposals_kit import unit2_user

    u2 = unit2_user(w)
    on_time = assigned(w, title="按时")
    answer(w, on_time, REPLY_ON)                                   # due 2025-06-20
    ps.rate(w.member1, on_time, process="satisfied", result="satisfied", on=D(2025, 5, 25))
    six = FollowUp.objects.get(proposal=on_time, horizon_months=6)
    ps.review_follow_up(w.office, six, finding="fulfilled", evidence="现场查看，照片存档。",
                        on=D(2025, 11, 25))
    late = assigned(w, title="迟复")
    answer(w, late, D(2025, 7, 10))                                # never rated
    unanswered = assigned(w, title="未复", units=[w.unit2])
    fresh = registered(w, title="新交办")
    ps.assign(w.office, fresh, mode="single", units=[w.unit2], on=D(2025, 12, 15))
    lead = registered(w, title="并案主")
    follower = in_review(w, title="并案从")
    ps.merge(w.office, follower, lead, on=D(2025, 3, 12))
    ps.assign(w.office, Proposal.objects.get(pk=lead.pk), mode="single", units=[w.unit1],
              on=ASSIGN_ON)
    lead.refresh_from_db()
    answer(w, lead, REPLY_ON, code="C")
    answer(w, lead, D(2025, 5, 22), code="A", proposal=Proposal.objects.get(pk=follower.pk))
    in_review(w, title="审查中")
    w.u2, w.unanswered, w.late = u2, unanswered, late
    return w


def stats(w, **kw):
    return metrics.stats(Proposal.objects.all(), committee=w.committee, year=2025,
                         as_of=kw.pop("as_of", AS_OF), **kw)


def test_reply_rate_from_the_database_counts_the_overdue_one(year):
    overall = stats(year)["overall"]
    assert (overall["proposals"], overall["assigned"]) == (6, 6)
    # Replied: on time, late, the lead and its merged proposal; overdue: one; not due: one.
    assert overall["reply"] | {"grades": None} == {
        "due": 5, "replied": 4, "on_time": 3, "overdue_unreplied": 1, "not_yet_due": 1,
        "rate": 0.8, "on_time_rate": 0.6, "grades": None}
    assert overall["reply"]["grades"] == {"A": 1, "B": 2, "C": 1}


def test_fulfilment_and_satisfaction_from_the_database(year):
    overall = stats(year)["overall"]
    six = overall["fulfilment"]["by_horizon"]["6"]
    # The late reply's 6-month review fell due on 12 January and nobody reviewed it.
    assert (six["due"], six["fulfilled"], six["not_reviewed"], six["rate"]) == (2, 1, 1, 0.5)
    assert overall["fulfilment"]["by_horizon"]["12"]["due"] == 0
    process = overall["satisfaction"]["process"]
    # Four replied proposals, one author each; only one rated.
    assert (process["due"], process["satisfied"], process["not_rated"], process["rate"]) == (
        4, 1, 3, 0.25)
    assert overall["satisfaction"]["fulfilment_alongside"]["6"] == 0.5


def test_units_special_committees_and_open_deadlines_from_the_database(year):
    result = stats(year)
    units = {u["name"]: u for u in result["by_unit"]}
    assert units["市教育局"]["reply"] | {"grades": None} == {
        "due": 4, "replied": 4, "on_time": 3, "overdue_unreplied": 0, "not_yet_due": 0,
        "rate": 1.0, "on_time_rate": 0.75, "grades": None}
    assert (units["市交通运输局"]["reply"]["due"], units["市交通运输局"]["reply"]["rate"]) == (
        1, 0.0)
    assert units["市交通运输局"]["overdue"]["reply"]["red"] == 1
    assert units["市教育局"]["overdue"]["follow_up_review"]["red"] == 1
    assert result["overdue"]["total"]["red"] == 2
    assert [(s["name"], s["proposals"]) for s in result["by_special_committee"]] == [
        ("提案委员会", 6)]
    assert result["unit_ranking"]["ranked"] == []
    assert {e["name"] for e in result["unit_ranking"]["too_few_to_rank"]} == {
        "市教育局", "市交通运输局"}
    assert (result["committee"], result["year"], result["horizons"]) == ("city", 2025,
                                                                         [6, 12, 24])


def test_an_earlier_as_of_date_sees_less(year):
    before = stats(year, as_of=D(2025, 6, 1))["overall"]
    # By 1 June only the three May replies were in; nothing was overdue yet.
    assert (before["reply"]["due"], before["reply"]["replied"]) == (3, 3)
    assert before["assigned"] == 5


def test_extension_and_rehandling_keep_the_first_rounds_due_date(world):
    w = world
    p = assigned(w)
    ps.approve_extension(w.office, p, note="跨年度预算", on=D(2025, 5, 1))
    answer(w, p, D(2025, 8, 1))                       # within the 6-month extension
    ps.rate(w.member1, p, process="unsatisfied", result="unsatisfied", on=D(2025, 8, 2))
    p.refresh_from_db()
    ps.request_rehandling(w.office, p, reason="请落实", on=D(2025, 8, 10))
    answer(w, p, D(2025, 9, 1))
    ps.rate(w.member1, p, process="satisfied", result="basically", on=D(2025, 9, 2))
    overall = stats(w)["overall"]
    assert (overall["reply"]["on_time"], overall["reply"]["rate"]) == (1, 1.0)
    assert overall["satisfaction"]["result"]["rate"] == 1.0      # round 2's rating
    assert stats(w, as_of=D(2025, 8, 5))["overall"]["satisfaction"]["result"]["rate"] == 0.0
    assert stats(w)["overdue"]["reply"]["open"] == 0


def test_stats_are_scoped_by_what_the_caller_sees(year):
    mine = metrics.stats(Proposal.objects.visible_to(year.unit1_user), as_of=AS_OF)
    assert mine["overall"]["proposals"] == 4
    assert {u["name"] for u in mine["by_unit"]} == {"市教育局"}


def test_reading_the_rows_takes_the_same_queries_however_many_proposals(year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        stats(year)
    for title in ("再一件", "又一件", "第三件"):
        answer(year, assigned(year, title=title), REPLY_ON)
    with CaptureQueriesContext(connection) as more:
        assert stats(year)["overall"]["proposals"] == 9
    assert len(more.captured_queries) == len(few.captured_queries)
