"""Org services refuse bad input with field errors and leave stored data untouched."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shixiao.audit.models import AuditRecord
from shixiao.core.choices import MembershipRole
from shixiao.core.errors import ConflictError
from shixiao.core.masking import mask_id_number, mask_phone
from shixiao.orgs import services as org
from shixiao.orgs.models import Membership, Person


def counts():
    return Membership.objects.count(), Person.objects.count(), AuditRecord.objects.count()


def new_membership(w, actor=None, **overrides):
    fields = dict(person=w.person1, committee=w.committee, term=w.term,
                  role=MembershipRole.MEMBER, sector=w.sector1, start=dt.date(2024, 1, 1))
    fields.update(overrides)
    return org.create_membership(actor or w.office, **fields)


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_membership_ending_before_it_starts_is_refused_on_end(world):
    other_term = org.create_term(world.admin, committee=world.committee, number=2,
                                 start=dt.date(2027, 1, 1))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        new_membership(world, term=other_term, start=dt.date(2027, 3, 1),
                       end=dt.date(2027, 2, 1))
    assert "end" in field_errors(exc)
    assert counts() == before


def test_overlapping_membership_same_committee_and_term_is_refused_on_start(world):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        new_membership(world, start=dt.date(2023, 6, 1))
    assert "start" in field_errors(exc)
    assert counts() == before


def test_membership_after_an_ended_one_in_the_same_term_is_allowed(world):
    org.end_membership(world.office, world.membership1, end=dt.date(2023, 12, 31),
                       reason="resigned")
    again = new_membership(world, start=dt.date(2024, 6, 1))
    assert again.pk


def test_one_person_may_hold_memberships_in_two_committees(world):
    o = world.other
    m = org.create_membership(world.admin, person=world.person1, committee=o.committee,
                              term=o.term, sector=o.sector1, start=dt.date(2022, 1, 1))
    assert set(world.person1.memberships.values_list("committee", flat=True)) == {
        world.committee.pk, o.committee.pk}
    assert m.pk


def test_term_and_sector_of_another_committee_are_refused(world):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        new_membership(world, person=world.person2, term=world.other.term,
                       sector=world.other.sector1, start=dt.date(2030, 1, 1))
    assert {"term", "sector"} <= set(field_errors(exc))
    assert counts() == before


def test_special_committee_of_another_committee_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        org.update_membership(world.office, world.membership1,
                              special_committees=[world.other.sc1])
    assert "special_committees" in field_errors(exc)
    assert list(world.membership1.special_committees.all()) == [world.sc1]


def test_missing_required_fields_are_named(world):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        org.create_membership(world.office, person=world.person2, committee=world.committee)
    assert {"term", "sector", "start"} <= set(field_errors(exc))
    assert counts() == before


def test_member_cannot_create_memberships(world):
    with pytest.raises(PermissionDenied):
        new_membership(world, actor=world.member1, person=world.person2)


def test_office_cannot_add_members_to_another_committee(world):
    o = world.other
    with pytest.raises(ValidationError) as exc:
        org.create_membership(world.office, person=world.person2, committee=o.committee,
                              term=o.term, sector=o.sector1, start=dt.date(2022, 1, 1))
    assert "committee" in field_errors(exc)


def test_sc_staff_cannot_change_a_member_outside_their_special_committee(world):
    with pytest.raises(Http404):
        org.update_membership(world.sc1_staff, world.membership2, number="1")
    org.update_membership(world.sc1_staff, world.membership1, number="7")


def test_auditor_changes_nothing(world):
    with pytest.raises(PermissionDenied):
        org.update_membership(world.auditor, world.membership1, number="1")


def test_stale_version_is_a_conflict_and_keeps_the_first_write(world):
    read_version = world.membership1.version
    org.update_membership(world.office, world.membership1, number="A1",
                          expected_version=read_version)
    with pytest.raises(ConflictError):
        org.update_membership(world.sc1_staff, world.membership1, number="B2",
                              expected_version=read_version)
    world.membership1.refresh_from_db()
    assert world.membership1.number == "A1"


def test_bad_id_number_and_phone_are_field_errors(world):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        org.create_person(world.office, name="赵六", id_number="12345", phone="call me")
    assert {"id_number", "phone"} <= set(field_errors(exc))
    assert counts() == before


def test_masking_hides_birth_date_and_middle_digits():
    assert mask_id_number("110101199003091234") == "110101********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


def test_person_masked_depends_on_viewer(world):
    p = world.person1
    assert p.masked("id_number", world.office) == "110101199003091234"
    assert p.masked("id_number", world.member1) == "110101199003091234"  # own data
    assert p.masked("id_number", world.sc1_staff) == "110101********1234"
    assert p.masked("phone", world.leader) == "138****5678"
    assert p.masked("phone", world.member2) == "138****5678"


def test_anonymous_actor_is_not_the_system_unless_the_service_says_so(world):
    """Org services take None as no one: only services that act as the system admit it."""
    with pytest.raises(PermissionDenied):
        org.update_membership(None, world.membership1, number="1")
