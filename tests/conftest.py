"""Shared fixtures: two committees built through the production services, with one user
of every role, so each test can ask "who sees what" against the same small world.

World:
  committee `city` (prefecture), term 1, sectors S1/S2, special committees SC1/SC2,
  groups G1, handling units U1/U2;
  member1: SC1, sector S1 (in sc1's scope); member2: SC2 (outside sc1's scope);
  committee `other` (another city) with member_other;
  users: office, sc1 (staff of SC1), leader, auditor, unit1 (U1), member1, member2,
  office_other (office of `other`).
"""

import datetime as dt

import pytest
from django.test import Client

from shixiao.accounts.services import create_user
from shixiao.core.choices import CommitteeLevel, GroupKind, MembershipRole, UserRole
from shixiao.orgs import services as org


class World:
    """Attribute bag for the fixture world."""


def build_committee(code: str, name: str, admin):
    w = World()
    w.committee = org.create_committee(admin, name=name, code=code,
                                       level=CommitteeLevel.PREFECTURE)
    # From 2022, so the tests' dated records fall in it; to the end of next year, so it is
    # the current term on whatever day the tests run.
    w.term = org.create_term(admin, committee=w.committee, number=1, start=dt.date(2022, 1, 1),
                             end=dt.date(dt.date.today().year + 1, 12, 31))
    w.sector1 = org.create_sector(admin, committee=w.committee, name="经济界")
    w.sector2 = org.create_sector(admin, committee=w.committee, name="教育界")
    w.sc1 = org.create_special_committee(admin, committee=w.committee, name="提案委员会")
    w.sc2 = org.create_special_committee(admin, committee=w.committee, name="经济委员会")
    w.group1 = org.create_group(admin, committee=w.committee, name="第一联络组",
                                kind=GroupKind.LIAISON)
    w.unit1 = org.create_handling_unit(admin, committee=w.committee, name="市教育局")
    w.unit2 = org.create_handling_unit(admin, committee=w.committee, name="市交通运输局")
    return w


def add_member(admin, w, username: str, name: str, sc, *, role=MembershipRole.MEMBER,
               id_number="110101199003091234", phone="13812345678"):
    user = create_user(None, username=username, password="pw", role=UserRole.MEMBER)
    person = org.create_person(admin, name=name, id_number=id_number, phone=phone, user=user)
    membership = org.create_membership(
        admin, person=person, committee=w.committee, term=w.term, role=role,
        sector=w.sector1, start=dt.date(2022, 1, 1), special_committees=[sc],
        groups=[w.group1],
    )
    return user, person, membership


@pytest.fixture
def world(db):
    admin = create_user(None, username="admin", password="pw", role=UserRole.OFFICE,
                        is_superuser=True)
    w = build_committee("city", "示范市政协", admin)
    o = build_committee("other", "邻市政协", admin)
    w.admin = admin
    w.other = o
    mk = lambda username, role, **kw: create_user(  # noqa: E731
        None, username=username, password="pw", role=role, **kw)
    w.office = mk("office", UserRole.OFFICE, committee=w.committee)
    w.sc1_staff = mk("sc1", UserRole.SC_STAFF, committee=w.committee, special_committee=w.sc1)
    w.leader = mk("leader", UserRole.LEADER, committee=w.committee)
    w.auditor = mk("auditor", UserRole.AUDITOR)
    w.unit1_user = mk("unit1", UserRole.UNIT, committee=w.committee, handling_unit=w.unit1)
    w.office_other = mk("office_other", UserRole.OFFICE, committee=o.committee)
    w.member1, w.person1, w.membership1 = add_member(admin, w, "member1", "张三", w.sc1)
    w.member2, w.person2, w.membership2 = add_member(
        admin, w, "member2", "李四", w.sc2, id_number="320102198807164321", phone="13987654321")
    w.member_other, w.person_other, w.membership_other = add_member(
        admin, o, "member_other", "王五", o.sc1, id_number="440126197512019876",
        phone="13700001111")
    return w


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user():
    """`as_user(user)` → a Django test client logged in as that user (None = anonymous)."""
    return client_for


@pytest.fixture(autouse=True)
def english_messages_in_direct_calls():
    """Services called directly by a test raise their messages in English, the source
    language the tests match on. Pages requested through the test client still choose
    their language per request (Chinese by default), as for real users."""
    from django.utils import translation

    with translation.override("en"):
        yield
