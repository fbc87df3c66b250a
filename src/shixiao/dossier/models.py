"""Published assessments: a scoring run frozen as a committee's official result for a year.

A publication copies every member's total, grade and explanation out of the scoring run at
the moment of publishing, so what members and leaders were shown never moves when the
ledger, the rubric or the run's rows change later. Rows are never edited or deleted;
publishing the same year again creates the next version and marks the previous one
superseded (the one change a publication accepts), keeping it readable.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shixiao.core.choices import UserRole
from shixiao.core.errors import DomainError
from shixiao.core.models import RestrictedQuerySet
from shixiao.orgs.models import Membership, committee_ids_for

FROZEN = "Published assessments are never changed or deleted; publish a new version instead."


class PublicationQuerySet(RestrictedQuerySet):
    """Everyone who works in the committee sees that its assessment was published (members
    see only their own row of it); handling units take no part in assessment."""

    def _scope(self, user):
        if user.role == UserRole.UNIT:
            return self.none()
        return self.filter(committee_id__in=committee_ids_for(user))

    def update(self, **kwargs):
        raise DomainError(FROZEN)

    def delete(self):
        raise DomainError(FROZEN)

    def _supersede(self, newer: "Publication") -> int:
        """The one write a publication takes after creation: point it at its successor,
        once. Only `services.publish_assessment` calls this."""
        return models.QuerySet.update(self.filter(superseded_by__isnull=True),
                                      superseded_by=newer)


class Publication(models.Model):
    """Version `number` of a committee's published assessment for `year`, frozen from one
    scoring run. `sha256` fingerprints the frozen content (see `content_digest`)."""

    committee = models.ForeignKey("orgs.Committee", on_delete=models.PROTECT,
                                  related_name="publications", verbose_name=_("committee"))
    year = models.PositiveSmallIntegerField(_("year"))
    score_run = models.ForeignKey("assessment.ScoreRun", on_delete=models.PROTECT,
                                  related_name="publications", verbose_name=_("scoring run"))
    number = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("published by"))
    note = models.TextField(_("note"), blank=True)
    superseded_by = models.OneToOneField("self", on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="supersedes",
                                         verbose_name=_("superseded by"))
    sha256 = models.CharField(_("SHA-256 of the frozen content"), max_length=64,
                              editable=False)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("published assessment")
        verbose_name_plural = _("published assessments")
        ordering = ["committee", "-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["committee", "year", "number"],
                                               name="publication_unique_version")]
        permissions = [
            ("view_dossier", _("Can download duty reports and read published assessments")),
            ("publish_assessment", _("Can publish a year's assessment")),
        ]

    def __str__(self):
        return _("%(committee)s %(year)s assessment, version %(number)s") % {
            "committee": self.committee, "year": self.year, "number": self.number}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DomainError(FROZEN)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(FROZEN)

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    def verify(self) -> bool:
        """Whether the stored rows still hash to the digest taken when publishing."""
        rows = self.scores.order_by("membership_id").values_list(
            "membership_id", "total", "grade", "explanation")
        return content_digest(self.committee_id, self.year, self.score_run_id, rows) \
            == self.sha256


def content_digest(committee_id: int, year: int, run_id: int, rows) -> str:
    """SHA-256 of canonical JSON of what a publication freezes: the committee, year, run
    and each (membership id, total, grade, explanation), in membership order."""
    payload = {
        "committee": committee_id, "year": year, "run": run_id,
        "scores": [[m, _number(total), grade or "", explanation]
                   for m, total, grade, explanation in sorted(rows, key=lambda r: r[0])],
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _number(value) -> str:
    # 108, 108.0 and 108.0000 are one score: the database may hand back any of them.
    normal = value.normalize()
    return str(int(normal)) if normal == normal.to_integral_value() else format(normal, "f")


class PublishedScoreQuerySet(RestrictedQuerySet):
    """A row is visible with its membership: members see their own only."""

    def _scope(self, user):
        return self.filter(membership__in=Membership.objects.visible_to(user))

    def update(self, **kwargs):
        raise DomainError(FROZEN)

    def delete(self):
        raise DomainError(FROZEN)


class PublishedScore(models.Model):
    """One member's total, grade and explanation as published (copied from MemberScore)."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT,
                                    related_name="scores", verbose_name=_("publication"))
    membership = models.ForeignKey("orgs.Membership", on_delete=models.PROTECT,
                                   related_name="published_scores",
                                   verbose_name=_("membership"))
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=4)
    grade = models.CharField(_("grade"), max_length=50, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict)

    objects = PublishedScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("published score")
        verbose_name_plural = _("published scores")
        ordering = ["publication", "membership__person__name", "id"]
        constraints = [models.UniqueConstraint(fields=["publication", "membership"],
                                               name="published_score_unique")]

    def __str__(self):
        return f"{self.membership_id}: {self.total} {self.grade}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DomainError(FROZEN)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(FROZEN)
