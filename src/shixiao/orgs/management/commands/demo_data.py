import datetime as dt
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shixiao.orgs import demo


def parse_today(value: str) -> dt.date:
    """`--today YYYY-MM-DD`, with an error that names the option."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today {value!r} is not a date in the form YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = ("Generate a deterministic demo city committee through the production services "
            "and print its logins. Its dates are placed around today (or --today): the "
            "current term contains it, last year is complete and scored, this year is in "
            "progress. Does nothing if the demo committee already exists.")

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=300,
                            help="members of the city committee (default 300)")
        parser.add_argument("--seed", type=int, default=2026,
                            help="the same seed and today give the same committee "
                                 "(default 2026)")
        parser.add_argument("--today", default=None, metavar="YYYY-MM-DD",
                            help="the demo's today (default: the real date in TIME_ZONE)")
        parser.add_argument("--password", default=demo.DEFAULT_PASSWORD,
                            help="password of every demo login (default demo)")
        parser.add_argument("--fresh", action="store_true",
                            help="flush the whole database first")

    def handle(self, *args, members, seed, password, fresh, today=None, **options):
        if isinstance(today, str):
            today = parse_today(today)
        # The demo database may be brand new; migrating an up-to-date one is a no-op.
        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = demo.generate(members=members, seed=seed, password=password,
                                   fresh=fresh, stdout=self.stdout, today=today)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if result.created:
            self._ledger_and_scores(result.committee, seed, result.calendar)
        self.stdout.write(demo.format_summary(result))

    def _ledger_and_scores(self, committee, seed, calendar: demo.DemoCalendar):
        """The assessed year (the last complete one) and the current year up to today:
        proposals and opinion reports through their workflows (their services write the
        ledger), the other duties as generated ledger entries; then the assessed year's
        scores."""
        today = calendar.today
        self.stdout.write(f"The demo's today is {today:%Y-%m-%d}: {calendar.assessed_year} "
                          f"is the assessed year, {calendar.current_year} is in progress.")
        for year in (calendar.assessed_year, calendar.current_year):
            self._year(committee, seed, year, today)
        from shixiao.assessment.defaults import default_rubric_text
        from shixiao.assessment.services import register_rubric, score_committee

        version = register_rubric(None, committee, default_rubric_text())
        scored = score_committee(None, committee, version, year=calendar.assessed_year)
        self.stdout.write(f"Registered the default rubric {version.rubric_id} and scored "
                          f"{len(scored.results)} members for {calendar.assessed_year}.")

    def _year(self, committee, seed: int, year: int, today: dt.date) -> None:
        from shixiao.ledger.demo import generate_year
        from shixiao.proposals import demo as proposals_demo
        from shixiao.reports import demo as reports_demo

        started = time.monotonic()
        proposals = proposals_demo.generate_year(committee, year, seed=seed, today=today)
        states = ", ".join(f"{state} {n}" for state, n in proposals["states"].items())
        self.stdout.write(f"Filed {proposals['proposals']} proposals for {year} through "
                          f"the workflow ({states}) in {time.monotonic() - started:.1f} s; "
                          f"unit1 … unit{proposals['unit_logins']}: one login per handling "
                          "unit.")
        started = time.monotonic()
        reports = reports_demo.generate_year(committee, year, seed=seed, today=today)
        adopted = ", ".join(f"{level} {n}" for level, n in reports["adoptions"].items())
        self.stdout.write(f"Wrote {reports['reports']} opinion reports for {year} (adopted: "
                          f"{adopted or 'none yet'}) in {time.monotonic() - started:.1f} s.")
        count = generate_year(committee, year, seed=seed, today=today)
        self.stdout.write(f"Recorded {count} other ledger entries for {year}.")
