"""The duty ledger: one row per duty act and per outcome event, the single input of
assessment. Rows are never edited: a correction is a new row that supersedes the old one,
so any past score can be recomputed as of any date."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shixiao.assessment.entries import ENTRY_KINDS
from shixiao.core.choices import UserRole
from shixiao.core.errors import DomainError
from shixiao.core.models import RestrictedQuerySet
from shixiao.ledger.labels import KINDS, kind_label
from shixiao.orgs.models import Membership, committee_ids_for

KIND_CHOICES = [(kind, KINDS.get(kind, kind)) for kind in ENTRY_KINDS]


class EntryQuerySet(RestrictedQuerySet):
    def _scope(self, user):
        if user.role in (UserRole.OFFICE, UserRole.LEADER):
            # The same rows as their memberships' scope (an entry's committee is its seat's,
            # set by record_entry), but the (committee, date) index serves it: a page of
            # the newest 50 no longer sorts a whole committee's ledger first.
            return self.filter(committee_id__in=committee_ids_for(user))
        return self.filter(membership__in=Membership.objects.visible_to(user))

    def update(self, **kwargs):
        raise DomainError("Ledger entries are never edited; record a correction instead.")


class Entry(models.Model):
    """A duty act (attended a meeting, co-signed a proposal) or an outcome event (the
    proposal was registered, a report was endorsed at provincial level) of one membership.

    `date` is when the act happened (it decides the period); `effective` is when the entry
    starts to count (a proposal made excellent after year end counts from that day).
    `source_type`/`source_id` link back to the workflow record that produced it.
    """

    committee = models.ForeignKey("orgs.Committee", on_delete=models.PROTECT,
                                  related_name="ledger_entries", verbose_name=_("committee"))
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT,
                                   related_name="ledger_entries", verbose_name=_("membership"))
    kind = models.CharField(_("kind"), max_length=32, choices=KIND_CHOICES)
    date = models.DateField(_("date"))
    effective = models.DateField(_("effective from"))
    attrs = models.JSONField(_("attributes"), default=dict, blank=True)
    source_type = models.CharField(_("source type"), max_length=60, blank=True)
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    supersedes = models.OneToOneField(
        "self", verbose_name=_("supersedes"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="superseded_by",
    )
    evidence = models.TextField(_("evidence"), blank=True)
    vouched_by = models.CharField(_("vouched for by"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["committee", "date"]),
            models.Index(fields=["membership", "date"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self):
        return f"{kind_label(self.kind)} {self.date}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DomainError("Ledger entries are never edited; record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError("Ledger entries are never deleted; record a void correction.")
