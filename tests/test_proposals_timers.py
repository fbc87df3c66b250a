"""Deadline helpers the pages use: how urgent a reply, an objection or a follow-up is."""

from shixiao.proposals import services as ps
from shixiao.proposals import timers

from .proposals_kit import ASSIGN_ON, REPLY_ON, D, assigned, replied


def test_reply_turns_red_when_overdue_and_clears_once_replied(world):
    p = assigned(world)
    assert timers.reply_colour(p, today=ASSIGN_ON) == "none"
    assert timers.reply_colour(p, today=D(2025, 6, 18)) == "yellow"
    assert timers.reply_colour(p, today=D(2025, 7, 1)) == "red"
    p = replied(world, title="另一件")
    assert timers.reply_colour(p, today=D(2025, 7, 1)) == "none"


def test_objection_window_and_contact_and_rating_dates(world):
    p = assigned(world)
    a = p.assignments.get()
    assert timers.objection_open(a, on=ASSIGN_ON)
    assert not timers.objection_open(a, on=D(2025, 5, 1))
    assert timers.contact_due(a) > ASSIGN_ON
    assert timers.rating_due(p) is None
    ps.reply(world.unit1_user, a, text="答复",
             grade=p.committee.proposal_result_grades.get(code="C"), on=REPLY_ON)
    p.refresh_from_db()
    assert timers.rating_due(p) > REPLY_ON


def test_follow_up_colour_clears_once_reviewed(world):
    f = replied(world).follow_ups.order_by("due").first()
    assert timers.follow_up_colour(f, today=D(2026, 1, 1)) == "red"
    f = ps.review_follow_up(world.office, f, finding="partly", evidence="现场查看", on=f.due)
    assert timers.follow_up_colour(f, today=D(2026, 1, 1)) == "none"
