"""A proposal turned into an opinion report at review (转为社情民意): a submitted report with
the proposal's text, authors and date, credited once as a report."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from shixiao.audit.models import AuditRecord
from shixiao.proposals.models import Proposal, ProposalAuthor
from shixiao.reports import services as rs
from shixiao.reports.models import OpinionReport, ReportState

from .test_reports_services import entries

SUBMITTED = dt.date(2026, 2, 20)


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in their English source; the catalogue may translate them."""
    with translation.override("en"):
        yield


def make_proposal(world, *, authors, committee=None, term=None):
    """A proposal under review, written straight to the database: only its attributes
    matter here, not how the proposals workflow got it there."""
    proposal = Proposal.objects.create(
        committee=committee or world.committee, term=term or world.term, year=2026,
        title="关于规范校外培训收费的建议", body="情况、分析和建议。" * 30,
        state="in_review", submitted_on=SUBMITTED)
    for rank, (membership, role) in enumerate(authors, 1):
        ProposalAuthor.objects.create(proposal=proposal, membership=membership, role=role,
                                      rank=rank)
    return proposal


def test_conversion_copies_text_authors_and_date_and_links_the_proposal(world):
    proposal = make_proposal(world, authors=[(world.membership2, "first_author"),
                                             (world.membership1, "co_signer")])
    report = rs.create_report_from_proposal(world.office, proposal)
    assert report.state == ReportState.SUBMITTED
    assert (report.title, report.body) == (proposal.title, proposal.body)
    assert report.submitted_on == SUBMITTED
    assert report.source_proposal == proposal
    assert list(proposal.converted_reports.all()) == [report]
    assert [(a.membership, a.role, a.rank) for a in report.authors.all()] == [
        (world.membership2, "first_author", 1), (world.membership1, "co_signer", 2)]
    assert report.edit_due is not None and report.edit_due > SUBMITTED
    record = AuditRecord.objects.filter(object_type="reports.opinionreport",
                                        object_id=str(report.pk)).get()
    assert record.after["source_proposal"] == proposal.pk


def test_conversion_credits_each_author_with_a_submitted_report_dated_that_day(world):
    proposal = make_proposal(world, authors=[(world.membership1, "individual")])
    report = rs.create_report_from_proposal(world.office, proposal)
    (entry,) = entries(report)
    assert (entry.membership, entry.kind, entry.date) == (
        world.membership1, "opinion_report", SUBMITTED)
    assert entry.attrs == {"ref": report.ref, "status": "submitted", "role": "individual",
                           "authors": 1, "from_proposal": True}
    assert entry.effective == SUBMITTED


def test_given_the_conversion_day_the_report_counts_from_that_day(world):
    """The proposal's own `submitted` entries are voided from the conversion day; the
    report's take over that same day, so the item counts once as of any date."""
    proposal = make_proposal(world, authors=[(world.membership1, "individual")])
    converted_on = dt.date(2026, 3, 20)
    report = rs.create_report_from_proposal(world.office, proposal, on=converted_on)
    (entry,) = entries(report)
    assert (entry.date, entry.effective) == (SUBMITTED, converted_on)
    assert report.submitted_on == SUBMITTED


def test_later_events_of_a_converted_report_say_where_it_came_from(world):
    proposal = make_proposal(world, authors=[(world.membership1, "individual")])
    report = rs.create_report_from_proposal(world.office, proposal)
    report = rs.send_upward(world.office, report, sends=[
        {"to_level": "provincial", "recipient": "省政协", "on": dt.date(2026, 3, 1)}])
    rs.record_adoption(world.office, report, level="provincial", body="省政协",
                       on=dt.date(2026, 3, 5))
    assert entries(report, "adopted")[0].attrs["from_proposal"] is True


def test_a_proposal_is_converted_only_once(world):
    proposal = make_proposal(world, authors=[(world.membership1, "individual")])
    rs.create_report_from_proposal(world.office, proposal)
    with pytest.raises(rs.IllegalTransition, match="already"):
        rs.create_report_from_proposal(world.office, proposal)
    assert OpinionReport.objects.count() == 1


def test_special_committee_staff_who_review_proposals_may_convert(world):
    proposal = make_proposal(world, authors=[(world.membership1, "individual")])
    assert rs.create_report_from_proposal(world.sc1_staff, proposal).pk


def test_members_units_and_other_committees_cannot_convert(world):
    proposal = make_proposal(world, authors=[(world.membership1, "individual")])
    for user in (world.member1, world.unit1_user, world.office_other, world.leader):
        with pytest.raises(PermissionDenied):
            rs.create_report_from_proposal(user, proposal)
    assert OpinionReport.objects.count() == 0


def test_a_stand_in_with_the_same_attributes_converts_without_a_link(world):
    """The function reads attributes only, so any object shaped like a proposal works."""
    author = SimpleNamespace(membership=world.membership1, role="first_author", rank=1)
    stand_in = SimpleNamespace(
        pk=None, committee=world.committee, title="标题", body="正文", submitted_on=SUBMITTED,
        authors=SimpleNamespace(all=lambda: [author]))
    report = rs.create_report_from_proposal(world.office, stand_in)
    assert report.source_proposal is None and report.submitted_on == SUBMITTED
    assert report.authors.get().role == "first_author"


def test_the_converted_report_goes_through_the_office_workflow(world):
    proposal = make_proposal(world, authors=[(world.membership1, "individual")])
    report = rs.create_report_from_proposal(world.office, proposal)
    report = rs.start_editing(world.office, report)
    report = rs.save_edit(world.office, report, edited_body="编辑稿")
    report = rs.send_upward(world.office, report, sends=[
        {"to_level": "provincial", "recipient": "省政协", "on": dt.date(2026, 3, 1)}])
    assert report.state == ReportState.SENT and report.body == proposal.body


def test_the_proposals_workflow_scores_the_item_once_as_a_report(world):
    """End to end through the proposals app's conversion, when it is there: its own
    `submitted` entries are voided and the report's stand in their place."""
    review = pytest.importorskip("shixiao.proposals.review")
    from shixiao.ledger.models import Entry
    from shixiao.proposals import ledgering

    proposal = make_proposal(world, authors=[(world.membership1, "individual")])
    ledgering.record_for_authors(proposal, "submitted", date=SUBMITTED)
    report = review.convert_to_report(world.office, proposal)
    assert report.source_proposal_id == proposal.pk
    live = {e.pk for e in Entry.objects.filter(membership=world.membership1)
            if not Entry.objects.filter(supersedes=e).exists() and e.kind != "void"}
    submitted = [e for e in Entry.objects.filter(pk__in=live)
                 if e.attrs.get("status") == "submitted"]
    assert [e.kind for e in submitted] == ["opinion_report"]
