"""What each role reads through the API: scope, filters, paging and masking."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from shixiao.accounts.services import create_token
from shixiao.orgs import services as org

API = "/api/v1"
ID1_MASKED = "110101********1234"
PHONE1_MASKED = "138****5678"


def api_as(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(None, user)}")


def member_ids(user, query: str = "") -> set[int]:
    response = api_as(user).get(f"{API}/members{query}")
    assert response.status_code == 200
    return {m["id"] for m in response.json()["items"]}


def test_sc_staff_see_their_special_committees_members_only(world):
    assert member_ids(world.sc1_staff) == {world.membership1.pk}


def test_member_sees_only_their_own_membership(world):
    assert member_ids(world.member1) == {world.membership1.pk}


def test_office_of_another_committee_sees_none_of_city(world):
    assert member_ids(world.office_other) == {world.membership_other.pk}
    response = api_as(world.office_other).get(f"{API}/members?committee={world.committee.pk}")
    assert response.json() == {"items": [], "count": 0}


def test_auditor_reads_every_committee(world):
    assert member_ids(world.auditor) == {
        world.membership1.pk, world.membership2.pk, world.membership_other.pk}
    committees = api_as(world.auditor).get(f"{API}/committees").json()
    assert committees["count"] == 2


def test_members_filter_by_special_committee_sector_role_and_name(world):
    office = world.office
    assert member_ids(office, f"?special_committee={world.sc2.pk}") == {world.membership2.pk}
    assert member_ids(office, f"?sector={world.sector2.pk}") == set()
    assert member_ids(office, f"?sector={world.sector1.pk}") == {
        world.membership1.pk, world.membership2.pk}
    assert member_ids(office, "?role=standing") == set()
    assert member_ids(office, "?q=李") == {world.membership2.pk}


def test_members_list_is_paginated_with_a_total(world):
    body = api_as(world.office).get(f"{API}/members?limit=1&offset=1").json()
    assert body["count"] == 2
    assert len(body["items"]) == 1


def test_unknown_role_filter_is_422_naming_it(world):
    response = api_as(world.office).get(f"{API}/members?role=boss")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "role"


def test_member_detail_carries_version_placements_and_person(world):
    body = api_as(world.office).get(f"{API}/members/{world.membership1.pk}").json()
    assert body["version"] == world.membership1.version
    assert body["committee_id"] == world.committee.pk
    assert body["special_committee_ids"] == [world.sc1.pk]
    assert body["group_ids"] == [world.group1.pk]
    assert body["person"]["name"] == "张三"


@pytest.mark.parametrize("who", ["sc1_staff", "leader"])
def test_personal_data_is_masked_without_permission(world, who):
    client = api_as(getattr(world, who))
    person = client.get(f"{API}/members/{world.membership1.pk}").json()["person"]
    assert (person["id_number"], person["phone"]) == (ID1_MASKED, PHONE1_MASKED)
    listed = client.get(f"{API}/members?q=张三").json()["items"][0]["person"]
    assert (listed["id_number"], listed["phone"]) == (ID1_MASKED, PHONE1_MASKED)
    person = client.get(f"{API}/people/{world.person1.pk}").json()
    assert (person["id_number"], person["phone"]) == (ID1_MASKED, PHONE1_MASKED)


def test_office_sees_personal_data_unmasked(world):
    person = api_as(world.office).get(f"{API}/people/{world.person1.pk}").json()
    assert (person["id_number"], person["phone"]) == ("110101199003091234", "13812345678")


def test_member_sees_their_own_personal_data_unmasked(world):
    person = api_as(world.member1).get(f"{API}/members/{world.membership1.pk}").json()["person"]
    assert (person["id_number"], person["phone"]) == ("110101199003091234", "13812345678")


def test_committee_detail_shows_the_term_in_force(world, monkeypatch):
    org.create_term(world.admin, committee=world.committee, number=2,
                    start=dt.date(2027, 1, 1), end=dt.date(2031, 12, 31))
    client = api_as(world.office)
    url = f"{API}/committees/{world.committee.pk}"

    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2026, 6, 1))
    body = client.get(url).json()
    assert (body["code"], body["level"]) == ("city", "prefecture")
    assert body["current_term"]["number"] == 1

    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2027, 6, 1))
    assert client.get(url).json()["current_term"]["number"] == 2

    # Before any term starts there is no current term.
    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2020, 1, 1))
    assert client.get(url).json()["current_term"] is None


def test_handling_unit_user_sees_only_its_own_unit(world):
    body = api_as(world.unit1_user).get(f"{API}/handling-units").json()
    assert [u["id"] for u in body["items"]] == [world.unit1.pk]


def test_sectors_and_special_committees_filter_by_committee(world):
    client = api_as(world.auditor)
    sectors = client.get(f"{API}/sectors?committee={world.other.committee.pk}").json()
    assert {s["id"] for s in sectors["items"]} == {world.other.sector1.pk, world.other.sector2.pk}
    scs = client.get(f"{API}/special-committees?committee={world.committee.pk}").json()
    assert {s["id"] for s in scs["items"]} == {world.sc1.pk, world.sc2.pk}


def test_sectors_of_another_committee_are_not_listed(world):
    body = api_as(world.office).get(
        f"{API}/sectors?committee={world.other.committee.pk}").json()
    assert body["count"] == 0


def test_unit_user_may_not_read_members_whatever_the_id(world):
    client = api_as(world.unit1_user)
    assert client.get(f"{API}/members/{world.membership1.pk}").status_code == 403
    assert client.get(f"{API}/members/999999").status_code == 403
