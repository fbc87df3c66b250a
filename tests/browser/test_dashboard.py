"""A leader opens the dashboard, on a desktop and on a phone, and every chart is drawn: each
container holds a canvas or an SVG of non-zero size with something painted on it, the page
logs no error, and on the phone it does not scroll sideways."""

import io

import pytest
from django.core.management import call_command

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-grades", "chart-pipeline", "chart-overdue", "chart-rates", "chart-reports")

# Whether the container's canvas or SVG has a size and something drawn: a canvas with at
# least one non-transparent pixel, an SVG with shapes in it.
DRAWN = """(el) => {
  const drawn = [];
  for (const c of el.querySelectorAll("canvas")) {
    const r = c.getBoundingClientRect();
    if (!r.width || !r.height || !c.width || !c.height) continue;
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let painted = false;
    for (let i = 3; i < data.length; i += 4) { if (data[i]) { painted = true; break; } }
    drawn.push({kind: "canvas", width: r.width, height: r.height, painted});
  }
  for (const s of el.querySelectorAll("svg")) {
    const r = s.getBoundingClientRect();
    drawn.push({kind: "svg", width: r.width, height: r.height,
                painted: s.querySelectorAll("path, rect, line, polyline, text").length > 0});
  }
  return drawn;
}"""


@pytest.fixture
def demo_committee(db):
    """The demo committee at its smallest useful size: a year of proposals and reports
    through their workflows, the ledger and the scores, so every chart has data."""
    call_command("demo_data", members=12, seed=2026, stdout=io.StringIO())


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_leader_sees_every_dashboard_chart_drawn(demo_committee, visit, viewport):
    v = visit(viewport=viewport) if viewport else visit()
    v.log_in("leader", "demo")
    v.goto("/dashboard/")
    page = v.page
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart} canvas, #{chart} svg", state="attached")
    page.wait_for_load_state("networkidle")
    for chart in CHARTS:
        drawn = page.locator(f"#{chart}").evaluate(DRAWN)
        assert drawn, f"#{chart} has no canvas or svg"
        assert any(d["width"] > 0 and d["height"] > 0 and d["painted"] for d in drawn), (
            chart, drawn)
    if viewport:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the page scrolls sideways: {width} px wide"
    v.assert_clean()
