"""The import preview of the widest sheet (members), long and with bad cells, on a 1366 px
laptop screen: the table scrolls inside its own box, whose sideways scrollbar is on screen
(not below the last of many rows), so its last column can be reached; no value is cut off;
the page itself does not run off the side."""

import datetime as dt

import pytest
from django.test import Client

from ..test_sheets_import import preview

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}


def test_members_preview_last_column_is_reachable_at_1366_px(world, visit):
    client = Client()
    client.force_login(world.office)
    row = {"姓名": "赵六", "性别": "女", "身份证号": "110101199201011230",  # bad check digit
           "手机号": "13900001111", "界别": "教育界", "开始日期": dt.date(2023, 1, 1),
           "工作单位及职务": "示范市某某区某某街道社区卫生服务中心主任、副主任医师" * 2}
    rows = [row | {"姓名": f"委员{n}"} for n in range(60)]
    batch = preview(client, "members", rows, "新委员.xlsx")
    v = visit(viewport=LAPTOP)
    v.log_in("office")
    v.goto(f"/sheets/batches/{batch.pk}/")
    page = v.page
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"], (
        "the page scrolls sideways instead of the table")
    wrap = page.locator(".preview-wrap")
    wrap.evaluate("el => el.scrollIntoView({block: 'start'})")
    frame = wrap.bounding_box()
    assert frame["y"] + frame["height"] <= LAPTOP["height"] + 1, (
        "the table's own sideways scrollbar is below the screen", frame)
    cut = page.evaluate("""() => [...document.querySelectorAll('#preview td')]
        .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent)""")
    assert cut == [], f"values cut off: {cut[:3]}"
    wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    last = page.locator("#preview thead th").last
    box = last.bounding_box()
    assert box and box["width"] > 0
    assert 0 <= box["x"] and box["x"] + box["width"] <= LAPTOP["width"] + 1, box
    # Nothing covers it or clips it: the point at its centre belongs to it.
    hit = page.evaluate("""(b) => {
        const el = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
        return el && el.closest('#preview thead th:last-child') !== null;
    }""", box)
    assert hit, "the last column is clipped"
    v.snap("scrolled")
