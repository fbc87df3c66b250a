"""Assignment, objections, extensions, replies, co-handling, ratings and re-handling: a reply
is the start of the outcome, not its end, and the unit never sees how it was rated."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from shixiao.audit.models import AuditRecord
from shixiao.core.errors import ConflictError, DomainError
from shixiao.proposals import services as ps
from shixiao.proposals.models import Assignment, Rating, Reply

from .proposals_kit import (
    ASSIGN_ON,
    REPLY_ON,
    D,
    assigned,
    grade,
    registered,
    replied,
    statuses,
    unit2_user,
)


def test_single_assignment_sets_reply_and_objection_deadlines(world):
    p = registered(world)
    p = ps.assign(world.office, p, mode="single", units=[world.unit1], version=p.version,
                  on=ASSIGN_ON)
    (a,) = p.assignments.all()
    assert (p.state, p.handling_mode, a.role, a.state) == ("assigned", "single", "sole",
                                                           "assigned")
    assert a.reply_due == p.reply_due == D(2025, 6, 20)        # 3 months
    assert ASSIGN_ON < a.objection_due < D(2025, 4, 10)        # a few working days


def test_assignment_needs_a_registered_proposal(world):
    from .proposals_kit import in_review

    p = in_review(world)
    with pytest.raises(DomainError, match="Only a registered proposal can be assigned"):
        ps.assign(world.office, p, mode="single", units=[world.unit1])


def test_assignment_modes_are_validated(world):
    p = registered(world)
    with pytest.raises(ValidationError, match="exactly one unit"):
        ps.assign(world.office, p, mode="single", units=[world.unit1, world.unit2])
    with pytest.raises(ValidationError, match="two or more"):
        ps.assign(world.office, p, mode="separate", units=[world.unit1])
    with pytest.raises(ValidationError, match="one lead unit"):
        ps.assign(world.office, p, mode="lead_co",
                  units=[(world.unit1, "lead"), (world.unit2, "lead")])
    with pytest.raises(ValidationError, match="this committee"):
        ps.assign(world.office, p, mode="single", units=[world.other.unit1])
    assert not Assignment.objects.exists()


def test_assignment_records_how_many_units_on_the_registration(world):
    p = registered(world)
    ps.assign(world.office, p, mode="lead_co", units=[world.unit1, world.unit2], on=ASSIGN_ON)
    (entry,) = [e for e in world.membership1.ledger_entries.filter(attrs__status="registered")
                .exclude(superseded_by__isnull=False)]
    assert entry.attrs["units"] == 2 and entry.effective == ASSIGN_ON
    assert statuses(world.membership1) == ["registered", "submitted"]


def test_unit_objects_within_the_window_and_office_reassigns(world):
    p = assigned(world)
    a = p.assignments.get()
    a = ps.object_to_assignment(world.unit1_user, a, reason="属交通部门职责", on=ASSIGN_ON)
    assert (a.state, a.objected_on) == ("objected", ASSIGN_ON)
    new = ps.reassign(world.office, a, world.unit2, note="改由交通局办理",
                      on=D(2025, 3, 24))
    a.refresh_from_db()
    assert a.state == "reassigned" and new.replaces == a and new.role == "sole"
    assert new.reply_due == D(2025, 6, 24)
    p.refresh_from_db()
    assert p.reply_due == new.reply_due
    from shixiao.proposals.models import Proposal
    assert not Proposal.objects.visible_to(world.unit1_user).exists()


def test_late_objection_is_refused_with_the_due_date(world):
    p = assigned(world)
    a = p.assignments.get()
    with pytest.raises(DomainError) as exc:
        ps.object_to_assignment(world.unit1_user, a, reason="不归我们", on=D(2025, 5, 1))
    assert str(a.objection_due) in str(exc.value) and "Late objections" in str(exc.value)
    a.refresh_from_db()
    assert a.state == "assigned"


def test_office_can_uphold_an_assignment(world):
    a = assigned(world).assignments.get()
    ps.object_to_assignment(world.unit1_user, a, reason="不归我们", on=ASSIGN_ON)
    a = ps.uphold_assignment(world.office, a, note="属教育局职责")
    assert a.state == "assigned"
    with pytest.raises(DomainError, match="objected"):
        ps.uphold_assignment(world.office, a)


def test_extension_moves_the_reply_due_date_once(world):
    p = assigned(world)
    p = ps.approve_extension(world.office, p, note="需跨年度预算", on=D(2025, 5, 1))
    assert p.extension_approved and p.reply_due == D(2025, 9, 22)   # 6 months, a workday
    assert p.assignments.get().reply_due == p.reply_due
    with pytest.raises(DomainError, match="already approved"):
        ps.approve_extension(world.office, p)


def test_reply_by_the_assigned_unit_makes_the_proposal_replied(world):
    p = assigned(world)
    a = p.assignments.get()
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    answer = ps.reply(world.unit1_user, a, text="已设置接送车位。", grade=grade(world, "A"),
                      contacted_member=True, attachments=[letter], on=REPLY_ON)
    p.refresh_from_db()
    a.refresh_from_db()
    assert (p.state, p.replied_on, a.state) == ("replied", REPLY_ON, "replied")
    assert (answer.round, answer.grade.code, answer.attachments.get().name) == (
        1, "A", "答复函.pdf")
    assert statuses(world.membership1) == ["adopted", "registered", "submitted"]


def test_reply_attachments_are_checked_for_type_and_size(world):
    a = assigned(world).assignments.get()
    exe = SimpleUploadedFile("tool.exe", b"MZ")
    with pytest.raises(ValidationError) as exc:
        ps.reply(world.unit1_user, a, text="答复", grade=grade(world, "B"), attachments=[exe])
    assert "attachments" in exc.value.message_dict
    big = SimpleUploadedFile("big.pdf", b"0" * (21 * 1024 * 1024))
    with pytest.raises(ValidationError, match="larger than 20 MB"):
        ps.reply(world.unit1_user, a, text="答复", grade=grade(world, "B"), attachments=[big])
    assert not Reply.objects.exists()


def test_a_reply_that_fails_after_storing_its_attachment_leaves_no_file(world, monkeypatch):
    from shixiao.proposals import handling
    from shixiao.proposals.models import ReplyAttachment

    storage = ReplyAttachment._meta.get_field("file").storage
    written = []
    original = storage._save
    monkeypatch.setattr(storage, "_save", lambda name, content: written.append(
        original(name, content)) or written[-1])

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")
    monkeypatch.setattr(handling, "_complete_if_answered", fail)
    p = assigned(world)
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    with pytest.raises(RuntimeError):
        ps.reply(world.unit1_user, p.assignments.get(), text="答复", grade=grade(world, "A"),
                 attachments=[letter], on=REPLY_ON)
    assert len(written) == 1 and not storage.exists(written[0])
    assert not ReplyAttachment.objects.exists() and not p.replies.exists()


def test_unit_cannot_reply_to_a_proposal_not_assigned_to_it(world):
    p = assigned(world, units=[world.unit2])
    a = p.assignments.get()
    with pytest.raises(Http404):
        ps.reply(world.unit1_user, a, text="答复", grade=grade(world, "B"))
    assert not Reply.objects.exists()


def test_unit_cannot_reply_with_another_units_assignment(world):
    p = assigned(world, mode="separate", units=[world.unit1, world.unit2])
    theirs = p.assignments.get(unit=world.unit2)
    with pytest.raises(PermissionDenied, match="市交通运输局"):
        ps.reply(world.unit1_user, theirs, text="答复", grade=grade(world, "B"))


def test_separate_units_each_reply_before_the_proposal_is_replied(world):
    u2 = unit2_user(world)
    p = assigned(world, mode="separate", units=[world.unit1, world.unit2])
    ps.reply(world.unit1_user, p.assignments.get(unit=world.unit1), text="教育局答复",
             grade=grade(world, "B"), on=REPLY_ON)
    p.refresh_from_db()
    assert p.state == "assigned"
    ps.reply(u2, p.assignments.get(unit=world.unit2), text="交通局答复",
             grade=grade(world, "A"), on=D(2025, 5, 25))
    p.refresh_from_db()
    assert (p.state, p.replied_on) == ("replied", D(2025, 5, 25))
    assert statuses(world.membership1).count("adopted") == 1
    assert p.follow_ups.count() == 3                       # B needs follow-up


def test_co_handling_unit_sends_its_opinion_to_the_lead_not_a_reply(world):
    u2 = unit2_user(world)
    p = assigned(world, mode="lead_co", units=[world.unit1, world.unit2])
    co = p.assignments.get(role="co")
    with pytest.raises(DomainError, match="co-handling unit sends its opinion"):
        ps.reply(u2, co, text="答复", grade=grade(world, "B"))
    opinion = ps.submit_co_opinion(u2, co, text="交通局同意在校门口施划临时停车位。",
                                   on=D(2025, 4, 20))
    assert opinion.round == 1
    lead = p.assignments.get(role="lead")
    with pytest.raises(DomainError, match="replies to the proposer"):
        ps.submit_co_opinion(world.unit1_user, lead, text="x")
    ps.reply(world.unit1_user, lead, text="综合答复", grade=grade(world, "B"), on=REPLY_ON)
    p.refresh_from_db()
    assert p.state == "replied"


def test_replying_twice_in_a_round_is_refused(world):
    p = assigned(world, mode="separate", units=[world.unit1, world.unit2])
    a = p.assignments.get(unit=world.unit1)
    ps.reply(world.unit1_user, a, text="答复", grade=grade(world, "B"))
    with pytest.raises(DomainError, match="already replied"):
        ps.reply(world.unit1_user, a, text="再次答复", grade=grade(world, "A"))


def test_an_objected_assignment_cannot_reply_until_settled(world):
    a = assigned(world).assignments.get()
    ps.object_to_assignment(world.unit1_user, a, reason="不归我们", on=ASSIGN_ON)
    with pytest.raises(DomainError, match="office must settle"):
        ps.reply(world.unit1_user, a, text="答复", grade=grade(world, "B"))


def test_reply_needs_this_committees_grade(world):
    a = assigned(world).assignments.get()
    ps.ensure_defaults(world.other.committee)
    from shixiao.proposals.models import ResultGrade
    foreign = ResultGrade.objects.get(committee=world.other.committee, code="A")
    with pytest.raises(ValidationError) as exc:
        ps.reply(world.unit1_user, a, text="答复", grade=foreign)
    assert "grade" in exc.value.message_dict


def test_author_rates_process_and_result_separately(world):
    p = replied(world)
    r = ps.rate(world.member1, p, process="satisfied", result="basically",
                contact_confirmed=False, comment="从未联系过我", on=D(2025, 6, 1))
    assert (r.round, r.process, r.result, r.contact_confirmed) == (1, "satisfied",
                                                                    "basically", False)


def test_rating_before_a_reply_is_refused(world):
    p = assigned(world)
    with pytest.raises(DomainError) as exc:
        ps.rate(world.member1, p, process="satisfied", result="satisfied")
    assert str(exc.value) == ("A proposal can only be rated after a reply; this one is "
                              "Assigned.")


def test_rating_twice_is_refused(world):
    p = replied(world)
    ps.rate(world.member1, p, process="satisfied", result="satisfied")
    with pytest.raises(DomainError, match="already rated the reply of round 1"):
        ps.rate(world.member1, p, process="unsatisfied", result="unsatisfied")
    assert Rating.objects.get().result == "satisfied"


def test_a_non_author_cannot_rate(world):
    p = replied(world)
    with pytest.raises(Http404):                     # cannot even see it
        ps.rate(world.member2, p, process="satisfied", result="satisfied")
    with pytest.raises(PermissionDenied):            # units never rate
        ps.rate(world.unit1_user, p, process="satisfied", result="satisfied")
    with pytest.raises(PermissionDenied):            # nor does the office
        ps.rate(world.office, p, process="satisfied", result="satisfied")


def test_every_co_signer_rates_once(world):
    from .proposals_kit import SUBMIT_ON, draft

    p = draft(world, proposer_type="joint", authors=[world.membership1, world.membership2])
    ps.confirm_co_signature(world.member2, p)
    p = ps.submit(world.member1, p, on=SUBMIT_ON)
    p = ps.register(world.office, ps.start_review(world.office, p))
    p = ps.assign(world.office, p, mode="single", units=[world.unit1])
    ps.reply(world.unit1_user, p.assignments.get(), text="答复", grade=grade(world, "B"))
    ps.rate(world.member1, p, process="satisfied", result="satisfied")
    ps.rate(world.member2, p, process="basically", result="unsatisfied")
    assert Rating.objects.filter(proposal=p).count() == 2


def test_unsatisfied_rating_leads_to_a_second_round(world):
    p = replied(world)
    with pytest.raises(DomainError, match="no author rated round 1 unsatisfied"):
        ps.request_rehandling(world.office, p, reason="再办")
    ps.rate(world.member1, p, process="satisfied", result="unsatisfied", on=D(2025, 6, 1))
    p = ps.request_rehandling(world.office, p, reason="请提出可执行的时间表",
                              on=D(2025, 6, 3))
    a = p.assignments.get()
    assert (p.state, p.round, a.state) == ("rehandling", 2, "assigned")
    assert a.reply_due == p.reply_due == D(2025, 9, 3)
    with pytest.raises(DomainError, match="only be rated after a reply"):
        ps.rate(world.member1, p, process="satisfied", result="satisfied")
    second = ps.reply(world.unit1_user, a, text="补充答复：九月底前完成", grade=grade(world, "A"),
                      on=D(2025, 7, 1))
    p.refresh_from_db()
    assert (second.round, p.state) == (2, "replied")
    ps.rate(world.member1, p, process="satisfied", result="satisfied", on=D(2025, 7, 5))

    assert list(Rating.objects.values_list("round", "result")) == [
        (1, "unsatisfied"), (2, "satisfied")]


def test_stale_version_on_assignment_is_refused_and_the_first_write_stands(world):
    p = registered(world)
    read = p.version
    ps.assign(world.office, p, mode="single", units=[world.unit1], version=read)
    with pytest.raises(ConflictError):
        ps.assign(world.office, p, mode="single", units=[world.unit2], version=read)
    assert list(Assignment.objects.values_list("unit", flat=True)) == [world.unit1.pk]


def test_every_handling_write_is_audited(world):
    u2 = unit2_user(world)
    p = registered(world)

    def audited(call):
        before = AuditRecord.objects.count()
        result = call()
        assert AuditRecord.objects.count() > before
        return result

    p = audited(lambda: ps.assign(world.office, p, mode="lead_co",
                                  units=[world.unit1, world.unit2], on=ASSIGN_ON))
    lead, co = p.assignments.get(role="lead"), p.assignments.get(role="co")
    audited(lambda: ps.object_to_assignment(u2, co, reason="x", on=ASSIGN_ON))
    audited(lambda: ps.uphold_assignment(world.office, co))
    audited(lambda: ps.approve_extension(world.office, p))
    audited(lambda: ps.submit_co_opinion(u2, co, text="意见"))
    audited(lambda: ps.reply(world.unit1_user, lead, text="答复", grade=grade(world, "B")))
    audited(lambda: ps.rate(world.member1, p, process="unsatisfied", result="unsatisfied"))
    audited(lambda: ps.request_rehandling(world.office, p, reason="再办"))
    assert AuditRecord.objects.filter(object_type="proposals.rating",
                                      committee_id=world.committee.pk).exists()

def test_an_extension_in_a_second_round_counts_from_that_round(world):
    p = replied(world)
    ps.rate(world.member1, p, process="satisfied", result="unsatisfied", on=D(2025, 6, 1))
    p = ps.request_rehandling(world.office, p, reason="再办", on=D(2025, 6, 3))
    p = ps.approve_extension(world.office, p, on=D(2025, 7, 1))
    # Six months from the re-handling request (3 December 2025 is a Wednesday), not from
    # the first assignment, which would already have passed.
    assert p.reply_due == p.assignments.get().reply_due == D(2025, 12, 3)
