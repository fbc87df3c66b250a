"""Merging (并案) keeps every author and both histories, and each proposer still gets a reply;
a proposal converted to an opinion report is scored once, as the report."""

import pytest
from django.core.exceptions import ValidationError

from shixiao.assessment import load, score
from shixiao.assessment.services import load_entries
from shixiao.core.errors import DomainError
from shixiao.proposals import services as ps
from shixiao.proposals.models import Proposal, ReasonCode, Reply

from .proposals_kit import (
    ASSIGN_ON,
    REPLY_ON,
    REVIEW_ON,
    SUBMIT_ON,
    D,
    assigned,
    draft,
    grade,
    in_review,
    member_score,
    registered,
    statuses,
)

MERGE_ON = D(2025, 3, 12)


def second_proposal(w):
    """member2's proposal on the same topic, in review."""
    p = draft(w, actor=w.member2, authors=[w.membership2], title="缓解学校门口拥堵")
    p = ps.submit(w.member2, p, on=SUBMIT_ON)
    return ps.start_review(w.office, p, on=REVIEW_ON)


def test_merge_keeps_all_authors_and_both_histories(world):
    lead = in_review(world)
    other = second_proposal(world)
    merged = ps.merge(world.office, other, lead, note="同一事项", version=other.version,
                      on=MERGE_ON)
    lead.refresh_from_db()
    assert (merged.state, merged.merged_into, merged.reviewed_on) == ("merged", lead, MERGE_ON)
    assert list(lead.merged.all()) == [merged]
    assert [a.membership for a in merged.authors.all()] == [world.membership2]
    assert [a.membership for a in lead.authors.all()] == [world.membership1]
    assert list(merged.events.values_list("action", flat=True)) == [
        "created", "submitted", "review_started", "merged"]
    assert list(lead.events.values_list("action", flat=True)) == [
        "created", "submitted", "review_started", "merge_received"]
    assert merged.events.last().data == {"into": lead.pk}
    assert merged.title == "缓解学校门口拥堵" and merged.body


def test_merged_authors_are_registered_with_the_lead(world):
    lead = in_review(world)
    other = ps.merge(world.office, second_proposal(world), lead, on=MERGE_ON)
    assert statuses(world.membership2) == ["submitted"]
    ps.register(world.office, lead, on=REVIEW_ON)
    assert statuses(world.membership2) == ["registered", "submitted"]
    entry = [e for e in world.membership2.ledger_entries.all()
             if e.attrs["status"] == "registered"][0]
    assert entry.attrs["ref"] == other.ref and entry.attrs["role"] == "individual"
    assert member_score(world, world.membership2).total == 3


def test_merged_proposal_follows_the_leads_assignment_and_gets_its_own_reply(world):
    lead = registered(world)
    other = ps.merge(world.office, second_proposal(world), lead, on=MERGE_ON)
    assert statuses(world.membership2) == ["registered", "submitted"]
    lead = ps.assign(world.office, lead, mode="single", units=[world.unit1], on=ASSIGN_ON)
    other.refresh_from_db()
    assert (other.state, other.reply_due) == ("assigned", lead.reply_due)
    assert other.assignments.count() == 0                   # it follows the lead's
    a = lead.assignments.get()
    ps.reply(world.unit1_user, a, text="答复张三", grade=grade(world, "A"), on=REPLY_ON)
    a.refresh_from_db()
    assert a.state == "assigned"                            # one proposer still waits
    ps.reply(world.unit1_user, a, proposal=other, text="答复李四", grade=grade(world, "A"),
             on=REPLY_ON)
    lead.refresh_from_db()
    other.refresh_from_db()
    a.refresh_from_db()
    assert (lead.state, other.state, a.state) == ("replied", "replied", "replied")
    assert dict(Reply.objects.values_list("proposal", "text")) == {
        lead.pk: "答复张三", other.pk: "答复李四"}
    ps.rate(world.member2, other, process="satisfied", result="satisfied")
    ps.rate(world.member1, lead, process="satisfied", result="satisfied")
    assert "adopted" in statuses(world.membership2)


def test_merging_into_an_assigned_proposal_assigns_it_at_once(world):
    lead = assigned(world)
    other = ps.merge(world.office, second_proposal(world), lead, on=MERGE_ON)
    assert (other.state, other.handling_mode) == ("assigned", "single")
    entry = [e for e in world.membership2.ledger_entries.all()
             if e.attrs["status"] == "registered"][0]
    assert entry.attrs["units"] == 1


def test_member_of_a_merged_proposal_can_follow_the_lead(world):
    lead = in_review(world)
    ps.merge(world.office, second_proposal(world), lead, on=MERGE_ON)
    assert Proposal.objects.visible_to(world.member2).filter(pk=lead.pk).exists()


def test_illegal_merges_are_refused(world):
    lead = in_review(world)
    with pytest.raises(ValidationError, match="itself"):
        ps.merge(world.office, lead, lead)
    drafted = draft(world, title="草稿")
    with pytest.raises(DomainError, match="Only a proposal in review can be merged"):
        ps.merge(world.office, drafted, lead)
    code = ReasonCode.objects.get(committee=world.committee, code="personal")
    refused = ps.not_register(world.office, second_proposal(world), reason_code=code)
    with pytest.raises(DomainError, match="Not registered"):
        ps.merge(world.office, in_review(world, title="第三件"), refused)
    other = ps.merge(world.office, second_proposal(world), lead)
    with pytest.raises(DomainError, match="itself merged"):
        ps.merge(world.office, in_review(world, title="第四件"), other)


def test_followers_share_a_refusal_of_their_lead(world):
    lead = in_review(world)
    other = ps.merge(world.office, second_proposal(world), lead, on=MERGE_ON)
    code = ReasonCode.objects.get(committee=world.committee, code="no_suggestion")
    ps.not_register(world.office, lead, reason_code=code, on=REVIEW_ON)
    other.refresh_from_db()
    assert (other.state, other.not_registered_reason) == ("not_registered", code)
    assert statuses(world.membership2) == ["not_registered", "submitted"]


# Conversion to an opinion report ------------------------------------------------------------

#: A rubric that scores the act of submitting, proposal or report alike: the case where
#: counting a converted item twice would show.
SUBMISSIONS = load("""
rubric: submissions
categories:
  - id: work
    rules:
      - {id: proposal_submitted, kind: per_unit, points: 1,
         where: {kind: proposal, status: submitted}}
      - {id: report_submitted, kind: per_unit, points: 1,
         where: {kind: opinion_report, status: submitted}}
""")


def submissions(w, membership, as_of):
    entries = [e for e in load_entries(w.committee, D(2025, 1, 1), D(2025, 12, 31), as_of)
               if e.member == str(membership.pk)]
    results = score(SUBMISSIONS, entries, as_of, members={str(membership.pk): "member"})
    return results[0].total


def test_converted_proposal_becomes_a_report_with_its_authors(world):
    p = in_review(world)
    report = ps.convert_to_report(world.office, p, version=p.version, on=MERGE_ON)
    p.refresh_from_db()
    assert p.state == "converted" and report.source_proposal == p
    assert report.title == p.title and report.submitted_on == SUBMIT_ON
    assert [a.membership for a in report.authors.all()] == [world.membership1]
    assert statuses(world.membership1) == ["converted"]
    assert p.events.last().data == {"report": report.pk}


def test_converted_proposal_is_scored_once_as_the_report(world):
    p = in_review(world)
    assert submissions(world, world.membership1, MERGE_ON) == 1
    effect_before = member_score(world, world.membership1).total
    ps.convert_to_report(world.office, p, on=MERGE_ON)
    # From the conversion on the item counts once, as a report; as of earlier dates the
    # score still shows what was known then.
    assert submissions(world, world.membership1, MERGE_ON) == 1
    assert submissions(world, world.membership1, D(2025, 12, 31)) == 1
    effect_after = member_score(world, world.membership1).total
    assert (effect_before, effect_after) == (0, 1)   # shixiao-effect: one report submitted
    voided = [e for e in world.membership1.ledger_entries.filter(kind="void")]
    assert [(v.supersedes.attrs["status"], v.effective) for v in voided] == [
        ("submitted", MERGE_ON)]


def test_converted_proposal_counts_once_as_of_a_day_before_the_conversion(world):
    p = in_review(world)
    ps.convert_to_report(world.office, p, on=MERGE_ON)
    assert submissions(world, world.membership1, D(2025, 3, 11)) == 1   # as the proposal
    report_entry = world.membership1.ledger_entries.get(kind="opinion_report")
    assert report_entry.effective == MERGE_ON and report_entry.attrs["from_proposal"] is True


def joint_in_review(w):
    p = draft(w, proposer_type="joint", authors=[w.membership1, w.membership2])
    ps.confirm_co_signature(w.member2, p)
    p = ps.submit(w.member1, p, on=SUBMIT_ON)
    return ps.start_review(w.office, p, on=REVIEW_ON)


def test_guangshui_credits_the_conversion_by_author_role(world):
    p = joint_in_review(world)
    assert member_score(world, world.membership1, "guangshui", year=2025).category(
        "duty") == 0
    ps.convert_to_report(world.office, p, on=MERGE_ON)
    lines = {line.rule: line.points for line in
             member_score(world, world.membership1, "guangshui", year=2025).lines}
    assert lines["proposal_to_sqmy"] == 15
    co_lines = {line.rule: line.points for line in
                member_score(world, world.membership2, "guangshui", year=2025).lines}
    assert co_lines["proposal_to_sqmy"] == 10


def test_guangshui_scores_a_converted_proposal_once(world):
    # 提案转社情民意 earns 15 / 10; the report it became is not a second 社情民意 item (20).
    p = joint_in_review(world)
    ps.convert_to_report(world.office, p, on=MERGE_ON)
    assert member_score(world, world.membership1, "guangshui", year=2025).category(
        "duty") == 15
    assert member_score(world, world.membership2, "guangshui", year=2025).category(
        "duty") == 10


def test_only_a_proposal_in_review_or_not_registered_converts(world):
    p = registered(world)
    with pytest.raises(DomainError, match="this one is Registered"):
        ps.convert_to_report(world.office, p)
    code = ReasonCode.objects.get(committee=world.committee, code="no_suggestion")
    refused = ps.not_register(world.office, in_review(world, title="另一件"), reason_code=code)
    ps.convert_to_report(world.office, refused, on=MERGE_ON)
    refused.refresh_from_db()
    assert refused.state == "converted"
