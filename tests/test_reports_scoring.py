"""The workflow's events change scores the way the default rubric (shixiao-effect) says:
submitting earns little, a report adopted at several levels counts once at its best level,
and an endorsement outranks an adoption."""

import datetime as dt
from decimal import Decimal

from shixiao.assessment.defaults import default_rubric_text
from shixiao.assessment.services import register_rubric, score_committee
from shixiao.reports import services as rs

from .test_reports_services import draft, sent

D = dt.date


def report_points(world, membership):
    """Member's `report_used` and `report_submitted` points for 2026, from the database."""
    version = register_rubric(world.office, world.committee, default_rubric_text())
    scored = score_committee(world.office, world.committee, version, year=2026, store=False)
    (result,) = [r for r in scored.results if r.member == str(membership.pk)]
    lines = {line.rule: line.points for line in result.lines}
    return lines.get("report_used", Decimal(0)), lines.get("report_submitted", Decimal(0))


def adopt(world, report, level, body, on):
    rs.record_adoption(world.office, report, level=level, body=body, on=on)


def test_submitting_earns_the_submission_point_only(world):
    rs.submit(world.office, draft(world, world.office, authors=[world.membership1]),
              on=D(2026, 3, 2))
    assert report_points(world, world.membership1) == (0, 1)


def test_a_draft_earns_nothing(world):
    draft(world)
    assert report_points(world, world.membership1) == (0, 0)


def test_one_report_adopted_at_three_levels_counts_once_at_its_best(world):
    report = sent(world)
    adopt(world, report, "prefecture", "市政协《社情民意》", D(2026, 3, 15))
    assert report_points(world, world.membership1)[0] == 6
    adopt(world, report, "provincial", "省政协《社情民意》", D(2026, 4, 2))
    adopt(world, report, "national", "全国政协《政协信息》", D(2026, 5, 6))
    used, submitted = report_points(world, world.membership1)
    assert used == 12, "national adoption once, not 6 + 9 + 12"
    assert submitted == 1


def test_an_endorsement_outranks_an_adoption_at_a_higher_level(world):
    report = sent(world)
    adopt(world, report, "national", "全国政协《政协信息》", D(2026, 4, 2))
    rs.record_endorsement(world.office, report, level="provincial", leader_rank="principal",
                          leader="省委书记", on=D(2026, 4, 20))
    assert report_points(world, world.membership1)[0] == 18


def test_two_reports_each_score_their_own_best(world):
    first, second = sent(world), sent(world, title="第二篇")
    adopt(world, first, "provincial", "省政协《社情民意》", D(2026, 4, 2))
    adopt(world, second, "prefecture", "市政协《社情民意》", D(2026, 4, 2))
    assert report_points(world, world.membership1)[0] == 9 + 6


def test_every_author_of_an_adopted_report_is_credited(world):
    report = draft(world, world.office, authors=[world.membership1, world.membership2])
    rs.submit(world.office, report, on=D(2026, 3, 2))
    rs.send_upward(world.office, report, sends=[
        {"to_level": "provincial", "recipient": "省政协", "on": D(2026, 3, 5)}])
    adopt(world, report, "provincial", "省政协《社情民意》", D(2026, 4, 2))
    assert report_points(world, world.membership1)[0] == 9
    assert report_points(world, world.membership2)[0] == 9


def test_an_adoption_counts_from_its_own_date(world):
    """As of a day before the adoption, the score is what was known then."""
    report = sent(world)
    adopt(world, report, "provincial", "省政协《社情民意》", D(2026, 6, 1))
    version = register_rubric(world.office, world.committee, default_rubric_text())
    before = score_committee(world.office, world.committee, version, year=2026,
                             as_of=D(2026, 5, 31), store=False)
    (result,) = [r for r in before.results if r.member == str(world.membership1.pk)]
    assert "report_used" not in {line.rule for line in result.lines if line.points}
