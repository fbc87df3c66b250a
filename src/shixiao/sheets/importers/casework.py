"""Proposals (提案) and opinion reports (社情民意信息) handed in on paper or kept in a
spreadsheet: each row becomes a draft submitted through its workflow's services, dated the
day it was handed in, so the authors' ledger entries land in the right period."""

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shixiao.proposals import services as ps
from shixiao.proposals.choices import AuthorRole, ProposerType
from shixiao.proposals.models import Proposal
from shixiao.reports import services as rs
from shixiao.reports.models import MAX_BODY_CHARS, OpinionReport

from .. import vocab
from ..cells import Choice, Date, Text, TextList
from .base import Column, Context, Importer, Row, at_row

_HINT_NOTE = gettext_lazy(
    "Members' full names. When two members share a name, add the last four digits of the ID "
    "number or the member number in brackets: 张伟（1234）.")


def _title_key(text: str) -> str:
    return "".join((text or "").split())


class CaseworkImporter(Importer):
    """Shared checks: dates, authors found on the day, titles not already filed."""

    model = None
    date_key = "submitted_on"

    def existing_titles(self, ctx: Context, years: set[int]) -> dict:  # pragma: no cover
        raise NotImplementedError

    def check(self, ctx: Context, rows: list[Row]) -> None:
        years = {r.get(self.date_key).year for r in rows if r.ok(self.date_key)}
        filed = self.existing_titles(ctx, years)
        for row in rows:
            self.not_future(ctx, row, self.date_key)
            day = row.get(self.date_key) if row.ok(self.date_key) else None
            authors = self.authors(ctx, row, day)
            self.check_row(ctx, row, day)
            if row.ok("title") and day is not None:
                pk = filed.get((_title_key(row.get("title")), day.year))
                if pk is not None:
                    row.error("title", _("Already filed this year with the same title (#%(id)s)."
                                         ) % {"id": pk})
            if not row.errors and authors is not None:
                row.resolved = {**row.resolved, "authors": [m.pk for m in authors]}
        self.duplicates(rows, "title", lambda r: _title_key(r.get("title")) or None,
                        _("The same title as row %(row)s."))

    def authors(self, ctx: Context, row: Row, day) -> list | None:  # pragma: no cover
        raise NotImplementedError

    def check_row(self, ctx: Context, row: Row, day) -> None:
        """Further checks of one row (kinds override)."""


class ProposalsImporter(CaseworkImporter):
    kind = "proposals"
    label = gettext_lazy("Proposals")
    sheet = "提案"
    perms = ("proposals.add_proposal", "proposals.manage_proposal")
    intro = gettext_lazy(
        "One row per proposal. Each is filed for its authors and submitted on the date given; "
        "the co-signers' signatures are taken as given on paper. A proposal with co-signers "
        "is a joint one.")
    columns = (
        Column("title", "标题", Text(200), required=True),
        Column("body", "正文", Text(), required=True, note=gettext_lazy(
            "The proposal's full text (case, analysis and suggestions).")),
        Column("category", "类别", Choice(vocab.CATEGORIES, vocab.CATEGORY_ALIASES),
               default="between_sessions", note=gettext_lazy("平时提案 if left empty.")),
        Column("first_author", "第一提案人", Text(80), required=True, note=_HINT_NOTE),
        Column("co_signers", "附议人", TextList(), note=format_lazy(
            "{} {}", gettext_lazy("Co-signers, separated by 、 or commas."), _HINT_NOTE)),
        Column("submitted_on", "提交日期", Date(), required=True),
    )

    def existing_titles(self, ctx, years):
        return {(_title_key(title), year): pk for pk, title, year in Proposal.objects.filter(
            committee=ctx.committee, year__in=years).values_list("pk", "title", "year")}

    def authors(self, ctx, row, day):
        first = None
        if row.ok("first_author"):
            try:
                first = ctx.members.find_hinted(row.get("first_author"), on=day)
            except LookupError as exc:
                row.error("first_author", str(exc))
        co_signers = self.members(ctx, row, "co_signers", on=day)
        if first is None or co_signers is None:
            return None
        if first.pk in {m.pk for m in co_signers}:
            row.error("co_signers", _("The first author cannot also co-sign."))
            return None
        return [first, *co_signers]

    def check_row(self, ctx, row, day):
        if day is not None and ctx.term_on(day) is None:
            row.error(self.date_key, _("No term of this committee covers %(date)s.")
                      % {"date": day})

    def commit(self, ctx: Context, rows: list[Row]) -> dict:
        members = ctx.members.by_pk
        created = []
        for row in rows:
            authors = [members[pk] for pk in row.resolved["authors"]]
            day = row.get("submitted_on")
            created.append(at_row(row, lambda a=authors, d=day, r=row: self._file(ctx, r, a, d)))
        return {"created": {"proposals": created}, "counts": {"proposals": len(created)}}

    @staticmethod
    def _file(ctx: Context, row: Row, authors: list, day) -> int:
        kind = ProposerType.JOINT if len(authors) > 1 else ProposerType.INDIVIDUAL
        proposal = ps.create_draft(
            ctx.actor, committee=ctx.committee, term=ctx.term_on(day), title=row.get("title"),
            body=row.get("body"), category=row.get("category") or "between_sessions",
            proposer_type=kind, authors=authors, on=day)
        for author in proposal.authors.filter(role=AuthorRole.CO_SIGNER):
            ps.confirm_co_signature(ctx.actor, proposal, author=author, on=day)
        ps.submit(ctx.actor, proposal, on=day)
        return proposal.pk


class ReportsImporter(CaseworkImporter):
    kind = "reports"
    label = gettext_lazy("Opinion reports")
    sheet = "社情民意"
    perms = ("reports.add_opinionreport", "reports.manage_opinionreport")

    @property
    def intro(self):
        return _("One row per opinion report, submitted on the date given. The text may have "
                 "at most %(max)s characters, spaces not counted.") % {"max": MAX_BODY_CHARS}

    columns = (
        Column("title", "标题", Text(200), required=True),
        Column("body", "正文", Text(), required=True),
        Column("authors", "作者", TextList(), required=True, note=format_lazy(
            "{} {}", gettext_lazy("The first author first, separated by 、 or commas."),
            _HINT_NOTE)),
        Column("submitted_on", "提交日期", Date(), required=True),
    )

    def existing_titles(self, ctx, years):
        rows = OpinionReport.objects.filter(
            committee=ctx.committee, submitted_on__year__in=years).values_list(
            "pk", "title", "submitted_on")
        return {(_title_key(title), day.year): pk for pk, title, day in rows}

    def authors(self, ctx, row, day):
        found = self.members(ctx, row, "authors", on=day)
        if found is not None and not found:
            row.error("authors", _("Name at least one author."))
            return None
        return found

    def check_row(self, ctx, row, day):
        if row.ok("body"):
            length = rs.body_length(row.get("body"))
            if length > MAX_BODY_CHARS:
                row.error("body", _("The text has %(length)s characters; a report may have at "
                                    "most %(max)s. Shorten it by %(over)s.")
                          % {"length": length, "max": MAX_BODY_CHARS,
                             "over": length - MAX_BODY_CHARS})

    def commit(self, ctx: Context, rows: list[Row]) -> dict:
        members = ctx.members.by_pk
        created = []
        for row in rows:
            authors = [members[pk] for pk in row.resolved["authors"]]
            created.append(at_row(row, lambda a=authors, r=row: self._file(ctx, r, a)))
        return {"created": {"reports": created}, "counts": {"reports": len(created)}}

    @staticmethod
    def _file(ctx: Context, row: Row, authors: list) -> int:
        report = rs.create_draft(ctx.actor, committee=ctx.committee, title=row.get("title"),
                                 body=row.get("body"), authors=authors, reason=ctx.reason)
        rs.submit(ctx.actor, report, on=row.get("submitted_on"), reason=ctx.reason)
        return report.pk
