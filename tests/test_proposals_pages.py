"""The proposal pages: scoped lists and details, writing and co-signing, every office step
through its own POST, and clear refusals (403 no permission, 404 out of scope, 400 field
errors, 409 stale version). The whole course of a proposal is walked through the pages."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shixiao.audit.models import AuditRecord
from shixiao.proposals import services as ps
from shixiao.proposals.models import Proposal, ReasonCode, ResultGrade

from .proposals_kit import assigned, draft, in_review, registered, replied, submitted, unit2_user


def html(response) -> str:
    return response.content.decode()


def titles(response) -> list[str]:
    return [p.title for p in response.context["page"]]


def version(p) -> int:
    return Proposal.objects.get(pk=p.pk).version


def state(p) -> str:
    return Proposal.objects.get(pk=p.pk).state


def step(client, p, segment, data=None, **extra):
    return client.post(f"/proposals/{p.pk}/{segment}/", {"version": version(p), **(data or {})},
                       **extra)


def form_of(response, name):
    return next(s["form"] for s in response.context["steps"] if s["name"] == name)


# List ---------------------------------------------------------------------------------------

def test_list_shows_each_user_only_the_proposals_in_their_scope(world, as_user):
    mine = assigned(world, title="张三的提案")
    theirs = draft(world.other, actor=world.member_other, authors=[world.membership_other],
                   title="邻市的提案")
    assert titles(as_user(world.office).get("/proposals/")) == [mine.title]
    assert titles(as_user(world.member1).get("/proposals/")) == [mine.title]
    assert titles(as_user(world.member2).get("/proposals/")) == []
    assert titles(as_user(world.unit1_user).get("/proposals/")) == [mine.title]
    assert titles(as_user(unit2_user(world)).get("/proposals/")) == []
    assert titles(as_user(world.office_other).get("/proposals/")) == [theirs.title]
    assert set(titles(as_user(world.auditor).get("/proposals/"))) == {mine.title, theirs.title}


def test_a_member_sees_my_proposals(world, as_user):
    submitted(world)
    page = html(as_user(world.member1).get("/proposals/"))
    assert "我的提案" in page or "My proposals" in page


def test_list_row_shows_number_first_author_state_units_and_reply_colour(world, as_user):
    p = assigned(world)
    page = html(as_user(world.office).get("/proposals/"))
    assert p.display_number in page and "张三" in page and "市教育局" in page
    # Assigned in March 2025 and never answered: the reply is overdue.
    assert "deadline-red" in page and p.reply_due.isoformat() in page


def test_list_filters(world, as_user):
    late = assigned(world, title="校园安全")
    ps.mark_key(world.office, late, world.leader)
    in_review(world, title="公交线路")
    draft(world, title="停车难")
    client = as_user(world.office)
    assert titles(client.get("/proposals/?state=in_review")) == ["公交线路"]
    assert titles(client.get("/proposals/?key=on")) == ["校园安全"]
    assert titles(client.get("/proposals/?overdue=on")) == ["校园安全"]
    assert titles(client.get(f"/proposals/?unit={world.unit1.pk}")) == ["校园安全"]
    assert titles(client.get(f"/proposals/?unit={world.unit2.pk}")) == []
    assert titles(client.get(f"/proposals/?q={late.display_number}")) == ["校园安全"]
    assert titles(client.get("/proposals/?q=公交")) == ["公交线路"]
    assert set(titles(client.get("/proposals/?year=2025&category=between_sessions"))) == {
        "校园安全", "公交线路", "停车难"}
    assert titles(client.get("/proposals/?year=2024")) == []
    assert titles(client.get("/proposals/?category=plenary")) == []
    assert titles(client.get(f"/proposals/?special_committee={world.sc1.pk}")) == []
    # A bad filter value is ignored, not an error page.
    assert len(titles(client.get("/proposals/?year=abc&state=nonsense"))) == 3


def test_list_is_paginated(world, as_user):
    for i in range(32):
        draft(world, title=f"提案{i}")
    client = as_user(world.member1)
    first, second = client.get("/proposals/"), client.get("/proposals/?page=2")
    assert len(titles(first)) == 30 and len(titles(second)) == 2
    assert 'rel="next"' in html(first)


def test_visitors_must_log_in(world, client):
    p = submitted(world)
    for url in ("/proposals/", f"/proposals/{p.pk}/", "/proposals/new/", "/proposals/unit/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


# Detail -------------------------------------------------------------------------------------

def test_detail_is_404_outside_the_users_scope(world, as_user):
    p = submitted(world)
    assert as_user(world.member1).get(f"/proposals/{p.pk}/").status_code == 200
    for user in (world.member2, world.office_other, world.member_other, world.unit1_user):
        assert as_user(user).get(f"/proposals/{p.pk}/").status_code == 404
    assert as_user(world.office).get("/proposals/999999/").status_code == 404


def test_detail_shows_text_authors_history_and_handling(world, as_user):
    p = replied(world)
    page = html(as_user(world.member1).get(f"/proposals/{p.pk}/"))
    for text in ("加强校园周边交通安全", "校门口早晚高峰拥堵", "张三", p.display_number,
                 "市教育局", "已会同交警部门设置接送车位", "2025-03-03", "2025-05-20"):
        assert text in page, text
    timeline = as_user(world.member1).get(f"/proposals/{p.pk}/").context["timeline"]
    assert [e["on"].isoformat() for e in timeline][:2] == ["2025-03-01", "2025-03-03"]


def test_ratings_are_shown_to_staff_with_view_rating_and_to_the_rater_only(world, as_user):
    p = replied(world)
    ps.rate(world.member1, p, process="basically", result="unsatisfied", comment="仍然拥堵")
    for user in (world.office, world.leader, world.auditor, world.member1):
        assert "仍然拥堵" in html(as_user(user).get(f"/proposals/{p.pk}/")), user
    assert "仍然拥堵" not in html(as_user(world.unit1_user).get(f"/proposals/{p.pk}/"))


def test_member_sees_no_office_forms(world, as_user):
    p = in_review(world)
    page = html(as_user(world.member1).get(f"/proposals/{p.pk}/"))
    assert f"/proposals/{p.pk}/register/" not in page
    assert "csrfmiddlewaretoken" not in page.split("</header>")[1]


def test_office_sees_the_steps_the_state_allows(world, as_user):
    client = as_user(world.office)
    p = submitted(world)
    page = html(client.get(f"/proposals/{p.pk}/"))
    assert f"/proposals/{p.pk}/start-review/" in page
    assert f"/proposals/{p.pk}/register/" not in page
    p = in_review(world, title="第二件")
    page = html(client.get(f"/proposals/{p.pk}/"))
    for segment in ("register", "not-register", "merge", "convert", "return-for-edit"):
        assert f"/proposals/{p.pk}/{segment}/" in page, segment
    p = registered(world, title="第三件")
    page = html(client.get(f"/proposals/{p.pk}/"))
    assert f"/proposals/{p.pk}/assign/" in page and f"/proposals/{p.pk}/mark-key/" in page


# Writing ------------------------------------------------------------------------------------

def test_member_saves_a_draft_then_submits_it(world, as_user):
    client = as_user(world.member1)
    assert client.get("/proposals/new/").status_code == 200
    response = client.post("/proposals/new/", {
        "committee": world.committee.pk, "title": "关于公交线路的建议", "body": "正文",
        "category": "between_sessions", "proposer_type": "individual", "action": "save"})
    assert response.status_code == 302, html(response)
    p = Proposal.objects.get()
    assert p.state == "draft" and p.authors.get().membership == world.membership1
    response = client.post(f"/proposals/{p.pk}/edit/", {
        "title": "关于公交线路的建议", "body": "改过的正文", "category": "plenary",
        "proposer_type": "individual", "version": p.version, "action": "submit"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.state, p.body, p.category) == ("submitted", "改过的正文", "plenary")


def test_co_signers_are_chosen_by_name_without_personal_data(world, as_user):
    page = html(as_user(world.member1).get("/proposals/new/"))
    assert "李四" in page
    for secret in ("13987654321", "320102198807164321", "13812345678"):
        assert secret not in page
    # Members of another committee are not offered.
    assert "王五" not in page


def test_joint_proposal_waits_for_the_co_signer_who_confirms_on_the_page(world, as_user):
    author = as_user(world.member1)
    response = author.post("/proposals/new/", {
        "committee": world.committee.pk, "title": "联名提案", "body": "正文",
        "category": "between_sessions", "proposer_type": "joint",
        "co_signers": [world.membership2.pk], "action": "submit"})
    assert response.status_code == 302
    p = Proposal.objects.get()
    # Kept as a draft, and the author is told why it was not submitted.
    assert p.state == "draft"
    assert "李四" in html(author.get(f"/proposals/{p.pk}/"))
    co = as_user(world.member2)
    page = html(co.get(f"/proposals/{p.pk}/"))
    assert f"/proposals/{p.pk}/confirm/" in page
    assert step(co, p, "confirm").status_code == 302
    # Confirmed by mistake: the co-signer withdraws, and the submission waits again.
    assert f"/proposals/{p.pk}/withdraw-signature/" in html(co.get(f"/proposals/{p.pk}/"))
    assert step(co, p, "withdraw-signature").status_code == 302
    assert step(author, p, "submit").status_code in (302, 400)
    assert state(p) == "draft"
    assert step(co, p, "confirm").status_code == 302
    assert step(author, p, "submit").status_code == 302
    assert state(p) == "submitted"


def test_missing_fields_are_400_with_field_errors(world, as_user):
    response = as_user(world.member1).post("/proposals/new/", {
        "committee": world.committee.pk, "title": "", "body": "", "category": "plenary",
        "proposer_type": "joint"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"title", "body", "co_signers"}
    assert not Proposal.objects.exists()


def test_office_files_for_a_member(world, as_user):
    response = as_user(world.office).post("/proposals/new/", {
        "committee": world.committee.pk, "title": "代录提案", "body": "正文",
        "category": "plenary", "proposer_type": "joint", "first_author": world.membership2.pk,
        "co_signers": [world.membership1.pk], "action": "save"})
    assert response.status_code == 302, html(response)
    p = Proposal.objects.get()
    assert [a.membership for a in p.authors.all()] == [world.membership2, world.membership1]


def test_a_stale_edit_is_409_and_saves_nothing(world, as_user):
    p = draft(world)
    ps.update_draft(world.member1, p, title="已改")
    response = as_user(world.member1).post(f"/proposals/{p.pk}/edit/", {
        "title": "旧表单", "body": "b", "category": "plenary", "proposer_type": "individual",
        "version": 1, "action": "save"})
    assert response.status_code == 409
    assert Proposal.objects.get().title == "已改"


def test_only_the_first_author_edits(world, as_user):
    p = draft(world, proposer_type="joint", authors=[world.membership1, world.membership2])
    assert as_user(world.member2).get(f"/proposals/{p.pk}/edit/").status_code == 403
    assert as_user(world.member_other).get(f"/proposals/{p.pk}/edit/").status_code == 404


def test_a_submitted_proposal_is_not_editable(world, as_user):
    p = submitted(world)
    response = as_user(world.member1).get(f"/proposals/{p.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/proposals/{p.pk}/"


# The office's steps -------------------------------------------------------------------------

def test_the_whole_course_through_the_pages(world, as_user):
    """draft → submit → review → register → assign → reply → rate → follow-up → close."""
    member, office, unit = (as_user(world.member1), as_user(world.office),
                            as_user(world.unit1_user))
    member.post("/proposals/new/", {
        "committee": world.committee.pk, "title": "加强校园周边交通安全",
        "body": "校门口早晚高峰拥堵。", "category": "between_sessions",
        "proposer_type": "individual", "action": "save"})
    p = Proposal.objects.get()

    def ok(response):
        assert response.status_code == 302, html(response)

    ok(step(member, p, "submit"))
    assert state(p) == "submitted"
    ok(step(office, p, "start-review"))
    ok(step(office, p, "register"))
    assert state(p) == "registered" and Proposal.objects.get().number == 1
    ok(step(office, p, "assign", {"mode": "single", "units": [world.unit1.pk]}))
    assert state(p) == "assigned"
    grade_b = ResultGrade.objects.get(committee=world.committee, code="B")
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4", content_type="application/pdf")
    ok(step(unit, p, "reply", {"text": "已设置接送车位。", "grade": grade_b.pk,
                                "contacted_member": "on", "attachments": [letter]}))
    assert state(p) == "replied"
    ok(member.post(f"/proposals/{p.pk}/rate/", {"process": "satisfied", "result": "basically",
                                                  "contact_confirmed": "yes"}))
    rating = Proposal.objects.get().ratings.get()
    assert (rating.process, rating.result, rating.contact_confirmed) == (
        "satisfied", "basically", True)
    follow_up = Proposal.objects.get().follow_ups.order_by("due").first()
    ok(unit.post(f"/proposals/{p.pk}/progress/", {"target": follow_up.pk,
                                                  "text": "接送车位已投用。"}))
    assert state(p) == "follow_up"
    ok(office.post(f"/proposals/{p.pk}/review-follow-up/", {
        "target": follow_up.pk, "version": follow_up.version + 0, "finding": "fulfilled",
        "evidence": "现场查看，拥堵缓解。", "member_took_part": "on"}))
    ok(step(office, p, "close", {"outcome": "fulfilled"}))
    p = Proposal.objects.get()
    assert (p.state, p.outcome) == ("closed", "fulfilled")
    page = html(member.get(f"/proposals/{p.pk}/"))
    assert "现场查看，拥堵缓解。" in page and "接送车位已投用。" in page


def test_refused_step_is_400_with_the_reason(world, as_user):
    p = submitted(world)
    response = step(as_user(world.office), p, "register")
    assert response.status_code == 400
    assert form_of(response, "register").non_field_errors()
    assert state(p) == "submitted"


def test_bad_step_input_is_400_naming_the_field(world, as_user):
    p = in_review(world)
    client = as_user(world.office)
    response = step(client, p, "return-for-edit", {"reason": ""})
    assert response.status_code == 400 and "reason" in form_of(response, "return_for_edit").errors
    p = registered(world, title="二")
    response = step(client, p, "assign", {"mode": "single",
                                          "units": [world.unit1.pk, world.unit2.pk]})
    assert response.status_code == 400 and "units" in form_of(response, "assign").errors
    response = step(client, p, "assign", {"mode": "lead_co",
                                          "units": [world.unit1.pk, world.unit2.pk]})
    assert response.status_code == 400 and "lead" in form_of(response, "assign").errors
    assert state(p) == "registered"


def test_a_stale_step_is_409_and_saves_nothing(world, as_user):
    p = in_review(world)
    before = AuditRecord.objects.count()
    response = as_user(world.office).post(f"/proposals/{p.pk}/register/",
                                          {"version": version(p) - 1})
    assert response.status_code == 409
    assert state(p) == "in_review" and AuditRecord.objects.count() == before


@pytest.mark.parametrize("segment", ["start-review", "register", "assign", "close"])
def test_members_leaders_and_units_cannot_take_office_steps(world, as_user, segment):
    p = submitted(world)
    for user in (world.member1, world.leader, world.unit1_user):
        assert step(as_user(user), p, segment).status_code == 403
    assert state(p) == "submitted"


def test_office_of_another_committee_gets_404_on_a_step(world, as_user):
    p = submitted(world)
    assert step(as_user(world.office_other), p, "start-review").status_code == 404


def test_lead_and_co_handling_assignment_from_the_page(world, as_user):
    p = registered(world)
    response = step(as_user(world.office), p, "assign", {
        "mode": "lead_co", "lead": world.unit2.pk, "units": [world.unit1.pk, world.unit2.pk]})
    assert response.status_code == 302
    roles = dict(Proposal.objects.get().assignments.values_list("unit_id", "role"))
    assert roles == {world.unit2.pk: "lead", world.unit1.pk: "co"}


def test_not_registered_with_a_committee_ground(world, as_user):
    p = in_review(world)
    code = ReasonCode.objects.get(committee=world.committee, code="no_suggestion")
    response = step(as_user(world.office), p, "not-register",
                    {"reason_code": code.pk, "note": "只提问题"})
    assert response.status_code == 302
    page = html(as_user(world.member1).get(f"/proposals/{p.pk}/"))
    assert code.label in page and "只提问题" in page


def test_merge_and_convert_from_the_page(world, as_user):
    lead = in_review(world, title="主提案")
    other = in_review(world, title="并入的提案")
    client = as_user(world.office)
    assert step(client, other, "merge", {"into": lead.pk}).status_code == 302
    assert Proposal.objects.get(pk=other.pk).merged_into_id == lead.pk
    assert "并入的提案" in html(client.get(f"/proposals/{lead.pk}/"))
    third = in_review(world, title="转为社情民意")
    assert step(client, third, "convert").status_code == 302
    page = html(client.get(f"/proposals/{third.pk}/"))
    assert state(third) == "converted" and "/reports/" in page


def test_extension_reassignment_and_upheld_objection(world, as_user):
    p = assigned(world)
    a = p.assignments.get()
    ps.object_to_assignment(world.unit1_user, a, reason="不属本单位", on=a.assigned_on)
    a.refresh_from_db()
    client = as_user(world.office)
    page = html(client.get(f"/proposals/{p.pk}/"))
    assert "不属本单位" in page and f"/proposals/{p.pk}/uphold/" in page
    assert client.post(f"/proposals/{p.pk}/uphold/", {
        "target": a.pk, "version": a.version}).status_code == 302
    a.refresh_from_db()
    assert a.state == "assigned"
    assert client.post(f"/proposals/{p.pk}/reassign/", {
        "target": a.pk, "version": a.version, "new_unit": world.unit2.pk}).status_code == 302
    assert set(Proposal.objects.get().assignments.values_list("state", flat=True)) == {
        "reassigned", "assigned"}
    assert step(client, p, "extend", {"note": "需跨部门协调"}).status_code == 302
    assert Proposal.objects.get().extension_approved


def test_a_step_on_another_proposals_assignment_is_404(world, as_user):
    p = assigned(world)
    other = assigned(world, title="另一件")
    foreign = other.assignments.get()
    response = as_user(world.office).post(f"/proposals/{p.pk}/uphold/", {
        "target": foreign.pk, "version": foreign.version})
    assert response.status_code == 404


def test_rehandling_after_an_unsatisfied_rating(world, as_user):
    p = replied(world)
    client = as_user(world.office)
    assert f"/proposals/{p.pk}/rehandle/" not in html(client.get(f"/proposals/{p.pk}/"))
    ps.rate(world.member1, p, process="unsatisfied", result="unsatisfied")
    assert f"/proposals/{p.pk}/rehandle/" in html(client.get(f"/proposals/{p.pk}/"))
    assert step(client, p, "rehandle", {"reason": "请重新办理"}).status_code == 302
    p = Proposal.objects.get()
    assert (p.state, p.round) == ("rehandling", 2)


def test_honours_key_excellent_disclosure_endorsement(world, as_user):
    p = replied(world)
    client = as_user(world.office)
    assert step(client, p, "mark-key", {"supervisor": world.leader.pk}).status_code == 302
    assert step(client, p, "excellent", {"year": 2026}).status_code == 302
    assert step(client, p, "disclosure", {"public": "yes", "reason": "提案人同意"}
                ).status_code == 302
    assert client.post(f"/proposals/{p.pk}/endorse/", {
        "level": "prefecture", "leader": "分管副市长", "on": "2026-05-01", "note": "请落实"}
    ).status_code == 302
    p = Proposal.objects.get()
    assert (p.is_key, p.key_supervisor, p.excellent_year, p.public) == (
        True, world.leader, 2026, True)
    page = html(as_user(world.member1).get(f"/proposals/{p.pk}/"))
    assert "分管副市长" in page and "提案人同意" in page


def test_office_records_a_paper_co_signature(world, as_user):
    p = draft(world, proposer_type="joint", authors=[world.membership1, world.membership2])
    co = p.authors.get(role="co_signer")
    response = step(as_user(world.office), p, "paper-co-sign", {"author": co.pk})
    assert response.status_code == 302
    co.refresh_from_db()
    assert co.confirmed_on is not None


def test_rating_needs_both_answers(world, as_user):
    p = replied(world)
    response = as_user(world.member1).post(f"/proposals/{p.pk}/rate/", {"process": "satisfied"})
    assert response.status_code == 400
    assert "result" in form_of(response, "rate").errors
    assert not Proposal.objects.get().ratings.exists()


def test_rating_form_uses_large_radio_choices(world, as_user):
    p = replied(world)
    page = html(as_user(world.member1).get(f"/proposals/{p.pk}/"))
    assert f"/proposals/{p.pk}/rate/" in page
    assert page.count('type="radio" name="process"') == 3
    assert 'class="choices"' in page
    # Once rated, the form is gone.
    ps.rate(world.member1, p, process="satisfied", result="satisfied")
    assert f"/proposals/{p.pk}/rate/" not in html(as_user(world.member1).get(
        f"/proposals/{p.pk}/"))


# Attachments --------------------------------------------------------------------------------

def test_attachment_download_is_scoped(world, as_user):
    p = assigned(world)
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    answer = ps.reply(world.unit1_user, p.assignments.get(), text="答复",
                      grade=ResultGrade.objects.get(committee=world.committee, code="A"),
                      attachments=[letter])
    attachment = answer.attachments.get()
    url = f"/proposals/attachments/{attachment.pk}/"
    for user in (world.unit1_user, world.member1, world.office):
        response = as_user(user).get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == b"%PDF-1.4 letter"
    for user in (world.member2, world.office_other, unit2_user(world)):
        assert as_user(user).get(url).status_code == 404, user
    assert url in html(as_user(world.member1).get(f"/proposals/{p.pk}/"))


# Phones and navigation ----------------------------------------------------------------------

def test_pages_are_built_for_phones(world, as_user):
    p = replied(world)
    for user, url in ((world.member1, "/proposals/"), (world.member1, f"/proposals/{p.pk}/"),
                      (world.member1, "/proposals/new/"), (world.unit1_user, "/proposals/unit/"),
                      (world.office, f"/proposals/{p.pk}/")):
        page = html(as_user(user).get(url))
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert "/static/proposals/proposals.css" in page
        assert 'style="' not in page.split("</header>")[1], url


def test_stylesheet_has_no_fixed_widths():
    import shixiao

    css = (Path(shixiao.__file__).parent / "proposals/static/proposals/proposals.css").read_text()
    widths = re.findall(r"(?:^|[;{\s])((?:min-|max-)?width\s*:[^;}]*)", css)
    assert widths, "the check found the width rules"
    assert [w for w in widths if re.search(r"\d+(px|pt|cm|mm|in)\b", w)] == []


@pytest.mark.parametrize("attr, present, absent", [
    ("office", ["/proposals/", "/deadlines/"], ["/proposals/unit/"]),
    ("member1", ["/proposals/", "/deadlines/"], ["/proposals/unit/"]),
    ("leader", ["/proposals/", "/deadlines/"], ["/proposals/unit/"]),
    # A unit's way in is its own work list, not the committee's proposal list.
    ("unit1_user", ["/proposals/unit/"], ["/proposals/", "/deadlines/"]),
])
def test_navigation_links_proposals_unit_work_and_deadlines(world, as_user, attr, present,
                                                             absent):
    page = html(as_user(getattr(world, attr)).get("/"))
    nav = page.split("<nav", 1)[1].split("</nav>")[0]
    for href in present:
        assert f'href="{href}"' in nav, href
    for href in absent:
        assert f'href="{href}"' not in nav, href
