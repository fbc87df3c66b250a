"""The demo committee: deterministic, built through audited services, with working logins."""

import io

import pytest
from django.contrib.auth import base_user, hashers
from django.core.management import call_command
from django.core.management.base import CommandError

from shixiao.accounts.models import User
from shixiao.audit.models import Action, AuditRecord
from shixiao.audit.services import verify_chain
from shixiao.core.choices import GroupKind, MembershipRole, UserRole
from shixiao.orgs import demo
from shixiao.orgs.models import (
    Committee,
    Group,
    HandlingUnit,
    Membership,
    Person,
    Sector,
    Session,
    SpecialCommittee,
    Term,
)
from shixiao.orgs.validators import validate_id_number

MEMBERS = 30


def fingerprint():
    """Everything a seed decides, keyed by login rather than database id."""
    rows = []
    for m in (Membership.objects.select_related("person__user", "sector", "committee")
              .prefetch_related("special_committees", "groups")):
        p = m.person
        rows.append((
            p.user.username, m.committee.code, p.name, p.gender, str(p.birth_date),
            p.ethnicity, p.party, p.employer, p.id_number, p.phone, m.role, m.sector.name,
            sorted(sc.name for sc in m.special_committees.all()),
            sorted(g.name for g in m.groups.all()), str(m.start), str(m.end), m.number,
        ))
    return sorted(rows)


def city_memberships():
    return Membership.objects.filter(committee__code=demo.CITY_CODE)


@pytest.fixture(scope="module")
def demo_committee(django_db_setup, django_db_blocker):
    """One demo committee shared by the read-only tests below: generating it costs most of
    a second, nearly all of it in the fixed reference data. Tests that generate their own
    start with `fresh`, which flushes inside their transaction and so leaves this one be."""
    with django_db_blocker.unblock():
        result = demo.generate(members=MEMBERS, seed=2026)
    yield result
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo_world(demo_committee, db):
    return demo_committee


@pytest.fixture
def flushable(db):
    """PostgreSQL refuses to TRUNCATE (flush) a table with foreign-key checks still
    deferred in the same transaction; the test's transaction checks them at once."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_same_seed_gives_the_same_committee_in_a_fresh_database_and_another_seed_does_not(
        flushable):
    demo.generate(members=MEMBERS, seed=11, fresh=True)
    first = fingerprint()
    call_command("flush", interactive=False, verbosity=0)
    assert not Person.objects.exists()
    demo.generate(members=MEMBERS, seed=11)
    assert fingerprint() == first
    assert len(first) > MEMBERS  # city memberships plus provincial ones

    demo.generate(members=MEMBERS, seed=12, fresh=True)
    assert {row[2] for row in fingerprint()} != {row[2] for row in first}


def test_every_created_record_has_its_audit_record_and_the_chain_verifies(demo_world):
    created = set(AuditRecord.objects.filter(action=Action.CREATE)
                  .values_list("object_type", "object_id"))
    for model in (Committee, Term, Session, Sector, SpecialCommittee, Group, HandlingUnit,
                  Person, Membership, User):
        for pk in model.objects.values_list("pk", flat=True):
            assert (model._meta.label_lower, str(pk)) in created, (model, pk)
    ended = city_memberships().filter(end__isnull=False)
    assert ended.exists()
    for m in ended:
        update = AuditRecord.objects.get(object_type="orgs.membership", object_id=str(m.pk),
                                         action=Action.UPDATE)
        assert update.reason and "end" in update.changes
    assert verify_chain() is None


def test_demo_logins_have_their_roles_scopes_and_password(demo_world):
    city = Committee.objects.get(code=demo.CITY_CODE)
    users = {u.username: u for u in User.objects.all()}
    assert users["admin"].is_superuser
    assert users["office"].role == UserRole.OFFICE and users["office"].committee == city
    assert users["leader"].role == UserRole.LEADER and users["leader"].committee == city
    assert users["auditor"].role == UserRole.AUDITOR
    sc1 = users["sc1"]
    assert sc1.role == UserRole.SC_STAFF
    assert sc1.special_committee == SpecialCommittee.objects.filter(committee=city).first()
    assert sc1.special_committee.name == "提案委员会"
    unit1 = users["unit1"]
    assert unit1.role == UserRole.UNIT and unit1.handling_unit.name == "市发展和改革委员会"
    assert unit1.handling_unit.committee == city
    members = [f"member{n}" for n in range(1, MEMBERS + 1)]
    for username in members:
        user = users[username]
        assert user.role == UserRole.MEMBER
        assert user.person.memberships.filter(committee=city).exists()
    for username in ["admin", "office", "sc1", "leader", "auditor", "unit1", *members[:3]]:
        assert users[username].check_password("demo"), username
    assert len(users) == 6 + MEMBERS


def test_member1_is_in_sc1_scope_and_member2_is_not(demo_world):
    sc1 = User.objects.get(username="sc1")
    visible = Membership.objects.visible_to(sc1)
    assert visible.filter(person__user__username="member1").exists()
    assert not visible.filter(person__user__username="member2").exists()


def test_some_people_sit_on_both_the_city_and_the_provincial_committee(demo_world):
    both = Person.objects.filter(memberships__committee__code=demo.CITY_CODE).filter(
        memberships__committee__code=demo.PROVINCE_CODE).distinct()
    assert both.filter(user__username="member3").exists()
    assert 1 <= both.count() <= MEMBERS // 5
    province = Committee.objects.get(code=demo.PROVINCE_CODE)
    assert Committee.objects.get(code=demo.CITY_CODE).parent == province


def test_the_committee_has_a_real_shape(demo_world):
    city = Committee.objects.get(code=demo.CITY_CODE)
    term = Term.objects.get(committee=city)
    assert term.number == 7 and term.sessions.count() == 5
    assert Sector.objects.filter(committee=city).count() == 31
    assert SpecialCommittee.objects.filter(committee=city).count() == 9
    assert Group.objects.filter(committee=city, kind=GroupKind.ACTIVITY).count() == 8
    assert Group.objects.filter(committee=city, kind=GroupKind.LIAISON).count() == 6
    assert HandlingUnit.objects.filter(committee=city).exclude(code="").count() == 20
    roles = list(city_memberships().values_list("role", flat=True))
    assert roles.count(MembershipRole.CHAIRS) >= 1
    assert roles.count(MembershipRole.STANDING) >= 1
    assert roles.count(MembershipRole.MEMBER) > len(roles) * 0.7
    for m in city_memberships().prefetch_related("special_committees", "groups"):
        assert 1 <= m.special_committees.count() <= 2
        kinds = sorted(g.kind for g in m.groups.all())
        assert kinds == [GroupKind.ACTIVITY, GroupKind.LIAISON]
    assert city_memberships().filter(start__gt=term.start).exists()  # by-election


def test_id_numbers_are_valid_and_agree_with_birth_date_and_gender(demo_world):
    """GB 11643 check digit, a real birth date and a known region, as Person.clean checks."""
    for p in Person.objects.all():
        validate_id_number(p.id_number, birth_date=p.birth_date, gender=p.gender)
        assert p.id_number[6:14] == p.birth_date.strftime("%Y%m%d")
        assert (int(p.id_number[16]) % 2 == 1) == (p.gender == "M")
        assert len(p.phone) == 11 and p.phone.startswith("1")


def test_running_again_creates_nothing_and_reports_the_existing_committee(demo_world):
    before = (Person.objects.count(), User.objects.count(), AuditRecord.objects.count())
    again = demo.generate(members=MEMBERS, seed=99)
    assert not again.created
    assert again.members == MEMBERS
    assert (Person.objects.count(), User.objects.count(),
            AuditRecord.objects.count()) == before


def test_password_hashing_is_restored_after_generating(demo_world):
    assert base_user.make_password is hashers.make_password


def test_demo_data_command_prints_the_logins_and_fresh_rebuilds(flushable):
    out = io.StringIO()
    call_command("demo_data", members=20, seed=1, fresh=True, today="2026-06-30", stdout=out)
    text = out.getvalue()
    for username in ["admin", "office", "sc1", "leader", "auditor", "unit1", "member1",
                     "member2", "member3"]:
        assert f"  {username} " in text
    assert "member1 … member20" in text
    assert "proposals for 2025 through the workflow" in text  # the last complete year
    assert "proposals for 2026 through the workflow" in text  # and this one, up to today
    assert "opinion reports" in text and "scored" in text
    assert "password: demo" in text
    assert city_memberships().count() == 20

    out = io.StringIO()
    call_command("demo_data", members=20, seed=1, password="other", stdout=out)
    assert "already exists" in out.getvalue()
    assert "password: demo" not in out.getvalue()  # it cannot know, and does not pretend

    call_command("demo_data", members=25, seed=1, fresh=True, stdout=io.StringIO())
    assert city_memberships().count() == 25
    assert verify_chain() is None
    with pytest.raises(CommandError):
        call_command("demo_data", members=2, fresh=True, stdout=io.StringIO())
