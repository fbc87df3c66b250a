"""The member's score page (/me/score/): every line's reason and points as the engine gives
them, the entries behind each line, the office's stored scoring when there is one (as of
when, published or not), the committee's own rubric, gates, and the Word report link."""

import html as htmllib
import re

from shixiao.assessment.decimals import plain
from shixiao.assessment.defaults import default_rubric_text
from shixiao.assessment.services import register_rubric, score_committee
from shixiao.ledger import services as ledger
from shixiao.proposals import services as ps

from .proposals_kit import D, member_score, replied
from .test_mypages_pages import en, html

YEAR_END = D(2025, 12, 31)


def known_year(w):
    """member1's 2025: a proposal carried to a verified effect with a follow-up review the
    member took part in, a plenary attended, and an unexcused absence."""
    p = replied(w, code="B")
    first = p.follow_ups.order_by("due").first()
    ps.review_follow_up(w.office, first, finding="fulfilled", evidence="现场查看，车位已施划。",
                        member_took_part=True, on=first.due)
    ledger.record_entry(w.office, w.membership1, kind="attendance", date=D(2025, 3, 3),
                        attrs={"meeting": "plenary", "state": "attended"})
    ledger.record_entry(w.office, w.membership1, kind="attendance", date=D(2025, 9, 9),
                        attrs={"meeting": "plenary_group", "state": "unexcused"})
    return p


def engine_lines(w):
    """The engine's lines with their labels as an English page shows them."""
    from shixiao.assessment.rubric import pick

    result = member_score(w, w.membership1, year=2025, as_of=YEAR_END)
    return result, [(ln.rule, pick(ln.label, "en"), plain(ln.points)) for ln in result.lines]


def score_lines_html(page: str) -> list[str]:
    """The text of each `.score-line` inside `#score-lines`."""
    container = page[page.index('id="score-lines"'):]
    return [htmllib.unescape(re.sub(r"<[^>]+>", " ", chunk.split("</li>")[0]))
            for chunk in container.split('class="score-line"')[1:]]


def test_score_page_shows_every_line_with_the_engines_label_and_points(world, as_user):
    p = known_year(world)
    result, expected = engine_lines(world)
    assert {rule for rule, _, _ in expected} >= {"proposal_effect", "follow_up_review",
                                                 "proposal_registered", "plenary_unexcused"}
    response = en(as_user(world.member1)).get("/me/score/?year=2025")
    view = response.context["score"]
    assert view.source == "live" and view.default_rubric and view.as_of == YEAR_END
    assert [(ln.rule, ln.label, ln.points) for ln in view.lines] == expected
    assert view.total == plain(result.total) and view.grade == result.grade
    texts = score_lines_html(html(response))
    assert len(texts) == len(expected)
    for text, (_rule, label, points) in zip(texts, expected, strict=True):
        assert label in text and str(points) in text
    # The entries behind a line, in words, with a link to the proposal.
    effect = next(ln for ln in view.lines if ln.rule == "proposal_effect")
    (row,) = effect.entries
    assert row.kind == "Proposal" and "effect verified" in row.texts
    assert row.url == f"/proposals/{p.pk}/" and row.title == p.title
    assert f'href="/proposals/{p.pk}/"' in html(response)


def test_subtotals_show_each_categorys_cap_and_floor(world, as_user):
    known_year(world)
    view = en(as_user(world.member1)).get("/me/score/?year=2025").context["score"]
    by_id = {c.id: c for c in view.categories}
    assert by_id["work"].limits == "at most 30"
    assert by_id["integrity"].limits == "at least -20"
    assert [ln.rule for ln in by_id["integrity"].lines if ln.entries] == ["plenary_unexcused"]
    # A rule that counted nothing still shows, with its 0 (a standing member's rule does
    # not apply to a member).
    assert [(ln.rule, ln.points) for ln in by_id["integrity"].lines if not ln.entries] == [
        ("copied_writing", 0)]


def test_a_failed_gate_says_what_it_does(world, as_user):
    known_year(world)
    ledger.record_entry(world.office, world.membership2, kind="speech", date=D(2025, 5, 5),
                        attrs={"meeting": "plenary"})
    view = en(as_user(world.member2)).get("/me/score/?year=2025").context["score"]
    (gate,) = view.gates
    assert not gate.passed and gate.effect.startswith("If not met: the grade is at most")
    mine = en(as_user(world.member1)).get("/me/score/?year=2025").context["score"]
    assert all(g.passed for g in mine.gates)


def test_the_office_stored_scoring_is_preferred_and_says_as_of_when(world, as_user):
    known_year(world)
    version = register_rubric(world.office, world.committee, default_rubric_text())
    run = score_committee(world.office, world.committee, version, year=2025,
                          as_of=D(2025, 10, 1)).run
    response = en(as_user(world.member1)).get("/me/score/?year=2025")
    view = response.context["score"]
    assert (view.source, view.run, view.as_of) == ("stored", run, D(2025, 10, 1))
    # As of 1 October the 6-month review (due 20 November) had not happened yet.
    effect = next(ln for ln in view.lines if ln.rule == "proposal_effect")
    assert (effect.points, effect.entries) == (0, [])
    page = html(response)
    assert "As scored by the office as of 2025-10-01" in page


def test_published_or_not_is_said_when_the_dossier_app_publishes(world, as_user):
    from shixiao.dossier.services import publish_assessment

    known_year(world)
    version = register_rubric(world.office, world.committee, default_rubric_text())
    run = score_committee(world.office, world.committee, version, year=2025).run
    client = en(as_user(world.member1))
    assert client.get("/me/score/?year=2025").context["score"].published == "no"
    publish_assessment(world.office, world.committee, 2025, run=run, note="")
    view = client.get("/me/score/?year=2025").context["score"]
    assert view.published == "published"
    assert "This is the published result." in html(client.get("/me/score/?year=2025"))
    later = score_committee(world.office, world.committee, version, year=2025).run
    view = client.get("/me/score/?year=2025").context["score"]
    assert (view.run, view.published) == (later, "other")
    assert view.published_score is not None and view.published_grade_label


def test_the_committees_own_rubric_is_used_when_it_registered_one(world, as_user):
    known_year(world)
    text = default_rubric_text().replace(
        "label: {zh-hans: 实效导向委员履职评价, en: effect-based member assessment (shixiao "
        "default)}",
        "label: 示范市政协委员履职考核办法")
    register_rubric(world.office, world.committee, text)
    view = en(as_user(world.member1)).get("/me/score/?year=2025").context["score"]
    assert view.source == "live" and not view.default_rubric
    assert view.rubric_label == "示范市政协委员履职考核办法"


def test_another_year_and_a_quiet_year_score_nothing(world, as_user):
    known_year(world)
    view = en(as_user(world.member1)).get("/me/score/?year=2023").context["score"]
    assert view.total == 0
    assert view.lines and all(ln.points == 0 and not ln.entries for ln in view.lines)


def test_score_page_links_the_word_duty_report(world, as_user):
    page = html(as_user(world.member1).get("/me/score/?year=2025"))
    assert f'href="/dossier/members/{world.membership1.pk}/2025.docx"' in page
    assert 'id="score-lines"' in page


def test_consequences_read_the_members_grades_of_earlier_years(world, as_user):
    version = register_rubric(world.office, world.committee, default_rubric_text())
    score_committee(world.office, world.committee, version, year=2024)
    score_committee(world.office, world.committee, version, year=2025)
    view = en(as_user(world.member2)).get("/me/score/?year=2025").context["score"]
    assert view.source == "stored" and view.grade == "incompetent"
    assert not view.provisional
    assert view.consequences == ["a talk with the liaison office", "a talk with a chair"]
    page = html(en(as_user(world.member2)).get("/me/score/?year=2025"))
    assert "a talk with a chair" in page and "主席约谈" not in page


def test_a_year_not_yet_assessed_is_provisional_with_no_grade_verdict_or_consequence(
        world, as_user):
    """Before the office scores a year, the page counts so far: it says so, and shows
    neither the grade the count would get (a red 需改进 read as a verdict) nor the
    consequences a grade would bring (主席约谈)."""
    version = register_rubric(world.office, world.committee, default_rubric_text())
    score_committee(world.office, world.committee, version, year=2024)
    response = en(as_user(world.member2)).get("/me/score/?year=2025")
    view = response.context["score"]
    assert view.source == "live" and view.provisional
    assert view.consequences  # the engine's estimate has them; the page must not show them
    page = html(response)
    assert 'id="provisional"' in page and "has not been assessed yet" in page
    assert "a talk with a chair" not in page
    assert "Not graded yet" in page and view.grade_label not in page
    assert 'class="badge red"' not in page
    home = html(en(as_user(world.member2)).get("/me/?year=2025"))
    assert 'id="provisional"' in home and view.grade_label not in home


def test_a_member_account_without_a_seat_sees_an_explanation(world, as_user):
    from shixiao.accounts.services import create_user
    from shixiao.core.choices import UserRole

    user = create_user(None, username="newcomer", password="pw", role=UserRole.MEMBER)
    client = en(as_user(user))
    for url in ("/me/", "/me/record/", "/me/score/", "/me/work/"):
        response = client.get(url)
        assert response.status_code == 200 and response.context["membership"] is None
        assert "No seat of yours is recorded yet." in html(response)


def test_the_engines_notes_read_in_the_pages_language(world, as_user):
    text = ("rubric: tiny\nlabel: 出席\ncategories:\n  - id: attend\n    label: 出席\n"
            "    max: 1\n    rules:\n      - {id: present, label: 出席会议, kind: per_unit,"
            " where: {kind: attendance}, points: 1}\n")
    register_rubric(world.office, world.committee, text)
    for day in (3, 4):
        ledger.record_entry(world.office, world.membership1, kind="attendance",
                            date=D(2025, 3, day), attrs={"meeting": "plenary",
                                                         "state": "attended"})
    client = as_user(world.member1)
    assert "按上限计 1 分（原得 2 分）" in html(client.get("/me/score/?year=2025"))
    assert "cap 1 applied (earned 2)" in html(en(client).get("/me/score/?year=2025"))
