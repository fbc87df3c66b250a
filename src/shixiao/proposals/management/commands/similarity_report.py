import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shixiao.orgs.models import Committee
from shixiao.proposals.similarity_eval import demo_topics, evaluate


class Command(BaseCommand):
    help = ("Measure the similar-proposals panel (against the demo topics) and the unit "
            "suggestion (against the real assignments) on a demo committee's proposals.")

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, help="committee code, e.g. demo-city")
        parser.add_argument("--year", type=int, default=None,
                            help="the year to measure (default last year: the demo's "
                                 "assessed year when it was built today)")
        parser.add_argument("--seed", type=int, default=2026,
                            help="the seed the demo was generated with (default 2026)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, committee, year, seed, format, **options):
        year = year or timezone.localdate().year - 1
        found = Committee.objects.filter(code=committee).first()
        if found is None:
            raise CommandError(f"No committee with code {committee!r}.")
        topics = demo_topics(found, year, seed=seed)
        if not topics:
            raise CommandError(
                f"No proposal of {found.code} in {year} was filed by the demo generator with "
                f"seed {seed}, so there is no ground truth to measure against. Generate the "
                "demo with `shixiao demo-data` (and give the same --seed here).")
        result = evaluate(found, topics=topics, year=year)
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        sim, units = result["similar"], result["units"]
        self.stdout.write("\n".join([
            f"{found.code} {year}: {result['proposals']} proposals (drafts left out)",
            f"Similar proposals, same demo topic ({sim['clusters']} topics, "
            f"{sim['n']} queries): top-1 {sim['top1']:.1%}, top-3 {sim['top3']:.1%} "
            f"(chance {sim['chance_top1']:.1%})",
            f"Unit suggestion, against real assignments ({units['units']} units, "
            f"{units['n']} queries): top-1 {units['top1']:.1%}, top-3 {units['top3']:.1%} "
            f"(most frequent units: {units['baseline_top1']:.1%} / "
            f"{units['baseline_top3']:.1%})",
        ]))
