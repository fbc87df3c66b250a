"""Excel exports: only rows in the user's scope, personal data masked for whoever may not
see it, Chinese headers on a frozen row, and an audit record of every export."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from shixiao.audit.models import AuditRecord
from shixiao.ledger import services as ledger
from shixiao.reports import services as rs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content)).active


def records(ws) -> list[dict]:
    headers = [c.value for c in ws[1]]
    return [dict(zip(headers, row, strict=True))
            for row in ws.iter_rows(min_row=2, values_only=True)]


def exports_audited(kind: str):
    return AuditRecord.objects.filter(object_type="sheets.export", object_id=kind)


# Members ------------------------------------------------------------------------------------

def test_office_export_of_members_shows_personal_data_in_full(world, as_user):
    ws = download(as_user(world.office), "/sheets/export/members.xlsx")
    assert ws.title == "委员名单" and ws.freeze_panes == "A2"
    rows = {r["姓名"]: r for r in records(ws)}
    assert set(rows) == {"张三", "李四"}, "only the office's own committee"
    assert rows["张三"]["身份证号"] == "110101199003091234"
    assert rows["张三"]["手机号"] == "13812345678"
    assert rows["张三"]["界别"] == "经济界" and rows["张三"]["专委会"] == "提案委员会"
    assert ws.column_dimensions["C"].width >= 18
    assert ws["C2"].number_format == "@"


def test_leader_export_of_members_masks_id_numbers_and_phones(world, as_user):
    ws = download(as_user(world.leader), "/sheets/export/members.xlsx")
    rows = {r["姓名"]: r for r in records(ws)}
    assert set(rows) == {"张三", "李四"}
    assert rows["张三"]["身份证号"] == "110101********1234"
    assert rows["张三"]["手机号"] == "138****5678"
    assert rows["李四"]["身份证号"] == "320102********4321"
    record = exports_audited("members").get()
    assert record.user == world.leader and record.after["rows"] == 2
    assert record.after["personal_data_masked"] is True


def test_special_committee_staff_export_only_their_members(world, as_user):
    ws = download(as_user(world.sc1_staff), "/sheets/export/members.xlsx")
    assert [r["姓名"] for r in records(ws)] == ["张三"]


def test_member_export_uses_the_member_list_filters_and_audits_them(world, as_user):
    ws = download(as_user(world.office), "/sheets/export/members.xlsx?q=李&role=member")
    assert [r["姓名"] for r in records(ws)] == ["李四"]
    record = exports_audited("members").get()
    assert record.after["filters"] == {"q": "李", "role": "member"}
    assert record.committee_id == world.committee.pk


@pytest.mark.parametrize("who", ["member1", "unit1_user"])
def test_users_without_the_export_permission_get_403(world, as_user, who):
    client = as_user(getattr(world, who))
    for kind in ("members", "ledger", "proposals", "reports", "units"):
        assert client.get(f"/sheets/export/{kind}.xlsx").status_code == 403
    assert not exports_audited("members").exists()


def test_an_unknown_export_is_404(world, as_user):
    assert as_user(world.office).get("/sheets/export/secrets.xlsx").status_code == 404


def test_auditors_export_every_committee_masked(world, as_user):
    ws = download(as_user(world.auditor), "/sheets/export/members.xlsx")
    rows = {r["姓名"]: r for r in records(ws)}
    assert set(rows) == {"张三", "李四", "王五"}
    assert rows["王五"]["身份证号"] == "440126********9876"


# Ledger, proposals, reports, units ----------------------------------------------------------

def test_ledger_export_follows_the_list_filters_and_scope(world, as_user):
    for membership, day in ((world.membership1, 5), (world.membership2, 6),
                            (world.membership_other, 7)):
        ledger.record_entry(world.admin, membership, kind="commendation",
                            date=dt.date(2024, 3, day), attrs={"level": "provincial"})
    client = as_user(world.office)
    response = client.get("/ledger/?format=xlsx&q=张")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.title == "履职记录"
    assert [(r["委员"], r["日期"]) for r in records(ws)] == [("张三", "2024-03-05")]
    ws = download(client, "/sheets/export/ledger.xlsx")
    assert {r["委员"] for r in records(ws)} == {"张三", "李四"}
    assert exports_audited("ledger").count() == 2


def test_proposals_export_uses_the_proposal_list_filters(world, as_user):
    from .test_sheets_import import commit as commit_batch
    from .test_sheets_import import preview

    client = as_user(world.office)
    batch = preview(client, "proposals", [
        {"标题": "甲提案", "正文": "内容", "第一提案人": "张三", "附议人": "李四",
         "提交日期": dt.date(2024, 1, 15)},
        {"标题": "乙提案", "正文": "内容", "第一提案人": "李四", "提交日期": dt.date(2025, 2, 1)}])
    assert commit_batch(client, batch).status_code == 302
    ws = download(client, "/sheets/export/proposals.xlsx?year=2024")
    assert ws.title == "提案"
    [row] = records(ws)
    assert row["标题"] == "甲提案" and row["第一提案人"] == "张三" and row["联名人"] == "李四"
    assert row["提交日期"] == "2024-01-15"
    assert len(records(download(client, "/sheets/export/proposals.xlsx"))) == 2
    assert records(download(as_user(world.office_other), "/sheets/export/proposals.xlsx")) == []


def test_proposals_export_speaks_the_pages_words_with_grade_and_ratings(world, as_user):
    from shixiao.proposals import services as ps

    from .proposals_kit import REPLY_ON, replied

    p = replied(world, code="B")
    ps.rate(world.member1, p, process="satisfied", result="basically",
            on=REPLY_ON + dt.timedelta(days=5))
    ws = download(as_user(world.office), "/sheets/export/proposals.xlsx")
    headers = [c.value for c in ws[1]]
    assert "附议人" not in headers
    assert headers[headers.index("第一提案人") + 1] == "联名人"
    assert headers[headers.index("答复日期") + 1:headers.index("答复日期") + 4] == [
        "办理结果等级", "办理过程评价", "办理结果评价"]
    [row] = records(ws)
    assert row["办理结果等级"].startswith("B ")
    assert (row["办理过程评价"], row["办理结果评价"]) == ("满意", "基本满意")


def test_reports_export_is_scoped(world, as_user):
    report = rs.create_draft(world.office, committee=world.committee, title="养老服务",
                             body="正文", authors=[world.membership1])
    rs.submit(world.office, report, on=dt.date(2024, 6, 1))
    ws = download(as_user(world.leader), "/sheets/export/reports.xlsx")
    assert [(r["标题"], r["作者"], r["提交日期"]) for r in records(ws)] == [
        ("养老服务", "张三", "2024-06-01")]
    assert records(download(as_user(world.office_other), "/sheets/export/reports.xlsx")) == []


def test_units_export_lists_the_committees_units(world, as_user):
    ws = download(as_user(world.office), "/sheets/export/units.xlsx")
    assert {(r["委员会"], r["名称"]) for r in records(ws)} == {
        ("示范市政协", "市教育局"), ("示范市政协", "市交通运输局")}
    ws = download(as_user(world.office_other), "/sheets/export/units.xlsx")
    assert {r["委员会"] for r in records(ws)} == {"邻市政协"}


def test_the_office_tools_page_links_every_export_and_import(world, as_user):
    page = as_user(world.office).get("/sheets/").content.decode()
    for kind in ("members", "ledger", "proposals", "reports", "units"):
        assert f"/sheets/export/{kind}.xlsx" in page
    for kind in ("members", "attendance", "proposals", "reports", "commendations"):
        assert f"/sheets/import/{kind}/" in page
    leader = as_user(world.leader).get("/sheets/").content.decode()
    assert "/sheets/export/members.xlsx" in leader and "/sheets/import/" not in leader
    assert as_user(world.member1).get("/sheets/").status_code == 403
