"""The handling unit's portal: only its own assignments with their clocks, objecting within
the window, co-handling opinions, replies with checked attachments, progress reports — and
never a rating, another unit's proposal or a member's personal data."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from shixiao.proposals import services as ps
from shixiao.proposals.choices import Satisfaction
from shixiao.proposals.models import (
    CoOpinion,
    Proposal,
    ProposalPolicy,
    Reply,
    ResultGrade,
)

from .proposals_kit import assigned, in_review, registered, replied, unit2_user


def html(response) -> str:
    return response.content.decode()


def rows(response) -> list[str]:
    return [a.proposal.title for a in response.context["page"]]


def grade(w, code):
    return ResultGrade.objects.get(committee=w.committee, code=code)


def assigned_today(w, *, units=None, mode="single", **kw):
    """Assigned today, so the objection window is still open."""
    return ps.assign(w.office, registered(w, **kw), mode=mode, units=units or [w.unit1])


@pytest.fixture
def portal(world):
    """unit1: one proposal assigned today, one assigned long ago and overdue, one replied
    (grade A, nothing to follow up); unit2: one proposal of its own."""
    fresh = assigned_today(world, title="今天交办")
    late = assigned(world, title="逾期未复")
    done = replied(world, title="已经答复", code="A")
    theirs = assigned(world, title="交通局的", units=[world.unit2])
    return fresh, late, done, theirs


def test_portal_lists_only_the_units_own_assignments_open_first(world, as_user, portal):
    response = as_user(world.unit1_user).get("/proposals/unit/")
    assert response.status_code == 200
    titles = rows(response)
    assert set(titles) == {"今天交办", "逾期未复", "已经答复"}
    assert titles[-1] == "已经答复"
    assert "交通局的" not in html(response)


def test_portal_filters_open_replied_and_overdue(world, as_user, portal):
    client = as_user(world.unit1_user)
    assert set(rows(client.get("/proposals/unit/?show=open"))) == {"今天交办", "逾期未复"}
    assert rows(client.get("/proposals/unit/?show=replied")) == ["已经答复"]
    assert rows(client.get("/proposals/unit/?show=overdue")) == ["逾期未复"]


def test_portal_shows_each_assignments_clocks(world, as_user, portal):
    fresh, late, _done, _theirs = portal
    page = html(as_user(world.unit1_user).get("/proposals/unit/"))
    a_fresh, a_late = fresh.assignments.get(), late.assignments.get()
    assert a_fresh.objection_due.isoformat() in page and a_fresh.reply_due.isoformat() in page
    assert "deadline-red" in page and a_late.reply_due.isoformat() in page


def test_portal_is_only_for_handling_units(world, as_user):
    for user in (world.office, world.member1, world.leader, world.auditor):
        assert as_user(user).get("/proposals/unit/").status_code == 403


def test_unit_gets_404_for_another_units_proposal(world, as_user, portal):
    _fresh, _late, _done, theirs = portal
    client = as_user(world.unit1_user)
    assert client.get(f"/proposals/{theirs.pk}/").status_code == 404
    response = client.post(f"/proposals/{theirs.pk}/reply/", {
        "version": theirs.version, "text": "越权答复", "grade": grade(world, "A").pk})
    assert response.status_code == 404
    assert not Reply.objects.filter(proposal=theirs).exists()


def test_unit_never_sees_ratings(world, as_user):
    p = replied(world)
    ps.rate(world.member1, p, process="basically", result="unsatisfied", contact_confirmed=False,
            comment="答复敷衍，问题依旧")
    response = as_user(world.unit1_user).get(f"/proposals/{p.pk}/")
    page = html(response)
    assert response.status_code == 200
    assert "答复敷衍，问题依旧" not in page
    with translation.override("zh-hans"):
        for label in (Satisfaction.BASICALLY.label, Satisfaction.UNSATISFIED.label):
            assert str(label) not in page
    assert "ratings" not in response.context and not response.context["show_ratings"]
    assert f"/proposals/{p.pk}/rate/" not in page
    # Staff see the same rating on the same page, and one more event: the rating.
    staff = as_user(world.office).get(f"/proposals/{p.pk}/")
    assert "答复敷衍，问题依旧" in html(staff)
    assert len(staff.context["timeline"]) == len(response.context["timeline"]) + 1


def test_unit_sees_names_but_no_personal_data(world, as_user):
    p = assigned(world)
    page = html(as_user(world.unit1_user).get(f"/proposals/{p.pk}/"))
    assert "张三" in page
    for secret in ("13812345678", "110101199003091234"):
        assert secret not in page


def test_unit_objects_within_the_window(world, as_user):
    p = assigned_today(world)
    a = p.assignments.get()
    client = as_user(world.unit1_user)
    assert f"/proposals/{p.pk}/object/" in html(client.get(f"/proposals/{p.pk}/"))
    response = client.post(f"/proposals/{p.pk}/object/", {"target": a.pk, "version": a.version,
                                                          "reason": ""})
    assert response.status_code == 400
    response = client.post(f"/proposals/{p.pk}/object/", {
        "target": a.pk, "version": a.version, "reason": "属交通部门职责"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.state, a.objection_reason) == ("objected", "属交通部门职责")


def test_a_late_objection_is_refused_with_the_closing_date(world, as_user):
    p = assigned(world)
    a = p.assignments.get()
    client = as_user(world.unit1_user)
    assert f"/proposals/{p.pk}/object/" not in html(client.get(f"/proposals/{p.pk}/"))
    response = client.post(f"/proposals/{p.pk}/object/", {
        "target": a.pk, "version": a.version, "reason": "不属本单位"})
    assert response.status_code == 400
    assert a.objection_due.isoformat() in html(response)
    a.refresh_from_db()
    assert a.state == "assigned"


def test_co_handling_unit_sends_its_opinion_not_a_reply(world, as_user):
    p = assigned_today(world, mode="lead_co", units=[world.unit2, world.unit1])
    client = as_user(world.unit1_user)
    page = html(client.get(f"/proposals/{p.pk}/"))
    assert f"/proposals/{p.pk}/co-opinion/" in page
    assert f"/proposals/{p.pk}/reply/" not in page
    response = client.post(f"/proposals/{p.pk}/co-opinion/", {"text": "建议增设警示标志。"})
    assert response.status_code == 302
    assert CoOpinion.objects.get().text == "建议增设警示标志。"
    response = client.post(f"/proposals/{p.pk}/reply/", {
        "version": p.version, "text": "答复", "grade": grade(world, "A").pk})
    assert response.status_code == 400
    # The lead unit reads the opinion.
    lead = as_user(unit2_user(world))
    assert "建议增设警示标志。" in html(lead.get(f"/proposals/{p.pk}/"))


def test_reply_with_a_forbidden_file_type_is_400_on_the_attachments_field(world, as_user):
    p = assigned(world)
    exe = SimpleUploadedFile("tool.exe", b"MZ")
    response = as_user(world.unit1_user).post(f"/proposals/{p.pk}/reply/", {
        "version": p.version, "text": "答复", "grade": grade(world, "B").pk,
        "attachments": [exe]})
    assert response.status_code == 400
    form = next(s["form"] for s in response.context["steps"] if s["name"] == "reply")
    assert "tool.exe" in form.errors["attachments"][0]
    assert not Reply.objects.exists() and Proposal.objects.get().state == "assigned"


def test_reply_with_too_large_a_file_is_400_with_the_limit(world, as_user):
    p = assigned(world)
    ProposalPolicy.objects.filter(committee=world.committee).update(attachment_max_mb=1)
    big = SimpleUploadedFile("plan.pdf", b"0" * (1024 * 1024 + 1))
    response = as_user(world.unit1_user).post(f"/proposals/{p.pk}/reply/", {
        "version": p.version, "text": "答复", "grade": grade(world, "B").pk,
        "attachments": [big]})
    assert response.status_code == 400
    form = next(s["form"] for s in response.context["steps"] if s["name"] == "reply")
    assert "1 MB" in form.errors["attachments"][0]
    assert not Reply.objects.exists()


def test_reply_form_says_what_may_be_attached(world, as_user):
    p = assigned(world)
    page = html(as_user(world.unit1_user).get(f"/proposals/{p.pk}/"))
    assert 'enctype="multipart/form-data"' in page and "20 MB" in page and ".pdf" in page


def test_a_stale_reply_is_409(world, as_user):
    p = assigned(world)
    response = as_user(world.unit1_user).post(f"/proposals/{p.pk}/reply/", {
        "version": p.version - 1, "text": "答复", "grade": grade(world, "A").pk})
    assert response.status_code == 409
    assert not Reply.objects.exists()


def test_unit_replies_separately_to_a_proposal_merged_into_its_own(world, as_user):
    lead = assigned_today(world, title="主提案")
    merged = in_review(world, title="并入的提案")
    merged = ps.merge(world.office, merged, lead)
    client = as_user(world.unit1_user)
    page = html(client.get("/proposals/unit/"))
    assert "并入的提案" in page
    response = client.post(f"/proposals/{merged.pk}/reply/", {
        "version": merged.version, "text": "对并案提案的答复", "grade": grade(world, "A").pk})
    assert response.status_code == 302, html(response)
    assert Reply.objects.get().proposal == merged
    assert Proposal.objects.get(pk=merged.pk).state == "replied"


def test_unit_reports_follow_up_progress(world, as_user):
    p = replied(world)
    follow_up = p.follow_ups.order_by("due").first()
    client = as_user(world.unit1_user)
    page = html(client.get(f"/proposals/{p.pk}/"))
    assert f"/proposals/{p.pk}/progress/" in page
    assert client.post(f"/proposals/{p.pk}/progress/", {"target": follow_up.pk,
                                                        "text": ""}).status_code == 400
    response = client.post(f"/proposals/{p.pk}/progress/", {"target": follow_up.pk,
                                                            "text": "已完成一期工程。"})
    assert response.status_code == 302
    assert follow_up.progress.get().text == "已完成一期工程。"


def test_unit_cannot_take_office_or_author_steps(world, as_user):
    p = replied(world)
    client = as_user(world.unit1_user)
    assert client.post(f"/proposals/{p.pk}/close/", {"version": p.version,
                                                     "outcome": ""}).status_code == 403
    assert client.post(f"/proposals/{p.pk}/rate/", {"process": "satisfied",
                                                    "result": "satisfied"}).status_code == 403


def test_an_objection_window_reads_open_or_closed_not_the_proposals_state(
        world, as_user, portal):
    """"Closed" is also a proposal's final state (已办结); an objection window that has
    closed is 已截止."""
    fresh, late, _done, _theirs = portal
    client = as_user(world.unit1_user)
    listing = html(client.get("/proposals/unit/"))
    assert "已截止" in listing and "已办结" not in listing
    assert "可提出" in html(client.get(f"/proposals/{fresh.pk}/"))
    page = html(client.get(f"/proposals/{late.pk}/"))
    assert "已截止" in page and "已办结" not in page
