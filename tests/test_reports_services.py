"""The opinion-report workflow's services: every legal step, a clear refusal for every
illegal one, scope, optimistic locking, the audit record of every write and the authors'
ledger entries."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from shixiao.audit.models import AuditRecord
from shixiao.core.errors import ConflictError
from shixiao.ledger.models import Entry
from shixiao.reports import services as rs
from shixiao.reports.models import (
    Adoption,
    Endorsement,
    OpinionReport,
    ReportAuthor,
    ReportState,
    SendRecord,
)

D = dt.date
SUBMITTED = D(2026, 3, 2)
SENT = D(2026, 3, 10)


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in their English source; the catalogue may translate them."""
    with translation.override("en"):
        yield


# Helpers shared by the other test_reports_* files (import these names, not the tests).


def draft(world, user=None, *, title="关于老旧小区加装电梯的建议", body="情况、原因和建议。" * 20,
          **kw):
    return rs.create_draft(user or world.member1, committee=world.committee, title=title,
                           body=body, **kw)


def submitted(world, **kw):
    """Member 1's report, handed in on paper on SUBMITTED and entered by the office."""
    report = draft(world, world.office, authors=[world.membership1], **kw)
    return rs.submit(world.office, report, on=SUBMITTED)


def sent(world, **kw):
    report = submitted(world, **kw)
    rs.start_editing(world.office, report)
    rs.save_edit(world.office, report, edited_body="编辑后的文字。" * 20)
    return rs.send_upward(world.office, report, sends=[
        {"to_level": "prefecture", "recipient": "市委办公室", "on": SENT},
        {"to_level": "provincial", "recipient": "省政协", "on": SENT}])


def entries(report, status=None):
    qs = Entry.objects.filter(source_type="reports.opinionreport", source_id=str(report.pk))
    if status:
        qs = qs.filter(attrs__status=status)
    return list(qs.order_by("id"))


def audits():
    return AuditRecord.objects.count()


def fresh(report):
    return OpinionReport.objects.get(pk=report.pk)


# Drafts -------------------------------------------------------------------------------------

def test_member_writes_a_draft_in_their_own_name(world):
    before = audits()
    report = draft(world)
    assert report.state == ReportState.DRAFT
    assert report.submitted_on is None
    (author,) = report.authors.all()
    assert (author.membership, author.role, author.rank) == (world.membership1, "individual", 1)
    assert audits() == before + 1
    record = AuditRecord.objects.order_by("-seq").first()
    assert record.object_type == "reports.opinionreport" and record.action == "create"
    assert record.committee_id == world.committee.pk
    assert entries(report) == [], "a draft is not duty work yet"


def test_draft_needs_a_title_and_text_naming_the_fields(world):
    with pytest.raises(ValidationError) as exc:
        draft(world, title=" ", body="\n")
    assert set(exc.value.message_dict) == {"title", "body"}
    assert OpinionReport.objects.count() == 0


def test_member_cannot_write_for_another_committee(world):
    with pytest.raises(ValidationError) as exc:
        rs.create_draft(world.member1, committee=world.other.committee, title="t", body="b")
    assert "committee" in exc.value.message_dict


def test_member_cannot_name_someone_else_as_author(world):
    with pytest.raises(ValidationError) as exc:
        draft(world, authors=[world.membership2])
    assert "authors" in exc.value.message_dict


def test_office_enters_a_report_for_two_members_in_signing_order(world):
    report = draft(world, world.office, authors=[world.membership2, world.membership1])
    rows = [(a.membership, a.role, a.rank) for a in report.authors.all()]
    assert rows == [(world.membership2, "first_author", 1),
                    (world.membership1, "co_signer", 2)]
    assert report.created_by == world.office


def test_office_cannot_name_a_member_of_another_committee(world):
    with pytest.raises(ValidationError) as exc:
        draft(world, world.office, authors=[world.membership_other])
    assert "authors" in exc.value.message_dict


def test_unit_and_leader_cannot_write_reports(world):
    for user in (world.unit1_user, world.leader, world.auditor):
        with pytest.raises(PermissionDenied):
            draft(world, user)


def test_author_changes_a_draft_with_the_version_read(world):
    report = draft(world)
    updated = rs.update_draft(world.member1, report, title="新标题", body="新的文字",
                              version=1)
    assert (updated.title, updated.body, updated.version) == ("新标题", "新的文字", 2)
    with pytest.raises(ConflictError):
        rs.update_draft(world.member1, report, title="x", body="y", version=1)
    assert fresh(report).title == "新标题"


def test_member_editing_someone_elses_report_is_told_it_does_not_exist(world):
    report = draft(world)
    with pytest.raises(Http404):
        rs.update_draft(world.member2, report, title="x", body="y")
    with pytest.raises(Http404):
        rs.submit(world.member2, report)


def test_office_cannot_rewrite_a_members_draft(world):
    report = draft(world)
    with pytest.raises(PermissionDenied):
        rs.update_draft(world.office, report, title="x", body="y")


def test_submitted_report_text_can_no_longer_be_changed_by_the_author(world):
    report = submitted(world)
    with pytest.raises(rs.IllegalTransition, match="Draft"):
        rs.update_draft(world.member1, report, title="x", body="y")


# Submitting ---------------------------------------------------------------------------------

def test_submit_dates_the_report_and_gives_each_author_a_submitted_entry(world):
    report = draft(world, world.office, authors=[world.membership1, world.membership2])
    before = audits()
    report = rs.submit(world.office, report, on=SUBMITTED)
    assert report.state == ReportState.SUBMITTED and report.submitted_on == SUBMITTED
    rows = entries(report, "submitted")
    assert [(e.membership, e.date, e.kind) for e in rows] == [
        (world.membership1, SUBMITTED, "opinion_report"),
        (world.membership2, SUBMITTED, "opinion_report")]
    assert rows[0].attrs == {"ref": report.ref, "status": "submitted", "role": "first_author",
                             "authors": 2}
    assert rows[1].attrs["role"] == "co_signer"
    # The report's own change plus one per ledger entry.
    assert audits() == before + 3


def test_submit_over_1500_characters_names_the_field_and_the_length(world):
    report = draft(world, body="字" * 1501)
    with pytest.raises(ValidationError) as exc:
        rs.submit(world.member1, report)
    (message,) = exc.value.message_dict["body"]
    assert "1501" in message and "1500" in message
    assert fresh(report).state == ReportState.DRAFT
    assert entries(report) == []


def test_line_breaks_and_spaces_do_not_count_toward_the_limit(world):
    report = draft(world, body=("字" * 100 + "\n\n  ") * 15)
    assert rs.body_length(report.body) == 1500
    assert rs.submit(world.member1, report).state == ReportState.SUBMITTED


def test_submitting_twice_is_refused_and_records_nothing_more(world):
    report = submitted(world)
    with pytest.raises(rs.IllegalTransition, match="submit"):
        rs.submit(world.member1, report)
    assert len(entries(report)) == 1


def test_submit_date_cannot_be_in_the_future(world):
    report = draft(world, world.office, authors=[world.membership1])
    with pytest.raises(ValidationError) as exc:
        rs.submit(world.office, report, on=D(2099, 1, 1))
    assert "submitted_on" in exc.value.message_dict


def test_only_the_office_backdates_a_submission(world):
    """The date decides the scoring year; a member submits today."""
    report = draft(world)
    with pytest.raises(ValidationError) as exc:
        rs.submit(world.member1, report, on=SUBMITTED)
    assert "submitted_on" in exc.value.message_dict
    assert rs.submit(world.member1, report).submitted_on == timezone.localdate()


# Editing ------------------------------------------------------------------------------------

def test_office_edits_a_copy_and_the_members_text_stays(world):
    report = submitted(world, body="原文")
    report = rs.start_editing(world.office, report)
    assert report.state == ReportState.EDITING and report.edited_body == "原文"
    report = rs.save_edit(world.office, report, edited_body="改好的文字", finish=False)
    assert report.state == ReportState.EDITING and report.edited_on is None
    report = rs.save_edit(world.office, report, edited_body="定稿文字", title="定稿标题")
    assert report.state == ReportState.EDITED and report.edited_on is not None
    assert (report.body, report.edited_body, report.text) == ("原文", "定稿文字", "定稿文字")
    assert report.title == "定稿标题"


def test_edited_text_is_held_to_the_same_length_limit(world):
    report = rs.start_editing(world.office, submitted(world))
    with pytest.raises(ValidationError) as exc:
        rs.save_edit(world.office, report, edited_body="字" * 1600)
    assert "edited_body" in exc.value.message_dict


def test_members_cannot_run_the_office_steps(world):
    report = submitted(world)
    for step in (lambda: rs.start_editing(world.member1, report),
                 lambda: rs.mark_not_used(world.member1, report, reason="x")):
        with pytest.raises(PermissionDenied):
            step()


def test_editing_a_draft_or_before_starting_is_refused(world):
    report = draft(world)
    with pytest.raises(rs.IllegalTransition):
        rs.start_editing(world.office, report)
    report = rs.submit(world.member1, report)
    with pytest.raises(rs.IllegalTransition, match="edit"):
        rs.save_edit(world.office, report, edited_body="x")


def test_office_of_another_committee_cannot_see_the_report(world):
    report = submitted(world)
    with pytest.raises(Http404):
        rs.start_editing(world.office_other, report)


# Sending ------------------------------------------------------------------------------------

def test_sending_upward_records_each_recipient_and_dates_the_report(world):
    report = sent(world)
    assert report.state == ReportState.SENT and report.sent_on == SENT
    assert [(s.to_level, s.recipient) for s in report.sends.all()] == [
        ("prefecture", "市委办公室"), ("provincial", "省政协")]
    again = rs.send_upward(world.office, report, sends=[
        {"to_level": "national", "recipient": "全国政协", "on": D(2026, 4, 1)}])
    assert again.sent_on == SENT and again.sends.count() == 3


def test_a_report_cannot_be_sent_below_its_committees_level(world):
    report = submitted(world)
    with pytest.raises(ValidationError) as exc:
        rs.send_upward(world.office, report, sends=[
            {"to_level": "county", "recipient": "区政协", "on": SENT}])
    assert "to_level" in exc.value.message_dict
    assert SendRecord.objects.count() == 0 and fresh(report).state == ReportState.SUBMITTED


def test_sending_needs_a_recipient_and_a_date_after_submission(world):
    report = submitted(world)
    cases = [({"to_level": "prefecture", "recipient": "", "on": SENT}, "recipient"),
             ({"to_level": "prefecture", "recipient": "市委", "on": D(2026, 1, 1)}, "on"),
             ({"to_level": "mars", "recipient": "市委", "on": SENT}, "to_level")]
    for item, field in cases:
        with pytest.raises(ValidationError) as exc:
            rs.send_upward(world.office, report, sends=[item])
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError):
        rs.send_upward(world.office, report, sends=[])


def test_a_draft_or_a_report_being_edited_cannot_be_sent(world):
    report = draft(world)
    item = [{"to_level": "prefecture", "recipient": "市委", "on": SENT}]
    with pytest.raises(rs.IllegalTransition):
        rs.send_upward(world.office, report, sends=item)
    report = rs.start_editing(world.office, rs.submit(world.member1, report))
    with pytest.raises(rs.IllegalTransition, match="send"):
        rs.send_upward(world.office, report, sends=item)


# Adoption and endorsement -------------------------------------------------------------------

def test_adoption_before_sending_is_refused(world):
    report = submitted(world)
    with pytest.raises(rs.IllegalTransition, match="adoption"):
        rs.record_adoption(world.office, report, level="prefecture", body="市政协《社情民意》",
                           on=SENT)
    assert Adoption.objects.count() == 0 and entries(report, "adopted") == []


def test_adoption_at_several_levels_gives_each_author_a_levelled_dated_entry(world):
    report = sent(world)
    before = audits()
    rs.record_adoption(world.office, report, level="prefecture", body="市政协《社情民意》",
                       issue_no="2026年第12期", on=D(2026, 3, 15))
    rs.record_adoption(world.office, report, level="provincial", body="省政协《社情民意》",
                       on=D(2026, 4, 2))
    rs.record_adoption(world.office, report, level="national", body="全国政协《政协信息》",
                       on=D(2026, 5, 6))
    rows = entries(report, "adopted")
    assert [(e.date, e.attrs["level"]) for e in rows] == [
        (D(2026, 3, 15), "prefecture"), (D(2026, 4, 2), "provincial"),
        (D(2026, 5, 6), "national")]
    assert all(e.membership == world.membership1 and e.attrs["ref"] == report.ref
               for e in rows)
    assert audits() == before + 6  # each adoption and each entry
    assert fresh(report).version == report.version + 3


def test_the_same_adoption_twice_is_refused_naming_the_body(world):
    report = sent(world)
    rs.record_adoption(world.office, report, level="provincial", body="省政协《社情民意》",
                       on=D(2026, 4, 2))
    with pytest.raises(ValidationError) as exc:
        rs.record_adoption(world.office, report, level="provincial", body=" 省政协《社情民意》 ",
                           on=D(2026, 4, 3))
    assert "already recorded" in exc.value.message_dict["body"][0]
    assert Adoption.objects.count() == 1 and len(entries(report, "adopted")) == 1
    # Another body at the same level is another adoption.
    rs.record_adoption(world.office, report, level="provincial", body="省委办公厅《每日要情》",
                       on=D(2026, 4, 3))
    assert Adoption.objects.count() == 2


def test_adoption_is_refused_below_the_committees_level_or_before_it_was_sent(world):
    report = sent(world)
    with pytest.raises(ValidationError) as exc:
        rs.record_adoption(world.office, report, level="county", body="区政协", on=SENT)
    assert "level" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rs.record_adoption(world.office, report, level="provincial", body="省政协",
                           on=D(2026, 3, 1))
    assert "on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rs.record_adoption(world.office, report, level="provincial", body=" ", on=SENT)
    assert "body" in exc.value.message_dict


def test_endorsement_after_sending_gives_each_author_an_endorsed_entry(world):
    report = sent(world)
    endorsement = rs.record_endorsement(
        world.office, report, level="provincial", leader_rank="principal", leader="省委主要领导",
        on=D(2026, 4, 20), content="请省教育厅研究落实。")
    assert isinstance(endorsement, Endorsement)
    (entry,) = entries(report, "endorsed")
    assert (entry.date, entry.attrs["level"]) == (D(2026, 4, 20), "provincial")


def test_endorsement_before_sending_or_with_bad_values_is_refused(world):
    report = submitted(world)
    with pytest.raises(rs.IllegalTransition, match="endorsement"):
        rs.record_endorsement(world.office, report, level="provincial", leader_rank="other",
                              leader="副省长", on=SENT)
    report = sent(world)
    for change, field in [({"leader_rank": "boss"}, "leader_rank"), ({"leader": ""}, "leader"),
                          ({"level": "county"}, "level"), ({"on": D(2099, 1, 1)}, "on")]:
        values = {"level": "provincial", "leader_rank": "other", "leader": "副省长",
                  "on": D(2026, 4, 1), **change}
        with pytest.raises(ValidationError) as exc:
            rs.record_endorsement(world.office, report, **values)
        assert field in exc.value.message_dict
    assert Endorsement.objects.count() == 0


def test_stale_version_refuses_an_adoption(world):
    report = sent(world)
    with pytest.raises(ConflictError):
        rs.record_adoption(world.office, report, level="provincial", body="省政协",
                           on=SENT, version=report.version - 1)
    assert Adoption.objects.count() == 0


# Closing ------------------------------------------------------------------------------------

def test_not_used_needs_a_reason_and_is_final(world):
    report = submitted(world)
    with pytest.raises(ValidationError) as exc:
        rs.mark_not_used(world.office, report, reason=" ")
    assert "reason" in exc.value.message_dict
    report = rs.mark_not_used(world.office, report, reason="与已报送信息重复")
    assert report.state == ReportState.NOT_USED and report.closed_on is not None
    assert report.not_used_reason == "与已报送信息重复"
    with pytest.raises(rs.IllegalTransition):
        rs.start_editing(world.office, report)
    with pytest.raises(rs.IllegalTransition):
        rs.mark_not_used(world.office, report, reason="again")


def test_a_draft_cannot_be_closed_as_not_used(world):
    with pytest.raises(rs.IllegalTransition):
        rs.mark_not_used(world.office, draft(world, world.office), reason="x")


def test_an_adopted_report_cannot_be_closed_as_not_used(world):
    report = sent(world)
    rs.record_adoption(world.office, report, level="provincial", body="省政协", on=SENT)
    with pytest.raises(rs.IllegalTransition, match="adopted"):
        rs.mark_not_used(world.office, report, reason="x")


def test_a_sent_report_without_outcome_can_be_closed_as_not_used(world):
    report = rs.mark_not_used(world.office, sent(world), reason="上级未采用")
    assert report.state == ReportState.NOT_USED


def test_archived_report_takes_no_more_outcomes(world):
    report = rs.archive(world.office, sent(world))
    assert report.state == ReportState.ARCHIVED and report.closed_on
    with pytest.raises(rs.IllegalTransition):
        rs.record_adoption(world.office, report, level="provincial", body="省政协", on=SENT)
    with pytest.raises(rs.IllegalTransition):
        rs.archive(world.office, submitted(world))


# Scope --------------------------------------------------------------------------------------

def test_who_sees_a_report(world):
    report = submitted(world)
    sees = {name: OpinionReport.objects.visible_to(getattr(world, name)).filter(
        pk=report.pk).exists()
        for name in ("office", "sc1_staff", "leader", "auditor", "member1", "member2",
                     "unit1_user", "office_other", "member_other")}
    assert sees == {"office": True, "sc1_staff": True, "leader": True, "auditor": True,
                    "member1": True, "member2": False, "unit1_user": False,
                    "office_other": False, "member_other": False}


def test_a_co_signer_sees_the_report_and_its_outcomes(world):
    report = draft(world, world.office, authors=[world.membership1, world.membership2])
    assert OpinionReport.objects.visible_to(world.member2).filter(pk=report.pk).exists()
    assert ReportAuthor.objects.visible_to(world.member2).count() == 2
    assert ReportAuthor.objects.visible_to(world.unit1_user).count() == 0


# Every write is audited ---------------------------------------------------------------------

def test_every_step_writes_an_audit_record_with_the_committee(world):
    report, today = draft(world), timezone.localdate()
    steps = [
        lambda: rs.update_draft(world.member1, report, title="t", body="b"),
        lambda: rs.submit(world.member1, report),
        lambda: rs.start_editing(world.office, report),
        lambda: rs.save_edit(world.office, report, edited_body="e"),
        lambda: rs.send_upward(world.office, report, sends=[
            {"to_level": "provincial", "recipient": "省政协", "on": today}]),
        lambda: rs.record_adoption(world.office, report, level="provincial", body="省政协",
                                   on=today),
        lambda: rs.record_endorsement(world.office, report, level="provincial",
                                      leader_rank="other", leader="副省长", on=today),
        lambda: rs.archive(world.office, report),
    ]
    for step in steps:
        seq = AuditRecord.objects.order_by("-seq").first().seq
        step()
        new = AuditRecord.objects.filter(seq__gt=seq)
        report_records = new.exclude(object_type="ledger.entry")
        assert report_records.exists(), step
        assert set(report_records.values_list("committee_id", flat=True)) == {
            world.committee.pk}


# The editing deadline -----------------------------------------------------------------------

def test_submitting_starts_the_offices_editing_deadline(world):
    from shixiao.deadlines.services import due_date

    report = submitted(world)
    assert report.edit_due == due_date(world.committee, "report_edit", SUBMITTED)
    assert report.edit_due > SUBMITTED
    assert rs.edit_colour(report, today=SUBMITTED) == "none"
    assert rs.edit_colour(report, today=report.edit_due) == "yellow"
    assert rs.edit_colour(report, today=report.edit_due + dt.timedelta(days=1)) == "red"


def test_edited_or_closed_reports_show_no_deadline_colour(world):
    report = rs.start_editing(world.office, submitted(world))
    late = report.edit_due + dt.timedelta(days=30)
    assert rs.edit_colour(report, today=late) == "red"
    report = rs.save_edit(world.office, report, edited_body="改")
    assert rs.edit_colour(report, today=late) == "none"
    closed = rs.mark_not_used(world.office, submitted(world), reason="重复")
    assert rs.edit_colour(closed, today=late) == "none"
    assert rs.edit_colour(draft(world)) == "none"
