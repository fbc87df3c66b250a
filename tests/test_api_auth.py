"""API authentication: bearer tokens for scripts, the session (with CSRF) for the site's pages."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from shixiao.accounts.models import User
from shixiao.accounts.services import create_token
from shixiao.orgs.models import Person

ME = "/api/v1/me"
PEOPLE = "/api/v1/people"
CSRF = "a" * 32  # a CSRF secret; the cookie and the header carry the same value


def bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_bearer_token_authenticates_as_its_user(world):
    response = bearer(create_token(None, world.sc1_staff)).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "sc1"
    assert body["role"] == "sc_staff"
    assert body["committee_id"] == world.committee.pk
    assert body["special_committee_id"] == world.sc1.pk
    assert "orgs.change_membership" in body["permissions"]
    assert "orgs.add_membership" not in body["permissions"]


def test_token_user_scopes_the_answer_even_with_another_session(world):
    client = bearer(create_token(None, world.member1))
    client.force_login(world.office)
    members = client.get("/api/v1/members").json()["items"]
    assert client.get(ME).json()["username"] == "member1"
    assert [m["id"] for m in members] == [world.membership1.pk]


def test_anonymous_gets_401(world):
    assert Client().get(ME).status_code == 401
    assert Client().get("/api/v1/members").status_code == 401


def test_unknown_token_gets_401(world):
    create_token(None, world.office)
    assert bearer("sx_not-a-real-token").get(ME).status_code == 401


def test_unknown_token_is_401_not_a_csrf_failure_on_post(world):
    response = bearer("sx_not-a-real-token").post(PEOPLE, {"name": "X"},
                                                  content_type="application/json")
    assert response.status_code == 401


def test_expired_token_gets_401(world):
    token = create_token(None, world.office,
                         expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert bearer(token).get(ME).status_code == 401


def test_token_of_inactive_user_gets_401(world):
    token = create_token(None, world.office)
    User.objects.filter(pk=world.office.pk).update(is_active=False)
    assert bearer(token).get(ME).status_code == 401


def test_bad_token_does_not_fall_back_to_the_session(world):
    client = bearer("sx_not-a-real-token")
    client.force_login(world.office)
    assert client.get(ME).status_code == 401


def test_session_authenticates_reads(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "office"


def test_session_write_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    before = Person.objects.count()
    response = client.post(PEOPLE, {"name": "赵六"}, content_type="application/json")
    assert response.status_code == 403
    assert Person.objects.count() == before


def test_session_write_with_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    client.cookies["csrftoken"] = CSRF
    response = client.post(PEOPLE, {"name": "赵六"}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=CSRF)
    assert response.status_code == 201
    assert Person.objects.filter(name="赵六").exists()


def test_token_write_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True,
                    HTTP_AUTHORIZATION=f"Bearer {create_token(None, world.office)}")
    response = client.post(PEOPLE, {"name": "赵六"}, content_type="application/json")
    assert response.status_code == 201
