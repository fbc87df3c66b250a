"""The similar-proposals panel: on a few hand-written Chinese proposals the near-duplicate
ranks first and the unit that handled similar past proposals is suggested; the index skips
drafts, is rebuilt only when proposals change, and shows only what the user may see."""

import pytest

from shixiao.proposals import services as ps
from shixiao.proposals import similarity
from shixiao.proposals.models import Proposal

from .proposals_kit import ASSIGN_ON, REVIEW_ON, SUBMIT_ON, D, unit2_user

HOMEWORK = ("关于减轻中小学生课业负担的建议",
            "当前我市中小学生作业量偏大，睡眠时间不足，课外培训加重了学生和家长的负担。建议教育"
            "部门严格控制书面作业总量，规范课后服务，提高课堂教学效率，加强对学校作业管理的督导检查。")
COUNSELLING = ("关于加强中小学心理健康教育的建议",
               "部分中小学心理健康教师配备不足，学生心理问题早期发现机制不健全。建议每所学校配备"
               "专职心理教师，开设心理健康课程，建立学生心理档案和家校沟通机制。")
BUSES = ("关于优化城市公交线路的建议",
         "城区部分公交线路重复、绕行严重，新建小区公交覆盖不足，换乘不便。建议交通运输部门优化"
         "公交线网布局，增设新建小区公交站点，开通微循环公交，提高公交准点率。")
PARKING = ("关于治理城区停车难问题的建议",
           "老城区停车位严重不足，车辆乱停乱放堵塞道路。建议交通运输部门统筹建设立体停车场，"
           "推行错时共享停车，完善路内停车收费管理。")
NEAR_DUPLICATE = ("关于切实减轻中小学生作业负担的建议",
                  "不少中小学生每天书面作业时间过长，睡眠不足，家长负担很重。建议严格控制作业总量，"
                  "提高课后服务质量，规范课外培训，加强作业管理督导。")
TOURISM = ("关于发展乡村旅游的建议",
           "我市乡村旅游资源丰富但开发分散，基础设施薄弱。建议编制乡村旅游规划，完善道路和民宿"
           "配套，培育特色品牌。")


def filed(w, text, *, member=None, units=None, state="in_review"):
    """A proposal by `member` (default member1) taken into review, or assigned to `units`."""
    member = member or (w.member1, w.membership1)
    title, body = text
    p = ps.create_draft(member[0], committee=w.committee, term=w.term, title=title, body=body,
                        authors=[member[1]], on=D(2025, 3, 1))
    if state == "draft":
        return p
    p = ps.start_review(w.office, ps.submit(member[0], p, on=SUBMIT_ON), on=REVIEW_ON)
    if units:
        p = ps.register(w.office, p, on=REVIEW_ON)
        p = ps.assign(w.office, p, mode="single", units=units, on=ASSIGN_ON)
    return p


@pytest.fixture
def corpus(world):
    similarity.clear_cache()
    past = {
        "homework": filed(world, HOMEWORK, units=[world.unit1]),
        "counselling": filed(world, COUNSELLING, units=[world.unit1]),
        "buses": filed(world, BUSES, units=[world.unit2]),
        "parking": filed(world, PARKING, units=[world.unit2]),
        "tourism": filed(world, TOURISM),
    }
    new = filed(world, NEAR_DUPLICATE, member=(world.member2, world.membership2))
    return past, new


def test_the_near_duplicate_ranks_first(world, corpus):
    past, new = corpus
    ranked = similarity.similar_proposals(new)
    assert ranked[0][0] == past["homework"]
    assert len(ranked) <= 5 and new not in [p for p, _score in ranked]
    scores = [score for _p, score in ranked]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_the_unit_of_similar_past_proposals_is_suggested(world, corpus):
    _past, new = corpus
    suggested = similarity.suggested_units(new)
    assert suggested[0][0] == world.unit1
    assert 0 < suggested[0][1] <= 1
    assert len(suggested) <= 3


def test_a_transport_proposal_gets_the_transport_unit(world, corpus):
    question = filed(world, ("关于增开公交微循环线路的建议",
                             "新建小区居民出行不便，公交站点少、换乘远。建议优化公交线路，增设站点。"))
    assert similarity.suggested_units(question)[0][0] == world.unit2
    assert similarity.similar_proposals(question)[0][0].title == BUSES[0]


def test_drafts_of_others_are_neither_candidates_nor_evidence(world, corpus):
    _past, new = corpus
    copy = filed(world, NEAR_DUPLICATE, state="draft")
    assert copy not in [p for p, _score in similarity.similar_proposals(new, k=10)]


def test_only_proposals_the_user_may_see(world, corpus):
    past, new = corpus
    assert similarity.similar_proposals(new, user=world.member2) == []
    assert similarity.similar_proposals(new, user=world.office)[0][0] == past["homework"]
    assert similarity.similar_proposals(past["buses"], user=world.office_other) == []


def test_units_reassigned_away_do_not_count(world, corpus):
    past, _new = corpus
    a = past["parking"].assignments.get()
    ps.object_to_assignment(unit2_user(world), a, reason="不属本单位", on=ASSIGN_ON)
    a.refresh_from_db()
    ps.reassign(world.office, a, world.unit1, on=ASSIGN_ON)
    units = similarity._units_of(world.committee.pk)
    assert units[past["parking"].pk] == ["市教育局"]


def test_a_merged_proposal_counts_its_leads_units(world, corpus):
    past, new = corpus
    follower = filed(world, ("关于减少学生作业的建议", "作业太多。"))
    ps.merge(world.office, follower, past["homework"])
    assert similarity._units_of(world.committee.pk)[follower.pk] == ["市教育局"]


def test_the_index_is_rebuilt_only_when_proposals_change(world, corpus):
    past, new = corpus
    first = similarity.index_for(world.committee.pk)
    assert similarity.index_for(world.committee.pk) is first
    ps.register(world.office, new)
    second = similarity.index_for(world.committee.pk)
    assert second is not first and len(second) == len(first)
    filed(world, ("关于规范共享单车停放的建议", "共享单车乱停乱放。"))
    assert len(similarity.index_for(world.committee.pk)) == len(first) + 1


# The panel on the detail page ---------------------------------------------------------------

def test_office_sees_the_panel_with_a_merge_shortcut(world, as_user, corpus):
    past, new = corpus
    client = as_user(world.office)
    response = client.get(f"/proposals/{new.pk}/")
    page = response.content.decode()
    assert response.context["similar"][0]["proposal"] == past["homework"]
    assert HOMEWORK[0] in page and past["homework"].display_number in page
    assert f'name="into" value="{past["homework"].pk}"' in page
    response = client.post(f"/proposals/{new.pk}/merge/", {
        "version": new.version, "into": past["homework"].pk})
    assert response.status_code == 302
    assert Proposal.objects.get(pk=new.pk).merged_into == past["homework"]


def test_registered_proposal_shows_suggested_units_for_assigning(world, as_user, corpus):
    _past, new = corpus
    ps.register(world.office, new)
    response = as_user(world.office).get(f"/proposals/{new.pk}/")
    assert [u for u, _share in response.context["suggested_units"]][0] == world.unit1
    page = response.content.decode()
    assert "市教育局" in page and f"/proposals/{new.pk}/assign/" in page


def test_members_and_leaders_do_not_see_the_panel(world, as_user, corpus):
    _past, new = corpus
    for user in (world.member2, world.leader):
        response = as_user(user).get(f"/proposals/{new.pk}/")
        assert response.status_code == 200
        assert "similar" not in response.context


def test_no_panel_once_the_proposal_is_assigned(world, as_user, corpus):
    past, _new = corpus
    response = as_user(world.office).get(f"/proposals/{past['homework'].pk}/")
    assert "similar" not in response.context


def test_the_tokenizer_cache_is_configured_under_the_var_directory(settings):
    from shixiao.textsim import tokenize

    assert tokenize._cache_dir == settings.VAR_DIR / "cache" / "jieba"
