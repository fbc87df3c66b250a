"""Files that are not a readable table are refused at upload with a message naming the
problem, and nothing is stored: no preview, no records."""

import datetime as dt
import io
import zipfile

import pytest
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from shixiao.ledger.models import Entry
from shixiao.sheets import services
from shixiao.sheets.models import ImportBatch
from shixiao.sheets.workbook import SheetError

from .test_sheets_import import fill, sign_in, template, upload


@pytest.fixture(autouse=True)
def english_pages(settings):
    """These tests match the English source of the import messages; the Chinese catalogue
    is checked on its own (test_web_i18n). Pages follow LANGUAGE_CODE when a request names
    no language."""
    settings.LANGUAGE_CODE = "en"



def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _edit(data: bytes, change) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    change(wb["签到表"])
    return _save(wb)


def refused(client, data: bytes, name="签到.xlsx") -> str:
    response = upload(client, "attendance", data, name)
    assert response.status_code == 400
    assert not ImportBatch.objects.exists() and not Entry.objects.exists()
    return response.content.decode()


@pytest.fixture
def office(world, as_user):
    return as_user(world.office)


@pytest.fixture
def filled(office):
    return fill(template(office, "attendance"), "attendance", [sign_in("张三"), sign_in("李四")])


def test_a_file_that_is_not_a_workbook_is_refused(office):
    assert "This is not an Excel workbook (.xlsx or .xls)" in refused(
        office, "姓名,出席情况\n张三,出席".encode(), "签到.csv")


def test_a_damaged_xls_file_is_refused(office):
    page = refused(office, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "签到.xls")
    assert "could not be read as an Excel workbook" in page


def test_an_empty_file_is_refused(office, world):
    refused(office, b"")
    with pytest.raises(SheetError, match="The file is empty"):
        services.preview_import(world.office, "attendance", file_name="x.xlsx", data=b"")


def test_a_zip_that_is_no_workbook_is_refused(office):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert "could not be read as an Excel workbook" in refused(office, buffer.getvalue())


def test_the_data_must_be_on_the_named_sheet(office, filled):
    def rename(ws):
        ws.title = "Sheet1"
    page = refused(office, _edit(filled, rename))
    assert "no sheet named “签到表”" in page and "Sheet1" in page


def test_a_missing_required_header_is_named(office, filled):
    def drop_state(ws):
        ws.delete_cols([c.value for c in ws[1]].index("出席情况") + 1)
    assert "Missing column: 出席情况" in refused(office, _edit(filled, drop_state))


def test_an_unknown_header_is_named(office, filled):
    def add_column(ws):
        ws.cell(row=1, column=ws.max_column + 1, value="备注")
    page = refused(office, _edit(filled, add_column))
    assert "Unknown column “备注”" in page


def test_merged_cells_are_refused(office, filled):
    def merge(ws):
        ws.merge_cells("B2:B3")
    assert "merged cells (B2:B3)" in refused(office, _edit(filled, merge))


def test_a_formula_where_a_value_is_expected_is_refused(office, filled):
    def formula(ws):
        ws["C3"] = "=C2"
    assert "Cell C3 holds a formula" in refused(office, _edit(filled, formula))


def test_headers_without_rows_are_refused(office):
    assert "no data rows" in refused(office, template(office, "attendance"))


def test_a_sheet_without_headers_is_refused(office):
    wb = Workbook()
    wb.active.title = "签到表"
    assert "is empty" in refused(office, _save(wb))
    wb.active["A3"] = "张三"
    assert "Row 1 must hold the column headers" in refused(office, _save(wb))


def test_a_value_in_a_column_without_header_is_refused(office, filled):
    def stray(ws):
        ws.cell(row=2, column=ws.max_column + 2, value="多余")
    assert "has a value but its column has no header" in refused(office, _edit(filled, stray))


@override_settings(SHIXIAO_IMPORT_MAX_ROWS=3)
def test_more_rows_than_the_limit_are_refused(office):
    rows = [sign_in(name, 会议日期=dt.date(2024, 3, day))
            for day in (1, 2) for name in ("张三", "李四")]
    data = fill(template(office, "attendance"), "attendance", rows)
    assert "The sheet has 4 rows; at most 3" in refused(office, data)


@override_settings(SHIXIAO_IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused(office, filled):
    assert "too large" in refused(office, filled)


def test_the_refusal_keeps_the_upload_form_for_another_try(office):
    page = refused(office, b"not a workbook")
    assert 'name="file"' in page and 'role="alert"' in page


def test_header_variants_with_a_required_mark_are_accepted(office, filled):
    def mark(ws):
        for cell in ws[1]:
            if cell.value == "姓名":
                cell.value = "姓名*"
    response = upload(office, "attendance", _edit(filled, mark))
    assert response.status_code == 302
    assert ImportBatch.objects.get().errors == []


def test_an_id_number_typed_as_a_number_is_a_cell_error(office):
    data = fill(template(office, "members"), "members", [
        {"姓名": "赵六", "身份证号": 110101199201011238, "界别": "教育界",
         "开始日期": dt.date(2023, 1, 1)}])
    response = upload(office, "members", data)
    assert response.status_code == 302
    [error] = ImportBatch.objects.get().errors
    assert error["column"] == "身份证号" and "rounded" in error["message"]
