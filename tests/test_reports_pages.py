"""The opinion-report pages: scoped lists and details, writing and submitting, the office's
steps, and clear refusals (403 no permission, 404 out of scope, 400 field errors, 409 stale)."""

import datetime as dt

import pytest
from django.utils import timezone

from shixiao.audit.models import AuditRecord
from shixiao.reports import services as rs
from shixiao.reports.models import Adoption, OpinionReport, ReportState

from .test_reports_services import SENT, SUBMITTED, draft, sent, submitted


def html(response) -> str:
    return response.content.decode()


def titles(response) -> list[str]:
    return [r.title for r in response.context["page"]]


# List ---------------------------------------------------------------------------------------

def test_list_shows_each_user_only_the_reports_in_their_scope(world, as_user):
    mine = submitted(world, title="张三的报告")
    theirs = rs.create_draft(world.member_other, committee=world.other.committee,
                             title="邻市的报告", body="正文")
    assert titles(as_user(world.office).get("/reports/")) == [mine.title]
    assert titles(as_user(world.member1).get("/reports/")) == [mine.title]
    assert titles(as_user(world.member2).get("/reports/")) == []
    assert titles(as_user(world.office_other).get("/reports/")) == [theirs.title]
    assert set(titles(as_user(world.auditor).get("/reports/"))) == {mine.title, theirs.title}


def test_units_may_not_open_the_reports_and_visitors_must_log_in(world, as_user, client):
    report = submitted(world)
    for url in ("/reports/", f"/reports/{report.pk}/", "/reports/new/"):
        assert as_user(world.unit1_user).get(url).status_code == 403
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_filters_by_state_year_level_and_title(world, as_user):
    adopted = sent(world, title="电梯加装")
    rs.record_adoption(world.office, adopted, level="provincial", body="省政协《社情民意》",
                       on=SENT)
    submitted(world, title="校园安全")
    draft(world, title="停车难")
    client = as_user(world.office)
    assert titles(client.get("/reports/?state=submitted")) == ["校园安全"]
    assert titles(client.get("/reports/?level=provincial")) == ["电梯加装"]
    assert titles(client.get("/reports/?level=national")) == []
    assert titles(client.get("/reports/?q=电梯")) == ["电梯加装"]
    assert {"电梯加装", "校园安全"} <= set(titles(client.get("/reports/?year=2026")))
    # A draft has no submission date: it belongs to the year it was written.
    written = timezone.localdate().year
    assert "停车难" in titles(client.get(f"/reports/?year={written}"))
    assert titles(client.get("/reports/?year=2025")) == []
    # A bad filter value is ignored, not an error page.
    assert len(titles(client.get("/reports/?year=abc&state=nonsense"))) == 3


def test_list_is_paginated(world, as_user):
    for i in range(32):
        draft(world, title=f"报告{i}")
    client = as_user(world.member1)
    first, second = client.get("/reports/"), client.get("/reports/?page=2")
    assert len(titles(first)) == 30 and len(titles(second)) == 2
    assert 'rel="next"' in html(first)


# Detail -------------------------------------------------------------------------------------

def test_detail_is_404_outside_the_users_scope(world, as_user):
    report = submitted(world)
    assert as_user(world.member1).get(f"/reports/{report.pk}/").status_code == 200
    for user in (world.member2, world.office_other, world.member_other):
        assert as_user(user).get(f"/reports/{report.pk}/").status_code == 404
    assert as_user(world.office).get("/reports/999999/").status_code == 404


def test_detail_shows_text_authors_and_a_dated_timeline(world, as_user):
    report = sent(world)
    rs.record_adoption(world.office, report, level="provincial", body="省政协《社情民意》",
                       issue_no="第7期", on=dt.date(2026, 3, 20))
    rs.record_endorsement(world.office, report, level="provincial", leader_rank="principal",
                          leader="省委书记", on=dt.date(2026, 4, 1), content="请研究")
    page = html(as_user(world.member1).get(f"/reports/{report.pk}/"))
    for text in ("张三", "编辑后的文字", "情况、原因和建议", "2026-03-02", "市委办公室",
                 "2026-03-10", "省政协《社情民意》", "第7期", "2026-03-20", "省委书记",
                 "2026-04-01"):
        assert text in page, text
    # Members see outcomes but none of the office's forms.
    assert "/adoptions/" not in page and "csrfmiddlewaretoken" not in page.split("</header>")[1]


def test_detail_colours_an_overdue_edit(world, as_user):
    report = submitted(world)
    assert report.edit_due < timezone.localdate()
    page = html(as_user(world.office).get(f"/reports/{report.pk}/"))
    assert "deadline-red" in page and report.edit_due.isoformat() in page


def test_office_sees_the_steps_the_state_allows(world, as_user):
    client = as_user(world.office)
    report = submitted(world)
    page = html(client.get(f"/reports/{report.pk}/"))
    assert f"/reports/{report.pk}/start-editing/" in page
    assert f"/reports/{report.pk}/adoptions/" not in page
    report = sent(world)
    page = html(client.get(f"/reports/{report.pk}/"))
    for step in ("adoptions", "endorsements", "sendings", "not-used", "archive"):
        assert f"/reports/{report.pk}/{step}/" in page, step
    assert 'id="id_adopt_on"' in page and 'id="id_endorse_on"' in page


# Writing ------------------------------------------------------------------------------------

def test_member_saves_a_draft_then_submits_it(world, as_user):
    client = as_user(world.member1)
    assert client.get("/reports/new/").status_code == 200
    response = client.post("/reports/new/", {
        "committee": world.committee.pk, "title": "关于公交线路的建议", "body": "正文",
        "action": "save"})
    assert response.status_code == 302
    report = OpinionReport.objects.get()
    assert report.state == ReportState.DRAFT
    assert report.authors.get().membership == world.membership1
    response = client.post(f"/reports/{report.pk}/edit/", {
        "title": "关于公交线路的建议", "body": "改过的正文", "version": report.version,
        "action": "submit"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.body) == (ReportState.SUBMITTED, "改过的正文")


def test_writing_and_submitting_at_once(world, as_user):
    response = as_user(world.member1).post("/reports/new/", {
        "committee": world.committee.pk, "title": "t", "body": "b", "action": "submit"})
    assert response.status_code == 302
    assert OpinionReport.objects.get().state == ReportState.SUBMITTED


def test_submitting_too_long_a_text_shows_the_length_and_saves_nothing(world, as_user):
    before = AuditRecord.objects.count()
    response = as_user(world.member1).post("/reports/new/", {
        "committee": world.committee.pk, "title": "t", "body": "字" * 1600,
        "action": "submit"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "1600" in errors["body"][0]
    assert OpinionReport.objects.count() == 0 and AuditRecord.objects.count() == before


def test_missing_fields_are_400_with_field_errors(world, as_user):
    response = as_user(world.member1).post("/reports/new/", {
        "committee": world.committee.pk, "title": "", "body": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"title", "body"}
    assert OpinionReport.objects.count() == 0


def test_office_names_the_authors_of_a_report_it_enters(world, as_user):
    response = as_user(world.office).post("/reports/new/", {
        "committee": world.committee.pk, "title": "t", "body": "b",
        "first_author": world.membership2.pk, "co_signers": [world.membership1.pk],
        "action": "save"})
    assert response.status_code == 302
    report = OpinionReport.objects.get()
    assert [a.membership for a in report.authors.all()] == [world.membership2,
                                                            world.membership1]


def test_member_editing_someone_elses_report_gets_404(world, as_user):
    report = draft(world)
    client = as_user(world.member2)
    assert client.get(f"/reports/{report.pk}/edit/").status_code == 404
    response = client.post(f"/reports/{report.pk}/edit/", {
        "title": "x", "body": "y", "version": report.version})
    assert response.status_code == 404
    assert OpinionReport.objects.get().title == report.title


def test_a_submitted_report_is_not_editable_by_its_author(world, as_user):
    report = submitted(world)
    client = as_user(world.member1)
    response = client.get(f"/reports/{report.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    response = client.post(f"/reports/{report.pk}/edit/", {
        "title": "x", "body": "y", "version": report.version})
    assert response.status_code == 400
    assert OpinionReport.objects.get().title == report.title


def test_a_stale_draft_form_is_409_and_saves_nothing(world, as_user):
    report = draft(world)
    rs.update_draft(world.member1, report, title="已改", body="b")
    response = as_user(world.member1).post(f"/reports/{report.pk}/edit/", {
        "title": "旧表单", "body": "b", "version": 1})
    assert response.status_code == 409
    assert OpinionReport.objects.get().title == "已改"


# The office's steps -------------------------------------------------------------------------

def test_office_runs_the_workflow_from_the_detail_page(world, as_user):
    report = submitted(world)
    client = as_user(world.office)
    url = f"/reports/{report.pk}/"

    def post(step, data):
        response = client.post(f"{url}{step}/", {"version": fresh_version(), **data})
        assert response.status_code == 302, html(response)

    def fresh_version():
        return OpinionReport.objects.get(pk=report.pk).version

    post("start-editing", {})
    post("edited-text", {"title": "定稿", "edited_body": "编辑稿", "finish": "on"})
    post("sendings", {"to_level": "provincial", "recipient": "省政协", "on": "2026-03-10"})
    post("adoptions", {"level": "provincial", "body": "省政协《社情民意》", "issue_no": "",
                       "on": "2026-03-15"})
    post("endorsements", {"level": "provincial", "leader_rank": "other", "leader": "副省长",
                          "on": "2026-03-20", "content": ""})
    post("archive", {})
    report.refresh_from_db()
    assert report.state == ReportState.ARCHIVED and report.body != report.edited_body
    assert report.adoptions.count() == 1 and report.endorsements.count() == 1


def test_adoption_before_sending_is_a_400_with_the_reason(world, as_user):
    report = submitted(world)
    response = as_user(world.office).post(f"/reports/{report.pk}/adoptions/", {
        "version": report.version, "level": "provincial", "body": "省政协", "on": "2026-03-15"})
    assert response.status_code == 400
    form = next(s["form"] for s in response.context["steps"] if s["name"] == "adopt")
    assert form.non_field_errors(), "the page says why"
    assert Adoption.objects.count() == 0


def test_duplicate_adoption_is_a_400_on_the_body_field(world, as_user):
    report = sent(world)
    rs.record_adoption(world.office, report, level="provincial", body="省政协", on=SENT)
    report.refresh_from_db()
    response = as_user(world.office).post(f"/reports/{report.pk}/adoptions/", {
        "version": report.version, "level": "provincial", "body": "省政协", "on": "2026-03-15"})
    assert response.status_code == 400
    form = next(s["form"] for s in response.context["steps"] if s["name"] == "adopt")
    assert "body" in form.errors
    assert Adoption.objects.count() == 1


def test_bad_step_input_is_400_naming_the_field(world, as_user):
    report = sent(world)
    response = as_user(world.office).post(f"/reports/{report.pk}/endorsements/", {
        "version": report.version, "level": "county", "leader_rank": "principal", "leader": "",
        "on": "not a date"})
    assert response.status_code == 400
    form = next(s["form"] for s in response.context["steps"] if s["name"] == "endorse")
    assert {"level", "leader", "on"} <= set(form.errors)


def test_a_stale_step_is_409_and_saves_nothing(world, as_user):
    report = sent(world)
    response = as_user(world.office).post(f"/reports/{report.pk}/adoptions/", {
        "version": report.version - 1, "level": "provincial", "body": "省政协",
        "on": "2026-03-15"})
    assert response.status_code == 409
    assert Adoption.objects.count() == 0


@pytest.mark.parametrize("step", ["start-editing", "adoptions", "not-used", "archive"])
def test_members_and_leaders_cannot_take_office_steps(world, as_user, step):
    report = submitted(world)
    for user in (world.member1, world.leader):
        response = as_user(user).post(f"/reports/{report.pk}/{step}/",
                                      {"version": report.version})
        assert response.status_code == 403
    assert OpinionReport.objects.get().state == ReportState.SUBMITTED


def test_office_of_another_committee_gets_404_on_a_step(world, as_user):
    report = submitted(world)
    response = as_user(world.office_other).post(f"/reports/{report.pk}/start-editing/",
                                                {"version": report.version})
    assert response.status_code == 404


def test_author_submits_from_the_detail_page(world, as_user):
    report = draft(world)
    client = as_user(world.member1)
    assert f"/reports/{report.pk}/submit/" in html(client.get(f"/reports/{report.pk}/"))
    response = client.post(f"/reports/{report.pk}/submit/", {"version": report.version})
    assert response.status_code == 302
    assert OpinionReport.objects.get().submitted_on == timezone.localdate()


def test_not_used_needs_a_reason_on_the_page(world, as_user):
    report = submitted(world)
    client = as_user(world.office)
    response = client.post(f"/reports/{report.pk}/not-used/", {"version": report.version,
                                                                "reason": ""})
    assert response.status_code == 400
    response = client.post(f"/reports/{report.pk}/not-used/", {"version": report.version,
                                                                "reason": "内容重复"})
    assert response.status_code == 302
    page = html(client.get(f"/reports/{report.pk}/"))
    assert "内容重复" in page


def test_submitted_on_is_shown_as_the_first_event(world, as_user):
    report = submitted(world)
    timeline = as_user(world.office).get(f"/reports/{report.pk}/").context["timeline"]
    assert timeline[0]["on"] == SUBMITTED


@pytest.mark.parametrize("attr, shown", [
    ("member1", True), ("office", True), ("leader", True), ("auditor", True),
    ("unit1_user", False)])
def test_navigation_links_the_reports_for_those_who_may_open_them(world, as_user, attr, shown):
    nav = html(as_user(getattr(world, attr)).get("/")).split("<nav", 1)[1].split("</nav>")[0]
    assert ('href="/reports/"' in nav) is shown
