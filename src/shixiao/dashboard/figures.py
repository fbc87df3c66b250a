"""Read-only figures for the leaders' dashboard, for one committee and year, as of a date.

Everything here reads through `visible_to(user)` and returns plain numbers; labels and
colours are the business of `charts.py`. Proposal figures come from
`shixiao.proposals.metrics` (definitions: docs/metrics.md), never recomputed here. Each
function runs a fixed number of queries, however many records there are.

Special-committee staff see their committee's slice: proposals attributed to their special
committee the way the metrics attribute them (the proposal's own special committee, else
its first author's first), reports by their first author the same way, and scores of the
members placed in it (which is what `visible_to` gives them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.translation import gettext as _

from shixiao.assessment import display
from shixiao.assessment.entries import LEVELS
from shixiao.assessment.models import MemberScore, ScoreRun
from shixiao.assessment.rubric import RubricInvalid, load
from shixiao.core.choices import UserRole
from shixiao.dossier.models import Publication, PublishedScore
from shixiao.dossier.services import default_run, latest_publication
from shixiao.orgs.models import Committee, Membership, SpecialCommittee
from shixiao.proposals import metrics
from shixiao.proposals.defaults import policy_for
from shixiao.proposals.models import Proposal, ProposalAuthor
from shixiao.reports.models import Adoption, Endorsement, OpinionReport, ReportAuthor

NO_SECTOR = metrics.Key(None, "")


@dataclass(frozen=True)
class Scope:
    """Whose dashboard: the user, the committee shown, and for special-committee staff the
    special committee whose slice they see (None: the whole committee)."""

    user: object
    committee: Committee
    special_committee: SpecialCommittee | None = None


def scope_for(user, committee: Committee) -> Scope:
    """The scope `user` reads `committee` in; the committee must come from
    `Committee.objects.visible_to(user)`."""
    if user.role == UserRole.SC_STAFF and not user.is_superuser:
        if user.special_committee_id is None:
            # Without a special committee there is no slice to show, and the whole
            # committee is not theirs to see.
            raise PermissionDenied(_("Your account names no special committee."))
        return Scope(user, committee, user.special_committee)
    return Scope(user, committee)


def years_with_data(scope: Scope) -> list[int]:
    """Years with a submitted proposal or opinion report, or a scoring run; latest first."""
    user, committee = scope.user, scope.committee
    years = set(Proposal.objects.visible_to(user)
                .filter(committee=committee, submitted_on__isnull=False)
                .values_list("year", flat=True).distinct().order_by())
    years |= {d.year for d in OpinionReport.objects.visible_to(user)
              .filter(committee=committee, submitted_on__isnull=False)
              .dates("submitted_on", "year")}
    years |= set(ScoreRun.objects.visible_to(user).filter(committee=committee)
                 .values_list("year", flat=True).distinct().order_by())
    return sorted(years, reverse=True)


# Attribution to a special committee ---------------------------------------------------------

def _first_special_committees(membership_ids) -> dict[int, int]:
    """Each membership's first-created special committee: where the metrics put the
    proposals of a member placed in several (docs/metrics.md, breakdowns)."""
    first: dict[int, int] = {}
    for link in (Membership.special_committees.through.objects
                 .filter(membership_id__in=set(membership_ids))
                 .values("membership_id", "specialcommittee_id")
                 .order_by("specialcommittee_id")):
        first.setdefault(link["membership_id"], link["specialcommittee_id"])
    return first


def _first_authors(author_rows) -> dict[int, int]:
    """{record id: membership of its first author} from (record id, membership) rows
    already in signing order."""
    first: dict[int, int] = {}
    for record_id, membership_id in author_rows:
        first.setdefault(record_id, membership_id)
    return first


# Proposals ----------------------------------------------------------------------------------

@dataclass
class ProposalFigures:
    """The metrics of one committee-year (or a special committee's slice of it), their
    breakdown by sector, and the pipeline counts."""

    stats: dict
    by_sector: list[dict]
    pipeline: dict = field(default_factory=dict)


def _sector_keys(rows: list[metrics.ProposalRow]) -> dict[int, metrics.Key]:
    """A proposal's sector: its first author's (authors are in signing order)."""
    first = {row.id: row.authors[0] for row in rows if row.authors}
    sectors = {a["pk"]: metrics.Key(a["membership__sector_id"], a["membership__sector__name"])
               for a in ProposalAuthor.objects.filter(pk__in=first.values()).values(
                   "pk", "membership__sector_id", "membership__sector__name")}
    return {pid: sectors.get(author, NO_SECTOR) for pid, author in first.items()}


def _submitted(scope: Scope, year: int, as_of: dt.date) -> int:
    """Proposals of `year` submitted by `as_of`, whatever became of them (not registered,
    converted, merged, still in review included)."""
    found = Proposal.objects.visible_to(scope.user).filter(
        committee=scope.committee, year=year, submitted_on__isnull=False,
        submitted_on__lte=as_of)
    sc = scope.special_committee
    if sc is None:
        return found.count()
    rows = list(found.values_list("pk", "special_committee_id"))
    unnamed = [pk for pk, named in rows if named is None]
    first = _first_authors(ProposalAuthor.objects.filter(proposal_id__in=unnamed)
                           .order_by("proposal_id", "rank", "id")
                           .values_list("proposal_id", "membership_id"))
    placed = _first_special_committees(first.values())
    return sum(1 for pk, named in rows
               if (named if named is not None else placed.get(first.get(pk))) == sc.pk)


def proposal_figures(scope: Scope, year: int, as_of: dt.date) -> ProposalFigures:
    """What `metrics.stats` gives for the committee and year, from one read of the rows and
    one pass over them: the same rows also serve the special committee's slice and the
    breakdown by the first author's sector (grouped like the special-committee one)."""
    proposals = Proposal.objects.visible_to(scope.user).filter(committee=scope.committee,
                                                               year=year)
    rows = metrics.load_rows(proposals)
    if scope.special_committee is not None:
        rows = [r for r in rows if r.special_committee.id == scope.special_committee.pk]
    horizons = sorted({int(m) for m in policy_for(scope.committee).follow_up_horizons}) \
        or list(metrics.DEFAULT_HORIZONS)
    sectors = _sector_keys(rows)
    stats = metrics.compute(rows, as_of, horizons=horizons, breakdowns={
        "by_sector": lambda row: sectors.get(row.id, NO_SECTOR)})
    return ProposalFigures(stats, stats.pop("by_sector"),
                           _pipeline(scope, year, as_of, stats, rows))


def _pipeline(scope: Scope, year: int, as_of: dt.date, stats: dict,
              rows: list[metrics.ProposalRow]) -> dict:
    """Counts per stage, from submission to the verified outcome. Every stage after
    `submitted` reads the metrics (`overall`) or the same rows."""
    rows = [r for r in rows if r.registered_on <= as_of]
    overall = stats["overall"]
    latest = overall["fulfilment"]["latest"]
    return {
        "submitted": _submitted(scope, year, as_of),
        "registered": overall["proposals"],
        "assigned": overall["assigned"],
        "replied": overall["reply"]["replied"],
        "rated": sum(1 for r in rows if any(g.rated_on <= as_of for g in r.ratings)),
        "reviewed": sum(1 for r in rows if any(
            v.finding and v.reviewed_on and v.reviewed_on <= as_of for v in r.reviews)),
        "fulfilled": latest["fulfilled"],
        "partly": latest["partly"],
        "unkept": latest["unkept"],
    }


# Assessment grades --------------------------------------------------------------------------

@dataclass
class GradeFigures:
    """How many members got each grade band, highest band first; no names."""

    bands: list[tuple[str, str, int]]  # (grade id, label, count)
    source: str  # "published", "run" or "" (nothing scored)
    publication: Publication | None = None
    run: ScoreRun | None = None


@lru_cache(maxsize=32)
def _bands(text: str) -> tuple[tuple[str, str], ...]:
    """(id, label) of the rubric's grade bands, highest first; parsed once per text. The
    labels keep every language: the reader's is picked per request."""
    try:
        rubric = load(text)
    except RubricInvalid:
        return ()
    return tuple((g.id, g.label) for g in rubric.grades)


def grade_figures(scope: Scope, year: int) -> GradeFigures:
    """Grade counts of the year's published assessment if there is one (its version in
    force), else of the latest scoring run (the current rubric's, else any)."""
    committee = scope.committee
    publication = latest_publication(committee, year)
    if publication is not None:
        run = (ScoreRun.objects.select_related("rubric").get(pk=publication.score_run_id))
        scores = PublishedScore.objects.visible_to(scope.user).filter(publication=publication)
        source = "published"
    else:
        run = default_run(committee, year) or (
            ScoreRun.objects.filter(committee=committee, year=year)
            .order_by("-created_at", "-id").first())
        if run is None:
            return GradeFigures([], "")
        run = ScoreRun.objects.select_related("rubric").get(pk=run.pk)
        scores = MemberScore.objects.visible_to(scope.user).filter(run=run)
        source = "run"
    # order_by() drops the models' default ordering, which would split the groups.
    counts = dict(scores.values_list("grade").annotate(n=Count("id")).order_by())
    bands = [(gid, display.label(label, gid), counts.pop(gid, 0))
             for gid, label in _bands(run.rubric.text)]
    ungraded = counts.pop("", 0)
    bands += [(gid, gid, n) for gid, n in sorted(counts.items())]  # ids no band names
    if ungraded:
        bands.append(("", "", ungraded))
    return GradeFigures(bands, source, publication, run)


# Opinion reports ----------------------------------------------------------------------------

@dataclass
class ReportFigures:
    """Reports submitted in the year, and how many of them were adopted / endorsed at each
    level by the as-of date (a report adopted by two bodies at one level counts once)."""

    levels: list[str]
    submitted: int
    adopted: int
    endorsed: int
    adopted_at: dict[str, int]
    endorsed_at: dict[str, int]


def report_figures(scope: Scope, year: int, as_of: dt.date) -> ReportFigures:
    committee = scope.committee
    reports = OpinionReport.objects.visible_to(scope.user).filter(
        committee=committee, submitted_on__gte=dt.date(year, 1, 1),
        submitted_on__lte=min(dt.date(year, 12, 31), as_of))
    if scope.special_committee is not None:
        ids = list(reports.values_list("pk", flat=True))
        first = _first_authors(ReportAuthor.objects.filter(report_id__in=ids)
                               .order_by("report_id", "rank", "id")
                               .values_list("report_id", "membership_id"))
        placed = _first_special_committees(first.values())
        ids = [pk for pk in ids if placed.get(first.get(pk)) == scope.special_committee.pk]
        reports = OpinionReport.objects.filter(pk__in=ids)
    own = LEVELS.index(committee.level) if committee.level in LEVELS else len(LEVELS) - 1
    levels = list(reversed(LEVELS[:own + 1]))  # its own level first, then upward
    outcomes = {}
    for name, model in (("adopted", Adoption), ("endorsed", Endorsement)):
        found = model.objects.filter(report__in=reports, on__lte=as_of)
        per_level = dict(found.values_list("level").annotate(
            n=Count("report_id", distinct=True)).order_by())
        outcomes[name] = (found.values("report_id").distinct().count(), per_level)
    return ReportFigures(
        levels=levels, submitted=reports.count(),
        adopted=outcomes["adopted"][0], endorsed=outcomes["endorsed"][0],
        adopted_at={lv: outcomes["adopted"][1].get(lv, 0) for lv in levels},
        endorsed_at={lv: outcomes["endorsed"][1].get(lv, 0) for lv in levels})
