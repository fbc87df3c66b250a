"""One small full demo for tests that need every page filled: the same services the
`demo-data` command calls (orgs.demo, then the proposals', opinion reports' and other
duties' year, then the default rubric's scores), in one function so that a change of the
demo (for instance a `today=` argument) is made here once.

Callers own the database: call it inside `django_db_blocker.unblock()` of a module-scoped
fixture and flush afterwards (see tests/test_crawl.py).
"""

from types import SimpleNamespace

DEMO_YEAR = 2025  # keep in step with orgs/management/commands/demo_data.py


def build_full_demo(*, members: int = 30, seed: int = 2026) -> SimpleNamespace:
    """A fresh demo committee with a year of proposals, opinion reports, ledger entries and
    stored scores, as `shixiao demo-data --members N --seed S --fresh` builds it."""
    from shixiao.assessment.defaults import default_rubric_text
    from shixiao.assessment.services import register_rubric, score_committee
    from shixiao.ledger.demo import generate_year as ledger_year
    from shixiao.orgs import demo as org_demo
    from shixiao.proposals import demo as proposals_demo
    from shixiao.reports import demo as reports_demo

    result = org_demo.generate(members=members, seed=seed, fresh=True)
    committee = result.committee
    proposals = proposals_demo.generate_year(committee, DEMO_YEAR, seed=seed)
    reports = reports_demo.generate_year(committee, DEMO_YEAR, seed=seed)
    ledger_year(committee, DEMO_YEAR, seed=seed)
    version = register_rubric(None, committee, default_rubric_text())
    score_committee(None, committee, version, year=DEMO_YEAR)
    return SimpleNamespace(committee=committee, year=DEMO_YEAR, result=result,
                           proposals=proposals, reports=reports, rubric=version)
