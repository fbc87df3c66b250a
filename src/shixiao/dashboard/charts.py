"""What each dashboard chart shows, as plain data: every label is translated here, so the
browser script only draws (static/dashboard/dashboard.js). The same figures are laid out as
tables, the page's fallback without JavaScript and for screen readers.

Every chart is horizontal bars (long Chinese names stay readable on a phone), in one or
more grids; `percent` charts hold shares from 0 to 1 and `None` where nothing is due.
Definitions of the proposal figures: docs/metrics.md; of the charts: docs/dashboard.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from shixiao.core.choices import CommitteeLevel
from shixiao.deadlines.engine import Colour
from shixiao.deadlines.labels import COLOUR_LABELS
from shixiao.proposals import metrics

from .figures import GradeFigures, ProposalFigures, ReportFigures

#: Fill and border of each escalation colour: the deadlines app's badges
#: (deadlines/static/deadlines/deadlines.css: background, text colour).
ESCALATION_COLOURS = {
    "red": ("#fbdada", "#8c1414"),
    "yellow": ("#fff1c2", "#6b4b00"),
    "blue": ("#dce9f8", "#0b4a8b"),
}
STAGE = "#5b6b82"
FULFILLED, PARTLY, UNKEPT = "#2e7d32", "#c79100", "#8c1414"
REPLY = "#0b57a4"
#: Fulfilment at successive horizons, lighter to darker.
HORIZON_SHADES = ("#a5d6a7", "#66bb6a", "#2e7d32", "#1b5e20")
#: Satisfaction is drawn muted: it is saturated (near 100%) and never the headline.
SATISFACTION = "#9e9e9e"
MISSING = "—"


@dataclass
class Series:
    key: str
    name: str
    values: list
    colour: str
    border: str = ""
    item_colours: list[str] | None = None
    #: What the table and the tooltip say for each value (e.g. "75.0% (3/4)").
    texts: list[str] = field(default_factory=list)
    #: False for a column the table shows and the chart does not draw.
    draw: bool = True


@dataclass
class Grid:
    title: str
    categories: list[str]
    series: list[Series]


@dataclass
class Chart:
    id: str
    title: str
    definition: str
    grids: list[Grid]
    note: str = ""
    percent: bool = False
    stacked: bool = False
    empty: str = ""  # said instead of the chart when there is nothing to show
    wide: bool = False  # across the whole page on wide screens

    @property
    def has_data(self) -> bool:
        return any(g.categories for g in self.grids)

    def spec(self) -> dict:
        """What dashboard.js needs: the data, never the definitions or tables."""
        data = asdict(self)
        del data["definition"], data["note"], data["wide"]
        data["empty"] = "" if self.has_data else self.empty
        return data

    def tables(self) -> list[dict]:
        return [{"title": g.title,
                 "columns": [s.name for s in g.series],
                 "rows": [[category, *[_text(s, i, self.percent) for s in g.series]]
                          for i, category in enumerate(g.categories)]}
                for g in self.grids]


def _text(series: Series, index: int, percent: bool) -> str:
    if series.texts:
        return series.texts[index]
    return percent_text(series.values[index]) if percent else str(series.values[index])


def percent_text(value) -> str:
    return MISSING if value is None else f"{value * 100:.1f}%"


def _share(block: dict, part: str) -> str:
    """"75.0% (3/4)": a rate with its numerator and denominator, as docs/metrics.md asks."""
    return f"{percent_text(block['rate'])} ({block[part]}/{block['due']})"


# The charts ---------------------------------------------------------------------------------

def grades_chart(figures: GradeFigures) -> Chart:
    if figures.source == "published":
        p = figures.publication
        note = _("From the published assessment, version %(number)s (published %(date)s).") % {
            "number": p.number, "date": p.published_at.date().isoformat()}
    elif figures.source == "run":
        note = _("From the latest scoring run (as of %(as_of)s); not published yet.") % {
            "as_of": figures.run.as_of.isoformat()}
    else:
        note = ""
    categories = [label or _("No grade") for _gid, label, _n in figures.bands]
    counts = [n for _gid, _label, n in figures.bands]
    return Chart(
        id="chart-grades", title=_("Assessment grades"),
        definition=_("How many members are in each grade band. Counts only: no names and "
                     "no ranking of members."),
        note=note, empty=_("No member has been scored for this year yet."),
        grids=[Grid("", categories, [Series("members", _("Members"), counts, STAGE)])])


PIPELINE_STAGES = (
    ("submitted", STAGE), ("registered", STAGE), ("assigned", STAGE), ("replied", STAGE),
    ("rated", STAGE), ("reviewed", STAGE), ("fulfilled", FULFILLED), ("partly", PARTLY),
    ("unkept", UNKEPT),
)


def _stage_labels() -> dict[str, str]:
    return {
        "submitted": _("Submitted"),
        "registered": _("Registered"),
        "assigned": _("Assigned to a unit"),
        "replied": _("Replied"),
        "rated": _("Rated by an author"),
        "reviewed": _("Follow-up reviewed"),
        "fulfilled": _("Fulfilled (verified)"),
        "partly": _("Partly fulfilled"),
        "unkept": _("Not kept"),
    }


def pipeline_chart(figures: ProposalFigures, as_of: dt.date) -> Chart:
    labels = _stage_labels()
    counts = figures.pipeline
    has_any = counts.get("submitted", 0) > 0 or counts.get("registered", 0) > 0
    stages = PIPELINE_STAGES if has_any else ()
    return Chart(
        id="chart-pipeline", title=_("Proposals from submission to verified outcome"),
        wide=True,
        definition=_("The year's proposals that had reached each stage by %(date)s. "
                     "Outcomes are each proposal's latest follow-up finding; a reply is not "
                     "an outcome.") % {"date": as_of.isoformat()},
        empty=_("No proposal was submitted in this year."),
        grids=[Grid("", [labels[k] for k, _c in stages], [Series(
            "proposals", _("Proposals"), [counts[k] for k, _c in stages], STAGE,
            item_colours=[c for _k, c in stages])])])


def overdue_chart(figures: ProposalFigures) -> Chart:
    units = [u for u in figures.stats["by_unit"]
             if any(u["overdue"]["total"][c] for c in ESCALATION_COLOURS)]
    units.sort(key=lambda u: tuple(-u["overdue"]["total"][c] for c in ESCALATION_COLOURS)
               + (u["name"],))
    series = [Series(colour, str(COLOUR_LABELS[Colour(colour)]),
                     [u["overdue"]["total"][colour] for u in units], fill, border)
              for colour, (fill, border) in ESCALATION_COLOURS.items()]
    series.append(Series("open", _("Open in all"),
                         [u["overdue"]["total"]["open"] for u in units], "", draw=False))
    return Chart(
        id="chart-overdue", title=_("Overdue and urgent work by handling unit"), wide=True,
        definition=_("Open replies, co-handling opinions and follow-up reviews of the year's "
                     "proposals, by the colour the deadlines app gives them today: red is "
                     "overdue, yellow a warning, blue a reminder."),
        stacked=True, empty=_("No handling unit has work that is overdue or due soon."),
        grids=[Grid("", [u["name"] for u in units], series)])


def _group_label(group: dict, none_label: str) -> str:
    name = group["name"] or none_label
    if group["fulfilment"]["latest"]["due"] < metrics.MIN_RANK_SAMPLE:
        return _("%(name)s (sample under %(min)s)") % {"name": name,
                                                        "min": metrics.MIN_RANK_SAMPLE}
    return name


def _rates_grid(title: str, groups: list[dict], horizons: list[int], none_label: str) -> Grid:
    reply = [g["reply"] for g in groups]
    series = [Series("reply", _("Reply rate"), [b["rate"] for b in reply], REPLY,
                     texts=[_share(b, "replied") for b in reply])]
    for index, months in enumerate(horizons):
        blocks = [g["fulfilment"]["by_horizon"][str(months)] for g in groups]
        rates = [b["rate"] for b in blocks]
        # A horizon nothing has reached yet is a table column only; the first is always
        # drawn, so satisfaction never stands in the chart without fulfilment.
        series.append(Series(
            f"fulfilment_{months}", _("Fulfilled at %(months)s months") % {"months": months},
            rates, HORIZON_SHADES[min(index, len(HORIZON_SHADES) - 1)],
            texts=[_share(b, "fulfilled") for b in blocks],
            draw=index == 0 or any(r is not None for r in rates)))
    result = [g["satisfaction"]["result"] for g in groups]
    series.append(Series(
        "satisfaction", _("Satisfied with the result"), [b["rate"] for b in result],
        SATISFACTION,
        texts=[f"{percent_text(b['rate'])} ({b['satisfied'] + b['basically']}/{b['due']})"
               for b in result]))
    return Grid(title, [_group_label(g, none_label) for g in groups], series)


def rates_chart(figures: ProposalFigures) -> Chart:
    stats = figures.stats
    horizons = stats["horizons"]
    return Chart(
        id="chart-rates", title=_("Reply, fulfilment and satisfaction rates"),
        definition=_("Reply rate, fulfilment rate at each follow-up horizon and the share of "
                     "authors satisfied with the result, side by side: satisfaction is never "
                     "read without fulfilment. Late replies, unreviewed follow-ups and missing "
                     "ratings count as not done. Groups with fewer than %(min)s follow-ups "
                     "due are marked: their rates move a lot with one proposal.")
        % {"min": metrics.MIN_RANK_SAMPLE},
        percent=True, wide=True, empty=_("No proposal of this year is registered yet."),
        grids=[
            _rates_grid(_("By special committee"), stats["by_special_committee"], horizons,
                        _("No special committee")),
            _rates_grid(_("By sector"), figures.by_sector, horizons, _("No sector")),
        ])


def reports_chart(figures: ReportFigures) -> Chart:
    levels = {lv: str(CommitteeLevel(lv).label) for lv in figures.levels}
    items = [(_("Submitted"), figures.submitted, STAGE),
             (_("Adopted (any level)"), figures.adopted, FULFILLED)]
    items += [(_("Adopted: %(level)s") % {"level": levels[lv]}, figures.adopted_at[lv],
               HORIZON_SHADES[1]) for lv in figures.levels]
    items += [(_("Endorsed (any level)"), figures.endorsed, REPLY)]
    items += [(_("Endorsed: %(level)s") % {"level": levels[lv]}, figures.endorsed_at[lv],
               "#6f9fd8") for lv in figures.levels]
    if not figures.submitted:
        items = []
    return Chart(
        id="chart-reports", title=_("Opinion reports"),
        definition=_("Reports submitted in the year, and how many of them were adopted or "
                     "endorsed (批示) at each level; a report adopted by two bodies at one "
                     "level counts once there."),
        empty=_("No opinion report was submitted in this year."),
        grids=[Grid("", [i[0] for i in items], [Series(
            "reports", _("Reports"), [i[1] for i in items], STAGE,
            item_colours=[i[2] for i in items])])])
