"""An in-memory Okapi BM25 index over word tokens, written out so it needs nothing but stdlib.

Scores use Lucene's idf, log(1 + (N - df + 0.5) / (df + 0.5)), which is never negative, so a
term found in every document adds a little instead of subtracting. Postings are sparse
(`array` pairs of document number and term frequency per term), so memory grows with the
number of distinct (term, document) pairs, not with vocabulary x documents.
"""

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence

from .tokenize import tokenize

Doc = str | tuple[str, str]  # body, or (title, body)


def split_doc(doc: Doc) -> tuple[str, str]:
    """(title, body) of a document given as plain text or as a (title, body) pair."""
    if isinstance(doc, str):
        return "", doc
    title, body = doc
    return title, body


class Bm25Index:
    """Documents added once, queried many times; results are deterministic.

    `title_weight`: a title token counts as this many body tokens (term frequency and
    document length alike). Titles name the subject in a dozen characters while bodies spend
    hundreds on context, so they deserve more than one vote each; docs/textsim.md has the
    measurement behind the default.

    `analyzer` turns text into tokens (default: `tokenize`, jieba plus the shipped stoplist).
    Adding and querying are not safe to interleave across threads; concurrent queries are.
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75, *, title_weight: float = 2.0,
                 analyzer: Callable[[str], list[str]] = tokenize):
        if k1 < 0 or not 0 <= b <= 1 or title_weight < 0:
            raise ValueError("need k1 >= 0, 0 <= b <= 1 and title_weight >= 0")
        self.k1, self.b, self.title_weight = k1, b, title_weight
        self.analyzer = analyzer
        self._ids: list[Hashable] = []
        self._number: dict[Hashable, int] = {}
        self._lengths = array("d")
        self._total_length = 0.0
        self._postings: dict[str, tuple[array, array]] = {}
        self._weights: dict[str, array] = {}  # per-term score of each posting, built lazily
        self._norms: array | None = None

    @classmethod
    def from_documents(cls, docs: Iterable[tuple[Hashable, Doc]], **params) -> "Bm25Index":
        """An index of `(doc_id, text)` or `(doc_id, (title, body))` pairs."""
        index = cls(**params)
        for doc_id, doc in docs:
            title, body = split_doc(doc)
            index.add(doc_id, body, title=title)
        return index

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: Hashable) -> bool:
        return doc_id in self._number

    def stats(self) -> dict[str, int]:
        """Size of the index: documents, distinct terms, (term, document) postings."""
        return {"documents": len(self._ids), "terms": len(self._postings),
                "postings": sum(len(numbers) for numbers, _ in self._postings.values())}

    def add(self, doc_id: Hashable, text: str, *, title: str = "") -> None:
        self.add_tokens(doc_id, self.analyzer(text), title_tokens=self.analyzer(title))

    def add_tokens(self, doc_id: Hashable, tokens: Sequence[str], *,
                   title_tokens: Sequence[str] = ()) -> None:
        """Add a pre-tokenised document (store tokens to rebuild an index without jieba)."""
        if doc_id in self._number:
            raise ValueError(f"document {doc_id!r} is already indexed")
        counts: Counter[str] = Counter()
        for token in tokens:
            counts[token] += 1.0
        for token in title_tokens:
            counts[token] += self.title_weight
        number = len(self._ids)
        self._ids.append(doc_id)
        self._number[doc_id] = number
        length = float(sum(counts.values()))
        self._lengths.append(length)
        self._total_length += length
        for term, tf in counts.items():
            if tf <= 0:
                continue
            posting = self._postings.get(term)
            if posting is None:
                posting = self._postings[term] = (array("I"), array("d"))
            posting[0].append(number)
            posting[1].append(tf)
        # idf and the average length moved: every cached weight is stale.
        self._weights.clear()
        self._norms = None

    def query(self, text: str, k: int = 5, exclude: Iterable[Hashable] = (), *,
              title: str = "") -> list[tuple[Hashable, float]]:
        """The `k` best documents for `text` as (doc_id, score), best first, ties by doc_id."""
        return self.query_tokens(self.analyzer(text), k, exclude,
                                 title_tokens=self.analyzer(title))

    def query_tokens(self, tokens: Sequence[str], k: int = 5,
                     exclude: Iterable[Hashable] = (), *,
                     title_tokens: Sequence[str] = ()) -> list[tuple[Hashable, float]]:
        """`query` for pre-tokenised text. A repeated query token counts again, so a long
        query (a whole proposal) leans on the words it keeps coming back to."""
        if k <= 0 or not self._ids:
            return []
        weights: Counter[str] = Counter()
        for token in tokens:
            weights[token] += 1.0
        for token in title_tokens:
            weights[token] += self.title_weight
        # A dense accumulator: indexing a list beats dict.get by about a third on long
        # postings, and one float per document is small at committee scale.
        scores = [0.0] * len(self._ids)
        for term, qw in weights.items():
            if term not in self._postings or qw <= 0:
                continue
            numbers = self._postings[term][0]
            for number, w in zip(numbers, self._term_weights(term), strict=True):
                scores[number] += qw * w
        skip = {self._number[d] for d in exclude if d in self._number}
        ids = self._ids
        hits = ((ids[n], s) for n, s in enumerate(scores) if s > 0 and n not in skip)
        return heapq.nsmallest(k, hits, key=lambda hit: (-hit[1], hit[0]))

    def _term_weights(self, term: str) -> array:
        cached = self._weights.get(term)
        if cached is not None:
            return cached
        if self._norms is None:
            avg = self._total_length / len(self._ids) or 1.0
            k1, b = self.k1, self.b
            self._norms = array("d", (k1 * (1 - b + b * n / avg) for n in self._lengths))
        numbers, tfs = self._postings[term]
        df = len(numbers)
        idf = math.log(1 + (len(self._ids) - df + 0.5) / (df + 0.5))
        norms, k1 = self._norms, self.k1
        cached = self._weights[term] = array(
            "d", (idf * tf * (k1 + 1) / (tf + norms[n]) for n, tf in zip(numbers, tfs,
                                                                          strict=True)))
        return cached
