"""Who is calling: a bearer token (scripts) or the browser session (the web pages' own
JavaScript). Session calls that change data must carry the CSRF token; token calls need not,
since a browser never attaches a bearer token on its own."""

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from shixiao.accounts.models import User
from shixiao.accounts.services import user_for_token


class BearerAuth(HttpBearer):
    """`Authorization: Bearer sx_…`, a token made with `shixiao token create USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = user_for_token(token)
        if user is None:
            # A token was offered and is bad (unknown, expired, user inactive): say so,
            # rather than falling back to whatever session cookie came along.
            raise AuthenticationError()
        # Querysets and services read request.user; make it the token's owner.
        request.user = user
        return user


def actor(request: HttpRequest) -> User:
    """The authenticated user of an API request."""
    return request.auth


AUTH = [BearerAuth(), django_auth]
