"""One small full demo for tests that need every page filled: the same services the
`demo-data` command calls (orgs.demo, then for the assessed and the current year the
proposals', opinion reports' and other duties' work, then the assessed year's scores), in
one function so that a change of the demo is made here once.

The demo is built around a day (`today`, default the real date, as `make demo` does), so a
crawl sees what a committee would see on the day the suite runs.

Callers own the database: call it inside `django_db_blocker.unblock()` of a module-scoped
fixture and flush afterwards (see tests/test_crawl.py).
"""

import datetime as dt
from types import SimpleNamespace


def build_full_demo(*, members: int = 30, seed: int = 2026,
                    today: dt.date | None = None) -> SimpleNamespace:
    """A fresh demo committee with its assessed year and current year of proposals, opinion
    reports and ledger entries and the assessed year's stored scores, as
    `shixiao demo-data --members N --seed S --fresh [--today D]` builds it."""
    from shixiao.assessment.defaults import default_rubric_text
    from shixiao.assessment.services import register_rubric, score_committee
    from shixiao.ledger.demo import generate_year as ledger_year
    from shixiao.orgs import demo as org_demo
    from shixiao.proposals import demo as proposals_demo
    from shixiao.reports import demo as reports_demo

    result = org_demo.generate(members=members, seed=seed, fresh=True, today=today)
    committee, calendar = result.committee, result.calendar
    made = {}
    for year in (calendar.assessed_year, calendar.current_year):
        made[year] = (
            proposals_demo.generate_year(committee, year, seed=seed, today=calendar.today),
            reports_demo.generate_year(committee, year, seed=seed, today=calendar.today))
        ledger_year(committee, year, seed=seed, today=calendar.today)
    version = register_rubric(None, committee, default_rubric_text())
    score_committee(None, committee, version, year=calendar.assessed_year)
    proposals, reports = made[calendar.assessed_year]
    return SimpleNamespace(committee=committee, year=calendar.assessed_year,
                           calendar=calendar, result=result, proposals=proposals,
                           reports=reports, rubric=version)
