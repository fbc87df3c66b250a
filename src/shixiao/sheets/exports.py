"""Lists as Excel files: the rows the user may see (`visible_to`), filtered as the list
page filters them, personal data masked as on screen, and an audit record of every export
(who, what, which filters, how many rows).

Headers are fixed Chinese, like the import templates; the file is a format, not a page."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook

from shixiao.audit import services as audit
from shixiao.orgs.models import HandlingUnit, Membership, can_see_personal_data

from . import vocab, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT = "sheets.export_sheet"


@dataclass
class Sheet:
    """What one export writes: its sheet title, headers and rows, and the filters used."""

    title: str
    headers: list[str]
    rows: list[list]
    filters: dict
    text_columns: tuple[str, ...] = ()
    masked: bool = False


def _filters(form) -> dict:
    return {name: form.data.get(name) for name in form.fields if form.data.get(name)}


def _d(day) -> str:
    return day.isoformat() if day else ""


# Members ------------------------------------------------------------------------------------

def members_sheet(user, params) -> Sheet:
    from shixiao.web.forms import MemberFilterForm

    form = MemberFilterForm(params, user=user)
    memberships = form.apply(
        Membership.objects.visible_to(user)
        .select_related("person", "committee", "term", "sector")
        .prefetch_related("special_committees", "groups"))
    genders, roles = dict(vocab.GENDERS), dict(vocab.ROLES)
    rows, masked = [], False
    for m in memberships:
        person = m.person
        masked = masked or not can_see_personal_data(user, person)
        rows.append([
            person.name, genders.get(person.gender, ""), person.masked("id_number", user),
            person.masked("phone", user), person.ethnicity, person.party, person.employer,
            m.committee.name, str(m.term), m.sector.name, roles.get(m.role, m.role),
            "、".join(sc.name for sc in m.special_committees.all()),
            "、".join(g.name for g in m.groups.all()), _d(m.start), _d(m.end), m.number,
        ])
    return Sheet(
        title="委员名单", filters=_filters(form), rows=rows, masked=masked,
        headers=["姓名", "性别", "身份证号", "手机号", "民族", "党派", "工作单位及职务",
                 "委员会", "届次", "界别", "角色", "专委会", "所在小组", "开始日期",
                 "结束日期", "委员编号"],
        text_columns=("身份证号", "手机号", "委员编号"))


# Ledger entries -----------------------------------------------------------------------------

def ledger_sheet(user, params) -> Sheet:
    from shixiao.ledger import labels
    from shixiao.ledger.forms import EntryFilterForm
    from shixiao.ledger.models import Entry
    from shixiao.ledger.sources import source_texts

    form = EntryFilterForm(params)
    entries = form.apply(Entry.objects.visible_to(user)).select_related(
        "membership__person", "committee", "recorded_by").order_by("date", "id")
    superseded = set(Entry.objects.filter(supersedes__in=entries.values("pk")).values_list(
        "supersedes_id", flat=True))
    entries = list(entries)
    sources = source_texts(user, entries)
    rows = [[
        _d(e.date), _d(e.effective), e.membership.person.name, e.committee.name,
        labels.kind_label(e.kind), labels.attributes_text(e.attrs),
        sources.get((e.source_type, e.source_id), (labels.source_label(e.source_type), ""))[0]
        if e.source_type else "",
        e.evidence, e.vouched_by,
        labels.reason_label(e.reason), "是" if e.pk in superseded else "", e.supersedes_id or "",
        (e.recorded_by.get_full_name() or e.recorded_by.username) if e.recorded_by else "",
        timezone.localtime(e.recorded_at).strftime("%Y-%m-%d %H:%M"), e.pk,
    ] for e in entries]
    return Sheet(title="履职记录", filters=_filters(form), rows=rows, headers=[
        "日期", "生效日期", "委员", "委员会", "类型", "属性", "来源", "证明材料", "证明人",
        "原因", "已被更正", "更正的记录", "记录人", "记录时间", "编号"])


# Proposals ----------------------------------------------------------------------------------

def proposals_sheet(user, params) -> Sheet:
    from shixiao.proposals import queries
    from shixiao.proposals.forms import ProposalFilterForm
    from shixiao.proposals.models import Proposal, ProposalAuthor

    form = ProposalFilterForm(params, user=user)
    authors = ProposalAuthor.objects.select_related("membership__person").order_by("rank", "id")
    proposals = list(form.apply(Proposal.objects.visible_to(user)).select_related("committee")
                     .prefetch_related(Prefetch("authors", queryset=authors))
                     .order_by("-year", "number", "id"))
    units = queries.live_assignments_by_lead(proposals)
    grades, ratings = _replies_and_ratings(user, proposals)
    categories = dict(vocab.CATEGORIES)
    rows = []
    for p in proposals:
        names = [a.membership.person.name for a in p.authors.all()]
        process, result = ratings.get(p.pk, ("", ""))
        rows.append([
            p.display_number, p.year, p.title, categories.get(p.category, p.category),
            str(p.get_proposer_type_display()), names[0] if names else p.collective_name,
            "、".join(names[1:]), str(p.get_state_display()), _d(p.submitted_on),
            _d(p.registered_on),
            "、".join(a.unit.name for a in units.get(p.merged_into_id or p.pk, [])),
            _d(p.reply_due), _d(p.replied_on), grades.get(p.pk, ""), process, result,
            "是" if p.is_key else "",
            str(p.get_outcome_display()) if p.outcome else "", _d(p.closed_on),
        ])
    # The pages' words: co-signers are 联名人; the grade and ratings as the detail page shows.
    return Sheet(title="提案", filters=_filters(form), rows=rows, headers=[
        "编号", "年度", "标题", "类别", "提案者类型", "第一提案人", "联名人", "状态",
        "提交日期", "立案日期", "承办单位", "答复期限", "答复日期", "办理结果等级",
        "办理过程评价", "办理结果评价", "重点提案", "核实结果", "办结日期"])


def _replies_and_ratings(user, proposals) -> tuple[dict, dict]:
    """Per proposal, the latest round's result grades (per unit when several replied) and
    the authors' satisfaction with the process and the result (per author when several
    rated), as far as `user` may see them: units never see ratings."""
    from shixiao.proposals.models import Rating, Reply

    ids = [p.pk for p in proposals]
    latest: dict[int, list] = {}
    for r in (Reply.objects.visible_to(user).filter(proposal_id__in=ids)
              .select_related("grade", "assignment__unit").order_by("round", "id")):
        rows = latest.setdefault(r.proposal_id, [])
        if rows and rows[0].round != r.round:
            rows.clear()
        rows.append(r)
    grades = {pid: _per_name([(r.assignment.unit.name, str(r.grade)) for r in rows])
              for pid, rows in latest.items()}
    rated: dict[int, list] = {}
    for r in (Rating.objects.visible_to(user).filter(proposal_id__in=ids)
              .select_related("author__membership__person").order_by("round", "id")):
        rows = rated.setdefault(r.proposal_id, [])
        if rows and rows[0].round != r.round:
            rows.clear()
        rows.append(r)
    ratings = {pid: (
        _per_name([(r.author.membership.person.name, str(r.get_process_display()))
                   for r in rows]),
        _per_name([(r.author.membership.person.name, str(r.get_result_display()))
                   for r in rows]),
    ) for pid, rows in rated.items()}
    return grades, ratings


def _per_name(pairs: list[tuple[str, str]]) -> str:
    """One value alone; several as 名称：值, so a sheet cell says whose it is."""
    if len(pairs) == 1:
        return pairs[0][1]
    return "；".join(f"{name}：{value}" for name, value in pairs)


# Opinion reports ----------------------------------------------------------------------------

def reports_sheet(user, params) -> Sheet:
    from shixiao.reports.forms import ReportFilterForm
    from shixiao.reports.models import OpinionReport, ReportAuthor

    form = ReportFilterForm(params)
    authors = ReportAuthor.objects.select_related("membership__person").order_by("rank")
    reports = (form.apply(OpinionReport.objects.visible_to(user)).select_related("committee")
               .prefetch_related(Prefetch("authors", queryset=authors), "adoptions",
                                 "endorsements"))
    levels = vocab.LEVEL_LABELS
    rows = [[
        r.title, "、".join(a.membership.person.name for a in r.authors.all()),
        str(r.get_state_display()), _d(r.submitted_on), _d(r.edited_on), _d(r.sent_on),
        "；".join(f"{levels.get(a.level, a.level)} {a.body}" for a in r.adoptions.all()),
        "；".join(f"{levels.get(e.level, e.level)} {e.leader}" for e in r.endorsements.all()),
    ] for r in reports]
    return Sheet(title="社情民意信息", filters=_filters(form), rows=rows, headers=[
        "标题", "作者", "状态", "提交日期", "编辑完成日期", "报送日期", "采用情况",
        "批示情况"])


# Handling units -----------------------------------------------------------------------------

def units_sheet(user, params) -> Sheet:
    units = HandlingUnit.objects.visible_to(user).select_related("committee")
    rows = [[u.committee.name, u.name, u.code, u.contact_phone] for u in units]
    return Sheet(title="承办单位", filters={}, rows=rows,
                 headers=["委员会", "名称", "代码", "联系电话"], text_columns=("联系电话",))


@dataclass(frozen=True)
class Export:
    build: Callable
    perm: str
    label: str


EXPORTS: dict[str, Export] = {
    "members": Export(members_sheet, "orgs.view_membership", "委员名单"),
    "ledger": Export(ledger_sheet, "ledger.view_entry", "履职记录"),
    "proposals": Export(proposals_sheet, "proposals.view_proposal", "提案"),
    "reports": Export(reports_sheet, "reports.view_opinionreport", "社情民意信息"),
    "units": Export(units_sheet, "orgs.view_handlingunit", "承办单位"),
}


def may_export(user, kind: str) -> bool:
    export = EXPORTS.get(kind)
    return export is not None and user.has_perm(EXPORT) and user.has_perm(export.perm)


def export_workbook(user, kind: str, params) -> tuple[Workbook, Sheet]:
    """The workbook of one export, after the permission checks, with its audit record."""
    export = EXPORTS.get(kind)
    if export is None:
        raise Http404(_("No such export."))
    if not may_export(user, kind):
        raise PermissionDenied(_("You do not have permission to do this."))
    sheet = export.build(user, params)
    wb = Workbook()
    workbook.write_table(wb.active, title=sheet.title, headers=sheet.headers, rows=sheet.rows,
                         text_columns=sheet.text_columns)
    wb.properties.title = sheet.title
    wb.properties.creator = "shixiao"
    with transaction.atomic():
        audit.record(user, audit.Action.EVENT, object_type="sheets.export", object_id=kind,
                     object_repr=_("Excel export: %(what)s") % {"what": sheet.title},
                     committee_id=getattr(user, "committee_id", None),
                     after={"export": kind, "filters": sheet.filters, "rows": len(sheet.rows),
                            "personal_data_masked": sheet.masked})
    return wb, sheet


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def export_response(user, kind: str, params) -> HttpResponse:
    wb, sheet = export_workbook(user, kind, params)
    name = f"{sheet.title}-{timezone.localdate().isoformat()}.xlsx"
    return xlsx_response(workbook.to_bytes(wb), name)
