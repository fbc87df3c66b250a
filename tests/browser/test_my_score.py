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


def test_the_grade_stays_on_one_line_on_a_phone(world, visit):
    """需改进 used to break as 需改 / 进 in the summary tile on a 390 px screen."""
    version = register_rubric(world.office, world.committee, default_rubric_text())
    score_committee(world.office, world.committee, version, year=YEAR)  # member1: nothing
    v = visit(viewport=PHONE)
    v.log_in("member1")
    for path in (f"/me/?year={YEAR}", f"/me/score/?year={YEAR}"):
        v.goto(path)
        grade = v.page.locator(".my-figures dd.my-grade")
        assert grade.inner_text().startswith("需改进"), grade.inner_text()
        # The top of each character of the grade's Chinese word: one line, one top.
        tops = grade.evaluate("""el => {
            const text = el.firstChild, tops = [];
            for (let i = 0; i < text.length && /[\\u4e00-\\u9fff]/.test(text.data[i]); i++) {
                const range = document.createRange();
                range.setStart(text, i); range.setEnd(text, i + 1);
                tops.push(Math.round(range.getBoundingClientRect().top));
            }
            return tops; }""")
        assert len(tops) == 3 and len(set(tops)) == 1, (path, tops)
        width = v.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways: {width} px wide"
    v.assert_clean()
