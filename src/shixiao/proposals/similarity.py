"""What the office sees beside a proposal under review: the most similar current and past
proposals of the committee (candidates for 并案), and the units that handled similar ones.

The BM25 index (textsim) of a committee's proposals — title and text, drafts left out — is
kept in memory per committee and rebuilt only when one of them changes: its key is (how
many, the latest change, the sum of versions), and every service write bumps a version.
Tokenising a few thousand proposals takes seconds, so rebuilding per page view is not an
option; reading the key is one aggregate query.
"""

import threading

from django.db.models import Count, Max, Sum

from shixiao.orgs.models import HandlingUnit
from shixiao.textsim import suggest
from shixiao.textsim.bm25 import Bm25Index

from .choices import ProposalState
from .models import GONE_ASSIGNMENT_STATES, Assignment, Proposal

_lock = threading.Lock()
_indexes: dict[int, tuple[tuple, Bm25Index]] = {}


def _indexed(committee_id: int):
    """The proposals of a committee that others may be compared with: drafts are private to
    their writers until submitted, so they are neither candidates nor evidence."""
    return Proposal.objects.filter(committee_id=committee_id).exclude(state=ProposalState.DRAFT)


def _signature(committee_id: int) -> tuple:
    agg = _indexed(committee_id).aggregate(n=Count("pk"), changed=Max("updated_at"),
                                           versions=Sum("version"))
    return agg["n"], agg["changed"], agg["versions"]


def index_for(committee_id: int) -> Bm25Index:
    """The committee's index, built on first use and again after any proposal changed."""
    key = _signature(committee_id)
    with _lock:
        cached = _indexes.get(committee_id)
    if cached is not None and cached[0] == key:
        return cached[1]
    index = Bm25Index()
    for pk, title, body in _indexed(committee_id).order_by("pk").values_list(
            "pk", "title", "body"):
        index.add(pk, body, title=title)
    with _lock:
        _indexes[committee_id] = (key, index)
    return index


def clear_cache() -> None:
    """Forget every index (tests; after a bulk import that bypassed the services)."""
    with _lock:
        _indexes.clear()


def similar_proposals(proposal: Proposal, k: int = 5, *, user=None) -> list[tuple[Proposal, float]]:
    """The `k` proposals of the same committee closest to `proposal` (itself excluded), best
    first, with their BM25 scores. Given `user`, only proposals that user may see."""
    if k <= 0:
        return []
    index = index_for(proposal.committee_id)
    # Ask for more than k when filtering by scope, so hidden ones do not shorten the list.
    want = k if user is None else k * 3
    hits = suggest.similar(index, proposal.body, k=want, exclude={proposal.pk},
                           title=proposal.title)
    found = Proposal.objects.filter(pk__in=[pk for pk, _score in hits])
    if user is not None:
        found = found.visible_to(user)
    by_pk = {p.pk: p for p in found.select_related("committee", "merged_into")}
    return [(by_pk[pk], score) for pk, score in hits if pk in by_pk][:k]


def reference_score(proposal: Proposal) -> float:
    """The score the proposal's own text earns against itself (or against a copy of it):
    BM25 scores have no fixed scale, so the page relates the others' scores to this one."""
    index = index_for(proposal.committee_id)
    hits = suggest.similar(index, proposal.body, k=3, title=proposal.title)
    own = [score for pk, score in hits if pk == proposal.pk]
    return max(own + [score for _pk, score in hits[:1]], default=0.0)


#: (least share of the reference score, label key), strongest first; see strength().
#: A reworded near-duplicate scores about half its own text's score; unrelated ones a few
#: hundredths (tests/test_words_not_codes.py).
STRENGTHS = ((0.4, "very"), (0.15, "close"), (0.0, "some"))


def strength(score: float, reference: float) -> str:
    """How close a hit is, in three steps a clerk can read: "very", "close" or "some"."""
    share = score / reference if reference > 0 else 0.0
    return next(key for least, key in STRENGTHS if share >= least)


def _units_of(committee_id: int) -> dict[int, list[str]]:
    """The units that handle or handled each proposal: its assignments' units, except those
    withdrawn or reassigned away; a merged proposal counts its lead's units."""
    units: dict[int, list[str]] = {}
    rows = (Assignment.objects.filter(proposal__committee_id=committee_id)
            .exclude(state__in=GONE_ASSIGNMENT_STATES).order_by("proposal_id", "id")
            .values_list("proposal_id", "unit__name"))
    for proposal_id, name in rows:
        units.setdefault(proposal_id, []).append(name)
    for pk, lead in (Proposal.objects.filter(committee_id=committee_id,
                                             merged_into__isnull=False)
                     .values_list("pk", "merged_into_id")):
        if lead in units:
            units.setdefault(pk, units[lead])
    return units


def suggested_units(proposal: Proposal, top: int = 3) -> list[tuple[HandlingUnit, float]]:
    """Up to `top` handling units for `proposal`, voted by the similar past proposals that
    have units; each with its share of the votes (1.0: every neighbour named it)."""
    index = index_for(proposal.committee_id)
    pairs = suggest.suggest_units(index, proposal.body, _units_of(proposal.committee_id),
                                  top=top, exclude={proposal.pk}, title=proposal.title)
    # Unit names are unique within a committee (unit_unique_name).
    units = {u.name: u for u in HandlingUnit.objects.filter(
        committee_id=proposal.committee_id, name__in=[name for name, _share in pairs])}
    return [(units[name], share) for name, share in pairs if name in units]
