"""One stage of bench/score.py in its own process (so peak memory is the stage's own).
Prints one JSON line: seconds, peak_mb and a digest of the totals for comparison."""

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import django  # noqa: E402

django.setup()

import anchors  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

YEAR = 2025
START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
AS_OF = END
RUBRIC = ROOT / "examples" / "rubrics" / "guangshui.yaml"


def peak_mb() -> float:
    # Scoring may fork workers: count their peak too (an upper bound of the sum).
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def digest(totals: dict) -> str:
    text = "\n".join(f"{m}:{Decimal(t).normalize():f}" for m, t in sorted(totals.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def committee_id() -> int:
    from shixiao.orgs.models import Committee

    return Committee.objects.get(code="bench").pk


# ------------------------------------------------------------------ synthetic ledger

MEETINGS = [("plenary", 2), ("plenary_group", 3), ("other", 10), ("group", 6),
            ("consultation", 3)]
STATES = (["attended"] * 90 + ["late"] * 4 + ["left_early"] * 2 + ["unexcused"] * 3
          + ["leave"] * 5)


def member_entries(rng: random.Random, role: str, n: int):
    """About n entries of one member, shaped like a year of real records."""
    out = []
    while len(out) < n:
        roll = rng.random()
        day = dt.date(YEAR, rng.randint(1, 12), rng.randint(1, 28))
        if roll < 0.55:
            meeting = rng.choice(MEETINGS)[0]
            if role == "standing" and rng.random() < 0.2:
                meeting = "standing"
            out.append(("attendance", day, {"meeting": meeting, "state": rng.choice(STATES)}))
        elif roll < 0.67:
            status = rng.choices(["submitted", "registered", "converted", "not_registered"],
                                 [40, 45, 8, 7])[0]
            out.append(("proposal", day, {"ref": f"P{rng.randint(1, 10**6)}", "status": status,
                                          "role": rng.choice(["first_author", "co_signer",
                                                              "individual"])}))
        elif roll < 0.77:
            out.append(("opinion_report", day, {"status": rng.choices(
                ["submitted", "adopted"], [85, 15])[0], "level": "prefecture"}))
        elif roll < 0.80:
            out.append(("service", day, {"type": rng.choice(["key_enterprise",
                                                              "household_pairing"])}))
        elif roll < 0.88:
            out.append(("study", day, {"type": rng.choice(["notebook", "session"])}))
        elif roll < 0.92:
            out.append(("writing", day, {"type": "reflection", "status": "accepted"}))
        elif roll < 0.925:
            out.append(("commendation", day, {"level": rng.choice(
                ["national", "provincial", "prefecture", "county"])}))
        elif roll < 0.96:
            out.append(("fieldwork", day, {"type": "research", "state": "attended",
                                           "findings": rng.randint(0, 2)}))
        else:
            out.append(("constituent_contact", day, {"status": "received"}))
    return out


def generate(members: int, per_member: int) -> dict:
    call_command("migrate", verbosity=0, interactive=False)
    from shixiao.orgs.models import Committee, Person, Sector, Term

    rng = random.Random(20251231)  # noqa: S311 - synthetic data
    with transaction.atomic():
        committee = Committee.objects.create(name="基准政协", code="bench", level="county")
        term = Term.objects.create(committee=committee, number=1, start=START)
        sector = Sector.objects.create(committee=committee, name="基准界")
        Person.objects.bulk_create([Person(name=f"委员{i}") for i in range(members)],
                                   batch_size=5000)
        person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        from shixiao.orgs.models import Membership

        roles = ["standing" if rng.random() < 0.15 else "member" for _ in range(members)]
        Membership.objects.bulk_create(
            [Membership(person_id=p, committee=committee, term=term, sector=sector,
                        role=r, start=START) for p, r in zip(person_ids, roles, strict=True)],
            batch_size=5000)
        mids = list(Membership.objects.filter(committee=committee).order_by("pk")
                    .values_list("pk", "role"))
    cid = committee.pk
    cols = ("committee_id", "membership_id", "kind", "date", "effective", "attrs",
            "source_type", "source_id", "evidence", "vouched_by", "reason", "recorded_at")
    now = dt.datetime.now(dt.UTC)
    total = 0

    def rows():
        nonlocal total
        for mid, role in mids:
            for kind, day, attrs in member_entries(rng, role, per_member):
                effective = day if rng.random() < 0.97 else day + dt.timedelta(days=40)
                total += 1
                yield (cid, mid, kind, day, effective, json.dumps(attrs), "", "", "", "", "",
                       now)

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY ledger_entry ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows():
                        copy.write_row(row)
        else:
            sql = (f"INSERT INTO ledger_entry ({', '.join(cols)}) "
                   f"VALUES ({', '.join(['%s'] * len(cols))})")
            batch = []
            with connection.cursor() as cursor:
                for row in rows():
                    batch.append(row)
                    if len(batch) == 20000:
                        cursor.executemany(sql, batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
        _corrections(cid, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"entries": total}


def _corrections(cid: int, rng: random.Random) -> None:
    """About 0.5% of entries corrected or voided, as real ledgers are."""
    from shixiao.ledger.models import Entry

    sample = list(Entry.objects.filter(committee_id=cid, kind="proposal")
                  .values_list("pk", "membership_id", "date", "attrs")[:: 40])
    fixes = []
    for pk, mid, day, attrs in sample:
        if rng.random() < 0.5:
            fixes.append(Entry(committee_id=cid, membership_id=mid, kind="void", date=day,
                               effective=day, supersedes_id=pk))
        else:
            fixes.append(Entry(committee_id=cid, membership_id=mid, kind="proposal", date=day,
                               effective=day, attrs=attrs | {"status": "registered"},
                               supersedes_id=pk))
    Entry.objects.bulk_create(fixes, batch_size=5000)


# ------------------------------------------------------------------ stages

def engine_stage(store: bool) -> dict:
    from shixiao.assessment.services import register_rubric, score_committee
    from shixiao.orgs.models import Committee

    committee = Committee.objects.get(code="bench")
    version = register_rubric(None, committee, RUBRIC.read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    # Totals and grades; the store stage also keeps every explanation.
    scored = score_committee(None, committee, version, year=YEAR, as_of=AS_OF, store=store,
                             explain=store)
    seconds = time.perf_counter() - t0
    totals = {int(r.member): r.total for r in scored.results}
    return {"seconds": seconds, "digest": digest(totals), "members": len(totals)}


def sql_stage() -> dict:
    cid = committee_id()
    t0 = time.perf_counter()
    totals = anchors.hand_sql(connection, cid, START, END, AS_OF)
    return {"seconds": time.perf_counter() - t0, "digest": digest(totals),
            "members": len(totals)}


def duckdb_stage(workdir: str) -> dict:
    """Export to Parquet (not timed: a one-off copy), then time DuckDB's query."""
    import duckdb

    cid = committee_id()
    con = duckdb.connect()
    types = {
        "ledger_entry": {"id": "BIGINT", "committee_id": "BIGINT", "membership_id": "BIGINT",
                         "kind": "VARCHAR", "date": "DATE", "effective": "DATE",
                         "attrs": "VARCHAR", "supersedes_id": "BIGINT"},
        "orgs_membership": {"id": "BIGINT", "committee_id": "BIGINT", "role": "VARCHAR",
                            "start": "DATE", "end": "DATE"},
    }
    for table, column_types in types.items() if not os.path.exists(
            f"{workdir}/entries.parquet") else ():
        columns = ", ".join(f'"{c}"' for c in column_types)
        csv_path = f"{workdir}/{table}.csv"
        with connection.cursor() as cursor, open(csv_path, "w", encoding="utf-8") as fh:
            import csv

            writer = csv.writer(fh)
            cursor.execute(f"SELECT {columns} FROM {table}")
            while chunk := cursor.fetchmany(50000):
                writer.writerows([[json.dumps(v) if isinstance(v, dict) else v for v in row]
                                  for row in chunk])
        target = "entries" if table == "ledger_entry" else "memberships"
        con.execute(
            f"COPY (SELECT * FROM read_csv('{csv_path}', header=false, "
            f"columns={column_types!r})) TO '{workdir}/{target}.parquet' (FORMAT parquet)")
    t0 = time.perf_counter()
    totals = anchors.duckdb_totals(workdir, cid, START, END, AS_OF)
    return {"seconds": time.perf_counter() - t0, "digest": digest(totals),
            "members": len(totals)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=["generate", "engine", "store", "sql", "duckdb"])
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    if args.stage == "generate":
        result = generate(args.members, args.entries)
    elif args.stage in ("engine", "store"):
        result = engine_stage(store=args.stage == "store")
    elif args.stage == "sql":
        result = sql_stage()
    else:
        result = duckdb_stage(args.workdir)
    result["peak_mb"] = peak_mb()
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
