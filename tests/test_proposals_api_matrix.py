"""The permission matrix of the proposal endpoints that read, declared as data
(tests/matrix.py) and generated: anonymous → 401, no permission → 403, out of scope → 404,
in scope → 200."""

import pytest
from django.test import Client

from shixiao.accounts.services import create_token
from shixiao.proposals import services as ps

from .matrix import Case
from .proposals_kit import assigned, draft, replied

API = "/api/v1"

CASES = [
    Case("proposals_office", lambda w: f"{API}/proposals", allowed="office", denied=None,
         api=True),
    Case("proposal_detail_office", lambda w: f"{API}/proposals/{w.ours.pk}",
         allowed="office", denied=None,
         out_of_scope=lambda w: f"{API}/proposals/{w.other_committee.pk}", api=True),
    Case("proposal_detail_member", lambda w: f"{API}/proposals/{w.ours.pk}",
         allowed="member1", denied=None,
         out_of_scope=lambda w: f"{API}/proposals/{w.of_member2.pk}", api=True),
    Case("proposal_detail_unit", lambda w: f"{API}/proposals/{w.ours.pk}",
         allowed="unit1_user", denied=None,
         out_of_scope=lambda w: f"{API}/proposals/{w.for_unit2.pk}", api=True),
    Case("proposal_detail_sc_staff", lambda w: f"{API}/proposals/{w.ours.pk}",
         allowed="sc1_staff", denied=None,
         out_of_scope=lambda w: f"{API}/proposals/{w.other_committee.pk}", api=True),
    Case("proposal_ratings_leader", lambda w: f"{API}/proposals/{w.ours.pk}/ratings",
         allowed="leader", denied="unit1_user",
         out_of_scope=lambda w: f"{API}/proposals/{w.other_committee.pk}/ratings", api=True),
    Case("proposal_ratings_auditor", lambda w: f"{API}/proposals/{w.ours.pk}/ratings",
         allowed="auditor", denied="member1", api=True),
    Case("proposal_stats", lambda w: f"{API}/proposals/stats?committee={w.committee.pk}",
         allowed="office", denied="unit1_user",
         out_of_scope=lambda w: f"{API}/proposals/stats?committee={w.other.committee.pk}",
         api=True),
    Case("proposal_stats_member", lambda w: f"{API}/proposals/stats", allowed="auditor",
         denied="member1", api=True),
]


@pytest.fixture
def w(world):
    world.ours = replied(world)
    world.of_member2 = draft(world, actor=world.member2, authors=[world.membership2],
                             title="李四的")
    world.for_unit2 = assigned(world, title="交通局的", units=[world.unit2])
    world.other_committee = ps.create_draft(
        world.member_other, committee=world.other.committee, term=world.other.term,
        title="邻市", body="正文", authors=[world.membership_other])
    return world


def client_as(world, attr) -> Client:
    if attr is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(None, getattr(world, attr))}")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_anonymous_gets_401(w, case):
    assert client_as(w, None).get(case.url(w)).status_code == 401


@pytest.mark.parametrize("case", [c for c in CASES if c.denied], ids=lambda c: c.name)
def test_user_without_permission_gets_403(w, case):
    assert client_as(w, case.denied).get(case.url(w)).status_code == 403


@pytest.mark.parametrize("case", [c for c in CASES if c.out_of_scope], ids=lambda c: c.name)
def test_out_of_scope_object_is_404(w, case):
    assert client_as(w, case.allowed).get(case.out_of_scope(w)).status_code == 404


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_in_scope_is_200(w, case):
    assert client_as(w, case.allowed).get(case.url(w)).status_code == 200
