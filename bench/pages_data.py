"""Build the page benchmark's database: the demo committee, grown to N members.

    DJANGO_SETTINGS_MODULE=pages_settings SHIXIAO_DATABASE_URL=sqlite:///x.sqlite3 \
        python bench/pages_data.py --members 10000 --base 250

The demo generator files every proposal and report through the audited workflow services
(about 280 queries per proposal), which is what makes its data realistic and also why it
takes minutes for a few hundred members. So the demo is generated once at `--base` members
and then copied `members / base` times over in SQL: every person, seat, placement, proposal
(with its authors, assignments, replies, ratings, follow-ups, events), opinion report (with
authors, sendings, adoptions, endorsements), ledger entry and stored score is copied with
its keys shifted, so each copy is a complete committee-within-the-committee, pointing at
the same committee, term, sectors, special committees, groups and handling units. Users
are not copied: the demo's logins (office, member1, unit1 …) stay the ones that log in.

Prints one JSON line with the timings and the row counts.
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pages_settings")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402

ROOTS = ("orgs.Person", "orgs.Membership", "proposals.Proposal", "reports.OpinionReport")
# Ledger `ref` attributes and `source_id`s that name a copied record, by prefix / type.
REFS = {"proposal": "proposals.Proposal", "report": "reports.OpinionReport"}
SOURCES = {"proposals.proposal": "proposals.Proposal",
           "reports.opinionreport": "reports.OpinionReport"}
# Integer fields unique within their committee (and year) that must be shifted too.
NUMBERED = {("proposals.Proposal", "number")}


def label(model) -> str:
    return model._meta.label


def copied_models() -> list:
    """Every model whose rows hang off a person, seat, proposal or report (found through
    foreign keys, so a model added later is copied without touching this file)."""
    chosen = {apps.get_model(name) for name in ROOTS}
    every = apps.get_models(include_auto_created=True)
    grew = True
    while grew:
        grew = False
        for model in every:
            if model in chosen:
                continue
            if any(f.many_to_one or f.one_to_one for f in model._meta.concrete_fields
                   if f.is_relation and f.related_model in chosen):
                chosen.add(model)
                grew = True
    return sorted(chosen, key=label)


def _unique_sets(model) -> list[tuple[str, ...]]:
    meta = model._meta
    sets = [(f.name,) for f in meta.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(u) for u in meta.unique_together]
    sets += [tuple(c.fields) for c in meta.constraints
             if isinstance(c, models.UniqueConstraint) and c.fields]
    return sets


def _check_unique(model, chosen) -> None:
    """A unique field set with no copied key in it would collide between copies."""
    meta = model._meta
    for fields in _unique_sets(model):
        shifted = [n for n in fields
                   if meta.get_field(n).is_relation and meta.get_field(n).related_model in chosen
                   or (label(model), n) in NUMBERED]
        if not shifted and not all(meta.get_field(n).null for n in fields):
            raise SystemExit(f"{label(model)}: unique {fields} would repeat in every copy; "
                             "teach bench/pages_data.py how to shift it")


def _select_list(model, chosen, base, copy) -> tuple[list[str], list[str]]:
    """(columns, SQL expressions) of one copy of `model`'s original rows."""
    qn = connection.ops.quote_name
    columns, values = [], []
    for f in model._meta.concrete_fields:
        col = qn(f.column)
        columns.append(col)
        if f.primary_key:
            values.append(f"{col} + {copy * base[model]}")
        elif f.is_relation and f.related_model in chosen:
            values.append(f"{col} + {copy * base[f.related_model]}")
        elif f.is_relation and f.one_to_one:
            assert f.null, f"{label(model)}.{f.name} is a required one-to-one outside the copy"
            values.append("NULL")       # a person's login stays with the original person
        elif (label(model), f.name) in NUMBERED:
            values.append(f"{col} + {copy * 100_000}")
        else:
            values.append(col)
    return columns, values


def _shift_ref(attrs: dict, copy: int, base) -> dict:
    ref = attrs.get("ref")
    match = re.fullmatch(r"(\w+):(\d+)", ref) if isinstance(ref, str) else None
    if match and match.group(1) in REFS:
        target = apps.get_model(REFS[match.group(1)])
        attrs = {**attrs, "ref": f"{match.group(1)}:{int(match.group(2)) + copy * base[target]}"}
    return attrs


def _copy_entries(copies: int, base) -> int:
    """Ledger entries in Python: their `ref` attribute and `source_id` name proposals and
    reports, which moved with the copy."""
    entry = apps.get_model("ledger.Entry")
    membership = apps.get_model("orgs.Membership")
    fields = list(entry._meta.concrete_fields)
    originals = list(entry.objects.filter(pk__lt=base[entry]).order_by("pk").values_list(
        *[f.attname for f in fields]))
    names = [f.attname for f in fields]
    at = {name: i for i, name in enumerate(names)}
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(entry._meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
           f" VALUES ({', '.join(['%s'] * len(fields))})")
    attrs_field = entry._meta.get_field("attrs")
    total = 0
    with connection.cursor() as cursor:
        for copy in range(1, copies):
            rows = []
            for row in originals:
                row = list(row)
                row[at["id"]] += copy * base[entry]
                row[at["membership_id"]] += copy * base[membership]
                if row[at["supersedes_id"]] is not None:
                    row[at["supersedes_id"]] += copy * base[entry]
                row[at["attrs"]] = attrs_field.get_db_prep_save(
                    _shift_ref(row[at["attrs"]], copy, base), connection)
                if row[at["source_type"]] in SOURCES and row[at["source_id"]].isdigit():
                    target = apps.get_model(SOURCES[row[at["source_type"]]])
                    row[at["source_id"]] = str(int(row[at["source_id"]])
                                               + copy * base[target])
                for name in ("date", "effective", "recorded_at"):
                    row[at[name]] = entry._meta.get_field(name).get_db_prep_save(
                        row[at[name]], connection)
                rows.append(row)
            cursor.executemany(sql, rows)
            total += len(rows)
    return total


def grow(copies: int) -> dict[str, int]:
    """Copy the demo `copies - 1` times over, so the committee holds `copies` demos."""
    chosen = copied_models()
    for model in chosen:
        _check_unique(model, chosen)
    base = {}
    for model in chosen:
        top = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        base[model] = top + 1
    entry = apps.get_model("ledger.Entry")
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for model in chosen:
            if model is entry:
                continue
            pk = qn(model._meta.pk.column)
            for copy in range(1, copies):
                columns, values = _select_list(model, chosen, base, copy)
                cursor.execute(
                    f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) "
                    f"SELECT {', '.join(values)} FROM {qn(model._meta.db_table)} "
                    f"WHERE {pk} < {base[model]}")
        _copy_entries(copies, base)
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), chosen):
                cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {label(m): m.objects.count() for m in chosen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--base", type=int, default=250,
                        help="members the demo generator makes before copying")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.members % args.base:
        raise SystemExit("--members must be a multiple of --base")
    from shixiao.orgs import demo

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    t1 = time.perf_counter()
    # `shixiao demo-data`: the committee, last year's and this year's (up to today)
    # proposals and reports through their workflows, the other ledger entries and last
    # year's scores; or the demo already there (a copy of an earlier run's base).
    call_command("demo_data", members=args.base, seed=args.seed, stdout=sys.stderr)
    t2 = time.perf_counter()
    city = apps.get_model("orgs.Committee").objects.get(code=demo.CITY_CODE)
    if city.memberships.count() != args.base:
        raise SystemExit(f"the demo committee has {city.memberships.count()} members, not "
                         f"--base {args.base}: start from an empty database")
    counts = grow(args.members // args.base)
    t3 = time.perf_counter()
    print(json.dumps({"migrate_s": round(t1 - t0, 1), "demo_s": round(t2 - t1, 1),
                      "copy_s": round(t3 - t2, 1),
                      "city_members": city.memberships.count(), "rows": counts}))


if __name__ == "__main__":
    main()
