"""visible_to(user): every role sees exactly its part of the world."""

from django.contrib.auth.models import AnonymousUser

from shixiao.accounts.models import User
from shixiao.orgs.models import Committee, HandlingUnit, Membership, Person, Sector


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_anonymous_sees_nothing(world):
    for model in (Committee, Membership, Person, HandlingUnit, Sector):
        assert not model.objects.visible_to(AnonymousUser()).exists()


def test_member_sees_only_their_own_membership_and_person(world):
    assert ids(Membership.objects.visible_to(world.member1)) == {world.membership1.pk}
    assert ids(Person.objects.visible_to(world.member1)) == {world.person1.pk}
    assert ids(Committee.objects.visible_to(world.member1)) == {world.committee.pk}


def test_sc_staff_see_their_special_committees_members_only(world):
    assert ids(Membership.objects.visible_to(world.sc1_staff)) == {world.membership1.pk}
    assert world.person2.pk not in ids(Person.objects.visible_to(world.sc1_staff))


def test_office_and_leader_see_their_committee_not_the_other(world):
    for user in (world.office, world.leader):
        assert ids(Membership.objects.visible_to(user)) == {
            world.membership1.pk, world.membership2.pk}
        assert ids(Committee.objects.visible_to(user)) == {world.committee.pk}
    assert ids(Membership.objects.visible_to(world.office_other)) == {
        world.membership_other.pk}


def test_handling_unit_sees_its_unit_and_no_members(world):
    assert ids(HandlingUnit.objects.visible_to(world.unit1_user)) == {world.unit1.pk}
    assert not Membership.objects.visible_to(world.unit1_user).exists()
    assert not Person.objects.visible_to(world.unit1_user).exists()


def test_auditor_sees_everything(world):
    assert Membership.objects.visible_to(world.auditor).count() == Membership.objects.count()
    assert Committee.objects.visible_to(world.auditor).count() == 2


def test_inactive_user_sees_nothing(world):
    User.objects.filter(pk=world.office.pk).update(is_active=False)
    world.office.refresh_from_db()
    assert not Membership.objects.visible_to(world.office).exists()


def test_member_with_memberships_in_two_committees_sees_both(world):
    import datetime as dt

    from shixiao.orgs import services as org

    o = world.other
    org.create_membership(world.admin, person=world.person1, committee=o.committee,
                          term=o.term, sector=o.sector1, start=dt.date(2022, 1, 1))
    assert ids(Committee.objects.visible_to(world.member1)) == {world.committee.pk,
                                                                o.committee.pk}
