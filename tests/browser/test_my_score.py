"""A member on a phone logs in, opens "my score", picks the year, and reads why their score is
what it is: every line of the office's stored scoring with its rule and points, on a page
that fits a 390 px screen."""

import datetime as dt

import pytest

from shixiao.assessment.defaults import default_rubric_text
from shixiao.assessment.models import MemberScore
from shixiao.assessment.services import register_rubric, score_committee
from shixiao.ledger import services as ledger
from shixiao.mypages.templatetags.mypages_tags import signed

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A completed year inside the fixture world's term, so no date is ever in the future.
YEAR = 2025


def a_year_of_work(w):
    """member1's year, as the office records it in one batch: a plenary attended, a
    group discussion skipped, an opinion report submitted and adopted, a constituent's
    problem confirmed fixed, research with findings, a supervised task closed."""
    on = lambda month, day: dt.date(YEAR, month, day)  # noqa: E731
    m = w.membership1
    items = [
        {"kind": "attendance", "date": on(1, 10), "attrs": {"meeting": "plenary",
                                                          "state": "attended"}},
        {"kind": "attendance", "date": on(1, 11), "attrs": {"meeting": "plenary_group",
                                                          "state": "unexcused"}},
        {"kind": "opinion_report", "date": on(2, 3), "attrs": {"ref": "R-1",
                                                             "status": "submitted"}},
        {"kind": "opinion_report", "date": on(3, 9), "attrs": {
            "ref": "R-1", "status": "adopted", "level": "prefecture"}},
        {"kind": "constituent_contact", "date": on(4, 2), "attrs": {"ref": "C-1",
                                                                  "status": "confirmed"}},
        {"kind": "fieldwork", "date": on(5, 6), "attrs": {"ref": "F-1", "type": "research",
                                                        "findings": 2}},
        {"kind": "task", "date": on(6, 1), "attrs": {"ref": "T-1", "status": "closed"}},
    ]
    ledger.record_entries(w.office, [{**item, "membership": m} for item in items],
                          reason="browser test data")
    version = register_rubric(w.office, w.committee, default_rubric_text())
    score_committee(w.office, w.committee, version, year=YEAR)
    return MemberScore.objects.get(membership=m, run__year=YEAR)


def test_member_reads_every_reason_for_their_score_on_a_phone(world, visit):
    stored = a_year_of_work(world)
    expected = [(line["rule"], line["label"], signed(line["points"]))
                for line in stored.explanation["lines"]]
    assert len(expected) >= 5, expected

    v = visit(viewport=PHONE)
    v.log_in("member1")
    v.goto("/me/")
    page = v.page
    with page.expect_navigation():
        page.click(".my-tabs a[href^='/me/score/']")
    page.select_option("#my-year", str(YEAR))
    with page.expect_navigation():
        page.click("form.my-choose button[type=submit]")
    assert f"year={YEAR}" in page.url

    lines = page.locator("#score-lines .score-line")
    assert lines.count() == len(expected)
    for index, (rule, label, points) in enumerate(expected):
        line = lines.nth(index)
        assert line.get_attribute("data-rule") == rule
        assert line.locator(".label").is_visible() and line.locator(".points").is_visible()
        assert line.locator(".label").inner_text().strip() == label
        assert points in line.locator(".points").inner_text(), (rule, points)
    assert page.locator(".my-total").inner_text().strip() == str(stored.total.normalize())

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px wide"
    v.assert_clean()
