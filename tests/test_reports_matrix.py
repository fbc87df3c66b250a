"""The permission matrix of the opinion-report pages and endpoints, declared as data
(tests/matrix.py) and generated: anonymous → login or 401, no permission → 403, out of scope
→ 404, in scope → 200."""

import pytest
from django.test import Client

from shixiao.accounts.services import create_token
from shixiao.reports import services as rs

from .matrix import Case
from .test_reports_services import draft, submitted

API = "/api/v1"

CASES = [
    Case("web_report_list", lambda w: "/reports/", allowed="member2", denied="unit1_user"),
    Case("web_report_new", lambda w: "/reports/new/", allowed="member1", denied="leader"),
    Case("web_report_detail_member", lambda w: f"/reports/{w.report.pk}/", allowed="member1",
         denied="unit1_user", out_of_scope=lambda w: f"/reports/{w.report_of_member2.pk}/"),
    Case("web_report_detail_office", lambda w: f"/reports/{w.report.pk}/", allowed="office",
         denied="unit1_user", out_of_scope=lambda w: f"/reports/{w.report_other.pk}/"),
    Case("web_report_detail_sc_staff", lambda w: f"/reports/{w.report.pk}/",
         allowed="sc1_staff", denied="unit1_user",
         out_of_scope=lambda w: f"/reports/{w.report_other.pk}/"),
    Case("web_report_edit", lambda w: f"/reports/{w.draft.pk}/edit/", allowed="member1",
         denied="leader", out_of_scope=lambda w: f"/reports/{w.report_of_member2.pk}/edit/"),
    Case("api_reports", lambda w: f"{API}/reports", allowed="leader", denied="unit1_user",
         api=True),
    Case("api_report_detail", lambda w: f"{API}/reports/{w.report.pk}", allowed="leader",
         denied="unit1_user", out_of_scope=lambda w: f"{API}/reports/{w.report_other.pk}",
         api=True),
    Case("api_report_detail_member", lambda w: f"{API}/reports/{w.report.pk}",
         allowed="member1", denied="unit1_user",
         out_of_scope=lambda w: f"{API}/reports/{w.report_of_member2.pk}", api=True),
]


@pytest.fixture
def w(world):
    world.report = submitted(world)
    world.draft = draft(world, title="草稿")
    world.report_of_member2 = draft(world, world.member2, title="李四的报告")
    world.report_other = rs.create_draft(world.member_other, committee=world.other.committee,
                                         title="邻市的报告", body="正文")
    return world


def client_as(world, attr, api: bool) -> Client:
    if attr is None:
        return Client()
    user = getattr(world, attr)
    if api:
        return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(None, user)}")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_anonymous_is_sent_to_login_or_gets_401(w, case):
    response = client_as(w, None, case.api).get(case.url(w))
    if case.api:
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("case", [c for c in CASES if c.denied], ids=lambda c: c.name)
def test_user_without_permission_gets_403(w, case):
    assert client_as(w, case.denied, case.api).get(case.url(w)).status_code == 403


@pytest.mark.parametrize("case", [c for c in CASES if c.out_of_scope], ids=lambda c: c.name)
def test_out_of_scope_object_is_404(w, case):
    assert client_as(w, case.allowed, case.api).get(case.out_of_scope(w)).status_code == 404


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_in_scope_is_200(w, case):
    assert client_as(w, case.allowed, case.api).get(case.url(w)).status_code == 200
