"""The permission matrix, generated from the declared cases in matrix_web.py / matrix_api.py.

For every page and endpoint: anonymous → login (web) or 401 (API); a user without the
permission → 403; an allowed user asking for an object outside their scope → 404; the same
user inside scope → 200. API calls use bearer tokens, the way scripts call them.
"""

import pytest
from django.test import Client

from shixiao.accounts.services import create_token

from .matrix_api import API_CASES
from .matrix_web import WEB_CASES

CASES = WEB_CASES + API_CASES


def client_as(world, attr: str | None, api: bool) -> Client:
    if attr is None:
        return Client()
    user = getattr(world, attr)
    if api:
        return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(None, user)}")
    client = Client()
    client.force_login(user)
    return client


def test_every_case_names_real_users(world):
    assert CASES, "no cases declared"
    for case in CASES:
        for attr in (case.allowed, case.denied):
            assert attr is None or hasattr(world, attr), (case.name, attr)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_anonymous_is_sent_to_login_or_gets_401(world, case):
    response = client_as(world, None, case.api).get(case.url(world))
    if case.api:
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("case", [c for c in CASES if c.denied], ids=lambda c: c.name)
def test_user_without_permission_gets_403(world, case):
    response = client_as(world, case.denied, case.api).get(case.url(world))
    assert response.status_code == 403


@pytest.mark.parametrize("case", [c for c in CASES if c.out_of_scope], ids=lambda c: c.name)
def test_out_of_scope_object_is_404(world, case):
    response = client_as(world, case.allowed, case.api).get(case.out_of_scope(world))
    assert response.status_code == 404


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_in_scope_is_200(world, case):
    response = client_as(world, case.allowed, case.api).get(case.url(world))
    assert response.status_code == 200
