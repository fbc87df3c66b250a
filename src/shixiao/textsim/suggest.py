"""What the office sees next to a proposal under review: similar proposals and likely units."""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence

from .bm25 import Bm25Index


def similar(index: Bm25Index, text: str, k: int = 5, exclude: Iterable[Hashable] = (), *,
            title: str = "") -> list[tuple[Hashable, float]]:
    """The `k` indexed documents closest to `text` (candidates for 并案), best first."""
    return index.query(text, k, exclude, title=title)


def suggest_units(index: Bm25Index, text: str, units_of: Mapping[Hashable, Sequence[str]],
                  neighbours: int = 10, top: int = 3, exclude: Iterable[Hashable] = (), *,
                  title: str = "") -> list[tuple[str, float]]:
    """Handling units for `text`, voted by the `neighbours` most similar documents that have
    units (past assignments); each neighbour's vote is its BM25 score.

    Returns up to `top` (unit, share) pairs, best first, ties by unit name. The share is the
    unit's votes over all votes cast, so 1.0 means every neighbour named it; a neighbour
    naming two units (lead and co-handling) votes fully for both, so shares can sum past 1.
    """
    return suggest_units_tokens(index, index.analyzer(text), units_of, neighbours, top,
                                exclude, title_tokens=index.analyzer(title))


def suggest_units_tokens(index: Bm25Index, tokens: Sequence[str],
                         units_of: Mapping[Hashable, Sequence[str]], neighbours: int = 10,
                         top: int = 3, exclude: Iterable[Hashable] = (), *,
                         title_tokens: Sequence[str] = ()) -> list[tuple[str, float]]:
    """`suggest_units` for pre-tokenised text."""
    if neighbours <= 0 or top <= 0:
        return []
    exclude = set(exclude)
    # Documents without units (proposals not yet assigned) share the index; widen the
    # search until enough labelled neighbours turn up or the index runs out.
    k = neighbours
    while True:
        hits = index.query_tokens(tokens, k, exclude, title_tokens=title_tokens)
        labelled = [(d, s) for d, s in hits if units_of.get(d)]
        if len(labelled) >= neighbours or len(hits) < k:
            break
        k *= 2
    votes: defaultdict[str, float] = defaultdict(float)
    cast = 0.0
    for doc_id, score in labelled[:neighbours]:
        cast += score
        for unit in dict.fromkeys(units_of[doc_id]):
            votes[unit] += score
    if cast <= 0:
        return []
    ranked = sorted(votes.items(), key=lambda uv: (-uv[1], uv[0]))[:top]
    return [(unit, vote / cast) for unit, vote in ranked]
