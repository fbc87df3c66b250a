import argparse
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shixiao.assessment import cli
from shixiao.assessment.rubric import check, load
from shixiao.assessment.services import register_rubric, score_committee
from shixiao.core.textfiles import UndecodableText, decode
from shixiao.orgs.models import Committee


class Command(BaseCommand):
    help = ("Score members under a rubric: a ledger file (--ledger, no database) or a "
            "committee's ledger in the database (--committee and --year; results stored).")

    def add_arguments(self, parser):
        parser.add_argument("--rubric", required=True, metavar="FILE")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--ledger", metavar="FILE", help="a ledger file (YAML or CSV)")
        source.add_argument("--committee", metavar="CODE", help="a committee's code")
        parser.add_argument("--year", type=int, help="the year to score (database mode)")
        parser.add_argument("--as-of", dest="as_of", type=cli._date, metavar="DATE")
        parser.add_argument("--history", metavar="FILE")
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
        parser.add_argument("--strict", action="store_true",
                            help="ledger-file mode: treat rubric warnings as errors (the "
                                 "database's ledger always refuses them)")
        parser.add_argument("--no-store", action="store_true",
                            help="database mode: compute and print without storing")

    def handle(self, *args, **options):
        # The shared CLI code prints whole lines itself.
        self.stdout.ending = self.stderr.ending = ""
        if options["ledger"]:
            ns = argparse.Namespace(rubric=options["rubric"], ledger=options["ledger"],
                                    as_of=options["as_of"], history=options["history"],
                                    format=options["format"], strict=options["strict"])
            status = cli.score_files(ns, self.stdout)
            if status:
                sys.exit(status)
            return
        if not options["year"]:
            raise CommandError("--year is required with --committee")
        committee = Committee.objects.filter(code=options["committee"]).first()
        if committee is None:
            raise CommandError(f"no committee with code {options['committee']!r}")
        try:
            text = decode(Path(options["rubric"]).read_bytes())
        except OSError as exc:
            raise CommandError(f"{options['rubric']}: cannot read: {exc.strerror}") from exc
        except UndecodableText as exc:
            raise CommandError(exc.format(options["rubric"])) from exc
        # The database's entries carry only the ledger's vocabulary, so a warning here is a
        # rule that would never match: refused as an error.
        errors, warnings = check(text)
        if errors or warnings:
            for error in errors + warnings:
                self.stderr.write(error.format(options["rubric"]) + "\n")
            sys.exit(1)
        version = register_rubric(None, committee, text)
        scored = score_committee(None, committee, version, year=options["year"],
                                 as_of=options["as_of"], store=not options["no_store"])
        rubric = load(text)
        if options["format"] == "json":
            json.dump([r.to_dict() for r in scored.results], self.stdout, ensure_ascii=False,
                      indent=2)
            self.stdout.write("\n")
        elif options["format"] == "csv":
            cli.write_csv(rubric, scored.results, self.stdout)
        else:
            cli.write_table(rubric, scored.results, self.stdout)
        if scored.run is not None:
            self.stderr.write(f"stored as scoring run {scored.run.pk} "
                              f"({len(scored.results)} members, as of {scored.run.as_of})\n")
