"""The proposal API: every workflow step through its endpoint on the main path, scoped reads
per role, ratings never shown to handling units, and the API's usual answers (400 for a step
the state does not allow, 409 for a stale version, 422 naming the field)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shixiao.accounts.services import create_token
from shixiao.audit.models import AuditRecord
from shixiao.proposals import services as ps
from shixiao.proposals.models import Proposal, Rating, Reply

from .proposals_kit import D, assigned, draft, grade, in_review, registered, replied, unit2_user

API = "/api/v1"


def api_as(user) -> Client:
    # English answers, so that messages can be checked whatever the translations say.
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(None, user)}",
                  HTTP_ACCEPT_LANGUAGE="en")


def post(client, url, data):
    return client.post(f"{API}{url}", data, content_type="application/json")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["items"]}


def locs(response) -> list[list[str]]:
    return [e["loc"] for e in response.json()["detail"]]


class Steps:
    """Take steps on one proposal as different users, always with its current version."""

    def __init__(self, proposal_id: int):
        self.pk = proposal_id
        self.clients = {}

    def __call__(self, user, step, status=200, **data):
        client = self.clients.get(user.pk) or self.clients.setdefault(user.pk, api_as(user))
        version = Proposal.objects.get(pk=self.pk).version
        response = post(client, f"/proposals/{self.pk}/{step}", {"version": version, **data})
        assert response.status_code == status, (step, response.content)
        return response.json()


# The main path, every step through the API --------------------------------------------------

def test_a_joint_proposal_goes_from_draft_to_closed_through_the_api(world):
    w = world
    u2 = unit2_user(w)
    response = post(api_as(w.member1), "/proposals", {
        "committee_id": w.committee.pk, "title": "关于校园周边交通的建议",
        "body": "早晚高峰拥堵，建议设置接送车位。", "proposer_type": "joint",
        "author_membership_ids": [w.membership1.pk, w.membership2.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["version"]) == ("draft", 1)
    assert [a["role"] for a in body["authors"]] == ["first_author", "co_signer"]
    step = Steps(body["id"])

    assert step(w.member1, "submit", status=400)["detail"].startswith(
        "Waiting for co-signers")
    body = step(w.member2, "confirm-signature")
    assert body["authors"][1]["confirmed_on"] is not None
    body = step(w.member2, "withdraw-signature")
    assert body["authors"][1]["confirmed_on"] is None
    step(w.member1, "withdraw-signature", status=403)
    assert step(w.member1, "submit", status=400)["detail"].startswith(
        "Waiting for co-signers")
    step(w.member2, "confirm-signature")
    assert step(w.member1, "submit")["state"] == "submitted"
    assert step(w.office, "start-review")["state"] == "in_review"
    body = step(w.office, "return", reason="请补充调研数据")
    assert (body["state"], body["return_note"]) == ("returned", "请补充调研数据")
    assert step(w.member1, "submit")["state"] == "submitted"
    step(w.office, "start-review")
    body = step(w.office, "register")
    assert body["state"] == "registered" and body["display_number"].endswith("-0001")

    body = step(w.office, "assign", mode="single", units=[{"unit_id": w.unit1.pk}])
    assert body["state"] == "assigned"
    assert body["units"] == [{"id": w.unit1.pk, "name": "市教育局", "role": "sole"}]
    body = step(w.unit1_user, "object", reason="属交通部门职责")
    assert body["assignments"][0]["state"] == "objected"
    first = body["assignments"][0]["id"]
    body = step(w.office, "reassign", assignment_id=first, new_unit_id=w.unit2.pk)
    assert [(a["unit_id"], a["state"]) for a in body["assignments"]] == [
        (w.unit1.pk, "reassigned"), (w.unit2.pk, "assigned")]
    step(u2, "object", reason="也不全是我们的")
    body = step(w.office, "uphold", assignment_id=body["assignments"][1]["id"])
    assert body["assignments"][1]["state"] == "assigned"
    body = step(w.office, "extend", note="需跨年度预算")
    assert body["extension_approved"] is True
    body = step(w.office, "key", supervisor_id=w.leader.pk)
    assert body["is_key"] is True

    body = step(u2, "reply", text="已会同交警部门设置接送车位。", grade="B",
                contacted_member=True)
    assert body["state"] == "replied"
    assert [(r["unit_id"], r["grade"], r["round"]) for r in body["replies"]] == [
        (w.unit2.pk, "B", 1)]
    assert [f["horizon_months"] for f in body["follow_ups"]] == [6, 12, 24]
    step(w.member1, "rate", process="basically", result="unsatisfied",
         contact_confirmed=False, comment="未见实质措施")
    assert step(w.member2, "rate", process="satisfied", result="satisfied")["state"] == \
        "replied"
    body = step(w.office, "rehandle", reason="请落实接送车位")
    assert (body["state"], body["round"]) == ("rehandling", 2)
    assert step(u2, "reply", text="车位已施划完毕。", grade="B")["state"] == "replied"
    step(w.member1, "rate", process="satisfied", result="basically")

    body = step(u2, "progress", text="新增两处接送点。")
    assert body["state"] == "follow_up"
    assert body["follow_ups"][0]["progress"][0]["text"] == "新增两处接送点。"
    follow_up = body["follow_ups"][0]
    body = step(w.office, "review-follow-up", follow_up_id=follow_up["id"],
                finding="fulfilled", evidence="实地查看：车位已施划，照片存档。",
                member_took_part=True)
    assert body["follow_ups"][0]["finding"] == "fulfilled"
    body = step(w.office, "add-follow-up", horizon_months=36)
    assert [f["horizon_months"] for f in body["follow_ups"]][-1] == 36
    body = step(w.office, "endorsement", level="prefecture", leader="市长", on="2026-11-20")
    assert body["endorsements"][0]["leader"] == "市长"
    assert step(w.office, "excellent", year=2026)["excellent_year"] == 2026
    body = step(w.office, "disclosure", public=True, reason="提案人同意公开")
    assert body["public"] is True
    body = step(w.office, "close", outcome="fulfilled")
    assert (body["state"], body["outcome"]) == ("closed", "fulfilled")

    actions = [e["action"] for e in api_as(w.office).get(f"{API}/proposals/{step.pk}")
               .json()["events"]]
    for action in ("created", "co_signed", "returned", "registered", "assigned", "objected",
                   "reassigned", "assignment_upheld", "extension_approved", "marked_key",
                   "replied", "rated", "rehandling", "progress_reported",
                   "follow_up_reviewed", "follow_up_added", "endorsed", "selected_excellent",
                   "disclosure", "closed"):
        assert action in actions, action


def test_lead_and_co_handling_units_each_take_their_step(world):
    u2 = unit2_user(world)
    p = assigned(world, mode="lead_co", units=[world.unit1, world.unit2])
    step = Steps(p.pk)
    body = step(u2, "co-opinion", text="交通局同意施划临时停车位。")
    co = [a for a in body["assignments"] if a["role"] == "co"][0]
    assert co["co_opinions"][0]["text"] == "交通局同意施划临时停车位。"
    assert step(u2, "reply", status=422, text="x", grade="B")["detail"][0]["loc"] == [
        "body", "assignment_id"]
    assert step(world.unit1_user, "reply", text="综合答复", grade="A")["state"] == "replied"


def test_the_office_merges_not_registers_and_converts(world):
    lead = in_review(world, title="校园交通")
    other = in_review(world, title="校门口拥堵")
    body = Steps(other.pk)(world.office, "merge", into_id=lead.pk)
    assert (body["state"], body["merged_into_id"]) == ("merged", lead.pk)
    body = Steps(lead.pk)(world.office, "not-register", reason_code="no_suggestion",
                          note="没有具体建议")
    assert (body["state"], body["not_registered_reason"]) == ("not_registered",
                                                              "no_suggestion")
    assert body["merged_ids"] == [other.pk]
    converted = in_review(world, title="电梯加装")
    body = Steps(converted.pk)(world.office, "convert")
    assert body["state"] == "converted"
    assert [e["data"].get("report") for e in body["events"] if e["action"] == "converted"]


def test_a_reply_with_files_is_sent_as_multipart(world):
    p = assigned(world)
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    response = api_as(world.unit1_user).post(
        f"{API}/proposals/{p.pk}/reply-with-files",
        {"version": p.version, "text": "已设置接送车位。", "grade": "B", "files": [letter]})
    assert response.status_code == 200, response.content
    assert response.json()["replies"][0]["attachments"][0]["name"] == "答复函.pdf"
    tool = SimpleUploadedFile("tool.exe", b"MZ")
    other = assigned(world, title="另一件")
    response = api_as(world.unit1_user).post(
        f"{API}/proposals/{other.pk}/reply-with-files",
        {"version": other.version, "text": "答复", "grade": "B", "files": [tool]})
    assert response.status_code == 422 and ["body", "attachments"] in locs(response)


def test_a_merged_proposal_gets_its_own_reply_through_its_own_endpoint(world):
    lead = registered(world, title="校园交通")
    follower = in_review(world, title="校门口拥堵")
    ps.merge(world.office, follower, lead)
    ps.assign(world.office, lead.__class__.objects.get(pk=lead.pk), mode="single",
              units=[world.unit1])
    body = Steps(follower.pk)(world.unit1_user, "reply", text="并案答复", grade="B")
    assert (body["state"], body["replies"][0]["text"]) == ("replied", "并案答复")
    assert Reply.objects.get(proposal=follower).assignment.proposal_id == lead.pk


# Refusals -----------------------------------------------------------------------------------

def test_an_illegal_step_is_a_400_that_names_the_state(world):
    p = draft(world)
    before = AuditRecord.objects.count()
    response = post(api_as(world.office), f"/proposals/{p.pk}/register",
                    {"version": p.version})
    assert response.status_code == 400
    assert response.json()["detail"] == ("Only a proposal in review can be registered; this "
                                          "one is Draft.")
    assert Proposal.objects.get(pk=p.pk).state == "draft"
    assert AuditRecord.objects.count() == before + 1  # only the token being issued


def test_a_stale_version_is_409_and_nothing_changes(world):
    p = in_review(world)
    response = post(api_as(world.office), f"/proposals/{p.pk}/register",
                    {"version": p.version - 1})
    assert response.status_code == 409 and "version" in response.json()["detail"]
    assert Proposal.objects.get(pk=p.pk).state == "in_review"


def test_steps_on_an_assignment_also_answer_a_stale_proposal_version_with_409(world):
    p = replied(world)
    response = post(api_as(world.member1), f"/proposals/{p.pk}/rate",
                    {"version": p.version - 1, "process": "satisfied", "result": "satisfied"})
    assert response.status_code == 409
    assert not Rating.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"),
    ({"committee_id": "abc"}, "committee_id"),
    ({"committee_id": 999999}, "committee_id"),
    ({"author_membership_ids": [999999]}, "author_membership_ids"),
    ({"proposer_type": "joint"}, "author_membership_ids"),
    ({"category": "weekly"}, "category"),
], ids=["empty_title", "committee_not_a_number", "unknown_committee", "unknown_author",
        "joint_alone", "unknown_category"])
def test_a_bad_draft_is_422_naming_the_field_and_saves_nothing(world, change, field):
    payload = {"committee_id": world.committee.pk, "title": "t", "body": "b", **change}
    response = post(api_as(world.member1), "/proposals", payload)
    assert response.status_code == 422, response.content
    assert ["body", field] in locs(response)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("step, data, field", [
    ("return", {"reason": " "}, "reason"),
    ("not-register", {"reason_code": "nonsense"}, "reason_code"),
    ("merge", {"into_id": 999999}, "into_id"),
    ("register", {"version": None}, "version"),
], ids=["blank_reason", "unknown_ground", "unknown_lead", "no_version"])
def test_bad_step_data_is_422_naming_the_field(world, step, data, field):
    p = in_review(world)
    payload = {"version": p.version, **data}
    payload = {k: v for k, v in payload.items() if v is not None}
    response = post(api_as(world.office), f"/proposals/{p.pk}/{step}", payload)
    assert response.status_code == 422, response.content
    assert ["body", field] in locs(response)
    assert Proposal.objects.get(pk=p.pk).state == "in_review"


def test_bad_assignment_and_rating_values_are_422(world):
    p = registered(world)
    response = post(api_as(world.office), f"/proposals/{p.pk}/assign", {
        "version": p.version, "mode": "single", "units": [{"unit_id": 999999}]})
    assert response.status_code == 422 and ["body", "units"] in locs(response)
    response = post(api_as(world.office), f"/proposals/{p.pk}/assign", {
        "version": p.version, "mode": "single",
        "units": [{"unit_id": world.unit1.pk}, {"unit_id": world.unit2.pk}]})
    assert response.status_code == 422 and ["body", "units"] in locs(response)
    r = replied(world, title="另一件")
    response = post(api_as(world.member1), f"/proposals/{r.pk}/rate", {
        "version": r.version, "process": "great", "result": "satisfied"})
    assert response.status_code == 422 and ["body", "process"] in locs(response)


def test_draft_edits_change_only_the_fields_sent(world):
    p = draft(world)
    client = api_as(world.member1)
    response = client.patch(f"{API}/proposals/{p.pk}", {"version": p.version, "title": "新题"},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["body"]) == ("新题", p.body)
    response = client.patch(f"{API}/proposals/{p.pk}", {"version": p.version, "title": "旧"},
                            content_type="application/json")
    assert response.status_code == 409
    response = client.patch(f"{API}/proposals/{p.pk}", {"version": p.version + 1,
                                                        "title": "x" * 201},
                            content_type="application/json")
    assert response.status_code == 422 and ["body", "title"] in locs(response)


# Who sees what ------------------------------------------------------------------------------

def test_members_see_only_the_proposals_they_author(world):
    mine = draft(world)
    theirs = draft(world, actor=world.member2, authors=[world.membership2], title="李四的")
    assert ids(api_as(world.member1).get(f"{API}/proposals")) == {mine.pk}
    assert ids(api_as(world.member2).get(f"{API}/proposals")) == {theirs.pk}
    assert api_as(world.member2).get(f"{API}/proposals/{mine.pk}").status_code == 404
    assert ids(api_as(world.member_other).get(f"{API}/proposals")) == set()


def test_units_see_only_what_is_assigned_to_them(world):
    ours = assigned(world, title="教育局的")
    theirs = assigned(world, title="交通局的", units=[world.unit2])
    unassigned = registered(world, title="未交办")
    client = api_as(world.unit1_user)
    assert ids(client.get(f"{API}/proposals")) == {ours.pk}
    for other in (theirs, unassigned):
        assert client.get(f"{API}/proposals/{other.pk}").status_code == 404
        assert post(client, f"/proposals/{other.pk}/reply", {
            "version": other.version, "text": "答复", "grade": "B"}).status_code == 404


def test_in_separate_handling_the_api_gives_a_unit_only_its_own_reply(world):
    p = assigned(world, mode="separate", units=[world.unit1, world.unit2])
    u2 = unit2_user(world)
    ps.reply(world.unit1_user, p.assignments.get(unit=world.unit1), text="教育局答复",
             grade=grade(world, "B"))
    ps.reply(u2, p.assignments.get(unit=world.unit2), text="交通局的答复内容",
             grade=grade(world, "A"))
    body = api_as(world.unit1_user).get(f"{API}/proposals/{p.pk}").json()
    assert [r["text"] for r in body["replies"]] == ["教育局答复"]
    office = api_as(world.office).get(f"{API}/proposals/{p.pk}").json()
    assert sorted(r["text"] for r in office["replies"]) == ["交通局的答复内容", "教育局答复"]


def test_units_never_get_ratings(world):
    p = replied(world)
    ps.rate(world.member1, p, process="unsatisfied", result="unsatisfied", comment="敷衍")
    client = api_as(world.unit1_user)
    body = client.get(f"{API}/proposals/{p.pk}").json()
    assert "ratings" not in body
    assert "rated" not in [e["action"] for e in body["events"]]
    assert "敷衍" not in client.get(f"{API}/proposals/{p.pk}").content.decode()
    assert client.get(f"{API}/proposals/{p.pk}/ratings").status_code == 403
    assert client.get(f"{API}/proposals/stats").status_code == 403
    response = post(client, f"/proposals/{p.pk}/rate", {
        "version": p.version, "process": "satisfied", "result": "satisfied"})
    assert response.status_code == 403
    # The unit's own steps answer without ratings too.
    response = post(client, f"/proposals/{p.pk}/progress", {
        "version": Proposal.objects.get(pk=p.pk).version, "text": "进展"})
    assert response.status_code == 200 and "ratings" not in response.json()


def test_staff_see_the_committees_ratings_and_members_their_own(world):
    p = draft(world, authors=[world.membership1, world.membership2], proposer_type="joint")
    ps.confirm_co_signature(world.member2, p)
    ps.submit(world.member1, p, on=D(2025, 3, 3))
    ps.start_review(world.office, p)
    ps.register(world.office, p)
    ps.assign(world.office, p, mode="single", units=[world.unit1], on=D(2025, 3, 20))
    ps.reply(world.unit1_user, p.assignments.get(), text="答复", grade=grade(world, "B"),
             on=D(2025, 5, 20))
    ps.rate(world.member1, p, process="satisfied", result="basically")
    ps.rate(world.member2, p, process="unsatisfied", result="unsatisfied")
    for user in (world.office, world.leader, world.sc1_staff, world.auditor):
        body = api_as(user).get(f"{API}/proposals/{p.pk}").json()
        assert len(body["ratings"]) == 2, user.username
        assert len(api_as(user).get(f"{API}/proposals/{p.pk}/ratings").json()) == 2
    mine = api_as(world.member1).get(f"{API}/proposals/{p.pk}").json()["ratings"]
    assert [(r["name"], r["result"]) for r in mine] == [("张三", "basically")]
    assert api_as(world.member1).get(f"{API}/proposals/{p.pk}/ratings").status_code == 403


def test_another_committee_gets_404_everywhere(world):
    p = in_review(world)
    client = api_as(world.office_other)
    assert client.get(f"{API}/proposals/{p.pk}").status_code == 404
    assert client.get(f"{API}/proposals/{p.pk}/ratings").status_code == 404
    assert post(client, f"/proposals/{p.pk}/register", {"version": p.version}).status_code \
        == 404
    assert ids(client.get(f"{API}/proposals")) == set()
    assert client.get(f"{API}/proposals/stats?committee={world.committee.pk}").status_code \
        == 404
    assert Proposal.objects.get(pk=p.pk).state == "in_review"


def test_members_get_403_on_office_steps_and_anonymous_callers_401(world, client):
    p = in_review(world)
    assert post(api_as(world.member1), f"/proposals/{p.pk}/register",
                {"version": p.version}).status_code == 403
    assert post(api_as(world.leader), f"/proposals/{p.pk}/register",
                {"version": p.version}).status_code == 403
    for url in ("/proposals", f"/proposals/{p.pk}", "/proposals/stats"):
        assert client.get(f"{API}{url}").status_code == 401


def test_staff_and_auditors_see_their_committee_or_all(world):
    ours = draft(world)
    other = ps.create_draft(world.member_other, committee=world.other.committee,
                            term=world.other.term, title="邻市", body="正文",
                            authors=[world.membership_other])
    for user in (world.office, world.leader, world.sc1_staff):
        assert ids(api_as(user).get(f"{API}/proposals")) == {ours.pk}, user.username
    assert ids(api_as(world.auditor).get(f"{API}/proposals")) == {ours.pk, other.pk}


def test_list_filters(world):
    key = assigned(world, title="重点")
    ps.mark_key(world.office, key, world.leader)
    theirs = assigned(world, title="交通", units=[world.unit2])
    waiting = draft(world, title="草稿", on=D(2026, 1, 5))
    client = api_as(world.office)
    assert ids(client.get(f"{API}/proposals?key=true")) == {key.pk}
    assert ids(client.get(f"{API}/proposals?unit={world.unit2.pk}")) == {theirs.pk}
    assert ids(client.get(f"{API}/proposals?state=draft")) == {waiting.pk}
    assert ids(client.get(f"{API}/proposals?year=2025")) == {key.pk, theirs.pk}
    assert ids(client.get(f"{API}/proposals?year=2026")) == {waiting.pk}
    assert ids(client.get(f"{API}/proposals?category=plenary")) == set()
    # Assigned in March 2025, reply due in June 2025, never answered: overdue today.
    assert ids(client.get(f"{API}/proposals?overdue=true")) == {key.pk, theirs.pk}
    assert ids(client.get(f"{API}/proposals?overdue=false")) == {waiting.pk}
    colours = {r["id"]: r["reply_colour"] for r in client.get(f"{API}/proposals").json()[
        "items"]}
    assert colours == {key.pk: "red", theirs.pk: "red", waiting.pk: "none"}
    assert ids(client.get(f"{API}/proposals?q=交通")) == {theirs.pk}
    response = client.get(f"{API}/proposals?state=bogus")
    assert response.status_code == 422 and ["query", "state"] in locs(response)
    response = client.get(f"{API}/proposals?limit=1")
    assert response.json()["count"] == 3 and len(response.json()["items"]) == 1


def test_stats_endpoint_answers_for_the_committee(world):
    replied(world)
    client = api_as(world.leader)
    response = client.get(f"{API}/proposals/stats?committee={world.committee.pk}&year=2025"
                          "&as_of=2025-12-31")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["committee"], body["year"], body["as_of"]) == ("city", 2025, "2025-12-31")
    assert body["overall"]["reply"]["rate"] == 1.0
    assert "fulfilment_alongside" in body["overall"]["satisfaction"]
    assert api_as(world.member1).get(f"{API}/proposals/stats").status_code == 403
    response = client.get(f"{API}/proposals/stats?as_of=someday")
    assert response.status_code == 422 and ["query", "as_of"] in locs(response)


def test_the_list_takes_the_same_queries_however_many_proposals(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(world.office)
    assigned(world, title="第一件")
    client.get(f"{API}/proposals")  # warm the permission cache
    with CaptureQueriesContext(connection) as one:
        client.get(f"{API}/proposals")
    for title in ("第二件", "第三件", "第四件"):
        assigned(world, title=title)
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(f"{API}/proposals").json()["items"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)
