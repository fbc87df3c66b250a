import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shixiao.orgs import demo

DEMO_YEAR = 2025  # the last completed year before the demo's "today"


class Command(BaseCommand):
    help = ("Generate a deterministic demo city committee through the production services "
            "and print its logins. Does nothing if the demo committee already exists.")

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=300,
                            help="members of the city committee (default 300)")
        parser.add_argument("--seed", type=int, default=2026,
                            help="the same seed gives the same committee (default 2026)")
        parser.add_argument("--password", default=demo.DEFAULT_PASSWORD,
                            help="password of every demo login (default demo)")
        parser.add_argument("--fresh", action="store_true",
                            help="flush the whole database first")

    def handle(self, *args, members, seed, password, fresh, **options):
        # The demo database may be brand new; migrating an up-to-date one is a no-op.
        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = demo.generate(members=members, seed=seed, password=password,
                                   fresh=fresh, stdout=self.stdout)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if result.created:
            self._ledger_and_scores(result.committee, seed)
        self.stdout.write(demo.format_summary(result))

    def _ledger_and_scores(self, committee, seed):
        """A completed year of duty records and its scores under the default rubric:
        proposals and opinion reports through their workflows (their services write the
        ledger), the other duties as generated ledger entries, then the scores."""
        from shixiao.assessment.defaults import default_rubric_text
        from shixiao.assessment.services import register_rubric, score_committee
        from shixiao.ledger.demo import generate_year
        from shixiao.proposals import demo as proposals_demo
        from shixiao.reports import demo as reports_demo

        started = time.monotonic()
        proposals = proposals_demo.generate_year(committee, DEMO_YEAR, seed=seed)
        states = ", ".join(f"{state} {n}" for state, n in proposals["states"].items())
        self.stdout.write(f"Filed {proposals['proposals']} proposals for {DEMO_YEAR} through "
                          f"the workflow ({states}) in {time.monotonic() - started:.1f} s; "
                          f"unit1 … unit{proposals['unit_logins']}: one login per handling "
                          "unit.")
        started = time.monotonic()
        reports = reports_demo.generate_year(committee, DEMO_YEAR, seed=seed)
        adopted = ", ".join(f"{level} {n}" for level, n in reports["adoptions"].items())
        self.stdout.write(f"Wrote {reports['reports']} opinion reports (adopted: {adopted}) "
                          f"in {time.monotonic() - started:.1f} s.")
        count = generate_year(committee, DEMO_YEAR, seed=seed)
        version = register_rubric(None, committee, default_rubric_text())
        scored = score_committee(None, committee, version, year=DEMO_YEAR)
        self.stdout.write(f"Recorded {count} other ledger entries for {DEMO_YEAR} and scored "
                          f"{len(scored.results)} members under {version.rubric_id}.")
