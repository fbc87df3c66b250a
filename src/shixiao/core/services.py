"""Helpers every service uses: permission and scope checks, optimistic locking."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .errors import ConflictError


def require_perm(actor, perm: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to do this."))


def require_in_scope(actor, obj) -> None:
    """Refuse to act on a record the actor cannot see, as if it did not exist."""
    from django.http import Http404

    if obj.pk is not None and not type(obj).objects.visible_to(actor).filter(pk=obj.pk).exists():
        raise Http404(_("No such record."))


def check_version(obj, expected_version: int | None) -> None:
    """Optimistic lock: the caller read version N; refuse if the record is no longer at N."""
    if expected_version is not None and obj.version != expected_version:
        raise ConflictError(_(
            "Someone else changed this record while you were editing it "
            "(you had version %(mine)s, it is now at %(theirs)s). Reload and try again."
        ) % {"mine": expected_version, "theirs": obj.version})
