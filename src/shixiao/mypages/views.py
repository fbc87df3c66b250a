"""A member's own pages, made for a phone: a summary, the duty record, the score with every
reason, and their proposals and reports.

Only members have these pages: every other role gets 403 (office staff, leaders and
auditors read a member's record through the member pages and duty reports; units take no
part in assessment). Everything is the user's own: `?membership=` naming anyone else's seat
is a 404, like one that does not exist.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from shixiao.proposals.queries import DeadlineClock

from . import casework, record, scoring
from .selection import Selection, select


def _docx_url(selection: Selection) -> str:
    """The Word duty report of the seat and year (built by the dossier app)."""
    m = selection.membership
    if m is None:
        return ""
    try:
        return reverse("dossier:member_report", args=[m.pk, selection.year])
    except NoReverseMatch:
        return f"/dossier/members/{m.pk}/{selection.year}.docx"


def _links(selection: Selection) -> dict[str, str]:
    """The four pages, keeping the chosen seat (and year, where a page has one)."""
    with_year = selection.query(year=selection.year) if selection.membership else ""
    return {"home": reverse("mypages:home") + with_year,
            "record": reverse("mypages:record") + with_year,
            "score": reverse("mypages:score") + with_year,
            "work": reverse("mypages:work") + selection.query()}


def _page(request, template: str, selection: Selection, section: str, **context):
    context.update(sel=selection, membership=selection.membership, year=selection.year,
                   section=section, docx_url=_docx_url(selection), links=_links(selection))
    return render(request, f"mypages/{template}", context)


@require_GET
@login_required
def home(request):
    """Summary: this year's score, what waits for the member, and coming deadlines."""
    sel = select(request)
    clock = DeadlineClock(sel.today)
    items = casework.open_items(request.user, sel.membership, clock)
    summary = scoring.member_score(request.user, sel.membership, sel.year, sel.today)
    return _page(request, "home.html", sel, "home", summary=summary,
                 mine=[i for i in items if i.mine],
                 deadlines=sorted((i for i in items if i.due and not i.mine),
                                  key=lambda i: i.due),
                 open_count=len(items))


@require_GET
@login_required
def record_page(request):
    """The year's acts, newest first, each with its outcome so far."""
    sel = select(request)
    acts = record.build(request.user, sel.membership, sel.year, DeadlineClock(sel.today))
    return _page(request, "record.html", sel, "record", months=record.by_month(acts),
                 act_count=len(acts))


@require_GET
@login_required
def score_page(request):
    """The year's score with every line's reason and what may still change it."""
    sel = select(request)
    view = scoring.member_score(request.user, sel.membership, sel.year, sel.today)
    items = casework.open_items(request.user, sel.membership, DeadlineClock(sel.today))
    return _page(request, "score.html", sel, "score", score=view, items=items)


@require_GET
@login_required
def work(request):
    """The member's proposals and reports in one list, drafts first."""
    sel = select(request)
    rows = casework.work_rows(request.user, sel.membership, DeadlineClock(sel.today))
    return _page(request, "work.html", sel, "work", rows=rows,
                 drafts=[r for r in rows if r.draft], others=[r for r in rows if not r.draft])
