"""Publishing a year's assessment, and finding which score a duty report shows."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shixiao.assessment.models import MemberScore, RubricVersion, ScoreRun
from shixiao.audit import services as audit
from shixiao.core.errors import DomainError
from shixiao.core.services import require_in_scope, require_perm
from shixiao.orgs.models import Committee, Membership

from .models import Publication, PublishedScore, content_digest

VIEW = "dossier.view_dossier"
PUBLISH = "dossier.publish_assessment"


def current_rubric(committee: Committee) -> RubricVersion | None:
    """The rubric version the committee registered last: the one it assesses with now."""
    return (RubricVersion.objects.filter(committee=committee)
            .order_by("-created_at", "-id").first())


def default_run(committee: Committee, year: int) -> ScoreRun | None:
    """The latest scoring run of `year` under the committee's current rubric."""
    rubric = current_rubric(committee)
    if rubric is None:
        return None
    return (ScoreRun.objects.filter(committee=committee, year=year, rubric=rubric)
            .order_by("-created_at", "-id").first())


def latest_publication(committee: Committee, year: int) -> Publication | None:
    """The version of `year` in force (the others are superseded by it)."""
    return (Publication.objects.filter(committee=committee, year=year)
            .order_by("-number").first())


def publish_assessment(actor, committee: Committee, year: int, *, run: ScoreRun | None = None,
                       note: str) -> Publication:
    """Freeze a scoring run as the committee's assessment for `year`: version 1, or the
    next version (which supersedes the current one and must say why in `note`).

    Without `run`, the latest run of the committee's current rubric for that year."""
    require_perm(actor, PUBLISH)
    require_in_scope(actor, committee)
    note = (note or "").strip()
    if run is None:
        run = default_run(committee, year)
        if run is None:
            raise DomainError(_(
                "There is no scoring run of %(year)s under the committee's current rubric "
                "to publish. Score the members for that year first.") % {"year": year})
    elif run.committee_id != committee.pk:
        raise ValidationError({"run": _("This scoring run belongs to another committee.")})
    elif run.year != year:
        raise ValidationError({"run": _("This scoring run is for %(run_year)s, not for "
                                        "%(year)s.") % {"run_year": run.year, "year": year}})
    with transaction.atomic():
        # One publisher at a time per committee, so two versions never get one number.
        Committee.objects.select_for_update().get(pk=committee.pk)
        previous = latest_publication(committee, year)
        if previous is not None:
            if previous.score_run_id == run.pk:
                raise DomainError(_(
                    "This scoring run is already published as version %(number)s.")
                    % {"number": previous.number})
            if not note:
                raise ValidationError({"note": _(
                    "Say why the published result changes: a new version replaces "
                    "version %(number)s.") % {"number": previous.number}})
        rows = list(MemberScore.objects.filter(run=run).order_by("membership_id")
                    .values_list("membership_id", "total", "grade", "explanation"))
        publication = Publication.objects.create(
            committee=committee, year=year, score_run=run,
            number=previous.number + 1 if previous else 1, published_at=timezone.now(),
            published_by=actor if getattr(actor, "pk", None) else None, note=note,
            sha256=content_digest(committee.pk, year, run.pk, rows))
        PublishedScore.objects.bulk_create(
            PublishedScore(publication=publication, membership_id=m, total=total,
                           grade=grade, explanation=explanation)
            for m, total, grade, explanation in rows)
        audit.record_create(actor, publication, reason=note or "assessment published")
        if previous is not None:
            before = audit.snapshot(previous)
            Publication.objects.filter(pk=previous.pk)._supersede(publication)
            previous.refresh_from_db()
            audit.record_update(actor, previous, before,
                                reason=_("superseded by version %(number)s")
                                % {"number": publication.number})
    return publication


@dataclass(frozen=True)
class ShownScore:
    """The score a report shows for one member and year, and where it comes from."""

    total: object
    grade: str
    explanation: dict
    run: ScoreRun
    publication: Publication | None  # None: the run's result, not yet published


def score_for(membership: Membership, year: int) -> ShownScore | None:
    """From the latest publication of the year if there is one, else from the latest run
    (of the current rubric, else of any rubric)."""
    publication = latest_publication(membership.committee, year)
    if publication is not None:
        row = publication.scores.filter(membership=membership).first()
        if row is not None:
            return ShownScore(row.total, row.grade, row.explanation, publication.score_run,
                              publication)
    run = default_run(membership.committee, year) or (
        ScoreRun.objects.filter(committee_id=membership.committee_id, year=year)
        .order_by("-created_at", "-id").first())
    if run is None:
        return None
    row = MemberScore.objects.filter(run=run, membership=membership).first()
    if row is None:
        return None
    return ShownScore(row.total, row.grade, row.explanation, run, None)
