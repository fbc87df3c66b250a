"""The write pages: every rule the services enforce shows as a field error with status 400
(409 for a stale form) and leaves the database exactly as it was."""

import datetime as dt

import pytest

from shixiao.audit.models import AuditRecord
from shixiao.core.errors import ValidationError
from shixiao.orgs import services as org
from shixiao.orgs.models import Membership, Person


def snapshot_counts():
    return (Person.objects.count(), Membership.objects.count(), AuditRecord.objects.count())


@pytest.fixture
def unchanged():
    """Assert, after the test body, that no person, membership or audit record appeared."""
    before = snapshot_counts()
    yield
    assert snapshot_counts() == before


def enrol_data(w, **overrides):
    data = {
        "name": "钱七", "gender": "F", "birth_date": "1980-05-04", "ethnicity": "汉族",
        "party": "民盟", "employer": "示范市第一中学 校长", "id_number": "110101198005041244",
        "phone": "13600001111", "committee": w.committee.pk, "term": w.term.pk,
        "role": "member", "sector": w.sector2.pk, "special_committees": [w.sc1.pk],
        "groups": [w.group1.pk], "start": "2024-03-01", "end": "", "number": "0101",
        "reason": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def errors(response) -> dict:
    return response.context["form"].errors


# Creating a member --------------------------------------------------------------------------

def test_member_create_form_offers_only_what_the_office_can_see(world, as_user):
    form = as_user(world.office).get("/members/new/").context["form"]
    assert list(form.fields["committee"].queryset) == [world.committee]
    assert list(form.fields["term"].queryset) == [world.term]
    assert world.other.sector1 not in form.fields["sector"].queryset
    assert world.other.sc1 not in form.fields["special_committees"].queryset
    assert world.other.group1 not in form.fields["groups"].queryset
    assert form.fields["committee"].initial == world.committee.pk


def test_member_create_with_missing_fields_is_400_and_saves_nothing(world, as_user, unchanged):
    response = as_user(world.office).post("/members/new/", {})
    assert response.status_code == 400
    assert {"name", "committee", "term", "sector", "start"} <= set(errors(response))
    assert "这个字段是必填项" in response.content.decode()


def test_member_create_with_a_bad_date_is_400(world, as_user, unchanged):
    response = as_user(world.office).post("/members/new/",
                                          enrol_data(world, start="2024-13-45"))
    assert response.status_code == 400
    assert set(errors(response)) == {"start"}


def test_member_create_ending_before_it_starts_is_a_field_error(world, as_user, unchanged):
    response = as_user(world.office).post("/members/new/",
                                          enrol_data(world, end="2024-02-01"))
    assert response.status_code == 400
    assert errors(response)["end"] == ["任职结束日期不能早于开始日期。"]
    html = response.content.decode()
    assert 'id="id_end_error"' in html and "任职结束日期不能早于开始日期。" in html
    assert "未保存任何内容" in html


def test_member_create_shows_person_and_membership_errors_together(world, as_user, unchanged):
    response = as_user(world.office).post(
        "/members/new/", enrol_data(world, id_number="12345", end="2024-02-01"))
    assert response.status_code == 400
    assert {"id_number", "end"} <= set(errors(response))


def test_member_create_refuses_another_committees_sector(world, as_user, unchanged):
    response = as_user(world.office).post(
        "/members/new/", enrol_data(world, sector=world.other.sector1.pk))
    assert response.status_code == 400
    assert "sector" in errors(response)


def test_member_create_refuses_a_sector_of_another_committee_it_can_see(world, as_user,
                                                                          unchanged):
    # A superuser sees both committees, so the choice is offered; the model still refuses.
    response = as_user(world.admin).post(
        "/members/new/", enrol_data(world, sector=world.other.sector1.pk))
    assert response.status_code == 400
    assert errors(response)["sector"] == ["该界别属于其他委员会。"]


def test_member_create_saves_person_membership_and_audit_records(world, as_user):
    before = AuditRecord.objects.count()
    response = as_user(world.office).post("/members/new/",
                                          enrol_data(world, reason="2024年增补委员"))
    person = Person.objects.get(name="钱七")
    membership = Membership.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == f"/members/{membership.pk}/"
    assert person.registered_by == world.committee
    assert person.id_number == "110101198005041244"
    assert membership.sector == world.sector2 and membership.number == "0101"
    assert list(membership.special_committees.all()) == [world.sc1]
    new = AuditRecord.objects.order_by("seq")[before:]
    assert [(r.object_type, r.action) for r in new] == [
        ("orgs.person", "create"), ("orgs.membership", "create")]
    assert {r.username for r in new} == {"office"}
    assert {r.reason for r in new} == {"2024年增补委员"}
    assert len({r.request_id for r in new}) == 1
    assert AuditRecord.objects.count() == before + 2


def test_enrol_member_leaves_no_person_when_the_membership_is_refused(world):
    # The office cannot see the other committee: create_person succeeds, create_membership
    # refuses, and the transaction takes the person back with it.
    before = snapshot_counts()
    with pytest.raises(ValidationError) as exc:
        org.enrol_member(
            world.office, person_fields={"name": "孙八"},
            membership_fields={"committee": world.other.committee, "term": world.other.term,
                               "sector": world.other.sector1, "start": dt.date(2024, 1, 1)})
    assert "committee" in exc.value.message_dict
    assert snapshot_counts() == before


def test_member_create_is_refused_to_a_member(world, as_user, unchanged):
    assert as_user(world.member1).post("/members/new/", enrol_data(world)).status_code == 403


# Adding a membership to an existing person --------------------------------------------------

def membership_data(w, term=None, **overrides):
    data = {"committee": w.committee.pk, "term": (term or w.term).pk, "role": "standing",
            "sector": w.sector1.pk, "start": "2023-06-01", "end": "", "number": "",
            "reason": ""}
    data.update(overrides)
    return data


def test_overlapping_membership_is_a_field_error_and_saves_nothing(world, as_user, unchanged):
    response = as_user(world.office).post(f"/people/{world.person1.pk}/memberships/new/",
                                          membership_data(world))
    assert response.status_code == 400
    assert "此人在本委员会本届已有任职" in errors(response)["start"][0]


def test_membership_add_creates_a_second_seat_in_a_new_term(world, as_user):
    term2 = org.create_term(world.admin, committee=world.committee, number=2,
                            start=dt.date(2027, 1, 1))
    response = as_user(world.office).post(
        f"/people/{world.person1.pk}/memberships/new/",
        membership_data(world, term=term2, start="2027-01-01",
                        special_committees=[world.sc2.pk]))
    membership = Membership.objects.get(person=world.person1, term=term2)
    assert response.status_code == 302
    assert response["Location"] == f"/members/{membership.pk}/"
    assert membership.role == "standing"
    assert AuditRecord.objects.filter(object_type="orgs.membership",
                                      object_id=str(membership.pk)).count() == 1


def test_membership_add_for_a_person_out_of_scope_is_404(world, as_user, unchanged):
    response = as_user(world.office).post(f"/people/{world.person_other.pk}/memberships/new/",
                                          membership_data(world))
    assert response.status_code == 404


# Editing a membership -----------------------------------------------------------------------

def edit_data(membership, **overrides):
    data = {
        "role": membership.role, "sector": membership.sector_id,
        "special_committees": [sc.pk for sc in membership.special_committees.all()],
        "groups": [g.pk for g in membership.groups.all()],
        "start": membership.start.isoformat(),
        "end": membership.end.isoformat() if membership.end else "",
        "number": membership.number, "version": membership.version, "reason": "",
    }
    data.update(overrides)
    return data


def test_member_edit_saves_through_the_service_with_an_audit_record(world, as_user):
    m = world.membership1
    response = as_user(world.sc1_staff).post(
        f"/members/{m.pk}/edit/", edit_data(m, number="A-17", reason="补录委员编号"))
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.number == "A-17" and m.version == 2
    record = AuditRecord.objects.order_by("-seq").first()
    assert record.action == "update" and record.object_id == str(m.pk)
    assert record.changes == {"number": ["", "A-17"]}
    assert record.reason == "补录委员编号" and record.username == "sc1"


def test_member_edit_with_a_stale_version_is_a_conflict_and_changes_nothing(world, as_user):
    m = world.membership1
    client = as_user(world.sc1_staff)
    form_version = client.get(f"/members/{m.pk}/edit/").context["form"].initial["version"]
    org.update_membership(world.office, m, number="B-2")  # someone else saves meanwhile
    before = AuditRecord.objects.count()
    response = client.post(f"/members/{m.pk}/edit/",
                           edit_data(m, number="A-17", version=form_version))
    assert response.status_code == 409
    html = response.content.decode()
    assert "他人已修改此记录" in html and "请重新加载后再试" in html
    m.refresh_from_db()
    assert m.number == "B-2" and m.version == 2
    assert AuditRecord.objects.count() == before


def test_member_edit_ending_before_it_starts_is_400(world, as_user, unchanged):
    m = world.membership1
    response = as_user(world.sc1_staff).post(f"/members/{m.pk}/edit/",
                                             edit_data(m, end="2021-12-31"))
    assert response.status_code == 400
    assert errors(response)["end"] == ["任职结束日期不能早于开始日期。"]
    m.refresh_from_db()
    assert m.end is None and m.version == 1


def test_member_edit_with_a_bad_date_is_400(world, as_user, unchanged):
    m = world.membership1
    response = as_user(world.sc1_staff).post(f"/members/{m.pk}/edit/",
                                             edit_data(m, start="2022-02-30"))
    assert response.status_code == 400
    assert set(errors(response)) == {"start"}


def test_member_edit_without_changes_writes_nothing(world, as_user, unchanged):
    m = world.membership1
    response = as_user(world.sc1_staff).post(f"/members/{m.pk}/edit/", edit_data(m))
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.version == 1


def test_member_edit_offers_only_the_memberships_committee(world, as_user):
    form = as_user(world.office).get(
        f"/members/{world.membership1.pk}/edit/").context["form"]
    assert set(form.fields["sector"].queryset) == {world.sector1, world.sector2}
    assert "committee" not in form.fields and "term" not in form.fields


def test_member_edit_is_refused_to_a_leader_and_out_of_scope_staff(world, as_user, unchanged):
    m = world.membership1
    assert as_user(world.leader).post(f"/members/{m.pk}/edit/",
                                      edit_data(m, number="X")).status_code == 403
    m2 = world.membership2
    assert as_user(world.sc1_staff).post(f"/members/{m2.pk}/edit/",
                                         edit_data(m2, number="X")).status_code == 404


def test_member_edit_that_moves_the_member_out_of_scope_returns_to_the_list(world, as_user):
    m = world.membership1
    response = as_user(world.sc1_staff).post(
        f"/members/{m.pk}/edit/", edit_data(m, special_committees=[world.sc2.pk]))
    assert response.status_code == 302 and response["Location"] == "/members/"
    assert list(m.special_committees.all()) == [world.sc2]
