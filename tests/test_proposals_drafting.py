"""Drafting, co-signing, submission and review (立案 / 不予立案 / 退回): every legal step, a clear
refusal for every illegal one, the authors' ledger entries, audit and optimistic locking."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shixiao.audit.models import AuditRecord
from shixiao.core.errors import ConflictError, DomainError
from shixiao.proposals import services as ps
from shixiao.proposals.models import Proposal, ProposalEvent, ReasonCode, ResultGrade

from .proposals_kit import REVIEW_ON, SUBMIT_ON, D, draft, in_review, statuses, submitted


def joint(w, **kw):
    return draft(w, proposer_type="joint", authors=[w.membership1, w.membership2], **kw)


def test_member_drafts_and_submits_an_individual_proposal(world):
    p = draft(world)
    assert p.state == "draft" and p.number is None
    assert [(a.membership, a.role, a.rank) for a in p.authors.all()] == [
        (world.membership1, "individual", 1)]
    p = ps.submit(world.member1, p, version=p.version, on=SUBMIT_ON)
    assert (p.state, p.submitted_on, p.year) == ("submitted", SUBMIT_ON, 2025)
    assert statuses(world.membership1) == ["submitted"]


def test_first_draft_seeds_the_committees_code_lists(world):
    draft(world)
    assert ReasonCode.objects.filter(committee=world.committee).count() == 10
    assert list(ResultGrade.objects.filter(committee=world.committee)
                .values_list("code", "needs_follow_up", "counts_as_adopted")) == [
        ("A", False, True), ("B", True, False), ("C", False, False)]


def test_joint_proposal_waits_for_every_co_signer(world):
    p = joint(world)
    roles = list(p.authors.values_list("role", "confirmed_on"))
    assert roles == [("first_author", D(2025, 3, 1)), ("co_signer", None)]
    with pytest.raises(DomainError, match="李四"):
        ps.submit(world.member1, p, on=SUBMIT_ON)
    ps.confirm_co_signature(world.member2, p, version=p.version, on=D(2025, 3, 2))
    p = ps.submit(world.member1, p, on=SUBMIT_ON)
    assert p.state == "submitted"
    assert statuses(world.membership1) == ["submitted"]
    assert statuses(world.membership2) == ["submitted"]


def test_co_signer_confirms_only_the_text_they_read(world):
    p = joint(world)
    read = p.version
    ps.update_draft(world.member1, p, version=read, body="改写后的正文")
    with pytest.raises(ConflictError):
        ps.confirm_co_signature(world.member2, p, version=read)


def test_editing_the_text_withdraws_co_signatures(world):
    p = joint(world)
    ps.confirm_co_signature(world.member2, p)
    p = ps.update_draft(world.member1, p, title="新标题")
    assert p.authors.get(role="co_signer").confirmed_on is None
    with pytest.raises(DomainError, match="co-signers"):
        ps.submit(world.member1, p)


def test_only_a_co_signer_confirms_and_only_once(world):
    p = joint(world)
    with pytest.raises(PermissionDenied, match="co-signer"):
        ps.confirm_co_signature(world.member1, p)
    ps.confirm_co_signature(world.member2, p)
    with pytest.raises(DomainError, match="already confirmed"):
        ps.confirm_co_signature(world.member2, p)


def test_a_co_signer_withdraws_their_confirmation_before_submission(world):
    p = joint(world)
    with pytest.raises(DomainError, match="nothing to withdraw"):
        ps.withdraw_co_signature(world.member2, p)
    ps.confirm_co_signature(world.member2, p)
    with pytest.raises(PermissionDenied, match="co-signer"):
        ps.withdraw_co_signature(world.member1, p)
    mine = ps.withdraw_co_signature(world.member2, p)
    assert mine.confirmed_on is None
    assert ProposalEvent.objects.filter(proposal=p, action="co_sign_withdrawn").exists()
    assert AuditRecord.objects.filter(object_type="proposals.proposalauthor",
                                      object_id=str(mine.pk),
                                      reason="co-signature withdrawn").exists()
    with pytest.raises(DomainError, match="co-signers"):
        ps.submit(world.member1, p)
    ps.confirm_co_signature(world.member2, p)
    p = ps.submit(world.member1, p, on=SUBMIT_ON)
    with pytest.raises(DomainError, match="before submission"):
        ps.withdraw_co_signature(world.member2, p)
    assert p.authors.get(role="co_signer").confirmed_on is not None


def test_office_records_a_co_signature_given_on_paper(world):
    p = joint(world, actor=world.office)
    co = p.authors.get(role="co_signer")
    with pytest.raises(PermissionDenied, match="office"):
        ps.confirm_co_signature(world.member1, p, author=co)
    ps.confirm_co_signature(world.office, p, author=co, on=D(2025, 3, 2))
    p = ps.submit(world.office, p, on=SUBMIT_ON)
    assert p.state == "submitted"
    assert p.events.get(action="co_signed").data == {"author": co.pk, "on_behalf": True}


def test_a_member_cannot_file_in_someone_elses_name(world):
    with pytest.raises(ValidationError) as exc:
        draft(world, authors=[world.membership2])
    assert "authors" in exc.value.message_dict
    with pytest.raises(ValidationError):
        draft(world, authors=[world.membership_other])
    assert not Proposal.objects.exists()


def test_proposer_type_decides_how_many_authors(world):
    with pytest.raises(ValidationError, match="exactly one"):
        draft(world, authors=[world.membership1, world.membership2])
    with pytest.raises(ValidationError, match="co-signer"):
        draft(world, proposer_type="joint")
    with pytest.raises(ValidationError) as exc:
        draft(world, proposer_type="collective")
    assert "collective_name" in exc.value.message_dict


def test_office_files_a_collective_proposal_with_its_drafting_members(world):
    p = draft(world, actor=world.office, proposer_type="collective",
              authors=[world.membership1], collective_name="民盟市委会")
    p = ps.submit(world.office, p, on=SUBMIT_ON)
    (entry,) = [e for e in world.membership1.ledger_entries.all()]
    assert entry.attrs["collective"] is True and entry.attrs["role"] == "collective"


def test_co_signer_cannot_edit_or_submit(world):
    p = joint(world)
    with pytest.raises(PermissionDenied):
        ps.update_draft(world.member2, p, title="改")
    with pytest.raises(PermissionDenied):
        ps.submit(world.member2, p)


def test_submitted_proposal_can_no_longer_be_edited(world):
    p = submitted(world)
    with pytest.raises(DomainError, match="this one is Submitted"):
        ps.update_draft(world.member1, p, title="改")
    with pytest.raises(DomainError, match="Submitted"):
        ps.submit(world.member1, p)


def test_review_registers_with_a_number_per_committee_and_year(world):
    first = in_review(world)
    second = in_review(world, title="第二件")
    first = ps.register(world.office, first, version=first.version, on=REVIEW_ON)
    second = ps.register(world.office, second, on=REVIEW_ON)
    assert (first.state, first.number, second.number) == ("registered", 1, 2)
    assert first.display_number == "2025-0001"
    assert first.registered_on == first.reviewed_on == REVIEW_ON
    assert statuses(world.membership1) == ["registered", "registered", "submitted",
                                           "submitted"]


def test_registering_a_draft_is_refused_with_its_state(world):
    p = draft(world)
    with pytest.raises(DomainError) as exc:
        ps.register(world.office, p)
    assert "in review can be registered" in str(exc.value) and "Draft" in str(exc.value)
    p.refresh_from_db()
    assert p.state == "draft" and p.number is None


def test_registering_needs_review_first(world):
    p = submitted(world)
    with pytest.raises(DomainError, match="this one is Submitted"):
        ps.register(world.office, p)


def test_not_registered_with_a_committee_reason(world):
    p = in_review(world)
    code = ReasonCode.objects.get(committee=world.committee, code="no_suggestion")
    p = ps.not_register(world.office, p, reason_code=code, note="只提问题，没有建议",
                        on=REVIEW_ON)
    assert (p.state, p.not_registered_reason, p.number) == ("not_registered", code, None)
    assert statuses(world.membership1) == ["not_registered", "submitted"]


def test_not_registering_needs_one_of_this_committees_grounds(world):
    p = in_review(world)
    ps.ensure_defaults(world.other.committee)
    foreign = ReasonCode.objects.get(committee=world.other.committee, code="personal")
    with pytest.raises(ValidationError) as exc:
        ps.not_register(world.office, p, reason_code=foreign)
    assert "reason_code" in exc.value.message_dict


def test_returned_proposal_is_edited_and_resubmitted_without_a_second_entry(world):
    p = in_review(world)
    with pytest.raises(ValidationError) as exc:
        ps.return_for_edit(world.office, p, reason=" ")
    assert "reason" in exc.value.message_dict
    p = ps.return_for_edit(world.office, p, reason="请补充具体建议", on=REVIEW_ON)
    assert (p.state, p.return_note) == ("returned", "请补充具体建议")
    p = ps.update_draft(world.member1, p, body="补充了三条具体建议。")
    p = ps.submit(world.member1, p, on=D(2025, 3, 12))
    assert p.state == "submitted" and p.submitted_on == SUBMIT_ON
    assert statuses(world.membership1) == ["submitted"]
    actions = list(p.events.values_list("action", flat=True))
    assert actions == ["created", "submitted", "review_started", "returned", "edited",
                       "resubmitted"]


def test_members_cannot_run_the_review(world):
    p = submitted(world)
    for step in (ps.start_review, ps.register):
        with pytest.raises(PermissionDenied):
            step(world.member1, p)


def test_office_of_another_committee_gets_404(world):
    from django.http import Http404

    p = submitted(world)
    with pytest.raises(Http404):
        ps.start_review(world.office_other, p)


def test_stale_version_is_refused_and_the_first_write_stands(world):
    p = in_review(world)
    read = p.version
    ps.return_for_edit(world.office, p, reason="补充", version=read)
    before = AuditRecord.objects.count()
    with pytest.raises(ConflictError):
        ps.register(world.office, p, version=read)
    p.refresh_from_db()
    assert (p.state, p.number, p.return_note) == ("returned", None, "补充")
    assert AuditRecord.objects.count() == before


def test_every_review_step_is_audited_and_in_the_history(world):
    p = draft(world)
    steps = [
        lambda p: ps.submit(world.member1, p, on=SUBMIT_ON),
        lambda p: ps.start_review(world.office, p, on=REVIEW_ON),
        lambda p: ps.return_for_edit(world.office, p, reason="补充"),
        lambda p: ps.update_draft(world.member1, p, body="新"),
        lambda p: ps.submit(world.member1, p),
        lambda p: ps.start_review(world.office, p),
        lambda p: ps.register(world.office, p),
    ]
    for step in steps:
        before = AuditRecord.objects.filter(object_type="proposals.proposal",
                                            object_id=str(p.pk)).count()
        p = step(p)
        after = AuditRecord.objects.filter(object_type="proposals.proposal",
                                           object_id=str(p.pk)).count()
        assert after == before + 1
    assert ProposalEvent.objects.filter(proposal=p).count() == 8
    assert AuditRecord.objects.filter(object_type="proposals.proposal",
                                      committee_id=world.committee.pk).exists()


def test_a_draft_cannot_move_to_another_committees_term(world):
    p = draft(world)
    with pytest.raises(ValidationError) as exc:
        ps.update_draft(world.member1, p, term=world.other.term)
    assert "term" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ps.update_draft(world.member1, p, number=7)
    assert "number" in exc.value.message_dict
