"""Old-style .xls workbooks (Excel 97-2003), which many offices still keep, import through
the same preview, row errors and commit as .xlsx. The fixtures were written once with xlwt
(tests/fixtures/make_xls.py says how)."""

import datetime as dt
from pathlib import Path

import pytest

from shixiao.ledger.models import Entry
from shixiao.sheets.models import ImportBatch

from .test_sheets_import import (
    _assert_committed,
    preview,
    sign_in,
    upload,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def xls(name: str) -> bytes:
    data = (FIXTURES / name).read_bytes()
    assert data.startswith(b"\xd0\xcf\x11\xe0")  # an OLE2 (BIFF8) file, not a renamed .xlsx
    return data


def previewed(client, data: bytes, name: str) -> ImportBatch:
    response = upload(client, "attendance", data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


SAME_ROWS = [sign_in("张三"), sign_in("李四", "请假"),
             sign_in("张三", "迟到", 会议类型="常委会议", 会议日期="2024-04-02", 会议半天数=1)]


def test_an_xls_sign_in_sheet_previews_and_imports_exactly_like_the_xlsx(world, as_user):
    client = as_user(world.office)
    from_xlsx = preview(client, "attendance", SAME_ROWS, "签到表.xlsx")
    from_xls = previewed(client, xls("签到表.xls"), "签到表.xls")
    assert from_xls.errors == [] == from_xlsx.errors
    assert from_xls.rows == from_xlsx.rows
    _assert_committed(client, from_xls, "签到表.xls")
    entries = Entry.objects.filter(kind="attendance").order_by("id")
    assert [(e.membership_id, e.date, e.attrs["meeting"], e.attrs["state"],
             e.attrs.get("half_days")) for e in entries] == [
        (world.membership1.pk, dt.date(2024, 3, 5), "plenary", "attended", 4),
        (world.membership2.pk, dt.date(2024, 3, 5), "plenary", "leave", 0),
        (world.membership1.pk, dt.date(2024, 4, 2), "standing", "late", 1)]


def test_bad_rows_of_an_xls_file_are_named_by_row_and_column(world, as_user):
    client = as_user(world.office)
    batch = previewed(client, xls("签到表-错误.xls"), "签到表-错误.xls")
    assert {(e["row"], e["column"]) for e in batch.errors} == {(5, "会议日期"), (5, "姓名")}
    page = client.get(f"/sheets/batches/{batch.pk}/").content.decode()
    assert "No member named “王五”" in page and 'id="commit"' not in page


def test_merged_cells_in_an_xls_file_are_refused_naming_the_range(world, as_user):
    response = upload(as_user(world.office), "attendance", xls("签到表-合并.xls"), "合并.xls")
    assert response.status_code == 400
    assert "The sheet has merged cells (B2:B3)" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_upload_form_offers_xls_files(world, as_user):
    page = as_user(world.office).get("/sheets/import/attendance/").content.decode()
    assert "Excel file (.xlsx or .xls)" in page
    assert 'accept=".xlsx,.xls,' in page

