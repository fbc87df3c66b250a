"""A member's own pages (/me/): only members, only their own seats; the duty record with each
proposal's outcome chain and corrections; their proposals and reports with what is open;
pages a phone can read."""

import re
from pathlib import Path

import pytest

from shixiao.assessment.entries import ENTRY_KINDS, LEVELS
from shixiao.ledger import kinds
from shixiao.ledger import services as ledger
from shixiao.mypages import labels
from shixiao.orgs import services as org
from shixiao.proposals import services as ps
from shixiao.reports import services as rs

from .proposals_kit import REPLY_ON, D, draft, replied

PAGES = ("/me/", "/me/record/", "/me/score/", "/me/work/")
CSS = Path(__file__).resolve().parents[1] / "src/shixiao/mypages/static/mypages/mypages.css"


def en(client):
    """Read pages in English, so assertions do not depend on the translation catalogue."""
    client.cookies["django_language"] = "en"
    return client


def html(response) -> str:
    return response.content.decode()


def acts(response) -> list:
    return [act for _month, items in response.context["months"] for act in items]


# Who may open the pages ---------------------------------------------------------------------

@pytest.mark.parametrize("who", ["office", "sc1_staff", "leader", "auditor", "unit1_user",
                                 "office_other"])
def test_other_roles_are_refused_with_403(world, as_user, who):
    client = as_user(getattr(world, who))
    for url in PAGES:
        assert client.get(url).status_code == 403, url


def test_visitors_must_log_in(world, client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_every_page_opens_for_a_member(world, as_user):
    client = as_user(world.member1)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["membership"] == world.membership1


def test_another_members_seat_is_404_like_one_that_does_not_exist(world, as_user):
    client = as_user(world.member1)
    for url in PAGES:
        for other in (world.membership2.pk, world.membership_other.pk, 999999, "x"):
            assert client.get(f"{url}?membership={other}").status_code == 404, (url, other)


def test_a_member_sees_only_their_own_work(world, as_user):
    mine = replied(world, title="张三的提案")
    theirs = draft(world, actor=world.member2, authors=[world.membership2], title="李四的提案")
    page = html(as_user(world.member1).get("/me/work/"))
    assert mine.title in page and theirs.title not in page
    other = as_user(world.member2)
    record = other.get("/me/record/?year=2025")
    assert acts(record) == []
    assert mine.title not in html(other.get("/me/score/?year=2025"))
    assert mine.title not in html(other.get("/me/"))


def test_a_person_with_two_seats_chooses_and_defaults_to_the_current_one(world, as_user):
    o = world.other
    later = org.create_membership(world.admin, person=world.person1, committee=o.committee,
                                  term=o.term, role="member", sector=o.sector1,
                                  start=D(2024, 1, 1), special_committees=[o.sc1])
    ledger.record_entry(world.office, world.membership1, kind="attendance",
                        date=D(2025, 3, 5), attrs={"meeting": "plenary", "state": "attended"})
    client = en(as_user(world.member1))
    default = client.get("/me/record/?year=2025")
    assert default.context["membership"] == later and acts(default) == []
    assert "Committee and term" in html(default)
    chosen = client.get(f"/me/record/?membership={world.membership1.pk}&year=2025")
    assert chosen.context["membership"] == world.membership1
    assert [a.title for a in acts(chosen)] == ["plenary session · attended"]
    # Links between the pages keep the chosen seat.
    assert f"membership={world.membership1.pk}" in chosen.context["links"]["score"]


# The duty record ----------------------------------------------------------------------------

def test_record_shows_a_proposals_outcome_chain_built_through_the_services(world, as_user):
    p = replied(world, code="B")
    ps.rate(world.member1, p, process="satisfied", result="basically", on=D(2025, 5, 25))
    first = p.follow_ups.order_by("due").first()
    ps.review_follow_up(world.office, first, finding="fulfilled", evidence="现场查看，车位已施划。",
                        member_took_part=True, on=first.due)
    response = en(as_user(world.member1)).get("/me/record/?year=2025")
    (act,) = acts(response)
    assert act.title == p.title and act.url == f"/proposals/{p.pk}/"
    steps = [(s.label, s.done) for s in act.chain]
    assert steps[:6] == [("Submitted", True), ("Registered", True), ("Assigned", True),
                         ("Replied", True), ("Rated by you", True),
                         ("Follow-up at 6 months", True)]
    assert ("Follow-up at 12 months", False) in steps
    assert steps[-1] == ("Closure with a verified outcome", False)
    details = {s.label: s.detail for s in act.chain}
    assert "市教育局" in details["Assigned"]
    assert details["Replied"].startswith("B 正在解决或列入计划")
    assert details["Follow-up at 6 months"] == "Fulfilled"
    assert "process: Satisfied; result: Basically satisfied" == details["Rated by you"]
    # Every ledger event of the proposal is listed under it, in words.
    # Assignment corrected the registration entry (it now counts the handling units).
    statuses = [(row.texts[0], row.superseded) for row in act.entries]
    assert statuses == [("submitted", False), ("registered", True), ("registered", False),
                        ("took part in a follow-up review", False),
                        ("effect verified", False)]
    assert "handling units: 1" in act.entries[2].texts and act.entries[2].correction
    # Adding a detail is a routine update: the act is not flagged as corrected.
    assert act.entries[1].routine and not act.corrected
    page = html(response)
    assert "Follow-up at 12 months" in page and "effect verified" in page


def test_a_proposal_awaiting_the_reply_shows_its_deadline_colour(world, as_user):
    from .proposals_kit import assigned

    p = assigned(world)
    (act,) = acts(en(as_user(world.member1)).get("/me/record/?year=2025"))
    reply = next(s for s in act.chain if s.label == "Reply")
    assert (reply.done, reply.due, reply.colour) == (False, p.reply_due, "red")


def test_record_strikes_through_a_corrected_entry_with_the_reason(world, as_user):
    entry = ledger.record_entry(world.office, world.membership1, kind="attendance",
                                date=D(2025, 6, 2),
                                attrs={"meeting": "standing", "state": "unexcused"})
    ledger.correct_entry(world.office, entry, reason="请假条补交，核实为请假",
                         attrs={"meeting": "standing", "state": "leave"})
    response = en(as_user(world.member1)).get("/me/record/?year=2025")
    (act,) = acts(response)
    assert act.title == "standing committee meeting · on leave" and act.corrected
    old, new = act.entries
    assert old.superseded and old.superseded_reason == "请假条补交，核实为请假"
    assert not new.superseded and new.correction
    page = html(response)
    assert 'class="my-entry superseded"' in page and "请假条补交，核实为请假" in page


def test_a_retracted_entry_is_struck_and_says_retracted(world, as_user):
    entry = ledger.record_entry(world.office, world.membership1, kind="speech",
                                date=D(2025, 4, 1), attrs={"meeting": "plenary"})
    ledger.void_entry(world.office, entry, reason="录入重复")
    (act,) = acts(en(as_user(world.member1)).get("/me/record/?year=2025"))
    (row,) = act.entries
    assert row.superseded and row.retracted and row.superseded_reason == "录入重复"


def test_record_groups_acts_by_month_newest_first(world, as_user):
    for day in (D(2025, 1, 10), D(2025, 3, 5), D(2025, 3, 20)):
        ledger.record_entry(world.office, world.membership1, kind="attendance", date=day,
                            attrs={"meeting": "committee", "state": "attended"})
    response = as_user(world.member1).get("/me/record/?year=2025")
    months = response.context["months"]
    assert [m for m, _ in months] == [D(2025, 3, 1), D(2025, 1, 1)]
    assert [a.date for a in months[0][1]] == [D(2025, 3, 20), D(2025, 3, 5)]


def test_a_report_shows_sent_adopted_and_endorsed(world, as_user):
    report = rs.create_draft(world.member1, committee=world.committee, title="电梯加装",
                             body="老旧小区加装电梯审批慢，建议并联审批。")
    report = rs.submit(world.member1, report)
    report = rs.send_upward(world.office, report, sends=[
        {"to_level": "provincial", "recipient": "省政协", "on": report.submitted_on}])
    response = en(as_user(world.member1)).get("/me/work/")
    assert any(r.title == "电梯加装" for r in response.context["others"])
    score = en(as_user(world.member1)).get(f"/me/score/?year={report.submitted_on.year}")
    assert [i.what for i in score.context["items"]] == ["Sent upward; not adopted yet"]
    rs.record_adoption(world.office, report, level="provincial", body="省政协《社情民意》",
                       on=report.submitted_on)
    record = en(as_user(world.member1)).get(f"/me/record/?year={report.submitted_on.year}")
    (act,) = acts(record)
    labels_ = [s.label for s in act.chain]
    assert labels_[:3] == ["Submitted", "Sent upward", "Adopted"]
    assert "省政协《社情民意》" in {s.detail.split(" · ")[1] for s in act.chain
                               if s.label == "Adopted"}


# Open items and the work list ---------------------------------------------------------------

def test_open_items_list_a_proposal_awaiting_the_members_rating(world, as_user):
    p = replied(world, code="B")
    client = en(as_user(world.member1))
    home = client.get("/me/?year=2025")
    (mine,) = home.context["mine"]
    assert (mine.title, mine.what, mine.mine) == (p.title, "Rate the reply", True)
    assert mine.due is not None and mine.due > REPLY_ON and mine.colour == "red"
    assert "Rate the reply" in html(home) and "deadline-red" in html(home)
    score = client.get("/me/score/?year=2025")
    whats = [i.what for i in score.context["items"]]
    assert "Rate the reply" in whats and "Follow-up review 6 months after the reply" in whats
    ps.rate(world.member1, p, process="satisfied", result="satisfied", on=D(2025, 5, 26))
    assert client.get("/me/?year=2025").context["mine"] == []


def test_a_co_signer_is_asked_to_confirm(world, as_user):
    p = draft(world, proposer_type="joint", authors=[world.membership1, world.membership2])
    (item,) = en(as_user(world.member2)).get("/me/").context["mine"]
    assert (item.title, item.what) == (p.title, "Confirm your co-signature")
    assert en(as_user(world.member1)).get("/me/").context["mine"] == []


def test_work_lists_drafts_first_with_buttons_to_write(world, as_user):
    done = replied(world, title="已答复的提案")
    kept = draft(world, title="还没写完的提案")
    response = en(as_user(world.member1)).get("/me/work/")
    assert [r.title for r in response.context["drafts"]] == [kept.title]
    assert [r.title for r in response.context["others"]] == [done.title]
    page = html(response)
    assert page.index(kept.title) < page.index(done.title)
    assert 'href="/proposals/new/"' in page and 'href="/reports/new/"' in page
    assert "Drafts kept" in page


def test_home_links_the_word_duty_report(world, as_user):
    page = html(as_user(world.member1).get("/me/?year=2025"))
    assert f'href="/dossier/members/{world.membership1.pk}/2025.docx"' in page


def test_the_main_navigation_links_members_to_their_pages(world, as_user):
    assert 'href="/me/"' in html(as_user(world.member1).get("/"))
    assert 'href="/me/"' not in html(as_user(world.office).get("/"))


# Phone ------------------------------------------------------------------------------------------

def test_pages_carry_the_viewport_meta_and_their_stylesheet(world, as_user):
    client = as_user(world.member1)
    for url in PAGES:
        page = html(client.get(url))
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert "/static/mypages/mypages.css" in page


def test_stylesheet_has_no_fixed_width_above_360px_and_large_type():
    css = CSS.read_text()
    widths = re.findall(r"(?:^|[;{\s])((?:min-|max-)?width|flex-basis|flex|grid-template-columns)"
                        r"\s*:\s*([^;}]*)", css)
    for prop, value in widths:
        for number in re.findall(r"(\d+(?:\.\d+)?)px", value):
            assert float(number) <= 360, (prop, value)
        for number in re.findall(r"(\d+(?:\.\d+)?)(?:rem|em)", value):
            assert float(number) * 16 <= 360, (prop, value)
    assert re.search(r"\.mypages\s*\{[^}]*font-size:\s*max\(17px", css)
    assert "min-height: var(--tap)" in css


def test_every_code_a_member_can_meet_has_a_label():
    assert set(ENTRY_KINDS) <= set(labels.KINDS)
    codes = (set(kinds.PROPOSAL_STATUSES) | set(kinds.REPORT_STATUSES))
    assert codes <= set(labels.STATUSES)
    assert set(kinds.ATTENDANCE_STATES) | set(kinds.PARTICIPATION) <= set(labels.STATES)
    assert set(kinds.MEETINGS) <= set(labels.MEETINGS)
    assert set(LEVELS) <= set(labels.LEVELS)
    assert set(kinds.AUTHOR_ROLES) <= set(labels.AUTHOR_ROLES)
    assert {*kinds.DIFFICULTY, *kinds.RESEARCH_FLAGS, *kinds.FIELDWORK_TYPES} <= set(
        labels.OTHER_VALUES)
    assert labels.attribute_texts({"status": "effect_verified", "role": "co_signer",
                                   "ref": "proposal:1"}) == ["effect verified", "co-signer"]
