"""After the reply: follow-up reviews at the policy's horizons, closure only with a verified
outcome, key / excellent / endorsed, and how each event moves the member's score under the
default rubric (shixiao-effect) as its comments say."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shixiao.audit.models import AuditRecord
from shixiao.core.errors import ConflictError, DomainError
from shixiao.orgs import services as org
from shixiao.proposals import services as ps
from shixiao.proposals.models import FollowUp

from .proposals_kit import (
    ASSIGN_ON,
    REPLY_ON,
    D,
    assigned,
    draft,
    grade,
    live,
    member_score,
    registered,
    replied,
    statuses,
    unit2_user,
)

EVIDENCE = "2025年11月实地查看：接送车位已施划，早高峰排队由20分钟降至5分钟；照片存档第12号。"


def follow_ups(p):
    return list(p.follow_ups.order_by("due"))


def review(w, f, finding="fulfilled", on=None, took_part=False):
    return ps.review_follow_up(w.office, f, finding=finding, evidence=EVIDENCE,
                               member_took_part=took_part, on=on or f.due)


def test_a_reply_that_needs_follow_up_schedules_reviews_at_the_policy_horizons(world):
    p = replied(world, code="B")
    assert [(f.horizon_months, f.due) for f in follow_ups(p)] == [
        (6, D(2025, 11, 20)), (12, D(2026, 5, 20)), (24, D(2027, 5, 20))]


def test_an_adopted_or_reference_reply_schedules_none(world):
    assert replied(world, code="A").follow_ups.count() == 0
    assert replied(world, code="C", title="另一件").follow_ups.count() == 0


def test_unit_reports_progress_and_the_proposal_is_followed_up(world):
    p = replied(world)
    first = follow_ups(p)[0]
    progress = ps.report_progress(world.unit1_user, first, text="已增设两处接送点。",
                                  on=D(2025, 10, 1))
    p.refresh_from_db()
    assert (progress.unit, p.state) == (world.unit1, "follow_up")


def test_another_unit_cannot_report_progress_on_a_proposal_it_does_not_handle(world):
    p = replied(world)
    with pytest.raises(Http404):
        ps.report_progress(unit2_user(world), follow_ups(p)[0], text="x")


def test_a_review_needs_a_finding_and_its_evidence(world):
    f = follow_ups(replied(world))[0]
    with pytest.raises(ValidationError) as exc:
        ps.review_follow_up(world.office, f, finding="fulfilled", evidence=" ")
    assert "evidence" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ps.review_follow_up(world.office, f, finding="done", evidence=EVIDENCE)
    assert "finding" in exc.value.message_dict
    f.refresh_from_db()
    assert not f.reviewed


def test_fulfilled_review_verifies_the_effect_once_and_lengthens_its_horizon(world):
    p = replied(world)
    six, twelve, _ = follow_ups(p)
    review(world, six, took_part=True)
    (verified,) = live(world.membership1, "effect_verified")
    assert verified.attrs["horizon_months"] == 6
    assert statuses(world.membership1).count("follow_up_review") == 1
    review(world, twelve)
    (verified,) = live(world.membership1, "effect_verified")
    assert verified.attrs["horizon_months"] == 12 and verified.effective == twelve.due
    # as of the 6-month review the score still shows what was known then
    assert [e.attrs["horizon_months"] for e in
            live(world.membership1, "effect_verified", as_of=D(2026, 1, 1))] == [6]


def test_a_later_unkept_finding_retracts_the_verified_effect(world):
    p = replied(world)
    six, twelve, _ = follow_ups(p)
    review(world, six)
    before = member_score(world, world.membership1).total
    review(world, twelve, finding="unkept")
    assert live(world.membership1, "effect_verified") == []
    assert len(live(world.membership1, "effect_unkept")) == 1
    assert member_score(world, world.membership1).total == before - 20
    assert member_score(world, world.membership1, as_of=D(2026, 1, 1)).total == before


def test_a_follow_up_is_reviewed_once(world):
    f = follow_ups(replied(world))[0]
    review(world, f)
    with pytest.raises(DomainError, match="already reviewed"):
        review(world, f)
    with pytest.raises(DomainError, match="was reviewed on"):
        ps.report_progress(world.unit1_user, f, text="x")


def test_closing_with_an_unverified_outcome_is_refused(world):
    p = replied(world)
    six, twelve, _ = follow_ups(p)
    with pytest.raises(DomainError) as exc:
        ps.close(world.office, p, outcome="fulfilled", on=D(2025, 10, 1))
    assert "Closing with an unverified outcome is refused" in str(exc.value)
    review(world, six, finding="partly")
    with pytest.raises(DomainError, match="unverified outcome"):
        ps.close(world.office, p, outcome="fulfilled", on=D(2025, 12, 1))
    p.refresh_from_db()
    assert p.state == "follow_up" and p.outcome == ""


def test_closing_waits_for_every_follow_up_due_so_far(world):
    p = replied(world)
    six, twelve, _ = follow_ups(p)
    review(world, six)
    with pytest.raises(DomainError) as exc:
        ps.close(world.office, p, outcome="fulfilled", on=D(2026, 6, 1))
    assert str(twelve.due) in str(exc.value)
    p = ps.close(world.office, p, outcome="fulfilled", on=D(2026, 1, 5))
    assert (p.state, p.outcome, p.closed_on) == ("closed", "fulfilled", D(2026, 1, 5))


def test_an_adopted_reply_closes_after_its_own_verification(world):
    p = replied(world, code="A")
    with pytest.raises(DomainError, match="promised action"):
        ps.close(world.office, p, outcome="")
    f = ps.add_follow_up(world.office, p, horizon_months=3, on=D(2025, 6, 1))
    assert f.due == D(2025, 8, 20)
    review(world, f)
    p.refresh_from_db()
    p = ps.close(world.office, p, outcome="fulfilled", version=p.version, on=D(2025, 9, 1))
    assert p.state == "closed"


def test_a_reply_for_reference_closes_without_an_outcome(world):
    p = replied(world, code="C")
    p = ps.close(world.office, p, outcome="", on=D(2025, 6, 30))
    assert (p.state, p.outcome) == ("closed", "")


def test_a_proposal_being_rehandled_cannot_close(world):
    p = replied(world, code="C")
    ps.rate(world.member1, p, process="unsatisfied", result="unsatisfied")
    p = ps.request_rehandling(world.office, p, reason="再办")
    with pytest.raises(DomainError, match="this one is Being handled again"):
        ps.close(world.office, p, outcome="")


def test_units_and_members_cannot_review_or_close(world):
    p = replied(world)
    f = follow_ups(p)[0]
    for actor in (world.unit1_user, world.member1):
        with pytest.raises(PermissionDenied):
            ps.review_follow_up(actor, f, finding="fulfilled", evidence=EVIDENCE)
        with pytest.raises(PermissionDenied):
            ps.close(actor, p, outcome="fulfilled")


def test_key_proposal_needs_a_supervisor_of_the_committee(world):
    p = registered(world)
    with pytest.raises(ValidationError) as exc:
        ps.mark_key(world.office, p, world.member1)
    assert "supervisor" in exc.value.message_dict
    p = ps.mark_key(world.office, p, world.leader, on=D(2025, 3, 15))
    assert p.is_key and p.key_supervisor == world.leader
    with pytest.raises(DomainError, match="already a key proposal"):
        ps.mark_key(world.office, p, world.leader)
    with pytest.raises(DomainError, match="Draft"):
        ps.mark_key(world.office, draft(world, title="草稿"), world.leader)


def test_excellent_is_chosen_after_the_reply_for_a_past_or_current_year(world):
    with pytest.raises(DomainError, match="after the reply"):
        ps.select_excellent(world.office, assigned(world), year=2025)
    p = replied(world, title="另一件")
    with pytest.raises(ValidationError) as exc:
        ps.select_excellent(world.office, p, year=2027, on=D(2026, 2, 1))
    assert "year" in exc.value.message_dict
    p = ps.select_excellent(world.office, p, year=2025, on=D(2026, 2, 1))
    (entry,) = live(world.membership1, "excellent")
    assert (entry.date, entry.effective) == (D(2025, 12, 31), D(2026, 2, 1))
    with pytest.raises(DomainError, match="already selected"):
        ps.select_excellent(world.office, p, year=2025, on=D(2026, 2, 1))


def test_endorsement_needs_a_level_a_leader_and_a_registered_proposal(world):
    p = registered(world)
    with pytest.raises(ValidationError) as exc:
        ps.record_endorsement(world.office, p, level="city", leader="", on=D(2025, 4, 1))
    assert {"level", "leader"} <= set(exc.value.message_dict)
    with pytest.raises(DomainError, match="Draft"):
        ps.record_endorsement(world.office, draft(world, title="草稿"), level="prefecture",
                              leader="市长", on=D(2025, 4, 1))
    e = ps.record_endorsement(world.office, p, level="prefecture", leader="市长",
                              on=D(2025, 4, 1))
    assert (e.level, e.proposal) == ("prefecture", p)
    assert live(world.membership1, "endorsed")[0].attrs["level"] == "prefecture"


def test_disclosure_says_why(world):
    p = registered(world)
    with pytest.raises(ValidationError):
        ps.set_disclosure(world.office, p, public=True, reason="")
    p = ps.set_disclosure(world.office, p, public=True, reason="提案人同意公开")
    assert p.public and p.events.last().action == "disclosure"


def test_stale_follow_up_review_is_refused_and_the_first_stands(world):
    f = follow_ups(replied(world))[0]
    read = f.version
    review(world, f, finding="partly")
    with pytest.raises(ConflictError):
        ps.review_follow_up(world.office, f, finding="fulfilled", evidence=EVIDENCE,
                            version=read)
    f.refresh_from_db()
    assert f.finding == "partly"


def test_every_effect_step_is_audited(world):
    p = replied(world)
    steps = [
        lambda: ps.report_progress(world.unit1_user, follow_ups(p)[0], text="进展"),
        lambda: review(world, follow_ups(p)[0]),
        lambda: ps.add_follow_up(world.office, p, horizon_months=36),
        lambda: ps.mark_key(world.office, p, world.leader),
        lambda: ps.select_excellent(world.office, p, year=2025, on=D(2026, 1, 10)),
        lambda: ps.record_endorsement(world.office, p, level="county", leader="区长",
                                      on=D(2025, 6, 1)),
        lambda: ps.set_disclosure(world.office, p, public=False, reason="涉及个人信息"),
    ]
    for step in steps:
        before = AuditRecord.objects.count()
        step()
        assert AuditRecord.objects.count() > before


# The score moves as the rubric's comments say ----------------------------------------------

def test_each_outcome_event_changes_the_default_score_as_the_rubric_says(world):
    m = world.membership1

    def total():
        return member_score(world, m).total

    p = registered(world)
    assert total() == 3                     # registered: a start, not a result (3)
    p = ps.mark_key(world.office, p, world.leader, on=D(2025, 3, 15))
    assert total() == 3 + 2                 # key: chosen is not an outcome (2)
    p = ps.assign(world.office, p, mode="single", units=[world.unit1], on=ASSIGN_ON)
    ps.reply(world.unit1_user, p.assignments.get(), text="已采纳", grade=grade(world, "A"),
             on=REPLY_ON)
    assert total() == 5 + 8                 # adopted: a promise of action (8)
    ps.record_endorsement(world.office, p, level="prefecture", leader="市长",
                          on=D(2025, 6, 1))
    assert total() == 13 + 12               # endorsed at prefecture level (12)
    ps.record_endorsement(world.office, p, level="county", leader="区长", on=D(2025, 6, 2))
    assert total() == 25                    # a lower level adds nothing: highest per proposal
    ps.record_endorsement(world.office, p, level="provincial", leader="省长",
                          on=D(2025, 7, 1))
    assert total() == 13 + 14               # the best level counts (14), once
    p.refresh_from_db()
    ps.select_excellent(world.office, p, year=2025, on=D(2025, 12, 20))
    assert total() == 27 + 10               # excellent: meaningful, below an effect (10)
    f = ps.add_follow_up(world.office, p, horizon_months=12, on=D(2026, 1, 5))
    review(world, f, took_part=True)
    # verified fulfilment (20), still holding at 12 months (6), the member took part (4)
    assert total() == 37 + 20 + 6 + 4


def test_a_hard_topic_earns_its_bonus_on_registration_and_on_its_effect(world):
    unit3 = org.create_handling_unit(world.admin, committee=world.committee, name="市财政局")
    easy = member_score(world, world.membership1).total
    p = registered(world)
    ps.assign(world.office, p, mode="lead_co", units=[world.unit1, world.unit2, unit3],
              on=ASSIGN_ON)
    assert member_score(world, world.membership1).total == easy + 3 + 2
    ps.reply(world.unit1_user, p.assignments.get(role="lead"), text="答复",
             grade=grade(world, "B"), on=REPLY_ON)
    p.refresh_from_db()
    six = follow_ups(p)[0]
    review(world, six)
    (verified,) = live(world.membership1, "effect_verified")
    assert verified.attrs["difficulty"] == "hard" and verified.attrs["units"] == 3
    assert member_score(world, world.membership1).total == 5 + 20 + 10


def test_co_signers_earn_their_share(world):
    p = draft(world, proposer_type="joint", authors=[world.membership1, world.membership2])
    ps.confirm_co_signature(world.member2, p)
    p = ps.submit(world.member1, p)
    p = ps.register(world.office, ps.start_review(world.office, p), on=D(2025, 3, 10))
    assert member_score(world, world.membership1).total == 3
    assert member_score(world, world.membership2).total == 1
    assert FollowUp.objects.count() == 0
