"""The in-process half of bench/pages.py: each page through Django's test client (server
time only: no sockets, no HTTP parsing), and the number of SQL queries it runs.

    DJANGO_SETTINGS_MODULE=pages_settings SHIXIAO_DATABASE_URL=sqlite:///x.sqlite3 \
        python bench/pages_measure.py --requests 30 [--profile members]

Prints one JSON line: {"pages": [{name, url, user, queries, bytes, ms: [...]}, ...]}.
With --profile NAME it prints cProfile's top functions and the repeated SQL of that page
to stderr instead of timing.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pages_settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pages_plan import enough, pages  # noqa: E402


def clients() -> dict[str, Client]:
    from shixiao.accounts.models import User

    out = {"anonymous": Client()}
    for username in ("office", "member1", "leader"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        out[username] = client
    return out


def _get(client: Client, url: str) -> int:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")
    return len(response.content)


def measure(requests: int, warmup: int, budget_s: float) -> list[dict]:
    plan, by_user = pages(), clients()
    results = []
    for page in plan:
        client = by_user[page["user"]]
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            size = _get(client, page["url"])
        results.append({**page, "queries": len(queries.captured_queries), "bytes": size,
                        "ms": []})
        if time.perf_counter() - t0 < 1:  # a page of seconds needs no warming
            for _ in range(warmup):
                _get(client, page["url"])
    # Round-robin over the pages so that the machine's slow moments fall on all of them.
    for _ in range(requests):
        for result in results:
            if enough(result["ms"], budget_s):
                continue
            client = by_user[result["user"]]
            t0 = time.perf_counter()
            _get(client, result["url"])
            result["ms"].append((time.perf_counter() - t0) * 1000)
    return results


def profile(name: str) -> None:
    plan, by_user = pages(), clients()
    page = next(p for p in plan if p["name"] == name)
    client = by_user[page["user"]]
    _get(client, page["url"])
    with CaptureQueriesContext(connection) as queries:
        _get(client, page["url"])
    shapes = Counter(re.sub(r"\b\d+\b", "N", q["sql"]) for q in queries.captured_queries)
    out = sys.stderr
    print(f"{name} {page['url']}: {len(queries.captured_queries)} queries, "
          f"{sum(float(q['time']) for q in queries.captured_queries) * 1000:.0f} ms in SQL",
          file=out)
    for sql, count in shapes.most_common(8):
        print(f"  {count:4d} x {sql[:300]}", file=out)
    print("  slowest:", file=out)
    for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]:
        print(f"  {float(q['time']) * 1000:6.0f} ms  {q['sql'][:1500]}", file=out)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        _get(client, page["url"])
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    print(text.getvalue(), file=out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--budget", type=float, default=20,
                        help="seconds per page after which a slow page stops (5 requests min)")
    parser.add_argument("--profile", help="profile this page instead of timing")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return
    print(json.dumps({"pages": measure(args.requests, args.warmup, args.budget)}))


if __name__ == "__main__":
    main()
