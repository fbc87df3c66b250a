"""Who sees which proposals: staff their committee's, members what they author, units only
what was assigned to them; ratings never reach a handling unit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from shixiao.proposals import services as ps
from shixiao.proposals.models import (
    Assignment,
    FollowUp,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    Rating,
    ReasonCode,
    Reply,
    ReplyAttachment,
    ResultGrade,
)

from .proposals_kit import (
    ASSIGN_ON,
    REPLY_ON,
    D,
    assigned,
    draft,
    grade,
    registered,
    replied,
    unit2_user,
)


def ids(qs):
    return set(qs.values_list("pk", flat=True))


@pytest.fixture
def pair(world):
    """member1's proposal assigned to unit1, and member2's joint one (member1 co-signs)
    assigned to unit2."""
    mine = assigned(world)
    joint = draft(world, actor=world.member2, proposer_type="joint",
                  authors=[world.membership2, world.membership1], title="公交线路优化")
    ps.confirm_co_signature(world.member1, joint)
    joint = ps.submit(world.member2, joint)
    joint = ps.register(world.office, ps.start_review(world.office, joint))
    joint = ps.assign(world.office, joint, mode="single", units=[world.unit2], on=ASSIGN_ON)
    return mine, joint


def test_staff_of_the_committee_see_its_proposals(world, pair):
    everything = ids(Proposal.objects.all())
    for user in (world.office, world.sc1_staff, world.leader, world.auditor):
        assert ids(Proposal.objects.visible_to(user)) == everything
    assert not Proposal.objects.visible_to(world.office_other).exists()
    assert not Proposal.objects.visible_to(world.member_other).exists()


def test_a_member_sees_what_they_author_in_any_role(world, pair):
    mine, joint = pair
    assert ids(Proposal.objects.visible_to(world.member1)) == {mine.pk, joint.pk}
    assert ids(Proposal.objects.visible_to(world.member2)) == {joint.pk}
    assert ids(ProposalAuthor.objects.visible_to(world.member2)) == ids(joint.authors)


def test_a_unit_sees_only_what_was_assigned_to_it(world, pair):
    mine, joint = pair
    assert ids(Proposal.objects.visible_to(world.unit1_user)) == {mine.pk}
    assert ids(Proposal.objects.visible_to(unit2_user(world))) == {joint.pk}
    assert ids(Assignment.objects.visible_to(world.unit1_user)) == ids(mine.assignments)


def test_an_unassigned_registered_proposal_is_invisible_to_units(world):
    registered(world)
    assert not Proposal.objects.visible_to(world.unit1_user).exists()


def test_a_unit_gets_404_on_another_units_proposal_through_services(world, pair):
    mine, joint = pair
    theirs = joint.assignments.get()
    with pytest.raises(Http404):
        ps.object_to_assignment(world.unit1_user, theirs, reason="x", on=ASSIGN_ON)
    with pytest.raises(Http404):
        ps.reply(world.unit1_user, theirs, text="x",
                 grade=ResultGrade.objects.get(committee=world.committee, code="A"))
    with pytest.raises(Http404):
        ps.submit_co_opinion(world.unit1_user, theirs, text="x")


def test_units_never_see_ratings(world):
    p = replied(world)
    ps.rate(world.member1, p, process="unsatisfied", result="unsatisfied",
            comment="答非所问", on=D(2025, 6, 1))
    assert Rating.objects.count() == 1
    assert not Rating.objects.visible_to(world.unit1_user).exists()
    assert Proposal.objects.visible_to(world.unit1_user).filter(pk=p.pk).exists()
    unit_events = ProposalEvent.objects.visible_to(world.unit1_user).filter(proposal=p)
    assert unit_events.exists() and not unit_events.filter(action="rated").exists()
    assert ProposalEvent.objects.visible_to(world.office).filter(action="rated").exists()


def test_ratings_are_seen_by_their_author_and_the_committees_staff(world):
    p = replied(world)
    ps.rate(world.member1, p, process="satisfied", result="basically")
    for user in (world.member1, world.office, world.leader, world.sc1_staff, world.auditor):
        assert Rating.objects.visible_to(user).count() == 1
    for user in (world.member2, world.office_other, world.member_other):
        assert not Rating.objects.visible_to(user).exists()


def test_units_see_replies_and_follow_ups_of_their_own_proposals_only(world):
    p = replied(world)
    assert ids(Reply.objects.visible_to(world.unit1_user)) == ids(p.replies)
    assert ids(FollowUp.objects.visible_to(world.unit1_user)) == ids(p.follow_ups)
    other = unit2_user(world)
    assert not Reply.objects.visible_to(other).exists()
    assert not FollowUp.objects.visible_to(other).exists()


def test_in_separate_handling_a_unit_reads_only_its_own_reply(world):
    u2 = unit2_user(world)
    p = assigned(world, mode="separate", units=[world.unit1, world.unit2])
    letters = [SimpleUploadedFile(f"答复函{i}.pdf", b"%PDF-1.4 ...",
                                  content_type="application/pdf") for i in (1, 2)]
    first = ps.reply(world.unit1_user, p.assignments.get(unit=world.unit1), text="教育局答复",
                     grade=grade(world, "B"), attachments=[letters[0]], on=REPLY_ON)
    second = ps.reply(u2, p.assignments.get(unit=world.unit2), text="交通局答复",
                      grade=grade(world, "A"), attachments=[letters[1]], on=REPLY_ON)
    assert ids(Reply.objects.visible_to(world.unit1_user)) == {first.pk}
    assert ids(Reply.objects.visible_to(u2)) == {second.pk}
    assert ids(ReplyAttachment.objects.visible_to(world.unit1_user)) == ids(first.attachments)
    assert ids(ReplyAttachment.objects.visible_to(u2)) == ids(second.attachments)
    # Both still see the proposal; the office and its author read both replies.
    for user in (world.unit1_user, u2):
        assert Proposal.objects.visible_to(user).filter(pk=p.pk).exists()
    for user in (world.office, world.member1):
        assert ids(Reply.objects.visible_to(user)) == {first.pk, second.pk}
        assert ReplyAttachment.objects.visible_to(user).count() == 2


def test_a_co_handling_unit_reads_the_lead_units_reply(world):
    u2 = unit2_user(world)
    p = assigned(world, mode="lead_co", units=[world.unit1, world.unit2])
    ps.submit_co_opinion(u2, p.assignments.get(role="co"), text="同意施划临时停车位。",
                         on=D(2025, 4, 20))
    answer = ps.reply(world.unit1_user, p.assignments.get(role="lead"), text="综合答复",
                      grade=grade(world, "B"), on=REPLY_ON)
    assert ids(Reply.objects.visible_to(u2)) == {answer.pk}
    assert ids(Reply.objects.visible_to(world.unit1_user)) == {answer.pk}


def test_a_reassigned_unit_no_longer_sees_the_proposal(world):
    p = assigned(world)
    a = ps.object_to_assignment(world.unit1_user, p.assignments.get(), reason="不归我们",
                                on=ASSIGN_ON)
    assert Proposal.objects.visible_to(world.unit1_user).exists()
    ps.reassign(world.office, a, world.unit2)
    assert not Proposal.objects.visible_to(world.unit1_user).exists()
    assert Proposal.objects.visible_to(unit2_user(world)).exists()


def test_code_lists_are_committee_wide(world):
    draft(world)
    for user in (world.member1, world.unit1_user, world.office, world.leader):
        assert ReasonCode.objects.visible_to(user).count() == 10
        assert ResultGrade.objects.visible_to(user).count() == 3
    assert not ReasonCode.objects.visible_to(world.office_other).exists()


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    draft(world)
    assert not Proposal.objects.visible_to(AnonymousUser()).exists()
    assert not Proposal.objects.visible_to(None).exists()
