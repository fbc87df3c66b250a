"""Proposal handling metrics: reply rate (办复率), fulfilment rate (办成率) at each follow-up
horizon, satisfaction (process and result), and open deadlines by colour, broken down per
committee, year, special committee and handling unit. Every definition is in
docs/metrics.md; this module is the only place that computes them.

`compute(rows, as_of)` is plain arithmetic over the dataclasses below, with no database,
so hand-built rows test every rule. `load_rows(proposals)` reads them from the database and
`stats(...)` joins the two for the API and the command line.

One rule runs through all of it: an item that is due and not done stays in the
denominator as "not done" (an overdue reply, an unreviewed follow-up, a missing rating).
Nothing due is ever dropped, so a unit cannot raise its rate by not answering.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

#: A unit (or special committee) is ranked only with at least this many due items: below
#: it, one item moves the rate by 20 points or more and the order says nothing.
MIN_RANK_SAMPLE = 5
#: Follow-up horizons (months after the reply) when the committee has no policy.
DEFAULT_HORIZONS = (6, 12, 24)
#: Ratings that count as satisfied (满意 + 基本满意), as committees report them.
SATISFIED = ("satisfied", "basically")
FINDINGS = ("fulfilled", "partly", "unkept")
COLOURS = ("red", "yellow", "blue")
#: Open-item kinds, in the order reports list them.
KINDS = ("reply", "co_opinion", "follow_up_review")


class Key(NamedTuple):
    """What a breakdown groups by: a committee (id = its code), a special committee or a
    handling unit (id = its primary key), and a name to show."""

    id: int | str | None
    name: str


NO_SPECIAL_COMMITTEE = Key(None, "")


# Plain rows -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Duty:
    """One replying unit's first-round duty to answer one proposal (a lead, sole or
    separate unit; co-handling units answer the lead unit, not the proposer)."""

    unit: Key
    assigned_on: dt.date
    reply_due: dt.date
    replied_on: dt.date | None = None
    grade: str = ""


@dataclass(frozen=True)
class Round:
    """A handling round whose replies were all sent on `replied_on`; authors are asked to
    rate it by `rating_due`."""

    number: int
    replied_on: dt.date
    rating_due: dt.date


@dataclass(frozen=True)
class Rated:
    """One author's rating of one round."""

    author: int
    round: int
    process: str
    result: str
    rated_on: dt.date


@dataclass(frozen=True)
class Review:
    """A follow-up review (回头看) at a horizon; `finding` is empty until reviewed."""

    horizon_months: int
    due: dt.date
    finding: str = ""
    reviewed_on: dt.date | None = None


@dataclass(frozen=True)
class OpenItem:
    """A deadline that stays open until done: a unit's reply in a round, a co-handling
    opinion, a follow-up review. It turns blue on `blue_from`, yellow on `yellow_from` and
    red the day after `due` (the loader computes those days with the committee's calendar;
    by default there is no warning before red)."""

    kind: str
    units: tuple[Key, ...]
    start: dt.date
    due: dt.date
    done_on: dt.date | None = None
    blue_from: dt.date | None = None
    yellow_from: dt.date | None = None

    def colour(self, as_of: dt.date) -> str | None:
        """Its colour on `as_of`, "none" when open and not yet urgent, None when not open."""
        if self.start > as_of or (self.done_on is not None and self.done_on <= as_of):
            return None
        if as_of > self.due:
            return "red"
        if self.yellow_from is not None and as_of >= self.yellow_from:
            return "yellow"
        if self.blue_from is not None and as_of >= self.blue_from:
            return "blue"
        return "none"


@dataclass(frozen=True)
class ProposalRow:
    """One registered proposal (a merged one too: 并案 is a form of 立案, and its authors
    get their own reply). `reply_due` and `replied_on` are the first round's: when every
    replying unit had to answer, and when the last one did."""

    id: int
    committee: Key
    year: int
    registered_on: dt.date
    special_committee: Key = NO_SPECIAL_COMMITTEE
    assigned_on: dt.date | None = None
    reply_due: dt.date | None = None
    replied_on: dt.date | None = None
    duties: tuple[Duty, ...] = ()
    authors: tuple[int, ...] = ()
    rounds: tuple[Round, ...] = ()
    ratings: tuple[Rated, ...] = ()
    reviews: tuple[Review, ...] = ()
    open_items: tuple[OpenItem, ...] = ()


# Arithmetic ---------------------------------------------------------------------------------

def rate(part: int, whole: int) -> float | None:
    """A share rounded to four places; None (not 0, not 1) when nothing is due."""
    return round(part / whole, 4) if whole else None


def _done(day: dt.date | None, as_of: dt.date) -> bool:
    return day is not None and day <= as_of


def _counts(due: dt.date | None, done_on: dt.date | None, as_of: dt.date) -> bool:
    """An item enters a denominator once its due date has passed (the due date itself is
    still on time, as in the deadlines app) or once it is done, if earlier."""
    return _done(done_on, as_of) or (due is not None and as_of > due)


def reply_metrics(items: Iterable[tuple[dt.date, dt.date | None, str]],
                  as_of: dt.date) -> dict:
    """办复率 over (reply due, replied on, grade) items already assigned by `as_of`."""
    out = {"due": 0, "replied": 0, "on_time": 0, "overdue_unreplied": 0, "not_yet_due": 0}
    grades: dict[str, int] = defaultdict(int)
    for due, replied_on, grade in items:
        if not _counts(due, replied_on, as_of):
            out["not_yet_due"] += 1
            continue
        out["due"] += 1
        if _done(replied_on, as_of):
            out["replied"] += 1
            out["on_time"] += replied_on <= due
            if grade:
                grades[grade] += 1
        else:
            out["overdue_unreplied"] += 1
    out["rate"] = rate(out["replied"], out["due"])
    out["on_time_rate"] = rate(out["on_time"], out["due"])
    out["grades"] = dict(sorted(grades.items()))
    return out


def _finding(reviews: list[Review], as_of: dt.date) -> str | None:
    """What a proposal's reviews at one horizon show on `as_of`: the latest finding made
    by then, "not_reviewed" if due and not reviewed, None if not due yet."""
    made = [r for r in reviews if _done(r.reviewed_on, as_of) and r.finding]
    if made:
        return max(made, key=lambda r: r.reviewed_on).finding
    if any(as_of > r.due for r in reviews):
        return "not_reviewed"
    return None


def _tally(findings: list[str | None]) -> dict:
    out = {"due": 0, "fulfilled": 0, "partly": 0, "unkept": 0, "not_reviewed": 0,
           "not_yet_due": 0}
    for finding in findings:
        if finding is None:
            out["not_yet_due"] += 1
        else:
            out["due"] += 1
            out[finding] += 1
    out["rate"] = rate(out["fulfilled"], out["due"])
    out["partly_rate"] = rate(out["partly"], out["due"])
    return out


def fulfilment_metrics(rows: list[ProposalRow], as_of: dt.date, horizons: list[int]) -> dict:
    """办成率 per horizon, and `latest`: each proposal judged by its most recent review
    that is due (or made) by `as_of` — the basis for ranking units."""
    by_horizon = {}
    for months in horizons:
        findings = []
        for row in rows:
            at = [r for r in row.reviews if r.horizon_months == months]
            if at:
                findings.append(_finding(at, as_of))
        by_horizon[str(months)] = _tally(findings)
    latest = []
    for row in rows:
        if not row.reviews:
            continue
        per_horizon = {}
        for months in sorted({r.horizon_months for r in row.reviews}):
            finding = _finding([r for r in row.reviews if r.horizon_months == months], as_of)
            if finding is not None:
                per_horizon[months] = finding
        latest.append(per_horizon[max(per_horizon)] if per_horizon else None)
    return {"by_horizon": by_horizon, "latest": _tally(latest)}


def _side(values: list[str | None]) -> dict:
    out = {"due": len(values), "satisfied": 0, "basically": 0, "unsatisfied": 0,
           "not_rated": 0}
    for value in values:
        out[value or "not_rated"] += 1
    out["rate"] = rate(out["satisfied"] + out["basically"], out["due"])
    return out


def satisfaction_metrics(rows: list[ProposalRow], as_of: dt.date) -> dict:
    """Authors' ratings of each proposal's latest round replied by `as_of`, process and
    result separately. An author who has not rated once the rating deadline has passed
    counts as `not_rated`, in the denominator: an unrated reply is never a satisfied one."""
    process, result, pending = [], [], 0
    for row in rows:
        replied = [r for r in row.rounds if r.replied_on <= as_of]
        if not replied:
            continue
        latest = max(replied, key=lambda r: r.number)
        given = {g.author: g for g in row.ratings
                 if g.round == latest.number and g.rated_on <= as_of}
        for author in row.authors:
            rating = given.get(author)
            if rating is not None:
                process.append(rating.process)
                result.append(rating.result)
            elif as_of > latest.rating_due:
                process.append(None)
                result.append(None)
            else:
                pending += 1
    return {"ratings_due": len(process), "not_yet_due": pending,
            "process": _side(process), "result": _side(result)}


def _group(rows: list[ProposalRow], duties: list[Duty], as_of: dt.date,
           horizons: list[int]) -> dict:
    fulfilment = fulfilment_metrics(rows, as_of, horizons)
    satisfaction = satisfaction_metrics(rows, as_of)
    # Satisfaction is saturated (近 100%); it is never shown without what was achieved.
    satisfaction["fulfilment_alongside"] = {
        "latest": fulfilment["latest"]["rate"],
        **{months: t["rate"] for months, t in fulfilment["by_horizon"].items()}}
    assigned = [d for d in duties if d.assigned_on <= as_of]
    return {
        "proposals": len(rows),
        "reply": reply_metrics(((d.reply_due, d.replied_on, d.grade) for d in assigned),
                               as_of),
        "fulfilment": fulfilment,
        "satisfaction": satisfaction,
    }


def _proposal_group(rows: list[ProposalRow], as_of: dt.date, horizons: list[int]) -> dict:
    """A group of proposals: the reply rate counts proposals (replied when every replying
    unit has answered), the grades count reply letters."""
    group = _group(rows, [], as_of, horizons)
    assigned = [r for r in rows if r.assigned_on is not None and r.assigned_on <= as_of]
    reply = reply_metrics(((r.reply_due, r.replied_on, "") for r in assigned), as_of)
    reply["grades"] = reply_metrics(((d.reply_due, d.replied_on, d.grade) for r in assigned
                                     for d in r.duties), as_of)["grades"]
    return {"proposals": group["proposals"], "assigned": len(assigned), "reply": reply,
            "fulfilment": group["fulfilment"], "satisfaction": group["satisfaction"]}


def _colour_counts(items: Iterable[OpenItem], as_of: dt.date) -> dict:
    out = {"open": 0, "red": 0, "yellow": 0, "blue": 0}
    for item in items:
        colour = item.colour(as_of)
        if colour is None:
            continue
        out["open"] += 1
        if colour in COLOURS:
            out[colour] += 1
    return out


def _overdue(items: list[OpenItem], as_of: dt.date) -> dict:
    return {"total": _colour_counts(items, as_of),
            **{kind: _colour_counts([i for i in items if i.kind == kind], as_of)
               for kind in KINDS}}


def _breakdown(rows: list[ProposalRow], key: Callable[[ProposalRow], Key], as_of: dt.date,
               horizons: list[int]) -> list[dict]:
    groups: dict[Key, list[ProposalRow]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return [{"id": k.id, "name": k.name, **_proposal_group(members, as_of, horizons)}
            for k, members in sorted(groups.items(), key=lambda kv: _order(kv[0]))]


def _order(key: Key):
    return (key.id is None, str(key.name), str(key.id))


def _units(rows: list[ProposalRow], as_of: dt.date, horizons: list[int]) -> list[dict]:
    """Per handling unit: the reply rate over its own duties; fulfilment and satisfaction
    over the proposals it replied to (shared by every replying unit of a proposal); its
    open items by colour."""
    duties: dict[Key, list[Duty]] = defaultdict(list)
    proposals: dict[Key, dict[int, ProposalRow]] = defaultdict(dict)
    items: dict[Key, list[OpenItem]] = defaultdict(list)
    for row in rows:
        for duty in row.duties:
            duties[duty.unit].append(duty)
            if duty.assigned_on <= as_of:
                proposals[duty.unit][row.id] = row
        for item in row.open_items:
            for unit in item.units:
                items[unit].append(item)
    out = []
    for unit in sorted(set(duties) | set(items), key=_order):
        group = _group(list(proposals[unit].values()), duties[unit], as_of, horizons)
        out.append({"id": unit.id, "name": unit.name, **group,
                    "overdue": _overdue(items[unit], as_of)})
    return out


def ranking(units: list[dict], min_sample: int = MIN_RANK_SAMPLE) -> dict:
    """Units ranked by fulfilment (`fulfilment.latest`), never by satisfaction; ties share
    a rank. Units with fewer than `min_sample` due items are listed apart, unranked."""
    ranked, too_few = [], []
    for unit in units:
        latest = unit["fulfilment"]["latest"]
        entry = {"id": unit["id"], "name": unit["name"], "due": latest["due"],
                 "fulfilled": latest["fulfilled"], "rate": latest["rate"]}
        (ranked if latest["due"] >= min_sample else too_few).append(entry)
    ranked.sort(key=lambda e: (-e["rate"], -e["due"], e["name"]))
    for index, entry in enumerate(ranked):
        same = index and ranked[index - 1]["rate"] == entry["rate"]
        entry["rank"] = ranked[index - 1]["rank"] if same else index + 1
    too_few.sort(key=lambda e: (-e["due"], e["name"]))
    return {"basis": "fulfilment.latest", "min_sample": min_sample, "ranked": ranked,
            "too_few_to_rank": too_few}


def compute(rows: Iterable[ProposalRow], as_of: dt.date, *,
            horizons: Iterable[int] = DEFAULT_HORIZONS,
            min_rank_sample: int = MIN_RANK_SAMPLE,
            breakdowns: Mapping[str, Callable[[ProposalRow], Key]] | None = None) -> dict:
    """Every metric as of `as_of`, over the proposals registered by then, as a dict ready
    for JSON. Definitions: docs/metrics.md. `breakdowns` adds groupings of the caller's
    ({"by_sector": key of a row}) beside the standard ones, in the same pass."""
    rows = [r for r in rows if r.registered_on <= as_of]
    months = sorted({int(m) for m in horizons}
                    | {r.horizon_months for row in rows for r in row.reviews})
    units = _units(rows, as_of, months)
    return {
        "as_of": as_of.isoformat(),
        "horizons": months,
        "overall": _proposal_group(rows, as_of, months),
        "by_committee": _breakdown(rows, lambda r: r.committee, as_of, months),
        "by_year": _breakdown(rows, lambda r: Key(r.year, str(r.year)), as_of, months),
        "by_special_committee": _breakdown(rows, lambda r: r.special_committee, as_of,
                                           months),
        "by_unit": units,
        "unit_ranking": ranking(units, min_rank_sample),
        "overdue": _overdue(_unique_items(rows), as_of),
        **{name: _breakdown(rows, key, as_of, months)
           for name, key in (breakdowns or {}).items()},
    }


def _unique_items(rows: list[ProposalRow]) -> list[OpenItem]:
    return [item for row in rows for item in row.open_items]


# Reading the database -----------------------------------------------------------------------

DAY = dt.timedelta(days=1)


def _from(due: dt.date, working_days: int, calendar) -> dt.date:
    """The first day on which at most `working_days` working days are left until `due`:
    where the deadlines app turns a deadline yellow (warn) or blue (remind)."""
    day = due
    while calendar.working_days_between(day - DAY, due) <= working_days:
        day -= DAY
    return day


class _Clock:
    """One committee's calendar and deadline rules, read once per committee."""

    CODES = ("proposal_reply", "proposal_co_handling", "proposal_rating", "proposal_follow_up")

    def __init__(self, committee):
        from shixiao.deadlines import services as deadlines

        self.calendar = deadlines.calendar_for(committee)
        self.rules = {code: deadlines.rule_for(committee, code) for code in self.CODES}
        # Thousands of items share a few due dates: each (due, distance) is worked out once.
        self.starts: dict[tuple[dt.date, int], dt.date] = {}

    def _from(self, due: dt.date, working_days: int) -> dt.date:
        key = (due, working_days)
        if key not in self.starts:
            self.starts[key] = _from(due, working_days, self.calendar)
        return self.starts[key]

    def due(self, code: str, start: dt.date, extended: bool = False) -> dt.date:
        return self.rules[code].due(start, self.calendar, extended=extended)

    def item(self, kind: str, code: str, units, start, due, done_on) -> OpenItem:
        rule = self.rules[code]
        return OpenItem(kind, tuple(units), start, due, done_on,
                        blue_from=self._from(due, rule.remind_before),
                        yellow_from=self._from(due, rule.warn_before))


def _by(records, *keys):
    grouped = defaultdict(list)
    for record in records:
        grouped[tuple(record[k] for k in keys) if len(keys) > 1 else record[keys[0]]].append(
            record)
    return grouped


def load_rows(proposals) -> list[ProposalRow]:
    """Rows for every registered proposal in `proposals` (a Proposal queryset the caller
    has scoped and filtered). A fixed number of queries, whatever the count."""
    from shixiao.orgs.models import Committee, Membership

    from .choices import REPLYING_ROLES, AssignmentRole, ProposalState
    from .models import (
        GONE_ASSIGNMENT_STATES,
        Assignment,
        CoOpinion,
        FollowUp,
        ProposalAuthor,
        ProposalEvent,
        Rating,
        Reply,
    )

    S = ProposalState
    # Plain values, not model instances: a large committee-year has tens of thousands of
    # proposals and assignments, and building instances was most of this function's time.
    found = list(proposals.filter(state__in=(
        S.REGISTERED, S.MERGED, S.ASSIGNED, S.REPLIED, S.REHANDLING, S.FOLLOW_UP, S.CLOSED))
        .order_by("pk").values(
            "pk", "committee_id", "year", "registered_on", "reviewed_on", "round",
            "merged_into_id", "merged_into__registered_on", "merged_into__round",
            "special_committee_id", "special_committee__name"))
    committees = Committee.objects.in_bulk({p["committee_id"] for p in found})
    committee_keys = {pk: Key(c.code, c.name) for pk, c in committees.items()}
    ids = [p["pk"] for p in found]
    lead_ids = {p["merged_into_id"] or p["pk"] for p in found}
    assignments = defaultdict(list)
    for a in (Assignment.objects.filter(proposal_id__in=lead_ids)
              .exclude(state__in=GONE_ASSIGNMENT_STATES).order_by("pk")
              .values("pk", "proposal_id", "unit_id", "unit__name", "role", "assigned_on",
                      "reply_due")):
        assignments[a["proposal_id"]].append(a)
    replies = {(r["assignment_id"], r["proposal_id"], r["round"]): r for r in
               Reply.objects.filter(proposal_id__in=ids).values(
                   "assignment_id", "proposal_id", "round", "replied_on", "grade__code")}
    co_ids = [a["pk"] for group in assignments.values() for a in group
              if a["role"] == AssignmentRole.CO]
    first_opinion = {}
    for o in CoOpinion.objects.filter(assignment_id__in=co_ids).values(
            "assignment_id", "submitted_on").order_by("submitted_on"):
        first_opinion.setdefault(o["assignment_id"], o["submitted_on"])
    events = _by(ProposalEvent.objects.filter(
        proposal_id__in=ids, action__in=("replied", "rehandling", "extension_approved"))
        .values("proposal_id", "action", "on", "data").order_by("on", "id"), "proposal_id")
    authors = _by(ProposalAuthor.objects.filter(proposal_id__in=ids).order_by("rank", "id")
                  .values("proposal_id", "id", "membership_id"), "proposal_id")
    first_members = {group[0]["membership_id"] for group in authors.values()}
    member_sc = {}
    for link in (Membership.special_committees.through.objects
                 .filter(membership_id__in=first_members)
                 .values("membership_id", "specialcommittee_id", "specialcommittee__name")
                 .order_by("specialcommittee_id")):
        member_sc.setdefault(link["membership_id"], Key(link["specialcommittee_id"],
                                                         link["specialcommittee__name"]))
    ratings = _by(Rating.objects.filter(proposal_id__in=ids).values(
        "proposal_id", "author_id", "round", "process", "result", "rated_on"), "proposal_id")
    reviews = _by(FollowUp.objects.filter(proposal_id__in=ids).values(
        "proposal_id", "horizon_months", "due", "finding", "reviewed_on"), "proposal_id")
    clocks: dict[int, _Clock] = {}

    rows = []
    for p in found:
        pk, committee_id = p["pk"], p["committee_id"]
        clock = clocks.get(committee_id) or clocks.setdefault(
            committee_id, _Clock(committees[committee_id]))
        merged = p["merged_into_id"] is not None
        lead_pk = p["merged_into_id"] if merged else pk
        lead_round = p["merged_into__round"] if merged else p["round"]
        registered_on = p["registered_on"]
        reviewed_on = p["reviewed_on"]
        if merged:
            lead_registered = p["merged_into__registered_on"]
            if lead_registered is None:
                continue  # merged into a proposal still in review: not registered yet
            registered_on = max(lead_registered, reviewed_on or lead_registered)
        if registered_on is None:
            continue
        mine = events.get(pk, [])
        rounds = {}
        for e in mine:
            if e["action"] == "replied":
                rounds.setdefault(int(e["data"].get("round") or 1), e["on"])
        rehandled = {int(e["data"].get("round") or 0): e["on"] for e in mine
                     if e["action"] == "rehandling"}
        first_reply = rounds.get(1)
        extended = any(e["action"] == "extension_approved"
                       and (first_reply is None or e["on"] <= first_reply) for e in mine)
        # Re-handling overwrites an assignment's due date; the first round's is recomputed.
        stored = p["round"] == 1 and lead_round == 1
        units_here = []
        duties, items = [], []
        for a in assignments.get(lead_pk, []):
            unit = Key(a["unit_id"], a["unit__name"])
            start = max(a["assigned_on"], reviewed_on) if merged and reviewed_on \
                else a["assigned_on"]
            if a["role"] == AssignmentRole.CO:
                if lead_pk == pk and a["reply_due"]:
                    items.append(clock.item("co_opinion", "proposal_co_handling", [unit],
                                            a["assigned_on"], a["reply_due"],
                                            first_opinion.get(a["pk"])))
                continue
            if a["role"] not in REPLYING_ROLES:
                continue
            units_here.append(unit)
            due = a["reply_due"] if stored and a["reply_due"] else clock.due(
                "proposal_reply", a["assigned_on"], extended)
            answer = replies.get((a["pk"], pk, 1))
            duties.append(Duty(unit, start, due, answer and answer["replied_on"],
                               answer["grade__code"] if answer else ""))
            items.append(clock.item("reply", "proposal_reply", [unit], start, due,
                                    answer and answer["replied_on"]))
            for number, begun in sorted(rehandled.items()):
                if number < 2:
                    continue
                current = number == p["round"] and not merged and a["reply_due"]
                later_due = a["reply_due"] if current else clock.due("proposal_reply", begun)
                later = replies.get((a["pk"], pk, number))
                items.append(clock.item("reply", "proposal_reply", [unit], begun, later_due,
                                        later and later["replied_on"]))
        for f in reviews.get(pk, []):
            items.append(clock.item("follow_up_review", "proposal_follow_up", units_here,
                                    min(first_reply or f["due"], f["due"]), f["due"],
                                    f["reviewed_on"]))
        people = authors.get(pk, [])
        if p["special_committee_id"]:
            sc = Key(p["special_committee_id"], p["special_committee__name"])
        else:
            sc = member_sc.get(people[0]["membership_id"], NO_SPECIAL_COMMITTEE) if people \
                else NO_SPECIAL_COMMITTEE
        rows.append(ProposalRow(
            id=pk, committee=committee_keys[committee_id], year=p["year"],
            registered_on=registered_on, special_committee=sc,
            assigned_on=min((d.assigned_on for d in duties), default=None),
            reply_due=max((d.reply_due for d in duties), default=None),
            replied_on=first_reply, duties=tuple(duties),
            authors=tuple(a["id"] for a in people),
            rounds=tuple(Round(n, on, clock.due("proposal_rating", on))
                         for n, on in sorted(rounds.items())),
            ratings=tuple(Rated(r["author_id"], r["round"], r["process"], r["result"],
                                r["rated_on"]) for r in ratings.get(pk, [])),
            reviews=tuple(Review(f["horizon_months"], f["due"], f["finding"] or "",
                                 f["reviewed_on"]) for f in reviews.get(pk, [])),
            open_items=tuple(items)))
    return rows


def stats(proposals, *, committee=None, year: int | None = None,
          as_of: dt.date | None = None, min_rank_sample: int = MIN_RANK_SAMPLE) -> dict:
    """The metrics of `proposals` (a scoped Proposal queryset), optionally of one committee
    and one year (the proposal's year: that of its first submission), as of a date
    (default today). Follow-up horizons are the committees' policies'."""
    from django.utils import timezone

    from shixiao.orgs.models import Committee

    from .defaults import policy_for

    if committee is not None:
        proposals = proposals.filter(committee=committee)
    if year is not None:
        proposals = proposals.filter(year=year)
    as_of = as_of or timezone.localdate()
    rows = load_rows(proposals)
    horizons = set()
    committees = [committee] if committee is not None else Committee.objects.filter(
        pk__in=proposals.values("committee_id"))
    for c in committees:
        horizons |= {int(m) for m in policy_for(c).follow_up_horizons}
    result = compute(rows, as_of, horizons=sorted(horizons) or DEFAULT_HORIZONS,
                     min_rank_sample=min_rank_sample)
    return {"committee": committee.code if committee is not None else None, "year": year,
            "definitions": "docs/metrics.md", **result}
