"""Creating users and API tokens, audited like every other write."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shixiao.audit import services as audit
from shixiao.core.errors import ValidationError

from .models import ApiToken, User, hash_token


def _can_manage_users(actor) -> bool:
    return actor is None or actor.is_superuser  # None = the deployment's own CLI


def create_user(actor, *, username: str, role: str, password: str | None = None,
                password_hash: str | None = None, reason: str = "", **fields) -> User:
    """Create a login. Only administrators (or the CLI) create accounts.

    `password_hash` takes an already-hashed password (Django's make_password format) so
    that bulk creation, e.g. the demo generator, pays the deliberately slow hash once.
    """
    if not _can_manage_users(actor):
        raise ValidationError(_("Only an administrator can create user accounts."))
    if (password is None) == (password_hash is None):
        raise ValueError("give exactly one of password and password_hash")
    with transaction.atomic():
        user = User(username=username, role=role, **fields)
        if password_hash is not None:
            user.password = password_hash
        else:
            user.set_password(password)
        user.full_clean()
        user.save()
        audit.record_create(actor, user, reason)
    return user


def create_token(actor, user: User, *, description: str = "",
                 expires_at: datetime | None = None) -> str:
    """Issue a token for `user`; returns the raw token, which is never stored."""
    if not (_can_manage_users(actor) or actor == user):
        raise ValidationError(_("You can only create tokens for yourself."))
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, key_hash=hash_token(raw), prefix=raw[:8],
                                        description=description, expires_at=expires_at)
        audit.record_create(actor, token, reason="API token issued")
    return raw


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not raw:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at and token.expires_at <= now:
        return None
    # Avoid a write per request: last use to the minute is enough to spot stale tokens.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
