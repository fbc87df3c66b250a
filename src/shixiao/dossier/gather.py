"""Reading what a duty report shows, within what the viewer may see. Views check the
permission and the membership's or committee's scope first; every query here is scoped to
the viewer as well, so a report never carries a record its reader could not open."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from shixiao.assessment import display
from shixiao.assessment.models import MemberScore
from shixiao.assessment.rubric import Rubric, load
from shixiao.ledger.models import Entry
from shixiao.orgs.models import Committee, Membership
from shixiao.proposals.models import FollowUp, Proposal, ProposalAuthor, ProposalState
from shixiao.reports.models import OpinionReport, ReportAuthor, ReportState

from .services import ShownScore, default_run, latest_publication, score_for

#: Proposal states in which the outcome, and so the score, can still change.
OPEN_PROPOSAL_STATES = (
    ProposalState.SUBMITTED, ProposalState.IN_REVIEW, ProposalState.RETURNED,
    ProposalState.REGISTERED, ProposalState.ASSIGNED, ProposalState.REHANDLING,
    ProposalState.REPLIED, ProposalState.FOLLOW_UP,
)
OPEN_REPORT_STATES = (ReportState.SUBMITTED, ReportState.EDITING, ReportState.EDITED,
                      ReportState.SENT)


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def rubric_of(shown_run) -> Rubric:
    return load(shown_run.rubric.text)


def live_entries(queryset):
    """Entries still in force: not void and not replaced by a correction."""
    return queryset.exclude(kind="void").filter(superseded_by__isnull=True)


# --- one member ------------------------------------------------------------------------------

@dataclass
class ProposalRow:
    proposal: Proposal
    role: str
    reply_grade: str = ""
    pending_follow_ups: list[dt.date] = field(default_factory=list)


@dataclass
class ReportRow:
    report: OpinionReport
    role: str


@dataclass
class MemberYear:
    membership: Membership
    year: int
    score: ShownScore | None
    rubric: Rubric | None
    entries: dict[str, Entry]
    titles: dict[str, str]  # ledger refs ("proposal:12") -> titles the viewer may see
    months: list[int]
    proposals: list[ProposalRow]
    reports: list[ReportRow]
    open_proposals: list[ProposalRow]
    open_reports: list[ReportRow]


def member_year(viewer, membership: Membership, year: int) -> MemberYear:
    start, end = year_span(year)
    shown = score_for(membership, year)
    rubric = rubric_of(shown.run) if shown else None
    ids = [int(e) for line in (shown.explanation.get("lines", []) if shown else [])
           for e in line.get("entries", []) if str(e).isdigit()]
    entries = {str(e.pk): e for e in Entry.objects.visible_to(viewer).filter(
        pk__in=ids, membership=membership)}
    months = [0] * 12
    acts = live_entries(Entry.objects.visible_to(viewer).filter(
        membership=membership, date__gte=start, date__lte=end))
    for day in acts.values_list("date", flat=True):
        months[day.month - 1] += 1
    proposals = _proposal_rows(viewer, membership, Q(proposal__year=year))
    open_proposals = _proposal_rows(viewer, membership, Q(proposal__year__lte=year)
                                    & Q(proposal__state__in=OPEN_PROPOSAL_STATES))
    reports = _report_rows(viewer, membership, Q(report__submitted_on__gte=start)
                           & Q(report__submitted_on__lte=end))
    open_reports = _report_rows(viewer, membership, Q(report__submitted_on__lte=end)
                                & Q(report__state__in=OPEN_REPORT_STATES))
    refs = {e.attrs.get("ref") for e in entries.values() if e.attrs.get("ref")}
    return MemberYear(membership, year, shown, rubric, entries, _titles(viewer, refs), months,
                      proposals, reports, open_proposals, open_reports)


def _proposal_rows(viewer, membership, condition: Q) -> list[ProposalRow]:
    authorships = (ProposalAuthor.objects.filter(condition, membership=membership)
                   .filter(proposal__in=Proposal.objects.visible_to(viewer))
                   .exclude(proposal__state=ProposalState.DRAFT)
                   .select_related("proposal")
                   .order_by("proposal__year", "proposal__submitted_on", "proposal_id"))
    rows = []
    for authorship in authorships:
        proposal = authorship.proposal
        reply = proposal.replies.select_related("grade").order_by("-round", "-id").first()
        pending = list(FollowUp.objects.filter(proposal=proposal, reviewed_on__isnull=True)
                       .order_by("due").values_list("due", flat=True))
        rows.append(ProposalRow(proposal, authorship.get_role_display(),
                                str(reply.grade) if reply else "", pending))
    return rows


def _report_rows(viewer, membership, condition: Q) -> list[ReportRow]:
    authorships = (ReportAuthor.objects.filter(condition, membership=membership)
                   .filter(report__in=OpinionReport.objects.visible_to(viewer))
                   .exclude(report__state=ReportState.DRAFT)
                   .select_related("report")
                   .prefetch_related("report__adoptions", "report__endorsements")
                   .order_by("report__submitted_on", "report_id"))
    return [ReportRow(a.report, a.get_role_display()) for a in authorships]


def _titles(viewer, refs) -> dict[str, str]:
    """Titles behind ledger refs, only of records the viewer may open."""
    wanted: dict[str, list[int]] = {"proposal": [], "report": []}
    for ref in refs:
        kind, _, pk = str(ref).partition(":")
        if kind in wanted and pk.isdigit():
            wanted[kind].append(int(pk))
    titles = {f"proposal:{pk}": title for pk, title in Proposal.objects.visible_to(viewer)
              .filter(pk__in=wanted["proposal"]).values_list("pk", "title")}
    titles |= {f"report:{pk}": title for pk, title in OpinionReport.objects.visible_to(viewer)
               .filter(pk__in=wanted["report"]).values_list("pk", "title")}
    return titles


# --- the committee ---------------------------------------------------------------------------

@dataclass
class CommitteeYear:
    committee: Committee
    year: int
    run: object | None  # assessment.ScoreRun
    publication: object | None  # dossier.Publication
    rubric: Rubric | None
    members_in_scope: int
    results: list[dict]  # the explanations (MemberResult.to_dict) of members in scope
    participation: list[tuple[str, int, int]]  # (entry kind, entries, members)
    active_members: int
    proposals: dict[str, int]
    reports: dict[str, int]


def committee_year(viewer, committee: Committee, year: int) -> CommitteeYear:
    start, end = year_span(year)
    memberships = Membership.objects.visible_to(viewer).filter(committee=committee)
    in_scope = memberships.filter(start__lte=end).filter(
        Q(end__isnull=True) | Q(end__gte=start))
    publication = latest_publication(committee, year)
    run = publication.score_run if publication else default_run(committee, year)
    if publication is not None:
        rows = publication.scores.filter(membership__in=memberships)
    elif run is not None:
        rows = MemberScore.objects.filter(run=run, membership__in=memberships)
    else:
        rows = MemberScore.objects.none()
    results = [dict(e, grade=g) for g, e in rows.values_list("grade", "explanation")]
    acts = live_entries(Entry.objects.visible_to(viewer).filter(
        committee=committee, membership__in=memberships, date__gte=start, date__lte=end))
    participation = [(r["kind"], r["entries"], r["members"]) for r in acts.values("kind")
                     .annotate(entries=Count("id"), members=Count("membership", distinct=True))
                     .order_by("kind")]
    active = acts.values("membership").distinct().count()
    return CommitteeYear(committee, year, run, publication, rubric_of(run) if run else None,
                         in_scope.count(), results, participation, active,
                         _proposal_pipeline(viewer, committee, year),
                         _report_pipeline(viewer, committee, start, end))


def _proposal_pipeline(viewer, committee, year) -> dict[str, int]:
    proposals = (Proposal.objects.visible_to(viewer).filter(committee=committee, year=year)
                 .exclude(state=ProposalState.DRAFT))
    return proposals.aggregate(
        submitted=Count("id", filter=Q(submitted_on__isnull=False)),
        registered=Count("id", filter=Q(registered_on__isnull=False)),
        replied=Count("id", filter=Q(replied_on__isnull=False)),
        verified=Count("id", filter=~Q(outcome="")),
        fulfilled=Count("id", filter=Q(outcome="fulfilled")),
        partly=Count("id", filter=Q(outcome="partly")),
        unkept=Count("id", filter=Q(outcome="unkept")),
        not_registered=Count("id", filter=Q(state=ProposalState.NOT_REGISTERED)),
        merged=Count("id", filter=Q(state=ProposalState.MERGED)),
        converted=Count("id", filter=Q(state=ProposalState.CONVERTED)),
    )


def _report_pipeline(viewer, committee, start, end) -> dict[str, int]:
    reports = OpinionReport.objects.visible_to(viewer).filter(
        committee=committee, submitted_on__gte=start, submitted_on__lte=end)
    counts = reports.aggregate(
        submitted=Count("id"),
        edited=Count("id", filter=Q(edited_on__isnull=False)),
        sent=Count("id", filter=Q(sent_on__isnull=False)),
        not_used=Count("id", filter=Q(state=ReportState.NOT_USED)),
    )
    counts["adopted"] = reports.filter(adoptions__isnull=False).distinct().count()
    counts["endorsed"] = reports.filter(endorsements__isnull=False).distinct().count()
    return counts


def grade_counts(results: list[dict], rubric: Rubric | None) -> list[tuple[str, int]]:
    """(grade id, members) in the rubric's band order, highest first; '' = no grade."""
    counts = Counter(r.get("grade") or "" for r in results)
    order = [g.id for g in rubric.grades] if rubric else []
    order += sorted(g for g in counts if g not in order)
    return [(g, counts.get(g, 0)) for g in order if g or counts.get(g)]


def category_averages(results: list[dict], rubric: Rubric | None) -> list[tuple[str, Decimal]]:
    """(category label, mean points) over the members scored, in the rubric's order."""
    if not results:
        return []
    sums: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    for result in results:
        for category in result.get("categories", []):
            sums[category["id"]] = sums.get(category["id"], Decimal(0)) + Decimal(
                str(category["points"]))
            labels.setdefault(category["id"], display.item(category))
    order = [c.id for c in rubric.categories] if rubric else []
    order += [c for c in sums if c not in order]
    return [(labels[c], (sums[c] / len(results)).quantize(Decimal("0.1")))
            for c in order if c in sums]
