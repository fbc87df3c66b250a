"""Writes through the API: audited like the web, refused cleanly, never half-saved."""

import datetime as dt

import pytest
from django.test import Client

from shixiao.accounts.services import create_token
from shixiao.audit.models import AuditRecord
from shixiao.orgs import services as org
from shixiao.orgs.models import Membership, Person

API = "/api/v1"
REQUEST_ID = "test-request-0001"


def api_as(user, **headers) -> Client:
    # Issuing the token writes an audit record: make clients before counting records.
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(None, user)}", **headers)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def term2(world):
    """The next term of `city`: person1 may get a new membership in it."""
    return org.create_term(world.admin, committee=world.committee, number=2,
                           start=dt.date(2027, 1, 1), end=dt.date(2031, 12, 31))


def good_membership(world, term2) -> dict:
    return {
        "person_id": world.person1.pk, "committee_id": world.committee.pk,
        "term_id": term2.pk, "role": "standing", "sector_id": world.sector2.pk,
        "special_committee_ids": [world.sc1.pk, world.sc2.pk],
        "group_ids": [world.group1.pk], "start": "2027-01-01", "number": "0042",
        "reason": "elected at the first session",
    }


def counts():
    return Membership.objects.count(), AuditRecord.objects.count()


def test_office_creates_membership_with_one_audit_record_tagged_with_the_request(world, term2):
    client = api_as(world.office, HTTP_X_REQUEST_ID=REQUEST_ID)
    memberships, audits = counts()

    response = post(client, f"{API}/members", good_membership(world, term2))

    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == REQUEST_ID
    body = response.json()
    assert body["role"] == "standing"
    assert body["special_committee_ids"] == sorted([world.sc1.pk, world.sc2.pk])
    assert body["version"] == 1
    assert counts() == (memberships + 1, audits + 1)
    record = AuditRecord.objects.order_by("-seq").first()
    assert record.request_id == REQUEST_ID
    assert record.username == "office"
    assert record.object_id == str(body["id"])
    assert record.reason == "elected at the first session"


BAD_MEMBERSHIPS = {
    # name: (change to the good payload, field the error must name)
    "missing_start": (lambda w, p: p.pop("start"), "start"),
    "start_not_a_date": (lambda w, p: p.update(start="next spring"), "start"),
    "person_id_not_a_number": (lambda w, p: p.update(person_id="abc"), "person_id"),
    "unknown_role": (lambda w, p: p.update(role="boss"), "role"),
    "end_before_start": (lambda w, p: p.update(end="2026-01-01"), "end"),
    "overlaps_existing_membership": (
        lambda w, p: p.update(term_id=w.term.pk, start="2023-01-01"), "start"),
    "unknown_sector": (lambda w, p: p.update(sector_id=999999), "sector_id"),
    "sector_of_other_committee": (
        lambda w, p: p.update(sector_id=w.other.sector1.pk), "sector_id"),
    "term_of_other_committee": (lambda w, p: p.update(term_id=w.other.term.pk), "term_id"),
    "other_committee": (
        lambda w, p: p.update(committee_id=w.other.committee.pk), "committee_id"),
    "person_out_of_scope": (
        lambda w, p: p.update(person_id=w.person_other.pk), "person_id"),
    "unknown_special_committee": (
        lambda w, p: p.update(special_committee_ids=[w.sc1.pk, 999999]),
        "special_committee_ids"),
    "group_of_other_committee": (
        lambda w, p: p.update(group_ids=[w.other.group1.pk]), "group_ids"),
}


@pytest.mark.parametrize("case", BAD_MEMBERSHIPS, ids=str)
def test_bad_membership_is_422_naming_the_field_and_saves_nothing(world, term2, case):
    change, field = BAD_MEMBERSHIPS[case]
    payload = good_membership(world, term2)
    change(world, payload)
    client = api_as(world.office)
    before = counts()

    response = post(client, f"{API}/members", payload)

    assert response.status_code == 422, response.content
    locs = [error["loc"] for error in response.json()["detail"]]
    assert ["body", field] in locs
    assert all(error["msg"] for error in response.json()["detail"])
    assert counts() == before


def test_placement_in_another_committee_is_refused_even_for_an_administrator(world, term2):
    """Scope lets a superuser see the other committee's groups; the model still refuses."""
    payload = good_membership(world, term2)
    payload["group_ids"] = [world.other.group1.pk]
    client = api_as(world.admin)
    before = counts()
    response = post(client, f"{API}/members", payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "group_ids"]
    assert counts() == before


def test_auditor_reads_everything_but_cannot_write(world, term2):
    client = api_as(world.auditor)
    assert client.get(f"{API}/members/{world.membership_other.pk}").status_code == 200
    assert client.get(f"{API}/people/{world.person2.pk}").status_code == 200
    before = counts()
    assert post(client, f"{API}/members", good_membership(world, term2)).status_code == 403
    assert post(client, f"{API}/people", {"name": "赵六"}).status_code == 403
    response = patch(client, f"{API}/members/{world.membership1.pk}",
                     {"version": 1, "number": "X"})
    assert response.status_code == 403
    assert counts() == before


def test_permission_is_checked_before_the_body_is_looked_at(world):
    response = post(api_as(world.unit1_user), f"{API}/members", {
        "person_id": 999999, "committee_id": 999999, "term_id": 999999,
        "sector_id": 999999, "start": "2027-01-01"})
    assert response.status_code == 403


def test_office_creates_person_with_audit(world):
    client = api_as(world.office)
    before = Person.objects.count(), AuditRecord.objects.count()
    response = post(client, f"{API}/people", {
        "name": "赵六", "gender": "F", "id_number": "11010119920101124X",
        "phone": "13600001111", "reason": "new member"})
    assert response.status_code == 201, response.content
    assert response.json()["id_number"] == "11010119920101124X"
    assert (Person.objects.count(), AuditRecord.objects.count()) == (
        before[0] + 1, before[1] + 1)


def test_person_with_malformed_id_number_is_422_naming_it(world):
    before = Person.objects.count()
    response = post(api_as(world.office), f"{API}/people",
                    {"name": "赵六", "id_number": "12345"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "id_number"]
    assert Person.objects.count() == before


def test_sc_staff_update_membership_in_scope_with_audit(world):
    url = f"{API}/members/{world.membership1.pk}"
    client = api_as(world.sc1_staff)
    audits = AuditRecord.objects.count()
    response = patch(client, url,
                     {"version": 1, "number": "0007", "reason": "number assigned"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["number"], body["version"]) == ("0007", 2)
    # Fields not sent keep their values.
    assert body["special_committee_ids"] == [world.sc1.pk]
    assert body["sector_id"] == world.sector1.pk
    assert AuditRecord.objects.count() == audits + 1


def test_update_of_membership_out_of_scope_is_404(world):
    response = patch(api_as(world.sc1_staff), f"{API}/members/{world.membership2.pk}",
                     {"version": 1, "number": "0007"})
    assert response.status_code == 404
    world.membership2.refresh_from_db()
    assert world.membership2.number == ""


def test_update_with_stale_version_is_409_and_changes_nothing(world):
    org.update_membership(world.office, world.membership1, expected_version=1, number="A1")
    client = api_as(world.office)
    audits = AuditRecord.objects.count()

    response = patch(client, f"{API}/members/{world.membership1.pk}",
                     {"version": 1, "number": "B2"})

    assert response.status_code == 409
    # Chinese by default, naming the version the caller had and the current one.
    assert "第 1 版" in response.json()["detail"] and "第 2 版" in response.json()["detail"]
    english = client.patch(f"{API}/members/{world.membership1.pk}", {"version": 1},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert "you had version 1, it is now at 2" in english.json()["detail"]
    world.membership1.refresh_from_db()
    assert (world.membership1.number, world.membership1.version) == ("A1", 2)
    assert AuditRecord.objects.count() == audits


def test_update_without_version_is_422(world):
    response = patch(api_as(world.office), f"{API}/members/{world.membership1.pk}",
                     {"number": "B2"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "version"]


def test_update_ending_before_start_is_422_and_changes_nothing(world):
    response = patch(api_as(world.office), f"{API}/members/{world.membership1.pk}",
                     {"version": 1, "end": "2021-01-01"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "end"]
    world.membership1.refresh_from_db()
    assert (world.membership1.end, world.membership1.version) == (None, 1)


def test_update_can_move_sector_and_placements(world):
    response = patch(api_as(world.office), f"{API}/members/{world.membership1.pk}", {
        "version": 1, "sector_id": world.sector2.pk,
        "special_committee_ids": [world.sc2.pk], "group_ids": []})
    assert response.status_code == 200, response.content
    world.membership1.refresh_from_db()
    assert world.membership1.sector_id == world.sector2.pk
    assert list(world.membership1.special_committees.all()) == [world.sc2]
    assert not world.membership1.groups.exists()


def test_update_clearing_the_sector_is_422_naming_it(world):
    response = patch(api_as(world.office), f"{API}/members/{world.membership1.pk}",
                     {"version": 1, "sector_id": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "sector_id"]


def test_office_can_enrol_a_person_it_just_created(world, term2):
    client = api_as(world.office)
    person = post(client, f"{API}/people", {"name": "赵六"}).json()
    assert client.get(f"{API}/people/{person['id']}").status_code == 200
    payload = good_membership(world, term2) | {"person_id": person["id"]}
    assert post(client, f"{API}/members", payload).status_code == 201


def test_person_without_membership_stays_invisible_to_other_committees(world):
    person = post(api_as(world.office), f"{API}/people", {"name": "赵六"}).json()
    assert api_as(world.office_other).get(f"{API}/people/{person['id']}").status_code == 404
    assert api_as(world.leader).get(f"{API}/people/{person['id']}").status_code == 404
