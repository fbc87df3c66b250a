"""Change records in a tamper-evident hash chain. Append-only: the model refuses updates
and deletes, and no view or endpoint offers them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shixiao.core.errors import DomainError
from shixiao.core.models import RestrictedQuerySet


class AuditQuerySet(RestrictedQuerySet):
    def _scope(self, user):
        if user.has_perm("audit.view_auditrecord") and user.committee_id:
            return self.filter(committee_id=user.committee_id)
        return self.none()

    def update(self, **kwargs):
        raise DomainError("Audit records cannot be changed.")

    def delete(self):
        raise DomainError("Audit records cannot be deleted.")


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    EVENT = "event", _("Event")


class AuditRecord(models.Model):
    """One change made through a service: who, when, which request, what, before/after, why.

    `hash` = SHA-256(prev_hash + canonical JSON of the payload fields); see audit.chain.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    timestamp = models.DateTimeField(_("time"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True,
                             blank=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("username"), max_length=150, blank=True)
    request_id = models.CharField(_("request id"), max_length=64)
    committee_id = models.BigIntegerField(_("committee"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DomainError("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError("Audit records cannot be deleted.")

    def payload(self) -> dict:
        """The fields the hash covers. Changing this list breaks every existing chain."""
        return {
            "seq": self.seq,
            "timestamp": self.timestamp.isoformat(),
            "user_id": self.user_id,
            "username": self.username,
            "request_id": self.request_id,
            "committee_id": self.committee_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "changes": self.changes,
            "reason": self.reason,
        }


class AuditHead(models.Model):
    """The single row that holds the chain's tip. Appending locks it, which serialises
    writers on PostgreSQL and lets verify notice records deleted from the end."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"head #{self.seq}"
