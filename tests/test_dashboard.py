"""The leaders' dashboard: who may open it, what each chart counts for a small year built
through the production services, that another committee's work never shows, that a
special committee's staff see their slice, and that the page loads only our own files."""

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shixiao.accounts.services import create_user
from shixiao.assessment.defaults import default_rubric_text
from shixiao.assessment.models import MemberScore
from shixiao.assessment.services import register_rubric, score_committee
from shixiao.core.choices import UserRole
from shixiao.dashboard.charts import ESCALATION_COLOURS, _group_label
from shixiao.dossier.services import publish_assessment
from shixiao.orgs import services as org
from shixiao.proposals import metrics
from shixiao.proposals import services as ps
from shixiao.proposals.models import FollowUp, Proposal
from shixiao.reports import services as rs

from .proposals_kit import REPLY_ON, assigned, in_review, replied

D = dt.date
AS_OF = D(2026, 1, 31)
URL = "/dashboard/?year=2025&as_of=2026-01-31"
MEMBER_NAMES = ("张三", "李四", "赵六", "王五")


# A small year, by hand -----------------------------------------------------------------------

def add_member3(w):
    """赵六: special committee SC2, sector 教育界 (the fixture's members are all in 经济界)."""
    user = create_user(None, username="member3", password="pw", role=UserRole.MEMBER)
    person = org.create_person(w.admin, name="赵六", id_number="110101198001051234",
                               phone="13600001111", user=user)
    membership = org.create_membership(
        w.admin, person=person, committee=w.committee, term=w.term, role="member",
        sector=w.sector2, start=D(2022, 1, 1), special_committees=[w.sc2])
    return user, membership


def review(w, proposal, finding, on=D(2025, 11, 25)):
    six = FollowUp.objects.get(proposal=proposal, horizon_months=6)
    ps.review_follow_up(w.office, six, finding=finding, evidence="现场查看，照片存档。", on=on)


def report(w, author, title, on):
    r = rs.create_draft(w.office, committee=w.committee, title=title,
                        body="居民反映小区周边缺少停车位，建议统筹规划。", authors=[author])
    return rs.submit(w.office, r, on=on)


def other_committee_year(w):
    """The neighbouring committee's own proposal, report and scores: never on city's page."""
    o = w.other
    o.office, o.member1, o.membership1 = w.office_other, w.member_other, w.membership_other
    o.unit1 = org.create_handling_unit(w.admin, committee=o.committee, name="邻市住建局")
    o.unit1_user = create_user(None, username="unit_other", password="pw", role=UserRole.UNIT,
                               committee=o.committee, handling_unit=o.unit1)
    assigned(o, title="邻市的提案")  # overdue reply at 邻市住建局
    report(o, o.membership1, "邻市的信息", D(2025, 5, 1))
    rubric = register_rubric(o.office, o.committee, default_rubric_text())
    score_committee(o.office, o.committee, rubric, year=2025)


@pytest.fixture
def year(world):
    """City, 2025, seen on 2026-01-31:

    P1 张三 (SC1, 经济界): replied on time (B), rated satisfied, 6-month review fulfilled.
    P2 张三: replied late (B), never rated; its 6-month review fell due and was not made.
    P3 张三: assigned to 市交通运输局, never answered (red).
    P4 张三: still in review.
    P5 赵六 (SC2, 教育界): replied (B), rated basically satisfied, 6-month review unkept.
    Reports: 张三's adopted at prefecture and province level, endorsed at prefecture level;
    赵六's submitted only; one of 2024. All members scored under the default rubric.
    """
    w = world
    w.member3, w.membership3 = add_member3(w)
    p1 = replied(w, title="按时答复")
    ps.rate(w.member1, p1, process="satisfied", result="satisfied", on=D(2025, 5, 25))
    review(w, p1, "fulfilled")
    replied(w, title="迟复", on=D(2025, 7, 10))
    assigned(w, title="未复", units=[w.unit2])
    in_review(w, title="审查中")
    p5 = replied(w, title="赵六的提案", actor=w.member3, authors=[w.membership3])
    ps.rate(w.member3, p5, process="satisfied", result="basically", on=D(2025, 5, 26))
    review(w, p5, "unkept")

    adopted = report(w, w.membership1, "关于停车难的建议", D(2025, 4, 1))
    adopted = rs.send_upward(w.office, adopted, sends=[
        {"to_level": "prefecture", "recipient": "市委办公室", "on": D(2025, 4, 10)},
        {"to_level": "provincial", "recipient": "省政协", "on": D(2025, 4, 10)}])
    rs.record_adoption(w.office, adopted, level="prefecture", body="市委《每日要情》",
                       on=D(2025, 5, 1))
    rs.record_adoption(w.office, adopted, level="provincial", body="省政协《社情民意》",
                       on=D(2025, 5, 2))
    rs.record_adoption(w.office, adopted, level="prefecture", body="市政府《政务信息》",
                       on=D(2025, 5, 3))   # a second body at one level: still one report
    rs.record_endorsement(w.office, adopted, level="prefecture", leader_rank="principal",
                          leader="市委主要领导", on=D(2025, 5, 10))
    report(w, w.membership3, "赵六的信息", D(2025, 6, 1))
    report(w, w.membership1, "去年的信息", D(2024, 6, 1))

    w.rubric = register_rubric(w.office, w.committee, default_rubric_text())
    w.run = score_committee(w.office, w.committee, w.rubric, year=2025).run
    other_committee_year(w)
    return w


def page(client, url=URL):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response


def data(response) -> dict:
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    assert match, "no dashboard-data on the page"
    return json.loads(match.group(1))


def chart(payload: dict, chart_id: str) -> dict:
    return next(c for c in payload["charts"] if c["id"] == chart_id)


def bars(spec: dict, grid: int = 0, series: int = 0) -> dict:
    g = spec["grids"][grid]
    return dict(zip(g["categories"], g["series"][series]["values"], strict=True))


def series_of(spec: dict, key: str, grid: int = 0) -> dict:
    g = spec["grids"][grid]
    s = next(s for s in g["series"] if s["key"] == key)
    return dict(zip(g["categories"], s["values"], strict=True))


# Who may open it ----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["member1", "unit1_user"])
def test_members_and_units_are_refused(world, as_user, who):
    assert as_user(getattr(world, who)).get("/dashboard/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["leader", "office", "auditor", "sc1_staff"])
def test_leaders_office_auditors_and_committee_staff_open_it(world, as_user, who):
    response = as_user(getattr(world, who)).get("/dashboard/")
    assert response.status_code == 200
    assert response.context["committee"] == world.committee


def test_the_menu_offers_the_dashboard_only_to_those_who_may_open_it(world, as_user):
    assert 'href="/dashboard/"' in as_user(world.leader).get("/").content.decode()
    assert 'href="/dashboard/"' not in as_user(world.member1).get("/").content.decode()


def test_another_committee_is_not_found_for_office_staff(world, as_user):
    assert as_user(world.office).get("/dashboard/?committee=other").status_code == 404


@pytest.mark.parametrize("query", ["year=abc", "year=1800", "as_of=2025-13-01"])
def test_bad_selectors_are_a_400_naming_the_field(world, as_user, query):
    response = as_user(world.leader).get(f"/dashboard/?{query}")
    assert response.status_code == 400
    field = query.split("=")[0]
    assert response.context["form"].errors[field]


# What the charts count ----------------------------------------------------------------------

def test_the_pipeline_counts_each_stage_up_to_the_verified_outcome(year, as_user):
    spec = chart(data(page(as_user(year.leader))), "chart-pipeline")
    # submitted, registered, assigned, replied, rated, follow-up reviewed, then the latest
    # finding: fulfilled, partly, unkept (P4 is only submitted; P3 was never answered).
    assert list(bars(spec).values()) == [5, 4, 4, 3, 2, 2, 1, 0, 1]
    colours = spec["grids"][0]["series"][0]["item_colours"]
    assert len(set(colours[-3:])) == 3 and colours[-3] != colours[0]


def test_overdue_work_by_unit_in_the_deadline_colours(year, as_user):
    spec = chart(data(page(as_user(year.office))), "chart-overdue")
    assert spec["stacked"] is True
    assert series_of(spec, "red") == {"市教育局": 1, "市交通运输局": 1}
    assert series_of(spec, "yellow") == {"市教育局": 0, "市交通运输局": 0}
    colours = {s["key"]: (s["colour"], s["border"]) for s in spec["grids"][0]["series"]
               if s["draw"]}
    assert colours == ESCALATION_COLOURS


def test_escalation_colours_are_the_deadlines_apps(world):
    css = Path(finders.find("deadlines/deadlines.css")).read_text()
    for colour, (fill, border) in ESCALATION_COLOURS.items():
        rule = re.search(rf"\.badge\.deadline-{colour}\s*{{([^}}]*)}}", css).group(1)
        assert f"background: {fill}" in rule and f"color: {border}" in rule


def test_rates_put_fulfilment_beside_satisfaction_by_special_committee_and_sector(
        year, as_user):
    spec = chart(data(page(as_user(year.leader))), "chart-rates")
    assert spec["percent"] is True
    by_sc, by_sector = spec["grids"]
    keys = [s["key"] for s in by_sc["series"]]
    assert keys == ["reply", "fulfilment_6", "fulfilment_12", "fulfilment_24", "satisfaction"]
    # Horizons nobody has reached are table columns only; satisfaction is always drawn
    # with fulfilment beside it.
    assert [s["key"] for s in by_sc["series"] if s["draw"]] == [
        "reply", "fulfilment_6", "satisfaction"]
    sc1, sc2 = (next(c for c in by_sc["categories"] if c.startswith(n))
                for n in ("提案委员会", "经济委员会"))
    # Both have fewer than five follow-ups due (2 and 1), and their labels say so.
    assert sc1 != "提案委员会" and sc2 != "经济委员会"
    assert all(str(metrics.MIN_RANK_SAMPLE) in c for c in by_sc["categories"]
               + by_sector["categories"])
    reply, six = series_of(spec, "reply"), series_of(spec, "fulfilment_6")
    satisfied = series_of(spec, "satisfaction")
    assert (reply[sc1], six[sc1], satisfied[sc1]) == (0.6667, 0.5, 0.5)
    assert (reply[sc2], six[sc2], satisfied[sc2]) == (1.0, 0.0, 1.0)
    assert series_of(spec, "fulfilment_12")[sc1] is None      # nothing due yet: no rate
    sectors = {name.split(" ")[0].split("（")[0]: v
               for name, v in series_of(spec, "fulfilment_6", grid=1).items()}
    assert sectors == {"经济界": 0.5, "教育界": 0.0}
    rows = {r[0]: r[1:] for r in page(as_user(year.leader)).context["charts"][1]
            .tables()[0]["rows"]}
    assert rows[sc1][0] == "66.7% (2/3)"


def test_only_groups_under_the_minimum_sample_are_marked(world):
    def group(due):
        return {"name": "经济界", "fulfilment": {"latest": {"due": due}}}

    assert _group_label(group(metrics.MIN_RANK_SAMPLE), "") == "经济界"
    assert _group_label(group(metrics.MIN_RANK_SAMPLE - 1), "") != "经济界"
    assert _group_label({"name": "", "fulfilment": {"latest": {"due": 9}}}, "无") == "无"


def test_the_figures_are_the_metrics_own(year, as_user):
    response = page(as_user(year.office))
    rates = chart(data(response), "chart-rates")
    stats = metrics.stats(Proposal.objects.visible_to(year.office), committee=year.committee,
                          year=2025, as_of=AS_OF)
    expected = {g["name"]: g["reply"]["rate"] for g in stats["by_special_committee"]}
    got = {name.split(" ")[0].split("（")[0]: rate
           for name, rate in series_of(rates, "reply").items()}
    assert got == expected
    red = {u["name"]: u["overdue"]["total"]["red"] for u in stats["by_unit"]}
    assert series_of(chart(data(response), "chart-overdue"), "red") == red


def test_opinion_reports_submitted_adopted_and_endorsed_per_level(year, as_user):
    reports = list(bars(chart(data(page(as_user(year.leader))), "chart-reports")).values())
    # submitted, adopted (any), at prefecture / provincial / national, endorsed (any), same.
    assert reports == [2, 1, 1, 1, 0, 1, 1, 0, 0]


def test_grades_count_the_latest_run_without_names(year, as_user):
    response = page(as_user(year.leader))
    spec = chart(data(response), "chart-grades")
    counts = bars(spec)
    expected = Counter(MemberScore.objects.filter(run=year.run).values_list("grade", flat=True))
    assert sum(counts.values()) == 3 == sum(expected.values())
    assert sorted(v for v in counts.values() if v) == sorted(expected.values())
    assert list(counts)[:4] == ["优秀", "良好", "称职", "需改进"]
    note = response.context["charts"][4].note
    assert any(words in note for words in ("not published", "未发布", "尚未公布"))


def test_grades_prefer_the_published_assessment_and_say_so(year, as_user):
    publication = publish_assessment(year.office, year.committee, 2025, note="")
    score_committee(year.office, year.committee, year.rubric, year=2025)   # a later run
    response = page(as_user(year.leader))
    grades = response.context["charts"][4]
    assert grades.id == "chart-grades"
    assert str(publication.number) in grades.note
    assert sum(bars(chart(data(response), "chart-grades")).values()) == 3


def test_no_member_name_or_proposal_title_is_in_the_chart_data(year, as_user):
    payload = json.dumps(data(page(as_user(year.leader))), ensure_ascii=False)
    for text in (*MEMBER_NAMES, "按时答复", "关于停车难的建议"):
        assert text not in payload


# Scope --------------------------------------------------------------------------------------

def test_another_committees_work_never_shows(year, as_user):
    response = page(as_user(year.leader))
    html = response.content.decode()
    assert "邻市住建局" not in html and "邻市" not in json.dumps(data(response),
                                                                ensure_ascii=False)
    assert bars(chart(data(response), "chart-pipeline"))  # city's own work is there
    assert list(bars(chart(data(response), "chart-reports")).values())[0] == 2


def test_the_other_committees_office_sees_only_its_own(year, as_user):
    payload = data(page(as_user(year.office_other)))
    assert list(bars(chart(payload, "chart-pipeline")).values())[:2] == [1, 1]
    assert series_of(chart(payload, "chart-overdue"), "red") == {"邻市住建局": 1}
    assert sum(bars(chart(payload, "chart-grades")).values()) == 1


def test_auditors_choose_the_committee(year, as_user):
    client = as_user(year.auditor)
    assert 'name="committee"' in page(client).content.decode()
    payload = data(page(client, URL + "&committee=other"))
    assert series_of(chart(payload, "chart-overdue"), "red") == {"邻市住建局": 1}


def test_special_committee_staff_see_their_committees_slice(year, as_user):
    response = page(as_user(year.sc1_staff))
    payload = data(response)
    assert list(bars(chart(payload, "chart-pipeline")).values()) == [4, 3, 3, 2, 1, 1, 1, 0, 0]
    rates = chart(payload, "chart-rates")
    assert [c.split(" ")[0] for c in rates["grids"][0]["categories"]][0].startswith("提案委员会")
    assert len(rates["grids"][0]["categories"]) == len(rates["grids"][1]["categories"]) == 1
    assert list(bars(chart(payload, "chart-reports")).values())[:2] == [1, 1]
    assert sum(bars(chart(payload, "chart-grades")).values()) == 1   # 张三 only
    assert "提案委员会" in response.context["scope"].special_committee.name


def test_the_default_year_is_the_latest_with_data(year, as_user):
    response = as_user(year.leader).get("/dashboard/")
    assert response.context["year"] == 2025
    assert response.context["years"] == [2025, 2024]


def test_an_empty_year_still_draws_every_chart_container(world, as_user):
    response = page(as_user(world.leader), "/dashboard/?year=2030")
    html = response.content.decode()
    for chart_id in ("chart-grades", "chart-pipeline", "chart-overdue", "chart-rates",
                     "chart-reports"):
        assert f'id="{chart_id}"' in html
        assert chart(data(response), chart_id)["empty"]


# The page itself ----------------------------------------------------------------------------

def test_every_chart_has_a_container_and_a_table_fallback(year, as_user):
    html = page(as_user(year.leader)).content.decode()
    for chart_id in ("chart-grades", "chart-pipeline", "chart-overdue", "chart-rates",
                     "chart-reports"):
        figure = re.search(rf'<figure[^>]*>(?:(?!</figure>).)*id="{chart_id}"'
                           r'(?:(?!</figure>).)*</figure>', html, re.S)
        assert figure, chart_id
        assert "<table" in figure.group(0), chart_id


def test_scripts_and_styles_are_our_own_static_files(year, as_user):
    html = page(as_user(year.leader)).content.decode()
    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    styles = re.findall(r'<link[^>]*\bhref="([^"]+)"', html)
    assert "/static/dashboard/vendor/echarts/echarts.min.js" in sources
    assert "/static/dashboard/dashboard.js" in sources
    assert all(url.startswith("/static/") for url in sources + styles), sources + styles
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    for template in Path(finders.find("dashboard/dashboard.js")).parents[2].glob(
            "templates/**/*.html"):
        assert not re.search(r"https?://", template.read_text()), template


def test_echarts_is_vendored_with_its_licence_and_version_note(world, client):
    path = Path(finders.find("dashboard/vendor/echarts/echarts.min.js"))
    assert path.stat().st_size > 500_000
    assert "Apache License" in (path.parent / "LICENSE").read_text()
    note = (path.parent / "README.md").read_text()
    assert "echarts 5.6.0" in note and "npm pack echarts@5" in note
    assert (path.parent / "VERSION").read_text().startswith("echarts 5.6.0")
    response = client.get("/static/dashboard/dashboard.js")
    assert response.status_code == 200


def test_the_page_reads_a_bounded_number_of_queries(year, as_user,
                                                    django_assert_max_num_queries):
    client = as_user(year.leader)
    with django_assert_max_num_queries(40):  # 34 today, whatever the number of records
        page(client)
    with CaptureQueriesContext(connection) as few:
        page(client)
    for title in ("再一件", "又一件", "第三件"):
        replied(year, title=title, on=REPLY_ON)
    with CaptureQueriesContext(connection) as more:
        response = page(client)
    assert list(bars(chart(data(response), "chart-pipeline")).values())[0] == 8
    assert len(more) == len(few)
