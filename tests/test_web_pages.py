"""The read-only pages: language, navigation, scope, masking, filters and pagination."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shixiao.audit.models import AuditRecord
from shixiao.core.choices import MembershipRole
from shixiao.orgs import services as org


def text(response) -> str:
    return response.content.decode()


def members_on_page(response) -> list[str]:
    return [m.person.name for m in response.context["page"]]


# Language -----------------------------------------------------------------------------------

def test_home_page_is_chinese_by_default(world, as_user):
    response = as_user(world.office).get("/")
    assert response.status_code == 200
    html = text(response)
    assert 'lang="zh-hans"' in html
    assert "示范市政协" in html
    assert "我所在的委员会" in html
    assert "首页" in html


def test_home_page_is_english_after_choosing_english(world, as_user):
    client = as_user(world.office)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/members/"})
    assert response.status_code == 302
    assert response["Location"] == "/members/"
    html = text(client.get("/"))
    assert 'lang="en"' in html
    assert "My committees" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-hans"' in text(client.get("/"))


def test_language_switch_is_offered_before_login(world, client):
    html = text(client.get("/login/"))
    assert 'action="/i18n/setlang/"' in html
    assert 'value="en"' in html and 'value="zh-hans"' in html


def test_pages_are_built_for_phones(world, as_user):
    html = text(as_user(world.member1).get("/"))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "/static/web/shixiao.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html


# Navigation and home ------------------------------------------------------------------------

@pytest.mark.parametrize("attr, present, absent", [
    ("office", ["/members/", "/members/new/", "/sectors/", "/units/", "/audit/"], []),
    ("member1", ["/members/", "/sectors/", "/units/"], ["/members/new/", "/audit/"]),
    ("unit1_user", ["/units/"], ["/members/", "/sectors/", "/audit/", "/members/new/"]),
    ("auditor", ["/members/", "/audit/"], ["/members/new/"]),
])
def test_navigation_shows_only_pages_the_user_may_open(world, as_user, attr, present, absent):
    html = text(as_user(getattr(world, attr)).get("/"))
    nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
    for href in present:
        assert f'href="{href}"' in nav, href
    for href in absent:
        assert f'href="{href}"' not in nav, href


def test_header_shows_the_user_and_a_post_logout_button(world, as_user):
    html = text(as_user(world.sc1_staff).get("/"))
    assert "sc1" in html and "专委会干部" in html
    assert '<form action="/logout/" method="post">' in html
    assert "csrfmiddlewaretoken" in html


def test_home_shows_own_committee_with_term_and_counts(world, as_user):
    response = as_user(world.office).get("/")
    html = text(response)
    assert "邻市政协" not in html
    assert "第1届" in html
    [row] = response.context["committees"]
    assert row["committee"] == world.committee
    assert row["term"] == world.term
    assert row["counts"] == {"sectors": 2, "special_committees": 2, "units": 2, "members": 2}


def test_home_counts_only_members_in_the_users_scope(world, as_user):
    [row] = as_user(world.sc1_staff).get("/").context["committees"]
    assert row["counts"]["members"] == 1


def test_home_hides_member_counts_from_handling_units(world, as_user):
    response = as_user(world.unit1_user).get("/")
    [row] = response.context["committees"]
    assert row["counts"] == {"units": 1}
    assert "现任委员" not in text(response)


def test_home_shows_a_member_their_own_memberships(world, as_user):
    response = as_user(world.member1).get("/")
    html = text(response)
    assert "我的任职" in html
    assert f'href="/members/{world.membership1.pk}/"' in html
    assert f'href="/members/{world.membership2.pk}/"' not in html


# Member list --------------------------------------------------------------------------------

def test_member_list_shows_only_the_users_scope(world, as_user):
    assert members_on_page(as_user(world.sc1_staff).get("/members/")) == ["张三"]
    assert sorted(members_on_page(as_user(world.office).get("/members/"))) == ["张三", "李四"]
    assert members_on_page(as_user(world.office_other).get("/members/")) == ["王五"]
    assert members_on_page(as_user(world.member2).get("/members/")) == ["李四"]


@pytest.mark.parametrize("query, expected", [
    ("q=张", ["张三"]),
    ("q=四", ["李四"]),
    ("special_committee={sc2}", ["李四"]),
    ("sector={sector2}", ["赵六"]),
    ("role=standing", ["赵六"]),
    ("committee={committee}&role=member", ["张三", "李四"]),
    ("sector=not-a-number", ["张三", "李四", "赵六"]),
])
def test_member_list_filters(world, as_user, query, expected):
    person = org.create_person(world.admin, name="赵六")
    org.create_membership(world.admin, person=person, committee=world.committee,
                          term=world.term, sector=world.sector2, role=MembershipRole.STANDING,
                          start=dt.date(2022, 1, 1))
    url = "/members/?" + query.format(sc2=world.sc2.pk, sector2=world.sector2.pk,
                                      committee=world.committee.pk)
    response = as_user(world.office).get(url)
    assert response.status_code == 200
    assert sorted(members_on_page(response)) == sorted(expected)


def test_member_list_filter_choices_are_limited_to_scope(world, as_user):
    form = as_user(world.office).get("/members/").context["form"]
    assert list(form.fields["committee"].queryset) == [world.committee]
    assert world.other.sector1 not in form.fields["sector"].queryset
    assert world.sector1 in form.fields["sector"].queryset


def _add_members(world, count: int):
    for i in range(count):
        person = org.create_person(world.admin, name=f"委员{i:03d}")
        org.create_membership(world.admin, person=person, committee=world.committee,
                              term=world.term, sector=world.sector2, start=dt.date(2022, 1, 1))


def test_member_list_paginates_fifty_per_page_and_keeps_filters(world, as_user):
    _add_members(world, 55)
    client = as_user(world.office)
    first = client.get("/members/?q=委员")
    assert first.context["page"].paginator.count == 55
    assert len(first.context["page"]) == 50
    assert "page=2" in text(first) and "q=%E5%A7%94%E5%91%98" in text(first)
    second = client.get("/members/?q=委员&page=2")
    assert len(second.context["page"]) == 5
    assert client.get("/members/?q=委员&page=999").context["page"].number == 2


def test_member_list_queries_do_not_grow_with_the_number_of_rows(world, as_user,
                                                                   django_assert_max_num_queries):
    client = as_user(world.office)
    client.get("/members/")  # warm up session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get("/members/")
    _add_members(world, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/members/")
    assert len(response.context["page"]) == 32


# Member detail ------------------------------------------------------------------------------

ID_NUMBER, PHONE = "110101199003091234", "13812345678"


@pytest.mark.parametrize("attr", ["sc1_staff", "leader"])
def test_member_page_masks_id_number_and_phone(world, as_user, attr):
    html = text(as_user(getattr(world, attr)).get(f"/members/{world.membership1.pk}/"))
    assert "张三" in html
    assert "110101********1234" in html
    assert "138****5678" in html
    assert ID_NUMBER not in html and PHONE not in html


@pytest.mark.parametrize("attr", ["office", "member1"])
def test_member_page_shows_id_number_and_phone_to_office_and_the_member(world, as_user, attr):
    html = text(as_user(getattr(world, attr)).get(f"/members/{world.membership1.pk}/"))
    assert ID_NUMBER in html and PHONE in html


def test_member_page_shows_only_the_birth_year_to_whoever_sees_masked_data(world, as_user):
    org.update_person(world.admin, world.person1, birth_date=dt.date(1990, 3, 9))
    url = f"/members/{world.membership1.pk}/"
    masked = text(as_user(world.leader).get(url))
    assert "1990" in masked and "1990-03-09" not in masked
    assert "1990-03-09" in text(as_user(world.office).get(url))


def test_member_page_lists_every_membership_of_the_person_the_viewer_can_see(world, as_user):
    term2 = org.create_term(world.admin, committee=world.committee, number=2,
                            start=dt.date(2027, 1, 1))
    second = org.create_membership(world.admin, person=world.person1, committee=world.committee,
                                   term=term2, sector=world.sector1, start=dt.date(2027, 1, 1))
    response = as_user(world.office).get(f"/members/{world.membership1.pk}/")
    assert list(response.context["memberships"]) == [world.membership1, second]
    assert f'href="/members/{second.pk}/"' in text(response)


# Sectors, units, audit ----------------------------------------------------------------------

def test_sector_list_counts_only_members_the_user_may_see(world, as_user):
    rows = as_user(world.sc1_staff).get("/sectors/").context["rows"]
    counts = {row["sector"].name: row["members"] for row in rows}
    assert counts == {"经济界": 1, "教育界": 0}
    rows = as_user(world.office).get("/sectors/").context["rows"]
    assert {row["sector"].name: row["members"] for row in rows} == {"经济界": 2, "教育界": 0}


def test_unit_user_sees_only_its_own_unit(world, as_user):
    client = as_user(world.unit1_user)
    html = text(client.get("/units/"))
    assert "市教育局" in html and "市交通运输局" not in html
    assert client.get(f"/units/{world.unit1.pk}/").status_code == 200
    assert client.get(f"/units/{world.unit2.pk}/").status_code == 404


def test_office_sees_every_unit_of_its_committee(world, as_user):
    html = text(as_user(world.office).get("/units/"))
    assert "市教育局" in html and "市交通运输局" in html


def test_audit_list_shows_the_committees_records(world, as_user):
    response = as_user(world.office).get("/audit/")
    assert response.status_code == 200
    seqs = [row.record.seq for row in response.context["records"]]
    expected = list(AuditRecord.objects.filter(committee_id=world.committee.pk)
                    .order_by("-seq").values_list("seq", flat=True)[:50])
    assert seqs == expected
    html = text(response)
    assert "请求编号" in html and "委员任职" in html


def test_audit_list_is_read_only(world, as_user):
    client = as_user(world.office)
    before = AuditRecord.objects.count()
    assert client.post("/audit/", {"seq": 1}).status_code == 405
    assert AuditRecord.objects.count() == before
    main = text(client.get("/audit/")).split('<main id="main">', 1)[1]
    assert 'method="post"' not in main.lower(), "only the filters' GET form"


# Log in and out -----------------------------------------------------------------------------

def test_login_page_logs_in_and_goes_home(world, client):
    assert "登录" in text(client.get("/login/"))
    response = client.post("/login/", {"username": "member1", "password": "pw"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_logout_needs_post(world, as_user):
    client = as_user(world.member1)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_locked_out_login_explains_the_lock(world, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "member1", "password": "wrong"})
    response = client.post("/login/", {"username": "member1", "password": "pw"})
    assert response.status_code == 429
    html = text(response)
    assert "账户暂时锁定" in html
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"请在 {minutes} 分钟后再试" in html


def test_error_pages_are_translated(world, as_user):
    client = as_user(world.member1)
    assert "无权访问" in text(client.get("/audit/"))
    assert "未找到" in text(client.get(f"/members/{world.membership2.pk}/"))
