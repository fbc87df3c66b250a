"""Scoring the database: load a committee's ledger for a period, run the pure engine, store
each member's result with its explanation. One audited use case per function."""

import dataclasses
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import queue
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.models import F, Func, Q, TextField
from django.utils.translation import gettext as _

from shixiao.audit import services as audit
from shixiao.core.choices import MembershipRole
from shixiao.core.services import require_perm
from shixiao.ledger.kinds import attribute_type, text_attributes
from shixiao.ledger.models import Entry
from shixiao.orgs.models import Committee, Membership

from . import compiled, countsql, pushdown
from .engine import MemberResult, score
from .entries import LedgerEntry, MemberInfo
from .models import MemberScore, RubricVersion, ScoreRun
from .rubric import Rubric, check, load


def register_rubric(actor, committee: Committee, text: str) -> RubricVersion:
    """Store a rubric text for a committee (once per distinct text); refuse invalid ones
    with every problem listed by line and item. The database's entries carry only the
    ledger's vocabulary, so a name or value no entry carries (a warning for ledger files)
    is refused here: the rule would score a silent zero."""
    require_perm(actor, "assessment.add_rubricversion", allow_system=True)
    errors, warnings = check(text)
    if errors or warnings:
        raise ValidationError([e.format("rubric") for e in errors + warnings])
    rubric = load(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        existing = RubricVersion.objects.filter(committee=committee, sha256=digest).first()
        if existing:
            return existing
        version = RubricVersion.objects.create(
            committee=committee, rubric_id=rubric.id, label=rubric.label[:200],
            version=rubric.version[:50], period_from=rubric.period_from,
            period_to=rubric.period_to, text=text, sha256=digest,
            created_by=actor if getattr(actor, "pk", None) else None)
        audit.record_create(actor, version, reason="rubric registered")
    return version


def period_for(rubric: Rubric, year: int) -> tuple[dt.date, dt.date]:
    """The rubric's own period if it states one, else the calendar year."""
    if rubric.period_from and rubric.period_to:
        return rubric.period_from, rubric.period_to
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


class JsonText(Func):
    """`attrs ->> 'name'`: one attribute as text. Django's own key lookups wrap every
    comparison in JSON type checks, which made this filter cost more than it saved."""

    output_field = TextField()

    def __init__(self, name: str):
        if not name.isidentifier():  # names come from validated rubrics; keep SQL plain
            raise ValueError(f"not an attribute name: {name!r}")
        super().__init__(F("attrs"))
        self.name = name

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        path = f"$.{self.name}" if connection.vendor == "sqlite" else self.name
        return f"({column} ->> %s)", [*params, path]


def _relevance_filter(rubric: Rubric) -> tuple[dict, Q] | None:
    """The rubric's conditions as a database filter (a superset; see pushdown.py), with the
    attribute aliases it needs. Corrections and retractions always pass: they decide which
    other entries count."""
    clauses = pushdown.relevant(rubric, text_attributes)
    if clauses is None:
        return None
    aliases: dict[str, JsonText] = {}
    wanted = Q(kind="void") | Q(supersedes__isnull=False)
    for clause in clauses:
        q = Q(kind__in=sorted(clause.kinds)) if clause.kinds is not None else Q()
        for name, values in clause.attrs:
            alias = f"attr_{name}"
            aliases.setdefault(alias, JsonText(name))
            q &= Q(**{f"{alias}__in": sorted(values)})
        wanted |= q
    return aliases, wanted


def iter_member_entries(committee: Committee, start: dt.date, end: dt.date, as_of: dt.date,
                        rubric: Rubric | None = None, members: tuple[int, int] | None = None):
    """Yield (membership id, [LedgerEntry]) for members with entries for acts in
    [start, end] known by `as_of`, one member at a time so memory stays flat. With a rubric,
    entries no rule or gate of it can use are left in the database. `members` limits the
    read to a (lowest, highest) range of membership ids."""
    qs = Entry.objects.filter(committee=committee, date__gte=start, date__lte=end,
                              effective__lte=as_of)
    if members is not None:
        qs = qs.filter(membership_id__gte=members[0], membership_id__lte=members[1])
    relevant = _relevance_filter(rubric) if rubric is not None else None
    if relevant is not None:
        aliases, wanted = relevant
        qs = qs.alias(**aliases).filter(wanted)
    qs = qs.order_by("membership_id").values_list(
        "membership_id", "id", "kind", "date", "effective", "attrs", "supersedes_id")
    # Hot path (every entry of a committee's year): read raw rows and convert the two
    # column types ourselves instead of through Django's per-value converters. Identical
    # attribute texts (most attendance rows) share one parsed dict; the engine only reads.
    sql, params = qs.query.sql_with_params()
    parsed: dict[str, dict] = {}
    dates: dict[object, dt.date] = {}
    current, batch = None, []
    for rows in _row_chunks(sql, params):
        for member, pk, kind, date, effective, attrs, sup in rows:
            if member != current:
                if batch:
                    yield current, batch
                current, batch = member, []
            if attrs.__class__ is str:
                attrs = parsed.get(attrs) or parsed.setdefault(attrs, json.loads(attrs))
            batch.append(LedgerEntry(
                id=str(pk), member=str(member), kind=kind,
                date=dates.get(date) or dates.setdefault(date, _as_date(date)),
                effective=dates.get(effective) or dates.setdefault(effective,
                                                                   _as_date(effective)),
                attrs=attrs or {}, supersedes=None if sup is None else str(sup)))
    if batch:
        yield current, batch


def _row_chunks(sql: str, params, size: int = 5000):
    """Yield the query's rows in chunks. Outside a transaction a helper thread runs the
    query on its own connection, so the database's work (done with the GIL released)
    overlaps the scoring of rows already read. Inside a transaction the rows must come
    from this connection, which alone sees its uncommitted writes."""
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(size):
                yield rows
        return
    chunks: queue.Queue = queue.Queue(maxsize=8)
    stop = threading.Event()

    def produce():
        try:
            with connection.cursor() as cursor:  # this thread's own connection
                cursor.execute(sql, params)
                while not stop.is_set() and (rows := cursor.fetchmany(size)):
                    chunks.put(rows)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised
            chunks.put(exc)
        finally:
            chunks.put(None)
            connection.close()

    worker = threading.Thread(target=produce, name="ledger-reader", daemon=True)
    worker.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # let a blocked producer finish its put
            try:
                chunks.get(timeout=0.1)
            except queue.Empty:
                pass
        worker.join()


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def load_entries(committee: Committee, start: dt.date, end: dt.date,
                 as_of: dt.date) -> list[LedgerEntry]:
    """All the committee's entries for the period as the engine sees them."""
    return [e for _, entries in iter_member_entries(committee, start, end, as_of)
            for e in entries]


def members_for(committee: Committee, start: dt.date, end: dt.date) -> dict[str, MemberInfo]:
    """Everyone who held a seat at any time in the period, so members with no entries are
    scored too (an empty record is a result, not a gap)."""
    rows = (Membership.objects.filter(committee=committee, start__lte=end)
            .filter(Q(end__isnull=True) | Q(end__gte=start))
            .values_list("id", "role", "sector_id"))
    return {str(pk): MemberInfo(id=str(pk), role=role, group=str(sector))
            for pk, role, sector in rows}


def _refuse_unknown_roles(rubric: Rubric, committee: Committee, start: dt.date,
                         end: dt.date) -> None:
    """A seat whose role the rubric does not speak of would be scored by its role-free
    rules only: a silent, wrong result. Refuse, naming the role and how many seats hold it,
    so the office adds the role to the rubric (or corrects the seats) first."""
    seated = (Membership.objects.filter(committee=committee, start__lte=end)
              .filter(Q(end__isnull=True) | Q(end__gte=start))
              .exclude(role__in=list(rubric.roles)))
    counts = {}
    for role in seated.values_list("role", flat=True):
        counts[role] = counts.get(role, 0) + 1
    if counts:
        labels = dict(MembershipRole.choices)
        raise ValidationError({"rubric": _(
            "The rubric has no rules for these roles, held by members of the period: "
            "%(roles)s. Add them to the rubric's roles, or correct the members' roles.") % {
            "roles": "、".join(f"{labels.get(role, role)} ({n})"
                              for role, n in sorted(counts.items()))}})


def history_for(committee: Committee | int, rubric_id: str, year: int,
                memberships=None) -> dict[str, list]:
    """Grades from the latest stored run of each earlier year, oldest first (None where a
    member was not scored), for everyone or only `memberships` (ids)."""
    runs = {}
    for run in (ScoreRun.objects.filter(committee=committee, rubric__rubric_id=rubric_id,
                                        year__lt=year).order_by("year", "created_at", "id")):
        runs[run.year] = run  # the latest run of each year wins
    scores = MemberScore.objects.all()
    if memberships is not None:
        scores = scores.filter(membership_id__in=list(memberships))
    per_year = [dict(scores.filter(run=runs[y]).values_list("membership_id", "grade"))
                for y in sorted(runs)]
    members = {m for grades in per_year for m in grades}
    history = {str(m): [grades.get(m) or None for grades in per_year] for m in members}
    return history


CHUNK_MEMBERS = 2000


def _score_in_chunks(rubric: Rubric, committee, start, end, as_of, members, history):
    """Score `members` a chunk at a time, in membership order; members without any entry
    are scored with none. Ranking compares members, so a ranked rubric is one chunk."""
    chunk_size = len(members) + 1 if rubric.ranking.enabled else CHUNK_MEMBERS
    pending = dict(sorted(members.items(), key=lambda item: int(item[0])))
    if not pending:
        return
    span = (int(next(iter(pending))), int(next(reversed(pending))))
    chunk_entries: list[LedgerEntry] = []
    chunk_members: dict[str, MemberInfo] = {}

    def flush():
        results = score(rubric, chunk_entries, as_of, history=history, members=chunk_members)
        chunk_entries.clear()
        chunk_members.clear()
        return results

    for member_id, entries in iter_member_entries(committee, start, end, as_of, rubric,
                                                  members=span):
        key = str(member_id)
        # Members without entries come before this one in membership order.
        while pending and int(next(iter(pending))) < member_id:
            skipped, skipped_info = _pop_first(pending)
            chunk_members[skipped] = skipped_info
        info = pending.pop(key, None)
        if info is None:  # an entry of someone not seated in the period: not scored
            continue
        chunk_members[key] = info
        chunk_entries.extend(entries)
        if len(chunk_members) >= chunk_size:
            yield from flush()
    chunk_members.update(pending)
    if chunk_members:
        yield from flush()


def _pop_first(mapping: dict):
    key = next(iter(mapping))
    return key, mapping.pop(key)


# Below this many members a second process costs more than it saves.
PARALLEL_MIN_MEMBERS = 4000


def _worker_count(rubric: Rubric, members: int) -> int:
    """Processes to score with: one per core for large committees, when each process can
    read the database on its own connection (not inside a transaction, whose uncommitted
    rows only this connection sees, nor an in-memory database)."""
    if (rubric.ranking.enabled or members < PARALLEL_MIN_MEMBERS
            or connection.in_atomic_block
            or "fork" not in multiprocessing.get_all_start_methods()
            or (connection.vendor == "sqlite"
                and connection.is_in_memory_db())):
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def _score_members(rubric: Rubric, text: str, committee, start, end, as_of, members,
                   history, explain: bool = True) -> list[MemberResult]:
    """Score every member, in membership order, on as many cores as pay off. Without
    `explain` the results carry no explanation lines (cheaper to hand between processes)."""
    workers = _worker_count(rubric, len(members))
    if workers == 1:
        results = _score_in_chunks(rubric, committee, start, end, as_of, members, history)
        return sorted(_maybe_without_lines(results, explain), key=_membership_order)
    ordered = sorted(members, key=int)
    size = -(-len(ordered) // workers)
    slices = [ordered[i:i + size] for i in range(0, len(ordered), size)]
    jobs = [(committee.pk, text, start, end, as_of, {m: members[m] for m in part},
             {m: history[m] for m in part if m in history}, explain) for part in slices]
    # Forked children inherit this process's connections; close them first so no socket
    # or SQLite handle is shared. Each child opens its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context) as pool:
        parts = list(pool.map(_score_member_range, jobs))
    return sorted((result for part in parts for result in part), key=_membership_order)


def _maybe_without_lines(results, explain: bool) -> list[MemberResult]:
    return [r if explain else dataclasses.replace(r, lines=()) for r in results]


def _membership_order(result: MemberResult) -> int:
    return int(result.member)


def _score_member_range(job) -> list[MemberResult]:
    committee_pk, text, start, end, as_of, members, history, explain = job
    try:
        committee = Committee.objects.get(pk=committee_pk)
        results = _score_in_chunks(load(text), committee, start, end, as_of, members,
                                   history)
        return _maybe_without_lines(results, explain)
    finally:
        connections.close_all()


def count_plan(rubric: Rubric) -> "compiled.Plan | None":
    """The rubric as per-member counts, or None if it needs entry-by-entry scoring."""
    try:
        return compiled.plan(rubric, attribute_type)
    except compiled.NotCompilable:
        return None


def _score_from_counts(rubric: Rubric, plan: "compiled.Plan", committee, start, end, as_of,
                       history) -> list[MemberResult]:
    """Everyone seated in the period (as members_for), scored from their counts."""
    members, decode = countsql.member_counts(plan, committee.pk, start, end, as_of)
    scorer = compiled.CountScorer(rubric, plan, decode)
    results = []
    for member, role, sector, keys in members:
        key = str(member)
        results.append(scorer.score(key, role, str(sector), keys,
                                    list(history.get(key, ())) if history else []))
    return results


@dataclass
class Scored:
    run: ScoreRun | None
    results: list[MemberResult]


def score_committee(actor, committee: Committee, version: RubricVersion, *, year: int,
                    as_of: dt.date | None = None, store: bool = True,
                    explain: bool = True) -> Scored:
    """Score every member of `committee` for `year` under `version` as of `as_of` (default:
    the period's end). With `store`, keep each result and its explanation. `explain=False`
    (totals, subtotals and grades only) is for callers that show no reasons, e.g. counts
    on a dashboard; stored results always keep their explanation."""
    require_perm(actor, "assessment.add_scorerun", allow_system=True)
    if version.committee_id != committee.pk:
        raise ValidationError({"rubric": _("This rubric belongs to another committee.")})
    rubric = load(version.text)
    start, end = period_for(rubric, year)
    as_of = as_of or end
    _refuse_unknown_roles(rubric, committee, start, end)
    # Totals only, for a rubric of common shapes: the database counts each member's
    # entries per (rule, points) cell. (Run on this connection: a second one for the
    # count query, to overlap it with reading the members, cost more than it saved.)
    plan = None if (explain or store) else count_plan(rubric)
    history = history_for(committee, rubric.id, year)
    if plan is not None:
        results = _score_from_counts(rubric, plan, committee, start, end, as_of, history)
    else:
        members = members_for(committee, start, end)
        # Score first, store after: reading needs no transaction, and outside one the
        # ledger can be read in parallel.
        results = _score_members(rubric, version.text, committee, start, end, as_of,
                                 members, history, explain=explain or store)
    if not store:
        return Scored(None, results)
    with transaction.atomic():
        run = ScoreRun.objects.create(
            committee=committee, rubric=version, year=year, period_from=start,
            period_to=end, as_of=as_of, members=len(members),
            created_by=actor if getattr(actor, "pk", None) else None)
        for index in range(0, len(results), 2000):
            MemberScore.objects.bulk_create(
                MemberScore(run=run, membership_id=int(r.member), total=r.total,
                            grade=r.grade or "", explanation=r.to_dict())
                for r in results[index:index + 2000])
        # One audit record for the run: the scores derive from audited entries and a
        # stored rubric text, so the run itself is the change worth recording.
        audit.record(actor, audit.Action.EVENT, run, after={
            "rubric": version.sha256, "year": year, "as_of": as_of.isoformat(),
            "members": len(results)}, reason="members scored")
    return Scored(run, results)
