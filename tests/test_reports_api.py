"""The opinion-report API: scoped reads, writes through the services, and the same answers
as the rest of the API (401, 403, 404, 409 stale version, 422 naming the field, 400 for a
step the report's state does not allow)."""

import pytest
from django.test import Client

from shixiao.accounts.services import create_token
from shixiao.audit.models import AuditRecord
from shixiao.ledger.models import Entry
from shixiao.reports import services as rs
from shixiao.reports.models import Adoption, Endorsement, OpinionReport, ReportState

from .test_reports_services import SENT, draft, sent, submitted

API = "/api/v1"


def api_as(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(None, user)}")


def post(client, url, data):
    return client.post(f"{API}{url}", data, content_type="application/json")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["items"]}


def locs(response) -> list[list[str]]:
    return [e["loc"] for e in response.json()["detail"]]


# Reads --------------------------------------------------------------------------------------

def test_list_is_scoped_to_the_caller(world):
    mine = submitted(world)
    theirs = rs.create_draft(world.member_other, committee=world.other.committee,
                             title="邻市", body="正文")
    assert ids(api_as(world.office).get(f"{API}/reports")) == {mine.pk}
    assert ids(api_as(world.member1).get(f"{API}/reports")) == {mine.pk}
    assert ids(api_as(world.member2).get(f"{API}/reports")) == set()
    assert ids(api_as(world.sc1_staff).get(f"{API}/reports")) == {mine.pk}
    assert ids(api_as(world.auditor).get(f"{API}/reports")) == {mine.pk, theirs.pk}


def test_units_get_403_and_anonymous_callers_401(world, client):
    report = submitted(world)
    for url in ("/reports", f"/reports/{report.pk}"):
        assert api_as(world.unit1_user).get(f"{API}{url}").status_code == 403
        assert client.get(f"{API}{url}").status_code == 401


def test_list_filters(world):
    adopted = sent(world, title="电梯")
    rs.record_adoption(world.office, adopted, level="national", body="全国政协《政协信息》",
                       on=SENT)
    other = submitted(world, title="停车")
    client = api_as(world.office)
    assert ids(client.get(f"{API}/reports?level=national")) == {adopted.pk}
    assert ids(client.get(f"{API}/reports?state=submitted")) == {other.pk}
    assert ids(client.get(f"{API}/reports?q=停车")) == {other.pk}
    assert ids(client.get(f"{API}/reports?year=2026")) == {adopted.pk, other.pk}
    assert ids(client.get(f"{API}/reports?year=2020")) == set()
    response = client.get(f"{API}/reports?state=bogus")
    assert response.status_code == 422 and ["query", "state"] in locs(response)


def test_detail_carries_text_authors_and_outcomes(world):
    report = sent(world)
    rs.record_adoption(world.office, report, level="provincial", body="省政协《社情民意》",
                       issue_no="第3期", on=SENT)
    body = api_as(world.member1).get(f"{API}/reports/{report.pk}").json()
    assert body["state"] == "sent" and body["body"].startswith("情况")
    assert body["edited_body"].startswith("编辑后")
    assert body["authors"] == [{"membership_id": world.membership1.pk, "name": "张三",
                                "role": "individual", "rank": 1}]
    assert [s["recipient"] for s in body["sends"]] == ["市委办公室", "省政协"]
    assert body["adoptions"][0] | {"id": 0} == {
        "id": 0, "report_id": report.pk, "level": "provincial", "body": "省政协《社情民意》",
        "issue_no": "第3期", "on": "2026-03-10"}
    assert body["adopted_levels"] == ["provincial"] and body["endorsed_levels"] == []
    assert body["edit_colour"] == "none"


def test_detail_out_of_scope_is_404(world):
    report = submitted(world)
    for user in (world.member2, world.office_other):
        assert api_as(user).get(f"{API}/reports/{report.pk}").status_code == 404
    assert api_as(world.office).get(f"{API}/reports/999999").status_code == 404


# Writing ------------------------------------------------------------------------------------

def test_member_creates_a_draft_with_one_audit_record(world):
    client = api_as(world.member1)
    before = AuditRecord.objects.count()
    response = post(client, "/reports", {"committee_id": world.committee.pk,
                                         "title": "关于路灯的建议", "body": "正文"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft" and body["version"] == 1
    assert body["authors"][0]["membership_id"] == world.membership1.pk
    assert AuditRecord.objects.count() == before + 1


def test_create_and_submit_at_once_records_the_ledger_entry(world):
    response = post(api_as(world.member1), "/reports", {
        "committee_id": world.committee.pk, "title": "t", "body": "b", "submit": True})
    assert response.status_code == 201
    assert response.json()["state"] == "submitted"
    assert Entry.objects.filter(kind="opinion_report", attrs__status="submitted").count() == 1


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"),
    ({"body": "  "}, "body"),
    ({"committee_id": "abc"}, "committee_id"),
    ({"committee_id": 999999}, "committee_id"),
    ({"body": "字" * 1501, "submit": True}, "body"),
    ({"author_membership_ids": [999999]}, "author_membership_ids"),
], ids=["empty_title", "blank_body", "committee_not_a_number", "unknown_committee",
        "too_long_to_submit", "unknown_author"])
def test_bad_report_is_422_naming_the_field_and_saves_nothing(world, change, field):
    payload = {"committee_id": world.committee.pk, "title": "t", "body": "b", **change}
    client = api_as(world.office)  # issuing the token is itself audited
    before = AuditRecord.objects.count()
    response = post(client, "/reports", payload)
    assert response.status_code == 422, response.content
    assert ["body", field] in locs(response)
    assert OpinionReport.objects.count() == 0 and AuditRecord.objects.count() == before


def test_member_cannot_create_in_another_committee(world):
    response = post(api_as(world.member1), "/reports", {
        "committee_id": world.other.committee.pk, "title": "t", "body": "b"})
    assert response.status_code == 422 and ["body", "committee_id"] in locs(response)


def test_units_and_leaders_cannot_create(world):
    for user in (world.unit1_user, world.leader):
        response = post(api_as(user), "/reports", {
            "committee_id": world.committee.pk, "title": "t", "body": "b"})
        assert response.status_code == 403


def test_author_changes_a_draft_and_a_stale_version_is_409(world):
    report = draft(world)
    client = api_as(world.member1)
    response = client.patch(f"{API}/reports/{report.pk}", {"version": 1, "title": "新"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == 2
    response = client.patch(f"{API}/reports/{report.pk}", {"version": 1, "title": "旧"},
                            content_type="application/json")
    assert response.status_code == 409
    assert OpinionReport.objects.get().title == "新"


def test_member_changing_someone_elses_report_gets_404(world):
    report = draft(world)
    response = api_as(world.member2).patch(f"{API}/reports/{report.pk}", {"version": 1},
                                           content_type="application/json")
    assert response.status_code == 404
    response = post(api_as(world.member2), f"/reports/{report.pk}/submit", {"version": 1})
    assert response.status_code == 404


def test_submit_checks_the_length_and_names_the_field(world):
    report = draft(world, body="字" * 1501)
    response = post(api_as(world.member1), f"/reports/{report.pk}/submit", {"version": 1})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "body"] and "1501" in error["msg"]


def test_submit_twice_is_a_400_with_the_reason(world):
    report = submitted(world)
    response = post(api_as(world.member1), f"/reports/{report.pk}/submit",
                    {"version": report.version})
    assert response.status_code == 400 and response.json()["detail"]


# The office's steps and outcomes ------------------------------------------------------------

def test_office_runs_the_whole_workflow_through_the_api(world):
    report = submitted(world)
    client = api_as(world.office)

    def step(url, data, status=200):
        version = OpinionReport.objects.get(pk=report.pk).version
        response = post(client, f"/reports/{report.pk}/{url}", {"version": version, **data})
        assert response.status_code == status, response.content
        return response.json()

    assert step("start-editing", {})["state"] == "editing"
    assert step("edited-text", {"edited_body": "编辑稿"})["state"] == "edited"
    body = step("sendings", {"sends": [
        {"to_level": "prefecture", "recipient": "市委", "on": "2026-03-10"},
        {"to_level": "provincial", "recipient": "省政协", "on": "2026-03-11"}]})
    assert body["state"] == "sent" and body["sent_on"] == "2026-03-10"
    adoption = step("adoptions", {"level": "provincial", "body": "省政协《社情民意》",
                                  "on": "2026-03-20"}, status=201)
    assert adoption["level"] == "provincial"
    endorsement = step("endorsements", {"level": "provincial", "leader_rank": "principal",
                                        "leader": "省委书记", "on": "2026-04-01"}, status=201)
    assert endorsement["leader_rank"] == "principal"
    assert step("archive", {})["state"] == "archived"
    statuses = sorted(Entry.objects.filter(kind="opinion_report").values_list(
        "attrs__status", flat=True))
    assert statuses == ["adopted", "endorsed", "submitted"]


def test_adoption_before_sending_is_refused_with_400(world):
    report = submitted(world)
    response = post(api_as(world.office), f"/reports/{report.pk}/adoptions", {
        "version": report.version, "level": "provincial", "body": "省政协", "on": "2026-03-20"})
    assert response.status_code == 400 and response.json()["detail"]
    assert Adoption.objects.count() == 0


def test_duplicate_adoption_is_422_on_body(world):
    report = sent(world)
    rs.record_adoption(world.office, report, level="provincial", body="省政协", on=SENT)
    report.refresh_from_db()
    response = post(api_as(world.office), f"/reports/{report.pk}/adoptions", {
        "version": report.version, "level": "provincial", "body": "省政协", "on": "2026-03-20"})
    assert response.status_code == 422 and ["body", "body"] in locs(response)
    assert Adoption.objects.count() == 1


@pytest.mark.parametrize("change, field", [
    ({"level": "planet"}, "level"),
    ({"level": "county"}, "level"),
    ({"on": "soon"}, "on"),
    ({"leader_rank": "boss"}, "leader_rank"),
    ({"leader": ""}, "leader"),
], ids=["unknown_level", "level_below_committee", "bad_date", "unknown_rank", "no_leader"])
def test_bad_endorsement_is_422_naming_the_field(world, change, field):
    report = sent(world)
    payload = {"version": report.version, "level": "provincial", "leader_rank": "other",
               "leader": "副省长", "on": "2026-03-20", **change}
    response = post(api_as(world.office), f"/reports/{report.pk}/endorsements", payload)
    assert response.status_code == 422, response.content
    assert ["body", field] in locs(response)
    assert Endorsement.objects.count() == 0


def test_stale_version_on_an_adoption_is_409(world):
    report = sent(world)
    response = post(api_as(world.office), f"/reports/{report.pk}/adoptions", {
        "version": report.version - 1, "level": "provincial", "body": "省政协",
        "on": "2026-03-20"})
    assert response.status_code == 409
    assert Adoption.objects.count() == 0


def test_missing_version_is_422(world):
    report = sent(world)
    response = post(api_as(world.office), f"/reports/{report.pk}/adoptions", {
        "level": "provincial", "body": "省政协", "on": "2026-03-20"})
    assert response.status_code == 422 and ["body", "version"] in locs(response)


def test_members_get_403_and_other_offices_404_on_office_steps(world):
    report = sent(world)
    payload = {"version": report.version, "level": "provincial", "body": "省政协",
               "on": "2026-03-20"}
    assert post(api_as(world.member1), f"/reports/{report.pk}/adoptions",
                payload).status_code == 403
    assert post(api_as(world.office_other), f"/reports/{report.pk}/adoptions",
                payload).status_code == 404
    assert Adoption.objects.count() == 0


def test_not_used_needs_a_reason(world):
    report = submitted(world)
    client = api_as(world.office)
    response = post(client, f"/reports/{report.pk}/not-used",
                    {"version": report.version, "reason": ""})
    assert response.status_code == 422 and ["body", "reason"] in locs(response)
    response = post(client, f"/reports/{report.pk}/not-used",
                    {"version": report.version, "reason": "重复"})
    assert response.status_code == 200
    assert response.json()["state"] == ReportState.NOT_USED
    assert response.json()["not_used_reason"] == "重复"


def test_the_api_documents_the_report_endpoints(world):
    schema = api_as(world.office).get(f"{API}/openapi.json").json()
    for path in ("/api/v1/reports", "/api/v1/reports/{report_id}",
                 "/api/v1/reports/{report_id}/submit", "/api/v1/reports/{report_id}/adoptions",
                 "/api/v1/reports/{report_id}/endorsements"):
        assert path in schema["paths"], path
