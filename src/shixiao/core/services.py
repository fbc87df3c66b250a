"""Helpers every service uses: permission and scope checks, optimistic locking."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .errors import ConflictError


def require_perm(actor, perm: str, *, allow_system: bool = False) -> None:
    """Refuse unless `actor` holds `perm`. With `allow_system`, actor None stands for the
    deployment itself (its command line, or a workflow service recording the consequence
    of a change it has already checked and audited)."""
    if actor is None and allow_system:
        return
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to do this."))


def require_in_scope(actor, obj) -> None:
    """Refuse to act on a record the actor cannot see, as if it did not exist. The system
    (actor None, admitted by require_perm) has no scope to leave."""
    from django.http import Http404

    if actor is None or obj.pk is None:
        return
    if not type(obj).objects.visible_to(actor).filter(pk=obj.pk).exists():
        raise Http404(_("No such record."))


def check_version(obj, expected_version: int | None) -> None:
    """Optimistic lock: the caller read version N; refuse if the record is no longer at N."""
    if expected_version is not None and obj.version != expected_version:
        raise ConflictError(_(
            "Someone else changed this record while you were editing it "
            "(you had version %(mine)s, it is now at %(theirs)s). Reload and try again."
        ) % {"mine": expected_version, "theirs": obj.version})
