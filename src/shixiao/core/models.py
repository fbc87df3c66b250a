"""Base model and queryset every domain model builds on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to cut itself down to what one user may see.

    Each model's queryset subclass implements `_scope(user)`; `visible_to` handles the
    cases every model shares (anonymous users see nothing, auditors and superusers see all).
    """

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.sees_everything:
            return self.all()
        return self._scope(user)

    def _scope(self, user):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError(f"{type(self).__name__} must define _scope(user)")


class BaseModel(models.Model):
    """Timestamps and an optimistic-lock version on every record.

    `version` grows by one on each service update; a service given a stale version refuses
    the write (ConflictError) so that two people editing one record never lose each other's
    work silently.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True
