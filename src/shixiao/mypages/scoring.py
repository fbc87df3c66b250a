"""A member's own score for a year, with every reason: the latest stored scoring if the
office has run one (saying as of when, and whether it is published), else computed now for
this member alone with the same pure engine the office's runs use.

The rubric is the committee's latest registered version that covers the year, else the
default rubric shipped with shixiao.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Q
from django.utils.translation import gettext as _

from shixiao.assessment import display
from shixiao.assessment.defaults import default_rubric_text
from shixiao.assessment.engine import score
from shixiao.assessment.entries import MemberInfo
from shixiao.assessment.models import MemberScore, RubricVersion
from shixiao.assessment.rubric import Rubric, RubricInvalid, load
from shixiao.assessment.services import history_for, iter_member_entries, period_for
from shixiao.ledger.models import Entry

from . import casework, record


@dataclass
class LineView:
    rule: str
    label: str
    points: object
    notes: list[str]
    entries: list[record.EntryRow]


@dataclass
class CategoryView:
    id: str
    label: str
    points: object
    notes: list[str]
    limits: str = ""
    lines: list[LineView] = field(default_factory=list)
    pool: str = ""


@dataclass
class GateView:
    label: str
    passed: bool
    effect: str
    failed: list[str]


@dataclass
class ScoreView:
    """Everything the score page shows. `source` is "stored" or "live"."""

    source: str
    year: int
    as_of: dt.date
    period: tuple[dt.date, dt.date]
    rubric_label: str
    rubric_version: str
    default_rubric: bool
    total: object
    grade: str
    grade_label: str
    grade_by_score_label: str
    base: object
    categories: list[CategoryView]
    pools: list[CategoryView]
    gates: list[GateView]
    consequences: list[str]
    notes: list[str]
    run: object = None
    published: str = "unknown"     # "published", "other" (another run is), "no", "unknown"
    published_score: object = None
    published_grade_label: str = ""

    @property
    def provisional(self) -> bool:
        """The year is not assessed yet: the office has not scored it, or scored it before
        the period ended. Such a score is a count so far; it carries no grade verdict and
        no consequence."""
        return self.source == "live" or self.as_of < self.period[1]

    @property
    def lines(self) -> list[LineView]:
        return [line for c in self.categories for line in c.lines]


def rubric_for(committee, year: int) -> tuple[str, RubricVersion | None]:
    """(rubric text, stored version or None for the default rubric) for `year`."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    versions = (RubricVersion.objects.filter(committee=committee)
                .filter(Q(period_from__isnull=True) | Q(period_from__lte=end))
                .filter(Q(period_to__isnull=True) | Q(period_to__gte=start))
                .order_by("-created_at", "-pk"))
    version = versions.first()
    if version is not None:
        return version.text, version
    return default_rubric_text(), None


def stored_score(user, membership, year: int) -> MemberScore | None:
    """The member's row in the latest scoring run of `year`."""
    return (MemberScore.objects.visible_to(user)
            .filter(membership=membership, run__year=year,
                    run__committee_id=membership.committee_id)
            .select_related("run__rubric")
            .order_by("-run__created_at", "-run__pk").first())


def live_result(membership, rubric: Rubric, year: int, today: dt.date):
    """(explanation dict, as-of date, period) for this member alone, computed now."""
    start, end = period_for(rubric, year)
    as_of = max(start, min(today, end))
    entries = [e for _member, batch in iter_member_entries(
        membership.committee, start, end, as_of, members=(membership.pk, membership.pk))
        for e in batch]
    key = str(membership.pk)
    history = history_for(membership.committee_id, rubric.id, year,
                          memberships=[membership.pk]).get(key, [])
    info = MemberInfo(id=key, role=membership.role,
                      group=str(membership.sector_id) if membership.sector_id else None)
    (result,) = score(rubric, entries, as_of, history={key: history}, members={key: info})
    return result.to_dict(), as_of, (start, end)


def _publication_model():
    """The dossier app's Publication, if that app is installed and has it."""
    if not apps.is_installed("shixiao.dossier"):
        return None
    try:
        return apps.get_model("dossier", "Publication")
    except LookupError:
        return None


def publication_state(user, membership, year: int, run) -> tuple[str, object]:
    """("published" | "other" | "no" | "unknown", the member's published row or None)."""
    model = _publication_model()
    if model is None:
        return "unknown", None
    try:
        manager = model.objects
        qs = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
        current = (qs.filter(committee_id=membership.committee_id, year=year,
                             superseded_by__isnull=True).order_by("-pk").first())
        if current is None:
            return "no", None
        row = None
        if hasattr(current, "scores"):
            row = current.scores.filter(membership=membership).first()
        if run is not None and current.score_run_id == run.pk:
            return "published", row
        return "other", row
    except (FieldError, AttributeError):  # the dossier model changed shape: say nothing
        return "unknown", None


def published_grade_label(row) -> str:
    """The published row's grade in the words of the rubric it was scored under."""
    if row is None or not row.grade:
        return ""
    try:
        rubric = _load(row.publication.score_run.rubric.text)
    except AttributeError:
        return row.grade
    return display.grade_labels(rubric).get(row.grade, row.grade)


def _limits(category) -> str:
    parts = []
    if category.max is not None:
        parts.append(_("at most %(n)s") % {"n": _num(category.max)})
    if category.min is not None:
        parts.append(_("at least %(n)s") % {"n": _num(category.min)})
    return "; ".join(parts)


def _num(value) -> str:
    from shixiao.assessment.decimals import text

    return text(value)


def _effect(gate, grade_labels: dict) -> str:
    if gate is None or gate.effect == "flag":
        return _("If not met: flagged for the office; the grade stands.")
    label = grade_labels.get(gate.grade, gate.grade)
    if gate.effect == "grade_at_most":
        return _("If not met: the grade is at most %(grade)s.") % {"grade": label}
    return _("If not met: the grade becomes %(grade)s.") % {"grade": label}


def _entry_rows(user, membership, ids: set[str]) -> dict[str, record.EntryRow]:
    """The entries the explanation names, in words, with links to their records."""
    pks = [int(i) for i in ids if str(i).isdigit()]
    entries = (Entry.objects.visible_to(user).filter(membership=membership, pk__in=pks)
               .select_related("superseded_by", "supersedes"))
    titles = record.titles_for(casework.my_proposals(user, membership),
                               casework.my_reports(user, membership))
    return {str(e.pk): record.entry_row(e, titles) for e in entries}


def _view(user, membership, explanation: dict, rubric: Rubric | None) -> dict:
    """The parts of ScoreView that come from an explanation dict (MemberResult.to_dict)."""
    categories = {c.id: c for c in rubric.categories} if rubric else {}
    grade_labels = display.grade_labels(rubric)
    gates = {g.id: g for g in rubric.gates} if rubric else {}
    requirement_labels = display.requirement_labels(rubric)
    consequence_labels = display.consequence_labels(rubric)
    lines = explanation.get("lines", [])
    rows = _entry_rows(user, membership, {i for line in lines for i in line.get("entries", [])})
    by_category: dict[str, list[LineView]] = {}
    for line in lines:
        entries = sorted((rows[i] for i in line.get("entries", []) if i in rows),
                         key=lambda r: (r.date, r.entry.pk))
        by_category.setdefault(line.get("category", ""), []).append(LineView(
            line.get("rule", ""), display.item(line, "rule"),
            line.get("points"), list(line.get("notes", [])), entries))
    cats = []
    for c in explanation.get("categories", []):
        spec = categories.get(c["id"])
        cats.append(CategoryView(c["id"], display.item(c), c.get("points"),
                                 list(c.get("notes", [])), _limits(spec) if spec else "",
                                 by_category.pop(c["id"], []), c.get("pool") or ""))
    for orphan, line_views in by_category.items():  # lines of a category not listed
        cats.append(CategoryView(orphan, orphan, None, [], "", line_views))
    pools = [CategoryView(p["id"], display.item(p), p.get("points"),
                          list(p.get("notes", []))) for p in explanation.get("pools", [])]
    grade = explanation.get("grade") or ""
    by_score = explanation.get("grade_by_score") or ""
    return {
        "total": explanation.get("total"), "grade": grade,
        "grade_label": grade_labels.get(grade, grade),
        "grade_by_score_label": grade_labels.get(by_score, by_score) if by_score != grade
        else "",
        "base": explanation.get("base"), "categories": cats, "pools": pools,
        "gates": [GateView(display.item(g), bool(g.get("passed")),
                           _effect(gates.get(g["id"]), grade_labels),
                           [requirement_labels.get(f, f) for f in g.get("failed", [])])
                  for g in explanation.get("gates", [])],
        "consequences": [consequence_labels.get(c, c)
                         for c in explanation.get("consequences", [])],
        "notes": list(explanation.get("notes", [])),
    }


def _load(text: str) -> Rubric | None:
    try:
        return load(text)
    except RubricInvalid:
        return None


def member_score(user, membership, year: int, today: dt.date) -> ScoreView | None:
    """The member's score for `year`: stored if the office has scored it, else live."""
    if membership is None:
        return None
    stored = stored_score(user, membership, year)
    if stored is not None:
        run = stored.run
        rubric = _load(run.rubric.text)
        published, row = publication_state(user, membership, year, run)
        return ScoreView(
            source="stored", year=year, as_of=run.as_of,
            period=(run.period_from, run.period_to),
            rubric_label=run.rubric.display_label,
            rubric_version=run.rubric.version, default_rubric=False, run=run,
            published=published, published_score=row,
            published_grade_label=published_grade_label(row),
            **_view(user, membership, stored.explanation or {}, rubric))
    text, version = rubric_for(membership.committee, year)
    rubric = load(text)
    explanation, as_of, period = live_result(membership, rubric, year, today)
    published, row = publication_state(user, membership, year, None)
    return ScoreView(
        source="live", year=year, as_of=as_of, period=period,
        rubric_label=display.label(rubric.label, rubric.id), rubric_version=rubric.version,
        default_rubric=version is None, published=published, published_score=row,
        published_grade_label=published_grade_label(row),
        **_view(user, membership, explanation, rubric))
