"""`shixiao proposals stats`: a committee's proposal handling metrics (docs/metrics.md) as
JSON or a table, computed by the same code as the API's /proposals/stats."""

import argparse
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shixiao.orgs.models import Committee
from shixiao.proposals import metrics
from shixiao.proposals.models import Proposal


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a date (YYYY-MM-DD): %(value)r") % {"value": value}) from None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(_("not a whole number of 1 or more: %(value)r")
                                         % {"value": value})
    return int(value)


class Command(BaseCommand):
    help = ("Proposal handling metrics. `proposals stats --committee CODE [--year Y] "
            "[--as-of DATE] [--format json|table]` prints the reply rate, fulfilment per "
            "follow-up horizon, satisfaction next to fulfilment, open deadlines by colour, "
            "and units ranked by fulfilment (definitions: docs/metrics.md).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        stats = sub.add_parser("stats", help="print a committee's proposal metrics")
        stats.add_argument("--committee", required=True, metavar="CODE",
                           help="the committee's code")
        stats.add_argument("--year", type=int, help="the proposals' year (default: all)")
        stats.add_argument("--as-of", dest="as_of", type=_date, metavar="DATE",
                           help="count what was due and done by this day (default: today)")
        stats.add_argument("--format", choices=("table", "json"), default="table")
        stats.add_argument("--min-sample", dest="min_sample", type=_positive,
                           default=metrics.MIN_RANK_SAMPLE, metavar="N",
                           help="due items a unit needs to be ranked (default: %(default)s)")

    def handle(self, *args, action, **options):
        if action == "stats":
            committee = Committee.objects.filter(code=options["committee"]).first()
            if committee is None:
                raise CommandError(_("no committee with code %(code)r")
                                   % {"code": options["committee"]})
            # The command line is the deployment itself: it reads the whole committee.
            result = metrics.stats(Proposal.objects.all(), committee=committee,
                                   year=options["year"], as_of=options["as_of"],
                                   min_rank_sample=options["min_sample"])
            if options["format"] == "json":
                self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            else:
                self.stdout.write(table(result, committee))


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _share(part: int, whole: int, value) -> str:
    return f"{part}/{whole} {_pct(value)}"


def table(result: dict, committee) -> str:
    """The metrics as plain text for a terminal; satisfaction is printed on the same line
    as the fulfilment it must be read with."""
    overall = result["overall"]
    reply, fulfilment, sat = overall["reply"], overall["fulfilment"], overall["satisfaction"]
    year = result["year"] if result["year"] is not None else _("all years")
    lines = [
        f"{committee.name} ({committee.code}) · {year} · " + _("as of %(date)s")
        % {"date": result["as_of"]},
        _("Registered %(n)s, assigned %(a)s") % {"n": overall["proposals"],
                                                 "a": overall["assigned"]},
        "",
        _("Reply rate (办复率)") + f"  {_share(reply['replied'], reply['due'], reply['rate'])}"
        + "  " + _("on time") + f" {_share(reply['on_time'], reply['due'],
                                           reply['on_time_rate'])}"
        + "  " + _("overdue, unanswered") + f" {reply['overdue_unreplied']}"
        + "  " + _("not yet due") + f" {reply['not_yet_due']}",
    ]
    for months, t in [*fulfilment["by_horizon"].items(), ("latest", fulfilment["latest"])]:
        label = _("latest review") if months == "latest" else _("%(m)s months") % {"m": months}
        lines.append(_("Fulfilment (办成率)") + f" {label}: "
                     + f"{_share(t['fulfilled'], t['due'], t['rate'])}  " + _("partly")
                     + f" {t['partly']}  " + _("not kept") + f" {t['unkept']}  "
                     + _("not reviewed") + f" {t['not_reviewed']}")
    lines.append(
        _("Satisfaction (满意率)") + "  " + _("process") + " "
        + _share(sat["process"]["satisfied"] + sat["process"]["basically"],
                 sat["process"]["due"], sat["process"]["rate"])
        + "  " + _("result") + " "
        + _share(sat["result"]["satisfied"] + sat["result"]["basically"],
                 sat["result"]["due"], sat["result"]["rate"])
        + "  " + _("not rated") + f" {sat['process']['not_rated']}"
        + "  | " + _("read with fulfilment (latest)") + " "
        + _pct(sat["fulfilment_alongside"]["latest"]))
    open_items = result["overdue"]["total"]
    lines.append(_("Open deadlines") + f"  {open_items['open']}  " + _("red")
                 + f" {open_items['red']}  " + _("yellow") + f" {open_items['yellow']}  "
                 + _("blue") + f" {open_items['blue']}")
    lines += ["", _("Handling units") + ": " + _("reply rate · on time · fulfilment (latest) "
                                                "· red/yellow/blue")]
    for unit in result["by_unit"]:
        r, f, o = unit["reply"], unit["fulfilment"]["latest"], unit["overdue"]["total"]
        lines.append(f"  {unit['name']}  {_share(r['replied'], r['due'], r['rate'])} · "
                     f"{_pct(r['on_time_rate'])} · {_share(f['fulfilled'], f['due'], f['rate'])}"
                     f" · {o['red']}/{o['yellow']}/{o['blue']}")
    ranking = result["unit_ranking"]
    lines += ["", _("Units ranked by fulfilment (at least %(n)s due items)")
              % {"n": ranking["min_sample"]}]
    lines += [f"  {e['rank']}. {e['name']}  {_share(e['fulfilled'], e['due'], e['rate'])}"
              for e in ranking["ranked"]] or ["  " + _("none")]
    if ranking["too_few_to_rank"]:
        lines.append(_("Too few to rank") + ": " + "、".join(
            f"{e['name']} ({e['due']})" for e in ranking["too_few_to_rank"]))
    return "\n".join(lines)
