"""Measure similarity ranking and unit suggestion on synthetic demo proposals.

    python -m shixiao.textsim.measure --n 600 --seed 1

prints JSON: leave-one-out top-1/top-3 precision of `similar` (same topic = relevant) and of
`suggest_units` (suggested unit among the proposal's units). See docs/textsim.md.
"""

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from functools import partial

from shixiao.proposals import demo_texts

from .bm25 import Bm25Index
from .evaluate import similarity_precision, unit_precision
from .suggest import similar, suggest_units
from .tokenize import raw_tokens, stopword_group, stopwords, tokenize


def demo_corpus(n: int, seed: int, *, reports: bool = False):
    """`n` proposals (or reports) spread evenly over the demo topics, in random order:
    (docs {id: (title, body)}, topic_of {id: key}, units_of {id: units})."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    topics = [demo_texts.TOPICS[i % len(demo_texts.TOPICS)] for i in range(n)]
    rng.shuffle(topics)
    make = demo_texts.generate_report if reports else demo_texts.generate_proposal
    docs, topic_of, units_of = {}, {}, {}
    for i, topic in enumerate(topics):
        text = make(rng, topic)
        docs[i] = (text.title, text.body)
        topic_of[i] = text.topic
        units_of[i] = text.units
    return docs, topic_of, units_of


def half_topic(topic: demo_texts.Topic, half: int) -> demo_texts.Topic:
    """Every other phrase of each bank: two halves share the topic's vocabulary but not a
    single sentence, as two members writing on one subject would."""
    return replace(topic, **{bank: getattr(topic, bank)[half::2] for bank in
                             ("subjects", "issues", "facts", "problems", "measures")})


def disjoint_rounds(n: int, seed: int, *, reports: bool = False):
    """Rounds of two texts per topic, one from each half of its phrase banks, so a text's
    only same-topic neighbour shares no sentence with it. Yields one corpus per round,
    `n` texts in all (rounded down to whole rounds)."""
    make = demo_texts.generate_report if reports else demo_texts.generate_proposal
    per_round = 2 * len(demo_texts.TOPICS)
    for r in range(max(1, n // per_round)):
        rng = random.Random(f"{seed}-{r}")  # noqa: S311 - demo data, not secrets
        docs, topic_of, units_of = {}, {}, {}
        for i, topic in enumerate(demo_texts.TOPICS):
            for half in (0, 1):
                text = make(rng, half_topic(topic, half))
                docs[2 * i + half] = (text.title, text.body)
                topic_of[2 * i + half] = text.topic
                units_of[2 * i + half] = text.units
        yield docs, topic_of, units_of


def held_out(n_past: int, n_new: int, seed: int, *, reports: bool = False,
             neighbours: int = 10, **params) -> dict:
    """Past proposals written from one half of each topic's phrases, new ones from the
    other half: how often the best past match is on the new proposal's topic, and how often
    units voted by past assignments include a right one. Closest to real use, where a new
    proposal meets last years' proposals on its subject written by other members."""
    rng = random.Random(f"held-out-{seed}")  # noqa: S311 - demo data, not secrets
    topics = demo_texts.TOPICS
    make = demo_texts.generate_report if reports else demo_texts.generate_proposal
    index = Bm25Index(**params)
    topic_of, units_of = {}, {}
    for i in range(n_past):
        text = make(rng, half_topic(topics[i % len(topics)], 1))
        index.add(i, text.body, title=text.title)
        topic_of[i], units_of[i] = text.topic, text.units
    sim1 = sim3 = unit1 = unit3 = 0
    for j in range(n_new):
        text = make(rng, half_topic(topics[j % len(topics)], 0))
        same = [topic_of[d] == text.topic for d, _ in
                similar(index, text.body, 3, title=text.title)]
        sim1 += bool(same[:1] and same[0])
        sim3 += any(same)
        units = [u for u, _ in suggest_units(index, text.body, units_of, neighbours, 3,
                                             title=text.title)]
        unit1 += bool(units[:1] and units[0] in text.units)
        unit3 += any(u in text.units for u in units)
    return {"similarity": {"top1": sim1 / n_new, "top3": sim3 / n_new, "n": n_new},
            "units": {"top1": unit1 / n_new, "top3": unit3 / n_new, "n": n_new}}


def pooled(results: list[dict]) -> dict:
    n = sum(r["n"] for r in results)
    return {"top1": round(sum(r["top1"] * r["n"] for r in results) / n, 4),
            "top3": round(sum(r["top3"] * r["n"] for r in results) / n, 4), "n": n}


def timing(n_docs: int, seed: int, *, chars: int = 600, queries: int = 100) -> dict:
    """Seconds to tokenise and index `n_docs` texts of about `chars` characters, and per
    whole-proposal query, first (weights not yet cached) and again. One process, one core."""
    rng = random.Random(f"timing-{seed}")  # noqa: S311 - demo data, not secrets
    texts = []
    while len(texts) < n_docs:
        a, b = demo_texts.generate_proposal(rng), demo_texts.generate_proposal(rng)
        texts.append((a.title, (a.body + b.body)[:chars]))
    tokenize("预热")  # jieba's one-off dictionary load is not part of the per-document cost
    started = time.perf_counter()
    tokens = [(tokenize(title), tokenize(body)) for title, body in texts]
    tokenised = time.perf_counter()
    index = Bm25Index()
    for i, (title, body) in enumerate(tokens):
        index.add_tokens(i, body, title_tokens=title)
    indexed = time.perf_counter()
    sample = [tokens[i] for i in rng.sample(range(n_docs), min(queries, n_docs))]
    rounds = []
    for _ in range(2):
        started_q = time.perf_counter()
        for title, body in sample:
            index.query_tokens(body, 10, title_tokens=title)
        rounds.append((time.perf_counter() - started_q) / len(sample))
    return {"docs": n_docs, "mean_chars": round(sum(len(t) + len(b) for t, b in texts) / n_docs),
            "tokenise_s": round(tokenised - started, 2), "index_s": round(indexed - tokenised, 2),
            **index.stats(),
            "query_first_ms": round(rounds[0] * 1000, 1),
            "query_cached_ms": round(rounds[1] * 1000, 1)}


def stopword_candidates(docs, topic_of, limit: int = 60) -> list[dict]:
    """Tokens found in the most topics: a word used across nearly every subject cannot tell
    subjects apart, whatever its meaning. The shipped stoplist was chosen from this table."""
    topics_with: defaultdict[str, set] = defaultdict(set)
    df: Counter[str] = Counter()
    for doc_id, (title, body) in docs.items():
        seen = set(raw_tokens(title + "\n" + body))
        df.update(seen)
        for token in seen:
            topics_with[token].add(topic_of[doc_id])
    n_topics = len(set(topic_of.values()))
    rows = sorted(df, key=lambda t: (-len(topics_with[t]), -df[t], t))
    stop = stopwords()
    return [{"token": t, "topics": len(topics_with[t]) / n_topics, "df": df[t] / len(docs),
             "stop": t in stop} for t in rows[:limit] if any(ch.isalpha() for ch in t)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600, help="number of proposals")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reports", action="store_true", help="社情民意 texts, not proposals")
    parser.add_argument("--k1", type=float, default=1.5)
    parser.add_argument("--b", type=float, default=0.75)
    parser.add_argument("--title-weight", type=float, default=None,
                        help="default: Bm25Index's own")
    parser.add_argument("--neighbours", type=int, default=10)
    parser.add_argument("--stopwords", choices=("shipped", "function", "none"),
                        default="shipped", help="stoplist: both parts, function words, none")
    parser.add_argument("--corpus", choices=("all", "shared", "disjoint", "held-out"),
                        default="all",
                        help="which corpora to measure (docs/textsim.md explains both)")
    parser.add_argument("--timing", type=int, metavar="DOCS",
                        help="time tokenising, indexing and querying DOCS texts instead")
    parser.add_argument("--stopword-candidates", action="store_true",
                        help="print the tokens shared by most topics instead")
    args = parser.parse_args(argv)

    if args.timing:
        json.dump(timing(args.timing, args.seed), sys.stdout, indent=1)
        print()
        return 0
    docs, topic_of, units_of = demo_corpus(args.n, args.seed, reports=args.reports)
    if args.stopword_candidates:
        json.dump(stopword_candidates(docs, topic_of), sys.stdout, ensure_ascii=False,
                  indent=1)
        print()
        return 0
    params = {"k1": args.k1, "b": args.b}
    if args.title_weight is not None:
        params["title_weight"] = args.title_weight
    if args.stopwords != "shipped":
        stop = stopword_group("function") if args.stopwords == "function" else frozenset()
        params["analyzer"] = partial(tokenize, stop=stop)
    started = time.perf_counter()
    result = {
        "n": args.n, "seed": args.seed, "topics": len(set(topic_of.values())),
        "kind": "reports" if args.reports else "proposals", "stopwords": args.stopwords,
        "params": {k: v for k, v in params.items() if k != "analyzer"},
        "neighbours": args.neighbours,
        "mean_chars": round(sum(len(t) + len(b) for t, b in docs.values()) / len(docs)),
    }
    if args.corpus in ("all", "shared"):
        result["shared"] = {
            "similarity": similarity_precision(docs, topic_of, **params),
            "units": unit_precision(docs, units_of, neighbours=args.neighbours, **params),
        }
    if args.corpus in ("all", "disjoint"):
        rounds = list(disjoint_rounds(args.n, args.seed, reports=args.reports))
        result["disjoint"] = {
            "similarity": pooled([similarity_precision(d, t, **params) for d, t, _ in rounds]),
            "units": pooled([unit_precision(d, u, neighbours=args.neighbours, **params)
                             for d, _, u in rounds]),
        }
    if args.corpus in ("all", "held-out"):
        result["held_out"] = held_out(args.n, args.n // 3, args.seed, reports=args.reports,
                                      neighbours=args.neighbours, **params)
    result["seconds"] = round(time.perf_counter() - started, 2)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
