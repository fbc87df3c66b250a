"""Benchmark: list pages with a 10,000-member committee, against anchors in the same run.

    python bench/pages.py           # builds var/bench/pages-10000.sqlite3 once, then measures
    python bench/pages.py --requests 50 --concurrency 4 --json var/bench/pages.json
    python bench/pages.py --profile "ledger list"  # queries and cProfile of one page

Target (issue 5): list pages under 300 ms median with 10k members.

1. Database: the demo committee generated through the workflow services at 250 members,
   then copied 40 times over in SQL (bench/pages_data.py); kept and reused on later runs
   (--rebuild to make it again).
2. In-process: every page through Django's test client (server time, no HTTP), with its
   SQL query count (bench/pages_measure.py).
3. Real server: gunicorn on 127.0.0.1 with one sync worker per core, the pages requested
   over HTTP after a real login (office; member1 for /me/; leader for the dashboard), one
   client at a time, then under load: --concurrency clients at once, each with its own
   login (pages slower than 2 s alone are left out of the load run: they would hold every
   worker, and the rest would measure only the queue behind them).

Pages are requested round-robin, N times each after a warm-up, so slow moments of the
shared machine fall on every page alike. Anchors, measured in the same run: the login page
(no data) and the first 50 members from one raw SQL query behind the same login
(bench/pages_urls.py).
"""

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from pages_plan import enough

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_MS = 300
SLOW_MS = 2000  # pages slower than this alone are left out of the load run
PASSWORD = "demo"  # the demo generator's logins


def env_for(db: Path) -> dict:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "pages_settings",
        "SHIXIAO_DATABASE_URL": f"sqlite:///{db}",
        "SHIXIAO_VAR_DIR": str(db.parent / "var"),
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }


def run_json(args: list[str], env: dict) -> dict:
    out = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
        raise SystemExit(f"{args[0]} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def build(db: Path, members: int, rebuild: bool) -> dict | None:
    if db.exists() and not rebuild:
        return None
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    db.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {db} ({members} members) ...", file=sys.stderr)
    return run_json([str(HERE / "pages_data.py"), "--members", str(members)], env_for(db))


# ------------------------------------------------------------------ HTTP

class Session:
    """One logged-in browser, minus the browser: cookies and the CSRF dance."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None) -> tuple[int, bytes, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        ms = (time.perf_counter() - t0) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        conn.close()
        return response.status, data, ms

    def log_in(self, username: str) -> None:
        status, page, _ = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode({"csrfmiddlewaretoken": token.decode(), "username": username,
                          "password": PASSWORD})
        status, _, _ = self.request("POST", "/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login as {username} failed ({status})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "shixiao.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        env=env_for(db), cwd=str(ROOT))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Session(port).request("GET", "/login/")[0] == 200:
                return server, port
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def sessions_for(port: int, plan: list[dict]) -> dict[str, Session]:
    out = {"anonymous": Session(port)}
    for user in {p["user"] for p in plan} - {"anonymous"}:
        out[user] = Session(port)
        out[user].log_in(user)
    return out


def _timed(session: Session, url: str) -> float:
    status, _, ms = session.request("GET", url)
    if status != 200:
        raise SystemExit(f"{url}: HTTP {status}")
    return ms


def over_http(port: int, plan: list[dict], requests: int, warmup: int,
              budget_s: float) -> dict[str, list]:
    sessions = sessions_for(port, plan)
    for page in plan:
        for _ in range(warmup):
            if _timed(sessions[page["user"]], page["url"]) > 1000:
                break
    times = {p["name"]: [] for p in plan}
    for _ in range(requests):
        for page in plan:
            if not enough(times[page["name"]], budget_s):
                times[page["name"]].append(_timed(sessions[page["user"]], page["url"]))
    return times


def under_load(port: int, plan: list[dict], requests: int, clients: int,
               budget_s: float) -> dict[str, list]:
    """`clients` users at once, each with its own login, each requesting every page
    `requests` times in its own rotated order."""
    times = {p["name"]: [] for p in plan}
    lock, errors = threading.Lock(), []

    def client(index: int) -> None:
        try:
            sessions = sessions_for(port, plan)
            order = plan[index % len(plan):] + plan[:index % len(plan)]
            for _ in range(requests):
                for page in order:
                    with lock:
                        done = enough(times[page["name"]], budget_s)
                    if done:
                        continue
                    ms = _timed(sessions[page["user"]], page["url"])
                    with lock:
                        times[page["name"]].append(ms)
        except BaseException as exc:  # noqa: BLE001 - reported after the threads end
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"a load client failed: {errors[0]}")
    return times


# ------------------------------------------------------------------ report

def stats(ms: list[float]) -> tuple[float, float]:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def table(plan: list[dict], client: dict, http_times: dict, load_times: dict,
          clients: int) -> str:
    anchor = stats(http_times[plan[1]["name"]])[0] if http_times else None
    head = ["page", "URL", "queries", "in-process median / p95 ms"]
    if http_times:
        head += ["HTTP median / p95 ms", "× raw-SQL anchor"]
    if load_times:
        head += [f"{clients} clients median / p95 ms"]
    head += ["requests timed", "target < 300 ms"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for page in plan:
        c = next(r for r in client["pages"] if r["name"] == page["name"])
        med, p95 = stats(c["ms"])
        row = [page["name"], f"`{page['url']}`", str(c["queries"]), f"{med:.0f} / {p95:.0f}"]
        judged = med
        if http_times:
            hmed, hp95 = stats(http_times[page["name"]])
            row += [f"{hmed:.0f} / {hp95:.0f}", f"{hmed / anchor:.1f}×"]
            judged = hmed
        if load_times:
            if load_times.get(page["name"]):
                lmed, lp95 = stats(load_times[page["name"]])
                row += [f"{lmed:.0f} / {lp95:.0f}"]
            else:
                row += ["(left out)"]
        counts = [len(c["ms"])] + [len(t.get(page["name"], []))
                                   for t in (http_times, load_times) if t]
        row += ["/".join(map(str, counts))]
        row += ["(anchor)" if page["anchor"] else
                ("**met**" if judged < TARGET_MS else "**not met**")]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--db", type=Path, help="default: var/bench/pages-<members>.sqlite3")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--budget", type=float, default=20,
                        help="seconds per page and stage after which a slow page stops "
                             "being requested (it keeps at least 5 timings)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn sync workers (default: one per core)")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="clients at once in the load run (0 skips it)")
    parser.add_argument("--no-server", action="store_true", help="in-process timing only")
    parser.add_argument("--profile", metavar="PAGE", help="profile one page by its name")
    parser.add_argument("--json", type=Path, help="also write every timing here")
    args = parser.parse_args()
    db = (args.db or ROOT / "var" / "bench" / f"pages-{args.members}.sqlite3").resolve()

    built = build(db, args.members, args.rebuild)
    if built:
        print(f"built: {json.dumps(built)}", file=sys.stderr)
    if args.profile:
        subprocess.run([sys.executable, str(HERE / "pages_measure.py"), "--profile",
                        args.profile], env=env_for(db), check=True)
        return
    load_before = os.getloadavg()[0]
    print("in-process ...", file=sys.stderr)
    client = run_json([str(HERE / "pages_measure.py"), "--requests", str(args.requests),
                       "--warmup", str(args.warmup), "--budget", str(args.budget)],
                      env_for(db))
    plan = [{k: r[k] for k in ("name", "url", "user", "anchor")} for r in client["pages"]]
    http_times, load_times = {}, {}
    if not args.no_server:
        server, port = start_server(db, args.workers)
        try:
            print(f"HTTP, gunicorn {args.workers} workers on 127.0.0.1:{port} ...",
                  file=sys.stderr)
            http_times = over_http(port, plan, args.requests, args.warmup, args.budget)
            if args.concurrency:
                print(f"HTTP, {args.concurrency} clients at once ...", file=sys.stderr)
                # A page of seconds would hold every sync worker and leave the others
                # measuring only the queue behind it: it is timed alone, not under load.
                loaded = [p for p in plan if stats(http_times[p["name"]])[0] < SLOW_MS]
                per_client = max(1, args.requests // args.concurrency)
                load_times = under_load(port, loaded, per_client, args.concurrency,
                                        args.budget * args.concurrency)
        finally:
            server.terminate()
            server.wait(timeout=30)
    # The machine is shared: say how busy it was, since that moves every figure.
    load = (load_before, os.getloadavg()[0])
    print(f"\n{args.members} members; {args.requests} requests per page; "
          f"{time.strftime('%Y-%m-%d')}; {os.cpu_count()} cores; load average "
          f"{load[0]:.1f} before, {load[1]:.1f} after\n")
    print(table(plan, client, http_times, load_times, args.concurrency))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "members": args.members, "date": time.strftime("%Y-%m-%d"), "built": built,
            "in_process": client, "http": http_times, "load": load_times,
            "concurrency": args.concurrency,
            "load_average": load}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
