"""A year of realistic ledger entries for the demo committee, for the duties that have no
workflow in shixiao yet.

Shapes follow research/domain.md: one plenary a year (about five half-days), standing
meetings for standing members, consultation meetings and group activities; research trips
sometimes find nothing and a few are showcase visits; study, writings and constituent
contacts. Written through `record_entries`, so the demo year is one audited change, like an
import. Proposals and opinion reports are not invented here: `proposals.demo` and
`reports.demo` file them through their workflows, whose services record the ledger entries
(with `source_type`/`source_id` pointing at the proposal or report).
"""

import datetime as dt
import random

from django.utils import timezone

from shixiao.orgs.models import Committee, Membership, Session

from .services import record_entries

PLENARY_DAY, PLENARY_HALF_DAYS = 6, 5  # the plenary opens on 6 January unless a session says


def _day(rng: random.Random, year: int, month_from: int = 1, month_to: int = 12) -> dt.date:
    month = rng.randint(month_from, month_to)
    return dt.date(year, month, rng.randint(1, 28))


def _later(rng: random.Random, date: dt.date, days_from: int, days_to: int) -> dt.date:
    return date + dt.timedelta(days=rng.randint(days_from, days_to))


def _plenary_day(committee: Committee, year: int) -> dt.date:
    session = (Session.objects.filter(term__committee=committee, start__year=year)
               .order_by("start").first())
    return session.start if session is not None else dt.date(year, 1, PLENARY_DAY)


def generate_year(committee: Committee, year: int, *, seed: int = 2026, actor=None,
                  today: dt.date | None = None) -> int:
    """Record `year`'s entries for every membership active in it, up to `today` (the demo's
    today, default the real one): a meeting or a confirmation after it has not happened
    yet, so a year in progress holds only its past. Return how many were recorded."""
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}-{committee.code}-{year}")  # noqa: S311 - demo data, not secrets
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    memberships = list(
        Membership.objects.filter(committee=committee, start__lte=end)
        .exclude(end__lt=start).order_by("pk"))
    items: list[dict] = []

    def add(m: Membership, kind: str, date: dt.date, effective: dt.date | None = None,
            **attrs):
        items.append({"membership": m, "kind": kind, "date": date,
                      "effective": effective, "attrs": attrs})

    plenary = _plenary_day(committee, year)
    standing_meetings = [dt.date(year, month, 20) for month in (2, 4, 6, 8, 10, 12)]
    for m in memberships:
        active = m.start <= plenary and (m.end is None or m.end >= plenary)
        # Plenary: most attend every half-day; some take leave; a few miss without leave.
        if active:
            roll = rng.random()
            if roll < 0.85:
                add(m, "attendance", plenary, meeting="plenary", state="attended",
                    half_days=PLENARY_HALF_DAYS if rng.random() < 0.8 else rng.randint(2, 4),
                    half_days_total=PLENARY_HALF_DAYS)
            elif roll < 0.97:
                add(m, "attendance", plenary, meeting="plenary", state="leave")
            else:
                add(m, "attendance", plenary, meeting="plenary", state="unexcused")
            for _ in range(2):
                state = rng.choices(["attended", "late", "unexcused"], [90, 7, 3])[0]
                add(m, "attendance", plenary + dt.timedelta(days=1), meeting="plenary_group",
                    state=state)
        if m.role in ("standing", "chairs"):
            for day in standing_meetings:
                if m.start <= day and (m.end is None or m.end >= day):
                    state = rng.choices(["attended", "leave", "late", "unexcused"],
                                        [80, 12, 5, 3])[0]
                    add(m, "attendance", day, meeting="standing", state=state)
        for _ in range(rng.randint(1, 4)):
            add(m, "attendance", _day(rng, year, 3, 11), meeting="consultation",
                state=rng.choices(["attended", "leave", "unexcused"], [85, 12, 3])[0])
        for _ in range(rng.randint(2, 6)):
            add(m, "attendance", _day(rng, year, 2, 12), meeting="group",
                state=rng.choices(["attended", "leave"], [88, 12])[0])
    for m in memberships:
        _fieldwork(rng, year, m, add)
        _study_and_contact(rng, year, m, add)
    # Drawn for the whole year, then cut at today: a year in progress holds its past only.
    items = [item for item in items
             if item["date"] <= today and (item["effective"] or item["date"]) <= today]
    if not items:
        return 0
    created = record_entries(actor, items, reason=f"演示履职记录 {year}",
                             label=f"演示履职记录 {year}")
    return len(created)


def _fieldwork(rng, year, m, add):
    for n in range(rng.choices([0, 1, 2, 3, 4], [15, 35, 30, 15, 5])[0]):
        date = _day(rng, year, 3, 11)
        kind = rng.choices(["research", "inspection", "supervision"], [50, 35, 15])[0]
        attrs = {"ref": f"F{year}-{m.pk}-{n}", "type": kind, "state": "attended",
                 "days": rng.choice([1, 1, 2, 3]), "findings": rng.choices([0, 1, 2, 3],
                                                                          [30, 40, 20, 10])[0]}
        if rng.random() < 0.06:
            attrs["flag"] = rng.choice(["show", "showcase", "skimming"])
        add(m, "fieldwork", date, **attrs)
        if attrs["findings"] and rng.random() < 0.15:
            add(m, "fieldwork", date, _later(rng, date, 60, 200), ref=attrs["ref"],
                type=kind, status="outcome_tracked")


def _study_and_contact(rng, year, m, add):
    for _ in range(rng.randint(1, 5)):
        add(m, "study", _day(rng, year), type="session",
            state=rng.choices(["full", "partial"], [85, 15])[0])
    for n in range(rng.choices([0, 1, 2], [40, 45, 15])[0]):
        status = "copied" if rng.random() < 0.04 else "accepted"
        add(m, "writing", _day(rng, year, 3, 12), ref=f"W{year}-{m.pk}-{n}",
            type="reflection", status=status)
    for n in range(rng.choices([0, 1, 2, 4, 6], [25, 30, 25, 12, 8])[0]):
        received = _day(rng, year, 1, 10)
        ref = f"C{year}-{m.pk}-{n}"
        add(m, "constituent_contact", received, ref=ref, status="received")
        if rng.random() < 0.45:
            extra = {"difficulty": "hard"} if rng.random() < 0.1 else {}
            add(m, "constituent_contact", received, _later(rng, received, 20, 120), ref=ref,
                status="confirmed", **extra)
    if rng.random() < 0.03:
        add(m, "commendation", _day(rng, year, 6, 12),
            level=rng.choice(["prefecture", "provincial"]))
