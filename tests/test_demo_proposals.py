"""The demo's year of proposals and opinion reports: made through the workflow services, so
every state and path a committee meets is there, the ledger rests on real records, the same
seed gives the same year, and the similarity measurement has its ground truth."""

import datetime as dt
import io
import json
from collections import Counter
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q

from shixiao.accounts.models import User
from shixiao.assessment import load, score
from shixiao.assessment.services import load_entries
from shixiao.audit.services import verify_chain
from shixiao.ledger.models import Entry
from shixiao.orgs import demo as org_demo
from shixiao.orgs.models import Committee, HandlingUnit
from shixiao.proposals import demo as proposals_demo
from shixiao.proposals.choices import (
    AssignmentRole,
    AssignmentState,
    Category,
    HandlingMode,
    ProposalState,
    ProposerType,
)
from shixiao.proposals.demo_texts import TOPIC_BY_KEY
from shixiao.proposals.models import (
    Assignment,
    CoOpinion,
    FollowUp,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    Rating,
    Reply,
)
from shixiao.proposals.similarity_eval import demo_topics, evaluate
from shixiao.reports import demo as reports_demo
from shixiao.reports.models import Adoption, OpinionReport, ReportState

MEMBERS, SEED, YEAR = 40, 2026, 2025
TODAY = dt.date(YEAR + 1, 11, 29)  # the demo's today: YEAR is its last complete year


@pytest.fixture(scope="module")
def demo_year(django_db_setup, django_db_blocker):
    """One demo committee with its year, shared by the read-only tests (about 15 s)."""
    with django_db_blocker.unblock():
        result = org_demo.generate(members=MEMBERS, seed=SEED, fresh=True, today=TODAY)
        proposals = proposals_demo.generate_year(result.committee, YEAR, seed=SEED,
                                                 today=TODAY)
        reports = reports_demo.generate_year(result.committee, YEAR, seed=SEED, today=TODAY)
    yield SimpleNamespace(committee=result.committee, proposals=proposals, reports=reports)
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(demo_year, db):
    return demo_year


def mine(demo):
    return Proposal.objects.filter(committee=demo.committee, year=YEAR)


def test_every_proposal_state_occurs(demo):
    states = set(mine(demo).values_list("state", flat=True))
    assert states == set(ProposalState.values)
    assert 30 <= demo.proposals["proposals"] <= 55  # about one per member


def test_most_proposals_are_filed_at_the_plenary_and_most_are_registered(demo):
    proposals = mine(demo)
    plenary = proposals.filter(category=Category.PLENARY).count()
    assert plenary > proposals.count() / 2
    assert proposals.filter(category=Category.BETWEEN_SESSIONS).exists()
    submitted = proposals.exclude(state=ProposalState.DRAFT).count()
    registered = proposals.filter(registered_on__isnull=False).count() \
        + proposals.filter(merged_into__isnull=False).count()
    assert 0.75 <= registered / submitted <= 0.97
    kinds = set(proposals.values_list("proposer_type", flat=True))
    assert kinds == set(ProposerType.values)
    reasons = proposals.filter(state=ProposalState.NOT_REGISTERED)
    assert all(p.not_registered_reason_id for p in reasons)


def test_merged_proposals_keep_all_their_authors_and_get_their_own_reply(demo):
    merged = list(mine(demo).filter(merged_into__isnull=False))
    assert len({p.merged_into_id for p in merged}) >= 2  # several groups
    topics = demo.proposals["topics"]
    for p in merged:
        assert topics[p.pk] == topics[p.merged_into_id]  # near-duplicates on one topic
        created = ProposalEvent.objects.get(proposal=p, action="created")
        kept = list(p.authors.order_by("rank").values_list("membership_id", flat=True))
        assert kept == created.data["authors"]
        assert not set(kept) & set(p.merged_into.authors.values_list("membership_id",
                                                                     flat=True))
        if p.merged_into.state != ProposalState.REGISTERED:
            assert Reply.objects.filter(proposal=p).exists(), p
    assert mine(demo).filter(state=ProposalState.MERGED).exists()  # the lead not yet assigned


def submissions(committee, membership, as_of):
    """Items submitted in the year, proposal or report alike, as the engine counts them."""
    rubric = load("""
rubric: submissions
categories:
  - id: work
    rules:
      - {id: proposal_submitted, kind: per_unit, points: 1,
         where: {kind: proposal, status: submitted}}
      - {id: report_submitted, kind: per_unit, points: 1,
         where: {kind: opinion_report, status: submitted}}
""")
    entries = [e for e in load_entries(committee, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31),
                                       as_of) if e.member == str(membership.pk)]
    return score(rubric, entries, as_of, members={str(membership.pk): "member"})[0].total


def test_a_converted_proposal_has_its_report_and_is_scored_once(demo):
    converted = list(mine(demo).filter(state=ProposalState.CONVERTED))
    assert len(converted) >= 2
    assert any(p.not_registered_reason_id for p in converted)  # refused, then converted
    for p in converted:
        report = OpinionReport.objects.get(source_proposal=p)
        assert sorted(report.authors.values_list("membership_id", flat=True)) == sorted(
            p.authors.values_list("membership_id", flat=True))
        assert report.state != ReportState.SUBMITTED  # the office went on with it
    for p in converted:
        membership = p.authors.order_by("rank").first().membership
        expected = (ProposalAuthor.objects.filter(
            membership=membership, proposal__submitted_on__year=YEAR)
            .exclude(proposal__state=ProposalState.CONVERTED).count()
            + OpinionReport.objects.filter(authors__membership=membership,
                                           submitted_on__year=YEAR).count())
        assert submissions(demo.committee, membership, TODAY) == expected


def test_a_follow_up_found_a_promise_unkept_and_the_ledger_says_so(demo):
    unkept = FollowUp.objects.filter(proposal__in=mine(demo), finding="unkept")
    assert unkept.exists()
    findings = Counter(FollowUp.objects.filter(proposal__in=mine(demo)).exclude(finding="")
                       .values_list("finding", flat=True))
    assert findings["fulfilled"] and findings["partly"]
    proposal = unkept.first().proposal
    assert Entry.objects.filter(source_type="proposals.proposal", source_id=str(proposal.pk),
                                attrs__status="effect_unkept").exists()
    assert mine(demo).filter(state=ProposalState.CLOSED).exclude(outcome="").exists()


def test_an_unsatisfied_rating_led_to_a_second_round_and_a_second_reply(demo):
    again = mine(demo).filter(round=2)
    assert again.exists()
    done = [p for p in again if Reply.objects.filter(proposal=p, round=2).exists()]
    assert done, "at least one re-handling was answered"
    for p in again:
        assert Rating.objects.filter(proposal=p, round=1).filter(
            Q(process="unsatisfied") | Q(result="unsatisfied")).exists()
    ratings = Rating.objects.filter(proposal__in=mine(demo))
    satisfied = ratings.exclude(Q(process="unsatisfied") | Q(result="unsatisfied")).count()
    assert satisfied / ratings.count() > 0.8  # mostly satisfied


def test_handling_shows_every_assignment_path_and_the_grades_are_mostly_b(demo):
    assignments = Assignment.objects.filter(proposal__in=mine(demo))
    modes = set(mine(demo).exclude(handling_mode="").values_list("handling_mode", flat=True))
    assert modes == set(HandlingMode.values)
    assert CoOpinion.objects.filter(assignment__in=assignments,
                                    assignment__role=AssignmentRole.CO).exists()
    objected = assignments.filter(objected_on__isnull=False)
    assert objected.filter(state=AssignmentState.REASSIGNED).exists()
    assert objected.exclude(state=AssignmentState.REASSIGNED).exists()  # upheld
    assert mine(demo).filter(extension_approved=True).exists()
    overdue = mine(demo).filter(state=ProposalState.ASSIGNED, reply_due__lt=TODAY)
    assert overdue.exists()  # metrics show red items
    grades = Counter(Reply.objects.filter(proposal__in=mine(demo), round=1)
                     .values_list("grade__code", flat=True))
    assert set(grades) == {"A", "B", "C"} and grades.most_common(1)[0][0] == "B"
    key = mine(demo).filter(is_key=True)
    assert key.exists() and all(p.key_supervisor.role == "leader" for p in key)
    assert mine(demo).filter(excellent_year=YEAR).exists()
    assert mine(demo).filter(endorsements__isnull=False).exists()
    assert mine(demo).filter(public=True).exists()


def test_units_come_from_the_topic_with_some_noise(demo):
    topics = demo.proposals["topics"]
    rows = list(Assignment.objects.filter(proposal__in=mine(demo))
                .exclude(state=AssignmentState.REASSIGNED).select_related("unit", "proposal"))
    natural = [a.unit.name in TOPIC_BY_KEY[topics[a.proposal_id]].units for a in rows]
    assert 0.75 <= sum(natural) / len(natural) < 1


def test_each_step_is_taken_by_its_real_actor_and_nothing_after_the_demo_today(demo):
    events = ProposalEvent.objects.filter(proposal__in=mine(demo))
    assert max(events.values_list("on", flat=True)) <= TODAY
    roles = {(e.action, e.actor.role) for e in events.select_related("actor") if e.actor}
    assert ("created", "member") in roles and ("co_signed", "member") in roles
    assert ("reply_received", "unit") in roles and ("rated", "member") in roles
    assert ("registered", "office") in roles
    assert verify_chain() is None
    units = User.objects.filter(role="unit", handling_unit__committee=demo.committee)
    assert units.count() == HandlingUnit.objects.filter(committee=demo.committee).count()
    assert units.get(username="unit1").handling_unit.name == "市发展和改革委员会"
    assert units.get(username="unit2").check_password(org_demo.DEFAULT_PASSWORD)


def test_ledger_proposal_and_report_entries_point_at_real_records(demo):
    entries = Entry.objects.filter(committee=demo.committee,
                                   kind__in=["proposal", "opinion_report"])
    assert entries.filter(kind="proposal").exists()
    assert entries.filter(kind="opinion_report").exists()
    proposals = set(Proposal.objects.values_list("pk", flat=True))
    reports = set(OpinionReport.objects.values_list("pk", flat=True))
    for kind, source_type, source_id in entries.values_list("kind", "source_type",
                                                             "source_id"):
        if kind == "proposal":
            assert source_type == "proposals.proposal" and int(source_id) in proposals
        else:
            assert source_type == "reports.opinionreport" and int(source_id) in reports


def test_opinion_reports_are_many_and_adoption_is_steep(demo):
    reports = OpinionReport.objects.filter(committee=demo.committee)
    per_member = reports.exclude(source_proposal__isnull=False).count() / MEMBERS
    assert 0.6 <= per_member <= 2.5
    authors = Counter(reports.values_list("authors__membership_id", flat=True))
    assert len(authors) < MEMBERS * 0.8  # many members write none
    states = set(reports.values_list("state", flat=True))
    assert {ReportState.DRAFT, ReportState.NOT_USED, ReportState.SENT} <= states
    assert reports.filter(edited_on__isnull=False).exists()
    for r in reports.exclude(edited_on=None):  # dated when it happened, not on generation day
        assert r.submitted_on <= r.edited_on <= r.submitted_on + dt.timedelta(days=120)
    for r in reports.exclude(closed_on=None):
        assert r.submitted_on <= r.closed_on < TODAY
    levels = Counter(Adoption.objects.filter(report__in=reports)
                     .values_list("level", flat=True))
    assert levels["prefecture"] > levels["provincial"] + levels["national"]
    assert "county" not in levels  # never below the committee's own level


@pytest.fixture
def flushable(db):
    """PostgreSQL refuses to TRUNCATE (flush) with foreign-key checks still deferred in the
    same transaction; the test's transaction checks them at once."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_same_seed_gives_the_same_year(flushable):
    def year():
        committee = org_demo.generate(members=12, seed=5, fresh=True, today=TODAY).committee
        summary = proposals_demo.generate_year(committee, YEAR, seed=5, today=TODAY)
        summary.pop("topics")
        reports = reports_demo.generate_year(committee, YEAR, seed=5, today=TODAY)
        rows = sorted(map(repr, Proposal.objects.values_list(
            "title", "state", "number", "round", "outcome", "submitted_on")))
        return summary, reports, rows

    first = year()
    assert first[0]["proposals"] >= 8
    assert year() == first


def test_similarity_measurement_recovers_the_topics_and_reports_shares(demo):
    committee = Committee.objects.get(code=org_demo.CITY_CODE)
    assert demo_topics(committee, YEAR, seed=SEED) == demo.proposals["topics"]
    assert demo_topics(committee, YEAR, seed=SEED + 1) == {}
    result = evaluate(committee, topics=demo.proposals["topics"], year=YEAR)
    assert result["similar"]["n"] > 20 and result["units"]["n"] > 20
    for part in ("similar", "units"):
        assert 0 <= result[part]["top1"] <= result[part]["top3"] <= 1
    # Texts on one topic share their vocabulary: far better than chance.
    assert result["similar"]["top1"] > 5 * result["similar"]["chance_top1"]
    assert result["units"]["top1"] > result["units"]["baseline_top1"]


def test_similarity_report_command(demo):
    out = io.StringIO()
    call_command("similarity_report", committee=org_demo.CITY_CODE, year=YEAR, format="json",
                 stdout=out)
    result = json.loads(out.getvalue())
    assert result["committee"] == org_demo.CITY_CODE and result["year"] == YEAR
    out = io.StringIO()
    call_command("similarity_report", committee=org_demo.CITY_CODE, year=YEAR, stdout=out)
    assert "top-1" in out.getvalue()
    with pytest.raises(CommandError, match="No committee"):
        call_command("similarity_report", committee="nowhere", stdout=io.StringIO())
    with pytest.raises(CommandError, match="seed 7"):
        call_command("similarity_report", committee=org_demo.CITY_CODE, year=YEAR, seed=7,
                     stdout=io.StringIO())
