"""Sign-in sheets (签到表) and commendations (表彰): one ledger entry per row, recorded as
one change by ledger.services.record_entries (all or nothing)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shixiao.core.errors import DomainError
from shixiao.ledger import services as ledger
from shixiao.ledger.kinds import validate_attrs
from shixiao.ledger.models import Entry

from .. import vocab
from ..cells import Choice, Date, Number, Text
from .base import Column, CommitFailed, Context, Importer, Row, _service_message

SOURCE_TYPE = "sheets.importbatch"


def _item_message(exc: ValidationError, rows: list[Row]) -> str:
    """record_entries names an item by its position ("3.attrs.state"): say which row."""
    if not hasattr(exc, "error_dict"):
        return _service_message(exc)
    key, messages = next(iter(exc.message_dict.items()))
    position = key.split(".", 1)[0]
    if not position.isdigit() or not 0 < int(position) <= len(rows):
        return _service_message(exc)
    return _("Row %(row)s: %(message)s") % {"row": rows[int(position) - 1].number,
                                             "message": " ".join(messages)}


def _lookup_columns() -> tuple[Column, ...]:
    return (
        Column("name", "姓名", Text(60), required=True, note=gettext_lazy(
            "The member's full name, as registered.")),
        Column("id_tail", "身份证号后四位", Text(18), note=gettext_lazy(
            "Needed only when two members share the name: the last four characters of the "
            "ID number.")),
        Column("number", "委员编号", Text(20), note=gettext_lazy(
            "Or the member number, instead of the ID number's last four.")),
    )


class LedgerImporter(Importer):
    """Rows become ledger entries of `entry_kind`; `attrs(row)` gives each one's attributes
    and `identity(row)` what makes two entries the same act (refused twice)."""

    entry_kind = ""
    perms = ("ledger.add_entry",)
    #: Ledger attributes whose problems belong on a column of the sheet.
    attr_columns: dict[str, str] = {}

    def attrs(self, row: Row) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def identity(self, membership_id: int, day, attrs: dict) -> tuple:
        raise NotImplementedError  # pragma: no cover - abstract

    def check(self, ctx: Context, rows: list[Row]) -> None:
        for row in rows:
            self.not_future(ctx, row, "date")
            day = row.get("date") if row.ok("date") else None
            membership = self.member(ctx, row, "name", on=day, id_key="id_tail",
                                     number_key="number")
            self.check_row(ctx, row)
            if membership is None or day is None or row.errors:
                continue
            attrs = self.attrs(row)
            for name, problem in validate_attrs(self.entry_kind, attrs).items():
                row.error(self.attr_columns.get(name, ""), problem)
            row.resolved = {"membership": membership.pk, "attrs": attrs}
        done = [r for r in rows if r.resolved]
        self.duplicates(done, "name", lambda r: self.identity(
            r.resolved["membership"], r.get("date"), r.resolved["attrs"]),
            self.duplicate_message)
        self._refuse_recorded(ctx, done)

    def check_row(self, ctx: Context, row: Row) -> None:
        """Further checks of one row (kinds override)."""

    def _refuse_recorded(self, ctx: Context, rows: list[Row]) -> None:
        """The same act already in the ledger (an earlier import of the same sheet) is an
        error: importing it again would count it twice."""
        if not rows:
            return
        live = Entry.objects.filter(
            committee=ctx.committee, kind=self.entry_kind, superseded_by__isnull=True,
            membership_id__in={r.resolved["membership"] for r in rows},
            date__in={r.get("date") for r in rows})
        recorded = {self.identity(e.membership_id, e.date, e.attrs): e.pk for e in live}
        for row in rows:
            pk = recorded.get(self.identity(row.resolved["membership"], row.get("date"),
                                            row.resolved["attrs"]))
            if pk is not None:
                row.error("name", _("Already in the ledger (entry #%(id)s); it would count "
                                    "twice.") % {"id": pk})

    def commit(self, ctx: Context, rows: list[Row]) -> dict:
        members = ctx.members.by_pk
        items = [{"membership": members[row.resolved["membership"]], "kind": self.entry_kind,
                  "date": row.get("date"), "attrs": row.resolved["attrs"],
                  "source_type": SOURCE_TYPE, "source_id": str(ctx.batch.pk)}
                 for row in rows]
        try:
            created = ledger.record_entries(ctx.actor, items, reason=ctx.reason,
                                            label=ctx.batch.file_name)
        except ValidationError as exc:
            raise CommitFailed(_item_message(exc, rows)) from exc
        except (DomainError, PermissionDenied, Http404) as exc:
            raise CommitFailed(_service_message(exc)) from exc
        ids = [e.pk for e in created]
        return {"created": {"entries": ids}, "counts": {"entries": len(ids)}}


class AttendanceImporter(LedgerImporter):
    kind = "attendance"
    entry_kind = "attendance"
    label = gettext_lazy("Meeting sign-in sheets")
    sheet = "签到表"
    intro = gettext_lazy(
        "One row per member and meeting. Several meetings may share one sheet: each row "
        "names its meeting (type, date and, if there are several the same day, its name).")
    attr_columns = {"meeting": "meeting", "state": "state", "half_days": "half_days",
                    "half_days_total": "half_days_total"}
    duplicate_message = gettext_lazy("This member is already on row %(row)s for the same "
                                     "meeting.")
    columns = (
        Column("meeting_name", "会议名称", Text(100), note=gettext_lazy(
            "Optional, e.g. 十三届二次全会. Tells apart two meetings of one type on one day.")),
        Column("meeting", "会议类型", Choice(vocab.options(vocab.MEETING_LABELS),
                                           vocab.MEETING_ALIASES), required=True),
        Column("date", "会议日期", Date(), required=True, note=gettext_lazy(
            "The meeting's (first) day, e.g. 2024-03-05.")),
        Column("half_days_total", "会议半天数", Number(minimum=0, maximum=40), note=gettext_lazy(
            "How many half-days the meeting lasted (1 = a morning). The same on every row "
            "of a meeting.")),
        *_lookup_columns(),
        Column("state", "出席情况", Choice(vocab.options(vocab.STATE_LABELS),
                                          vocab.STATE_ALIASES), required=True),
        Column("half_days", "出席半天数", Number(minimum=0, maximum=40), note=gettext_lazy(
            "Half-days attended. Empty: the whole meeting if present (出席/迟到/早退), none if "
            "absent (请假/缺席). Required for 部分出席.")),
    )

    def check_row(self, ctx: Context, row: Row) -> None:
        total, attended = row.get("half_days_total"), row.get("half_days")
        if row.ok("state") and row.get("state") == "partial" and attended is None \
                and row.ok("half_days"):
            row.error("half_days", _("Say how many half-days were attended."))
        if total is not None and attended is not None and attended > total:
            row.error("half_days", _("More than the meeting's %(total)s half-days.")
                      % {"total": total})

    def check(self, ctx: Context, rows: list[Row]) -> None:
        super().check(ctx, rows)
        totals: dict = {}
        for row in rows:
            if not row.ok("meeting", "date", "half_days_total"):
                continue
            meeting = (row.get("meeting"), row.get("date"), row.get("meeting_name"))
            first = totals.setdefault(meeting, (row.number, row.get("half_days_total")))
            if first[1] != row.get("half_days_total"):
                row.error("half_days_total", _(
                    "Row %(row)s gives this meeting %(total)s half-days; every row of a "
                    "meeting must give the same.") % {"row": first[0], "total": first[1] or 0})

    def attrs(self, row: Row) -> dict:
        state, total = row.get("state"), row.get("half_days_total")
        attended = row.get("half_days")
        if attended is None and total is not None:
            attended = 0 if state in ("leave", "unexcused") else total
        ref = f"{row.get('meeting')}:{row.get('date').isoformat()}"
        if row.get("meeting_name"):
            ref += f":{row.get('meeting_name')}"
        attrs = {"meeting": row.get("meeting"), "state": state, "ref": ref}
        if attended is not None:
            attrs["half_days"] = attended
        if total is not None:
            attrs["half_days_total"] = total
        return attrs

    def identity(self, membership_id, day, attrs):
        return (membership_id, day, attrs.get("meeting"), attrs.get("ref"))


class CommendationImporter(LedgerImporter):
    kind = "commendations"
    entry_kind = "commendation"
    label = gettext_lazy("Commendations")
    sheet = "表彰"
    intro = gettext_lazy("One row per member commended: the honour's level, name and date.")
    attr_columns = {"level": "level", "title": "title"}
    duplicate_message = gettext_lazy("The same commendation as row %(row)s.")
    columns = (
        *_lookup_columns(),
        Column("level", "级别", Choice(vocab.options(vocab.LEVEL_LABELS),
                                       vocab.LEVEL_ALIASES), required=True),
        Column("title", "表彰名称", Text(200), required=True, note=gettext_lazy(
            "The honour, e.g. 优秀政协委员.")),
        Column("date", "表彰日期", Date(), required=True),
    )

    def attrs(self, row: Row) -> dict:
        return {"level": row.get("level"), "title": row.get("title")}

    def identity(self, membership_id, day, attrs):
        return (membership_id, day, attrs.get("level"), attrs.get("title"))
