"""The two Word documents: a member's annual duty report (履职报告) and a committee's annual
summary. Data comes from `gather` (already scoped to the viewer); words are translated
here; charts and layout come from the pure `charts` and `docx_builder` modules.

Each document's title is the official document name in Chinese, whatever the reader's
interface language: it is filed as a committee paper, like the rubric's own labels."""

from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shixiao.assessment import display
from shixiao.assessment.decimals import text as number_text
from shixiao.assessment.notes import translate as engine_note

from . import charts
from .docx_builder import Bullets, Heading, KeyValues, Paragraph, Picture, Table, build
from .gather import CommitteeYear, MemberYear, category_averages, grade_counts
from .labels import KINDS, describe_entry

DASH = "—"


def _points(value) -> str:
    return number_text(Decimal(str(value)))


def _date(value) -> str:
    return date_format(value, "Y-m-d") if value else DASH


def _generated() -> str:
    return _("Generated on %(date)s") % {"date": _date(timezone.localdate())}


def _grade_labels(rubric) -> dict[str, str]:
    return display.grade_labels(rubric)


def _source(publication, run) -> str:
    if publication is not None:
        return _("From the published assessment, version %(number)s, published on "
                 "%(date)s.") % {"number": publication.number,
                                 "date": _date(timezone.localtime(publication.published_at))}
    if run is not None:
        return _("Not yet published: from the scoring run as of %(date)s. The published "
                 "result may differ.") % {"date": _date(run.as_of)}
    return _("No score has been computed for this year yet.")


# --- member report ---------------------------------------------------------------------------

def member_report(data: MemberYear) -> bytes:
    m = data.membership
    blocks = [Heading(_("Membership"))]
    blocks.append(KeyValues([
        (_("Committee"), m.committee.name),
        (_("Term"), str(m.term)),
        (_("Role"), m.get_role_display()),
        (_("Sector"), m.sector.name),
        (_("Special committees"), "、".join(sc.name for sc in m.special_committees.all())
         or DASH),
        (_("Groups"), "、".join(g.name for g in m.groups.all()) or DASH),
        (_("Seat held"), f"{_date(m.start)} – {_date(m.end) if m.end else ''}".strip()),
    ]))
    blocks += _score_blocks(data)
    blocks += [Heading(_("Recorded duty acts by month")),
               Picture(charts.bar_chart(
                   [str(month) for month in range(1, 13)], data.months,
                   title=_("Duty acts recorded per month, %(year)s") % {"year": data.year},
                   integer=True)),
               Paragraph(_("Each ledger entry in force counts once in the month of the act, "
                           "whether or not the rubric scores it."), note=True)]
    blocks += _proposal_blocks(data) + _report_blocks(data) + _open_blocks(data)
    blocks.append(Paragraph(_("This report leaves out personal data such as ID numbers and "
                              "phone numbers."), note=True))
    title = f"{m.person.name} {data.year}年度委员履职报告"
    return build(title, [m.committee.name, _generated()], blocks,
                 author=m.committee.name)


def _score_blocks(data: MemberYear) -> list:
    shown = data.score
    blocks = [Heading(_("Score")),
              Paragraph(_source(shown.publication if shown else None,
                                shown.run if shown else None))]
    if shown is None:
        return blocks
    explanation, grades = shown.explanation, _grade_labels(data.rubric)
    facts = [(_("Total"), _points(shown.total)),
             (_("Grade"), grades.get(shown.grade, shown.grade) or DASH)]
    by_score = explanation.get("grade_by_score")
    if by_score and by_score != shown.grade:
        facts.append((_("Grade by points alone"), grades.get(by_score, by_score)))
    if data.rubric:
        facts.append((_("Rubric"), " ".join(filter(None, [display.label(data.rubric.label),
                                                         data.rubric.version]))))
    facts.append((_("Counted as of"), _date(shown.run.as_of)))
    blocks.append(KeyValues(facts))
    subtotals = explanation.get("categories", []) + explanation.get("pools", [])
    if subtotals:
        blocks += [Heading(_("Points by category"), 2),
                   Table([_("Category"), _("Points"), _("Notes")],
                         [[display.item(s), _points(s["points"]),
                           _notes(s)] for s in subtotals],
                         (7, 2.5, 7.1))]
        categories = explanation.get("categories", [])
        blocks.append(Picture(charts.bar_chart(
            [display.item(c) for c in categories],
            [float(c["points"]) for c in categories],
            title=_("Points by category"), value_label=_("points"), horizontal=True)))
    blocks += _gate_blocks(explanation, data.rubric)
    blocks += [Heading(_("How the score was reached"), 2),
               Paragraph(_("Each line is one rule of the rubric, with the ledger entries "
                           "it counted."), note=True)]
    lines = explanation.get("lines", [])
    category_labels = {c["id"]: display.item(c) for c in explanation.get("categories", [])}
    if lines:
        blocks.append(Table(
            [_("Rule"), _("Category"), _("Points"), _("Notes"), _("Entries behind it")],
            [[display.item(line, "rule"),
              category_labels.get(line.get("category"), line.get("category") or ""),
              _points(line["points"]), _notes(line),
              "\n".join(_entry_text(data, e) for e in line.get("entries", [])) or DASH]
             for line in lines],
            (3.6, 2.6, 1.6, 3.4, 5.4)))
    else:
        blocks.append(Paragraph(_("No rule gave or took points this year.")))
    return blocks


def _notes(part: dict) -> str:
    return "；".join(engine_note(n) for n in part.get("notes", []))


def _entry_text(data: MemberYear, entry_id) -> str:
    entry = data.entries.get(str(entry_id))
    if entry is None:
        return _("entry #%(id)s") % {"id": entry_id}
    return describe_entry(entry, data.titles)


def _gate_blocks(explanation: dict, rubric) -> list:
    items = []
    for gate in explanation.get("gates", []):
        state = _("met") if gate.get("passed") else _("not met")
        items.append(f"{display.item(gate)}: {state}")
    consequences = display.consequence_labels(rubric)
    items += [_("Consequence: %(what)s") % {"what": consequences.get(c, c)}
              for c in explanation.get("consequences", [])]
    items += [engine_note(n) for n in explanation.get("notes", [])]
    return [Heading(_("Minimum requirements and notes"), 2), Bullets(items)] if items else []


def _proposal_blocks(data: MemberYear) -> list:
    blocks = [Heading(_("Proposals of the year"))]
    if not data.proposals:
        return blocks + [Paragraph(_("No proposals this year."))]
    return blocks + [Table(
        [_("Number"), _("Title"), _("Role"), _("State"), _("Reply"), _("Verified outcome")],
        [[row.proposal.display_number or DASH, row.proposal.title, row.role,
          row.proposal.get_state_display(), row.reply_grade or DASH,
          row.proposal.get_outcome_display() if row.proposal.outcome else DASH]
         for row in data.proposals],
        (2.2, 5.2, 2.2, 2.4, 2.4, 2.2))]


def _report_outcome(report) -> str:
    parts = [_("adopted · %(level)s") % {"level": a.get_level_display()}
             for a in report.adoptions.all()]
    parts += [_("endorsed · %(level)s") % {"level": e.get_level_display()}
              for e in report.endorsements.all()]
    return "；".join(parts) or DASH


def _report_blocks(data: MemberYear) -> list:
    blocks = [Heading(_("Opinion reports of the year"))]
    if not data.reports:
        return blocks + [Paragraph(_("No opinion reports this year."))]
    return blocks + [Table(
        [_("Title"), _("Role"), _("State"), _("Submitted on"), _("Outcome")],
        [[row.report.title, row.role, row.report.get_state_display(),
          _date(row.report.submitted_on), _report_outcome(row.report)]
         for row in data.reports],
        (5.6, 2.2, 2.4, 2.4, 4))]


def _open_blocks(data: MemberYear) -> list:
    items = []
    for row in data.open_proposals:
        p = row.proposal
        waiting = _open_proposal_text(p, row.pending_follow_ups)
        items.append(f"{_('Proposal')}《{p.title}》: {waiting}")
    for row in data.open_reports:
        r = row.report
        waiting = (_("sent upward; adoption or endorsement may still come")
                   if r.state == "sent" else _("with the office (%(state)s)")
                   % {"state": r.get_state_display()})
        items.append(f"{_('Opinion report')}《{r.title}》: {waiting}")
    blocks = [Heading(_("Still open"))]
    if not items:
        return blocks + [Paragraph(_("Nothing is waiting for an outcome."))]
    return blocks + [
        Paragraph(_("These items can still earn or change points when their outcome is "
                    "recorded. A published result changes only when a new version is "
                    "published.")),
        Bullets(items)]


def _open_proposal_text(p, pending) -> str:
    state = p.state
    if state in ("submitted", "in_review"):
        return _("awaiting review")
    if state == "returned":
        return _("returned to the authors for editing")
    if state in ("registered", "assigned", "rehandling"):
        if p.reply_due:
            return _("awaiting the unit's reply (due %(date)s)") % {"date": _date(p.reply_due)}
        return _("awaiting the unit's reply")
    if pending:
        return _("follow-up review due %(date)s") % {"date": _date(pending[0])}
    return _("replied; awaiting rating and follow-up")


# --- committee summary -----------------------------------------------------------------------

def committee_summary(data: CommitteeYear, *, scope_note: str = "") -> bytes:
    results, rubric = data.results, data.rubric
    blocks = [Heading(_("Source")), Paragraph(_source(data.publication, data.run))]
    if scope_note:
        blocks.append(Paragraph(scope_note))
    blocks.append(KeyValues([
        (_("Members seated in the year"), str(data.members_in_scope)),
        (_("Members scored"), str(len(results))),
        (_("Members with at least one recorded act"), str(data.active_members)),
    ]))
    blocks += _grade_blocks(results, rubric) + _average_blocks(results, rubric)
    blocks += _participation_blocks(data) + _pipeline_blocks(data) + _notes_blocks(data)
    title = f"{data.committee.name} {data.year}年度委员履职考核汇总"
    return build(title, [_generated()], blocks, author=data.committee.name)


def _grade_blocks(results, rubric) -> list:
    blocks = [Heading(_("Grade distribution"))]
    counts = grade_counts(results, rubric)
    if not results:
        return blocks + [Paragraph(_("No member has been scored for this year."))]
    labels = _grade_labels(rubric)
    names = [labels.get(g, g) or _("no grade") for g, _n in counts]
    blocks.append(Table([_("Grade"), _("Members"), _("Share")],
                        [[name, str(n), f"{100 * n / len(results):.0f}%"]
                         for name, (_g, n) in zip(names, counts, strict=True)],
                        (8, 4, 4.6)))
    blocks.append(Picture(charts.bar_chart(
        names, [n for _g, n in counts], title=_("Members per grade"),
        value_label=_("members"), horizontal=True, integer=True)))
    return blocks


def _average_blocks(results, rubric) -> list:
    averages = category_averages(results, rubric)
    if not averages:
        return []
    return [Heading(_("Average points by category")),
            Table([_("Category"), _("Average points")],
                  [[label, _points(value)] for label, value in averages], (10, 6.6)),
            Picture(charts.bar_chart([label for label, _v in averages],
                                     [float(v) for _l, v in averages],
                                     title=_("Average points by category"),
                                     value_label=_("points"), horizontal=True))]


def _participation_blocks(data: CommitteeYear) -> list:
    blocks = [Heading(_("Participation")),
              Paragraph(_("Ledger entries in force for acts in the year, and how many members "
                          "each kind involves."), note=True)]
    if not data.participation:
        return blocks + [Paragraph(_("No duty acts are recorded for this year."))]
    return blocks + [Table([_("Kind"), _("Entries"), _("Members")],
                           [[str(KINDS.get(kind, kind)), str(n), str(members)]
                            for kind, n, members in data.participation], (8, 4, 4.6))]


def _pipeline_blocks(data: CommitteeYear) -> list:
    p, r = data.proposals, data.reports
    return [
        Heading(_("Proposals: from submission to verified effect")),
        Table([_("Stage"), _("Proposals")], [
            [_("Submitted"), str(p["submitted"])],
            [_("Registered"), str(p["registered"])],
            [_("Replied"), str(p["replied"])],
            [_("Outcome verified"), str(p["verified"])],
            [_("· fulfilled"), str(p["fulfilled"])],
            [_("· partly fulfilled"), str(p["partly"])],
            [_("· not kept"), str(p["unkept"])],
            [_("Not registered"), str(p["not_registered"])],
            [_("Merged into another"), str(p["merged"])],
            [_("Converted to an opinion report"), str(p["converted"])],
        ], (10, 6.6)),
        Heading(_("Opinion reports: from submission to use")),
        Table([_("Stage"), _("Reports")], [
            [_("Submitted"), str(r["submitted"])],
            [_("Edited"), str(r["edited"])],
            [_("Sent upward"), str(r["sent"])],
            [_("Adopted at some level"), str(r["adopted"])],
            [_("Endorsed by a leader"), str(r["endorsed"])],
            [_("Not used"), str(r["not_used"])],
        ], (10, 6.6)),
    ]


def _notes_blocks(data: CommitteeYear) -> list:
    notes = []
    failed: dict[str, int] = {}
    consequences: dict[str, int] = {}
    for result in data.results:
        for gate in result.get("gates", []):
            if not gate.get("passed"):
                label = display.item(gate)
                failed[label] = failed.get(label, 0) + 1
        for c in result.get("consequences", []):
            consequences[c] = consequences.get(c, 0) + 1
    for label, n in failed.items():
        notes.append(ngettext("%(n)s member did not meet “%(gate)s”.",
                              "%(n)s members did not meet “%(gate)s”.", n)
                     % {"n": n, "gate": label})
    names = display.consequence_labels(data.rubric)
    for c, n in consequences.items():
        notes.append(ngettext("%(n)s member is due: %(what)s.",
                              "%(n)s members are due: %(what)s.", n)
                     % {"n": n, "what": names.get(c, c)})
    if data.publication is None and data.run is not None:
        notes.append(_("This year's assessment is not published yet."))
    notes.append(_("Members are not ranked by points: the summary shows distributions "
                   "only. Each member's own report explains their score."))
    return [Heading(_("Notes")), Bullets(notes)]
