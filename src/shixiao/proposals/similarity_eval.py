"""How well the similar-proposals panel and the unit suggestion work on a committee's real
records, measured with textsim's leave-one-out evaluation (`textsim.evaluate`).

- Similar proposals: for each proposal, are its nearest neighbours (top 1 / top 3) on the
  same subject? The subject of a demo proposal is the topic its text was generated from;
  `demo_topics` recovers it by planning the demo year again from the same seed
  (`proposals.demo.plan_year`) and matching texts, so the product stores no topic at all.
- Unit suggestion: is the first suggested unit (top 1) / one of three (top 3) among the
  units the proposal was really assigned to (assignments still standing; a merged proposal
  counts its lead's)?

Both come with what chance would score, so a figure can be read: `chance_top1` for similar
proposals (the probability that a random other proposal shares the topic) and
`baseline_top1/3` for units (always suggesting the most often assigned units).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from shixiao.orgs.models import Committee
from shixiao.textsim.evaluate import similarity_precision, unit_precision

from .choices import ProposalState
from .models import GONE_ASSIGNMENT_STATES, Assignment, Proposal


def proposal_docs(committee: Committee, year: int | None = None) -> dict[int, tuple[str, str]]:
    """(title, text) of the committee's proposals, drafts left out as the product's index
    leaves them out."""
    rows = Proposal.objects.filter(committee=committee).exclude(state=ProposalState.DRAFT)
    if year is not None:
        rows = rows.filter(year=year)
    return {pk: (title, body) for pk, title, body in rows.values_list("pk", "title", "body")}


def assigned_units(committee: Committee) -> dict[int, list[str]]:
    """The units each proposal is assigned to; a merged proposal has its lead's."""
    units: dict[int, list[str]] = {}
    for pk, name in (Assignment.objects.filter(proposal__committee=committee)
                     .exclude(state__in=GONE_ASSIGNMENT_STATES).order_by("proposal_id", "pk")
                     .values_list("proposal_id", "unit__name")):
        units.setdefault(pk, []).append(name)
    for pk, lead in Proposal.objects.filter(committee=committee, merged_into__isnull=False
                                            ).values_list("pk", "merged_into_id"):
        if lead in units:
            units.setdefault(pk, units[lead])
    return units


def demo_topics(committee: Committee, year: int, *, seed: int) -> dict[int, str]:
    """The demo topic of each proposal of `year` that the demo generator (with `seed`)
    filed: an empty mapping if the committee's proposals are not the demo's."""
    from .demo import plan_year

    by_text = {}
    for plan in plan_year(committee, year, seed=seed):
        for text in (plan.text, plan.revised):
            if text is not None:
                by_text[(text.title, text.body)] = plan.topic
    rows = Proposal.objects.filter(committee=committee, year=year)
    return {pk: by_text[(title, body)]
            for pk, title, body in rows.values_list("pk", "title", "body")
            if (title, body) in by_text}


def _chance(clusters: Mapping[int, str]) -> float:
    """The probability that another proposal picked at random shares the cluster."""
    sizes = Counter(clusters.values())
    n = sum(sizes.values())
    if n < 2:
        return 0.0
    return sum(k * (k - 1) for k in sizes.values()) / (n * (n - 1))


def _baseline(units_of: Mapping[int, list[str]]) -> tuple[float, float]:
    """Top-1/top-3 precision of always suggesting the most often assigned units."""
    counts = Counter(u for units in units_of.values() for u in set(units))
    common = [u for u, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    labelled = [set(units) for units in units_of.values() if units]
    if not labelled:
        return 0.0, 0.0
    top1 = sum(bool(common[:1]) and common[0] in units for units in labelled)
    top3 = sum(bool(units & set(common[:3])) for units in labelled)
    return top1 / len(labelled), top3 / len(labelled)


def evaluate(committee: Committee, *, topics: Mapping[int, str],
             year: int | None = None) -> dict:
    """Similar-proposal precision against `topics` (proposal pk → cluster) and unit
    suggestion precision against the real assignments, over the committee's proposals
    (of `year`, if given). Shares are 0–1; `n` is how many proposals were queries."""
    docs = proposal_docs(committee, year)
    labelled = {pk: doc for pk, doc in docs.items() if pk in topics}
    clusters = {pk: topics[pk] for pk in labelled}
    similar = similarity_precision(labelled, clusters)
    units_of = {pk: units for pk, units in assigned_units(committee).items() if pk in docs}
    suggested = unit_precision(docs, units_of)
    baseline1, baseline3 = _baseline(units_of)
    return {
        "committee": committee.code,
        "year": year,
        "proposals": len(docs),
        "similar": {**similar, "clusters": len(set(clusters.values())),
                    "chance_top1": _chance(clusters)},
        "units": {**suggested, "units": len({u for us in units_of.values() for u in us}),
                  "baseline_top1": baseline1, "baseline_top3": baseline3},
    }
