"""Leave-one-out precision of similarity ranking and unit suggestion on a labelled corpus.

Each document in turn is the query and is excluded from its own results; the index is built
once over all documents, so the left-out document still counts in idf and average length (a
difference of one document in N, negligible beyond toy corpora and the same for every query).
"""

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence

from .bm25 import Bm25Index, Doc, split_doc
from .suggest import suggest_units_tokens


def _indexed(docs: Mapping[Hashable, Doc], params) -> tuple[Bm25Index, dict]:
    """The index over all `docs` and each document's (body, title) tokens."""
    index = Bm25Index(**params)
    tokens = {}
    for doc_id in sorted(docs):
        title, body = split_doc(docs[doc_id])
        tokens[doc_id] = (index.analyzer(body), index.analyzer(title))
        index.add_tokens(doc_id, tokens[doc_id][0], title_tokens=tokens[doc_id][1])
    return index, tokens


def _result(top1: int, top3: int, n: int) -> dict:
    return {"top1": top1 / n if n else 0.0, "top3": top3 / n if n else 0.0, "n": n}


def similarity_precision(docs: Mapping[Hashable, Doc], cluster_of: Mapping[Hashable, Hashable],
                         **params) -> dict:
    """Share of documents whose nearest neighbour (top1) / one of whose three nearest (top3)
    is in the same cluster. Only documents whose cluster has at least two members count
    (`n`); a query with no hits counts as a miss. `params` go to Bm25Index."""
    sizes = Counter(cluster_of[d] for d in docs)
    index, tokens = _indexed(docs, params)
    top1 = top3 = n = 0
    for doc_id in sorted(docs):
        cluster = cluster_of[doc_id]
        if sizes[cluster] < 2:
            continue
        n += 1
        body, title = tokens[doc_id]
        hits = index.query_tokens(body, 3, (doc_id,), title_tokens=title)
        same = [cluster_of[d] == cluster for d, _ in hits]
        top1 += bool(same[:1] and same[0])
        top3 += any(same)
    return _result(top1, top3, n)


def unit_precision(docs: Mapping[Hashable, Doc], units_of: Mapping[Hashable, Sequence[str]],
                   *, neighbours: int = 10, **params) -> dict:
    """Share of documents (with at least one unit) whose first suggested unit (top1) / one
    of whose three suggested units (top3) is among their true units."""
    index, tokens = _indexed(docs, params)
    top1 = top3 = n = 0
    for doc_id in sorted(docs):
        truth = set(units_of.get(doc_id, ()))
        if not truth:
            continue
        n += 1
        body, title = tokens[doc_id]
        ranked = [u for u, _ in suggest_units_tokens(index, body, units_of, neighbours, 3,
                                                     (doc_id,), title_tokens=title)]
        top1 += bool(ranked[:1] and ranked[0] in truth)
        top3 += any(u in truth for u in ranked)
    return _result(top1, top3, n)
