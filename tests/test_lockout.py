"""Repeated failed logins lock the username+address pair; the lock expires by itself."""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import RequestFactory


def attempt(username: str, password: str, ip: str = "127.0.0.7"):
    request = RequestFactory().post("/login/", REMOTE_ADDR=ip)
    request.session = {}
    return authenticate(request=request, username=username, password=password)


def fail_until_locked(username: str, ip: str = "127.0.0.7"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert attempt(username, "wrong", ip) is None


def test_correct_password_logs_in_before_any_failure(world):
    assert attempt("member1", "pw") == world.member1


def test_repeated_failures_lock_the_account_even_with_the_right_password(world):
    fail_until_locked("member1")
    assert attempt("member1", "pw") is None


def test_lock_is_per_address_so_a_stranger_cannot_lock_a_member_out(world):
    fail_until_locked("member1", ip="127.0.0.99")
    assert attempt("member1", "pw", ip="127.0.0.7") == world.member1


def test_fewer_failures_than_the_limit_do_not_lock(world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("member1", "wrong")
    assert attempt("member1", "pw") == world.member1


def test_lockout_expires_after_the_cool_off(world):
    fail_until_locked("member1")
    assert attempt("member1", "pw") is None
    # Age the failures past the cool-off instead of sleeping for 15 minutes.
    past = dt.timedelta(minutes=1) + settings.AXES_COOLOFF_TIME
    for row in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=row.pk).update(attempt_time=row.attempt_time - past)
    for row in AccessAttemptExpiration.objects.all():
        AccessAttemptExpiration.objects.filter(pk=row.pk).update(
            expires_at=row.expires_at - past)
    assert attempt("member1", "pw") == world.member1


@pytest.mark.parametrize("path", ["/login/"])
def test_login_page_answers_429_when_locked(world, client, path):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(path, {"username": "member1", "password": "wrong"})
    response = client.post(path, {"username": "member1", "password": "pw"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
