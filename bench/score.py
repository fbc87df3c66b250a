"""Benchmark: scoring a committee's ledger end to end from the database under the Guangshui
rubric, side by side with the anchors in the same run.

    python bench/score.py                              # 10k and 100k members, SQLite
    python bench/score.py --pg-url postgres://u:p@127.0.0.1:5432/postgres
    python bench/score.py --members 10000 --entries 50

For each database and size it builds a synthetic committee (bulk SQL: the point is scoring,
not writing), then, each in a fresh process so peak memory is its own:
  engine   load entries + score with shixiao's engine (totals and grades)
  store    the same, then store every result with its explanation (reported separately)
  sql      the hand-written SQL an analyst would write for the same totals (the anchor)
  duckdb   the same SQL in DuckDB over a Parquet copy (the hardware floor)
It checks all three agree on every member's total and prints ratios to the SQL anchor.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
YEAR = 2025


def run_stage(stage: str, db_url: str, members: int, entries: int, workdir: str) -> dict:
    env = os.environ | {"SHIXIAO_DATABASE_URL": db_url,
                        "DJANGO_SETTINGS_MODULE": "shixiao.settings.test"}
    out = subprocess.run(
        [sys.executable, str(HERE / "score_worker.py"), stage, "--members", str(members),
         "--entries", str(entries), "--workdir", workdir],
        env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"stage {stage} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def pg_database(pg_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    base, _, _ = pg_url.rpartition("/")
    return f"{base}/{name}"


def paired(rounds: list[dict], a: str, b: str) -> float:
    """The median over rounds of stage a's time over stage b's in the same round."""
    ratios = sorted(r[a]["seconds"] / r[b]["seconds"] for r in rounds)
    return ratios[len(ratios) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--entries", type=int, default=50, help="entries per member")
    parser.add_argument("--pg-url", help="a PostgreSQL URL whose role may create databases")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage (median)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory(prefix="shixiao-bench-") as tmp:
        targets = [] if args.no_sqlite else [("sqlite", None)]
        if args.pg_url:
            targets.append(("postgresql", args.pg_url))
        for vendor, pg_url in targets:
            for members in args.members:
                workdir = os.path.join(tmp, f"{vendor}-{members}")
                os.makedirs(workdir)
                url = (f"sqlite:///{workdir}/bench.sqlite3" if vendor == "sqlite"
                       else pg_database(pg_url, f"shixiao_bench_{members}"))
                t0 = time.perf_counter()
                gen = run_stage("generate", url, members, args.entries, workdir)
                print(f"[{vendor} {members:,} members] generated {gen['entries']:,} entries "
                      f"in {time.perf_counter() - t0:.0f} s", flush=True)
                row = {"db": vendor, "members": members, "entries": gen["entries"]}
                stages = ("sql", "engine", "store", "duckdb")
                # Stages take turns, `repeat` rounds: these machines are noisy, and a load
                # that comes and goes then falls on every stage alike. Each ratio is the
                # median of the ratios within a round; each time the median of its runs.
                rounds = [{stage: run_stage(stage, url, members, args.entries, workdir)
                           for stage in stages} for _ in range(args.repeat)]
                for stage in stages:
                    runs = sorted((r[stage] for r in rounds), key=lambda r: r["seconds"])
                    row[stage] = runs[len(runs) // 2] | {
                        "all_seconds": [round(r[stage]["seconds"], 3) for r in rounds],
                        "peak_mb": max(r["peak_mb"] for r in runs)}
                    print(f"  {stage:7s} {row[stage]['seconds']:8.2f} s  "
                          f"peak {row[stage]['peak_mb']:7.0f} MB", flush=True)

                row["ratio_engine_to_sql"] = paired(rounds, "engine", "sql")
                row["ratio_store_to_sql"] = paired(rounds, "store", "sql")
                row["ratio_engine_to_duckdb"] = paired(rounds, "engine", "duckdb")
                digests = {row[s]["digest"] for s in ("sql", "engine", "duckdb")}
                row["agree"] = len(digests) == 1
                print(f"  engine/sql {row['ratio_engine_to_sql']:.2f}x   "
                      f"store/sql {row['ratio_store_to_sql']:.2f}x   "
                      f"engine/duckdb {row['ratio_engine_to_duckdb']:.1f}x   "
                      f"totals agree: {row['agree']}", flush=True)
                if not row["agree"]:
                    raise SystemExit("the engine and the anchors disagree on totals")
                results.append(row)
    print()
    print("| db | members | entries | sql s | engine s | engine/sql | store s | store/sql "
          "| duckdb s | engine/duckdb | engine peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['db']} | {r['members']:,} | {r['entries']:,} | {r['sql']['seconds']:.2f} "
              f"| {r['engine']['seconds']:.2f} | {r['ratio_engine_to_sql']:.2f}x "
              f"| {r['store']['seconds']:.2f} | {r['ratio_store_to_sql']:.2f}x "
              f"| {r['duckdb']['seconds']:.2f} | {r['ratio_engine_to_duckdb']:.1f}x "
              f"| {r['engine']['peak_mb']:.0f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
