"""Office staff import a meeting sign-in sheet in the browser: the template they download,
filled in with one bad row, is previewed with that row and cell marked and no way to import;
the corrected file imports, the ledger holds the attendance and one audit record names the
file."""

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shixiao.audit.models import AuditRecord
from shixiao.ledger.models import Entry
from shixiao.sheets.importers import IMPORTERS
from shixiao.sheets.models import ImportBatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KIND = "attendance"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A past day inside the fixture world's term, when both members held their seats.
MEETING = {"会议类型": "全体会议", "会议日期": dt.date(2025, 1, 10), "会议半天数": 4}
BAD_STATE = "到场了"


def filled(template: Path, rows: list[dict]) -> bytes:
    """The downloaded template with `rows` ({header: value}) typed under its headers."""
    wb = load_workbook(template)
    ws = wb[IMPORTERS[KIND].sheet]
    headers = [cell.value for cell in ws[1]]
    for row in rows:
        assert set(row) <= set(headers), set(row) - set(headers)
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(v, name: str, data: bytes) -> None:
    page = v.page
    page.set_input_files("form#upload input[name=file]",
                         files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    with page.expect_navigation():
        page.click("form#upload button[type=submit]")
    assert page.locator("#preview").is_visible(), page.url


def test_office_fixes_a_bad_row_and_imports_the_sign_in_sheet(world, visit, tmp_path):
    v = visit()
    v.log_in("office")
    v.goto(f"/sheets/import/{KIND}/")
    page = v.page
    with page.expect_download() as download:
        page.click(f"a[href$='/sheets/templates/{KIND}.xlsx']")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    rows = [{**MEETING, "姓名": "张三", "出席情况": "出席"},
            {**MEETING, "姓名": "李四", "出席情况": BAD_STATE}]
    upload(v, "一月全会签到.xlsx", filled(template, rows))
    bad = page.locator("#preview tr.row-error")
    assert bad.count() == 1
    assert bad.get_attribute("data-row") == "3", "the second data row is Excel row 3"
    cell = bad.locator("td.cell-error")
    assert cell.count() == 1
    assert BAD_STATE in cell.inner_text()
    reason = cell.locator(".reason").inner_text().strip()
    assert reason and BAD_STATE in reason, reason
    assert page.locator("#preview tr:not(.row-error) td.cell-error").count() == 0
    assert page.locator("#errors").is_visible()
    assert page.locator("#commit").count() == 0
    v.snap("bad-row")
    assert not Entry.objects.filter(kind="attendance").exists()

    rows[1]["出席情况"] = "请假"
    name = "一月全会签到（改）.xlsx"
    upload(v, name, filled(template, rows))
    assert page.locator("#preview tr.row-error").count() == 0
    with page.expect_navigation():
        page.click("#commit")
    assert page.locator("#result").is_visible()
    assert name in page.locator("ul.messages").inner_text()
    v.assert_clean()

    batch = ImportBatch.objects.get(file_name=name)
    assert batch.state == "committed"
    entries = Entry.objects.filter(kind="attendance").order_by("id")
    assert [(e.membership_id, e.date, e.attrs["meeting"], e.attrs["state"])
            for e in entries] == [
        (world.membership1.pk, MEETING["会议日期"], "plenary", "attended"),
        (world.membership2.pk, MEETING["会议日期"], "plenary", "leave")]
    assert {e.source_id for e in entries} == {str(batch.pk)}
    (audit,) = AuditRecord.objects.filter(object_type="sheets.importbatch",
                                          after__file_name=name)
    assert audit.after["state"] == "committed" and audit.after["sha256"] == batch.sha256
    assert audit.after["counts"] == {"entries": 2}
